# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import math

import torch

from snps3.models.losses import mil_nce, mil_similarity

INF = float('-inf')


def _reference(scores, scored=None):
    """MIL-NCE by its formula, one term at a time, over scored entries."""
    b = len(scores)
    scored = scored or [[True] * b for _ in range(b)]
    total = 0.0
    for i in range(b):
        terms = [scores[j][i] for j in range(b) if scored[j][i]]
        terms += [scores[i][j] for j in range(b) if j != i and scored[i][j]]
        total += math.log(sum(math.exp(s) for s in terms)) - scores[i][i]
    return total / b


def test_mil_nce_known_answer_two_pairs():
    s = torch.tensor([[2.0, 0.0], [1.0, 3.0]])
    out = mil_nce(s, s.t())
    # l_0 = -log(e^2 / (e^2 + e^1 + e^0)): column 0 is (2, 1), row 0 off
    # the diagonal is (0,); l_1 likewise with column (0, 3) and row (1,).
    l0 = -math.log(math.e**2 / (math.e**2 + math.e + 1))
    l1 = -math.log(math.e**3 / (1 + math.e**3 + math.e))
    assert math.isclose(out['loss'].item(), (l0 + l1) / 2, rel_tol=1e-6)
    assert out['acc'].item() == 1.0


def test_mil_nce_matches_the_formula_on_a_random_matrix():
    torch.manual_seed(0)
    s = torch.randn(5, 5)
    out = mil_nce(s, s.t())
    assert math.isclose(
        out['loss'].item(), _reference(s.tolist()), rel_tol=1e-6)
    wins = [
        all(s[i, i] > s[i, j] for j in range(5) if j != i) for i in range(5)
    ]
    assert math.isclose(out['acc'].item(), sum(wins) / 5, rel_tol=1e-6)


def test_mil_nce_unscored_entries_leave_the_denominator():
    s = torch.tensor([[1.0, 2.0, 0.5], [0.3, 1.5, -1.0], [0.7, 0.2, 2.0]])
    scored = [[True, True, False], [False, True, False], [True, True, True]]
    masked = s.masked_fill(~torch.tensor(scored), INF)
    out = mil_nce(masked, masked.t())
    assert math.isclose(
        out['loss'].item(), _reference(s.tolist(), scored), rel_tol=1e-6)
    # Row 0 loses to its scored negative (2.0 > 1.0); row 1 has no
    # scored negative; row 2 wins against (0.7, 0.2).
    assert math.isclose(out['acc'].item(), 2 / 3, rel_tol=1e-6)


def test_mil_nce_local_rows_against_gathered_columns():
    torch.manual_seed(1)
    s = torch.randn(4, 4)
    full = mil_nce(s, s.t())['loss']
    # Rank r holds captions/videos 2r, 2r + 1: its rows of S and of S^T.
    halves = [mil_nce(s[r:r + 2], s.t()[r:r + 2], r)['loss'] for r in (0, 2)]
    assert torch.allclose(full, sum(halves) / 2, atol=1e-6)


def test_mil_nce_batch_of_one_is_zero_with_a_graph():
    s = torch.tensor([[1.7]], requires_grad=True)
    out = mil_nce(s, s.t())
    assert out['loss'].item() == 0.0 and out['acc'].item() == 1.0
    out['loss'].backward()
    assert s.grad is not None and s.grad.item() == 0.0


def test_lvwm_similarity_known_answer():
    words = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]])  # 1 caption, K = 2
    frames = torch.tensor([[[1.0, 0.0], [0.6, 0.8]]])  # 1 video, T = 2
    # <w_k, f_t>: (1, 0.6) for word 0, (0, 0.8) for word 1; at temperature
    # 0.5, logsumexp over all four pairs.
    expected = math.log(math.e**2 + math.e**1.2 + 1 + math.e**1.6)
    got = mil_similarity(words, frames, 0.5)
    assert got.shape == (1, 1)
    assert math.isclose(got.item(), expected, rel_tol=1e-6)


def test_lvwm_similarity_matches_loops_over_words_and_frames():
    torch.manual_seed(2)
    words = torch.randn(3, 2, 4)
    frames = torch.randn(5, 3, 4)
    got = mil_similarity(words, frames, 0.1)
    for i in range(3):
        for j in range(5):
            # S_ijt = logsumexp_k, then logsumexp over all frames t.
            per_frame = [
                torch.logsumexp(words[i] @ frames[j, t] / 0.1, 0)
                for t in range(3)
            ]
            assert torch.allclose(got[i, j],
                                  torch.logsumexp(torch.stack(per_frame), 0))
    # One word per caption is the plain (N, E) text-feature case.
    assert torch.allclose(
        mil_similarity(words[:, 0], frames, 0.1),
        mil_similarity(words[:, :1], frames, 0.1))
