# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from typing import Optional

import torch
import torch.nn as nn

from snps3.models.losses import mil_nce
from snps3.registry import MODELS

from .base import BaseProxyHead


@MODELS.register_module()
class CrossMatchingHead(BaseProxyHead):
    """Cross matching: the fusion encoder scores caption-video pairs.

    The part of GVTM that goes through the fusion encoder:
    ``S_ij = MLP(dropout(pooled_fusion(caption_i, video_j)))`` with
    ``MLP = Linear(D, 2D)-ReLU-Linear(2D, 1)``, trained with MIL-NCE over
    this rank's batch (see :func:`~snps3.models.losses.mil_nce`)::

        l_i = -log(e^{S_ii} / (sum_j e^{S_ji} + sum_{j != i} e^{S_ij}))

    Which negative pairs go through the encoder:

    * ``'all'`` (public code): every ``(i, j)``, ``i != j``, of the batch,
      ``B^2 - B`` fusion sequences in one batched pass. The positives come
      from the context's ``fusion_pos`` pass, which other heads (VTM)
      share.
    * ``'hard'`` (ALBEF / VindLU style): per caption the ``num_hard``
      videos, and per video the ``num_hard`` captions, that the dual
      encoder (``ctx.local_similarity``) ranks highest, the positive
      excluded; at most ``2 * B * num_hard`` sequences. Pairs that are
      never scored leave the loss: every scored pair ``(i, j)`` enters
      both ``l_i`` (row) and ``l_j`` (column), whichever direction mined
      it.

    A pair of two captions of the same video (``ctx.same_video``, from the
    batch's video uids) is a positive, never used as a negative: the hard
    miner would otherwise pick exactly those pairs, the dual encoder
    ranking them highest, and teach the matcher to reject true matches.

    Args:
        hidden_size (int): Width of the encoder.
        negatives (str): ``'all'`` or ``'hard'``.
        num_hard (int): Hard negatives per caption and per video
            (``'hard'`` only); at most ``B - 1`` are used.
        dropout (float): Dropout on the joint [CLS] before the MLP.
    """

    requires = ('fusion_pos', )

    def __init__(self,
                 hidden_size: int,
                 negatives: str = 'all',
                 num_hard: int = 3,
                 dropout: float = 0.1,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if negatives not in ('all', 'hard'):
            raise ValueError(
                f"negatives must be 'all' or 'hard', got {negatives!r}")
        if num_hard < 1:
            raise ValueError(f'num_hard must be >= 1, got {num_hard}')
        self.negatives = negatives
        self.num_hard = num_hard
        if negatives == 'hard':
            self.requires = ('fusion_pos', 'local_similarity')
        self.dropout = nn.Dropout(dropout)
        self.mlp = nn.Sequential(
            nn.Linear(hidden_size, 2 * hidden_size), nn.ReLU(inplace=True),
            nn.Linear(2 * hidden_size, 1))

    def score_pairs(self, pooled: torch.Tensor) -> torch.Tensor:
        """Matching scores of fused pairs (also for re-ranking, MC).

        Args:
            pooled (Tensor): (N, D) joint [CLS] of N (caption, video) pairs.

        Returns:
            Tensor: (N, ) scores; higher means a better match.
        """
        return self.mlp(self.dropout(pooled)).squeeze(-1)

    def negative_mask(
            self,
            similarity: torch.Tensor,
            same_video: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Which off-diagonal pairs to score.

        Args:
            similarity (Tensor): (B, B) caption-to-video scores used for
                mining (``'hard'`` only; row i ranks the videos of
                caption i).
            same_video (Tensor, optional): (B, B) bool, True at pairs
                whose caption belongs to the video; never negatives.

        Returns:
            Tensor: (B, B) bool, True at the negative pairs ``(i, j)`` to
            fuse; the diagonal is always False.
        """
        b = similarity.shape[0]
        positive = torch.eye(b, dtype=torch.bool, device=similarity.device)
        if same_video is not None:
            positive = positive | same_video
        if self.negatives == 'all':
            return ~positive
        k = min(self.num_hard, b - 1)
        mask = torch.zeros_like(positive)
        if k == 0:
            return mask
        sim = similarity.masked_fill(positive, float('-inf'))
        rows = torch.arange(b, device=sim.device)
        # Hardest videos of each caption (row), then hardest captions of
        # each video (column); a pair picked twice is fused once.
        mask[rows[:, None], sim.topk(k, dim=1).indices] = True
        mask[sim.topk(k, dim=0).indices, rows[None, :]] = True
        # A row with fewer than k negatives picked positives at -inf.
        return mask & ~positive

    def loss(self, ctx) -> dict:
        b = ctx.batch_size
        positive = self.score_pairs(ctx.fusion_pos[1]).float()
        device = positive.device
        if self.negatives == 'hard':
            mask = self.negative_mask(ctx.local_similarity, ctx.same_video)
        else:
            # 'all' needs no mining: skip the text pass it would cost.
            mask = self.negative_mask(
                torch.zeros(b, b, device=device), ctx.same_video)
        text_index, video_index = mask.nonzero(as_tuple=True)
        rows = torch.arange(b, device=device)
        # Unscored pairs stay -inf, which drops them from the softmax.
        scores = positive.new_full((b, b), float('-inf')).index_put(
            (rows, rows), positive)
        if text_index.numel() > 0:
            # One batched fusion pass for every negative, not one per pair.
            negative = self.score_pairs(
                ctx.fuse_pairs(text_index, video_index)).float()
            scores = scores.index_put((text_index, video_index), negative)
        # With B == 1 there is nothing to contrast: the loss is exactly 0,
        # still a function of the positive score, so the graph is kept.
        out = mil_nce(scores, scores.t())
        return dict(loss_xm=out['loss'] * self.loss_weight, xm_acc=out['acc'])
