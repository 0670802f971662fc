# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Significant words of a caption corpus, for MSSM and LVWM.

Importing this package registers the scorers in ``SIGNIFICANCE_SCORERS``.
Mining (:func:`mine_vocabulary`) is an offline step, run by
``tools/analysis_tools/mine_significant_words.py``; training only reads its
output (:func:`load_vocabulary`).
"""
from .mining import (
    FUNCTION_WORDS,
    METHOD_EXCLUSIONS,
    build_scorer,
    mine_vocabulary,
    stop_word_list,
)
from .readers import FORMATS, count_records, detect_format, iter_captions
from .scorers import (
    BaseSignificanceScorer,
    IDFScorer,
    POSScorer,
    load_spacy_model,
)
from .vocabulary import SignificantVocabulary, get_vocabulary, load_vocabulary

__all__ = [
    'FUNCTION_WORDS', 'METHOD_EXCLUSIONS', 'build_scorer', 'mine_vocabulary',
    'stop_word_list', 'FORMATS', 'count_records', 'detect_format',
    'iter_captions', 'BaseSignificanceScorer', 'IDFScorer', 'POSScorer',
    'load_spacy_model', 'SignificantVocabulary', 'get_vocabulary',
    'load_vocabulary'
]
