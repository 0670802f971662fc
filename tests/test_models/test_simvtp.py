# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import pytest
import torch
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope

from snps3.models import SimVTPContext
from snps3.registry import MODELS
from snps3.utils.errors import ConfigError

HEADS = dict(
    mvm=dict(
        type='MaskedVideoReconstructionHead',
        in_dims=None,
        patch_size=None,
        tubelet_size=None,
        decoder_dims=16,
        decoder_layers=1,
        decoder_heads=2),
    mlm=dict(type='MLMHead', hidden_size=None, vocab_size=None),
    vtc=dict(type='MeanPoolVTCHead', temperature=0.05),
    vtm=dict(type='VTMHead', hidden_size=None, negatives='random'))


def build(heads=HEADS, **kwargs):
    init_default_scope('snps3')
    torch.manual_seed(0)
    return MODELS.build(
        dict(
            type='SimVTPPretrainer',
            encoder=dict(
                type='UnifiedVideoTextEncoder',
                vit=dict(
                    type='VideoViT',
                    arch=dict(embed_dims=32, num_layers=2, num_heads=4)),
                text_config=dict(vocab_size=120, max_position_embeddings=64)),
            heads=heads,
            tube_masking=dict(ratio=0.75, seed=0),
            **kwargs))


@pytest.fixture
def batch(batch_factory):
    return dict(inputs=batch_factory(t=4, size=32))


def test_one_step_trains_every_head(batch):
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


def test_masked_pass_sees_visible_tubes_and_masked_text(batch):
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


def test_contrastive_features_come_from_clean_inputs(batch):
    model = build().eval()
    inputs = model.data_preprocessor(batch, False)['inputs']
    ctx = SimVTPContext(model, inputs)
    feats = model.extract_feats(inputs)
    assert torch.allclose(ctx.text_feats, feats['text_feat'])
    assert torch.allclose(ctx.video_feats, feats['video_feat'])
    assert ctx.video_clean.shape == (4, 8, 32)  # every tube


def test_retrieval_features_match_the_pretrainers_keys(batch):
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


def test_text_tower_starts_from_the_pretrained_encoder(batch):
    pretrained = build()
    state = pretrained.state_dict()
    tuned = build(heads=dict(vtc=HEADS['vtc']), text_tower=True)
    tuned.load_state_dict(state, strict=False)
    for name, param in tuned.text_encoder.state_dict().items():
        assert torch.equal(param, state['encoder.' + name]), name
    # The towers then train apart.
    wrapper = OptimWrapper(torch.optim.AdamW(tuned.parameters(), lr=1e-2))
    tuned.train_step(batch, wrapper)
    assert not torch.equal(tuned.text_encoder.vit.blocks[0].mlp.fc1.weight,
                           tuned.encoder.vit.blocks[0].mlp.fc1.weight)


def test_unknown_retrieval_head():
    with pytest.raises(ConfigError, match='retrieval_head'):
        build(retrieval_head='itc')
