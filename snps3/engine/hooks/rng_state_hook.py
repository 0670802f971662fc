# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log

from snps3.registry import HOOKS


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Keeps torch's random state in checkpoints, so a resumed run continues
    the interrupted one draw for draw.

    MMEngine restores weights, optimiser, schedulers and the data order, but
    reseeds torch at start-up, so after a resume dropout, negative sampling
    and tube masks would draw from the start of the stream again. The state
    is saved at each checkpoint and put back when training starts from a
    resumed iteration (not for ``load_from``, which starts at iteration 0).

    Only torch's generators travel: NumPy and Python's draw the data
    transforms, which run in the loader's workers (seeded per worker and
    replayed by MMEngine's advance over the trained batches), or with
    ``num_workers=0`` in this process, where that replay restores them.
    The checkpoint holds rank 0's state, which every rank shares when all
    ranks were seeded alike (MMEngine's default, ``diff_rank_seed=False``).
    """

    priority = 'VERY_LOW'  # beside CheckpointHook, after the iteration's work

    def __init__(self) -> None:
        self._loaded: Optional[dict] = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        state = dict(cpu=torch.get_rng_state())
        if torch.cuda.is_available() and torch.cuda.is_initialized():
            state['cuda'] = torch.cuda.get_rng_state()
        checkpoint['rng_state'] = state

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self._loaded = checkpoint.get('rng_state')

    def before_train(self, runner) -> None:
        state, self._loaded = self._loaded, None
        if state is None or runner.iter == 0:
            return
        torch.set_rng_state(state['cpu'])
        if 'cuda' in state and torch.cuda.is_available():
            torch.cuda.set_rng_state(state['cuda'])
        print_log(
            f'restored the random state of iteration {runner.iter}',
            logger='current')
