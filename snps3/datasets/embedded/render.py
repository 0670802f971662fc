# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Drawing embedded-corpus scenes and writing them as H.264 mp4 files.

Frames are drawn with OpenCV's anti-aliased, sub-pixel polygon filling, so
slow motion moves smoothly instead of jumping whole pixels.

Videos are encoded with libx264 through PyAV, set up for determinism: one
encoder thread (multi-threaded x264 splits its work by thread count), no
macroblock tree and no B-frames. With x264's defaults, and still with
B-frames off but the macroblock tree on, the same frames encoded to
different videos from run to run (decoded pixels off by up to 40 levels in
one to several percent of the videos, more under CPU load); the macroblock
tree's rate control is float arithmetic, the likely source. With both off,
thousands of repeated encodes in parallel processes and whole corpora
generated with 1 and 2 workers matched byte for byte. No B-frames also
keeps decode order equal to display order, which keeps frame-exact seeking
in decord simple. The cost is ~40% larger files at the same quality.
"""
import math
import os
from fractions import Fraction
from typing import Dict, Tuple

import av
import cv2
import numpy as np

from .scenes import BACKGROUNDS, COLOURS, SceneSpec, object_track

# Fixed-point bits for cv2 drawing: coordinates are multiples of 1/16 pixel.
_SHIFT = 4
_ONE = 1 << _SHIFT


def _star(points: int = 5, inner: float = 0.45) -> np.ndarray:
    angles = np.arange(2 * points) * math.pi / points - math.pi / 2
    radii = np.where(np.arange(2 * points) % 2 == 0, 1.0, inner)
    return np.stack([radii * np.cos(angles), radii * np.sin(angles)], 1)


def _regular(n: int, start: float) -> np.ndarray:
    angles = np.arange(n) * 2 * math.pi / n + math.radians(start)
    return np.stack([np.cos(angles), np.sin(angles)], 1)


# Outlines in units of the object's radius, upright, y pointing down. The
# scales even out the visual area (a unit triangle is much smaller than a
# unit circle) and keep every tip within scenes.EXTENT radii.
SHAPE_OUTLINES: Dict[str, np.ndarray] = {
    'square': _regular(4, 45.0) * 1.17,  # half side ~0.83
    'triangle': _regular(3, -90.0) * 1.2,
    'star': _star() * 1.2,
    'diamond': np.array([[0.0, -1.2], [0.75, 0.0], [0.0, 1.2], [-0.75, 0.0]]),
    'hexagon': _regular(6, 0.0) * 1.05,
}


def render_background(scene: SceneSpec, width: int, height: int) -> np.ndarray:
    """The static background of a scene.

    Args:
        scene: The scene.
        width: Frame width in pixels.
        height: Frame height in pixels.

    Returns:
        ``(height, width, 3)`` uint8 RGB.
    """
    base = np.array(BACKGROUNDS[scene.background], np.float32)
    if scene.style == 'gradient':
        other = np.array(BACKGROUNDS[scene.background2], np.float32)
        t = math.radians(scene.gradient_angle)
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        proj = (xs / width - 0.5) * math.cos(t) + (ys / height -
                                                   0.5) * math.sin(t)
        w = np.clip(proj / math.sqrt(0.5) * 0.5 + 0.5, 0.0, 1.0)[..., None]
        img = base * (1.0 - w) + other * w
    else:
        img = np.broadcast_to(base, (height, width, 3)).copy()
        if scene.style == 'noise':
            # A coarse random grid smoothed up to full size: a light, blotchy
            # texture whose look does not depend on the resolution. Mostly
            # brightness, a little tint, so it never mimics an object colour.
            rng = np.random.default_rng(scene.texture_seed)
            grid = (rng.normal(0.0, 8.0, (8, 8, 1)) +
                    rng.normal(0.0, 2.5, (8, 8, 3))).astype(np.float32)
            img += cv2.resize(
                grid, (width, height), interpolation=cv2.INTER_CUBIC)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def _draw(img: np.ndarray, shape: str, colour: Tuple[int, int, int], cx: float,
          cy: float, radius: float, angle: float) -> None:
    if shape == 'circle':
        cv2.circle(img, (round(cx * _ONE), round(cy * _ONE)),
                   round(radius * _ONE), colour, -1, cv2.LINE_AA, _SHIFT)
        return
    t = math.radians(angle)
    rot = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    pts = SHAPE_OUTLINES[shape] @ rot.T * radius + np.array([cx, cy])
    cv2.fillPoly(img, [np.rint(pts * _ONE).astype(np.int32)], colour,
                 cv2.LINE_AA, _SHIFT)


def render_frames(scene: SceneSpec,
                  width: int = 112,
                  height: int = 112,
                  num_frames: int = 16) -> np.ndarray:
    """Draws every frame of a scene.

    Args:
        scene: The scene.
        width: Frame width in pixels.
        height: Frame height in pixels.
        num_frames: Number of frames; clip time runs evenly from 0 to 1.

    Returns:
        ``(num_frames, height, width, 3)`` uint8 RGB frames.
    """
    background = render_background(scene, width, height)
    # Scene geometry is in units of the frame side; non-square frames use
    # the shorter side for sizes so shapes stay undistorted.
    side = min(width, height)
    frames = np.empty((num_frames, height, width, 3), np.uint8)
    for k in range(num_frames):
        u = k / (num_frames - 1) if num_frames > 1 else 0.0
        img = background.copy()
        for obj in scene.objects:
            cx, cy, r, angle = object_track(obj, u)
            a = obj.attributes
            _draw(img, a.shape, COLOURS[a.colour], cx * width, cy * height,
                  r * side, angle)
        frames[k] = img
    return frames


def write_mp4(path: str,
              frames: np.ndarray,
              fps: int = 8,
              crf: int = 18) -> int:
    """Encodes RGB frames as an H.264 mp4, atomically.

    Args:
        path: Output file; written to a temporary name and renamed, so a
            file at ``path`` is always complete.
        frames: ``(T, H, W, 3)`` uint8 RGB with even H and W (yuv420p).
        fps: Frame rate.
        crf: x264 constant rate factor (lower = better, larger files).

    Returns:
        The size of the file in bytes.
    """
    tmp = f'{path}.part'
    with av.open(tmp, mode='w', format='mp4') as container:
        stream = container.add_stream('libx264', rate=Fraction(fps))
        stream.width = frames.shape[2]
        stream.height = frames.shape[1]
        stream.pix_fmt = 'yuv420p'
        stream.codec_context.thread_count = 1
        stream.options = {
            'crf': str(crf),
            'preset': 'veryfast',
            'bf': '0',
            'threads': '1',
            'x264-params': 'mbtree=0',
        }
        for k, arr in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(arr, format='rgb24')
            frame.pts = k
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    os.replace(tmp, path)
    return os.path.getsize(path)


def render_video(task: Tuple[SceneSpec, str, int, int, int, int]) -> int:
    """Renders and writes one video; the unit of work of the process pool.

    Args:
        task: ``(scene, path, width, height, num_frames, fps)``.

    Returns:
        The size of the written file in bytes.
    """
    scene, path, width, height, num_frames, fps = task
    frames = render_frames(scene, width, height, num_frames)
    return write_mp4(path, frames, fps)
