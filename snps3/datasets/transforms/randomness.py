# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import os
from typing import Optional

import numpy as np


def torch_worker_seed() -> int:
    """The data-loader worker's torch seed, 0 outside a worker."""
    from torch.utils.data import get_worker_info
    info = get_worker_info()
    return 0 if info is None else int(info.seed) % (1 << 63)


class ProcessRandomMixin:
    """A random generator per process, for transforms that draw.

    A generator made in ``__init__`` would be copied into every data-loader
    worker, and again into every epoch's new workers, so all of them would
    draw the same masks. Each process makes its own on first use instead,
    from the distributed rank and, without ``self.seed``, the process's torch
    seed: the runner's ``randomness.seed`` in the main process, and in a
    worker the seed torch draws for it from there (different per worker and
    epoch), so a seeded run reproduces its masks and an unseeded one (torch
    starts from fresh entropy) does not repeat them. With ``self.seed`` the
    transform's own seed replaces the main process's, mixed with torch's
    per-worker seed.
    """

    seed: Optional[int] = None
    _rng: Optional[np.random.Generator] = None
    _rng_pid: Optional[int] = None

    @property
    def rng(self) -> np.random.Generator:
        if self._rng is None or self._rng_pid != os.getpid():
            from mmengine.dist import get_rank
            if self.seed is None:
                import torch
                entropy = [torch.initial_seed(), get_rank()]
            else:
                entropy = [self.seed, get_rank(), torch_worker_seed()]
            self._rng = np.random.default_rng(entropy)
            self._rng_pid = os.getpid()
        return self._rng

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state['_rng'] = None
        return state
