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
