# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""A plain video ViT on 2x16x16 tubes, as SimVTP and VideoMAE use it.

Video is cut into non-overlapping tubes (``tubelet_size`` frames x
``patch_size``² pixels) by one Conv3d; each tube gets a fixed sinusoidal
position over the flattened (t, h, w) grid index, so any clip size works
without interpolating a table. The encoder can run on a subset of tubes
(the visible ones of a tube mask), which is where masked autoencoders save
their compute.
"""
from typing import Dict, Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.logging import print_log
from mmengine.model import BaseModule

from snps3.registry import MODELS
from snps3.utils.compat import load_local_checkpoint
from snps3.utils.errors import ConfigError
from snps3.utils.paths import check_exists

#: Widths, depths and heads of the standard sizes (ViT-Ti/S/B).
ARCHS: Dict[str, dict] = {
    'tiny': dict(embed_dims=192, num_layers=12, num_heads=3),
    'small': dict(embed_dims=384, num_layers=12, num_heads=6),
    'base': dict(embed_dims=768, num_layers=12, num_heads=12),
}


def sinusoid_positions(num_positions: int, dims: int) -> torch.Tensor:
    """Fixed 1-D sine/cosine table over flattened token indices.

    Channel ``j`` of position ``p`` is ``sin`` (even ``j``) or ``cos`` (odd
    ``j``) of ``p / 10000^(2 floor(j/2) / dims)``; VideoMAE uses this same
    table, so its checkpoints see the positions they were trained with.

    Returns:
        Tensor: (num_positions, dims) float32.
    """
    pos = torch.arange(num_positions, dtype=torch.float64)[:, None]
    exponent = 2 * (torch.arange(dims) // 2).double() / dims
    angles = pos / torch.pow(10000.0, exponent)[None]
    table = torch.empty_like(angles)
    table[:, 0::2] = torch.sin(angles[:, 0::2])
    table[:, 1::2] = torch.cos(angles[:, 1::2])
    return table.float()


class Attention(nn.Module):
    """Multi-head self-attention on torch's fused SDPA kernel."""

    def __init__(self, dims: int, num_heads: int) -> None:
        super().__init__()
        if dims % num_heads:
            raise ConfigError(
                f'embed_dims {dims} is not divisible by num_heads '
                f'{num_heads}; pick a head count that divides the width')
        self.num_heads = num_heads
        self.qkv = nn.Linear(dims, dims * 3)
        self.proj = nn.Linear(dims, dims)

    def forward(self,
                x: torch.Tensor,
                attn_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        b, n, d = x.shape
        qkv = self.qkv(x).view(b, n, 3, self.num_heads, d // self.num_heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
        return self.proj(out.transpose(1, 2).reshape(b, n, d))


class TransformerBlock(nn.Module):
    """Pre-norm block: ``x + attn(ln(x))``, then ``x + mlp(ln(x))``."""

    def __init__(self,
                 dims: int,
                 num_heads: int,
                 mlp_ratio: float = 4.0,
                 eps: float = 1e-6) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dims, eps=eps)
        self.attn = Attention(dims, num_heads)
        self.norm2 = nn.LayerNorm(dims, eps=eps)
        hidden = int(dims * mlp_ratio)
        self.mlp = nn.Sequential()
        self.mlp.add_module('fc1', nn.Linear(dims, hidden))
        self.mlp.add_module('act', nn.GELU())
        self.mlp.add_module('fc2', nn.Linear(hidden, dims))

    def forward(self,
                x: torch.Tensor,
                attn_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        x = x + self.attn(self.norm1(x), attn_mask)
        return x + self.mlp(self.norm2(x))


def key_padding_mask(valid: Optional[torch.Tensor]) -> Optional[torch.Tensor]:
    """(B, N) 1/True for real tokens -> SDPA's (B, 1, 1, N) bool mask."""
    if valid is None:
        return None
    return valid.bool()[:, None, None, :]


def unwrap_checkpoint(state: dict) -> dict:
    """The weights inside a saved object (``model``/``module``/...)."""
    for key in ('model', 'module', 'state_dict'):
        if isinstance(state.get(key), dict):
            return unwrap_checkpoint(state[key])
    return state


def map_videomae_keys(state: dict) -> Tuple[dict, list]:
    """VideoMAE checkpoint -> :class:`VideoViT` state dict.

    Handles pre-training checkpoints (encoder under ``encoder.``, a decoder
    beside it) and fine-tuned ones (``fc_norm`` instead of ``norm`` when
    they mean-pool, a classifier ``head``), each possibly saved under
    ``model``/``module`` and with a DDP ``module.`` prefix. VideoMAE keeps
    the query and value biases apart (``attn.q_bias``, ``attn.v_bias``; the
    key has none), here they are one ``qkv.bias`` with zeros for the key.

    Returns:
        tuple: the mapped state dict and the checkpoint keys left out
        (decoder, classifier, fixed position tables).
    """
    state = unwrap_checkpoint(state)
    if any(k.startswith('module.') for k in state):
        state = {k[len('module.'):]: v for k, v in state.items()}
    has_encoder_prefix = any(k.startswith('encoder.') for k in state)
    mapped, skipped = {}, []
    for key, value in state.items():
        if has_encoder_prefix:
            if not key.startswith('encoder.'):
                skipped.append(key)
                continue
            key = key[len('encoder.'):]
        if key.startswith('head.') or key == 'pos_embed':
            skipped.append(key)
            continue
        if key.startswith('fc_norm.'):
            if any(k.startswith('norm.') for k in state):
                skipped.append(key)
                continue
            key = 'norm.' + key[len('fc_norm.'):]
        mapped[key] = value
    for key in [k for k in mapped if k.endswith('.attn.q_bias')]:
        prefix = key[:-len('q_bias')]
        q_bias = mapped.pop(key)
        v_bias = mapped.pop(prefix + 'v_bias')
        mapped[prefix + 'qkv.bias'] = torch.cat(
            [q_bias, torch.zeros_like(q_bias), v_bias])
    return mapped, skipped


@MODELS.register_module()
class VideoViT(BaseModule):
    """Video ViT over spatio-temporal tubes.

    Args:
        arch (str | dict): ``'tiny'``, ``'small'``, ``'base'`` or a dict with
            ``embed_dims``, ``num_layers``, ``num_heads``.
        patch_size (int): Tube height and width in pixels.
        tubelet_size (int): Tube length in frames.
        in_channels (int): Input channels.
        mlp_ratio (float): MLP width over embed width.
        checkpoint (str, optional): Local VideoMAE-format weights
            (``pkg://`` allowed); the decoder and classifier of the file are
            ignored and the load is reported.
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self,
                 arch: Union[str, dict] = 'base',
                 patch_size: int = 16,
                 tubelet_size: int = 2,
                 in_channels: int = 3,
                 mlp_ratio: float = 4.0,
                 checkpoint: Optional[str] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if isinstance(arch, str):
            if arch not in ARCHS:
                raise ConfigError(f'unknown VideoViT arch {arch!r}; choose '
                                  f'one of {sorted(ARCHS)} or give a dict '
                                  'with embed_dims, num_layers, num_heads')
            arch = ARCHS[arch]
        missing = {'embed_dims', 'num_layers', 'num_heads'} - set(arch)
        if missing:
            raise ConfigError(f'VideoViT arch dict lacks {sorted(missing)}')
        self.embed_dims = int(arch['embed_dims'])
        self.num_layers = int(arch['num_layers'])
        self.patch_size = patch_size
        self.tubelet_size = tubelet_size
        self.patch_embed = nn.Module()
        self.patch_embed.proj = nn.Conv3d(
            in_channels,
            self.embed_dims,
            kernel_size=(tubelet_size, patch_size, patch_size),
            stride=(tubelet_size, patch_size, patch_size))
        self.blocks = nn.ModuleList([
            TransformerBlock(self.embed_dims, int(arch['num_heads']),
                             mlp_ratio) for _ in range(self.num_layers)
        ])
        self.norm = nn.LayerNorm(self.embed_dims, eps=1e-6)
        self._init_vit_weights()
        self.checkpoint = checkpoint
        if checkpoint is not None:
            self.load_checkpoint(checkpoint)

    def _init_vit_weights(self) -> None:
        # Xavier for linear layers as in MAE/VideoMAE; the tube projection
        # like a linear layer over the flattened tube.
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)
                nn.init.zeros_(module.bias)
        weight = self.patch_embed.proj.weight
        nn.init.xavier_uniform_(weight.view(weight.shape[0], -1))

    def grid(self, frames_shape: torch.Size) -> Tuple[int, int, int]:
        """Token grid (t, h, w) of (B, T, 3, H, W) frames."""
        t, h, w = frames_shape[1], frames_shape[3], frames_shape[4]
        p, k = self.patch_size, self.tubelet_size
        if t % k or h % p or w % p:
            raise ConfigError(
                f'clips of {t} frames at {h}x{w} do not split into '
                f'{k}x{p}x{p} tubes: sample a multiple of {k} frames and '
                f'crop to a multiple of {p} pixels')
        return t // k, h // p, w // p

    def positions(self, num_tokens: int, device,
                  dtype: torch.dtype) -> torch.Tensor:
        """(N, D) fixed positions of the flattened tube grid."""
        return sinusoid_positions(num_tokens, self.embed_dims).to(
            device=device, dtype=dtype)

    def embed(self,
              frames: torch.Tensor,
              mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Tube tokens with positions, the visible ones only under a mask.

        Args:
            frames (Tensor): (B, T, 3, H, W) normalised frames.
            mask (Tensor, optional): (B, N) bool, True for masked tubes; the
                same number per sample (tube masking guarantees it).

        Returns:
            Tensor: (B, N_visible, D) in grid order, N_visible = N without a
            mask.
        """
        self.grid(frames.shape)
        x = self.patch_embed.proj(frames.transpose(1, 2))  # (B, D, t, h, w)
        x = x.flatten(2).transpose(1, 2)
        x = x + self.positions(x.shape[1], x.device, x.dtype)
        if mask is not None:
            x = x[~mask].reshape(x.shape[0], -1, x.shape[2])
        return x

    def encode(self,
               tokens: torch.Tensor,
               valid: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Run the blocks and the final norm on any token sequence.

        Args:
            tokens (Tensor): (B, S, D).
            valid (Tensor, optional): (B, S), 1 for tokens that may be
                attended (padding excluded).
        """
        attn_mask = key_padding_mask(valid)
        for block in self.blocks:
            tokens = block(tokens, attn_mask)
        return self.norm(tokens)

    def forward(self,
                frames: torch.Tensor,
                mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """(B, T, 3, H, W) -> (B, N_visible, D) encoded tube tokens."""
        return self.encode(self.embed(frames, mask))

    def load_checkpoint(self, checkpoint: str) -> None:
        """Load VideoMAE-format weights, reporting what did not match."""
        path = check_exists(
            checkpoint, 'VideoMAE checkpoint',
            'Give a local .pth of a VideoMAE ViT (pre-trained or '
            'fine-tuned), or checkpoint=None to start from scratch.')
        # The project's safe unpickler (SNPS3_TRUST_CHECKPOINTS=1 for files
        # that pickle more than tensors, e.g. VideoMAE's saved arguments).
        state, skipped = map_videomae_keys(
            load_local_checkpoint(path, map_location='cpu'))
        own = self.state_dict()
        wrong_shape = [
            k for k, v in state.items() if k in own and v.shape != own[k].shape
        ]
        if wrong_shape:
            k = wrong_shape[0]
            raise ConfigError(
                f"checkpoint '{path}' does not fit this VideoViT: '{k}' is "
                f'{tuple(state[k].shape)} there, {tuple(own[k].shape)} here; '
                'pick the arch/patch_size/tubelet_size it was trained with')
        missing, unexpected = self.load_state_dict(state, strict=False)
        print_log(
            f"VideoViT weights from '{path}': {len(own) - len(missing)}/"
            f'{len(own)} tensors loaded; missing {missing[:5]}, unexpected '
            f'{unexpected[:5]}, left out {len(skipped)} (decoder, head, '
            'position tables)',
            logger='current')
        self.load_report = dict(
            missing=list(missing),
            unexpected=list(unexpected),
            skipped=skipped)
