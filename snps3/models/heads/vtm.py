# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from snps3.registry import MODELS

from .base import BaseProxyHead


@MODELS.register_module()
class VTMHead(BaseProxyHead):
    """Video-text matching: is this caption about this video?

    A binary classifier (``Linear(D, 2)``, class 1 = matched) on the joint
    [CLS] of the fusion pass. Per batch of B pairs it sees 3B fusion
    sequences: the B positives (the context's ``fusion_pos`` pass, shared
    with cross matching), and 2B negatives fused in one batched pass: each
    caption with one other video of the batch, and each video with one
    other caption. Negatives are drawn

    * ``'hard'`` (ALBEF): in proportion to ``softmax(local_similarity)``
      over the row (video for a caption) or column (caption for a video),
      the positive excluded, so the dual encoder's confusions are
      sampled most;
    * ``'random'`` (public code): uniformly among the other B - 1.

    A batch of one has no negative to draw. The head then returns a zero
    loss computed from the positive's logits (so the classifier and the
    fusion pooler stay in the graph, which DDP needs on every rank) rather
    than a loss on positives alone, which would only teach the classifier
    to answer "matched"; ``vtm_acc`` is then the accuracy on the positive.

    Args:
        hidden_size (int): Width of the encoder.
        negatives (str): ``'hard'`` or ``'random'``.
    """

    requires = ('fusion_pos', 'local_similarity')

    def __init__(self,
                 hidden_size: int,
                 negatives: str = 'hard',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if negatives not in ('hard', 'random'):
            raise ValueError(
                f"negatives must be 'hard' or 'random', got {negatives!r}")
        self.negatives = negatives
        if negatives == 'random':
            self.requires = ('fusion_pos', )
        self.classifier = nn.Linear(hidden_size, 2)

    def sample_negatives(
        self,
        similarity: torch.Tensor,
        same_video: Optional[torch.Tensor] = None
    ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Draw one negative video per caption and caption per video.

        Args:
            similarity (Tensor): (B, B) caption-to-video logits, B >= 2
                (only read with ``'hard'``).
            same_video (Tensor, optional): (B, B) bool, pairs whose caption
                belongs to the video: not drawn, unless a row has nothing
                else to draw.

        Returns:
            tuple: (B, ) ``neg_video[i]``, the video paired with caption i,
            and (B, ) ``neg_text[j]``, the caption paired with video j;
            never the positive.
        """
        b = similarity.shape[0]
        eye = torch.eye(b, dtype=torch.bool, device=similarity.device)
        if self.negatives == 'hard':
            logits = similarity.detach().float()
        else:
            logits = torch.zeros(b, b, device=similarity.device)
        same = torch.zeros_like(eye) if same_video is None else same_video

        def draw(logits, same):
            # Masking the positive before the softmax is the same as ALBEF's
            # zeroed diagonal after renormalising, and it cannot underflow
            # to an all-zero row: its largest weight is at least 1/(B - 1).
            # Other captions of the video are masked too, unless a row
            # would have nothing left.
            skip = eye | same
            skip = torch.where((~skip).any(1, keepdim=True), skip, eye)
            weights = logits.masked_fill(skip, float('-inf')).softmax(dim=1)
            return torch.multinomial(weights, 1).squeeze(1)

        neg_video = draw(logits, same)
        neg_text = draw(logits.t(), same.t())
        return neg_video, neg_text

    def loss(self, ctx) -> dict:
        b = ctx.batch_size
        pos_logits = self.classifier(ctx.fusion_pos[1]).float()
        device = pos_logits.device
        if b < 2:
            acc = (pos_logits.argmax(-1) == 1).float().mean()
            return dict(loss_vtm=pos_logits.sum() * 0.0, vtm_acc=acc)
        if self.negatives == 'hard':
            similarity = ctx.local_similarity
        else:
            # 'random' ignores the scores: don't run the text pass for them.
            similarity = torch.zeros(b, b, device=device)
        neg_video, neg_text = self.sample_negatives(similarity, ctx.same_video)
        rows = torch.arange(b, device=device)
        # Caption i with neg_video[i], then neg_text[j] with video j.
        neg_pooled = ctx.fuse_pairs(
            torch.cat([rows, neg_text]), torch.cat([neg_video, rows]))
        logits = torch.cat([pos_logits, self.classifier(neg_pooled).float()])
        labels = torch.cat([
            torch.ones(b, dtype=torch.long, device=device),
            torch.zeros(2 * b, dtype=torch.long, device=device)
        ])
        loss = F.cross_entropy(logits, labels)
        with torch.no_grad():
            acc = (logits.argmax(-1) == labels).float().mean()
        return dict(loss_vtm=loss * self.loss_weight, vtm_acc=acc)
