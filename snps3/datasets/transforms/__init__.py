# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Data transforms; importing this package registers them in TRANSFORMS."""
from .loading import DecodeVideo, sample_segment_indices, window_to_frame_range
from .processing import (
    CenterCrop,
    RandomCrop,
    RandomFlip,
    RandomResizedCrop,
    Resize,
    resize_clip,
)

__all__ = [
    'DecodeVideo', 'sample_segment_indices', 'window_to_frame_range',
    'CenterCrop', 'RandomCrop', 'RandomFlip', 'RandomResizedCrop', 'Resize',
    'resize_clip'
]
from .formatting import PackVideoTextInputs  # noqa: E402
from .text import RandomMLMMasking, TokenizeCaption  # noqa: E402

__all__ += ['PackVideoTextInputs', 'RandomMLMMasking', 'TokenizeCaption']
from .significance import MSSMMasking, SelectSignificantWords  # noqa: E402

__all__ += ['MSSMMasking', 'SelectSignificantWords']
