# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Retrieval scoring beyond the dual encoder: fusion re-ranking, and the
opt-in dual-softmax revision of a score matrix.

The dual encoder scores all Nt x Nv pairs with one dot product each; the
fusion encoder needs a forward pass per pair. SNP-S3's public code fuses
*every* pair (10^6 passes on MSR-VTT 1k-A); re-ranking fuses only the top-k
candidates of each query in each direction (at most ``Nt*k + Nv*k`` pairs,
fewer where the two directions share pairs).

Score matrices returned here keep the metric's contract: higher is better,
and a query's ranking is read from its row. Re-ranked candidates are lifted
above every other candidate by a constant, so within the top k the fusion
score decides and below it the dual score does; with ``k`` at least the
gallery size the ranking is exactly the exhaustive one.

A fused pair can also be scored by the fusion score *plus* ``dual_weight``
times its dual score (as BLIP adds its contrastive similarity to its
matching score). Both are softmax logits over candidates here (cross
matching is trained with MIL-NCE, the dual scores are the VTC logits), so
their sum scores a pair by the product of the two distributions: the dual
encoder's opinion survives where a weak matcher would overrule it.
"""
from typing import Callable, Dict

import numpy as np
import torch

#: Scores a batch of (text index, video index) pairs: (N,), (N,) -> (N,).
PairScorer = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _score_pairs(pairs: np.ndarray, scorer: PairScorer,
                 batch_size: int) -> np.ndarray:
    """Fusion scores of (P, 2) unique (text, video) index pairs."""
    out = np.empty(len(pairs), np.float64)
    for start in range(0, len(pairs), batch_size):
        chunk = torch.as_tensor(pairs[start:start + batch_size])
        with torch.no_grad():
            out[start:start + len(chunk)] = scorer(
                chunk[:, 0], chunk[:, 1]).float().cpu().numpy()
    return out


def rerank(dual: np.ndarray,
           scorer: PairScorer,
           k: int,
           batch_size: int = 256,
           v2t: bool = True,
           dual_weight: float = 0.0) -> Dict[str, object]:
    """Re-rank each query's top-k dual-encoder candidates by fusion.

    Args:
        dual (np.ndarray): (Nt, Nv) dual-encoder text-to-video scores.
        scorer (PairScorer): Fusion score of (text, video) index pairs.
        k (int): Candidates per query, in both directions.
        batch_size (int): Pairs per fusion forward pass.
        v2t (bool): Also re-rank video-to-text. ``False`` when the texts are
            a sample of queries against the whole gallery, where a video's
            top-k among them means nothing; ``v2t`` is then ``None``.
        dual_weight (float): Weight of the dual score added to each fused
            score (0: the fusion score alone).

    Returns:
        dict: ``t2v`` (Nt, Nv) and ``v2t`` (Nv, Nt) score matrices and
        ``fusion_pairs``, the number of pairs fused.
    """
    dual = np.asarray(dual, np.float64)
    num_texts, num_videos = dual.shape
    k_t2v, k_v2t = min(k, num_videos), min(k, num_texts) if v2t else 0
    # Top-k videos of each text, top-k texts of each video (stable: ties
    # keep the lower index, as a sort would).
    top_videos = np.argsort(-dual, axis=1, kind='stable')[:, :k_t2v]
    top_texts = np.argsort(-dual.T, axis=1, kind='stable')[:, :k_v2t]
    t2v_pairs = np.stack(
        [np.repeat(np.arange(num_texts), k_t2v),
         top_videos.ravel()], axis=1)
    v2t_pairs = np.stack(
        [top_texts.ravel(),
         np.repeat(np.arange(num_videos), k_v2t)], axis=1)
    pairs, inverse = np.unique(
        np.concatenate([t2v_pairs, v2t_pairs]), axis=0, return_inverse=True)
    fused = _score_pairs(pairs, scorer, batch_size)
    fused += dual_weight * dual[pairs[:, 0], pairs[:, 1]]
    fused = fused[inverse.ravel()]

    # Lift every fused score above every dual score.
    lift = dual.max() - fused.min() + 1.0
    t2v = dual.copy()
    t2v[t2v_pairs[:, 0], t2v_pairs[:, 1]] = fused[:len(t2v_pairs)] + lift
    v2t_scores = None
    if v2t:
        v2t_scores = dual.T.copy()
        v2t_scores[v2t_pairs[:, 1],
                   v2t_pairs[:, 0]] = fused[len(t2v_pairs):] + lift
    return dict(t2v=t2v, v2t=v2t_scores, fusion_pairs=len(pairs))


def exhaustive(dual: np.ndarray,
               scorer: PairScorer,
               batch_size: int = 256,
               dual_weight: float = 0.0) -> Dict[str, object]:
    """Fuse every (text, video) pair (the public code's protocol).

    Args:
        dual (np.ndarray): (Nt, Nv) dual-encoder scores; only their shape
            is read unless ``dual_weight`` is set.
        scorer (PairScorer): Fusion score of (text, video) index pairs.
        batch_size (int): Pairs per fusion forward pass.
        dual_weight (float): As in :func:`rerank`.

    Returns:
        dict: ``t2v`` (Nt, Nv), ``v2t`` (Nv, Nt) and ``fusion_pairs``.
    """
    dual = np.asarray(dual, np.float64)
    texts, videos = np.meshgrid(
        np.arange(dual.shape[0]), np.arange(dual.shape[1]), indexing='ij')
    pairs = np.stack([texts.ravel(), videos.ravel()], axis=1)
    scores = _score_pairs(pairs, scorer, batch_size).reshape(dual.shape)
    scores += dual_weight * dual
    return dict(t2v=scores, v2t=scores.T.copy(), fusion_pairs=len(pairs))


def dual_softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    """Dual-softmax (DSL / CAMoE) revision of a query-by-gallery matrix.

    Each score is weighted by a prior from the other direction: how much
    the gallery item prefers this query over the other queries of the
    split, ``softmax(S / temperature)`` over the query axis. No query bank
    beyond the test queries themselves is used::

        S'[q, g] = S[q, g] * exp(S[q, g] / t) / sum_q' exp(S[q', g] / t)

    Args:
        scores (np.ndarray): (Nq, Ng) scores, queries in rows.
        temperature (float): Softmax temperature ``t`` (> 0).

    Returns:
        np.ndarray: (Nq, Ng) revised scores, float64.
    """
    if temperature <= 0:
        raise ValueError(f'temperature must be > 0, got {temperature}')
    scores = np.asarray(scores, np.float64)
    logits = scores / temperature
    prior = np.exp(logits - logits.max(axis=0, keepdims=True))
    prior /= prior.sum(axis=0, keepdims=True)
    return scores * prior
