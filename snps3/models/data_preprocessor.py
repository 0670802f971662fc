# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from typing import Sequence

import torch
from mmengine.model import BaseDataPreprocessor

from snps3.registry import MODELS


@MODELS.register_module()
class VideoTextDataPreprocessor(BaseDataPreprocessor):
    """Move a batch to the device and normalise its frames there.

    Frames travel from the loader as uint8 (4x less to copy than float) and
    become ``(x - mean) / std`` float frames (B, T, 3, H, W) on the device.

    Args:
        mean (Sequence[float]): Per-channel mean, 0-255 scale (ImageNet's by
            default).
        std (Sequence[float]): Per-channel std, 0-255 scale.
    """

    def __init__(
        self,
        mean: Sequence[float] = (123.675, 116.28, 103.53),
        std: Sequence[float] = (58.395, 57.12, 57.375)
    ) -> None:
        super().__init__()
        self.register_buffer(
            'mean', torch.tensor(mean).view(1, 1, 3, 1, 1), persistent=False)
        self.register_buffer(
            'std', torch.tensor(std).view(1, 1, 3, 1, 1), persistent=False)

    def forward(self, data: dict, training: bool = False) -> dict:
        data = self.cast_data(data)
        inputs = dict(data['inputs'])
        if 'frames' in inputs:
            inputs['frames'] = (inputs['frames'].float() -
                                self.mean) / self.std
        return dict(inputs=inputs, data_samples=data.get('data_samples'))
