# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from .video_text_data_sample import VideoTextDataSample

__all__ = ['VideoTextDataSample']
