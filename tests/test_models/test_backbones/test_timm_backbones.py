# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""TimmFrameEncoder on the paper's other backbones: PVTv2 and ViT."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from snps3.models.backbones import TimmFrameEncoder
from snps3.registry import MODELS

MODEL_CONFIGS = Path(__file__).parents[3] / 'configs' / '_base_' / 'models'


def test_pvt_v2_grid_gives_frame_and_patch_tokens():
    # PVT's forward_features is a (N, C, h, w) grid: 2 x 2 at 64 px.
    torch.manual_seed(0)
    enc = TimmFrameEncoder('pvt_v2_b2', out_channels=16, patch_grid=2)
    with torch.no_grad():
        tokens, local = enc(torch.randn(2, 3, 3, 64, 64))
    assert tokens.shape == (2, 3, 16)
    assert local.shape == (2, 3, 4, 16)
    # 2 x 2 grid pooled to 2 x 2: the frame token is the patches' mean.
    assert torch.allclose(tokens, local.mean(dim=2), atol=1e-5)


def test_vit_drops_the_prefix_tokens():
    # ViT's forward_features is (N, 1 + 16, C) at 64 px: [CLS] + 4 x 4.
    torch.manual_seed(0)
    enc = TimmFrameEncoder(
        'vit_tiny_patch16_224',
        out_channels=16,
        patch_grid=2,
        model_kwargs=dict(img_size=64)).eval()
    frames = torch.randn(2, 3, 3, 64, 64)
    with torch.no_grad():
        tokens, local = enc(frames)
        grid = enc.grid(frames.flatten(0, 1))
        patches = enc.model.forward_features(frames.flatten(0, 1))[:, 1:]
    assert tokens.shape == (2, 3, 16) and local.shape == (2, 3, 4, 16)
    assert grid.shape == (6, 192, 4, 4)
    assert torch.allclose(grid.flatten(2).transpose(1, 2), patches)
    assert torch.allclose(
        tokens.flatten(0, 1), enc.proj(patches.mean(dim=1)), atol=1e-5)


@pytest.mark.parametrize(
    'name', ['snp_bert-base_pvtv2-b2.py', 'snp_bert-base_vit-b16.py'])
def test_backbone_configs_at_224(name):
    cfg = Config.fromfile(MODEL_CONFIGS / name)
    backbone = cfg.model.backbone.to_dict()
    assert backbone.pop('checkpoint').startswith('data/pretrained/')
    init_default_scope('snps3')
    # The full-size networks on the meta device: real shapes, no weights,
    # no time.
    with torch.device('meta'):
        enc = MODELS.build(dict(backbone, out_channels=768, patch_grid=2))
        tokens, local = enc(torch.empty(1, 2, 3, 224, 224))
    assert tokens.shape == (1, 2, 768) and local.shape == (1, 2, 4, 768)
