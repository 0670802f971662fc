# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""SimVTP: video-text pre-training as a masked autoencoder.

One unified encoder (:class:`~snps3.models.encoders.UnifiedVideoTextEncoder`)
and, per training step, two kinds of passes:

* **masked**: tube-masked video (90% of the tubes hidden, the encoder sees
  the rest) followed by the MLM-masked caption (75% of its tokens), one
  joint pass; it feeds the pixel reconstruction and MLM heads;
* **clean**: the whole video alone and the raw caption alone (VTC, mean
  pooled), and joint passes of raw captions with whole videos (VTM).

The public code runs VTC and VTM on the masked inputs and averages padding
into its means; we use clean inputs and masked means (see the method notes).
"""
import copy
import warnings
from functools import cached_property
from typing import Dict, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.logging import print_log

from snps3.registry import MODELS
from snps3.utils.errors import ConfigError

from .forward_context import SameVideoMixin
from .heads.mean_pool_vtc import masked_mean
from .multi_head_model import MultiHeadModel
from .pretrained import load_pretrained


class SimVTPContext(SameVideoMixin):
    """The passes of one SimVTP batch, each run at most once, on demand.

    Offers the names the toolbox's heads read (``fusion_mlm`` for
    :class:`~snps3.models.heads.MLMHead`; ``fusion_pos``,
    ``local_similarity`` and ``fuse_pairs`` for
    :class:`~snps3.models.heads.VTMHead`), so they run unchanged on the
    unified encoder.

    Args:
        model (SimVTPPretrainer): The model.
        inputs (dict): ``frames`` (B, T, 3, H, W), ``input_ids`` and
            ``attention_mask`` (B, L) and, with MLM, ``mlm_input_ids`` and
            ``mlm_labels`` (B, L).
    """

    def __init__(self, model: 'SimVTPPretrainer',
                 inputs: Dict[str, torch.Tensor]) -> None:
        self.model = model
        self.inputs = inputs

    @property
    def batch_size(self) -> int:
        return self.inputs['input_ids'].shape[0]

    @cached_property
    def tube_mask(self) -> torch.Tensor:
        """(B, N) bool, True for masked tubes."""
        frames = self.inputs['frames']
        grid = self.model.encoder.vit.grid(frames.shape)
        return self.model.tube_masking(frames.shape[0], grid, frames.device)

    @cached_property
    def masked_pass(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """Joint pass on visible tubes and the masked caption.

        Returns:
            tuple: (B, N_visible, D) video and (B, L, D) text states.
        """
        encoder = self.model.encoder
        ids = self.inputs.get('mlm_input_ids', self.inputs['input_ids'])
        tokens = encoder.embed_video(self.inputs['frames'], self.tube_mask)
        return encoder.forward_joint(tokens, ids,
                                     self.inputs['attention_mask'])

    @property
    def masked_video(self) -> torch.Tensor:
        return self.masked_pass[0]

    @property
    def fusion_mlm(self) -> Tuple[torch.Tensor, None]:
        """Text states of the masked pass (what MLMHead reads)."""
        return self.masked_pass[1], None

    @cached_property
    def video_tokens(self) -> torch.Tensor:
        """(B, N, D) embedded tubes of the whole clip."""
        return self.model.extract_video(self.inputs['frames'])

    @cached_property
    def video_clean(self) -> torch.Tensor:
        """(B, N, D) states of the whole clip encoded alone."""
        return self.model.encoder.forward_video(self.video_tokens)

    @cached_property
    def text_clean(self) -> torch.Tensor:
        """(B, L, D) states of the raw caption encoded alone."""
        return self.model.forward_text(self.inputs['input_ids'],
                                       self.inputs['attention_mask'])

    @cached_property
    def text_feats(self) -> torch.Tensor:
        return self.model.retrieval_head_module.embed_text(
            self.text_clean, self.inputs['attention_mask'])

    @cached_property
    def video_feats(self) -> torch.Tensor:
        return self.model.retrieval_head_module.embed_video(self.video_clean)

    @cached_property
    def local_similarity(self) -> torch.Tensor:
        """(B, B) caption-to-video scores, no gradient (negative mining)."""
        with torch.no_grad():
            return self.model.similarity(self.text_feats.detach(),
                                         self.video_feats.detach())

    @cached_property
    def fusion_pos(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """Joint pass of each raw caption with its whole clip."""
        return self.model.fuse(self.video_tokens, self.inputs['input_ids'],
                               self.inputs['attention_mask'])

    def fuse_pairs(self, text_index: torch.Tensor,
                   video_index: torch.Tensor) -> torch.Tensor:
        """(N, D) pooled joint states of (caption, clip) pairs of the batch."""
        # index_select for a reproducible backward: see
        # ForwardContext.fuse_pairs.
        return self.model.fuse(
            self.video_tokens.index_select(0, video_index),
            self.inputs['input_ids'][text_index],
            self.inputs['attention_mask'][text_index])[1]


@MODELS.register_module()
class SimVTPPretrainer(MultiHeadModel):
    """Unified encoder + tube masking + a dict of heads (SimVTP).

    Args:
        encoder (dict): A :class:`UnifiedVideoTextEncoder` config.
        heads (dict): Name -> head config (``None`` switches one off).
            ``None`` values of ``hidden_size``, ``in_dims``,
            ``vocab_size``, ``patch_size`` and ``tubelet_size`` are filled
            in from the encoder.
        tube_masking (dict): :class:`~snps3.models.TubeMasking` config.
        retrieval_head (str, optional): Head embedding texts and videos
            (``embed_text``/``embed_video``/``similarity``), a
            :class:`MeanPoolVTCHead`; ``None`` for a task model that embeds
            nothing (VideoQA).
        text_tower (bool): Encode text with a separate copy of the encoder
            (SimVTP's retrieval fine-tuning: a video tower and a text tower,
            both initialised from the pre-trained unified encoder). A
            checkpoint without ``text_encoder.*`` weights fills the text
            tower from its ``encoder.*`` ones.
        data_preprocessor (dict, optional): Batch preprocessor config.
        init_from (dict, optional): Fine-tuning: keyword arguments of
            :func:`~snps3.models.pretrained.load_pretrained` (``checkpoint``,
            ``key_map``, ``ignore``, ``require``), applied by
            :meth:`init_weights`, as in ``VideoTextPretrainer``.
    """

    def __init__(self,
                 encoder: dict,
                 heads: Dict[str, Optional[dict]],
                 tube_masking: Optional[dict] = None,
                 retrieval_head: Optional[str] = 'vtc',
                 text_tower: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_from: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='VideoTextDataPreprocessor')
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.encoder = MODELS.build(encoder)
        masking = dict(tube_masking or {})
        masking.setdefault('type', 'TubeMasking')
        self.tube_masking = MODELS.build(masking)
        vit = self.encoder.vit
        fill = dict(
            hidden_size=self.encoder.hidden_size,
            in_dims=self.encoder.hidden_size,
            vocab_size=self.encoder.word_embeddings.num_embeddings,
            patch_size=vit.patch_size,
            tubelet_size=vit.tubelet_size)
        self.heads = nn.ModuleDict()
        for name, cfg in heads.items():
            if cfg is None:
                continue
            cfg = dict(cfg)
            for key, value in fill.items():
                if key in cfg and cfg[key] is None:
                    cfg[key] = value
            head = MODELS.build(cfg)
            if (hasattr(head, 'tie_weights')
                    and self.encoder.word_embeddings_tied):
                head.tie_weights(self.encoder.word_embeddings)
            self.heads[name] = head
        if retrieval_head is not None and retrieval_head not in self.heads:
            raise ConfigError(
                f"retrieval_head '{retrieval_head}' is not among the heads "
                f'{list(self.heads)}; add a MeanPoolVTCHead under that name')
        self.retrieval_head = retrieval_head
        self.text_encoder = (
            copy.deepcopy(self.encoder) if text_tower else None)
        if text_tower:
            self._register_load_state_dict_pre_hook(self._fill_text_tower)
        elif retrieval_head is not None:
            self._register_load_state_dict_pre_hook(self._refuse_text_tower)
        self.init_from = dict(init_from) if init_from is not None else None
        #: The LoadReport of init_from, once init_weights has run.
        self.init_report = None

    def init_weights(self) -> None:
        super().init_weights()
        if self.init_from is None:
            return
        if self.init_from.get('checkpoint') is None:
            warnings.warn('model.init_from.checkpoint is None: fine-tuning '
                          'starts from scratch, not from a pre-trained '
                          'SimVTP; pass --cfg-options '
                          'model.init_from.checkpoint=PATH')
            return
        self.init_report = load_pretrained(self, **self.init_from)

    @staticmethod
    def _fill_text_tower(state_dict, prefix, *args) -> None:
        # A pre-trained (single encoder) checkpoint initialises both towers.
        tower = prefix + 'text_encoder.'
        if any(k.startswith(tower) for k in state_dict):
            return
        source = prefix + 'encoder.'
        keys = [k for k in state_dict if k.startswith(source)]
        for key in keys:
            state_dict[tower + key[len(source):]] = state_dict[key]
        if keys:
            print_log(
                f'text tower (text_encoder.*) initialised from the '
                f'{len(keys)} encoder.* tensors of the checkpoint',
                logger='current')

    @staticmethod
    def _refuse_text_tower(state_dict, prefix, *args) -> None:
        # Loading non-strictly, a dual encoder's text tower would only be
        # 'unexpected keys', and its captions would be encoded by the video
        # tower: retrieval numbers of the wrong model, silently.
        if any(k.startswith(prefix + 'text_encoder.') for k in state_dict):
            raise ConfigError(
                'the checkpoint has a text tower (text_encoder.*), which '
                'this model, built with text_tower=False, would ignore and '
                'encode the captions with the video tower instead: set '
                'model.text_tower=True (--cfg-options model.text_tower=True)'
                ', as configs/retrieval/simvtp_ft_embedded.py does.')

    @property
    def retrieval_head_module(self):
        if self.retrieval_head is None:
            raise ConfigError(
                f'{type(self).__name__} has no retrieval head: evaluate '
                'retrieval with a model that has one (SimVTPPretrainer '
                "with retrieval_head='vtc')")
        return self.heads[self.retrieval_head]

    def extract_video(self, frames: torch.Tensor) -> torch.Tensor:
        """(B, T, 3, H, W) frames -> (B, N, D) embedded tubes of the whole
        clip, what the joint pass reads (``frame_tokens``)."""
        return self.encoder.embed_video(frames)

    def forward_text(self, input_ids: torch.Tensor,
                     attention_mask: torch.Tensor) -> torch.Tensor:
        """(B, L, D) text states from the text tower (or the encoder)."""
        encoder = self.text_encoder or self.encoder
        return encoder.forward_text(input_ids, attention_mask)

    def fuse(
            self, video_tokens: torch.Tensor, input_ids: torch.Tensor,
            attention_mask: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Joint pass; returns (B, N + L, D) states and their masked mean."""
        video, text = self.encoder.forward_joint(video_tokens, input_ids,
                                                 attention_mask)
        states = torch.cat([video, text], dim=1)
        valid = torch.cat(
            [attention_mask.new_ones(video.shape[:2]), attention_mask], dim=1)
        return states, masked_mean(states, valid)

    def loss(self, inputs: Dict[str, torch.Tensor]) -> dict:
        return self.head_losses(SimVTPContext(self, inputs))

    def extract_feats(self, inputs: Dict[str, torch.Tensor]) -> dict:
        """Retrieval features, with VideoTextPretrainer's keys.

        Returns:
            dict: ``text_feat`` (B, D) and/or ``video_feat`` (B, 1, D)
            (mean-pooled unified encoder on text alone / video alone), the
            caption's ``input_ids``/``attention_mask`` and the clip's
            embedded tubes as ``frame_tokens`` (B, N, D), for fusion
            re-ranking with a VTM head.
        """
        head = self.retrieval_head_module
        feats = {}
        if 'input_ids' in inputs:
            states = self.forward_text(inputs['input_ids'],
                                       inputs['attention_mask'])
            feats['text_feat'] = head.embed_text(states,
                                                 inputs['attention_mask'])
            feats['input_ids'] = inputs['input_ids']
            feats['attention_mask'] = inputs['attention_mask']
        if 'frames' in inputs:
            tokens = self.extract_video(inputs['frames'])
            feats['video_feat'] = head.embed_video(
                self.encoder.forward_video(tokens))
            feats['frame_tokens'] = tokens
        return feats

    def pair_scores(self, input_ids: torch.Tensor,
                    attention_mask: torch.Tensor, frame_tokens: torch.Tensor,
                    head: str) -> torch.Tensor:
        """VTM scores of N (caption, clip) pairs: matched minus unmatched
        logit of a head with a ``classifier`` (VTMHead)."""
        if head not in self.heads or not hasattr(self.heads[head],
                                                 'classifier'):
            raise ConfigError(
                f"fusion scoring needs a VTM head, got '{head}' (heads: "
                f'{list(self.heads)})')
        pooled = self.fuse(frame_tokens, input_ids, attention_mask)[1]
        logits = self.heads[head].classifier(pooled).float()
        return logits[:, 1] - logits[:, 0]

    def similarity(self, text_feats: torch.Tensor,
                   video_feats: torch.Tensor) -> torch.Tensor:
        """Dual-encoder scores (Nt, Nv) of features from extract_feats."""
        return self.retrieval_head_module.similarity(text_feats, video_feats)
