# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import hashlib
from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from snps3.registry import TRANSFORMS
from snps3.structures import VideoTextDataSample


def video_uid(video: str) -> int:
    """A stable 63-bit integer for a video path or id (same in every
    process, unlike ``hash``)."""
    digest = hashlib.blake2b(video.encode(), digest_size=8).digest()
    return int.from_bytes(digest, 'little') >> 1


@TRANSFORMS.register_module()
class PackVideoTextInputs(BaseTransform):
    """Pack a sample into ``inputs`` (tensors) and a data sample (metadata).

    ``imgs`` (T, H, W, 3) uint8 becomes ``inputs['frames']`` (T, 3, H, W)
    uint8; normalisation happens on the device, in the data preprocessor.
    Other ``input_keys`` present in the results are converted to tensors.
    ``video_uid`` among them is made here: a 63-bit hash of the sample's
    ``video_path`` (else ``video_id``), equal for two captions of one
    video in any dataset, which contrastive heads use to keep such pairs
    out of their negatives.

    Args:
        input_keys (Sequence[str]): Keys of ``inputs`` besides ``frames``;
            absent ones are skipped.
        meta_keys (Sequence[str]): Keys copied into the data sample.
    """

    def __init__(
        self,
        input_keys: Sequence[str] = ('input_ids', 'attention_mask',
                                     'mlm_input_ids', 'mlm_labels',
                                     'lvwm_positions', 'video_uid'),
        meta_keys: Sequence[str] = ('video_id', 'video_path', 'caption',
                                    'text_id', 'video_index')
    ) -> None:
        self.input_keys = tuple(input_keys)
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        inputs = {}
        if 'imgs' in results:
            frames = np.ascontiguousarray(results['imgs'].transpose(
                0, 3, 1, 2))
            inputs['frames'] = torch.from_numpy(frames)
        if 'video_uid' in self.input_keys:
            video = results.get('video_path', results.get('video_id'))
            if video is not None:
                inputs['video_uid'] = torch.tensor(video_uid(str(video)))
        for key in self.input_keys:
            if key in results:
                inputs[key] = torch.as_tensor(results[key])
        sample = VideoTextDataSample(
            metainfo={k: results[k]
                      for k in self.meta_keys if k in results})
        return dict(inputs=inputs, data_samples=sample)
