# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from .bad_sample_counter_hook import BadSampleCounterHook
from .momentum_update_hook import MomentumUpdateHook, optimizer_stepped
from .param_sync_check_hook import ParamSyncCheckHook, parameter_digest
from .rng_state_hook import RNGStateHook

__all__ = [
    'BadSampleCounterHook', 'MomentumUpdateHook', 'ParamSyncCheckHook',
    'RNGStateHook', 'optimizer_stepped', 'parameter_digest'
]
