# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import torch

from snps3.models.heads import MaskedVideoReconstructionHead
from snps3.models.heads.video_reconstruction import (
    masked_tube_mse,
    normalise_per_tube,
    tube_pixels,
    tubes_to_frames,
)


def test_loss_ignores_predictions_at_visible_tubes():
    g = torch.Generator().manual_seed(0)
    pred = torch.randn(2, 6, 12, generator=g)
    target = torch.randn(2, 6, 12, generator=g)
    mask = torch.tensor([[1, 0, 1, 0, 1, 0], [0, 0, 1, 1, 1, 1]]).bool()
    loss = masked_tube_mse(pred, target, mask)
    changed = pred.clone()
    changed[~mask] += 100.0
    assert torch.equal(masked_tube_mse(changed, target, mask), loss)
    changed = pred.clone()
    changed[0, 0] += 1.0  # a masked tube does count
    assert masked_tube_mse(changed, target, mask) > loss
    expected = (pred - target).pow(2).mean(-1)[mask].mean()
    assert torch.allclose(loss, expected)


def test_tubes_follow_the_token_grid_and_invert():
    frames = torch.arange(
        2 * 4 * 3 * 8 * 12, dtype=torch.float).view(2, 4, 3, 8, 12)
    tubes = tube_pixels(frames, patch_size=4, tubelet_size=2)
    assert tubes.shape == (2, 2 * 2 * 3, 2 * 4 * 4, 3)
    # Token 4 = (t'=0, h'=1, w'=1): frames 0-1, rows 4-7, columns 4-7.
    assert torch.equal(tubes[0, 4, 0], frames[0, 0, :, 4, 4])
    assert torch.equal(tubes[0, 4, -1], frames[0, 1, :, 7, 7])
    back = tubes_to_frames(tubes, (2, 2, 3), patch_size=4, tubelet_size=2)
    assert torch.equal(back, frames)


def test_per_tube_normalisation_ignores_channel_affine_maps():
    pixels = torch.rand(1, 3, 16, 3)
    scaled = pixels * torch.tensor([2.0, 0.5, 4.0]) + 7.0
    norm = normalise_per_tube(pixels)
    assert torch.allclose(norm.mean(dim=2), torch.zeros(1, 3, 3), atol=1e-5)
    assert torch.allclose(normalise_per_tube(scaled), norm, atol=1e-4)


def test_head_predicts_every_tube_and_trains():
    torch.manual_seed(0)
    head = MaskedVideoReconstructionHead(
        in_dims=32,
        patch_size=16,
        tubelet_size=2,
        decoder_dims=16,
        decoder_layers=1,
        decoder_heads=2)
    mask = torch.zeros(2, 8, dtype=torch.bool)
    mask[:, 2:] = True
    visible = torch.randn(2, 2, 32, requires_grad=True)
    pred = head.predict(visible, mask)
    assert pred.shape == (2, 8, 2 * 16 * 16 * 3)
    frames = torch.randn(2, 4, 3, 32, 32)

    class Ctx:
        tube_mask = mask
        masked_video = visible
        inputs = dict(frames=frames)

    loss = head.loss(Ctx())['loss_mvm']
    loss.backward()
    assert visible.grad.abs().sum() > 0
    assert head.mask_token.grad.abs().sum() > 0
