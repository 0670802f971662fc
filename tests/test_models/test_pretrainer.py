# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import pytest
import torch
from mmengine.registry import init_default_scope

from snps3.registry import MODELS


def _build(cfg):
    init_default_scope('snps3')
    torch.manual_seed(0)
    return MODELS.build(cfg)


def test_loss_runs_each_encoder_pass_once(tiny_model_cfg, batch_factory):
    model = _build(tiny_model_cfg)
    calls = {'text': 0, 'fusion': 0}
    enc = model.encoder
    text_fn, fusion_fn = enc.forward_text, enc.forward_fusion

    def count(name, fn):

        def wrapped(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)

        return wrapped

    enc.forward_text = count('text', text_fn)
    enc.forward_fusion = count('fusion', fusion_fn)
    data = model.data_preprocessor(dict(inputs=batch_factory()), True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_mlm', 'mlm_acc', 'loss_vtc', 'vtc_acc'}
    assert calls == {'text': 1, 'fusion': 1}
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    assert model.backbone.proj.weight.grad.abs().sum() > 0


def test_mlm_decoder_is_tied_to_word_embeddings(tiny_model_cfg):
    model = _build(tiny_model_cfg)
    assert model.heads['mlm'].decoder.weight is \
        model.encoder.word_embeddings.weight


def test_vtc_only_skips_the_fusion_pass(tiny_model_cfg, batch_factory):
    cfg = dict(tiny_model_cfg)
    cfg['heads'] = dict(vtc=cfg['heads']['vtc'])
    model = _build(cfg)
    model.encoder.forward_fusion = None  # would fail if called
    data = model.data_preprocessor(dict(inputs=batch_factory()), True)
    assert set(model(**data, mode='loss')) == {'loss_vtc', 'vtc_acc'}


def test_predict_and_similarity_shapes(tiny_model_cfg, batch_factory):
    model = _build(tiny_model_cfg).eval()
    from snps3.structures import VideoTextDataSample
    batch = batch_factory(b=3, t=2)
    samples = [VideoTextDataSample() for _ in range(3)]
    data = model.data_preprocessor(dict(inputs=batch, data_samples=samples))
    out = model(**data, mode='predict')
    assert out[0].text_feat.shape == (32, )
    assert out[0].video_feat.shape == (2, 32)
    scores = model.similarity(
        torch.stack([s.text_feat for s in out]),
        torch.stack([s.video_feat for s in out]))
    assert scores.shape == (3, 3)


def test_a_head_set_to_none_is_left_out(tiny_model_cfg):
    cfg = dict(tiny_model_cfg)
    cfg['heads'] = dict(cfg['heads'], mlm=None)
    assert list(_build(cfg).heads) == ['vtc']


def test_fusion_heads_on_a_dual_encoder_are_refused_at_build(tiny_model_cfg):
    from snps3.utils.errors import ConfigError
    cfg = dict(tiny_model_cfg)
    cfg['encoder'] = dict(cfg['encoder'], type='TwoStreamEncoder')
    with pytest.raises(ConfigError, match="head 'mlm'.*fusion"):
        _build(cfg)
