# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Catch config mistakes the Runner would ignore or never return from."""
import difflib
import inspect
import os.path as osp
from typing import Optional

from mmengine.config import Config
from mmengine.runner import Runner

from snps3.utils.errors import ConfigError

#: Top-level keys the Runner reads (its ``__init__`` arguments) and the
#: ones MMEngine's tools read from the config.
RUNNER_KEYS = frozenset(
    set(inspect.signature(Runner.__init__).parameters) - {'self', 'cfg'}
    | {
        'runner_type', 'launcher', 'work_dir', 'model_wrapper_cfg',
        'find_unused_parameters', 'sync_bn'
    })


def check_config(cfg: Config) -> None:
    """Refuse top-level keys that look like misspelt Runner keys.

    Configs also hold helper variables (``data_root``, ``train_pipeline``),
    so an unknown key alone is fine; one that is a near-miss of a key the
    Runner reads (``train_dataloder``) would be silently ignored, and that is
    an error.

    Raises:
        ConfigError: naming the key and the one it was probably meant to be.
    """
    for key in cfg.keys():
        if key in RUNNER_KEYS or key.startswith('_'):
            continue
        close = difflib.get_close_matches(key, RUNNER_KEYS, n=1, cutoff=0.85)
        if close:
            raise ConfigError(
                f"config key '{key}' is not read by the Runner: did you "
                f"mean '{close[0]}'? ({cfg.filename})")
    _check_samplers(cfg)


def _sampler_type(loader) -> Optional[str]:
    sampler = (loader or {}).get('sampler') or {}
    return sampler.get('type') if isinstance(sampler, dict) else None


def _check_samplers(cfg: Config) -> None:
    """Refuse an ``InfiniteSampler`` where a pass over the data must end.

    It never runs out, so an epoch-based train loop would never finish its
    first epoch and a val or test loop would never finish the split; MMEngine
    would not say why. It belongs with ``IterBasedTrainLoop`` only.
    """
    loop = (cfg.get('train_cfg') or {}).get('type', '')
    by_epoch = loop == 'EpochBasedTrainLoop' or bool(
        (cfg.get('train_cfg') or {}).get('by_epoch'))
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if _sampler_type(cfg.get(key)) != 'InfiniteSampler':
            continue
        if key == 'train_dataloader' and not by_epoch:
            continue
        why = ('the epoch-based train loop would never finish an epoch'
               if key == 'train_dataloader' else
               'evaluation would never finish the split')
        raise ConfigError(
            f"{key}.sampler is an InfiniteSampler: {why}. Use "
            f"dict(type='DefaultSampler', shuffle="
            f"{key == 'train_dataloader'}) there ({cfg.filename})")


def load_run_config(path: str,
                    cfg_options: Optional[dict] = None,
                    work_dir: Optional[str] = None,
                    launcher: str = 'none') -> Config:
    """A config as the tools use it: options merged, keys checked.

    The work dir defaults to ``./work_dirs/<config name>``, MMEngine's
    convention.
    """
    cfg = Config.fromfile(path)
    cfg.launcher = launcher
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    check_config(cfg)
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(path))[0])
    return cfg
