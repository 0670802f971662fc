# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import numpy as np
import pytest
import torch

from snps3.evaluation.metrics.retrieval import retrieval_ranks
from snps3.evaluation.scoring import exhaustive, rerank


def _problem(nt=7, nv=5, seed=0):
    rng = np.random.default_rng(seed)
    dual = rng.normal(size=(nt, nv))
    fusion = rng.normal(size=(nt, nv))
    calls = []

    def scorer(t, v):
        calls.append(len(t))
        return torch.as_tensor(fusion[t.numpy(), v.numpy()])

    return dual, fusion, scorer, calls


def _ranks(t2v, v2t, nt, nv):
    gt = [i % nv for i in range(nt)]
    v2t_gt = [[t for t in range(nt) if gt[t] == v] for v in range(nv)]
    return (retrieval_ranks(t2v, gt), retrieval_ranks(v2t, v2t_gt))


@pytest.mark.parametrize('dual_weight', [0.0, 0.7])
def test_rerank_with_k_at_gallery_size_equals_exhaustive(dual_weight):
    dual, fusion, scorer, _ = _problem()
    full = exhaustive(dual, scorer, batch_size=4, dual_weight=dual_weight)
    re = rerank(dual, scorer, k=7, batch_size=4, dual_weight=dual_weight)
    assert np.allclose(full['t2v'], fusion + dual_weight * dual)
    for a, b in zip(
            _ranks(full['t2v'], full['v2t'], 7, 5),
            _ranks(re['t2v'], re['v2t'], 7, 5)):
        assert np.array_equal(a, b)
    assert re['fusion_pairs'] == full['fusion_pairs'] == 35


def test_rerank_orders_top_k_by_fusion_and_the_rest_by_dual():
    dual, fusion, scorer, calls = _problem()
    out = rerank(dual, scorer, k=2, batch_size=3)
    for t in range(7):
        top = set(np.argsort(-dual[t])[:2])
        order = list(np.argsort(-out['t2v'][t]))
        assert set(order[:2]) == top
        assert order[:2] == sorted(top, key=lambda v: -fusion[t, v])
        rest = [v for v in np.argsort(-dual[t]) if v not in top]
        assert order[2:] == rest
    # Pairs are fused once even when both directions pick them.
    assert out['fusion_pairs'] <= 7 * 2 + 5 * 2
    assert sum(calls) == out['fusion_pairs']
    assert max(calls) <= 3


@pytest.mark.parametrize('k', [1, 3])
def test_v2t_direction_reranks_each_videos_top_texts(k):
    dual, fusion, scorer, _ = _problem(nt=6, nv=4, seed=1)
    out = rerank(dual, scorer, k=k)
    for v in range(4):
        top = list(np.argsort(-dual[:, v], kind='stable')[:k])
        order = list(np.argsort(-out['v2t'][v]))
        assert order[:k] == sorted(top, key=lambda t: -fusion[t, v])


def test_text_to_video_only_fuses_each_texts_top_k():
    # Sampled queries against a whole gallery: only t2v is re-ranked.
    dual, fusion, scorer, calls = _problem()
    out = rerank(dual, scorer, k=2, v2t=False)
    assert out['v2t'] is None
    assert out['fusion_pairs'] == sum(calls) == 7 * 2
    both = rerank(dual, scorer, k=2)
    assert np.array_equal(
        np.argsort(-out['t2v'], axis=1), np.argsort(-both['t2v'], axis=1))


def test_dual_weight_adds_the_dual_score_inside_the_top_k():
    dual, fusion, scorer, _ = _problem()
    out = rerank(dual, scorer, k=3, dual_weight=2.0)
    combined = fusion + 2.0 * dual
    for t in range(7):
        top = list(np.argsort(-dual[t])[:3])
        order = list(np.argsort(-out['t2v'][t]))
        assert order[:3] == sorted(top, key=lambda v: -combined[t, v])
    # A large weight hands the ranking back to the dual encoder.
    out = rerank(dual, scorer, k=3, dual_weight=1e6)
    assert np.array_equal(
        np.argsort(-out['t2v'], axis=1), np.argsort(-dual, axis=1))
