# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Multiple-choice QA accuracy (MSRVTT-MC)."""
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from snps3.registry import METRICS

__all__ = [
    'MultipleChoiceAccuracy', 'multiple_choice_correct', 'pairwise_wins'
]


def multiple_choice_correct(scores: Any, answer: int) -> bool:
    """Whether the right option strictly outscores every other one.

    A tie at the top counts as wrong (pessimistic, as retrieval ranks
    count ties): a model that gives every option the same score gets 0,
    not the accuracy of whichever option comes first.

    Args:
        scores (array-like): (K, ) option scores, higher is better.
        answer (int): Index of the right option.
    """
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if not 0 <= answer < len(scores):
        raise ValueError(f'answer {answer} is not an option index in '
                         f'[0, {len(scores)})')
    others = np.delete(scores, answer)
    return bool(others.size == 0 or scores[answer] > others.max())


def pairwise_wins(scores: Any, answer: int) -> int:
    """How many wrong options the right one strictly outscores.

    Accuracy needs the right option above *every* wrong one, which makes
    its chance level depend on how the options were made: when each wrong
    option is the right caption with one word changed (the embedded
    corpus's MC), a model that prefers the true word of each edit with
    probability p scores about p^(K-1), 6.25% at p = 0.5 with five options,
    not 1/K. Pairwise wins measure p itself (chance 50%) whatever the
    options are. Ties count as losses, as in :func:`multiple_choice_correct`.
    """
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    return int((scores[answer] > np.delete(scores, answer)).sum())


@METRICS.register_module()
class MultipleChoiceAccuracy(BaseMetric):
    """Accuracy (percent) of picking the right option.

    Reads, per data sample, ``pred_scores`` (K, ) (set by
    :class:`~snps3.models.MultipleChoiceModel`) and ``answer`` (the right
    option's index). Ties at the top count as wrong
    (:func:`multiple_choice_correct`).

    Metrics (before MMEngine adds ``prefix/``): ``acc``, ``acc_chance``
    (the accuracy of guessing, ``100 / K`` averaged over the questions),
    ``pairwise/acc`` (the percentage of (right, wrong) option pairs that the
    right option wins, :func:`pairwise_wins`; ``pairwise/acc_chance`` 50)
    and ``num_questions``.

    Args:
        collect_device (str): Device for collecting results across ranks.
        prefix (str, optional): Prefix of the metric names. Defaults to
            ``'mc'``.
    """

    default_prefix: Optional[str] = 'mc'

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            scores = sample['pred_scores']
            if hasattr(scores, 'detach'):
                scores = scores.detach().float().cpu().numpy()
            scores = np.asarray(scores, dtype=np.float64).reshape(-1)
            self.results.append(
                dict(
                    correct=multiple_choice_correct(scores,
                                                    int(sample['answer'])),
                    wins=pairwise_wins(scores, int(sample['answer'])),
                    num_options=len(scores)))

    def compute_metrics(self, results: List[dict]) -> Dict[str, Any]:
        if not results:
            raise ValueError('MultipleChoiceAccuracy got no predictions')
        n = len(results)
        pairs = sum(r['num_options'] - 1 for r in results)
        return {
            'acc': 100.0 * sum(r['correct'] for r in results) / n,
            'acc_chance':
            100.0 * sum(1.0 / r['num_options'] for r in results) / n,
            'pairwise/acc': 100.0 * sum(r['wins'] for r in results) / pairs,
            'pairwise/acc_chance': 50.0,
            'num_questions': n,
        }
