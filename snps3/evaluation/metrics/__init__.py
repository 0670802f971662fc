# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Evaluation metrics; importing this package registers them in METRICS."""
from .multiple_choice import MultipleChoiceAccuracy
from .qa import VideoQAAccuracy
from .retrieval import RetrievalMetric, retrieval_metrics, retrieval_ranks

__all__ = [
    'MultipleChoiceAccuracy', 'RetrievalMetric', 'VideoQAAccuracy',
    'retrieval_metrics', 'retrieval_ranks'
]
