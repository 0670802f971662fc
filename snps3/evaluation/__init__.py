# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Evaluation: metrics for retrieval and pre-training."""
from .metrics import RetrievalMetric, retrieval_metrics, retrieval_ranks

__all__ = ['RetrievalMetric', 'retrieval_metrics', 'retrieval_ranks']
