# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Frame sampling and video decoding transforms."""
import logging
import math
from typing import Optional, Sequence, Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log

from snps3.datasets.video_io import load_image, open_video
from snps3.registry import TRANSFORMS

__all__ = [
    'sample_segment_indices', 'sample_clip_indices', 'window_to_frame_range',
    'DecodeVideo'
]


def sample_segment_indices(total: int,
                           num_frames: int,
                           test_mode: bool,
                           rng: Optional[Union[np.random.Generator,
                                               np.random.RandomState]] = None,
                           start: int = 0,
                           end: Optional[int] = None) -> np.ndarray:
    """TSN-style sampling: one frame from each of ``num_frames`` segments.

    The frame range ``[start, end)`` is treated as a continuous time span
    and cut into ``num_frames`` segments of equal length
    ``L / num_frames`` (``L = end - start``). Segment ``k`` covers
    ``[start + k * L / n, start + (k + 1) * L / n)``; a point is drawn in it
    (uniformly at random in training, its middle in test mode) and the
    frame containing that point is taken, i.e. ``floor(point)``.

    Working in continuous time keeps the rule the same whether the range
    is longer or shorter than ``num_frames``: with fewer frames than
    segments, neighbouring segments fall in the same frame and indices
    repeat. The output is always sorted (non-decreasing) and inside
    ``[start, end)``.

    Examples (test mode): ``total=16, num_frames=4 -> [2, 6, 10, 14]``;
    ``total=10, num_frames=4 -> [1, 3, 6, 8]``;
    ``total=2, num_frames=4 -> [0, 0, 1, 1]``.

    Args:
        total (int): Number of frames in the video (>= 1).
        num_frames (int): Number of frames to sample (>= 1).
        test_mode (bool): Take segment middles (deterministic) instead of
            random positions.
        rng (np.random.Generator | np.random.RandomState, optional): Source
            of randomness in training. Defaults to NumPy's global state,
            which MMEngine seeds per process and per DataLoader worker.
        start (int): First frame of the range. Clamped to
            ``[0, total - 1]``.
        end (int, optional): One past the last frame of the range; defaults
            to ``total``. Clamped to ``[start + 1, total]``.

    Returns:
        np.ndarray: Frame indices of shape ``(num_frames,)``, int64, sorted.
    """
    if total < 1:
        raise ValueError(f'total must be at least 1, got {total}')
    if num_frames < 1:
        raise ValueError(f'num_frames must be at least 1, got {num_frames}')
    start = min(max(int(start), 0), total - 1)
    end = total if end is None else min(max(int(end), start + 1), total)
    length = end - start
    segments = np.arange(num_frames, dtype=np.int64)
    if test_mode:
        # Integer arithmetic: start + floor((2k + 1) * L / (2n)) is the
        # exact segment middle with no float rounding on boundaries.
        return start + ((2 * segments + 1) * length) // (2 * num_frames)
    source = np.random if rng is None else rng
    offsets = source.random(num_frames)  # U[0, 1) per segment
    points = start + (segments + offsets) * (length / num_frames)
    inds = np.floor(points).astype(np.int64)
    # Float rounding could land a point a hair outside the range when it
    # is drawn right at the top of the last segment; clip to be safe.
    return np.clip(inds, start, end - 1)


def sample_clip_indices(total: int,
                        num_frames: int,
                        num_clips: int,
                        test_mode: bool,
                        rng: Optional[Union[np.random.Generator,
                                            np.random.RandomState]] = None,
                        start: int = 0,
                        end: Optional[int] = None) -> np.ndarray:
    """Several TSN index sets, clip after clip.

    In training each clip is an independent draw of
    :func:`sample_segment_indices`. In test mode the clips are evenly offset
    inside the segments: clip ``c`` of ``K`` takes, in segment ``k``, the
    middle of its ``c``-th sub-segment, i.e. the point
    ``start + (k + (c + 0.5) / K) * L / n``; with ``K = 1`` that is the
    segment middle, so the result equals :func:`sample_segment_indices`.

    Example (test mode): ``total=16, num_frames=2, num_clips=2 ->
    [2, 10, 6, 14]`` (clip 0 is ``[2, 10]``, clip 1 is ``[6, 14]``).

    Args:
        total (int): Number of frames in the video (>= 1).
        num_frames (int): Frames per clip (>= 1).
        num_clips (int): Number of clips (>= 1).
        test_mode (bool): Deterministic evenly offset clips.
        rng (np.random.Generator | np.random.RandomState, optional): Source
            of randomness in training; NumPy's global state by default.
        start (int): First frame of the range (clamped as in
            :func:`sample_segment_indices`).
        end (int, optional): One past the last frame of the range.

    Returns:
        np.ndarray: ``(num_clips * num_frames,)`` int64; each consecutive
        run of ``num_frames`` indices is one clip, sorted within the clip.
    """
    if num_clips < 1:
        raise ValueError(f'num_clips must be at least 1, got {num_clips}')
    if not test_mode or num_clips == 1:
        return np.concatenate([
            sample_segment_indices(total, num_frames, test_mode, rng, start,
                                   end) for _ in range(num_clips)
        ])
    # Validation and clamping exactly as for one clip.
    sample_segment_indices(total, num_frames, True, start=start, end=end)
    start = min(max(int(start), 0), total - 1)
    end = total if end is None else min(max(int(end), start + 1), total)
    length = end - start
    # Sub-segment j = k * K + c of n * K equal ones; its middle, in exact
    # integer arithmetic like the single-clip rule.
    sub = (
        np.arange(num_frames, dtype=np.int64)[None] * num_clips +
        np.arange(num_clips, dtype=np.int64)[:, None])
    inds = start + ((2 * sub + 1) * length) // (2 * num_frames * num_clips)
    return inds.reshape(-1)


def window_to_frame_range(window: Optional[Sequence[Optional[float]]],
                          fps: float, total: int) -> Tuple[int, int]:
    """Convert a window in seconds into a frame range ``[start, end)``.

    The start is rounded down and the end up, so every frame that overlaps
    the window is included; both are clamped into the video, and a window
    that is empty or lies past the end keeps at least one frame (the last
    one) rather than failing.

    Args:
        window (Sequence[float | None] | None): ``(start_sec, end_sec)``;
            ``None`` for either bound (or for the window) means the video's
            own start/end.
        fps (float): Frame rate of the video. Non-positive means unknown,
            in which case the whole video is used.
        total (int): Number of frames in the video (>= 1).

    Returns:
        tuple[int, int]: ``(start, end)`` with ``0 <= start < end <= total``.
    """
    if window is None:
        return 0, total
    start_sec, end_sec = window
    if fps <= 0:
        return 0, total
    start = 0 if start_sec is None else int(math.floor(start_sec * fps))
    end = total if end_sec is None else int(math.ceil(end_sec * fps))
    start = min(max(start, 0), total - 1)
    end = min(max(end, start + 1), total)
    return start, end


@TRANSFORMS.register_module()
class DecodeVideo(BaseTransform):
    """Sample ``num_frames`` frames TSN-style and decode them.

    Required keys:

    - ``video_path`` (str)

    Optional keys:

    - ``window`` (tuple[float | None, float | None] | None): restrict
      sampling to ``[start_sec, end_sec]`` of the video.
    - ``is_image`` (bool): the file is an image; it is read once and
      repeated ``num_frames`` times, so image-text pairs flow through the
      same pipeline as videos.

    Added keys:

    - ``imgs`` (np.ndarray): ``(K * T, H, W, 3)`` uint8 RGB,
      ``T = num_frames``, ``K = num_clips``; clip after clip.
    - ``frame_inds`` (np.ndarray): ``(K * T,)`` int64 indices into the video
      (all zeros for images).
    - ``num_clips`` (int): ``K``.
    - ``total_frames`` (int): frames in the video (1 for images).
    - ``original_shape`` (tuple[int, int]): ``(H, W)`` as decoded (after any
      decode-time downscaling from ``out_short_side``).
    - ``img_shape`` (tuple[int, int]): ``(H, W)``, same as above for now;
      later transforms update it.

    Args:
        num_frames (int): Frames per clip. Defaults to 4.
        test_mode (bool): Deterministic segment-middle sampling. Defaults
            to False.
        backend (str): ``'decord'`` (with PyAV fallback) or ``'pyav'``.
            Defaults to ``'decord'``.
        out_short_side (int, optional): Decode at a reduced resolution with
            this short side (downscaling only); saves decoding and resizing
            time for high-resolution sources. Defaults to None (native).
        num_clips (int): Clips per video, for fine-tuning and evaluation
            that average over several views. Test mode takes ``K`` evenly
            offset index sets, training ``K`` random ones (see
            :func:`sample_clip_indices`); all are decoded in one pass.
            Later spatial transforms treat the ``K * T`` frames as one clip
            (same crop for all). Defaults to 1.
    """

    def __init__(self,
                 num_frames: int = 4,
                 test_mode: bool = False,
                 backend: str = 'decord',
                 out_short_side: Optional[int] = None,
                 num_clips: int = 1) -> None:
        if num_frames < 1:
            raise ValueError(f'num_frames must be >= 1, got {num_frames}')
        if num_clips < 1:
            raise ValueError(f'num_clips must be >= 1, got {num_clips}')
        if backend not in ('decord', 'pyav'):
            raise ValueError(
                f"backend must be 'decord' or 'pyav', got {backend!r}")
        self.num_frames = num_frames
        self.test_mode = test_mode
        self.backend = backend
        self.out_short_side = out_short_side
        self.num_clips = num_clips

    def transform(self, results: dict) -> dict:
        """Decode the clip of ``results['video_path']``.

        Args:
            results (dict): The results dict; see the class docstring.

        Returns:
            dict: ``results`` with ``imgs``, ``frame_inds``, ``num_clips``,
            ``total_frames``, ``original_shape`` and ``img_shape`` set.
        """
        path = results['video_path']
        num = self.num_frames * self.num_clips
        if results.get('is_image', False):
            img = load_image(path, self.out_short_side)
            # np.repeat copies, so later in-place ops on one frame cannot
            # alias the others.
            imgs = np.repeat(img[None], num, axis=0)
            frame_inds = np.zeros(num, dtype=np.int64)
            total = 1
        else:
            reader = open_video(path, self.backend, self.out_short_side)
            total = reader.num_frames
            window = results.get('window')
            if window is not None and reader.fps <= 0:
                print_log(
                    f'{path!r} has no frame rate; ignoring window {window}',
                    logger='current',
                    level=logging.WARNING)
            start, end = window_to_frame_range(window, reader.fps, total)
            frame_inds = sample_clip_indices(
                total,
                self.num_frames,
                self.num_clips,
                self.test_mode,
                start=start,
                end=end)
            # One call for all clips: a sequential backend decodes once.
            imgs = reader.get_frames(frame_inds)
        results['imgs'] = imgs
        results['frame_inds'] = frame_inds
        results['num_clips'] = self.num_clips
        results['total_frames'] = total
        results['original_shape'] = tuple(imgs.shape[1:3])
        results['img_shape'] = tuple(imgs.shape[1:3])
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(num_frames={self.num_frames}, '
                f'test_mode={self.test_mode}, backend={self.backend!r}, '
                f'out_short_side={self.out_short_side}, '
                f'num_clips={self.num_clips})')
