# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""SNP: one BERT that encodes the caption alone and the caption with video.

Also home of what every BERT-based encoder of the toolbox shares: building
the BERT (:func:`build_bert`), the ``[text ; video ; SEP]`` fusion layout
(:func:`fusion_inputs`) and the text-mode half with HuggingFace export
(:class:`BaseBertEncoder`); the P3E and two-stream baselines build on them.
"""
import copy
import os
from typing import Dict, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from snps3.models.fast_dropout import use_fast_dropout
from snps3.registry import MODELS
from snps3.utils.paths import check_exists, resolve_path

#: Files whose presence marks a folder as holding a BERT tokenizer.
TOKENIZER_FILES = ('vocab.txt', 'tokenizer.json')

#: HuggingFace attention back-ends a BERT can be built with.
ATTN_IMPLEMENTATIONS = ('sdpa', 'eager')


def build_bert(pretrained: Optional[str],
               config: Optional[dict],
               attn_implementation: str = 'sdpa'):
    """A HuggingFace ``BertModel`` from a local folder or a config dict.

    Args:
        pretrained (str, optional): Local BERT folder (``pkg://`` allowed).
        config (dict, optional): ``BertConfig`` arguments.
        attn_implementation (str): ``'sdpa'`` (default: PyTorch's fused
            scaled-dot-product attention, flash/memory-efficient kernels on
            CPU and GPU) or ``'eager'`` (HF's reference matmul-softmax).
    """
    from transformers import BertConfig, BertModel
    if attn_implementation not in ATTN_IMPLEMENTATIONS:
        raise ValueError(
            f'attn_implementation must be one of {ATTN_IMPLEMENTATIONS}, '
            f'got {attn_implementation!r}')
    if pretrained is not None:
        path = check_exists(pretrained, 'BERT checkpoint folder',
                            'Give a folder with config.json and weights.')
        return BertModel.from_pretrained(
            path, attn_implementation=attn_implementation, **(config or {}))
    if config is None:
        raise ValueError('give `pretrained` (a BERT folder) or `config` '
                         '(BertConfig arguments) to build the text encoder')
    return BertModel._from_config(
        BertConfig(**config), attn_implementation=attn_implementation)


def speed_up(module: nn.Module,
             gradient_checkpointing: bool = False,
             compile: Union[bool, dict] = False,
             fast_dropout: bool = False) -> None:
    """Apply the model-level speed switches to a HuggingFace model, in place.

    Args:
        module (nn.Module): A ``transformers`` model.
        gradient_checkpointing (bool): Recompute each layer's activations in
            the backward pass instead of keeping them (less memory, about
            a third more compute); only active in training mode.
        compile (bool | dict): ``torch.compile`` the module in place
            (``nn.Module.compile``, so checkpoint keys do not change); a
            dict gives ``torch.compile``'s arguments.
        fast_dropout (bool): Swap the model's dropouts for
            :class:`~snps3.models.fast_dropout.FastDropout` (a cheaper mask
            on CPU, the same dropout elsewhere).
    """
    if fast_dropout:
        use_fast_dropout(module)
    if gradient_checkpointing:
        # Non-reentrant checkpointing works with inputs that need no grad
        # (frozen embeddings) and with DDP's unused-parameter detection.
        module.gradient_checkpointing_enable(
            gradient_checkpointing_kwargs=dict(use_reentrant=False))
    if compile:
        module.compile(**(compile if isinstance(compile, dict) else {}))


def fusion_inputs(
        text_embeds: torch.Tensor,
        attention_mask: torch.Tensor,
        video_tokens: torch.Tensor,
        sep_embed: torch.Tensor,
        video_mask: Optional[torch.Tensor] = None) -> Dict[str, torch.Tensor]:
    """Lay out ``[text ; video ; SEP]`` for a BERT's ``inputs_embeds`` path.

    The one definition of the fusion layout, used by the shared (SNP) and
    the separate (P3E) fusion encoders alike, so the baseline differs from
    SNP in its weights only: the text part has token type 0 and positions
    0..L-1; the video tokens and the closing [SEP] have type 1 and
    positions restarting at 0 (so the video part is encoded the same way
    whatever the caption's length); the padding masks are concatenated in
    the same order, the [SEP] always attended.

    Args:
        text_embeds (Tensor): (B, L, D) caption embeddings (word embeddings
            for SNP, text-BERT states for P3E).
        attention_mask (Tensor): (B, L), 1 for real tokens.
        video_tokens (Tensor): (B, T, D) frame (or patch) tokens.
        sep_embed (Tensor): (D, ) embedding that closes the video part.
        video_mask (Tensor, optional): (B, T), 1 for real frames; all ones
            when not given.

    Returns:
        dict: keyword arguments of ``BertModel.forward``:
        ``inputs_embeds`` (B, L+T+1, D), ``attention_mask``,
        ``position_ids`` and ``token_type_ids`` (B, L+T+1).
    """
    b, length = attention_mask.shape
    t = video_tokens.shape[1]
    device = attention_mask.device
    embeds = torch.cat([
        text_embeds,
        video_tokens.to(text_embeds.dtype),
        sep_embed.to(text_embeds.dtype).expand(b, 1, -1)
    ],
                       dim=1)
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
    mask = torch.cat([
        attention_mask,
        video_mask.to(attention_mask.dtype),
        attention_mask.new_ones(b, 1)
    ],
                     dim=1)
    return dict(
        inputs_embeds=embeds,
        attention_mask=mask,
        position_ids=positions,
        token_type_ids=types)


class BaseBertEncoder(BaseModule):
    """A text BERT (``self.bert``) and what every encoder does with it.

    Subclasses add the fusion mode. Keeping the text BERT under the same
    attribute name in every encoder gives the same checkpoint keys
    (``encoder.bert.*``), so the text half of an SNP, P3E or two-stream
    checkpoint loads into any of them.

    Args:
        pretrained (str, optional): Local BERT folder (``pkg://`` allowed).
        config (dict, optional): ``BertConfig`` arguments to build from
            scratch, or overrides of the pretrained config.
        tokenizer (str, optional): Tokenizer folder written next to the
            weights by :meth:`export_pretrained`. Defaults to ``pretrained``
            when that folder holds a tokenizer.
        attn_implementation (str): ``'sdpa'`` (default) or ``'eager'``;
            see :func:`build_bert`.
        gradient_checkpointing (bool): Recompute the BERT layers'
            activations in the backward pass (see :func:`speed_up`).
        compile (bool | dict): ``torch.compile`` the BERT(s) in place.
        fast_dropout (bool): Cheaper dropout masks on CPU (default; see
            :func:`speed_up`). The same keep probability and scaling, a
            different random stream from ``nn.Dropout``'s.
    """

    #: Whether :meth:`forward_fusion` exists, so a model can check that the
    #: heads it is given (those reading a fusion pass) can run.
    has_fusion: bool = False
    #: Whether :meth:`forward_fusion` starts from the text pass's states
    #: (P3E). The forward context then hands it the text pass it has
    #: already run, instead of the encoder running it again.
    fusion_reads_text_states: bool = False

    def __init__(self,
                 pretrained: Optional[str] = None,
                 config: Optional[dict] = None,
                 tokenizer: Optional[str] = None,
                 attn_implementation: str = 'sdpa',
                 gradient_checkpointing: bool = False,
                 compile: Union[bool, dict] = False,
                 fast_dropout: bool = True,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.bert = build_bert(pretrained, config, attn_implementation)
        self.pretrained = pretrained
        self.tokenizer_path = tokenizer
        self.attn_implementation = attn_implementation
        self.gradient_checkpointing = gradient_checkpointing
        self.compile_options = compile
        self.fast_dropout = fast_dropout
        speed_up(self.bert, gradient_checkpointing, compile, fast_dropout)

    @property
    def hidden_size(self) -> int:
        return self.bert.config.hidden_size

    @property
    def word_embeddings(self) -> nn.Embedding:
        """The text BERT's word embeddings (the MLM decoder ties to them)."""
        return self.bert.embeddings.word_embeddings

    def parts(self) -> Dict[str, nn.Module]:
        """Sub-networks by role (``shared``/``text``/``fusion``).

        For reports such as ``tools/analysis_tools/count_params.py``.
        """
        return {'text': self.bert}

    def forward_text(
            self, input_ids: torch.Tensor,
            attention_mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
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

    def forward_fusion(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        video_tokens: torch.Tensor,
        video_mask: Optional[torch.Tensor] = None,
        text_states: Optional[torch.Tensor] = None
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Fusion mode; see the subclasses."""
        raise NotImplementedError(f'{type(self).__name__} has no fusion mode')

    def _tokenizer_folder(self, tokenizer: Optional[str]) -> Optional[str]:
        """Tokenizer to export: argument, constructor's, pretrained folder."""
        if tokenizer is not None:
            return tokenizer
        if self.tokenizer_path is not None:
            return self.tokenizer_path
        if self.pretrained is not None:
            folder = resolve_path(self.pretrained)
            if any(
                    os.path.isfile(os.path.join(folder, name))
                    for name in TOKENIZER_FILES):
                return self.pretrained
        return None

    def export_pretrained(self,
                          out_dir: str,
                          tokenizer: Optional[str] = None) -> Optional[str]:
        """Write the text BERT as a HuggingFace folder.

        ``transformers.BertModel.from_pretrained(out_dir)`` then gives the
        trained text encoder (weights as ``model.safetensors`` with
        ``config.json``), for fine-tuning or feature extraction outside this
        toolbox. The tokenizer is written beside it when one is known, so
        ``AutoTokenizer.from_pretrained(out_dir)`` works too.

        Args:
            out_dir (str): Output folder, created if needed.
            tokenizer (str, optional): Tokenizer folder (``pkg://``
                allowed); overrides the encoder's own.

        Returns:
            str | None: The tokenizer folder that was exported, if any.
        """
        from transformers import BertTokenizerFast
        os.makedirs(out_dir, exist_ok=True)
        self.bert.save_pretrained(out_dir, safe_serialization=True)
        folder = self._tokenizer_folder(tokenizer)
        if folder is not None:
            path = check_exists(folder, 'tokenizer folder',
                                'Give a folder with vocab.txt.')
            # Loading and saving (rather than copying files) writes the full
            # set (vocab.txt, tokenizer.json, configs) even from a folder
            # that only has vocab.txt.
            BertTokenizerFast.from_pretrained(path).save_pretrained(out_dir)
        return folder


@MODELS.register_module()
class SharedBertEncoder(BaseBertEncoder):
    """Shared Network Pre-training: the same BERT weights in two modes.

    * text mode: ``[CLS] caption [SEP]`` with token type 0.
    * fusion mode: ``[CLS] caption [SEP]`` (type 0, positions 0..L-1)
      followed by ``v_1 .. v_T [SEP]`` (type 1, positions restarting at 0);
      the padding masks are concatenated in the same order
      (:func:`fusion_inputs`).

    Only the pooler of the joint [CLS] is not shared.

    Args:
        pretrained (str, optional): Local BERT folder (``pkg://`` allowed).
        config (dict, optional): ``BertConfig`` arguments to build from
            scratch, or overrides of the pretrained config.
        sep_token_id (int): Id of [SEP], which closes the video part (102 in
            the bert-base-uncased WordPiece vocabulary).
        tokenizer (str, optional): Tokenizer folder for
            :meth:`export_pretrained`.
        **speed: ``attn_implementation``, ``gradient_checkpointing``,
            ``compile``, ``fast_dropout`` (see :class:`BaseBertEncoder`).
    """

    has_fusion = True

    def __init__(self,
                 pretrained: Optional[str] = None,
                 config: Optional[dict] = None,
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
        self.sep_token_id = sep_token_id
        self.fusion_pooler = copy.deepcopy(self.bert.pooler)

    def parts(self) -> Dict[str, nn.Module]:
        """The BERT serves both modes; only the joint pooler is fusion's."""
        return {'shared': self.bert, 'fusion': self.fusion_pooler}

    def forward_fusion(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        video_tokens: torch.Tensor,
        video_mask: Optional[torch.Tensor] = None,
        text_states: Optional[torch.Tensor] = None
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Fusion mode on the caption followed by the video tokens.

        Args:
            input_ids (Tensor): (B, L) word-piece ids.
            attention_mask (Tensor): (B, L).
            video_tokens (Tensor): (B, T, D) frame (or patch) tokens.
            video_mask (Tensor, optional): (B, T), 1 for real frames.
            text_states (Tensor, optional): Unused: SNP's fusion pass
                starts from the word embeddings, not from a text pass.

        Returns:
            tuple: joint hidden states (B, L+T+1, D) and the joint [CLS]
            through the fusion pooler (B, D).
        """
        # The closing [SEP] is looked up with the caption: indexing the
        # table apart would cost a gradient the size of the whole table.
        sep = input_ids.new_full((input_ids.shape[0], 1), self.sep_token_id)
        embeds = self.word_embeddings(torch.cat([input_ids, sep], dim=1))
        text_embeds, sep_embed = embeds[:, :-1], embeds[0, -1]
        out = self.bert(**fusion_inputs(text_embeds, attention_mask,
                                        video_tokens, sep_embed, video_mask))
        hidden = out.last_hidden_state
        return hidden, self.fusion_pooler(hidden)
