# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from . import transforms  # noqa: F401  (registers the transforms)
from .base import BaseVideoTextDataset, SampleError
from .jsonl import VideoTextJsonlDataset
from .msrvtt import MSRVTTRetrievalDataset
from .webvid import WebVidDataset

__all__ = [
    'BaseVideoTextDataset', 'SampleError', 'MSRVTTRetrievalDataset',
    'VideoTextJsonlDataset', 'WebVidDataset'
]
