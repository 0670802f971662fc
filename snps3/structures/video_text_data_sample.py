# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from mmengine.structures import BaseDataElement


class VideoTextDataSample(BaseDataElement):
    """One video-caption pair's annotations and predictions.

    Meta fields (set by the packing transform): ``video_id``, ``video_path``,
    ``caption``, ``text_id``, ``video_index`` (position of the video in its
    dataset's gallery). Data fields set by ``predict``: ``text_feat`` (E,)
    and ``video_feat`` (T, E).
    """
