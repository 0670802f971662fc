# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Text-video retrieval metrics: Recall@K, median and mean rank."""
import logging
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from snps3.registry import METRICS

__all__ = ['retrieval_ranks', 'retrieval_metrics', 'RetrievalMetric']

GroundTruth = Union[np.ndarray, Sequence[Union[int, Iterable[int]]]]

# Rows per block in retrieval_ranks: bounds the temporary (rows, Ng) boolean
# arrays to a few tens of MB even for very large galleries.
_BLOCK_ROWS = 1024


def _to_numpy(array: Any) -> np.ndarray:
    """numpy view of a numpy array or (any-device) torch tensor."""
    if hasattr(array, 'detach'):  # torch.Tensor, without importing torch
        array = array.detach().float().cpu().numpy()
    return np.asarray(array)


def _gt_matrix(gt: GroundTruth, num_queries: int,
               num_gallery: int) -> np.ndarray:
    """Ground truth as a boolean matrix of shape ``(Nq, Ng)``."""
    if isinstance(gt, np.ndarray) and gt.dtype == bool:
        if gt.shape != (num_queries, num_gallery):
            raise ValueError(f'gt matrix has shape {gt.shape}, scores have '
                             f'{(num_queries, num_gallery)}')
        return gt
    if len(gt) != num_queries:
        raise ValueError(f'gt has {len(gt)} entries for {num_queries} '
                         'queries')
    matrix = np.zeros((num_queries, num_gallery), dtype=bool)
    for query, items in enumerate(gt):
        items = [int(items)] if np.isscalar(items) else [int(i) for i in items]
        for item in items:
            if not 0 <= item < num_gallery:
                raise ValueError(f'query {query}: ground-truth index {item} '
                                 f'is outside the gallery [0, {num_gallery})')
        matrix[query, items] = True
    return matrix


def retrieval_ranks(scores: Any, gt: GroundTruth) -> np.ndarray:
    """1-based rank of each query's best-ranked ground-truth item.

    Only items that are *not* ground truth for the query count against it,
    and ties count pessimistically. For query ``q`` with ground-truth set
    ``G`` and scores ``s``::

        rank_q = min over g in G of
                 1 + #{j not in G : s_j > s_g} + #{j not in G : s_j == s_g}
               = 1 + #{j not in G : s_j >= max over g in G of s_g}

    So a non-ground-truth item tied with the best ground-truth item is
    ranked above it (a constant score matrix gives the worst rank,
    ``Ng - |G| + 1``, not the best), while other ground-truth items never
    push a query down, whatever their scores.

    Args:
        scores (np.ndarray | torch.Tensor): Similarities of shape
            ``(Nq, Ng)``; higher means more similar.
        gt (list | np.ndarray): Ground truth per query: a list of length
            ``Nq`` whose entries are a gallery index or an iterable (set,
            list) of gallery indices, or a boolean matrix ``(Nq, Ng)``.
            Every query needs at least one ground-truth item.

    Returns:
        np.ndarray: Ranks of shape ``(Nq,)``, int64, in ``[1, Ng]``.

    Raises:
        ValueError: On shape mismatches, out-of-range indices, queries
            without ground truth, or NaN scores (a NaN compares false with
            everything, which would silently make ranks optimistic).
    """
    scores = _to_numpy(scores)
    if scores.ndim != 2:
        raise ValueError(f'scores must be 2-D (Nq, Ng), got {scores.shape}')
    scores = scores.astype(np.float64, copy=False)
    if np.isnan(scores).any():
        raise ValueError('scores contain NaN')
    num_queries, num_gallery = scores.shape
    is_gt = _gt_matrix(gt, num_queries, num_gallery)
    empty = np.flatnonzero(~is_gt.any(axis=1))
    if empty.size:
        raise ValueError(f'{empty.size} queries have no ground truth, e.g. '
                         f'query {int(empty[0])}')
    ranks = np.empty(num_queries, dtype=np.int64)
    for lo in range(0, num_queries, _BLOCK_ROWS):
        block = slice(lo, lo + _BLOCK_ROWS)
        block_scores, block_gt = scores[block], is_gt[block]
        best_gt = np.where(block_gt, block_scores, -np.inf).max(axis=1)
        above = (block_scores >= best_gt[:, None]) & ~block_gt
        ranks[block] = 1 + above.sum(axis=1)
    return ranks


def recall_at_k_chance(num_gt: np.ndarray, gallery_size: int, k: int) -> float:
    """Expected R@K (percent) of random, tie-free scores.

    A query with ``g`` ground truths among ``N`` items misses at K only if
    its top K are all drawn from the ``N - g`` others:
    ``P(hit) = 1 - C(N - g, K) / C(N, K)``, averaged over queries. For one
    ground truth this is ``K / N``.

    Args:
        num_gt (np.ndarray): (Nq,) number of ground truths per query.
        gallery_size (int): ``N``.
        k (int): The cut-off.
    """
    k = min(k, gallery_size)
    miss = np.ones(len(num_gt))
    for i in range(k):  # product form of C(N-g, K) / C(N, K)
        miss *= np.clip(gallery_size - num_gt - i, 0, None) / (
            gallery_size - i)
    return float(100.0 * np.mean(1.0 - miss))


def retrieval_metrics(ranks: Any, prefix: str = '') -> Dict[str, float]:
    """Recall@{1,5,10} (percent), median rank and mean rank.

    Args:
        ranks (np.ndarray): 1-based ranks of shape ``(Nq,)``, as returned
            by :func:`retrieval_ranks`.
        prefix (str): Prepended to each key with a ``/``, e.g. ``'t2v'``
            gives ``'t2v/R@1'``. Defaults to no prefix.

    Returns:
        dict[str, float]: Keys ``R@1``, ``R@5``, ``R@10``, ``MdR``, ``MnR``
        (prefixed).
    """
    ranks = np.asarray(ranks).reshape(-1)
    if ranks.size == 0:
        raise ValueError('ranks is empty')
    key = (lambda name: f'{prefix}/{name}') if prefix else (lambda name: name)
    metrics = {
        key(f'R@{k}'): float(100.0 * np.mean(ranks <= k))
        for k in (1, 5, 10)
    }
    metrics[key('MdR')] = float(np.median(ranks))
    metrics[key('MnR')] = float(np.mean(ranks))
    return metrics


def _as_id_set(ids: Any) -> set:
    """A text's video id(s) as a set of ints."""
    if np.isscalar(ids) or (hasattr(ids, 'ndim') and ids.ndim == 0):
        return {int(ids)}
    return {int(i) for i in ids}


@METRICS.register_module()
class RetrievalMetric(BaseMetric):
    """Text-to-video and video-to-text retrieval over one score matrix.

    The evaluation loop scores every text against every video and calls
    :meth:`process` once with a single sample dict:

    - ``scores`` (np.ndarray | torch.Tensor): ``(Nt, Nv)`` text-to-video
      similarities.
    - ``text_video_ids`` (list): length ``Nt``; entry ``t`` is the gallery
      index of the video text ``t`` describes, or a list/set of indices
      when it describes several.
    - ``v2t_scores`` (optional): ``(Nv, Nt)`` video-to-text scores when
      they are not the transpose of ``scores`` (fusion re-ranking re-ranks
      each direction's own candidates).
    - ``variants`` (dict, optional): name -> dict with ``scores`` and
      ``v2t_scores`` of a revised scoring of the same pairs (e.g. ``dsl``,
      dual softmax); its metrics come under ``t2v_<name>/`` and
      ``v2t_<name>/`` beside the plain ones.
    - ``protocol`` (dict[str, str], optional): echoed into the metrics as
      ``protocol/<key>`` so that logs say what was evaluated (split,
      number of frames, ...).

    Text-to-video queries are the texts (ground truth: their video(s));
    video-to-text queries are the videos, with every text describing a
    video as its ground truth, so a video with 20 captions has 20 ground
    truths. Videos that no text describes cannot be scored and are left
    out of video-to-text (with a warning). Ranks follow
    :func:`retrieval_ranks` (pessimistic ties).

    Metrics (before MMEngine adds ``prefix/``): for ``d`` in ``t2v``,
    ``v2t``: ``d/R@1``, ``d/R@5``, ``d/R@10`` (percent), ``d/MdR``,
    ``d/MnR``, ``d/R@K_chance`` for K in 1, 5, 10 (expected R@K of random
    scores, percent; see :func:`recall_at_k_chance`) and ``d/num_queries``.

    Args:
        collect_device (str): Device for collecting results across ranks.
            Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names. Defaults to
            ``'retrieval'``.
        collect_dir (str, optional): Directory for collecting on CPU.
    """

    default_prefix: Optional[str] = 'retrieval'

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Store the score matrix and ground truth of one evaluation.

        Args:
            data_batch (Any): Unused.
            data_samples (Sequence[dict]): Sample dicts as described in the
                class docstring (normally exactly one); a bare dict is
                accepted too.
        """
        if isinstance(data_samples, dict):
            data_samples = [data_samples]
        for sample in data_samples:
            # float64: re-ranked scores sit on a lifted scale where float32
            # could merge nearby values into (pessimistic) ties.
            scores = _to_numpy(sample['scores']).astype(np.float64)
            ids = [_as_id_set(i) for i in sample['text_video_ids']]
            if scores.ndim != 2 or scores.shape[0] != len(ids):
                raise ValueError(
                    f'scores of shape {scores.shape} do not match '
                    f'{len(ids)} text_video_ids (expected (Nt, Nv))')
            v2t_scores = sample.get('v2t_scores')
            if v2t_scores is not None:
                v2t_scores = _to_numpy(v2t_scores).astype(np.float64)
                if v2t_scores.shape != scores.shape[::-1]:
                    raise ValueError(
                        f'v2t_scores of shape {v2t_scores.shape} do not '
                        f'match scores of shape {scores.shape}')
            variants = {
                name:
                dict(
                    scores=_to_numpy(v['scores']).astype(np.float64),
                    v2t_scores=_to_numpy(v['v2t_scores']).astype(np.float64))
                for name, v in (sample.get('variants') or {}).items()
            }
            self.results.append(
                dict(
                    scores=scores,
                    v2t_scores=v2t_scores,
                    variants=variants,
                    text_video_ids=ids,
                    protocol=dict(sample.get('protocol') or {})))

    def compute_metrics(self, results: List[dict]) -> Dict[str, Any]:
        """Compute t2v and v2t metrics from the single stored evaluation.

        Args:
            results (list[dict]): What :meth:`process` stored, gathered
                over ranks; must hold exactly one entry.

        Returns:
            dict[str, Any]: Metric name to value (floats, ints, and the
            echoed protocol strings).
        """
        if len(results) != 1:
            raise ValueError(
                f'RetrievalMetric expects process() to be called once with '
                f'the full (Nt, Nv) score matrix, got {len(results)} '
                'entries; the evaluation loop must score all pairs and call '
                'it once (on one rank)')
        result = results[0]
        scores = result['scores']
        text_gt = result['text_video_ids']
        num_texts, num_videos = scores.shape

        metrics: Dict[str, Any] = {}
        t2v_gt = _gt_matrix(text_gt, num_texts, num_videos)
        metrics.update(
            self._direction('t2v', retrieval_ranks(scores, t2v_gt), t2v_gt))

        v2t_gt = t2v_gt.T
        described = v2t_gt.any(axis=1)
        if not described.all():
            print_log(
                f'{int((~described).sum())} of {num_videos} videos have no '
                'text; they are left out of video-to-text retrieval',
                logger='current',
                level=logging.WARNING)
        v2t_scores = scores.T if result.get('v2t_scores') is None \
            else result['v2t_scores']
        v2t_scores = v2t_scores[described]
        v2t_gt = v2t_gt[described]
        metrics.update(
            self._direction('v2t', retrieval_ranks(v2t_scores, v2t_gt),
                            v2t_gt))

        for name, variant in (result.get('variants') or {}).items():
            metrics.update(
                retrieval_metrics(
                    retrieval_ranks(variant['scores'], t2v_gt), f't2v_{name}'))
            metrics.update(
                retrieval_metrics(
                    retrieval_ranks(variant['v2t_scores'][described], v2t_gt),
                    f'v2t_{name}'))

        for key, value in result['protocol'].items():
            metrics[f'protocol/{key}'] = value
        return metrics

    @staticmethod
    def _direction(name: str, ranks: np.ndarray,
                   gt: np.ndarray) -> Dict[str, Any]:
        """Metrics of one direction, plus its chance level and size."""
        metrics: Dict[str, Any] = retrieval_metrics(ranks, name)
        for k in (1, 5, 10):
            metrics[f'{name}/R@{k}_chance'] = recall_at_k_chance(
                gt.sum(axis=1), gt.shape[1], k)
        metrics[f'{name}/num_queries'] = int(gt.shape[0])
        return metrics
