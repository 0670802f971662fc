# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import pytest
import torch

from snps3.models.backbones.video_vit import (
    ARCHS,
    VideoViT,
    map_videomae_keys,
    sinusoid_positions,
)
from snps3.utils.errors import ConfigError

TINY = dict(embed_dims=32, num_layers=2, num_heads=4)


def videomae_state(dims=32, layers=2, patch=16, tubelet=2, fine_tuned=False):
    """Random tensors under VideoMAE's names and shapes."""
    g = torch.Generator().manual_seed(0)
    pre = '' if fine_tuned else 'encoder.'
    state = {
        pre + 'patch_embed.proj.weight':
        torch.randn(dims, 3, tubelet, patch, patch, generator=g),
        pre + 'patch_embed.proj.bias':
        torch.randn(dims, generator=g),
    }
    for i in range(layers):
        b = f'{pre}blocks.{i}.'
        shapes = {
            'norm1.weight': (dims, ),
            'norm1.bias': (dims, ),
            'attn.qkv.weight': (3 * dims, dims),
            'attn.q_bias': (dims, ),
            'attn.v_bias': (dims, ),
            'attn.proj.weight': (dims, dims),
            'attn.proj.bias': (dims, ),
            'norm2.weight': (dims, ),
            'norm2.bias': (dims, ),
            'mlp.fc1.weight': (4 * dims, dims),
            'mlp.fc1.bias': (4 * dims, ),
            'mlp.fc2.weight': (dims, 4 * dims),
            'mlp.fc2.bias': (dims, ),
        }
        state.update({
            b + k: torch.randn(s, generator=g)
            for k, s in shapes.items()
        })
    if fine_tuned:
        state['fc_norm.weight'] = torch.randn(dims, generator=g)
        state['fc_norm.bias'] = torch.randn(dims, generator=g)
        state['head.weight'] = torch.randn(400, dims, generator=g)
        state['head.bias'] = torch.randn(400, generator=g)
    else:
        state['encoder.norm.weight'] = torch.randn(dims, generator=g)
        state['encoder.norm.bias'] = torch.randn(dims, generator=g)
        state['decoder.blocks.0.norm1.weight'] = torch.randn(8, generator=g)
        state['mask_token'] = torch.zeros(1, 1, 8)
        state['encoder_to_decoder.weight'] = torch.randn(8, dims, generator=g)
    return state


def test_archs_and_token_grid():
    assert ARCHS['base'] == dict(embed_dims=768, num_layers=12, num_heads=12)
    vit = VideoViT(arch=TINY)
    frames = torch.randn(2, 4, 3, 32, 48)
    assert vit.grid(frames.shape) == (2, 2, 3)
    assert vit(frames).shape == (2, 12, 32)
    with pytest.raises(ConfigError, match='multiple of 2 frames'):
        vit(torch.randn(1, 3, 3, 32, 32))
    with pytest.raises(ConfigError, match='unknown VideoViT arch'):
        VideoViT(arch='huge')


def test_sinusoid_table_matches_formula():
    table = sinusoid_positions(5, 6)
    p, j = 3, 4
    angle = p / 10000**(2 * (j // 2) / 6)
    assert table[p, j] == pytest.approx(torch.sin(torch.tensor(angle)))
    assert table[p, j + 1] == pytest.approx(torch.cos(torch.tensor(angle)))


def test_masked_forward_runs_on_visible_tokens_only():
    vit = VideoViT(arch=TINY).eval()
    frames = torch.randn(2, 4, 3, 32, 32)  # 2 x 2 x 2 = 8 tubes
    mask = torch.zeros(2, 8, dtype=torch.bool)
    mask[:, [0, 3, 4, 7]] = True
    out = vit(frames, mask)
    assert out.shape == (2, 4, 32)
    # Tokens keep their own positions: the visible tokens embedded with a
    # mask equal the same tokens picked from the full embedding.
    full = vit.embed(frames)
    assert torch.allclose(vit.embed(frames, mask), full[:, [1, 2, 5, 6]])


@pytest.mark.parametrize('fine_tuned', [False, True])
@pytest.mark.parametrize('wrapper', [None, 'model', 'module'])
def test_videomae_checkpoint_loads_every_encoder_key(tmp_path, fine_tuned,
                                                     wrapper):
    state = videomae_state(fine_tuned=fine_tuned)
    saved = state if wrapper is None else {wrapper: state, 'epoch': 3}
    path = tmp_path / 'videomae.pth'
    torch.save(saved, path)
    vit = VideoViT(arch=TINY, checkpoint=str(path))
    assert vit.load_report['missing'] == []
    assert vit.load_report['unexpected'] == []
    pre = '' if fine_tuned else 'encoder.'
    assert torch.equal(vit.blocks[1].mlp.fc1.weight,
                       state[pre + 'blocks.1.mlp.fc1.weight'])
    bias = vit.blocks[0].attn.qkv.bias
    assert torch.equal(bias[:32], state[pre + 'blocks.0.attn.q_bias'])
    assert torch.equal(bias[32:64], torch.zeros(32))
    assert torch.equal(bias[64:], state[pre + 'blocks.0.attn.v_bias'])
    norm = 'fc_norm.weight' if fine_tuned else 'encoder.norm.weight'
    assert torch.equal(vit.norm.weight, state[norm])


def test_mapping_strips_ddp_prefix_and_reports_left_out_keys():
    state = {'module.' + k: v for k, v in videomae_state().items()}
    mapped, skipped = map_videomae_keys({'model': state})
    assert 'patch_embed.proj.weight' in mapped
    assert 'mask_token' in skipped and 'encoder_to_decoder.weight' in skipped


def test_checkpoint_of_another_size_is_a_config_error(tmp_path):
    path = tmp_path / 'videomae.pth'
    torch.save(videomae_state(dims=64), path)
    with pytest.raises(ConfigError, match='does not fit'):
        VideoViT(arch=TINY, checkpoint=str(path))
