# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope

from snps3.models import ForwardContext
from snps3.models.heads import LVWMHead
from snps3.registry import MODELS


def _model(cfg, **head):
    init_default_scope('snps3')
    torch.manual_seed(0)
    cfg = dict(cfg)
    cfg['heads'] = dict(
        lvwm=dict(type='LVWMHead', hidden_size=None, **head),
        vtc=cfg['heads']['vtc'])
    return MODELS.build(cfg)


def _batch(batch_factory, b=4):
    batch = batch_factory(b=b)
    # K = 3 words per caption, padded by repetition as the transform does.
    batch['lvwm_positions'] = torch.tensor([[1, 2, 4], [3, 3, 3], [1, 5, 6],
                                            [2, 4, 2]])[:b]
    return batch


def _fake_ctx(b=3, length=6, k=2, t=3, dim=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    return SimpleNamespace(
        text=(torch.randn(b, length, dim, generator=g), None),
        video_feats=F.normalize(torch.randn(b, t, dim, generator=g), dim=-1),
        same_video_all=None,
        inputs=dict(
            lvwm_positions=torch.randint(0, length, (b, k), generator=g)))


def _reference(words, frames, temperature):
    """Symmetric InfoNCE of S_ij = logsumexp_(k,t) <w_ik, f_jt> / temp."""
    b = words.shape[0]
    s = torch.stack([
        torch.stack([
            (words[i] @ frames[j].t() / temperature).logsumexp(dim=(0, 1))
            for j in range(b)
        ]) for i in range(b)
    ])
    targets = torch.arange(b)
    return (F.cross_entropy(s, targets) + F.cross_entropy(s.t(), targets)) / 2


def test_loss_matches_the_formula_with_projection():
    torch.manual_seed(0)
    head = LVWMHead(hidden_size=8, temperature=0.1)
    ctx = _fake_ctx()
    out = head.loss(ctx)
    states, pos = ctx.text[0], ctx.inputs['lvwm_positions']
    words = torch.stack([states[i, pos[i]] for i in range(3)])
    words = F.normalize(head.proj(words), dim=-1)
    ref = _reference(words, ctx.video_feats, 0.1)
    assert torch.allclose(out['loss_lvwm'], ref, atol=1e-5)
    assert 0 <= out['lvwm_acc'].item() <= 1


def test_public_code_variant_uses_raw_states_without_temperature():
    head = LVWMHead(hidden_size=8, project=False, temperature=None)
    ctx = _fake_ctx()
    states, pos = ctx.text[0], ctx.inputs['lvwm_positions']
    words = torch.stack([states[i, pos[i]] for i in range(3)])
    ref = _reference(words, ctx.video_feats, 1.0)
    assert torch.allclose(head.loss(ctx)['loss_lvwm'], ref, atol=1e-5)
    assert not list(head.parameters())


def test_mil_nce_objective_runs_and_differs():
    torch.manual_seed(0)
    infonce = LVWMHead(hidden_size=8)
    torch.manual_seed(0)
    milnce = LVWMHead(hidden_size=8, objective='mil_nce')
    ctx = _fake_ctx()
    a = infonce.loss(ctx)['loss_lvwm']
    b = milnce.loss(ctx)['loss_lvwm']
    assert torch.isfinite(b) and not torch.allclose(a, b)


def test_bad_options_and_widths():
    with pytest.raises(ValueError, match='objective'):
        LVWMHead(hidden_size=8, objective='nce')
    with pytest.raises(ValueError, match='temperature'):
        LVWMHead(hidden_size=8, temperature=None, learnable_temperature=True)
    with pytest.raises(ValueError, match='embed_dim'):
        LVWMHead(hidden_size=8, embed_dim=4).loss(_fake_ctx())


def test_on_the_model_shares_the_text_pass_and_reaches_the_encoder(
        tiny_model_cfg, batch_factory):
    model = _model(tiny_model_cfg, learnable_temperature=True)
    calls = {'text': 0}
    text_fn = model.encoder.forward_text

    def count(*args, **kwargs):
        calls['text'] += 1
        return text_fn(*args, **kwargs)

    model.encoder.forward_text = count
    model.encoder.forward_fusion = None  # LVWM and VTC never fuse
    data = model.data_preprocessor(dict(inputs=_batch(batch_factory)), True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_lvwm', 'lvwm_acc', 'loss_vtc', 'vtc_acc'}
    assert calls['text'] == 1
    losses['loss_lvwm'].backward()
    head = model.heads['lvwm']
    assert head.proj.weight.grad.abs().sum() > 0
    assert head.log_scale.grad is not None
    # Words come from the text pass, frames from the retrieval head.
    layer = model.encoder.bert.encoder.layer[-1].output.dense.weight
    assert layer.grad.abs().sum() > 0
    assert model.heads['vtc'].frame_mlp[2].weight.grad.abs().sum() > 0
    assert model.backbone.proj.weight.grad.abs().sum() > 0


def test_words_are_read_at_the_given_positions(tiny_model_cfg, batch_factory):
    model = _model(tiny_model_cfg)
    inputs = model.data_preprocessor(dict(inputs=_batch(batch_factory)),
                                     True)['inputs']
    ctx = ForwardContext(model, inputs)
    head = model.heads['lvwm']
    words = head.embed_words(ctx.text[0], inputs['lvwm_positions'])
    assert words.shape == (4, 3, 32)
    expected = F.normalize(head.proj(ctx.text[0][1, 3]), dim=-1)
    assert torch.allclose(words[1], expected.expand(3, -1), atol=1e-6)
