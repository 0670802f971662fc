# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from types import SimpleNamespace

import torch

from snps3.engine.hooks import RNGStateHook


def test_resume_continues_the_saved_stream():
    hook, checkpoint = RNGStateHook(), {}
    torch.manual_seed(0)
    torch.rand(3)
    hook.before_save_checkpoint(None, checkpoint)
    expected = torch.rand(4)  # what the uninterrupted run draws next

    torch.manual_seed(0)  # a new process reseeds at start-up
    hook.after_load_checkpoint(None, checkpoint)
    hook.before_train(SimpleNamespace(iter=3))
    assert torch.equal(torch.rand(4), expected)


def test_load_from_does_not_restore():
    hook, checkpoint = RNGStateHook(), {}
    torch.manual_seed(1)
    hook.before_save_checkpoint(None, checkpoint)
    torch.manual_seed(2)
    fresh = torch.rand(4)
    torch.manual_seed(2)
    # load_from: the weights of another run, training from iteration 0.
    hook.after_load_checkpoint(None, checkpoint)
    hook.before_train(SimpleNamespace(iter=0))
    assert torch.equal(torch.rand(4), fresh)
    hook.after_load_checkpoint(None, {})  # a checkpoint from before the hook
    hook.before_train(SimpleNamespace(iter=5))
