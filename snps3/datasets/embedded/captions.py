# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Paraphrased captions of embedded-corpus scenes.

Captions are built so that their words split cleanly in two:

* *significant* words -- colours, shapes, size adjectives, motion verbs and
  directions, speed adverbs/adjectives -- which carry everything the caption
  says about the video; and
* *filler* words -- "there is a", "in this video we can see", "which is",
  "the" ... -- which occur in captions of every video alike and so carry
  nothing.

This is the controlled setting in which SNP-S3's significant-semantic
objectives can be checked: a model that leans on filler words cannot tell two
videos apart. :data:`SIGNIFICANT_WORDS`, :data:`FILLER_WORDS` and
:data:`WORD_KINDS` list the vocabulary for other tests and analyses.

Every caption names *every* attribute of *every* object in the video, so a
caption never under-specifies its video; paraphrases vary only in wording,
word order and which synonym is used.
"""
import re
from typing import Dict, FrozenSet, List, Sequence

import numpy as np

from .scenes import COLOURS, SHAPES, Attributes

# Synonyms of the size attribute.
SIZE_WORDS: Dict[str, Sequence[str]] = {
    'small': ('small', 'little', 'tiny'),
    'large': ('large', 'big'),
}

# Motion phrases as a gerund ("... moving left") and as a present-tense verb
# phrase ("... that moves left"), pairwise aligned.
MOTION_GERUNDS: Dict[str, Sequence[str]] = {
    'left': ('moving left', 'moving to the left', 'sliding to the left',
             'heading left'),
    'right': ('moving right', 'moving to the right', 'sliding to the right',
              'heading right'),
    'up': ('moving up', 'moving upwards', 'rising', 'going up'),
    'down': ('moving down', 'moving downwards', 'falling', 'going down'),
    'bouncing': ('bouncing', 'hopping', 'bouncing around'),
    'rotating': ('rotating', 'spinning', 'turning around', 'spinning around'),
    'growing': ('growing', 'getting bigger', 'expanding'),
    'shrinking': ('shrinking', 'getting smaller', 'contracting'),
    'still':
    ('staying still', 'standing still', 'sitting still', 'resting in place'),
}
MOTION_VERBS: Dict[str, Sequence[str]] = {
    'left':
    ('moves left', 'moves to the left', 'slides to the left', 'heads left'),
    'right': ('moves right', 'moves to the right', 'slides to the right',
              'heads right'),
    'up': ('moves up', 'moves upwards', 'rises', 'goes up'),
    'down': ('moves down', 'moves downwards', 'falls', 'goes down'),
    'bouncing': ('bounces', 'hops', 'bounces around'),
    'rotating': ('rotates', 'spins', 'turns around', 'spins around'),
    'growing': ('grows', 'gets bigger', 'expands'),
    'shrinking': ('shrinks', 'gets smaller', 'contracts'),
    'still': ('stays still', 'stands still', 'sits still', 'rests in place'),
}
# Speed modifiers. Those in SPEED_BEFORE may also precede the verb
# ("slowly moving left"); the rest only follow it ("moving left fast").
SPEED_PHRASES: Dict[str, Sequence[str]] = {
    'slow': ('slowly', 'at a slow pace', 'at a slow speed'),
    'fast':
    ('quickly', 'fast', 'rapidly', 'at a fast pace', 'at a high speed'),
}
SPEED_BEFORE = frozenset({'slowly', 'quickly', 'rapidly'})

# Templates taking a list of object phrases ({objs}); {be} agrees in number.
PHRASE_TEMPLATES: Sequence[str] = (
    'there {be} {objs}',
    'there {be} {objs} in this video',
    'in this video we can see {objs}',
    'we can see {objs}',
    'this video shows {objs}',
    'the video shows {objs}',
    'a video of {objs}',
    'a clip showing {objs}',
    'here we have {objs}',
    'you can see {objs} in the video',
    'in the clip there {be} {objs}',
    'the scene contains {objs}',
    'this is a video of {objs}',
    '{objs}',
    'it is a short video in which we see {objs}',
    'on the screen there {be} {objs}',
    'we are looking at {objs} in front of the background',
    'the clip features {objs}',
    '{objs} in this video',
    'an animation of {objs}',
)
# Templates taking a list of full clauses ({clauses}: "a red circle is ...").
CLAUSE_TEMPLATES: Sequence[str] = (
    '{clauses}',
    'in this video {clauses}',
    'we can see that {clauses}',
    'here {clauses}',
    'it looks like {clauses}',
    'in the clip {clauses}',
    'the video shows that {clauses}',
)
TEMPLATES: Sequence[str] = tuple(PHRASE_TEMPLATES) + tuple(CLAUSE_TEMPLATES)

# Longest caption in BERT tokens, without [CLS] and [SEP]: the project's
# text pipeline keeps 30 tokens in all, and a longer caption would lose its
# last object to truncation.
MAX_CAPTION_LENGTH = 28
# Vocabulary words that the uncased BERT word-piece vocabulary (the one of
# the project's MiniLM text encoder) splits, and how many extra pieces each
# costs ("hexagon" -> he ##xa ##gon).
_EXTRA_PIECES = {
    'hexagon': 2,
    'bounces': 1,
    'hops': 1,
    'rotates': 1,
    'shrinks': 1
}

_CONNECTIVES = ('a an and which is are that of size there')


def tokenize(caption: str) -> List[str]:
    """Splits a caption into lower-case words, dropping punctuation."""
    return re.findall(r"[a-z]+", caption.lower())


def _words(phrases) -> set:
    out = set()
    for p in phrases:
        out.update(tokenize(p))
    return out


def _vocabulary():
    kinds: Dict[str, str] = {}
    for c in COLOURS:
        kinds[c] = 'colour'
    for s in SHAPES:
        kinds[s] = 'shape'
    for words in SIZE_WORDS.values():
        kinds.update((w, 'size') for w in words)
    # Motion phrases contain a few particles ("to the", "around", "in
    # place") that every direction shares; they are filler.
    particles = {'to', 'the', 'around', 'in', 'place'}
    for table in (MOTION_GERUNDS, MOTION_VERBS):
        for w in _words(p for ps in table.values() for p in ps) - particles:
            kinds[w] = 'motion'
    speed_particles = {'at', 'a', 'pace', 'speed'}
    for w in _words(p for ps in SPEED_PHRASES.values()
                    for p in ps) - speed_particles:
        kinds[w] = 'speed'
    templates = [re.sub(r'{\w+}', ' ', t) for t in TEMPLATES]
    every = _words(templates) | _words([_CONNECTIVES]) | particles \
        | speed_particles | set(kinds)
    filler = frozenset(every - set(kinds))
    return kinds, frozenset(kinds), filler


#: Significant word -> the attribute it expresses
#: ('colour', 'shape', 'size', 'motion' or 'speed').
WORD_KINDS: Dict[str, str]
#: Words that carry the meaning of a caption.
SIGNIFICANT_WORDS: FrozenSet[str]
#: Words that carry none: template padding, articles, particles.
FILLER_WORDS: FrozenSet[str]
WORD_KINDS, SIGNIFICANT_WORDS, FILLER_WORDS = _vocabulary()


def significant_words(caption: str) -> List[str]:
    """The significant words of a caption, in order."""
    return [w for w in tokenize(caption) if w in SIGNIFICANT_WORDS]


def _article(next_word: str) -> str:
    return 'an' if next_word[0] in 'aeiou' else 'a'


def _pick(rng: np.random.Generator, options: Sequence[str]) -> str:
    return options[int(rng.integers(len(options)))]


def _short(options: Sequence[str],
           brief: bool,
           limit: int = 2) -> Sequence[str]:
    """The options of at most ``limit`` words when ``brief``, else all."""
    if not brief:
        return options
    return [o for o in options if len(o.split()) <= limit] or options


def _noun_phrase(a: Attributes, rng: np.random.Generator, brief: bool) -> str:
    if a.size is None:
        words = [a.colour, a.shape]
    else:
        size = _pick(rng, SIZE_WORDS[a.size])
        if brief or rng.random() < 0.75:
            words = [size, a.colour, a.shape]
        else:  # "a red circle of small size"
            words = [a.colour, a.shape, 'of', size, 'size']
    return ' '.join([_article(words[0])] + words)


def _motion(a: Attributes, rng: np.random.Generator, gerund: bool,
            brief: bool) -> str:
    table = MOTION_GERUNDS if gerund else MOTION_VERBS
    verb = _pick(rng, _short(table[a.motion], brief))
    if a.speed is None:
        return verb
    speed = _pick(rng, _short(SPEED_PHRASES[a.speed], brief, 1))
    if speed in SPEED_BEFORE and rng.random() < 0.4:
        return f'{speed} {verb}'
    return f'{verb} {speed}'


def _object_phrase(a: Attributes, rng: np.random.Generator,
                   brief: bool) -> str:
    """"a small red circle moving left", "... which is ...", "... that ..."."""
    np_ = _noun_phrase(a, rng, brief)
    form = 2 * int(rng.integers(2)) if brief else int(rng.integers(3))
    if form == 0:
        return f'{np_} {_motion(a, rng, True, brief)}'
    if form == 1:
        return f'{np_} which is {_motion(a, rng, True, brief)}'
    return f'{np_} that {_motion(a, rng, False, brief)}'


def _clause(a: Attributes, rng: np.random.Generator, brief: bool) -> str:
    """"a small red circle is moving left" / "... moves left"."""
    np_ = _noun_phrase(a, rng, brief)
    if rng.random() < 0.5:
        return f'{np_} is {_motion(a, rng, True, brief)}'
    return f'{np_} {_motion(a, rng, False, brief)}'


def _join(parts: Sequence[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return ', '.join(parts[:-1]) + ' and ' + parts[-1]


def caption_length(caption: str) -> int:
    """A caption's length in uncased-BERT tokens, without special tokens.

    Words and punctuation marks count one each, plus the extra pieces of
    the few vocabulary words that split.
    """
    tokens = re.findall(r'[a-z]+|[^\sa-z]', caption.lower())
    return len(tokens) + sum(_EXTRA_PIECES.get(t, 0) for t in tokens)


def _compact(objects: Sequence[Attributes]) -> str:
    """The shortest description: "a small red circle moving left fast"."""
    parts = []
    for a in objects:
        words = ([a.size] if a.size else []) + [a.colour, a.shape]
        verb = min(MOTION_GERUNDS[a.motion], key=len)
        if a.speed:
            verb += ' ' + min(SPEED_PHRASES[a.speed], key=len)
        parts.append(' '.join([_article(words[0])] + words + [verb]))
    return _join(parts)


# Templates with little padding, used for captions that would run too long.
_BRIEF_TEMPLATES = tuple(k for k, t in enumerate(TEMPLATES)
                         if len(re.sub(r'{\w+}', ' ', t).split()) <= 3)


def make_caption(objects: Sequence[Attributes],
                 rng: np.random.Generator,
                 max_length: int = MAX_CAPTION_LENGTH,
                 tries: int = 10) -> str:
    """One paraphrase describing every object.

    A paraphrase longer than ``max_length`` (see :func:`caption_length`)
    would be truncated by the text encoder and lose an object, so it is
    re-drawn: ``tries`` times freely, then ``tries`` times from the shorter
    phrasings, then the compact form is used.

    Args:
        objects: Attributes of the video's objects.
        rng: Random generator choosing template, order and synonyms.
        max_length: Longest caption allowed.
        tries: Draws per stage.

    Returns:
        A lower-case caption without final punctuation.
    """
    for brief in (False, True):
        for _ in range(tries):
            caption = _paraphrase(objects, rng, brief)
            if caption_length(caption) <= max_length:
                return caption
    order = [objects[i] for i in rng.permutation(len(objects))]
    return _compact(order)


def _paraphrase(objects: Sequence[Attributes],
                rng: np.random.Generator,
                brief: bool = False) -> str:
    order = [objects[i] for i in rng.permutation(len(objects))]
    if brief:
        k = _BRIEF_TEMPLATES[int(rng.integers(len(_BRIEF_TEMPLATES)))]
    else:
        k = int(rng.integers(len(TEMPLATES)))
    template = TEMPLATES[k]
    if k < len(PHRASE_TEMPLATES):
        return template.format(
            objs=_join([_object_phrase(a, rng, brief) for a in order]),
            be='is' if len(order) == 1 else 'are')
    return template.format(
        clauses=_join([_clause(a, rng, brief) for a in order]))


def make_captions(objects: Sequence[Attributes],
                  rng: np.random.Generator,
                  num: int,
                  max_tries: int = 50,
                  max_length: int = MAX_CAPTION_LENGTH) -> List[str]:
    """``num`` distinct paraphrases (fewer only if the tries run out).

    Args:
        objects: Attributes of the video's objects.
        rng: Random generator.
        num: Number of paraphrases wanted.
        max_tries: Paraphrases drawn at most.
        max_length: Longest caption allowed.

    Returns:
        The paraphrases, all different.
    """
    captions: List[str] = []
    for _ in range(max_tries):
        c = make_caption(objects, rng, max_length)
        if c not in captions:
            captions.append(c)
            if len(captions) == num:
                break
    return captions
