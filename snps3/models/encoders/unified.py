# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""SimVTP's unified encoder: one ViT stack for video and text tokens.

Visible video tubes come first, then the caption's tokens from a BERT
embedding layer (word + position + token-type embeddings and their
LayerNorm; none of BERT's layers), and one stack of ViT blocks attends over
both. There is no modality embedding: the video's sinusoidal positions and
the text's learned ones tell them apart. Padding is hidden from attention
by the text's mask. The same stack encodes video alone or text alone (the
dual-encoder features of contrastive learning and retrieval).
"""
from typing import Optional, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from snps3.registry import MODELS

from .shared_bert import build_bert


@MODELS.register_module()
class UnifiedVideoTextEncoder(BaseModule):
    """Video tubes and caption tokens through one ViT.

    Args:
        vit (dict): Config of the :class:`~snps3.models.VideoViT` whose tube
            embedding and blocks are used.
        text_pretrained (str, optional): Local BERT folder whose embedding
            layer is taken (``pkg://`` allowed); the rest of the BERT is
            dropped.
        text_config (dict, optional): ``BertConfig`` arguments to build the
            embedding layer from scratch (or overrides of the pretrained
            config). ``hidden_size`` defaults to the ViT's width.

    When the BERT's width differs from the ViT's (MiniLM's 384 with
    ViT-Ti's 192), a linear layer maps the text embeddings to the ViT width
    and :attr:`word_embeddings_tied` is False, so an MLM decoder is not tied
    to them.
    """

    def __init__(self,
                 vit: dict,
                 text_pretrained: Optional[str] = None,
                 text_config: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.vit = MODELS.build(vit)
        config = dict(text_config or {})
        if text_pretrained is None:
            config.setdefault('hidden_size', self.vit.embed_dims)
            config.setdefault('num_hidden_layers', 1)
            config.setdefault('num_attention_heads', 1)
            config.setdefault('intermediate_size', 4)
        # Only the embedding layer is kept; building a one-layer BERT around
        # it is the least code that also reads HuggingFace folders.
        self.text_embeddings = build_bert(text_pretrained, config
                                          or None).embeddings
        text_width = self.text_embeddings.word_embeddings.embedding_dim
        self.text_proj = (
            nn.Identity() if text_width == self.vit.embed_dims else nn.Linear(
                text_width, self.vit.embed_dims))
        self.text_pretrained = text_pretrained

    @property
    def hidden_size(self) -> int:
        return self.vit.embed_dims

    @property
    def word_embeddings(self) -> nn.Embedding:
        return self.text_embeddings.word_embeddings

    @property
    def word_embeddings_tied(self) -> bool:
        """Whether an MLM decoder of the ViT width can share the table."""
        return isinstance(self.text_proj, nn.Identity)

    def embed_text(self, input_ids: torch.Tensor) -> torch.Tensor:
        """(B, L) ids -> (B, L, D) text tokens at the ViT width."""
        embeds = self.text_embeddings(
            input_ids=input_ids, token_type_ids=torch.zeros_like(input_ids))
        return self.text_proj(embeds)

    def embed_video(self,
                    frames: torch.Tensor,
                    mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """(B, T, 3, H, W) -> (B, N_visible, D) tube tokens with positions."""
        return self.vit.embed(frames, mask)

    def forward_video(self, video_tokens: torch.Tensor) -> torch.Tensor:
        """Video alone: (B, N, D) tube tokens -> (B, N, D) states."""
        return self.vit.encode(video_tokens)

    def forward_text(self, input_ids: torch.Tensor,
                     attention_mask: torch.Tensor) -> torch.Tensor:
        """Text alone: (B, L) -> (B, L, D) states (padding not attended)."""
        return self.vit.encode(self.embed_text(input_ids), attention_mask)

    def forward_joint(
            self, video_tokens: torch.Tensor, input_ids: torch.Tensor,
            attention_mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Video then text, full attention over both.

        Args:
            video_tokens (Tensor): (B, N, D) tube tokens (visible ones, or
                all of them), from :meth:`embed_video`.
            input_ids (Tensor): (B, L) caption ids.
            attention_mask (Tensor): (B, L), 1 for real tokens.

        Returns:
            tuple: video states (B, N, D) and text states (B, L, D).
        """
        n = video_tokens.shape[1]
        tokens = torch.cat(
            [video_tokens,
             self.embed_text(input_ids).to(video_tokens.dtype)],
            dim=1)
        valid = torch.cat(
            [attention_mask.new_ones(tokens.shape[0], n), attention_mask],
            dim=1)
        states = self.vit.encode(tokens, valid)
        return states[:, :n], states[:, n:]
