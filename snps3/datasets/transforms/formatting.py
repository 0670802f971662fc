# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from snps3.registry import TRANSFORMS
from snps3.structures import VideoTextDataSample


@TRANSFORMS.register_module()
class PackVideoTextInputs(BaseTransform):
    """Pack a sample into ``inputs`` (tensors) and a data sample (metadata).

    ``imgs`` (T, H, W, 3) uint8 becomes ``inputs['frames']`` (T, 3, H, W)
    uint8; normalisation happens on the device, in the data preprocessor.
    Other ``input_keys`` present in the results are converted to tensors.

    Args:
        input_keys (Sequence[str]): Keys of ``inputs`` besides ``frames``;
            absent ones are skipped.
        meta_keys (Sequence[str]): Keys copied into the data sample.
    """

    def __init__(
        self,
        input_keys: Sequence[str] = ('input_ids', 'attention_mask',
                                     'mlm_input_ids', 'mlm_labels',
                                     'lvwm_positions'),
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
        for key in self.input_keys:
            if key in results:
                inputs[key] = torch.as_tensor(results[key])
        sample = VideoTextDataSample(
            metainfo={k: results[k]
                      for k in self.meta_keys if k in results})
        return dict(inputs=inputs, data_samples=sample)
