# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import pytest
import torch
from mmengine.registry import init_default_scope

from snps3.registry import MODELS
from snps3.structures import VideoTextDataSample
from snps3.utils.errors import ConfigError


def _qa_cfg(model_cfg, encoder_type='SharedBertEncoder', **extra):
    encoder = dict(model_cfg['encoder'], type=encoder_type)
    if encoder_type == 'SeparateFusionEncoder':
        encoder['fusion_layers'] = 1
    return dict(
        type='VideoQAModel',
        backbone=model_cfg['backbone'],
        encoder=encoder,
        qa_head=dict(type='QAHead', hidden_size=None, num_classes=7),
        **extra)


def _build(cfg):
    init_default_scope('snps3')
    torch.manual_seed(0)
    return MODELS.build(cfg)


def _batch(batch_factory, b=4):
    batch = batch_factory(b=b)
    batch['answer_label'] = torch.tensor([0, 6, -1, 3][:b])
    return batch


@pytest.mark.parametrize('encoder_type',
                         ['SharedBertEncoder', 'SeparateFusionEncoder'])
def test_loss_is_one_fusion_pass_and_trains_everything(tiny_model_cfg,
                                                       batch_factory,
                                                       encoder_type):
    model = _build(_qa_cfg(tiny_model_cfg, encoder_type))
    calls = []
    fusion = model.encoder.forward_fusion
    model.encoder.forward_fusion = \
        lambda *a, **k: calls.append(1) or fusion(*a, **k)
    if encoder_type == 'SharedBertEncoder':
        model.encoder.forward_text = None  # no text pass: would fail
    data = model.data_preprocessor(dict(inputs=_batch(batch_factory)), True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_qa', 'qa_acc'}
    assert calls == [1]
    losses['loss_qa'].backward()
    assert model.backbone.proj.weight.grad.abs().sum() > 0
    assert model.heads['qa'].mlp[0].weight.grad.abs().sum() > 0
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.encoder.parameters())


def test_two_stream_is_refused_with_a_clear_error(tiny_model_cfg):
    with pytest.raises(ConfigError, match='TwoStreamEncoder has no fusion'):
        _build(_qa_cfg(tiny_model_cfg, 'TwoStreamEncoder'))


def test_heads_argument_is_refused(tiny_model_cfg):
    with pytest.raises(ConfigError, match='qa_head'):
        _build(_qa_cfg(tiny_model_cfg, heads=tiny_model_cfg['heads']))


def test_predict_gives_label_and_scores(tiny_model_cfg, batch_factory):
    model = _build(_qa_cfg(tiny_model_cfg)).eval()
    batch = _batch(batch_factory, b=3)
    samples = [VideoTextDataSample() for _ in range(3)]
    data = model.data_preprocessor(dict(inputs=batch, data_samples=samples))
    with torch.no_grad():
        out = model(**data, mode='predict')
        logits = model(**data, mode='tensor')['qa_logits']
    assert logits.shape == (3, 7)
    for i, sample in enumerate(out):
        assert sample.pred_scores.shape == (7, )
        assert torch.allclose(sample.pred_scores, logits[i].softmax(-1))
        assert sample.pred_label == int(logits[i].argmax())
    with pytest.raises(ConfigError, match='has no retrieval head'):
        model.retrieval_head_module


def test_init_from_loads_backbone_and_encoder_of_a_pretrainer(
        tiny_model_cfg, tmp_path):
    pre = _build(tiny_model_cfg)
    path = tmp_path / 'pretrained.pth'
    torch.save(dict(state_dict=pre.state_dict()), path)
    model = _build(
        _qa_cfg(
            tiny_model_cfg,
            init_from=dict(
                checkpoint=str(path),
                ignore=[r'^heads\.'],
                require=[r'^backbone\.', r'^encoder\.'])))
    model.init_weights()
    own = model.state_dict()
    for key, value in pre.state_dict().items():
        if key.startswith(('backbone.', 'encoder.')):
            assert torch.equal(own[key], value), key
    report = model.init_report
    assert report.missing and all(
        k.startswith('heads.qa.') for k in report.missing)


def _simvtp_qa_cfg(simvtp_cfg, **extra):
    return dict(
        type='SimVTPVideoQAModel',
        encoder=simvtp_cfg['encoder'],
        qa_head=dict(type='QAHead', hidden_size=None, num_classes=7),
        **extra)


def _simvtp_inputs(model, batch_factory, b=4):
    batch = _batch(batch_factory, b)
    return model.data_preprocessor(dict(inputs=batch), True)['inputs']


def test_simvtp_logits_are_the_head_on_the_joint_masked_mean(
        tiny_simvtp_cfg, batch_factory):
    model = _build(_simvtp_qa_cfg(tiny_simvtp_cfg)).eval()
    assert model.qa_head.mlp[0].in_features == 32  # the encoder's width
    batch = _batch(batch_factory, b=3)
    samples = [VideoTextDataSample() for _ in range(3)]
    data = model.data_preprocessor(dict(inputs=batch, data_samples=samples))
    inputs = data['inputs']
    with torch.no_grad():
        out = model(**data, mode='predict')
        logits = model(**data, mode='tensor')['qa_logits']
        tubes = model.encoder.embed_video(inputs['frames'])  # every tube
        video, text = model.encoder.forward_joint(tubes, inputs['input_ids'],
                                                  inputs['attention_mask'])
        mask = inputs['attention_mask'].float()
        pooled = (video.sum(1) + (text * mask[..., None]).sum(1)) / (
            video.shape[1] + mask.sum(1, keepdim=True))
        ref = model.qa_head.mlp(pooled)
    assert tubes.shape[1] == 4  # 2 frames of 32 px: 1 x 2 x 2 tubes
    assert torch.allclose(logits, ref, atol=1e-5)
    for i, sample in enumerate(out):
        assert torch.allclose(sample.pred_scores, logits[i].softmax(-1))
        assert sample.pred_label == int(logits[i].argmax())
    with pytest.raises(ConfigError, match='has no retrieval head'):
        model.retrieval_head_module


def test_simvtp_loss_is_one_joint_pass_and_ignores_unknown_answers(
        tiny_simvtp_cfg, batch_factory):
    model = _build(_simvtp_qa_cfg(tiny_simvtp_cfg)).eval()  # no dropout
    inputs = _simvtp_inputs(model, batch_factory)
    calls = []
    joint = model.encoder.forward_joint
    model.encoder.forward_joint = \
        lambda *a, **k: calls.append(1) or joint(*a, **k)
    model.encoder.forward_text = None  # no text alone: would fail
    model.encoder.forward_video = None  # nor video alone
    losses = model(inputs, mode='loss')
    assert set(losses) == {'loss_qa', 'qa_acc'}
    assert calls == [1]
    with torch.no_grad():
        logits = model.answer_logits(inputs)
    labels = inputs['answer_label']
    known = labels != -1
    ref = torch.nn.functional.cross_entropy(logits[known], labels[known])
    assert torch.allclose(losses['loss_qa'], ref, atol=1e-5)
    losses['loss_qa'].backward()
    assert model.heads['qa'].mlp[0].weight.grad.abs().sum() > 0
    assert model.encoder.vit.blocks[0].mlp.fc1.weight.grad.abs().sum() > 0

    inputs['answer_label'] = torch.full_like(labels, -1)
    losses = model(inputs, mode='loss')
    assert losses['loss_qa'] == 0 and losses['loss_qa'].requires_grad


def test_simvtp_qa_refuses_heads_and_a_text_tower(tiny_simvtp_cfg):
    with pytest.raises(ConfigError, match='qa_head'):
        _build(_simvtp_qa_cfg(tiny_simvtp_cfg, heads=tiny_simvtp_cfg['heads']))
    with pytest.raises(ConfigError, match='text tower'):
        _build(_simvtp_qa_cfg(tiny_simvtp_cfg, text_tower=True))


def test_init_from_loads_the_encoder_of_a_simvtp_pretrainer(
        tiny_simvtp_cfg, tmp_path):
    pre = _build(tiny_simvtp_cfg)
    path = tmp_path / 'simvtp.pth'
    torch.save(dict(state_dict=pre.state_dict()), path)
    model = _build(
        _simvtp_qa_cfg(
            tiny_simvtp_cfg,
            init_from=dict(
                checkpoint=str(path),
                ignore=[r'^heads\.(?!qa\.)'],
                require=[r'^encoder\.'])))
    model.init_weights()
    own = model.state_dict()
    report = model.init_report
    assert report.missing and all(
        k.startswith('heads.qa.') for k in report.missing)
    assert not report.unexpected and not report.mismatched
    assert set(report.loaded) == {k for k in own if k.startswith('encoder.')}
    for key in report.loaded:
        assert torch.equal(own[key], pre.state_dict()[key]), key
