# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from typing import Dict, List, Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModel

from snps3.registry import MODELS

from .forward_context import ForwardContext


@MODELS.register_module()
class VideoTextPretrainer(BaseModel):
    """Backbone + text/fusion encoder + a dict of proxy-task heads.

    Which encoder (SNP's shared BERT or a separate-encoder baseline) and which
    heads (MLM or MSSM, VTC, LVWM, ...) is decided by the config alone.

    Args:
        backbone (dict): Frame encoder config; returns (B, T, D) tokens.
        encoder (dict): Text/fusion encoder config.
        heads (dict): Name -> head config. Heads whose config has
            ``hidden_size``/``vocab_size`` set to ``None`` get the
            encoder's.
        retrieval_head (str): Name of the head that embeds texts and videos
            for retrieval (``predict`` and ``similarity``).
        data_preprocessor (dict, optional): Batch preprocessor config.
    """

    def __init__(self,
                 backbone: dict,
                 encoder: dict,
                 heads: Dict[str, dict],
                 retrieval_head: str = 'vtc',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='VideoTextDataPreprocessor')
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.encoder = MODELS.build(encoder)
        width = self.encoder.hidden_size
        backbone = dict(backbone)
        backbone.setdefault('out_channels', width)
        self.backbone = MODELS.build(backbone)
        self.heads = nn.ModuleDict()
        for name, cfg in heads.items():
            cfg = dict(cfg)
            for key, value in (('hidden_size', width),
                               ('vocab_size',
                                self.encoder.word_embeddings.num_embeddings)):
                if key in cfg and cfg[key] is None:
                    cfg[key] = value
            head = MODELS.build(cfg)
            if hasattr(head, 'tie_weights'):
                head.tie_weights(self.encoder.word_embeddings)
            self.heads[name] = head
        if retrieval_head not in self.heads:
            raise ValueError(
                f"retrieval_head '{retrieval_head}' is not among the heads "
                f'{list(self.heads)}')
        self.retrieval_head = retrieval_head

    @property
    def retrieval_head_module(self):
        """The head that embeds texts and videos into the joint space."""
        return self.heads[self.retrieval_head]

    def extract_video(self, frames: torch.Tensor) -> torch.Tensor:
        """(B, T, 3, H, W) normalised frames -> (B, T, D) frame tokens."""
        tokens = self.backbone(frames)
        return tokens[0] if isinstance(tokens, tuple) else tokens

    def forward(self,
                inputs: Dict[str, torch.Tensor],
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.extract_feats(inputs)
        raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', "
                         f'got {mode!r}')

    def loss(self, inputs: Dict[str, torch.Tensor]) -> dict:
        ctx = ForwardContext(self, inputs)
        losses = {}
        for name, head in self.heads.items():
            for key, value in head.loss(ctx).items():
                if key in losses:
                    raise KeyError(f"head '{name}' reports '{key}', which "
                                   'another head reports too')
                losses[key] = value
        return losses

    def extract_feats(self, inputs: Dict[str, torch.Tensor]) -> dict:
        """Retrieval features: whichever of text/video the inputs hold.

        Returns:
            dict: ``text_feat`` (B, E) and/or ``video_feat`` (B, T, E).
        """
        head = self.retrieval_head_module
        feats = {}
        if 'input_ids' in inputs:
            pooled = self.encoder.forward_text(inputs['input_ids'],
                                               inputs['attention_mask'])[1]
            feats['text_feat'] = head.embed_text(pooled)
        if 'frames' in inputs:
            feats['video_feat'] = head.embed_video(
                self.extract_video(inputs['frames']))
        return feats

    def predict(self, inputs: Dict[str, torch.Tensor],
                data_samples: List) -> List:
        feats = self.extract_feats(inputs)
        for i, sample in enumerate(data_samples):
            for key, value in feats.items():
                sample.set_field(value[i], key)
        return data_samples

    def similarity(self, text_feats: torch.Tensor,
                   video_feats: torch.Tensor) -> torch.Tensor:
        """Dual-encoder scores (Nt, Nv) of features from ``extract_feats``."""
        return self.retrieval_head_module.similarity(text_feats, video_feats)
