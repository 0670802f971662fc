# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import pytest
import torch
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope

from snps3.models import SimVTPContext
from snps3.registry import MODELS
from snps3.utils.errors import ConfigError


@pytest.fixture
def build(tiny_simvtp_cfg):
    """Build the tiny SimVTP, with other heads or extra arguments."""

    def _build(heads=None, **kwargs):
        init_default_scope('snps3')
        torch.manual_seed(0)
        cfg = dict(tiny_simvtp_cfg, **kwargs)
        if heads is not None:
            cfg['heads'] = heads
        return MODELS.build(cfg)

    return _build


@pytest.fixture
def batch(batch_factory):
    return dict(inputs=batch_factory(t=4, size=32))


def test_one_step_trains_every_head(batch, build):
    model = build()
    assert model.heads[
        'mlm'].decoder.weight is model.encoder.word_embeddings.weight
    wrapper = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-3))
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    log_vars = model.train_step(batch, wrapper)
    for key in ('loss_mvm', 'loss_mlm', 'loss_vtc', 'loss_vtm'):
        assert torch.isfinite(log_vars[key]), key
    moved = {
        n.split('.')[0] + '.' + n.split('.')[1]
        for n, p in model.named_parameters() if not torch.equal(p, before[n])
    }
    assert {
        'encoder.vit', 'encoder.text_embeddings', 'heads.mvm', 'heads.vtm'
    } <= moved


def test_masked_pass_sees_visible_tubes_and_masked_text(batch, build):
    model = build().eval()  # no dropout: passes can be compared
    inputs = model.data_preprocessor(batch, True)['inputs']
    ctx = SimVTPContext(model, inputs)
    assert ctx.tube_mask.shape == (4, 8)  # 2 x 2 x 2 tubes
    assert (ctx.tube_mask.sum(1) == 6).all()  # 0.75 of 4 positions x 2
    assert ctx.masked_video.shape == (4, 2, 32)
    video, text = model.encoder.forward_joint(
        model.encoder.embed_video(inputs['frames'], ctx.tube_mask),
        inputs['mlm_input_ids'], inputs['attention_mask'])
    assert torch.allclose(ctx.fusion_mlm[0], text)


def test_contrastive_features_come_from_clean_inputs(batch, build):
    model = build().eval()
    inputs = model.data_preprocessor(batch, False)['inputs']
    ctx = SimVTPContext(model, inputs)
    feats = model.extract_feats(inputs)
    assert torch.allclose(ctx.text_feats, feats['text_feat'])
    assert torch.allclose(ctx.video_feats, feats['video_feat'])
    assert ctx.video_clean.shape == (4, 8, 32)  # every tube


def test_retrieval_features_match_the_pretrainers_keys(batch, build):
    model = build().eval()
    inputs = model.data_preprocessor(batch, False)['inputs']
    feats = model.extract_feats(inputs)
    assert set(feats) == {
        'text_feat', 'video_feat', 'input_ids', 'attention_mask',
        'frame_tokens'
    }
    assert feats['text_feat'].shape == (4, 32)
    assert feats['video_feat'].shape == (4, 1, 32)
    scores = model.similarity(feats['text_feat'], feats['video_feat'])
    assert scores.shape == (4, 4)
    pair = model.pair_scores(feats['input_ids'], feats['attention_mask'],
                             feats['frame_tokens'], 'vtm')
    assert pair.shape == (4, )
    with pytest.raises(ConfigError, match='VTM head'):
        model.pair_scores(feats['input_ids'], feats['attention_mask'],
                          feats['frame_tokens'], 'vtc')


def test_text_tower_starts_from_the_pretrained_encoder(batch, build,
                                                       tiny_simvtp_cfg):
    pretrained = build()
    state = pretrained.state_dict()
    tuned = build(
        heads=dict(vtc=tiny_simvtp_cfg['heads']['vtc']), text_tower=True)
    tuned.load_state_dict(state, strict=False)
    for name, param in tuned.text_encoder.state_dict().items():
        assert torch.equal(param, state['encoder.' + name]), name
    # The towers then train apart.
    wrapper = OptimWrapper(torch.optim.AdamW(tuned.parameters(), lr=1e-2))
    tuned.train_step(batch, wrapper)
    assert not torch.equal(tuned.text_encoder.vit.blocks[0].mlp.fc1.weight,
                           tuned.encoder.vit.blocks[0].mlp.fc1.weight)


def test_a_two_tower_checkpoint_is_refused_without_a_text_tower(
        build, tiny_simvtp_cfg):
    tuned = build(
        heads=dict(vtc=tiny_simvtp_cfg['heads']['vtc']), text_tower=True)
    with pytest.raises(ConfigError, match='text_tower=True'):
        build().load_state_dict(tuned.state_dict(), strict=False)
    # A task model that encodes no caption alone may take its encoder.
    build(retrieval_head=None).load_state_dict(
        tuned.state_dict(), strict=False)


def test_unknown_retrieval_head(build):
    with pytest.raises(ConfigError, match='retrieval_head'):
        build(retrieval_head='itc')


def test_a_task_model_may_have_no_retrieval_head(build):
    model = build(retrieval_head=None)
    with pytest.raises(ConfigError, match='has no retrieval head'):
        model.retrieval_head_module
