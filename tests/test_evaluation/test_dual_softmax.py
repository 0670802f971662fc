# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Dual softmax: known answers, its metric keys, and where it is refused."""
import math

import numpy as np
import pytest

from snps3.engine.loops import RetrievalTestLoop
from snps3.evaluation.metrics.retrieval import RetrievalMetric
from snps3.evaluation.scoring import dual_softmax
from snps3.utils.errors import ConfigError

# Video 0 is a hub: every text scores it high, so plain t2v misses texts 1
# and 2 (0.8 > 0.7). Over the texts, video 1 clearly prefers text 1 and
# video 2 text 2, which the dual softmax prior brings out.
HUB = np.array([[0.9, 0.1, 0.1], [0.8, 0.7, 0.1], [0.8, 0.1, 0.7]])


def test_known_answer():
    scores = np.array([[1.0, 0.0], [0.5, 0.5]])
    out = dual_softmax(scores, temperature=1.0)
    p = 1 / (1 + math.exp(-0.5))  # softmax of (1, 0.5) and of (0.5, 0)
    np.testing.assert_allclose(out, [[1.0 * p, 0.0], [0.5 * (1 - p), 0.5 * p]])


def test_hub_example_by_hand():
    out = dual_softmax(HUB, temperature=0.1)
    # Column 0: logits (9, 8, 8) -> priors e/(e+2), 1/(e+2), 1/(e+2).
    e = math.e
    np.testing.assert_allclose(
        out[:, 0], [0.9 * e / (e + 2), 0.8 / (e + 2), 0.8 / (e + 2)])
    # Column 1: logits (1, 7, 1) -> text 1's prior e^6 / (e^6 + 2).
    assert out[1, 1] == pytest.approx(0.7 * e**6 / (e**6 + 2))
    assert (out.argmax(axis=1) == [0, 1, 2]).all()
    assert (HUB.argmax(axis=1) == [0, 0, 0]).all()


def test_large_scores_do_not_overflow():
    out = dual_softmax(np.array([[500.0, 1.0], [499.0, 2.0]]), 0.01)
    assert np.isfinite(out).all()


def test_metric_keys_name_the_variant():
    metric = RetrievalMetric()
    metric.process(None, [
        dict(
            scores=HUB,
            text_video_ids=[0, 1, 2],
            variants=dict(
                dsl=dict(
                    scores=dual_softmax(HUB, 0.1),
                    v2t_scores=dual_softmax(HUB.T, 0.1))),
            protocol=dict(dsl_temperature=0.1))
    ])
    metrics = metric.evaluate(1)
    assert metrics['retrieval/t2v/R@1'] == pytest.approx(100 / 3)
    assert metrics['retrieval/t2v_dsl/R@1'] == pytest.approx(100.0)
    assert metrics['retrieval/t2v_dsl/MnR'] == pytest.approx(1.0)
    # v2t of the hub: video 0 ranks text 0 first either way.
    assert 'retrieval/v2t_dsl/R@1' in metrics
    assert metrics['retrieval/protocol/dsl_temperature'] == 0.1


def test_plain_metric_has_no_dsl_keys():
    metric = RetrievalMetric()
    metric.process(None, [dict(scores=HUB, text_video_ids=[0, 1, 2])])
    assert not any('dsl' in k for k in metric.evaluate(1))


@pytest.mark.parametrize('scoring, message', [
    (dict(mode='rerank', k=2, head='xm',
          dual_softmax=dict(temperature=0.1)), 'rerank'),
    (dict(mode='dual', dual_softmax=dict()), 'temperature'),
    (dict(mode='rerank', k=2, head='xm', topk=4), r"\['topk'\]"),
])
def test_loop_refuses_bad_scoring(scoring, message):
    loop = object.__new__(RetrievalTestLoop)  # only the config check
    with pytest.raises(ConfigError, match=message):
        loop._init_scoring(scoring)
