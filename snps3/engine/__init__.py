# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from .hooks import *  # noqa: F401,F403
from .loops import RetrievalTestLoop, RetrievalValLoop

__all__ = ['RetrievalTestLoop', 'RetrievalValLoop']
from .optim_wrappers import BF16AutocastOptimWrapper  # noqa: E402

__all__ += ['BF16AutocastOptimWrapper']
