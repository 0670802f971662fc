# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import pytest
import torch

from snps3.evaluation.metrics import MultipleChoiceAccuracy
from snps3.evaluation.metrics.multiple_choice import multiple_choice_correct


def test_correct_needs_a_strict_win():
    assert multiple_choice_correct([0.1, 0.9, 0.3], 1)
    assert not multiple_choice_correct([0.9, 0.1, 0.3], 1)
    # A tie at the top is wrong, whichever option comes first.
    assert not multiple_choice_correct([0.5, 0.5, 0.1], 0)
    assert not multiple_choice_correct([0.5, 0.5, 0.1], 1)
    # A tie below the top does not matter.
    assert multiple_choice_correct([0.9, 0.5, 0.5], 0)
    with pytest.raises(ValueError, match='option index'):
        multiple_choice_correct([0.1, 0.2], 2)


def test_accuracy_by_hand():
    metric = MultipleChoiceAccuracy()
    metric.process(
        None,
        [
            dict(
                pred_scores=torch.tensor([0.1, 2.0, 0.0, 0.0, 0.0]), answer=1),
            dict(
                pred_scores=torch.tensor([3.0, 2.0, 0.0, 0.0, 0.0]), answer=1),
            dict(pred_scores=torch.zeros(5), answer=2),  # all tied: wrong
            dict(pred_scores=[0.0, 0.0, 0.0, 0.0, -1.0, 7.0], answer=5),
        ])
    out = metric.evaluate(4)
    assert out['mc/acc'] == 50.0
    assert out['mc/acc_chance'] == pytest.approx(100 * (3 / 5 + 1 / 6) / 4)
    assert out['mc/num_questions'] == 4
