# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from collections import OrderedDict
from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.model import BaseModule

from snps3.registry import MODELS
from snps3.utils.paths import check_exists


def map_state_dict_by_order(source: dict, target: dict) -> 'OrderedDict':
    """Rename ``source`` tensors to ``target``'s keys, pairing them in order.

    For checkpoints of the same network saved under another naming scheme
    (e.g. the ``efficientnet_pytorch`` package vs timm). Source entries whose
    shape does not fit the next target entry (a classifier the target drops)
    are skipped; running out of matches is an error, not a partial load.
    """
    mapped = OrderedDict()
    src = iter(source.items())
    for key, value in target.items():
        for src_key, src_value in src:
            if src_value.shape == value.shape:
                mapped[key] = src_value
                break
        else:
            raise ValueError(f"checkpoint has no tensor for '{key}' "
                             f'{tuple(value.shape)} (mapping by order)')
    return mapped


@MODELS.register_module()
class TimmFrameEncoder(BaseModule):
    """Any timm image model as a frame encoder: one token per frame.

    Frames (B, T, 3, H, W) run through the model's ``forward_features`` as one
    (B*T) batch; the feature grid is average-pooled over space and projected
    to the text width, giving (B, T, D). With ``patch_grid=g`` the grid is
    also pooled to g x g local tokens per frame (``forward`` then returns
    them as ``(B, T, g*g, D)`` in the second output) for local matching.

    Args:
        model_name (str): A timm model name, e.g. ``'resnet50'``,
            ``'pvt_v2_b2'``, ``'efficientnet_lite0'``.
        out_channels (int): Width of the frame tokens (the text width).
        checkpoint (str, optional): Local weights file (``pkg://`` allowed).
        key_mapping (str): ``'by_name'`` (timm's keys) or ``'by_order'``.
        pretrained (bool): Let timm fetch its own pretrained weights (needs
            the hub; not possible offline).
        patch_grid (int, optional): Also return a pooled g x g patch grid.
        model_kwargs (dict, optional): Extra ``timm.create_model`` arguments.
        temporal (dict, optional): A module over the projected frame tokens
            (B, T, D), e.g. ``dict(type='TemporalTransformer')``, so that
            frames see each other (motion); ``embed_dims`` defaults to
            ``out_channels``. The patch tokens of ``patch_grid`` do not go
            through it.
        autocast (bool): ``False`` runs this backbone in fp32 even inside a
            bf16/fp16 autocast region (the BERT keeps the lower precision).
            Depthwise convolutions (EfficientNet, MobileNet) have no fast
            bf16 kernels on CPUs and run slower in bf16 than in fp32.
        channels_last (bool): Keep the network's weights and the frames in
            channels-last memory order (NHWC), which oneDNN and cuDNN
            convolutions run fastest in; the results are the same. On a
            2-core CPU it made EfficientNet-lite0 1.4x and ResNet-50 1.3x
            faster in fp32 (forward + backward, 64 px).
        grad_checkpointing (bool): timm's activation checkpointing (less
            memory, more compute; training mode only).
        compile (bool | dict): ``torch.compile`` the timm model in place; a
            dict gives ``torch.compile``'s arguments.
    """

    def __init__(self,
                 model_name: str,
                 out_channels: int,
                 checkpoint: Optional[str] = None,
                 key_mapping: str = 'by_name',
                 pretrained: bool = False,
                 patch_grid: Optional[int] = None,
                 model_kwargs: Optional[dict] = None,
                 temporal: Optional[dict] = None,
                 autocast: bool = True,
                 channels_last: bool = True,
                 grad_checkpointing: bool = False,
                 compile: Union[bool, dict] = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        import timm
        self.model = timm.create_model(
            model_name,
            pretrained=pretrained,
            num_classes=0,
            global_pool='',
            **(model_kwargs or {}))
        self.checkpoint = checkpoint
        self.key_mapping = key_mapping
        self.patch_grid = patch_grid
        self.proj = nn.Linear(self.model.num_features, out_channels)
        self.temporal = None
        if temporal is not None:
            temporal = dict(temporal)
            temporal.setdefault('embed_dims', out_channels)
            self.temporal = MODELS.build(temporal)
        # Load now, not in init_weights: MMEngine's Runner calls
        # init_weights only for models it builds from scratch.
        if checkpoint is not None:
            self.load_checkpoint(checkpoint, key_mapping)
        self.autocast = autocast
        self.channels_last = channels_last
        if channels_last:
            self.model.to(memory_format=torch.channels_last)
        if grad_checkpointing:
            self.model.set_grad_checkpointing(True)
        if compile:
            options = compile if isinstance(compile, dict) else {}
            self.model.compile(**options)

    def load_checkpoint(self, checkpoint: str, key_mapping: str) -> None:
        path = check_exists(checkpoint, 'backbone checkpoint')
        state = torch.load(path, map_location='cpu', weights_only=True)
        state = state.get('state_dict', state)
        target = self.model.state_dict()
        if key_mapping == 'by_order':
            state = map_state_dict_by_order(state, target)
        elif key_mapping != 'by_name':
            raise ValueError(f"key_mapping must be 'by_name' or 'by_order', "
                             f'got {key_mapping!r}')
        missing, unexpected = self.model.load_state_dict(state, strict=False)
        print_log(
            f"backbone weights from '{path}': {len(target) - len(missing)}"
            f'/{len(target)} tensors loaded; missing {missing[:5]}, '
            f'unexpected {unexpected[:5]}', 'current')

    def grid(self, frames: torch.Tensor) -> torch.Tensor:
        """Feature grid (N, C, h, w) of frames (N, 3, H, W)."""
        if self.channels_last:
            frames = frames.contiguous(memory_format=torch.channels_last)
        feats = self.model.forward_features(frames)
        if feats.dim() == 3:  # ViT-style (N, L, C) tokens: drop prefix
            prefix = getattr(self.model, 'num_prefix_tokens', 0)
            feats = feats[:, prefix:]
            side = int(feats.shape[1]**0.5)
            feats = feats.transpose(1, 2).reshape(feats.shape[0], -1, side,
                                                  side)
        elif feats.dim() == 4 and feats.shape[1] != self.model.num_features:
            feats = feats.permute(0, 3, 1, 2)  # channels-last models
        return feats

    def forward(self, frames: torch.Tensor):
        """Encode frames (B, T, 3, H, W).

        Returns:
            Tensor | tuple: frame tokens (B, T, D); with ``patch_grid``, also
            patch tokens (B, T, g*g, D).
        """
        b, t = frames.shape[:2]
        if self.autocast or not torch.is_autocast_enabled(frames.device.type):
            grid = self.grid(frames.flatten(0, 1))
        else:
            with torch.autocast(frames.device.type, enabled=False):
                grid = self.grid(frames.flatten(0, 1).float())
        tokens = self.proj(grid.mean(dim=(2, 3))).view(b, t, -1)
        if self.temporal is not None:
            tokens = self.temporal(tokens)
        if not self.patch_grid:
            return tokens
        local = nn.functional.adaptive_avg_pool2d(grid, self.patch_grid)
        local = self.proj(local.flatten(2).transpose(1, 2))
        return tokens, local.view(b, t, -1, local.shape[-1])
