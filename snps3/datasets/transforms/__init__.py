# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Data transforms; importing this package registers them in TRANSFORMS."""
from . import loading, processing
from .formatting import PackVideoTextInputs
from .significance import MSSMMasking, SelectSignificantWords
from .text import RandomMLMMasking, TokenizeCaption

DecodeVideo = loading.DecodeVideo
sample_segment_indices = loading.sample_segment_indices
sample_clip_indices = loading.sample_clip_indices
window_to_frame_range = loading.window_to_frame_range
CenterCrop = processing.CenterCrop
RandAugmentClip = processing.RandAugmentClip
RandomCrop = processing.RandomCrop
RandomFlip = processing.RandomFlip
RandomResizedCrop = processing.RandomResizedCrop
Resize = processing.Resize
resize_clip = processing.resize_clip

__all__ = [
    'DecodeVideo', 'sample_segment_indices', 'sample_clip_indices',
    'window_to_frame_range', 'CenterCrop', 'RandAugmentClip', 'RandomCrop',
    'RandomFlip', 'RandomResizedCrop', 'Resize', 'resize_clip',
    'PackVideoTextInputs', 'MSSMMasking', 'SelectSignificantWords',
    'RandomMLMMasking', 'TokenizeCaption'
]
