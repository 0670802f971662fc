# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Open-ended VideoQA accuracy, overall and per question type."""
from collections import defaultdict
from typing import Any, Dict, List, Optional, Sequence

from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from snps3.registry import METRICS

__all__ = ['VideoQAAccuracy']


@METRICS.register_module()
class VideoQAAccuracy(BaseMetric):
    """Accuracy (percent) of the predicted answer class.

    Reads, per data sample, ``pred_label`` (set by
    :class:`~snps3.models.VideoQAModel`), ``answer_label`` (the true class;
    -1 when the answer is outside the vocabulary, which the model never
    predicts, so such a question counts as wrong: the accuracy is over all
    test questions, as the benchmarks report it) and ``question_type``.

    Metrics (before MMEngine adds ``prefix/``): ``acc`` over all questions,
    ``acc/<type>`` per question type (MSRVTT-QA's what / who / how / when /
    where, the embedded corpus's colour / shape / motion / count), and
    ``num_questions``.

    Args:
        per_type (bool): Report ``acc/<type>`` too. Default True.
        collect_device (str): Device for collecting results across ranks.
        prefix (str, optional): Prefix of the metric names. Defaults to
            ``'qa'``.
    """

    default_prefix: Optional[str] = 'qa'

    def __init__(self,
                 per_type: bool = True,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.per_type = per_type

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            truth = int(sample['answer_label'])
            self.results.append(
                dict(
                    correct=truth >= 0 and int(sample['pred_label']) == truth,
                    question_type=str(sample.get('question_type', ''))))

    def compute_metrics(self, results: List[dict]) -> Dict[str, Any]:
        if not results:
            raise ValueError('VideoQAAccuracy got no predictions')
        metrics: Dict[str, Any] = dict(
            acc=100.0 * sum(r['correct'] for r in results) / len(results),
            num_questions=len(results))
        if self.per_type:
            by_type = defaultdict(list)
            for r in results:
                if r['question_type']:
                    by_type[r['question_type']].append(r['correct'])
            for name in sorted(by_type):
                hits = by_type[name]
                metrics[f'acc/{name}'] = 100.0 * sum(hits) / len(hits)
            if by_type:
                print_log(
                    'VideoQA questions per type: ' +
                    ', '.join(f'{n} {len(by_type[n])}'
                              for n in sorted(by_type)),
                    logger='current')
        return metrics
