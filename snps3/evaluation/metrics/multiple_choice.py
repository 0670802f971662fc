# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Multiple-choice QA accuracy (MSRVTT-MC)."""
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from snps3.registry import METRICS

__all__ = ['MultipleChoiceAccuracy', 'multiple_choice_correct']


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


@METRICS.register_module()
class MultipleChoiceAccuracy(BaseMetric):
    """Accuracy (percent) of picking the right option.

    Reads, per data sample, ``pred_scores`` (K, ) (set by
    :class:`~snps3.models.MultipleChoiceModel`) and ``answer`` (the right
    option's index). Ties at the top count as wrong
    (:func:`multiple_choice_correct`).

    Metrics (before MMEngine adds ``prefix/``): ``acc``, ``acc_chance``
    (the accuracy of guessing, ``100 / K`` averaged over the questions) and
    ``num_questions``.

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
                    num_options=len(scores)))

    def compute_metrics(self, results: List[dict]) -> Dict[str, Any]:
        if not results:
            raise ValueError('MultipleChoiceAccuracy got no predictions')
        n = len(results)
        return dict(
            acc=100.0 * sum(r['correct'] for r in results) / n,
            acc_chance=100.0 * sum(1.0 / r['num_options']
                                   for r in results) / n,
            num_questions=n)
