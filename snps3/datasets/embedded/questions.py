# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""VideoQA and multiple-choice splits of the embedded corpus.

Both are derived from the scene attributes, so every answer is known:

* **QA** (MSRVTT-QA format): questions about the ``colour``, ``shape`` and
  ``motion`` of each object and the ``count`` of objects, answered by one
  word. An object is referred to by attributes that single it out in its
  scene ("the square" only when there is one square, else "the square that
  is moving left"); an object no short description singles out gets no
  question of that type.
* **MC** (MSRVTT-MC format): the video's first caption and four distractors,
  each the caption with exactly one significant word replaced (a colour, a
  shape, a size, a motion or a speed word) so that it no longer describes
  the video. :func:`describe` parses a caption back into attribute tuples;
  a distractor is kept only when its parse is not the scene.
"""
import re
from typing import Dict, List, Optional, Sequence, Set, Tuple

import numpy as np

from .captions import MOTION_GERUNDS, MOTION_VERBS, SIZE_WORDS, WORD_KINDS
from .scenes import COLOURS, SHAPES, Attributes, is_valid

QA_TYPES: Tuple[str, ...] = ('colour', 'shape', 'motion', 'count')
COUNT_WORDS: Tuple[str, ...] = ('zero', 'one', 'two', 'three')
MC_OPTIONS = 5

# --------------------------------------------------------------------------
# Parsing captions back into attributes
# --------------------------------------------------------------------------
_SIZE_OF = {w: s for s, ws in SIZE_WORDS.items() for w in ws}
_SPEED_OF = {
    'slowly': 'slow',
    'slow': 'slow',
    'quickly': 'fast',
    'fast': 'fast',
    'rapidly': 'fast',
    'high': 'fast',
}


def _motion_words() -> Dict[str, str]:
    """Motion words that name one motion ('left', 'rises', 'spinning')."""
    owners: Dict[str, Set[str]] = {}
    for table in (MOTION_GERUNDS, MOTION_VERBS):
        for motion, phrases in table.items():
            for p in phrases:
                for w in p.split():
                    if WORD_KINDS.get(w) == 'motion':
                        owners.setdefault(w, set()).add(motion)
    return {w: next(iter(m)) for w, m in owners.items() if len(m) == 1}


_MOTION_OF = _motion_words()
_WORD = re.compile(r'[a-z]+')


def describe(caption: str) -> List[Attributes]:
    """The objects a caption describes, in the order it names them.

    Relies on how :mod:`.captions` phrases an object: a size word right
    before the colour or in "of <size> size" right after the shape, the
    colour right before the shape, then the motion and speed words before
    the next object's noun phrase.

    Args:
        caption: A caption of the embedded corpus (or one edited like the
            MC distractors).

    Returns:
        One :class:`Attributes` per colour-shape pair in the caption.
    """
    words = _WORD.findall(caption.lower())
    starts = [
        i for i in range(len(words) - 1)
        if words[i] in COLOURS and words[i + 1] in SHAPES
    ]
    objects = []
    for k, i in enumerate(starts):
        end = starts[k + 1] - 1 if k + 1 < len(starts) else len(words)
        size = _SIZE_OF.get(words[i - 1]) if i else None
        if words[i + 2:i + 3] == ['of']:
            size = _SIZE_OF.get(words[i + 3], size)
        span = words[i + 2:end]
        motions = [_MOTION_OF[w] for w in span if w in _MOTION_OF]
        speeds = [_SPEED_OF[w] for w in span if w in _SPEED_OF]
        objects.append(
            Attributes(words[i], words[i + 1], size,
                       motions[0] if motions else '',
                       speeds[0] if speeds else None))
    return objects


def fits(caption: str, scene: Sequence[Attributes]) -> bool:
    """Whether the caption describes exactly the scene's objects."""

    def key(a):
        return tuple(map(str, a))

    return sorted(describe(caption), key=key) == sorted(scene, key=key)


# --------------------------------------------------------------------------
# Questions
# --------------------------------------------------------------------------
# Canonical phrases in referring expressions ("the square that is moving
# left"): one per motion, so the question's words parse unambiguously.
MOTION_REFS: Dict[str, str] = {m: g[0] for m, g in MOTION_GERUNDS.items()}

COLOUR_TEMPLATES = ('what colour is the {ref}?', 'what is the colour of the '
                    '{ref}?', 'which colour does the {ref} have?',
                    'what color is the {ref}?')
SHAPE_TEMPLATES = ('what shape is the {ref}?', 'what is the shape of the '
                   '{ref}?', 'which shape is the {ref}?',
                   'what kind of shape is the {ref}?')
# Phrased so that a bare direction ('left') or 'still' reads as an answer.
MOTION_TEMPLATES = ('how is the {ref} moving?', 'how does the {ref} move?',
                    'what motion does the {ref} make?',
                    'in what way does the {ref} move?')
COUNT_TEMPLATES = ('how many objects are there?',
                   'how many shapes are in the video?',
                   'how many objects can you see?',
                   'how many things are shown in the clip?')


def _colour_ref(obj: Attributes, scene: Sequence[Attributes]) -> Optional[str]:
    """A description without the colour that fits only ``obj``."""
    if sum(a.shape == obj.shape for a in scene) == 1:
        return obj.shape
    if sum(a.shape == obj.shape and a.motion == obj.motion
           for a in scene) == 1:
        return f'{obj.shape} that is {MOTION_REFS[obj.motion]}'
    return None


def _shape_ref(obj: Attributes, scene: Sequence[Attributes]) -> Optional[str]:
    """A description without the shape that fits only ``obj``."""
    if sum(a.colour == obj.colour for a in scene) == 1:
        return f'{obj.colour} object'
    if sum(a.colour == obj.colour and a.motion == obj.motion
           for a in scene) == 1:
        return f'{obj.colour} object that is {MOTION_REFS[obj.motion]}'
    return None


def _pick(rng: np.random.Generator, options: Sequence[str]) -> str:
    return options[int(rng.integers(len(options)))]


def make_questions(scene: Sequence[Attributes],
                   rng: np.random.Generator) -> List[dict]:
    """Questions about one video, each ``{question, answer, answer_type}``.

    One count question, then a colour, a shape and a motion question per
    object (when a description singles the object out), so multi-object
    scenes get more questions. Phrasing is drawn from ``rng``.
    """
    out = [
        dict(
            question=_pick(rng, COUNT_TEMPLATES),
            answer=COUNT_WORDS[len(scene)],
            answer_type='count')
    ]
    for obj in scene:
        ref = _colour_ref(obj, scene)
        if ref is not None:
            out.append(
                dict(
                    question=_pick(rng, COLOUR_TEMPLATES).format(ref=ref),
                    answer=obj.colour,
                    answer_type='colour'))
        ref = _shape_ref(obj, scene)
        if ref is not None:
            out.append(
                dict(
                    question=_pick(rng, SHAPE_TEMPLATES).format(ref=ref),
                    answer=obj.shape,
                    answer_type='shape'))
        # A colour-shape pair occurs once per scene, so it always refers.
        out.append(
            dict(
                question=_pick(
                    rng,
                    MOTION_TEMPLATES).format(ref=f'{obj.colour} {obj.shape}'),
                answer=obj.motion,
                answer_type='motion'))
    return out


# --------------------------------------------------------------------------
# Multiple-choice distractors
# --------------------------------------------------------------------------
# One-word motion edits: word -> replacement with another motion. Words of
# 'still' have none ("staying still" has no one-word opposite), so a still
# object's motion is never the edited attribute.
MOTION_SWAPS: Dict[str, str] = {
    'left': 'right',
    'right': 'left',
    'up': 'down',
    'down': 'up',
    'upwards': 'downwards',
    'downwards': 'upwards',
    'rising': 'falling',
    'falling': 'rising',
    'rises': 'falls',
    'falls': 'rises',
    'bouncing': 'spinning',
    'hopping': 'spinning',
    'bounces': 'spins',
    'hops': 'spins',
    'rotating': 'bouncing',
    'spinning': 'bouncing',
    'turning': 'bouncing',
    'rotates': 'bounces',
    'spins': 'bounces',
    'turns': 'bounces',
    'growing': 'shrinking',
    'shrinking': 'growing',
    'expanding': 'contracting',
    'contracting': 'expanding',
    'bigger': 'smaller',
    'smaller': 'bigger',
    'grows': 'shrinks',
    'shrinks': 'grows',
    'expands': 'contracts',
    'contracts': 'expands',
}
# One-word speed edits; 'fast' alone ("moving left fast") becomes 'slowly',
# after an article ("at a fast pace") 'slow'.
SPEED_SWAPS: Dict[str, str] = {
    'slowly': 'quickly',
    'quickly': 'slowly',
    'rapidly': 'slowly',
    'slow': 'fast',
    'high': 'slow',
}
SIZE_SWAPS: Dict[str, Sequence[str]] = {
    w: SIZE_WORDS['large' if s == 'small' else 'small']
    for s, ws in SIZE_WORDS.items()
    for w in ws
}


def _candidates(caption: str) -> Dict[str, List[Tuple[int, int, str]]]:
    """One-word edits of a caption by kind: ``(start, end, new word)``."""
    spans = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(caption)]
    words = [w for _, _, w in spans]
    pairs = {(words[i], words[i + 1])
             for i in range(len(words) - 1)
             if words[i] in COLOURS and words[i + 1] in SHAPES}
    out: Dict[str, List[Tuple[int, int, str]]] = {}
    for i, (start, end, word) in enumerate(spans):
        kind, new = WORD_KINDS.get(word), []
        prev = words[i - 1] if i else ''
        nxt = words[i + 1] if i + 1 < len(words) else ''
        if kind == 'colour' and nxt in SHAPES:
            # After an article only a colour taking the same one ('a red',
            # 'an orange'), so that one word changes; never a pair already
            # in the scene.
            vowel = word[0] in 'aeiou'
            new = [
                c for c in COLOURS if c != word and (c, nxt) not in pairs and (
                    prev not in ('a', 'an') or (c[0] in 'aeiou') == vowel)
            ]
        elif kind == 'shape' and prev in COLOURS:
            new = [s for s in SHAPES if s != word and (prev, s) not in pairs]
        elif kind == 'size':
            new = list(SIZE_SWAPS[word])
        elif kind == 'motion' and word in MOTION_SWAPS:
            new = [MOTION_SWAPS[word]]
        elif kind == 'speed':
            if word == 'fast':
                new = ['slow' if prev == 'a' else 'slowly']
            elif word in SPEED_SWAPS:
                new = [SPEED_SWAPS[word]]
        for w in new:
            out.setdefault(kind, []).append((start, end, w))
    return out


def make_distractors(caption: str,
                     scene: Sequence[Attributes],
                     rng: np.random.Generator,
                     num: int = MC_OPTIONS - 1) -> List[str]:
    """``num`` captions one word away from ``caption`` that are false.

    Kinds of edit are used in turn (colour, shape, motion, size, speed, in
    an order drawn from ``rng``) so the distractors test different
    attributes; an edit is kept only when the edited caption no longer
    describes the scene and every object it names is renderable.

    Raises:
        RuntimeError: If fewer than ``num`` such edits exist.
    """
    pools = {}
    for kind, edits in _candidates(caption).items():
        ok = []
        for start, end, w in edits:
            text = caption[:start] + w + caption[end:]
            described = describe(text)
            if not fits(text, scene) and all(map(is_valid, described)):
                ok.append(text)
        if ok:
            pools[kind] = [ok[j] for j in rng.permutation(len(ok))]
    kinds = [
        k for k in ('colour', 'shape', 'motion', 'size', 'speed') if k in pools
    ]
    kinds = [kinds[j] for j in rng.permutation(len(kinds))]
    out: List[str] = []
    while len(out) < num and any(pools.values()):
        for kind in kinds:
            while pools[kind] and len(out) < num:
                text = pools[kind].pop()
                if text not in out:
                    out.append(text)
                    break
    if len(out) < num:
        raise RuntimeError(f'only {len(out)} distractors for {caption!r}')
    return out
