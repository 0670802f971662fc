# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Two-stream baseline: a dual encoder with no fusion mode."""
import pytest
import torch
from mmengine.registry import init_default_scope

from snps3.models.encoders import TwoStreamEncoder
from snps3.registry import MODELS


def _build(tiny_model_cfg, heads):
    init_default_scope('snps3')
    cfg = dict(tiny_model_cfg)
    cfg['encoder'] = dict(cfg['encoder'], type='TwoStreamEncoder')
    cfg['heads'] = {k: cfg['heads'][k] for k in heads}
    torch.manual_seed(0)
    return MODELS.build(cfg)


def test_text_mode_is_plain_bert_and_fusion_is_refused(tiny_bert_cfg):
    torch.manual_seed(0)
    enc = TwoStreamEncoder(config=tiny_bert_cfg).eval()
    assert not enc.has_fusion
    ids = torch.randint(5, 100, (2, 6))
    mask = torch.ones_like(ids)
    hidden, pooled = enc.forward_text(ids, mask)
    ref = enc.bert(input_ids=ids, attention_mask=mask)
    assert torch.allclose(hidden, ref.last_hidden_state, atol=1e-6)
    assert torch.allclose(pooled, ref.pooler_output, atol=1e-6)
    video = torch.randn(2, 2, tiny_bert_cfg['hidden_size'])
    with pytest.raises(NotImplementedError) as err:
        enc.forward_fusion(ids, mask, video)
    for name in ('MLM', 'cross matching', 'VTM', 'VTC', 'LVWM'):
        assert name in str(err.value)


def test_mlm_head_is_refused_at_build(tiny_model_cfg):
    from snps3.utils.errors import ConfigError
    with pytest.raises(ConfigError, match="head 'mlm'.*TwoStreamEncoder"):
        _build(tiny_model_cfg, ('mlm', 'vtc'))


def test_fusion_call_names_the_heads_that_need_it(tiny_model_cfg):
    model = _build(tiny_model_cfg, ('vtc', ))
    ids = torch.ones(1, 4, dtype=torch.long)
    with pytest.raises(NotImplementedError, match='MLM/MSSM'):
        model.encoder.forward_fusion(ids, torch.ones_like(ids),
                                     torch.zeros(1, 2, 32))


def test_vtc_only_trains(tiny_model_cfg, batch_factory):
    model = _build(tiny_model_cfg, ('vtc', ))
    data = model.data_preprocessor(dict(inputs=batch_factory()), True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_vtc', 'vtc_acc'}
    losses['loss_vtc'].backward()
    grad = model.encoder.bert.encoder.layer[0].attention.self.query.weight
    assert grad.grad.abs().sum() > 0
    feats = model.eval()(data['inputs'], mode='tensor')
    assert feats['text_feat'].shape == (4, 32)
    assert feats['video_feat'].shape == (4, 2, 32)
