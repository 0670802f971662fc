# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""SNP: one BERT that encodes the caption alone and the caption with video."""
import copy
from typing import Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from snps3.registry import MODELS
from snps3.utils.paths import check_exists


def build_bert(pretrained: Optional[str], config: Optional[dict]):
    """A HuggingFace ``BertModel`` from a local folder or a config dict."""
    from transformers import BertConfig, BertModel
    if pretrained is not None:
        path = check_exists(pretrained, 'BERT checkpoint folder',
                            'Give a folder with config.json and weights.')
        return BertModel.from_pretrained(
            path, attn_implementation='sdpa', **(config or {}))
    if config is None:
        raise ValueError('give `pretrained` (a BERT folder) or `config` '
                         '(BertConfig arguments) to build the text encoder')
    return BertModel._from_config(
        BertConfig(**config), attn_implementation='sdpa')


@MODELS.register_module()
class SharedBertEncoder(BaseModule):
    """Shared Network Pre-training: the same BERT weights in two modes.

    * text mode: ``[CLS] caption [SEP]`` with token type 0.
    * fusion mode: ``[CLS] caption [SEP]`` (type 0, positions 0..L-1)
      followed by ``v_1 .. v_T [SEP]`` (type 1, positions restarting at 0);
      the padding masks are concatenated in the same order.

    Only the pooler of the joint [CLS] is not shared.

    Args:
        pretrained (str, optional): Local BERT folder (``pkg://`` allowed).
        config (dict, optional): ``BertConfig`` arguments to build from
            scratch, or overrides of the pretrained config.
        sep_token_id (int): Id of [SEP], which closes the video part (102 in
            the bert-base-uncased WordPiece vocabulary).
    """

    def __init__(self,
                 pretrained: Optional[str] = None,
                 config: Optional[dict] = None,
                 sep_token_id: int = 102,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.bert = build_bert(pretrained, config)
        self.sep_token_id = sep_token_id
        self.fusion_pooler = copy.deepcopy(self.bert.pooler)

    @property
    def hidden_size(self) -> int:
        return self.bert.config.hidden_size

    @property
    def word_embeddings(self) -> nn.Embedding:
        return self.bert.embeddings.word_embeddings

    def forward_text(self, input_ids: torch.Tensor,
                     attention_mask: torch.Tensor):
        """Text mode.

        Args:
            input_ids (Tensor): (B, L) word-piece ids.
            attention_mask (Tensor): (B, L), 1 for real tokens.

        Returns:
            tuple: hidden states (B, L, D) and pooled [CLS] (B, D).
        """
        out = self.bert(
            input_ids=input_ids,
            attention_mask=attention_mask,
            token_type_ids=torch.zeros_like(input_ids))
        return out.last_hidden_state, out.pooler_output

    def forward_fusion(self,
                       input_ids: torch.Tensor,
                       attention_mask: torch.Tensor,
                       video_tokens: torch.Tensor,
                       video_mask: Optional[torch.Tensor] = None):
        """Fusion mode on the caption followed by the video tokens.

        Args:
            input_ids (Tensor): (B, L) word-piece ids.
            attention_mask (Tensor): (B, L).
            video_tokens (Tensor): (B, T, D) frame (or patch) tokens.
            video_mask (Tensor, optional): (B, T), 1 for real frames.

        Returns:
            tuple: joint hidden states (B, L+T+1, D) and the joint [CLS]
            through the fusion pooler (B, D).
        """
        b, length = input_ids.shape
        t = video_tokens.shape[1]
        words = self.word_embeddings(input_ids)
        sep = self.word_embeddings.weight[self.sep_token_id]
        embeds = torch.cat(
            [words, video_tokens.to(words.dtype),
             sep.expand(b, 1, -1)], dim=1)
        device = input_ids.device
        positions = torch.cat([
            torch.arange(length, device=device),
            torch.arange(t + 1, device=device)
        ]).expand(b, -1)
        types = torch.cat([
            torch.zeros(b, length, dtype=torch.long, device=device),
            torch.ones(b, t + 1, dtype=torch.long, device=device)
        ],
                          dim=1)
        if video_mask is None:
            video_mask = torch.ones(
                b, t, dtype=attention_mask.dtype, device=device)
        mask = torch.cat(
            [attention_mask, video_mask,
             video_mask.new_ones(b, 1)], dim=1)
        out = self.bert(
            inputs_embeds=embeds,
            attention_mask=mask,
            position_ids=positions,
            token_type_ids=types)
        hidden = out.last_hidden_state
        return hidden, self.fusion_pooler(hidden)
