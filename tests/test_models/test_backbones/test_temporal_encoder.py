# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import pytest
import torch
from mmengine.registry import init_default_scope

from snps3.models.backbones import TemporalTransformer, TimmFrameEncoder
from snps3.registry import MODELS


def _tokens(b=2, t=4, d=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(b, t, d, generator=g)


def test_shapes_and_registry():
    init_default_scope('snps3')
    module = MODELS.build(
        dict(
            type='TemporalTransformer',
            embed_dims=32,
            num_heads=4,
            num_layers=2,
            max_frames=8))
    assert module(_tokens(t=3)).shape == (2, 3, 32)
    with pytest.raises(ValueError, match='max_frames'):
        module(_tokens(t=9))
    with pytest.raises(ValueError, match='must divide'):
        TemporalTransformer(embed_dims=30, num_heads=4)


def test_identity_at_initialisation():
    torch.manual_seed(0)
    module = TemporalTransformer(embed_dims=32, num_heads=4)
    tokens = _tokens()
    assert torch.equal(module(tokens), tokens)


def test_gradients_flow():
    torch.manual_seed(0)
    module = TemporalTransformer(embed_dims=32, num_heads=4)
    tokens = _tokens().requires_grad_()
    module(tokens).pow(2).sum().backward()
    # At zero init only the output projection learns (and the input
    # passes straight through); the layers below follow once it is not 0.
    assert module.out_proj.weight.grad.abs().sum() > 0
    assert tokens.grad.abs().sum() > 0
    module.zero_grad()
    torch.nn.init.normal_(module.out_proj.weight, std=0.02)
    module(_tokens()).pow(2).sum().backward()
    for name, param in module.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name


def _encoder(temporal=None):
    torch.manual_seed(0)
    return TimmFrameEncoder(
        'resnet18', out_channels=32, temporal=temporal).eval()


def test_frame_encoder_with_and_without_temporal():
    init_default_scope('snps3')
    plain = _encoder()
    assert not any('temporal' in k for k in plain.state_dict())
    temporal = _encoder(dict(type='TemporalTransformer', num_heads=4))
    assert temporal.temporal.pos_embed.shape[-1] == 32  # embed_dims filled
    frames = torch.randn(2, 3, 3, 32, 32)
    with torch.no_grad():
        base = plain(frames)
        # The same backbone weights: identical at init (identity).
        assert torch.equal(temporal(frames), base)
        # Once trained, frames see each other: reversing the clip no longer
        # just reverses the tokens, which one token per frame cannot see.
        torch.nn.init.normal_(temporal.temporal.out_proj.weight, std=0.1)
        out = temporal(frames)
        assert out.shape == (2, 3, 32)
        reversed_out = temporal(frames.flip(1)).flip(1)
        assert not torch.allclose(out, reversed_out, atol=1e-4)
        assert torch.allclose(plain(frames.flip(1)).flip(1), base, atol=1e-5)
