# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""P3E: a text BERT plus a separate fusion BERT (the paper's baseline)."""
from typing import Dict, Optional, Tuple

import torch
import torch.nn as nn

from snps3.registry import MODELS

from .shared_bert import BaseBertEncoder, fusion_inputs, speed_up

FUSION_INITS = ('text_layers', 'random')


@MODELS.register_module()
class SeparateFusionEncoder(BaseBertEncoder):
    """Pixel-level three-fusion (P3E): separate text and fusion networks.

    The design SNP is compared with: the caption is encoded by a text BERT,
    and a *separate* fusion encoder of ``fusion_layers`` BERT layers, with
    its own embeddings (word, position, type, LayerNorm) and pooler, runs on
    the text states followed by the video tokens.

    * text mode: the text BERT on ``[CLS] caption [SEP]`` (type 0), as in
      SNP.
    * fusion mode: the text BERT on the caption gives states (B, L, D); the
      fusion BERT then encodes ``[text states ; v_1 .. v_T ; SEP]`` through
      its ``inputs_embeds`` path with SNP's layout (:func:`fusion_inputs`:
      type 0 then 1, positions restarting at 0 for the video part, masks
      concatenated), so its own position/type embeddings are added. The
      closing [SEP] is the fusion BERT's own word embedding; the rest of
      its word table is unused, but it is part of the baseline as the
      paper counts it (at BERT-base, P3E - SNP = a 3-layer BERT-base with
      its embeddings = 45.1M parameters). The fusion BERT's pooler plays
      the role of SNP's fusion pooler.

    Args:
        pretrained (str, optional): Local BERT folder for the text BERT
            (``pkg://`` allowed).
        config (dict, optional): ``BertConfig`` arguments to build the text
            BERT from scratch, or overrides of the pretrained config. The
            fusion BERT copies the resulting config.
        fusion_layers (int): Layers of the fusion BERT. Default 3 (paper).
        fusion_init (str): ``'text_layers'`` initialises the fusion BERT
            from the text BERT (embeddings, its first ``fusion_layers``
            layers, pooler); ``'random'`` keeps BERT's random init.
        sep_token_id (int): Id of [SEP], which closes the video part.
        tokenizer (str, optional): Tokenizer folder for
            :meth:`export_pretrained`.
        **speed: ``attn_implementation``, ``gradient_checkpointing``,
            ``compile``, ``fast_dropout`` (see :class:`BaseBertEncoder`);
            they apply to both BERTs.
    """

    has_fusion = True
    fusion_reads_text_states = True

    def __init__(self,
                 pretrained: Optional[str] = None,
                 config: Optional[dict] = None,
                 fusion_layers: int = 3,
                 fusion_init: str = 'text_layers',
                 sep_token_id: int = 102,
                 tokenizer: Optional[str] = None,
                 init_cfg: Optional[dict] = None,
                 **speed) -> None:
        super().__init__(
            pretrained=pretrained,
            config=config,
            tokenizer=tokenizer,
            init_cfg=init_cfg,
            **speed)
        if fusion_init not in FUSION_INITS:
            raise ValueError(f'fusion_init must be one of {FUSION_INITS}, '
                             f'got {fusion_init!r}')
        text_layers = self.bert.config.num_hidden_layers
        if fusion_layers < 1:
            raise ValueError(
                f'fusion_layers must be >= 1, got {fusion_layers}')
        if fusion_init == 'text_layers' and fusion_layers > text_layers:
            raise ValueError(
                f"fusion_init='text_layers' needs fusion_layers <= the text "
                f'BERT\'s {text_layers} layers, got {fusion_layers}; use '
                "fusion_init='random' for a deeper fusion encoder.")
        self.fusion_layers = fusion_layers
        self.fusion_init = fusion_init
        self.sep_token_id = sep_token_id
        self.fusion_bert = self._build_fusion_bert()
        speed_up(self.fusion_bert, self.gradient_checkpointing,
                 self.compile_options, self.fast_dropout)

    def parts(self) -> Dict[str, nn.Module]:
        """The text BERT and the separate fusion BERT."""
        return {'text': self.bert, 'fusion': self.fusion_bert}

    def _build_fusion_bert(self) -> nn.Module:
        """A full ``BertModel`` of ``fusion_layers`` layers, own embeddings.

        Built through ``_from_config``, whose HF initialisation marks every
        module as initialised: MMEngine's ``init_weights`` later (Runner)
        leaves the copied weights alone.
        """
        from transformers import BertModel
        fusion_config = self.bert.config.__class__.from_dict(
            self.bert.config.to_dict())
        fusion_config.num_hidden_layers = self.fusion_layers
        fusion = BertModel._from_config(
            fusion_config, attn_implementation=self.attn_implementation)
        if self.fusion_init == 'text_layers':
            # Same key names, fewer layers: only text layers >= N are left
            # over; a missing key would mean a partial copy.
            missing, _ = fusion.load_state_dict(
                self.bert.state_dict(), strict=False)
            if missing:
                raise RuntimeError('text BERT weights do not cover the fusion '
                                   f'BERT: missing {missing[:5]}')
        return fusion

    def forward_fusion(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        video_tokens: torch.Tensor,
        video_mask: Optional[torch.Tensor] = None,
        text_states: Optional[torch.Tensor] = None
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Text BERT on the caption, then the fusion BERT on text + video.

        Args:
            input_ids (Tensor): (B, L) word-piece ids.
            attention_mask (Tensor): (B, L), 1 for real tokens.
            video_tokens (Tensor): (B, T, D) frame (or patch) tokens.
            video_mask (Tensor, optional): (B, T), 1 for real frames.
            text_states (Tensor, optional): (B, L, D) the text BERT's states
                of these very captions (``forward_text(input_ids,
                attention_mask)[0]``) when the caller has them already:
                the text BERT is then not run again.

        Returns:
            tuple: joint hidden states (B, L+T+1, D) and the joint [CLS]
            through the fusion BERT's pooler (B, D).
        """
        if text_states is None:
            text_states = self.forward_text(input_ids, attention_mask)[0]
        sep = self.fusion_bert.embeddings.word_embeddings.weight[
            self.sep_token_id]
        out = self.fusion_bert(**fusion_inputs(text_states, attention_mask,
                                               video_tokens, sep, video_mask))
        return out.last_hidden_state, out.pooler_output
