# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""The embedded corpus: seeded synthetic captioned videos on disk.

A deterministic generator of short H.264 clips of coloured shapes with
paraphrased captions, written in the real WebVid and MSR-VTT annotation
formats, so that pre-training and retrieval evaluation run end to end on a
small CPU machine with the same loaders as the real datasets. See
:mod:`snps3.datasets.embedded.generate` for the output layout.
"""
from .captions import (
    FILLER_WORDS,
    MAX_CAPTION_LENGTH,
    SIGNIFICANT_WORDS,
    TEMPLATES,
    WORD_KINDS,
    caption_length,
    make_caption,
    make_captions,
    significant_words,
    tokenize,
)
from .generate import (
    CORPUS_SIZES,
    GENERATOR_VERSION,
    CorpusPlan,
    VideoRecord,
    check_corpus,
    find_ambiguous,
    generate_corpus,
    plan_corpus,
)
from .render import render_frames, write_mp4
from .scenes import (
    BACKGROUNDS,
    COLOURS,
    MOTIONS,
    SHAPES,
    SIZES,
    SPEEDS,
    Attributes,
    ObjectSpec,
    SceneSpec,
    all_attribute_tuples,
    choose_held_out_pairs,
    sample_scene,
)

__all__ = [
    'CORPUS_SIZES', 'GENERATOR_VERSION', 'CorpusPlan', 'VideoRecord',
    'check_corpus', 'find_ambiguous', 'generate_corpus', 'plan_corpus',
    'FILLER_WORDS', 'MAX_CAPTION_LENGTH', 'SIGNIFICANT_WORDS', 'TEMPLATES',
    'WORD_KINDS', 'caption_length', 'make_caption', 'make_captions',
    'significant_words', 'tokenize', 'render_frames', 'write_mp4',
    'BACKGROUNDS', 'COLOURS', 'MOTIONS', 'SHAPES', 'SIZES', 'SPEEDS',
    'Attributes', 'ObjectSpec', 'SceneSpec', 'all_attribute_tuples',
    'choose_held_out_pairs', 'sample_scene'
]
