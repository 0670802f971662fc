# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from contextlib import contextmanager

import torch
from mmengine.optim import OptimWrapper

from snps3.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class BF16AutocastOptimWrapper(OptimWrapper):
    """Run the forward pass under bf16 autocast, on CPU or GPU.

    MMEngine's ``AmpOptimWrapper`` refuses to run without an accelerator, yet
    CPUs with AMX (and every recent GPU) multiply bf16 matrices several times
    faster than fp32. bf16 keeps fp32's exponent range, so no loss scaling is
    needed; the master weights and optimizer state stay fp32.
    """

    @contextmanager
    def optim_context(self, model: torch.nn.Module):
        device = 'cuda' if torch.cuda.is_available() else 'cpu'
        with super().optim_context(model), torch.autocast(
                device_type=device, dtype=torch.bfloat16):
            yield
