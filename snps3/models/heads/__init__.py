# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from .base import BaseProxyHead
from .mlm import MLMHead
from .vtc import VTCHead

__all__ = ['BaseProxyHead', 'MLMHead', 'VTCHead']
