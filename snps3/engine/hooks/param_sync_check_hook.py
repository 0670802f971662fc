# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import hashlib

import torch
from mmengine.dist import all_gather_object, get_world_size
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from snps3.registry import HOOKS


def parameter_digest(model: torch.nn.Module) -> str:
    """SHA-1 of all parameters' bytes, in ``named_parameters`` order."""
    sha = hashlib.sha1()
    for name, param in model.named_parameters():
        sha.update(name.encode())
        sha.update(param.detach().float().cpu().numpy().tobytes())
    return sha.hexdigest()


@HOOKS.register_module()
class ParamSyncCheckHook(Hook):
    """Check that every rank holds the same parameters.

    Data-parallel training keeps replicas identical only if every gradient is
    reduced; a parameter outside DDP's reach (or a rank-dependent update)
    makes them drift silently. This hook compares parameter digests across
    ranks every ``interval`` iterations (0: at the end only) and fails loudly
    on a mismatch.
    """

    priority = 'VERY_LOW'

    def __init__(self, interval: int = 0) -> None:
        self.interval = interval

    def _check(self, runner) -> None:
        if get_world_size() == 1:
            return
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        digests = all_gather_object(parameter_digest(model))
        if len(set(digests)) != 1:
            raise RuntimeError(
                f'parameters differ across ranks at iteration {runner.iter}:'
                f' {digests}')
        runner.logger.info(f'parameters identical on all {len(digests)} '
                           f'ranks (sha1 {digests[0][:12]})')

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None) -> None:
        if self.interval and self.every_n_train_iters(runner, self.interval):
            self._check(runner)

    def after_train(self, runner) -> None:
        self._check(runner)
