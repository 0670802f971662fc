# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import pytest
import torch

from snps3.models import TubeMasking


def test_same_spatial_positions_at_every_time_step():
    mask = TubeMasking(ratio=0.9, seed=0)(4, (3, 4, 5), 'cpu')
    assert mask.shape == (4, 60) and mask.dtype == torch.bool
    per_time = mask.view(4, 3, 20)
    assert torch.equal(per_time[:, 0], per_time[:, 1])
    assert torch.equal(per_time[:, 0], per_time[:, 2])


@pytest.mark.parametrize('ratio,spatial,expected', [(0.9, 196, 176),
                                                    (0.9, 16, 14),
                                                    (0.75, 10, 8), (0.5, 9, 4),
                                                    (0.0, 9, 0), (0.99, 4, 3)])
def test_ratio_is_exact_and_one_tube_stays_visible(ratio, spatial, expected):
    mask = TubeMasking(ratio=ratio, seed=1)(8, (2, 1, spatial), 'cpu')
    assert (mask.view(8, 2, spatial)[:, 0].sum(dim=1) == expected).all()


def test_samples_differ_and_seeded_runs_repeat():
    first = TubeMasking(ratio=0.5, seed=3)(8, (1, 8, 8), 'cpu')
    assert len({tuple(row.tolist()) for row in first}) == 8
    again = TubeMasking(ratio=0.5, seed=3)(8, (1, 8, 8), 'cpu')
    assert torch.equal(first, again)
    other = TubeMasking(ratio=0.5, seed=4)(8, (1, 8, 8), 'cpu')
    assert not torch.equal(first, other)


def test_bad_ratio():
    with pytest.raises(ValueError, match='ratio'):
        TubeMasking(ratio=1.0)
