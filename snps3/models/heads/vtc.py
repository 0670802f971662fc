# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from snps3.models.losses import infonce_text_video, mil_similarity
from snps3.registry import MODELS
from snps3.utils.dist import gather_with_grad, rank_offset

from .base import BaseProxyHead


@MODELS.register_module()
class VTCHead(BaseProxyHead):
    """Video-text contrastive learning (the global part of GVTM).

    Text feature ``s = L2norm(pooled text [CLS])`` (the encoder's pooler is
    ``tanh(W h_CLS)``); frame features ``f = L2norm(MLP(frame token))`` with
    ``MLP = Linear-ReLU-Linear``. A caption and a video are compared by
    logsumexp over frames; InfoNCE in both directions, with the negatives of
    all ranks gathered with gradient.

    Args:
        hidden_size (int): Width of the encoder and the frame tokens.
        temperature (float): Initial temperature.
        learnable_temperature (bool): Learn ``log(1 / temperature)``.
    """

    requires = ('text', 'frames')

    def __init__(self,
                 hidden_size: int,
                 temperature: float = 0.05,
                 learnable_temperature: bool = False,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.frame_mlp = nn.Sequential(
            nn.Linear(hidden_size, hidden_size), nn.ReLU(inplace=True),
            nn.Linear(hidden_size, hidden_size))
        log_scale = torch.tensor(math.log(1 / temperature))
        if learnable_temperature:
            self.log_scale = nn.Parameter(log_scale)
        else:
            self.register_buffer('log_scale', log_scale, persistent=False)

    @property
    def temperature(self) -> torch.Tensor:
        return self.log_scale.exp().reciprocal()

    def embed_text(self, pooled: torch.Tensor) -> torch.Tensor:
        """(B, D) pooled text [CLS] -> (B, D) normalised feature."""
        return F.normalize(pooled.float(), dim=-1)

    def embed_video(self, frame_tokens: torch.Tensor) -> torch.Tensor:
        """(B, T, D) frame tokens -> (B, T, D) normalised features."""
        return F.normalize(self.frame_mlp(frame_tokens).float(), dim=-1)

    def similarity(self, text_feats: torch.Tensor,
                   video_feats: torch.Tensor) -> torch.Tensor:
        """(Nt, D) x (Nv, T, D) -> (Nt, Nv) retrieval scores."""
        return mil_similarity(text_feats, video_feats, self.temperature)

    def loss(self, ctx) -> dict:
        # The context's global features come from the model's retrieval head
        # (this head by default), so LVWM and negative mining share them.
        text, frames = ctx.text_feats, ctx.video_feats
        out = infonce_text_video(text, frames, gather_with_grad(text),
                                 gather_with_grad(frames),
                                 rank_offset(text.shape[0]), self.temperature)
        return dict(
            loss_vtc=out['loss'] * self.loss_weight, vtc_acc=out['acc'])
