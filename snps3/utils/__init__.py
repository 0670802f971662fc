# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from .compat import load_local_checkpoint, setup_cpu_distributed
from .dist import gather_with_grad, rank_offset
from .paths import check_exists, resolve_path

__all__ = [
    'load_local_checkpoint', 'setup_cpu_distributed', 'gather_with_grad',
    'rank_offset', 'check_exists', 'resolve_path'
]
