# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from mmengine.hooks import Hook

from snps3.registry import HOOKS


@HOOKS.register_module()
class BadSampleCounterHook(Hook):
    """Put the number of skipped training samples into the training log.

    The datasets count the samples they had to replace (corrupt or missing
    videos, empty captions) in a counter shared with the loader workers; this
    hook publishes it as ``bad_samples`` beside the losses.
    """

    priority = 'LOW'

    def after_train_iter(self,
                         runner,
                         batch_idx,
                         data_batch=None,
                         outputs=None) -> None:
        dataset = runner.train_dataloader.dataset
        count = getattr(dataset, 'num_bad_samples', None)
        if count is not None:
            runner.message_hub.update_scalar('train/bad_samples', count)
