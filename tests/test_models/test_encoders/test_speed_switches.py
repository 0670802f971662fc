# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""The fast-step switches: text-pass reuse (P3E), SDPA, checkpointing,
compile, and the fp32 backbone inside bf16 autocast."""
import pytest
import torch
from mmengine.registry import init_default_scope

from snps3.models.encoders import SeparateFusionEncoder, SharedBertEncoder
from snps3.registry import MODELS


def _p3e_model(tiny_model_cfg):
    init_default_scope('snps3')
    cfg = dict(tiny_model_cfg)
    cfg['encoder'] = dict(
        cfg['encoder'], type='SeparateFusionEncoder', fusion_layers=1)
    cfg['heads'] = dict(
        cfg['heads'],
        xm=dict(type='CrossMatchingHead', hidden_size=None, dropout=0.0))
    torch.manual_seed(0)
    return MODELS.build(cfg).eval()  # eval: no dropout, comparable passes


def _losses_grads_and_text_passes(model, batch):
    calls = []
    handle = model.encoder.bert.register_forward_hook(
        lambda *_: calls.append(1))
    model.zero_grad()
    data = model.data_preprocessor(dict(inputs=batch), True)
    losses = model(**data, mode='loss')
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    handle.remove()
    grads = {
        n: p.grad.clone()
        for n, p in model.named_parameters() if p.grad is not None
    }
    return losses, grads, len(calls)


def test_p3e_fusion_reuses_the_text_pass(tiny_model_cfg, batch_factory):
    model = _p3e_model(tiny_model_cfg)
    batch = batch_factory()
    losses, grads, passes = _losses_grads_and_text_passes(model, batch)
    # The encoder as it was: every fusion call runs the text BERT again.
    model.encoder.fusion_reads_text_states = False
    old_losses, old_grads, old_passes = _losses_grads_and_text_passes(
        model, batch)
    # text pass + the masked caption's (MLM) pass; before: also the
    # positives' pass and the negative pairs' pass of cross matching.
    assert passes == 2 and old_passes == 4
    assert losses.keys() == old_losses.keys()
    for key in losses:
        assert torch.allclose(losses[key], old_losses[key], atol=1e-6), key
    assert grads.keys() == old_grads.keys()
    for name in grads:
        assert torch.allclose(
            grads[name], old_grads[name], atol=1e-5, rtol=1e-4), name


def test_snp_context_forces_no_text_pass(tiny_model_cfg, batch_factory):
    init_default_scope('snps3')
    cfg = dict(
        tiny_model_cfg,
        heads=dict(
            mlm=dict(type='MLMHead', hidden_size=None, vocab_size=None),
            vtc=dict(type='VTCHead', hidden_size=None)))
    model = MODELS.build(cfg)
    assert not model.encoder.fusion_reads_text_states
    _, _, passes = _losses_grads_and_text_passes(model, batch_factory())
    assert passes == 2  # the text pass (VTC) and the MLM fusion pass


@pytest.mark.parametrize('encoder', [SharedBertEncoder, SeparateFusionEncoder])
def test_sdpa_is_the_default_and_matches_eager(encoder, tiny_bert_cfg):
    kwargs = dict(config=tiny_bert_cfg, sep_token_id=3)
    if encoder is SeparateFusionEncoder:
        kwargs['fusion_layers'] = 1
    torch.manual_seed(0)
    sdpa = encoder(**kwargs).eval()
    torch.manual_seed(0)
    eager = encoder(attn_implementation='eager', **kwargs).eval()
    assert sdpa.bert.config._attn_implementation == 'sdpa'
    assert eager.bert.config._attn_implementation == 'eager'
    ids = torch.randint(5, 100, (2, 6))
    mask = torch.ones_like(ids)
    mask[1, -2:] = 0
    video = torch.randn(2, 3, tiny_bert_cfg['hidden_size'])
    for a, b in zip(
            sdpa.forward_fusion(ids, mask, video),
            eager.forward_fusion(ids, mask, video)):
        assert torch.allclose(a, b, atol=1e-5)
    with pytest.raises(ValueError, match='attn_implementation'):
        encoder(attn_implementation='flash', **kwargs)


def test_gradient_checkpointing_gives_the_same_gradients(
        tiny_model_cfg, batch_factory):
    init_default_scope('snps3')
    grads = []
    for flag in (False, True):
        cfg = dict(tiny_model_cfg)
        cfg['encoder'] = dict(cfg['encoder'], gradient_checkpointing=flag)
        cfg['backbone'] = dict(cfg['backbone'], grad_checkpointing=flag)
        torch.manual_seed(0)
        model = MODELS.build(cfg)
        for module in model.encoder.bert.modules():  # no dropout noise
            if isinstance(module, torch.nn.Dropout):
                module.p = 0.0
        assert model.encoder.bert.is_gradient_checkpointing == flag
        assert model.backbone.model.grad_checkpointing == flag
        _, g, _ = _losses_grads_and_text_passes(model, batch_factory())
        grads.append(g)
    for name in grads[0]:
        assert torch.allclose(
            grads[0][name], grads[1][name], atol=1e-5, rtol=1e-4), name


def test_compile_switch_is_honoured_without_compiling(tiny_model_cfg):
    init_default_scope('snps3')
    cfg = dict(tiny_model_cfg)
    cfg['encoder'] = dict(
        cfg['encoder'],
        type='SeparateFusionEncoder',
        fusion_layers=1,
        compile=dict(dynamic=True))
    cfg['backbone'] = dict(cfg['backbone'], compile=True)
    model = MODELS.build(cfg)  # compiling is lazy: nothing runs here
    for module in (model.encoder.bert, model.encoder.fusion_bert,
                   model.backbone.model):
        assert module._compiled_call_impl is not None
    # In place: the checkpoint keys are those of an uncompiled model.
    assert not any('_orig_mod' in k for k in model.state_dict())


def test_backbone_can_stay_fp32_under_bf16_autocast(tiny_model_cfg):
    init_default_scope('snps3')
    frames = torch.randn(2, 2, 3, 32, 32)
    dtypes = {}
    for flag in (True, False):
        cfg = dict(tiny_model_cfg['backbone'], out_channels=16, autocast=flag)
        torch.manual_seed(0)
        backbone = MODELS.build(cfg)
        backbone.model.conv1.register_forward_hook(
            lambda m, i, out, flag=flag: dtypes.__setitem__(flag, out.dtype))
        with torch.autocast('cpu', dtype=torch.bfloat16):
            tokens = backbone(frames)
        assert tokens.shape == (2, 2, 16)
    assert dtypes == {True: torch.bfloat16, False: torch.float32}


def test_channels_last_backbone_gives_the_same_tokens(tiny_model_cfg):
    init_default_scope('snps3')
    torch.manual_seed(1)
    frames = torch.randn(2, 2, 3, 32, 32)
    outputs, grads = {}, {}
    for flag in (True, False):
        cfg = dict(
            tiny_model_cfg['backbone'], out_channels=16, channels_last=flag)
        torch.manual_seed(0)
        backbone = MODELS.build(cfg)
        conv = backbone.model.conv1.weight
        assert conv.is_contiguous(memory_format=torch.channels_last) == flag
        outputs[flag] = backbone(frames)
        outputs[flag].square().sum().backward()
        grads[flag] = conv.grad
    assert torch.allclose(outputs[True], outputs[False], atol=1e-5)
    # The two layouts sum the weight gradient in different orders; fp32
    # rounding then differs by ~1e-5 of the gradient's scale (up to 3e-4 on
    # gradients of ~30), so the tolerance is relative to that scale.
    scale = grads[False].abs().max().item()
    assert torch.allclose(grads[True], grads[False], atol=1e-4 * scale)
