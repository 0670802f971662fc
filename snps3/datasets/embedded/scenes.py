# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Attribute vocabulary and scene sampling of the embedded corpus.

A *scene* is the full, resolution-independent description of one video: a
background and one to three objects, each with the attributes a caption names
(colour, shape, size, motion, speed) and nuisance parameters a caption never
names (where the object starts, its initial angle, its spin direction, the
phase of a bounce). Geometry is in units of the frame side and time runs over
``u`` in ``[0, 1]`` across the clip, so the same scene renders to the same
motion at any resolution, frame count or frame rate.

The split between what captions name and what they do not is the point of the
corpus: every visual difference a caption mentions is an attribute here, and
every difference it does not mention (position, background, spin direction)
is nuisance that a model must learn to ignore.
"""
import math
from dataclasses import dataclass
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np

# --------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------
SHAPES: Tuple[str, ...] = ('circle', 'square', 'triangle', 'star', 'diamond',
                           'hexagon')

# Saturated or extreme colours; the backgrounds below are desaturated mid
# tones, so every object colour stands out against every background.
COLOURS: Dict[str, Tuple[int, int, int]] = {
    'red': (222, 38, 38),
    'green': (36, 172, 58),
    'blue': (38, 78, 224),
    'yellow': (242, 216, 36),
    'purple': (142, 48, 192),
    'orange': (246, 138, 28),
    'white': (246, 246, 246),
    'black': (18, 18, 18),
}

SIZES: Tuple[str, ...] = ('small', 'large')
MOTIONS: Tuple[str, ...] = ('left', 'right', 'up', 'down', 'bouncing',
                            'rotating', 'growing', 'shrinking', 'still')
SPEEDS: Tuple[str, ...] = ('slow', 'fast')

# A speed is only meaningful (and only rendered differently) for these.
SPEED_MOTIONS = frozenset(
    {'left', 'right', 'up', 'down', 'bouncing', 'rotating'})
# Growing and shrinking objects change size during the clip, so a size word
# would be wrong for half of it; they carry no size attribute.
UNSIZED_MOTIONS = frozenset({'growing', 'shrinking'})

# Named desaturated mid tones (RGB). Names are for the scene records only;
# captions never mention the background colour.
BACKGROUNDS: Dict[str, Tuple[int, int, int]] = {
    'grey': (128, 128, 128),
    'slate': (96, 108, 126),
    'sand': (170, 154, 126),
    'sage': (116, 134, 110),
    'mauve': (134, 110, 126),
    'taupe': (108, 98, 88),
}
BACKGROUND_STYLES: Tuple[str, ...] = ('plain', 'gradient', 'noise')

# --------------------------------------------------------------------------
# Geometry (units: frame side; time u in [0, 1] over the clip)
# --------------------------------------------------------------------------
# Nominal radius of a small / large object; shapes scale their outline from
# this so that all shapes of one size cover a similar area.
RADIUS = {'small': 0.085, 'large': 0.145}
GROW_RADII = (0.06, 0.16)  # growing: first -> last; shrinking: reversed
# Farthest any outline point reaches from the centre, in radii (the star's
# and triangle's tips); used for margins and overlap tests.
EXTENT = 1.2
MARGIN = 0.02  # keep outlines this far inside the frame
GAP = 0.03  # keep two objects' extents this far apart in every frame
# Distance travelled over the clip by left/right/up/down motion.
TRAVEL = {'slow': 0.22, 'fast': 0.46}
# Bouncing: number of bounces over the clip and bounce height.
BOUNCES = {'slow': 1.0, 'fast': 2.5}
BOUNCE_HEIGHT = 0.28
# Rotating: total turn over the clip, degrees. At 16 frames the fast rate is
# ~22 degrees per frame, under half the 60-degree symmetry of the hexagon, so
# the rotation never aliases into a standstill or a reversal.
TURN = {'slow': 120.0, 'fast': 330.0}
# Shapes that are not rotating are drawn within this many degrees of upright,
# so that a square never looks like a diamond.
UPRIGHT_JITTER = 8.0

NUM_OBJECTS_P = (0.4, 0.4, 0.2)  # probability of 1, 2, 3 objects


class Attributes(NamedTuple):
    """What a caption says about one object.

    ``size`` is None for growing/shrinking objects and ``speed`` is None for
    motions without a speed (growing, shrinking, still).
    """

    colour: str
    shape: str
    size: Optional[str]
    motion: str
    speed: Optional[str]

    @property
    def pair(self) -> Tuple[str, str]:
        """The (colour, shape) pair, the unit of held-out combinations."""
        return self.colour, self.shape


@dataclass(frozen=True)
class ObjectSpec:
    """One object: captioned attributes plus nuisance parameters.

    Attributes:
        attributes: What captions say about the object.
        x: Centre at the start of the clip, frame-side units.
        y: Centre at the start of the clip, frame-side units (down is +).
        angle: Initial angle in degrees.
        spin: +1 or -1, the sense of rotation when rotating.
        phase: Bounce phase in [0, 1).
    """

    attributes: Attributes
    x: float
    y: float
    angle: float = 0.0
    spin: int = 1
    phase: float = 0.0


@dataclass(frozen=True)
class SceneSpec:
    """One video: a background and its objects, back to front.

    Attributes:
        objects: The objects, drawn in order (later ones on top); the first
            one is the *primary* object.
        background: Name of the main background tone (see BACKGROUNDS).
        background2: Second tone, used by the gradient style.
        style: One of BACKGROUND_STYLES.
        gradient_angle: Direction of the gradient in degrees.
        texture_seed: Seed of the noise texture.
    """

    objects: Tuple[ObjectSpec, ...]
    background: str
    background2: str
    style: str
    gradient_angle: float = 0.0
    texture_seed: int = 0

    @property
    def attributes(self) -> Tuple[Attributes, ...]:
        """The captioned attributes of every object."""
        return tuple(o.attributes for o in self.objects)

    def to_dict(self) -> dict:
        """A JSON-ready record of the scene (attributes and background)."""
        return dict(
            objects=[dict(o.attributes._asdict()) for o in self.objects],
            background=self.background,
            background_style=self.style)


def object_track(obj: ObjectSpec,
                 u: float) -> Tuple[float, float, float, float]:
    """Where an object is at clip time ``u``.

    Args:
        obj: The object.
        u: Clip time in [0, 1] (0 = first frame, 1 = last frame).

    Returns:
        ``(cx, cy, radius, angle)`` with lengths in frame-side units and the
        angle in degrees.
    """
    a = obj.attributes
    cx, cy, angle = obj.x, obj.y, obj.angle
    radius = RADIUS[a.size] if a.size else GROW_RADII[0]
    if a.motion in ('left', 'right', 'up', 'down'):
        d = TRAVEL[a.speed] * u
        cx += {'left': -d, 'right': d}.get(a.motion, 0.0)
        cy += {'up': -d, 'down': d}.get(a.motion, 0.0)
    elif a.motion == 'bouncing':
        # |sin| is the arc of a ball bouncing on a floor at y = obj.y.
        cy -= BOUNCE_HEIGHT * abs(
            math.sin(math.pi * (BOUNCES[a.speed] * u + obj.phase)))
    elif a.motion == 'rotating':
        angle += obj.spin * TURN[a.speed] * u
    elif a.motion in UNSIZED_MOTIONS:
        r0, r1 = GROW_RADII if a.motion == 'growing' else GROW_RADII[::-1]
        radius = r0 + (r1 - r0) * u
    return cx, cy, radius, angle


def _max_radius(a: Attributes) -> float:
    return RADIUS[a.size] if a.size else max(GROW_RADII)


def _place(rng: np.random.Generator, a: Attributes) -> ObjectSpec:
    """Draws the nuisance parameters so the object stays inside the frame."""
    reach = _max_radius(a) * EXTENT + MARGIN
    lo, hi = reach, 1.0 - reach
    x, y = rng.uniform(lo, hi), rng.uniform(lo, hi)
    if a.motion in ('left', 'right', 'up', 'down'):
        d = TRAVEL[a.speed]
        start = rng.uniform(lo + d, hi) if a.motion in ('left', 'up') \
            else rng.uniform(lo, hi - d)
        if a.motion in ('left', 'right'):
            x = start
        else:
            y = start
    elif a.motion == 'bouncing':
        y = rng.uniform(lo + BOUNCE_HEIGHT, hi)  # y is the floor
    rotating = a.motion == 'rotating'
    angle = rng.uniform(0.0, 360.0) if rotating else rng.uniform(
        -UPRIGHT_JITTER, UPRIGHT_JITTER)
    spin = 1 if rng.random() < 0.5 else -1
    phase = rng.uniform(0.0, 1.0) if a.motion == 'bouncing' else 0.0
    return ObjectSpec(a, float(x), float(y), float(angle), spin, float(phase))


def _separated(a: ObjectSpec, b: ObjectSpec, samples: int = 17) -> bool:
    """Whether two objects keep apart over the whole clip."""
    for k in range(samples):
        u = k / (samples - 1)
        ax, ay, ar, _ = object_track(a, u)
        bx, by, br, _ = object_track(b, u)
        if math.hypot(ax - bx, ay - by) < (ar + br) * EXTENT + GAP:
            return False
    return True


def is_valid(a: Attributes) -> bool:
    """Whether an attribute tuple can be rendered and captioned faithfully.

    A rotating circle looks exactly like a still one, so it is excluded.
    """
    if a.motion == 'rotating' and a.shape == 'circle':
        return False
    if (a.size is None) != (a.motion in UNSIZED_MOTIONS):
        return False
    return (a.speed is None) != (a.motion in SPEED_MOTIONS)


def all_attribute_tuples(
        pairs: Optional[Iterable[Tuple[str, str]]] = None) -> List[Attributes]:
    """Every valid attribute tuple, optionally restricted to some pairs.

    Args:
        pairs: (colour, shape) pairs to enumerate; all pairs if None.

    Returns:
        The tuples in a fixed order (colour, shape, motion, size, speed).
    """
    if pairs is None:
        pairs = [(c, s) for c in COLOURS for s in SHAPES]
    out = []
    for colour, shape in pairs:
        for motion in MOTIONS:
            sizes = (None, ) if motion in UNSIZED_MOTIONS else SIZES
            speeds = SPEEDS if motion in SPEED_MOTIONS else (None, )
            for size in sizes:
                for speed in speeds:
                    a = Attributes(colour, shape, size, motion, speed)
                    if is_valid(a):
                        out.append(a)
    return out


def choose_held_out_pairs(seed: int,
                          fraction: float = 0.15) -> List[Tuple[str, str]]:
    """Chooses the (colour, shape) pairs that pre-training never shows.

    At most two pairs share a colour or a shape, so every colour and every
    shape is still seen with most partners in pre-training and the held-out
    pairs test composition, not unseen words.

    Args:
        seed: Corpus seed.
        fraction: Share of all pairs to hold out.

    Returns:
        The held-out pairs, sorted.
    """
    pairs = [(c, s) for c in COLOURS for s in SHAPES]
    n = max(1, round(fraction * len(pairs)))
    rng = np.random.default_rng([seed, 0x48454C44])  # own stream: 'HELD'
    per_colour: Dict[str, int] = {}
    per_shape: Dict[str, int] = {}
    chosen = []
    for i in rng.permutation(len(pairs)):
        c, s = pairs[i]
        if per_colour.get(c, 0) >= 2 or per_shape.get(s, 0) >= 2:
            continue
        chosen.append((c, s))
        per_colour[c] = per_colour.get(c, 0) + 1
        per_shape[s] = per_shape.get(s, 0) + 1
        if len(chosen) == n:
            break
    return sorted(chosen)


def sample_attributes(rng: np.random.Generator,
                      pairs: Sequence[Tuple[str, str]]) -> Attributes:
    """Samples one valid attribute tuple with its pair drawn from ``pairs``.

    Motions are drawn uniformly first so every motion is equally common,
    whatever the shape.
    """
    while True:
        colour, shape = pairs[rng.integers(len(pairs))]
        motion = MOTIONS[rng.integers(len(MOTIONS))]
        size = None if motion in UNSIZED_MOTIONS else SIZES[rng.integers(2)]
        speed = SPEEDS[rng.integers(2)] if motion in SPEED_MOTIONS else None
        a = Attributes(colour, shape, size, motion, speed)
        if is_valid(a):
            return a


def _background(rng: np.random.Generator) -> dict:
    names = list(BACKGROUNDS)
    first = names[rng.integers(len(names))]
    others = [n for n in names if n != first]
    return dict(
        background=first,
        background2=others[rng.integers(len(others))],
        style=BACKGROUND_STYLES[rng.integers(len(BACKGROUND_STYLES))],
        gradient_angle=float(rng.uniform(0.0, 360.0)),
        texture_seed=int(rng.integers(2**31)))


def sample_scene(rng: np.random.Generator,
                 pairs: Sequence[Tuple[str, str]],
                 primary: Optional[Attributes] = None,
                 secondary: Optional[Sequence[Attributes]] = None,
                 num_objects: Optional[int] = None,
                 max_tries: int = 40) -> SceneSpec:
    """Samples a scene.

    Args:
        rng: Random generator; the scene is a pure function of its state.
        pairs: (colour, shape) pairs objects may use.
        primary: Fixed attributes of the first object; sampled if None.
        secondary: Attribute tuples other objects must be drawn from (the
            test split keeps primaries out of it); ``pairs`` is used if None.
        num_objects: 1 to 3; sampled from NUM_OBJECTS_P if None.
        max_tries: Placements tried per object before giving it up.

    Returns:
        The scene. It may hold fewer objects than asked when they could not
        be placed without overlapping, never fewer than one.
    """
    if num_objects is None:
        num_objects = 1 + int(rng.choice(3, p=NUM_OBJECTS_P))
    bg = _background(rng)
    first = primary or sample_attributes(rng, pairs)
    objects = [_place(rng, first)]
    for _ in range(num_objects - 1):
        for _ in range(max_tries):
            if secondary is not None:
                a = secondary[rng.integers(len(secondary))]
            else:
                a = sample_attributes(rng, pairs)
            # Two objects of the same colour and shape could not be told
            # apart by their caption; the pair must be new in the scene.
            if a.pair in {o.attributes.pair for o in objects}:
                continue
            obj = _place(rng, a)
            if all(_separated(obj, o) for o in objects):
                objects.append(obj)
                break
    return SceneSpec(objects=tuple(objects), **bg)
