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


def _simvtp(model_cfg, **kwargs):
    return dict(model_cfg, type='SimVTPMultipleChoiceModel', **kwargs)


def _count_calls(obj, name):
    calls = []
    method = getattr(obj, name)

    def counted(*args, **kwargs):
        calls.append(args[0].shape[0])
        return method(*args, **kwargs)

    setattr(obj, name, counted)
    return calls


def test_simvtp_fusion_scores_are_the_vtm_scores_of_each_pair(
        tiny_simvtp_cfg, batch_factory):
    model = _build(_simvtp(tiny_simvtp_cfg))  # default: fusion, 'vtm'
    assert model.scoring == dict(mode='fusion', head='vtm')
    joint = _count_calls(model.encoder, 'forward_joint')
    out, inputs = _predict(model, _mc_batch(batch_factory))
    assert joint == [2 * 3]  # the B*K pairs in one pass
    with torch.no_grad():
        tokens = model.encoder.embed_video(inputs['frames'])
        for i, sample in enumerate(out):
            ref = torch.stack([
                model.pair_scores(inputs['option_ids'][i, j:j + 1],
                                  inputs['option_mask'][i, j:j + 1],
                                  tokens[i:i + 1], 'vtm')[0] for j in range(3)
            ])
            assert torch.allclose(sample.pred_scores, ref, atol=1e-5)
            assert sample.pred_label == int(ref.argmax())


def test_simvtp_dual_scores_are_the_vtc_similarity_of_the_text_tower(
        tiny_simvtp_cfg, batch_factory):
    cfg = _simvtp(
        tiny_simvtp_cfg,
        heads=dict(vtc=tiny_simvtp_cfg['heads']['vtc']),
        text_tower=True,
        scoring=dict(mode='dual'))
    model = _build(cfg)
    with torch.no_grad():  # towers that differ, as after fine-tuning
        for param in model.text_encoder.parameters():
            param.add_(0.1 * torch.randn_like(param))
    out, inputs = _predict(model, _mc_batch(batch_factory))
    head = model.heads['vtc']
    with torch.no_grad():
        for i, sample in enumerate(out):
            ids, mask = inputs['option_ids'][i], inputs['option_mask'][i]
            text = head.embed_text(
                model.text_encoder.forward_text(ids, mask), mask)
            video = model.extract_feats(
                dict(frames=inputs['frames'][i:i + 1]))['video_feat']
            ref = model.similarity(text, video)[:, 0]
            assert torch.allclose(sample.pred_scores, ref, atol=1e-5)
            one_tower = head.embed_text(
                model.encoder.forward_text(ids, mask), mask)
            assert not torch.allclose(
                sample.pred_scores,
                model.similarity(one_tower, video)[:, 0],
                atol=1e-3)


def test_simvtp_fusion_needs_a_vtm_head(tiny_simvtp_cfg):
    vtc_only = dict(vtc=tiny_simvtp_cfg['heads']['vtc'])
    with pytest.raises(ConfigError, match="VTM head.*mode='dual'"):
        _build(_simvtp(tiny_simvtp_cfg, heads=vtc_only))
    with pytest.raises(ConfigError, match="got 'vtc'"):
        _build(
            _simvtp(tiny_simvtp_cfg, scoring=dict(mode='fusion', head='vtc')))


def test_simvtp_checkpoints_load_unless_the_scoring_head_is_missing(
        tiny_simvtp_cfg):
    from mmengine.runner.checkpoint import load_state_dict
    pretrained = _build(tiny_simvtp_cfg).state_dict()
    model = _build(_simvtp(tiny_simvtp_cfg))
    assert set(model.state_dict()) == set(pretrained)
    load_state_dict(model, pretrained)
    partial = {
        k: v
        for k, v in pretrained.items() if not k.startswith('heads.vtm.')
    }
    with pytest.raises(ConfigError, match='no heads.vtm'):
        load_state_dict(model, partial, strict=False)

    # The retrieval fine-tuned dual encoder (text tower, no VTM head): its
    # VTC head has no weights, nothing to refuse.
    vtc_only = dict(vtc=tiny_simvtp_cfg['heads']['vtc'])
    tuned = _build(dict(tiny_simvtp_cfg, heads=vtc_only, text_tower=True))
    dual = _build(
        _simvtp(
            tiny_simvtp_cfg,
            heads=vtc_only,
            text_tower=True,
            scoring=dict(mode='dual')))
    load_state_dict(dual, tuned.state_dict())
    # With a learnable temperature it has one, which must be there.
    learnt = dict(vtc=dict(vtc_only['vtc'], learnable_temperature=True))
    dual = _build(
        _simvtp(tiny_simvtp_cfg, heads=learnt, scoring=dict(mode='dual')))
    state = {
        k: v
        for k, v in dual.state_dict().items() if not k.startswith('heads.')
    }
    with pytest.raises(ConfigError, match='no heads.vtc'):
        load_state_dict(dual, state, strict=False)
