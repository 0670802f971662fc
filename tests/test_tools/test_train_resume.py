# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""A run killed mid-training resumes from its last checkpoint."""
import textwrap

import torch
from snps3_test_helpers import (
    TINY_CONFIG,
    data_root_options,
    derived_config,
    run_tool,
)

CRASH_PLUGIN = '''
import os
from mmengine.hooks import Hook
from snps3.registry import HOOKS


@HOOKS.register_module()
class HardKillAfterIterHook(Hook):
    """Die like a killed process (no cleanup) once iteration N is done."""

    priority = 'LOWEST'  # after the checkpoint hook has saved

    def __init__(self, iteration):
        self.iteration = iteration

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter + 1 == self.iteration:
            os._exit(137)
'''


def _load(path):
    from mmengine.runner.checkpoint import CheckpointLoader

    import snps3.utils.compat  # noqa: F401  (safe loading of our files)
    return CheckpointLoader.load_checkpoint(str(path), map_location='cpu')


def _adam_steps(ckpt):
    return {int(s['step']) for s in ckpt['optimizer']['state'].values()}


def test_killed_run_resumes_at_the_right_iteration(tmp_path, tiny_corpus):
    (tmp_path / 'crash_plugin.py').write_text(textwrap.dedent(CRASH_PLUGIN))
    crashing = derived_config(
        tmp_path,
        textwrap.dedent('''
        custom_imports = dict(imports=['crash_plugin'])
        custom_hooks = [dict(type='HardKillAfterIterHook', iteration=4)]
        '''))
    opts = data_root_options(tiny_corpus)
    killed = run_tool([
        'tools/train.py', crashing, '--work-dir', tmp_path / 'killed',
        '--cfg-options', *opts
    ],
                      env=dict(PYTHONPATH=str(tmp_path)),
                      check=False)
    assert killed.returncode == 137, killed.stderr[-2000:]
    work = tmp_path / 'killed'
    assert (work / 'iter_4.pth').exists()
    assert not (work / 'iter_6.pth').exists()

    resumed = run_tool([
        'tools/train.py', TINY_CONFIG, '--work-dir', work, '--resume',
        '--cfg-options', *opts
    ])
    assert 'resumed epoch: 0, iter: 4' in resumed.stdout + resumed.stderr
    final = _load(work / 'iter_6.pth')
    assert final['meta']['iter'] == 6
    # Optimizer state carried over: Adam has taken 6 steps, not 2.
    assert _adam_steps(final) == {6}

    straight = run_tool([
        'tools/train.py', TINY_CONFIG, '--work-dir', tmp_path / 'straight',
        '--cfg-options', *opts
    ])
    assert straight.returncode == 0
    ref = _load(tmp_path / 'straight' / 'iter_6.pth')
    # Scheduler state restored: the learning rate follows the same schedule.
    assert final['param_schedulers'] == ref['param_schedulers']
    lr = [g['lr'] for g in final['optimizer']['param_groups']]
    assert lr == [g['lr'] for g in ref['optimizer']['param_groups']]
    # Random state restored too (RNGStateHook): the resumed run's dropout
    # and sampling continue the killed run's, so it ends on the same weights.
    assert final['state_dict'].keys() == ref['state_dict'].keys()
    for key, value in ref['state_dict'].items():
        assert torch.equal(final['state_dict'][key], value), key
