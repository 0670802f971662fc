# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import math

import pytest
import torch
from mmengine.registry import init_default_scope

from snps3.models import ForwardContext
from snps3.models.heads import CrossMatchingHead
from snps3.models.losses import mil_nce
from snps3.registry import MODELS


def _model(cfg, **head):
    init_default_scope('snps3')
    torch.manual_seed(0)
    cfg = dict(cfg)
    cfg['heads'] = dict(
        xm=dict(type='CrossMatchingHead', hidden_size=None, **head),
        vtc=cfg['heads']['vtc'])
    return MODELS.build(cfg)


def _context(model, batch):
    inputs = model.data_preprocessor(dict(inputs=batch), True)['inputs']
    return ForwardContext(model, inputs)


def _count_passes(model):
    """Record the batch size of every encoder pass."""
    calls = {'text': [], 'fusion': []}
    enc = model.encoder
    for name in calls:
        fn = getattr(enc, f'forward_{name}')

        def wrapped(ids, *args, _fn=fn, _name=name, **kwargs):
            calls[_name].append(ids.shape[0])
            return _fn(ids, *args, **kwargs)

        setattr(enc, f'forward_{name}', wrapped)
    return calls


def _record_pairs(ctx):
    pairs = []
    fuse = ctx.fuse_pairs

    def wrapped(text_index, video_index):
        pairs.extend(zip(text_index.tolist(), video_index.tolist()))
        return fuse(text_index, video_index)

    ctx.fuse_pairs = wrapped
    return pairs


def _all_scores(model, ctx):
    """(B, B) scores, one fusion pass per pair, in eval mode."""
    b = ctx.batch_size
    head = model.heads['xm']
    with torch.no_grad():
        return torch.tensor([[
            head.score_pairs(
                ctx.fuse_pairs(torch.tensor([i]), torch.tensor([j]))).item()
            for j in range(b)
        ] for i in range(b)])


def test_all_pairs_cost_one_positive_and_one_batched_pass(
        tiny_model_cfg, batch_factory):
    model = _model(tiny_model_cfg)
    calls = _count_passes(model)
    ctx = _context(model, batch_factory(b=4))
    pairs = _record_pairs(ctx)
    out = model.heads['xm'].loss(ctx)
    assert set(out) == {'loss_xm', 'xm_acc'}
    # The B positives, then the B^2 - B negatives in a single pass; no
    # text pass, since 'all' mines nothing.
    assert calls == {'text': [], 'fusion': [4, 12]}
    assert sorted(pairs) == [(i, j) for i in range(4) for j in range(4)
                             if i != j]
    out['loss_xm'].backward()
    # Gradients reach the shared encoder and the backbone through the
    # fusion passes only (VTC's own layers took no part).
    assert model.encoder.fusion_pooler.dense.weight.grad.abs().sum() > 0
    assert model.encoder.word_embeddings.weight.grad.abs().sum() > 0
    assert model.backbone.proj.weight.grad.abs().sum() > 0
    assert model.heads['vtc'].frame_mlp[0].weight.grad is None


def test_loss_is_mil_nce_of_the_pair_scores(tiny_model_cfg, batch_factory):
    model = _model(tiny_model_cfg).eval()  # no dropout
    ctx = _context(model, batch_factory(b=3))
    with torch.no_grad():
        out = model.heads['xm'].loss(ctx)
    s = _all_scores(model, ctx).tolist()
    expected = sum(
        math.log(
            sum(math.exp(s[j][i]) for j in range(3)) +
            sum(math.exp(s[i][j]) for j in range(3) if j != i)) - s[i][i]
        for i in range(3)) / 3
    assert math.isclose(out['loss_xm'].item(), expected, rel_tol=1e-4)


def test_hard_negative_mask_is_top_k_per_row_and_column():
    head = CrossMatchingHead(hidden_size=8, negatives='hard', num_hard=1)
    sim = torch.tensor([[9.0, 5.0, 1.0, 0.0], [2.0, 9.0, 3.0, 8.0],
                        [7.0, 1.0, 9.0, 0.0], [0.0, 6.0, 5.5, 9.0]])
    mask = head.negative_mask(sim)
    picked = set(map(tuple, mask.nonzero().tolist()))
    rows = {(0, 1), (1, 3), (2, 0), (3, 1)}  # best other video per caption
    cols = {(2, 0), (3, 1), (3, 2), (1, 3)}  # best other caption per video
    assert picked == rows | cols
    # More negatives than the batch has: all of them, never the positive.
    head.num_hard = 10
    assert torch.equal(head.negative_mask(sim), ~torch.eye(4, dtype=bool))


def test_hard_scores_only_the_mined_pairs(tiny_model_cfg, batch_factory):
    model = _model(tiny_model_cfg, negatives='hard', num_hard=1).eval()
    ctx = _context(model, batch_factory(b=4))
    pairs = _record_pairs(ctx)
    with torch.no_grad():
        out = model.heads['xm'].loss(ctx)
    sim = ctx.local_similarity.masked_fill(
        torch.eye(4, dtype=bool), float('-inf'))
    expected = {(i, sim[i].argmax().item()) for i in range(4)}
    expected |= {(sim[:, j].argmax().item(), j) for j in range(4)}
    assert set(pairs) == expected and len(pairs) == len(expected)
    # The loss is MIL-NCE over the scored entries only.
    scored = torch.eye(4, dtype=bool)
    for i, j in expected:
        scored[i, j] = True
    s = _all_scores(model, ctx).masked_fill(~scored, float('-inf'))
    ref = mil_nce(s, s.t())
    assert torch.allclose(out['loss_xm'], ref['loss'], atol=1e-5)
    assert torch.allclose(out['xm_acc'], ref['acc'])


def test_batch_of_one_gives_a_zero_loss_with_a_graph(tiny_model_cfg,
                                                     batch_factory):
    model = _model(tiny_model_cfg, negatives='hard')
    calls = _count_passes(model)
    out = model.heads['xm'].loss(_context(model, batch_factory(b=1)))
    assert out['loss_xm'].item() == 0.0
    assert calls['fusion'] == [1]
    out['loss_xm'].backward()
    assert model.heads['xm'].mlp[2].weight.grad is not None


def test_score_pairs_shape_and_bad_options():
    head = CrossMatchingHead(hidden_size=8)
    assert head.score_pairs(torch.randn(5, 8)).shape == (5, )
    with pytest.raises(ValueError, match='negatives'):
        CrossMatchingHead(hidden_size=8, negatives='some')


def test_gradient_through_repeated_videos_is_bit_reproducible(
        tiny_model_cfg, batch_factory):
    # Every video sits in 15 of the 240 pairs. Summing their gradients must
    # not depend on thread timing (advanced indexing's CPU backward adds
    # repeated rows atomically, in whatever order two threads get there).
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        model = _model(tiny_model_cfg, negatives='all')
        ctx = _context(model, batch_factory(b=16, t=8))
        loss = model.heads['xm'].loss(ctx)['loss_xm']
        grads = [
            torch.autograd.grad(loss, ctx.frame_tokens, retain_graph=True)[0]
            for _ in range(30)
        ]
    finally:
        torch.set_num_threads(threads)
    assert all(torch.equal(grads[0], g) for g in grads[1:])


def test_captions_of_one_video_are_never_negatives():
    # Captions 0 and 1 describe one video: the dual encoder ranks that pair
    # highest, and the miner must pass over it.
    same = torch.zeros(4, 4, dtype=bool)
    same[0, 1] = same[1, 0] = True
    sim = torch.tensor([[9.0, 8.0, 1.0, 0.0], [8.5, 9.0, 3.0, 2.0],
                        [7.0, 1.0, 9.0, 0.0], [0.0, 6.0, 5.5, 9.0]])
    head = CrossMatchingHead(hidden_size=8, negatives='hard', num_hard=1)
    mask = head.negative_mask(sim, same)
    assert not (mask & same).any() and not mask.diagonal().any()
    assert mask[0, 2] and mask[1, 2]  # the next best videos instead
    head.num_hard = 10
    assert torch.equal(
        head.negative_mask(sim, same), ~(torch.eye(4, dtype=bool) | same))
    head = CrossMatchingHead(hidden_size=8, negatives='all')
    assert torch.equal(
        head.negative_mask(sim, same), ~(torch.eye(4, dtype=bool) | same))


def test_batch_video_uids_reach_the_miner(tiny_model_cfg, batch_factory):
    model = _model(tiny_model_cfg, negatives='all').eval()
    batch = batch_factory(b=3)
    batch['video_uid'] = torch.tensor([11, 11, 12])
    ctx = _context(model, batch)
    pairs = _record_pairs(ctx)
    with torch.no_grad():
        model.heads['xm'].loss(ctx)
    assert set(pairs) == {(0, 2), (1, 2), (2, 0), (2, 1)}
