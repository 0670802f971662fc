# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Make MMEngine 0.10.7 work with the torch this project pins.

Two gaps, both handled here and nowhere else (never by editing installed
packages):

* torch >= 2.6 loads checkpoints with ``weights_only=True``. MMEngine's
  checkpoints hold a few non-tensor objects (the message hub's history
  buffers, numpy scalars), so resuming fails. We allow-list exactly those
  types instead of turning the safety check off.
* MMEngine's PyTorch launcher calls ``torch.cuda.set_device`` and wraps the
  model with ``device_ids=[LOCAL_RANK]``; both fail on a machine without CUDA.
  We start the process group with gloo ourselves (MMEngine then skips its own
  start) and wrap the model without device ids.
"""
import gc
import os
import pickle
from datetime import timedelta

import numpy as np
import torch
import torch.distributed as dist
from mmengine.config import Config, ConfigDict
from mmengine.logging import HistoryBuffer, print_log
from mmengine.runner.checkpoint import CheckpointLoader

from snps3.utils.errors import ConfigError, DataError, MissingFileError

TRUST_ENV = 'SNPS3_TRUST_CHECKPOINTS'


def _safe_globals() -> list:
    """Types found in MMEngine checkpoints besides tensors and containers."""
    import numpy.core.multiarray as multiarray
    types = [
        HistoryBuffer, ConfigDict, Config, np.ndarray, np.dtype,
        multiarray._reconstruct, multiarray.scalar
    ]
    # numpy >= 1.25 pickles dtypes as instances of these classes.
    types += [
        type(np.dtype(t))
        for t in (np.float64, np.float32, np.int64, np.int32, np.bool_)
    ]
    return types


_HISTORY_BUFFER_METHODS = frozenset({'min', 'max', 'mean', 'current'})


def _history_buffer_getattr(obj, name: str):
    """The one ``getattr`` MMEngine checkpoints need, and nothing more.

    A ``HistoryBuffer`` pickles its statistics methods as
    ``getattr(HistoryBuffer, 'mean')``; allow-listing ``getattr`` itself would
    let a crafted file reach any attribute of an allowed object.
    """
    if obj is HistoryBuffer and name in _HISTORY_BUFFER_METHODS:
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'getattr({obj!r}, {name!r}) is not allowed in a checkpoint')


torch.serialization.add_safe_globals(_safe_globals() + [(
    _history_buffer_getattr,
    '__builtin__.getattr'), (_history_buffer_getattr, 'builtins.getattr')])


@CheckpointLoader.register_scheme(prefixes='', force=True)
def load_local_checkpoint(filename: str, map_location=None) -> dict:
    """Load a local checkpoint with torch's safe unpickler.

    A checkpoint that holds other objects is refused with the type at fault,
    unless the user says it is trusted (``SNPS3_TRUST_CHECKPOINTS=1``).
    """
    filename = os.path.expanduser(filename)
    if not os.path.isfile(filename):
        raise MissingFileError(f"checkpoint '{filename}' does not exist.")
    try:
        return torch.load(
            filename, map_location=map_location, weights_only=True)
    except Exception as err:  # torch raises UnpicklingError, or others
        if os.environ.get(TRUST_ENV) == '1':
            print_log(
                f"checkpoint '{filename}' needs full unpickling "
                f'({TRUST_ENV}=1 is set): {err}', 'current')
            return torch.load(
                filename, map_location=map_location, weights_only=False)
        reason = [
            ln.strip() for ln in str(err).splitlines()
            if 'Unsupported global' in ln or 'not allowed' in ln
        ]
        raise DataError(
            f"checkpoint '{filename}' holds objects that torch's safe loader "
            f"refuses ({reason[0] if reason else str(err).splitlines()[0]}). "
            f'If you trust the file, set {TRUST_ENV}=1 and load it again.'
        ) from err


def setup_cpu_distributed(cfg: Config, launcher: str) -> None:
    """Start a gloo process group when launched on a machine without CUDA.

    Call before building the Runner. Does nothing for ``launcher='none'`` or
    when CUDA is available (MMEngine's own path then works, with NCCL).
    """
    if launcher == 'none' or torch.cuda.is_available():
        return
    if launcher != 'pytorch':
        raise ConfigError(
            f"launcher '{launcher}' without CUDA is not supported; on a CPU "
            'machine use tools/dist_train.sh (torchrun, launcher=pytorch).')
    timeout = cfg.get('env_cfg', {}).get('dist_cfg', {}).get('timeout', 1800)
    if not dist.is_initialized():
        dist.init_process_group(
            backend='gloo', timeout=timedelta(seconds=timeout))
    cfg.env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
    # MMEngine fills in device_ids=[LOCAL_RANK] unless the wrapper config
    # names device_ids itself; a CPU module needs None.
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper


def teardown_distributed() -> None:
    """Destroy the default process group, if any, before the process exits.

    MMEngine leaves the group to the interpreter's shutdown, where a gloo
    group's threads can be destroyed still running: the process then aborts
    ("terminate called without an active exception", exit code -6) after a
    finished run, and torchrun reports the whole job as failed. The barrier
    keeps every rank's connections open until all have finished; collecting
    garbage first frees the DDP wrapper, which holds the group too.
    """
    if dist.is_available() and dist.is_initialized():
        gc.collect()
        dist.barrier()
        dist.destroy_process_group()
