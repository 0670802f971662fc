# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from functools import cached_property
from typing import Dict

import torch


class ForwardContext:
    """The encoder passes of one batch, each run at most once, on demand.

    Heads read what they need; a pass no enabled head reads is never run, and
    a pass several heads read (the text pass feeds VTC, LVWM and negative
    mining) is run once.

    Args:
        model: The model owning ``backbone`` and ``encoder``.
        inputs (dict): Batched inputs from the data preprocessor: ``frames``
            (B, T, 3, H, W), ``input_ids``/``attention_mask`` (B, L) and, for
            masked modelling, ``mlm_input_ids``/``mlm_labels`` (B, L).
    """

    def __init__(self, model, inputs: Dict[str, torch.Tensor]) -> None:
        self.model = model
        self.inputs = inputs

    @cached_property
    def frame_tokens(self) -> torch.Tensor:
        """(B, T, D) one token per frame."""
        return self.model.extract_video(self.inputs['frames'])

    @cached_property
    def text(self):
        """Text mode on the raw caption: (B, L, D) states, (B, D) pooled."""
        return self.model.encoder.forward_text(self.inputs['input_ids'],
                                               self.inputs['attention_mask'])

    @cached_property
    def fusion_mlm(self):
        """Fusion mode on the masked caption and the video."""
        return self.model.encoder.forward_fusion(self.inputs['mlm_input_ids'],
                                                 self.inputs['attention_mask'],
                                                 self.frame_tokens)
