# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Distributed helpers that the losses share.

Contrastive losses need every rank's features as negatives *and* need the
gradient of those features to flow back to the rank that produced them.
``torch.distributed.all_gather`` drops that gradient, so the gather here is a
differentiable one: the backward pass sums the incoming gradients over ranks
and hands each rank the slice of its own features.
"""
from typing import Tuple

import torch
import torch.distributed as dist


def dist_ready() -> bool:
    return dist.is_available() and dist.is_initialized() \
        and dist.get_world_size() > 1


class _GatherWithGrad(torch.autograd.Function):

    @staticmethod
    def forward(ctx, tensor: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        out = [torch.empty_like(tensor) for _ in range(dist.get_world_size())]
        dist.all_gather(out, tensor.contiguous())
        return tuple(out)

    @staticmethod
    def backward(ctx, *grads: torch.Tensor) -> torch.Tensor:
        grads = torch.stack(grads)
        # Each rank's loss depends on every rank's features: sum the
        # gradients from all ranks before keeping our own slice.
        dist.all_reduce(grads)
        return grads[dist.get_rank()]


def gather_with_grad(tensor: torch.Tensor) -> torch.Tensor:
    """Concatenate ``tensor`` (B, ...) from all ranks along dim 0.

    The result is (world_size * B, ...), in rank order, and gradients reach
    each rank's own features. Without a process group it returns ``tensor``.
    All ranks must pass the same ``B``.
    """
    if not dist_ready():
        return tensor
    return torch.cat(_GatherWithGrad.apply(tensor), dim=0)


def rank_offset(batch_size: int) -> int:
    """Index of this rank's first sample in a gathered batch."""
    return dist.get_rank() * batch_size if dist_ready() else 0
