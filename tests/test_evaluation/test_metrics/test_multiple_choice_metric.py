# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import pytest
import torch

from snps3.evaluation.metrics import MultipleChoiceAccuracy
from snps3.evaluation.metrics.multiple_choice import (
    multiple_choice_correct,
    pairwise_wins,
)


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
    # Wrong options beaten: 4 of 4, 3 of 4 (3.0 wins), 0 of 4 (ties lose),
    # 5 of 5.
    assert out['mc/pairwise/acc'] == pytest.approx(100 * 12 / 17)
    assert out['mc/pairwise/acc_chance'] == 50.0


def test_pairwise_wins_count_strict_wins_only():
    assert pairwise_wins([0.1, 0.9, 0.3], 1) == 2
    assert pairwise_wins([0.5, 0.5, 0.1], 0) == 1
    assert pairwise_wins([0.0, 0.0, 0.0], 2) == 0


def test_one_word_edits_put_a_coin_flipping_scorer_far_below_one_in_k():
    # A scorer that adds an independent random preference per edited word
    # (what an untrained model of one-word distractors looks like): the
    # right option wins half its pairs but is top only (1/2)^4 of the time.
    gen = torch.Generator().manual_seed(0)
    metric = MultipleChoiceAccuracy()
    n = 4000
    deltas = torch.randn(n, 4, generator=gen)
    samples = [
        dict(pred_scores=torch.cat([torch.zeros(1), d]), answer=0)
        for d in deltas
    ]
    metric.process(None, samples)
    out = metric.evaluate(n)
    assert out['mc/acc'] == pytest.approx(100 / 16, abs=1.5)
    assert out['mc/pairwise/acc'] == pytest.approx(50, abs=2)
    assert out['mc/acc_chance'] == pytest.approx(20)
