# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import torch
import torch.nn as nn
from mmengine.model import BaseModule

from snps3.registry import MODELS


@MODELS.register_module()
class TemporalTransformer(BaseModule):
    """A small transformer over the frame tokens of each clip.

    One token per frame carries no order and no motion: each is pooled
    from one image, and MIL over frames (logsumexp) scores the frames of a
    video independently. Captions that name a motion ("moves left",
    "shrinking") need the frames to see each other; this module lets them,
    before the tokens reach the heads and the fusion encoder::

        h   = TransformerEncoder(x + pos[:T])      (pre-norm, final norm)
        out = x + out_proj(h)

    ``out_proj`` starts at zero (weight and bias), so at initialisation the
    module is the identity and a pretrained frame encoder is not disturbed;
    training grows the temporal part from there (at the first step only
    ``out_proj`` receives gradient, the layers below it from then on).

    Args:
        embed_dims (int): Width D of the frame tokens.
        num_layers (int): Transformer layers.
        num_heads (int): Attention heads; must divide ``embed_dims``.
        mlp_ratio (float): Feed-forward width over ``embed_dims``.
        max_frames (int): Length of the learned temporal position table;
            clips may have up to this many frames.
        dropout (float): Dropout inside the layers.
    """

    def __init__(self,
                 embed_dims: int,
                 num_layers: int = 1,
                 num_heads: int = 8,
                 mlp_ratio: float = 4.0,
                 max_frames: int = 64,
                 dropout: float = 0.0,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if embed_dims % num_heads:
            raise ValueError(f'num_heads ({num_heads}) must divide '
                             f'embed_dims ({embed_dims})')
        self.max_frames = max_frames
        self.pos_embed = nn.Parameter(torch.zeros(1, max_frames, embed_dims))
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        layer = nn.TransformerEncoderLayer(
            embed_dims,
            num_heads,
            dim_feedforward=int(embed_dims * mlp_ratio),
            dropout=dropout,
            activation='gelu',
            batch_first=True,
            norm_first=True)
        # Nested tensors only help with padding masks, which clips of equal
        # length do not have; disabling them also silences the pre-norm
        # warning.
        self.layers = nn.TransformerEncoder(
            layer,
            num_layers,
            norm=nn.LayerNorm(embed_dims),
            enable_nested_tensor=False)
        self.out_proj = nn.Linear(embed_dims, embed_dims)
        nn.init.zeros_(self.out_proj.weight)
        nn.init.zeros_(self.out_proj.bias)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """(B, T, D) frame tokens -> (B, T, D), the input plus a residual."""
        t = tokens.shape[1]
        if t > self.max_frames:
            raise ValueError(f'{t} frames, but the temporal position table '
                             f'has {self.max_frames} (max_frames)')
        hidden = self.layers(tokens + self.pos_embed[:, :t].to(tokens.dtype))
        return tokens + self.out_proj(hidden)
