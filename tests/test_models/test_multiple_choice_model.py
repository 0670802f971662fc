# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import pytest
import torch
from mmengine.registry import init_default_scope

from snps3.registry import MODELS
from snps3.structures import VideoTextDataSample
from snps3.utils.errors import ConfigError


def _cfg(model_cfg, **scoring):
    heads = dict(
        model_cfg['heads'],
        xm=dict(type='CrossMatchingHead', hidden_size=None))
    return dict(
        model_cfg, type='MultipleChoiceModel', heads=heads, scoring=scoring)


def _build(cfg):
    init_default_scope('snps3')
    torch.manual_seed(0)
    return MODELS.build(cfg).eval()


def _mc_batch(batch_factory, b=2, k=3):
    batch = batch_factory(b=b * k)
    frames = batch['frames'][:b]
    return dict(
        frames=frames,
        option_ids=batch['input_ids'].view(b, k, -1),
        option_mask=batch['attention_mask'].view(b, k, -1))


def _predict(model, batch):
    samples = [VideoTextDataSample() for _ in range(len(batch['frames']))]
    data = model.data_preprocessor(dict(inputs=batch, data_samples=samples))
    with torch.no_grad():
        return model(**data, mode='predict'), data['inputs']


def test_fusion_scores_are_the_cross_matching_scores_of_each_pair(
        tiny_model_cfg, batch_factory):
    model = _build(_cfg(tiny_model_cfg, mode='fusion', head='xm'))
    out, inputs = _predict(model, _mc_batch(batch_factory))
    with torch.no_grad():
        tokens = model.extract_video(inputs['frames'])
        for i, sample in enumerate(out):
            ref = torch.stack([
                model.pair_scores(inputs['option_ids'][i, j:j + 1],
                                  inputs['option_mask'][i, j:j + 1],
                                  tokens[i:i + 1], 'xm')[0] for j in range(3)
            ])
            assert torch.allclose(sample.pred_scores, ref, atol=1e-5)
            assert sample.pred_label == int(ref.argmax())


def test_dual_scores_are_the_retrieval_similarity(tiny_model_cfg,
                                                  batch_factory):
    model = _build(_cfg(tiny_model_cfg, mode='dual'))
    out, inputs = _predict(model, _mc_batch(batch_factory))
    with torch.no_grad():
        for i, sample in enumerate(out):
            text = model.extract_feats(
                dict(
                    input_ids=inputs['option_ids'][i],
                    attention_mask=inputs['option_mask'][i]))['text_feat']
            video = model.extract_feats(
                dict(frames=inputs['frames'][i:i + 1]))['video_feat']
            ref = model.similarity(text, video)[:, 0]
            assert torch.allclose(sample.pred_scores, ref, atol=1e-5)


def test_a_retrieval_checkpoint_loads_unchanged(tiny_model_cfg):
    cfg = _cfg(tiny_model_cfg, mode='fusion', head='xm')
    pretrainer = dict(cfg, type='VideoTextPretrainer')
    pretrainer.pop('scoring')
    keys = set(_build(pretrainer).state_dict())
    assert set(_build(cfg).state_dict()) == keys


def test_fusion_scoring_without_a_matching_head_is_refused(tiny_model_cfg):
    cfg = dict(
        tiny_model_cfg,
        type='MultipleChoiceModel',
        scoring=dict(mode='fusion', head='xm'))
    with pytest.raises(ConfigError, match="mode='dual'"):
        _build(cfg)
    with pytest.raises(ConfigError, match='not one of'):
        _build(dict(cfg, scoring=dict(mode='exhaustive')))


@pytest.mark.parametrize('mode', ['fusion', 'dual'])
def test_a_checkpoint_without_the_scoring_head_is_refused(
        tiny_model_cfg, mode):
    from mmengine.runner.checkpoint import load_state_dict
    model = _build(_cfg(tiny_model_cfg, mode=mode, head='xm'))
    state = model.state_dict()
    load_state_dict(model, state)  # complete: loads
    gone = 'heads.xm.' if mode == 'fusion' else 'heads.vtc.'
    partial = {k: v for k, v in state.items() if not k.startswith(gone)}
    with pytest.raises(ConfigError, match=f'no {gone[:-1]}'):
        load_state_dict(model, partial, strict=False)
    # The head this mode does not use may be absent.
    other = 'heads.vtc.' if mode == 'fusion' else 'heads.xm.'
    load_state_dict(model, {
        k: v
        for k, v in state.items() if not k.startswith(other)
    })
