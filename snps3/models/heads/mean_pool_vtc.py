# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import math
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from snps3.models.losses import infonce_text_video, mil_similarity
from snps3.registry import MODELS
from snps3.utils.dist import gather_with_grad, rank_offset

from .base import BaseProxyHead


def masked_mean(states: torch.Tensor,
                valid: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Mean over real tokens: (B, S, D), (B, S) 1 = real -> (B, D)."""
    if valid is None:
        return states.mean(dim=1)
    weight = valid.to(states.dtype)[..., None]
    return (states * weight).sum(dim=1) / weight.sum(dim=1).clamp(min=1.0)


@MODELS.register_module()
class MeanPoolVTCHead(BaseProxyHead):
    """Video-text contrastive learning on mean-pooled encoder outputs.

    SimVTP's VTC: the unified encoder runs on the clean video alone and on
    the clean caption alone; each side is mean-pooled (padding excluded),
    L2-normalised and compared by cosine over a temperature, InfoNCE in
    both directions with the negatives of all ranks gathered with gradient.
    No projection layer: the encoder's own space is the joint space.

    The video feature is returned as (B, 1, D), one "frame", so the
    retrieval loops and the MIL similarity of the toolbox take it as is.

    Args:
        temperature (float): Softmax temperature (SimVTP: 0.05).
        learnable_temperature (bool): Learn ``log(1 / temperature)``.
    """

    requires = ('text_clean', 'video_clean')

    def __init__(self,
                 temperature: float = 0.05,
                 learnable_temperature: bool = False,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        log_scale = torch.tensor(math.log(1 / temperature))
        if learnable_temperature:
            self.log_scale = nn.Parameter(log_scale)
        else:
            self.register_buffer('log_scale', log_scale, persistent=False)

    @property
    def temperature(self) -> torch.Tensor:
        return self.log_scale.exp().reciprocal()

    def embed_text(self, states: torch.Tensor,
                   attention_mask: torch.Tensor) -> torch.Tensor:
        """(B, L, D) text states -> (B, D) normalised feature."""
        return F.normalize(masked_mean(states.float(), attention_mask), dim=-1)

    def embed_video(self, states: torch.Tensor) -> torch.Tensor:
        """(B, N, D) tube states -> (B, 1, D) normalised feature."""
        return F.normalize(masked_mean(states.float()), dim=-1)[:, None]

    def similarity(self, text_feats: torch.Tensor,
                   video_feats: torch.Tensor) -> torch.Tensor:
        """(Nt, D) x (Nv, 1, D) -> (Nt, Nv) scores."""
        return mil_similarity(text_feats, video_feats, self.temperature)

    def loss(self, ctx) -> dict:
        text, video = ctx.text_feats, ctx.video_feats
        out = infonce_text_video(text, video, gather_with_grad(text),
                                 gather_with_grad(video),
                                 rank_offset(text.shape[0]), self.temperature,
                                 ctx.same_video_all)
        return dict(
            loss_vtc=out['loss'] * self.loss_weight, vtc_acc=out['acc'])
