# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Known-answer tests of the retrieval ranks and metrics."""
import numpy as np
import pytest
import torch

from snps3.evaluation.metrics.retrieval import (
    RetrievalMetric,
    retrieval_metrics,
    retrieval_ranks,
)
from snps3.registry import METRICS

# 4 queries x 4 gallery items, worked out by hand:
# q0: gt {0} at 0.9, item 2 ties at 0.9 -> tie counts against: rank 2
# q1: gt {1, 3} both at 0.8, no other item >= 0.8 -> rank 1 (a ground
#     truth tied with another ground truth does not count)
# q2: gt {2} at 0.5, items 0 (0.7) and 1 (0.6) above -> rank 3
# q3: all 0.3, gt {0, 3}; non-gt items 1, 2 tie -> rank 3
SCORES = np.array([[0.9, 0.5, 0.9, 0.1], [0.2, 0.8, 0.3, 0.8],
                   [0.7, 0.6, 0.5, 0.4], [0.3, 0.3, 0.3, 0.3]])
GT = [{0}, {1, 3}, {2}, {0, 3}]
RANKS = [2, 1, 3, 3]


def test_ranks_known_answer():
    ranks = retrieval_ranks(SCORES, GT)
    assert ranks.dtype == np.int64
    assert ranks.tolist() == RANKS


def test_ranks_input_forms():
    gt_matrix = np.zeros((4, 4), dtype=bool)
    for query, items in enumerate(GT):
        gt_matrix[query, list(items)] = True
    assert retrieval_ranks(SCORES, gt_matrix).tolist() == RANKS
    assert retrieval_ranks(torch.tensor(SCORES), GT).tolist() == RANKS
    assert retrieval_ranks(SCORES, [[0], [1, 3], [2], (0, 3)]).tolist() == \
        RANKS
    # Plain ints for single ground truths.
    assert retrieval_ranks(SCORES[:1], [0]).tolist() == [2]


def test_ranks_best_ground_truth_wins():
    # gt {1, 2}: item 1 (0.9) has only non-gt item 3 (0.95) above it ->
    # 2; item 2 (0.5) has items 3 and 4 above -> 3; the query takes the min.
    # The other ground truth never counts against either.
    scores = np.array([[0.1, 0.9, 0.5, 0.95, 0.7]])
    assert retrieval_ranks(scores, [{1, 2}]).tolist() == [2]
    assert retrieval_ranks(scores, [{2}]).tolist() == [4]  # 0.9 counts now
    assert retrieval_ranks(scores, [{0}]).tolist() == [5]


def test_ranks_perfect_reversed_and_constant():
    n = 12
    assert retrieval_ranks(np.eye(n), list(range(n))).tolist() == [1] * n
    assert retrieval_ranks(-np.eye(n), list(range(n))).tolist() == [n] * n
    # All ties: pessimistic, so the worst rank, not the best.
    assert retrieval_ranks(np.zeros((n, n)), list(range(n))).tolist() == \
        [n] * n


def test_ranks_errors():
    with pytest.raises(ValueError, match='NaN'):
        retrieval_ranks(np.array([[np.nan, 0.0]]), [0])
    with pytest.raises(ValueError, match='no ground truth'):
        retrieval_ranks(np.zeros((2, 2)), [{0}, set()])
    with pytest.raises(ValueError, match='outside the gallery'):
        retrieval_ranks(np.zeros((1, 2)), [2])
    with pytest.raises(ValueError):
        retrieval_ranks(np.zeros((2, 2)), [0])  # one gt for two queries
    with pytest.raises(ValueError):
        retrieval_ranks(np.zeros(3), [0])
    with pytest.raises(ValueError):
        retrieval_ranks(np.zeros((2, 2)), np.zeros((2, 3), dtype=bool))


def test_retrieval_metrics_known_answer():
    metrics = retrieval_metrics(np.array(RANKS), 't2v')
    assert metrics == {
        't2v/R@1': 25.0,
        't2v/R@5': 100.0,
        't2v/R@10': 100.0,
        't2v/MdR': 2.5,  # median of 1, 2, 3, 3
        't2v/MnR': 2.25,  # 9 / 4
    }
    metrics = retrieval_metrics([1, 5, 6, 10, 11])
    assert metrics['R@1'] == 20.0
    assert metrics['R@5'] == 40.0
    assert metrics['R@10'] == 80.0
    assert metrics['MdR'] == 6.0
    assert metrics['MnR'] == 6.6
    with pytest.raises(ValueError):
        retrieval_metrics([])


def evaluate(scores, text_video_ids, **kwargs):
    metric = RetrievalMetric(**kwargs)
    metric.process(None, [dict(scores=scores, text_video_ids=text_video_ids)])
    return metric.evaluate(size=1)


def test_metric_known_answer():
    # 4 texts, 3 videos; text 3 describes videos 1 and 2.
    scores = np.array([[0.9, 0.1, 0.2], [0.4, 0.4, 0.3], [0.1, 0.2, 0.8],
                       [0.5, 0.3, 0.3]])
    ids = [0, 0, 1, {1, 2}]
    metrics = evaluate(scores, ids, prefix='ret')
    # t2v ranks by hand: t0 1; t1 2 (tie with v1); t2 2 (v2 above);
    # t3 2 (best gt 0.3, v0 0.5 above).
    assert metrics['ret/t2v/R@1'] == pytest.approx(25.0)
    assert metrics['ret/t2v/R@5'] == pytest.approx(100.0)
    assert metrics['ret/t2v/MdR'] == pytest.approx(2.0)
    assert metrics['ret/t2v/MnR'] == pytest.approx(1.75)
    # chance: mean(1/3, 1/3, 1/3, 2/3) = 5/12
    assert metrics['ret/t2v/R@1_chance'] == pytest.approx(100 * 5 / 12)
    assert metrics['ret/t2v/num_queries'] == 4
    # v2t (queries = videos, gallery = texts):
    # v0 gt {t0, t1}: best 0.9, nothing above -> 1
    # v1 gt {t2, t3}: best 0.3, t1 (0.4) above -> 2
    # v2 gt {t3}: 0.3, t1 ties (0.3) and t2 (0.8) above -> 3
    assert metrics['ret/v2t/R@1'] == pytest.approx(100 / 3)
    assert metrics['ret/v2t/R@5'] == pytest.approx(100.0)
    assert metrics['ret/v2t/MdR'] == pytest.approx(2.0)
    assert metrics['ret/v2t/MnR'] == pytest.approx(2.0)
    # chance: mean(2/4, 2/4, 1/4) = 5/12
    assert metrics['ret/v2t/R@1_chance'] == pytest.approx(100 * 5 / 12)
    assert metrics['ret/v2t/num_queries'] == 3


def test_metric_perfect_and_reversed():
    n = 12
    metrics = evaluate(torch.eye(n), list(range(n)))
    for direction in ('t2v', 'v2t'):
        assert metrics[f'retrieval/{direction}/R@1'] == 100.0
        assert metrics[f'retrieval/{direction}/MdR'] == 1.0
        assert metrics[f'retrieval/{direction}/R@1_chance'] == \
            pytest.approx(100 / n)
    metrics = evaluate(-torch.eye(n), list(range(n)))
    for direction in ('t2v', 'v2t'):
        assert metrics[f'retrieval/{direction}/R@1'] == 0.0
        assert metrics[f'retrieval/{direction}/R@5'] == 0.0
        assert metrics[f'retrieval/{direction}/R@10'] == 0.0
        assert metrics[f'retrieval/{direction}/MdR'] == float(n)
        assert metrics[f'retrieval/{direction}/MnR'] == float(n)


def test_metric_video_without_text_and_protocol():
    # Video 2 has no caption: it cannot be a v2t query.
    scores = np.array([[0.9, 0.1, 0.5], [0.2, 0.8, 0.1]])
    metric = METRICS.build(dict(type='RetrievalMetric'))
    metric.process(None, [
        dict(
            scores=scores,
            text_video_ids=[0, 1],
            protocol=dict(split='1k-A', frames='12'))
    ])
    metrics = metric.evaluate(size=1)
    assert metrics['retrieval/v2t/num_queries'] == 2
    assert metrics['retrieval/v2t/R@1'] == 100.0
    assert metrics['retrieval/t2v/R@1_chance'] == pytest.approx(100 / 3)
    assert metrics['retrieval/v2t/R@1_chance'] == pytest.approx(50.0)
    assert metrics['retrieval/protocol/split'] == '1k-A'
    assert metrics['retrieval/protocol/frames'] == '12'


def test_metric_rejects_bad_input():
    metric = RetrievalMetric()
    with pytest.raises(ValueError, match='do not match'):
        metric.process(None,
                       [dict(scores=np.zeros((3, 2)), text_video_ids=[0, 1])])
    scores = dict(scores=np.eye(2), text_video_ids=[0, 1])
    metric.process(None, [scores, scores])
    with pytest.raises(ValueError, match='called once'):
        metric.compute_metrics(metric.results)


def test_recall_at_k_chance_known_answers():
    from snps3.evaluation.metrics.retrieval import recall_at_k_chance
    # One ground truth: K / N.
    assert recall_at_k_chance(np.array([1]), 100, 5) == pytest.approx(5.0)
    # Two of four, top 2: 1 - C(2,2)/C(4,2) = 1 - 1/6.
    assert recall_at_k_chance(np.array([2]), 4,
                              2) == pytest.approx(100 * 5 / 6)
    # K at least the gallery: always a hit.
    assert recall_at_k_chance(np.array([1, 3]), 4, 10) == pytest.approx(100)
