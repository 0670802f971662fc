# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Dropout with a cheaper random mask on CPU.

``F.dropout`` on CPU draws one Bernoulli sample per element, which costs
about ten times the multiply it guards; in a BERT-base encoder's bf16
forward + backward on a 2-core CPU those draws took ~13% of the time
(``torch.profiler``). Here
the mask comes from random 64-bit words cut into four 16-bit draws each,
compared with a threshold: the same keep probability (to 1/65536), the
same scaling by 1 / (1 - p), from torch's default generator (so
``torch.manual_seed`` reproduces it and gradient checkpointing recomputes
the same mask), at about half the cost of forward and backward together.
On other devices, under ``torch.compile`` and where ``p`` is 0 or 1 it is
``nn.Dropout``.
"""
import torch
import torch.nn as nn

_LEVELS = 1 << 16  # values of a 16-bit draw


def cpu_dropout(x: torch.Tensor, p: float) -> torch.Tensor:
    """Zero each element with probability ``p`` and scale the rest."""
    n = x.numel()
    words = torch.empty((n + 3) // 4, dtype=torch.int64)
    words.random_(-2**63, None)  # all 64 bits random
    draws = words.view(torch.int16)[:n].view(x.shape)
    drop = draws < round(p * _LEVELS) - _LEVELS // 2
    return x.masked_fill(drop, 0).mul_(1 / (1 - p))


class FastDropout(nn.Dropout):
    """``nn.Dropout`` whose CPU training path draws its mask cheaply."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if (self.training and x.device.type == 'cpu' and 0 < self.p < 1
                and not self.inplace and not torch.compiler.is_compiling()):
            return cpu_dropout(x, self.p)
        return super().forward(x)


def use_fast_dropout(module: nn.Module) -> int:
    """Swap every plain ``nn.Dropout`` inside ``module``; returns how many.

    The swap keeps ``p`` and holds no state, so checkpoints do not change.
    """
    swapped = 0
    for parent in list(module.modules()):
        for name, child in parent.named_children():
            if type(child) is nn.Dropout:
                fast = FastDropout(child.p, child.inplace)
                setattr(parent, name, fast.train(child.training))
                swapped += 1
    return swapped
