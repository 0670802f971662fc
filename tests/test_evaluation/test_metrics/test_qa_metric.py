# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import pytest

from snps3.evaluation.metrics import VideoQAAccuracy


def _evaluate(rows, **kwargs):
    metric = VideoQAAccuracy(**kwargs)
    metric.process(None, [
        dict(pred_label=p, answer_label=t, question_type=q) for p, t, q in rows
    ])
    return metric.evaluate(len(rows))


def test_accuracy_overall_and_per_type_by_hand():
    rows = [
        (0, 0, 'what'),  # right
        (1, 0, 'what'),  # wrong
        (2, 2, 'who'),  # right
        (5, 5, 'what'),  # right
        (3, 3, 'how'),  # right
    ]
    out = _evaluate(rows)
    assert out['qa/acc'] == pytest.approx(80.0)
    assert out['qa/acc/what'] == pytest.approx(200 / 3)
    assert out['qa/acc/who'] == 100.0
    assert out['qa/acc/how'] == 100.0
    assert out['qa/num_questions'] == 5


def test_answers_outside_the_vocabulary_count_as_wrong():
    # Label -1: not a class. Even a prediction of -1 (no model makes one)
    # must not count as right.
    out = _evaluate([(0, 0, 'colour'), (0, -1, 'colour'), (-1, -1, 'count'),
                     (4, 4, 'count')])
    assert out['qa/acc'] == 50.0
    assert out['qa/acc/colour'] == 50.0
    assert out['qa/acc/count'] == 50.0


def test_per_type_can_be_switched_off_and_prefix_changed():
    out = _evaluate([(1, 1, 'what'), (0, 1, 'who')],
                    per_type=False,
                    prefix='msrvtt_qa')
    assert out == {'msrvtt_qa/acc': 50.0, 'msrvtt_qa/num_questions': 2}
