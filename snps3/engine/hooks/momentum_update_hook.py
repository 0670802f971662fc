# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapperDict

from snps3.registry import HOOKS


def optimizer_stepped(optim_wrapper) -> bool:
    """Whether the iteration that just ended stepped the optimiser.

    MMEngine's ``OptimWrapper.update_params`` steps when ``should_update()``
    holds, after ``backward`` has counted the iteration, so the same call
    read after the iteration answers for it (with gradient accumulation,
    only every ``accumulative_counts``-th iteration, and the last one).
    """
    if isinstance(optim_wrapper, OptimWrapperDict):
        return any(optimizer_stepped(w) for w in optim_wrapper.values())
    should_update = getattr(optim_wrapper, 'should_update', None)
    return True if should_update is None else bool(should_update())


@HOOKS.register_module()
class MomentumUpdateHook(Hook):
    """EMA step of the model's momentum branch after each optimiser step.

    A model with a momentum branch (VTC with a MoCo queue, see
    :class:`~snps3.models.VideoTextPretrainer`) moves it towards the online
    weights with ``model.momentum_update()``. A hook rather than the start
    of the next ``loss()`` call, because with gradient accumulation a loss
    call is a micro-batch, not a step: the EMA must follow optimiser steps,
    and only the optimiser wrapper knows which iterations stepped.

    Runs after ``train_step`` (which stepped) and before the checkpoint hook
    (priority ``VERY_LOW``), so a checkpoint holds the branch of its
    iteration and a resumed run neither repeats nor skips an update. A
    model without a branch makes the hook a no-op.
    """

    priority = 'NORMAL'

    @staticmethod
    def _model(runner):
        model = runner.model
        return model.module if is_model_wrapper(model) else model

    def before_train(self, runner) -> None:
        model = self._model(runner)
        if getattr(model, 'momentum_model', None) is None:
            runner.logger.info('MomentumUpdateHook: the model has no '
                               'momentum branch; nothing to update')
            return
        # Tells the model its branch is looked after (it warns otherwise).
        model.momentum_hook_attached = True

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        model = self._model(runner)
        if getattr(model, 'momentum_model', None) is None:
            return
        if optimizer_stepped(runner.optim_wrapper):
            model.momentum_update()
