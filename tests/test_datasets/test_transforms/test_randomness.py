# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import numpy as np
import torch

from snps3.datasets.transforms import RandomMLMMasking, TokenizeCaption

CAPTION = ' '.join(['red ball moves left'] * 7)


def draws(masker, n=20):
    base = TokenizeCaption(max_length=30)(dict(caption=CAPTION))
    return np.stack([masker(dict(base))['mlm_labels'] for _ in range(n)])


def test_unseeded_masks_follow_torch_seed():
    # The runner's randomness.seed seeds torch; a run must repeat its masks.
    torch.manual_seed(7)
    first = draws(RandomMLMMasking(mask_prob=0.15))
    torch.manual_seed(7)
    again = draws(RandomMLMMasking(mask_prob=0.15))
    torch.manual_seed(8)
    other = draws(RandomMLMMasking(mask_prob=0.15))
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_own_seed_ignores_torch_seed():
    torch.manual_seed(1)
    first = draws(RandomMLMMasking(mask_prob=0.15, seed=3))
    torch.manual_seed(2)
    again = draws(RandomMLMMasking(mask_prob=0.15, seed=3))
    assert np.array_equal(first, again)
