# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from . import transforms  # noqa: F401  (registers the transforms)
from .base import BaseVideoTextDataset, SampleError
from .cc3m import CC3MDataset
from .concat import WeightedConcatDataset, WeightedDatasetSampler
from .didemo import DiDeMoRetrievalDataset
from .jsonl import VideoTextJsonlDataset
from .msrvtt import MSRVTTRetrievalDataset
from .msvd import MSVDRetrievalDataset
from .webvid import WebVidDataset

__all__ = [
    'BaseVideoTextDataset', 'SampleError', 'MSRVTTRetrievalDataset',
    'VideoTextJsonlDataset', 'WebVidDataset', 'CC3MDataset',
    'WeightedConcatDataset', 'WeightedDatasetSampler',
    'DiDeMoRetrievalDataset', 'MSVDRetrievalDataset'
]
# Importing video_qa registers MSRVTTQADataset and MSVDQADataset too.
from .multiple_choice import MSRVTTMCDataset, TokenizeOptions  # noqa: E402
from .video_qa import AnswerVocabulary, VideoQADataset  # noqa: E402

__all__ += [
    'MSRVTTMCDataset', 'TokenizeOptions', 'AnswerVocabulary', 'VideoQADataset'
]
