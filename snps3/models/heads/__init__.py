# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from .base import BaseProxyHead
from .cross_matching import CrossMatchingHead
from .lvwm import LVWMHead
from .mean_pool_vtc import MeanPoolVTCHead, masked_mean
from .mlm import MLMHead
from .qa import QAHead
from .video_reconstruction import MaskedVideoReconstructionHead
from .vtc import VTCHead
from .vtm import VTMHead

__all__ = [
    'BaseProxyHead', 'CrossMatchingHead', 'LVWMHead', 'MLMHead', 'QAHead',
    'VTCHead', 'VTMHead', 'MeanPoolVTCHead', 'MaskedVideoReconstructionHead',
    'masked_mean'
]
