# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Tube masking: one random spatial mask, repeated over time.

It lives in the model rather than in the data pipeline: the mask is over
the token grid, which depends on the crop size and the backbone's tube
size, both known to the model; drawing it on the device also keeps the
SNP-S3 and SimVTP data pipelines identical, so one dataset config serves
both recipes.
"""
from typing import Optional, Tuple

import torch
import torch.nn as nn

from snps3.registry import MODELS


@MODELS.register_module()
class TubeMasking(nn.Module):
    """Draw per-sample tube masks at an exact ratio.

    Each sample gets its own random set of ``round(ratio * h * w)`` masked
    spatial positions (at least one stays visible), the same at every time
    step: a masked tube hides a location for the whole clip, so the model
    cannot copy it from a neighbouring frame.

    Args:
        ratio (float): Fraction of spatial positions masked, in [0, 1).
        seed (int, optional): Seed of the module's own generator, offset by
            the distributed rank; ``None`` draws from torch's global
            generator (which the runner seeds).
    """

    def __init__(self, ratio: float = 0.9, seed: Optional[int] = None) -> None:
        super().__init__()
        if not 0.0 <= ratio < 1.0:
            raise ValueError(f'tube mask ratio must be in [0, 1), got {ratio}')
        self.ratio = ratio
        self.seed = seed
        self._generator: Optional[torch.Generator] = None

    def num_masked(self, spatial: int) -> int:
        """Masked positions out of ``spatial``; one always stays visible."""
        return min(int(round(self.ratio * spatial)), spatial - 1)

    def _noise(self, batch_size: int, spatial: int) -> torch.Tensor:
        if self.seed is None:
            return torch.rand(batch_size, spatial)
        if self._generator is None:
            from mmengine.dist import get_rank
            self._generator = torch.Generator().manual_seed(self.seed +
                                                            get_rank())
        return torch.rand(batch_size, spatial, generator=self._generator)

    def forward(self, batch_size: int, grid: Tuple[int, int, int],
                device: torch.device) -> torch.Tensor:
        """Masks for a batch.

        Args:
            batch_size (int): B.
            grid (tuple): (t, h, w) tube grid of the clips.
            device: Where the mask goes.

        Returns:
            Tensor: (B, t * h * w) bool, True for masked tubes, in the
            grid's flattened (t, h, w) order.
        """
        t, h, w = grid
        spatial = h * w
        # Drawn on the CPU so a seeded run gives the same masks on any
        # device; the mask is tiny.
        order = self._noise(batch_size, spatial).argsort(dim=1)
        masked = torch.zeros(batch_size, spatial, dtype=torch.bool)
        masked.scatter_(1, order[:, :self.num_masked(spatial)], True)
        return masked.repeat(1, t).to(device)
