# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Contrastive losses with several frames per video (MIL over frames)."""
import torch
import torch.nn.functional as F


def mil_similarity(queries: torch.Tensor, frames: torch.Tensor,
                   temperature: float) -> torch.Tensor:
    """Query-video similarity, frames combined by logsumexp.

    Args:
        queries (Tensor): (N, E) normalised text features.
        frames (Tensor): (M, T, E) normalised frame features.
        temperature (float): Softmax temperature.

    Returns:
        Tensor: (N, M) logits ``logsumexp_t(<q_n, f_mt> / temperature)``.
    """
    sims = torch.einsum('ne,mte->nmt', queries, frames) / temperature
    return sims.logsumexp(dim=-1)


def infonce_text_video(text_local: torch.Tensor, frames_local: torch.Tensor,
                       text_all: torch.Tensor, frames_all: torch.Tensor,
                       offset: int, temperature: float) -> dict:
    """Symmetric InfoNCE of this rank's pairs against all ranks' negatives.

    Args:
        text_local (Tensor): (B, E) this rank's text features.
        frames_local (Tensor): (B, T, E) this rank's frame features.
        text_all (Tensor): (N, E) all ranks' text features (gathered).
        frames_all (Tensor): (N, T, E) all ranks' frame features.
        offset (int): Index of this rank's first pair in the gathered batch.
        temperature (float): Softmax temperature.

    Returns:
        dict: ``loss`` (mean of both directions) and ``acc`` (t2v top-1).
    """
    targets = torch.arange(
        text_local.shape[0], device=text_local.device) + offset
    t2v = mil_similarity(text_local, frames_all, temperature)
    v2t = mil_similarity(text_all, frames_local, temperature).t()
    loss = (F.cross_entropy(t2v, targets) + F.cross_entropy(v2t, targets)) / 2
    acc = (t2v.argmax(dim=1) == targets).float().mean()
    return dict(loss=loss, acc=acc)
