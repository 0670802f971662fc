# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Contrastive losses with several frames per video (MIL over frames)."""
from typing import Optional, Union

import torch
import torch.nn.functional as F

#: A fixed temperature or a learnable one (a 0-dim tensor).
Temperature = Union[float, torch.Tensor]


def mil_similarity(queries: torch.Tensor, frames: torch.Tensor,
                   temperature: Temperature) -> torch.Tensor:
    """Query-video similarity, frames (and query vectors) by logsumexp.

    A query is one text feature (VTC) or a bag of ``K`` word features
    (LVWM); a video is a bag of ``T`` frame features. Both bags are
    combined by logsumexp, which is one logsumexp over the ``K * T`` pairs:
    ``logsumexp_t logsumexp_k x_kt = logsumexp_(k,t) x_kt``.

    Args:
        queries (Tensor): (N, E) normalised text features, or (N, K, E)
            word features.
        frames (Tensor): (M, T, E) normalised frame features.
        temperature (float | Tensor): Softmax temperature.

    Returns:
        Tensor: (N, M) logits ``logsumexp_(k,t)(<q_nk, f_mt> / temperature)``.
    """
    if queries.dim() == 2:
        queries = queries[:, None]
    sims = torch.einsum('nke,mte->nmkt', queries, frames) / temperature
    return sims.flatten(2).logsumexp(dim=-1)


def infonce_text_video(text_local: torch.Tensor,
                       frames_local: torch.Tensor,
                       text_all: torch.Tensor,
                       frames_all: torch.Tensor,
                       offset: int,
                       temperature: Temperature,
                       same_video: Optional[torch.Tensor] = None) -> dict:
    """Symmetric InfoNCE of this rank's pairs against all ranks' negatives.

    Args:
        text_local (Tensor): (B, E) this rank's text features, or
            (B, K, E) word features (see :func:`mil_similarity`).
        frames_local (Tensor): (B, T, E) this rank's frame features.
        text_all (Tensor): (N, E) or (N, K, E), all ranks' text features
            (gathered).
        frames_all (Tensor): (N, T, E) all ranks' frame features.
        offset (int): Index of this rank's first pair in the gathered batch.
        temperature (float | Tensor): Softmax temperature.
        same_video (Tensor, optional): (B, N) bool, pairs of this rank's
            samples with all ranks' whose caption belongs to the video (the
            own pairs False): left out of both softmaxes, as they are
            positives, not negatives.

    Returns:
        dict: ``loss`` (mean of both directions) and ``acc`` (t2v top-1).
    """
    targets = torch.arange(
        text_local.shape[0], device=text_local.device) + offset
    t2v = mil_similarity(text_local, frames_all, temperature)
    v2t = mil_similarity(text_all, frames_local, temperature).t()
    if same_video is not None:
        t2v = t2v.masked_fill(same_video, float('-inf'))
        v2t = v2t.masked_fill(same_video, float('-inf'))
    loss = (F.cross_entropy(t2v, targets) + F.cross_entropy(v2t, targets)) / 2
    acc = (t2v.argmax(dim=1) == targets).float().mean()
    return dict(loss=loss, acc=acc)
