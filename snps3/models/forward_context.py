# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from functools import cached_property
from typing import Dict, Optional, Tuple

import torch

from snps3.utils.dist import gather_with_grad, rank_offset


def same_video_mask(inputs: Dict[str, torch.Tensor],
                    across_ranks: bool = False) -> Optional[torch.Tensor]:
    """Pairs of a batch whose caption belongs to the video, the own pairs
    aside: positives that a contrastive head must not use as negatives.

    Args:
        inputs (dict): The batch; reads ``video_uid`` (B, ).
        across_ranks (bool): Columns are every rank's samples, in the order
            of :func:`~snps3.utils.dist.gather_with_grad`.

    Returns:
        Tensor | None: (B, B) or (B, N) bool, True where row i's caption
        and column j's video are one video but not the own pair; ``None``
        when the batch carries no video uids.
    """
    uid = inputs.get('video_uid')
    if uid is None:
        return None
    others = gather_with_grad(uid) if across_ranks else uid
    same = uid[:, None] == others[None, :]
    rows = torch.arange(uid.shape[0], device=uid.device)
    offset = rank_offset(uid.shape[0]) if across_ranks else 0
    same[rows, rows + offset] = False
    return same


class SameVideoMixin:
    """``same_video`` (B, B) and ``same_video_all`` (B, N, against every
    rank's samples) of a context holding the batch as ``self.inputs``; see
    :func:`same_video_mask`."""

    @cached_property
    def same_video(self) -> Optional[torch.Tensor]:
        return same_video_mask(self.inputs)

    @cached_property
    def same_video_all(self) -> Optional[torch.Tensor]:
        return same_video_mask(self.inputs, across_ranks=True)


class ForwardContext(SameVideoMixin):
    """The encoder passes of one batch, each run at most once, on demand.

    Heads read what they need; a pass no enabled head reads is never run, and
    a pass several heads read (the text pass feeds VTC, LVWM and negative
    mining) is run once.

    Args:
        model: The model owning ``backbone``, ``encoder`` and the retrieval
            head (whose ``embed_text``/``embed_video`` give the global
            features).
        inputs (dict): Batched inputs from the data preprocessor: ``frames``
            (B, T, 3, H, W), ``input_ids``/``attention_mask`` (B, L) and,
            depending on the transforms, ``mlm_input_ids``/``mlm_labels``
            (B, L) or ``lvwm_positions`` (B, K).
    """

    def __init__(self, model, inputs: Dict[str, torch.Tensor]) -> None:
        self.model = model
        self.inputs = inputs

    @property
    def batch_size(self) -> int:
        return self.inputs['input_ids'].shape[0]

    @cached_property
    def frame_tokens(self) -> torch.Tensor:
        """(B, T, D) one token per frame."""
        return self.model.extract_video(self.inputs['frames'])

    @cached_property
    def text(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """Text mode on the raw caption: (B, L, D) states, (B, D) pooled."""
        return self.model.encoder.forward_text(self.inputs['input_ids'],
                                               self.inputs['attention_mask'])

    @cached_property
    def text_feats(self) -> torch.Tensor:
        """(B, E) normalised global text features (with gradient)."""
        return self.model.retrieval_head_module.embed_text(self.text[1])

    @cached_property
    def video_feats(self) -> torch.Tensor:
        """(B, T, E) normalised frame features (with gradient)."""
        return self.model.retrieval_head_module.embed_video(self.frame_tokens)

    @cached_property
    def momentum_feats(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """Keys of the model's momentum branch, no gradient.

        Only models with a momentum branch (a head that sets
        ``needs_momentum_model``, e.g. VTC with a MoCo queue) have them.

        Returns:
            tuple: text (B, E) and frame (B, T, E) normalised features of
            the raw captions and the frames.
        """
        return self.model.extract_momentum_feats(self.inputs)

    @cached_property
    def local_similarity(self) -> torch.Tensor:
        """(B, B) text-to-video scores of this rank's batch, no gradient.

        For mining hard negatives: row i ranks the videos for caption i.
        """
        with torch.no_grad():
            return self.model.retrieval_head_module.similarity(
                self.text_feats.detach(), self.video_feats.detach())

    @cached_property
    def fusion_mlm(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """Fusion mode on the masked caption and its own video."""
        return self.model.encoder.forward_fusion(self.inputs['mlm_input_ids'],
                                                 self.inputs['attention_mask'],
                                                 self.frame_tokens)

    def _text_states(self, index=None):
        """The text pass's states for an encoder whose fusion reads them.

        A P3E fusion pass starts from the text BERT's states of the raw
        caption, which this context's text pass already holds: handing them
        over saves one text-BERT pass per fusion call (``None`` for encoders
        that start from the word embeddings, so no text pass is forced).
        """
        if not getattr(self.model.encoder, 'fusion_reads_text_states', False):
            return None
        states = self.text[0]
        return states if index is None else states.index_select(0, index)

    @cached_property
    def fusion_pos(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """Fusion mode on each raw caption with its own video (positives)."""
        return self.model.encoder.forward_fusion(
            self.inputs['input_ids'],
            self.inputs['attention_mask'],
            self.frame_tokens,
            text_states=self._text_states())

    def fuse_pairs(self, text_index: torch.Tensor,
                   video_index: torch.Tensor) -> torch.Tensor:
        """Fusion passes on (caption, video) pairs of this batch.

        Args:
            text_index (Tensor): (N, ) caption indices into the batch.
            video_index (Tensor): (N, ) video indices into the batch.

        Returns:
            Tensor: (N, D) pooled joint [CLS] of each pair.
        """
        ids = self.inputs['input_ids'][text_index]
        mask = self.inputs['attention_mask'][text_index]
        # index_select, not ``tokens[video_index]``: a video sits in several
        # pairs, and on a multi-threaded CPU the backward of advanced
        # indexing sums repeated rows with atomic adds in whatever order the
        # threads take (runs then differ in the last bits, and drift apart);
        # index_select's backward (index_add_) sums them in a fixed order.
        return self.model.encoder.forward_fusion(
            ids,
            mask,
            self.frame_tokens.index_select(0, video_index),
            text_states=self._text_states(text_index))[1]
