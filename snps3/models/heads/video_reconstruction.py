# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import torch
import torch.nn as nn

from snps3.models.backbones.video_vit import (
    TransformerBlock,
    sinusoid_positions,
)
from snps3.registry import MODELS

from .base import BaseProxyHead


def tube_pixels(frames: torch.Tensor, patch_size: int,
                tubelet_size: int) -> torch.Tensor:
    """Cut frames into tubes of pixels, in the tube grid's order.

    Args:
        frames (Tensor): (B, T, C, H, W).

    Returns:
        Tensor: (B, N, k * p * p, C) with N = (T/k)(H/p)(W/p) in flattened
        (t, h, w) order (the order of the ViT's tokens), pixels in
        (frame, row, column) order within a tube.
    """
    b, t, c, h, w = frames.shape
    k, p = tubelet_size, patch_size
    x = frames.reshape(b, t // k, k, c, h // p, p, w // p, p)
    x = x.permute(0, 1, 4, 6, 2, 5, 7, 3)  # b, t', h', w', k, p, p, c
    return x.reshape(b, (t // k) * (h // p) * (w // p), k * p * p, c)


def tubes_to_frames(tubes: torch.Tensor, grid, patch_size: int,
                    tubelet_size: int) -> torch.Tensor:
    """Inverse of :func:`tube_pixels`: (B, N, k*p*p, C) -> (B, T, C, H, W)."""
    b, _, _, c = tubes.shape
    (gt, gh, gw), k, p = grid, tubelet_size, patch_size
    x = tubes.reshape(b, gt, gh, gw, k, p, p, c)
    x = x.permute(0, 1, 4, 7, 2, 5, 3, 6)  # b, t', k, c, h', p, w', p
    return x.reshape(b, gt * k, c, gh * p, gw * p)


def normalise_per_tube(pixels: torch.Tensor,
                       eps: float = 1e-6) -> torch.Tensor:
    """Per-tube, per-channel standardisation of (B, N, P, C) pixels.

    Frames normalised by a per-channel mean/std (the data preprocessor's)
    give the same result as raw pixels, up to ``eps``: the per-tube
    statistics absorb any per-channel affine map.
    """
    mean = pixels.mean(dim=-2, keepdim=True)
    std = pixels.var(dim=-2, unbiased=True, keepdim=True).sqrt()
    return (pixels - mean) / (std + eps)


def masked_tube_mse(pred: torch.Tensor, target: torch.Tensor,
                    mask: torch.Tensor) -> torch.Tensor:
    """Mean squared error over the masked tubes only.

    Args:
        pred (Tensor): (B, N, P) predicted tube pixels.
        target (Tensor): (B, N, P).
        mask (Tensor): (B, N) bool, True for masked tubes.
    """
    per_tube = (pred.float() - target.float()).pow(2).mean(dim=-1)
    weight = mask.float()
    return (per_tube * weight).sum() / weight.sum().clamp(min=1.0)


@MODELS.register_module()
class MaskedVideoReconstructionHead(BaseProxyHead):
    """Masked video modelling: regress the pixels of the masked tubes.

    A small ViT decoder (VideoMAE's: 4 layers, width 384) sees the encoder's
    outputs at the visible tubes and a learned mask token at the masked
    ones, each with the fixed sinusoidal position of its tube, and predicts
    every tube's pixels, normalised per tube and channel. The loss is the
    MSE over masked tubes only (visible ones would be a copy task).

    Args:
        in_dims (int): Width of the encoder.
        patch_size (int): Tube height/width in pixels.
        tubelet_size (int): Tube length in frames.
        in_channels (int): Channels of the frames.
        decoder_dims (int): Width of the decoder.
        decoder_layers (int): Depth of the decoder.
        decoder_heads (int): Attention heads of the decoder.
        norm_pixels (bool): Regress per-tube normalised pixels (VideoMAE's
            and SimVTP's choice) instead of the frames as given.
    """

    requires = ('masked_video', )

    def __init__(self,
                 in_dims: int,
                 patch_size: int = 16,
                 tubelet_size: int = 2,
                 in_channels: int = 3,
                 decoder_dims: int = 384,
                 decoder_layers: int = 4,
                 decoder_heads: int = 6,
                 norm_pixels: bool = True,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.patch_size = patch_size
        self.tubelet_size = tubelet_size
        self.in_channels = in_channels
        self.norm_pixels = norm_pixels
        self.to_decoder = nn.Linear(in_dims, decoder_dims, bias=False)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, decoder_dims))
        nn.init.trunc_normal_(self.mask_token, std=0.02, a=-0.02, b=0.02)
        self.blocks = nn.ModuleList([
            TransformerBlock(decoder_dims, decoder_heads)
            for _ in range(decoder_layers)
        ])
        self.norm = nn.LayerNorm(decoder_dims, eps=1e-6)
        self.pred = nn.Linear(decoder_dims,
                              tubelet_size * patch_size**2 * in_channels)

    def predict(self, visible: torch.Tensor,
                mask: torch.Tensor) -> torch.Tensor:
        """Decode every tube.

        Args:
            visible (Tensor): (B, N_visible, D) encoder states of the
                visible tubes, in grid order.
            mask (Tensor): (B, N) bool, True for masked tubes.

        Returns:
            Tensor: (B, N, k * p * p * C) predicted tube pixels, grid order.
        """
        b, n = mask.shape
        width = self.mask_token.shape[-1]
        vis = self.to_decoder(visible)
        tokens = vis.new_zeros(b, n, width)
        tokens[~mask] = vis.reshape(-1, width)
        tokens = torch.where(mask[..., None], self.mask_token.to(vis.dtype),
                             tokens)
        tokens = tokens + sinusoid_positions(n, width).to(tokens)
        for block in self.blocks:
            tokens = block(tokens)
        return self.pred(self.norm(tokens))

    def targets(self, frames: torch.Tensor) -> torch.Tensor:
        """(B, T, C, H, W) frames -> (B, N, k * p * p * C) tube targets."""
        pixels = tube_pixels(frames.float(), self.patch_size,
                             self.tubelet_size)
        if self.norm_pixels:
            pixels = normalise_per_tube(pixels)
        return pixels.flatten(2)

    def loss(self, ctx) -> dict:
        mask = ctx.tube_mask
        pred = self.predict(ctx.masked_video, mask)
        loss = masked_tube_mse(pred, self.targets(ctx.inputs['frames']), mask)
        return dict(loss_mvm=loss * self.loss_weight)
