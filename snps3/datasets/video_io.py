# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Backend-agnostic video (and image) reading.

:func:`open_video` returns a reader with the same small interface whatever
library decodes the file:

* ``num_frames`` (int): frames in the video, at least 1;
* ``fps`` (float): average frame rate, ``0.0`` when the container has none;
* ``get_frames(indices)`` -> ``np.ndarray`` of shape ``(T, H, W, 3)``, uint8,
  RGB, one frame per index, in the order given (repeats allowed).

decord is the primary backend (fast random access); PyAV is the fallback for
when decord is not installed or cannot open a file, which happens for some
containers decord's bundled FFmpeg rejects (e.g. a video stream with no
decodable frames, or files its frame-index scan chokes on). Both backends
return identical frames at full resolution for the H.264 files the tests
write; at reduced resolution (``target_short_side``) the two scalers differ
by a few grey levels.

Every failure to read a file surfaces as :class:`VideoDecodeError`, so a
dataset can catch one exception type and, for example, resample another
item.
"""
import logging
import os
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np
from mmengine.logging import print_log

__all__ = [
    'VideoDecodeError', 'VideoReader', 'DecordVideoReader', 'PyAVVideoReader',
    'open_video', 'load_image', 'scaled_size'
]


class VideoDecodeError(RuntimeError):
    """A video (or image) file could not be read.

    Args:
        path (str): The file that failed.
        reason (str): Why, e.g. ``'file not found'``, ``'empty file'``,
            ``'no video stream'``, ``'zero frames'``.
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"video '{self.path}' could not be decoded: {reason}")

    def __reduce__(self):
        # The default reduce would call cls(message) and fail; DataLoader
        # workers and multiprocessing pickle exceptions, so keep both args.
        return (type(self), (self.path, self.reason))


def scaled_size(height: int, width: int, short_side: int) -> Tuple[int, int]:
    """Size whose short side is ``short_side``, keeping the aspect ratio.

    Args:
        height (int): Input height.
        width (int): Input width.
        short_side (int): Wanted length of the shorter side.

    Returns:
        tuple[int, int]: ``(new_height, new_width)``; the long side is
        rounded to the nearest integer and is at least 1.
    """
    if short_side <= 0:
        raise ValueError(f'short_side must be positive, got {short_side}')
    if height <= width:
        return short_side, max(1, int(round(width * short_side / height)))
    return max(1, int(round(height * short_side / width))), short_side


def _check_file(path: str) -> None:
    """Fail early, with a precise reason, on paths no backend can read."""
    if not os.path.isfile(path):
        raise VideoDecodeError(path, 'file not found')
    if os.path.getsize(path) == 0:
        raise VideoDecodeError(path, 'empty file (0 bytes)')


def _as_index_array(indices: Sequence[int], num_frames: int) -> np.ndarray:
    inds = np.asarray(indices, dtype=np.int64).reshape(-1)
    if inds.size == 0:
        raise ValueError('get_frames needs at least one frame index')
    if inds.min() < 0 or inds.max() >= num_frames:
        raise IndexError(f'frame indices must lie in [0, {num_frames}), got '
                         f'[{inds.min()}, {inds.max()}]')
    return inds


class VideoReader:
    """Interface shared by the backends; see the module docstring.

    Attributes:
        path (str): The video file.
        num_frames (int): Number of frames, at least 1.
        fps (float): Average frame rate; ``0.0`` if unknown.
        backend (str): ``'decord'`` or ``'pyav'``.
    """

    backend: str = ''

    def __init__(self, path: str) -> None:
        self.path = str(path)
        self.num_frames = 0
        self.fps = 0.0

    def get_frames(self, indices: Sequence[int]) -> np.ndarray:
        """Decode the frames at ``indices``.

        Args:
            indices (Sequence[int]): 0-based frame indices, each in
                ``[0, num_frames)``; any order, repeats allowed.

        Returns:
            np.ndarray: Frames of shape ``(T, H, W, 3)``, uint8, RGB, with
            ``T = len(indices)``.
        """
        raise NotImplementedError

    def __len__(self) -> int:
        return self.num_frames

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(path={self.path!r}, '
                f'num_frames={self.num_frames}, fps={self.fps:.3f})')


def _probe_size(path: str) -> Optional[Tuple[int, int]]:
    """(height, width) of the first video stream from the header only.

    decord has no public accessor for the frame size short of decoding a
    frame, and opening a decord reader scans the whole file, so the header
    is read with PyAV instead. ``None`` when that is not possible.
    """
    try:
        import av
        with av.open(path) as container:
            stream = container.streams.video[0]
            return stream.codec_context.height, stream.codec_context.width
    except Exception:  # best effort; caller decodes full size
        return None


class DecordVideoReader(VideoReader):
    """Reader backed by ``decord.VideoReader`` (single decoding thread).

    Args:
        path (str): The video file.
        target_short_side (int, optional): Decode directly at a resolution
            whose short side is this many pixels (downscaling only), which
            is much cheaper than decoding at full size and resizing.

    Raises:
        ImportError: decord is not installed.
        VideoDecodeError: decord cannot open the file or finds no frames.
    """

    backend = 'decord'

    def __init__(self,
                 path: str,
                 target_short_side: Optional[int] = None) -> None:
        super().__init__(path)
        import decord  # ImportError is the caller's cue to fall back
        self._target_short_side = target_short_side
        _check_file(self.path)
        size_kwargs = {}
        if target_short_side is not None:
            size = _probe_size(self.path)
            if size is not None and min(size) > target_short_side:
                new_h, new_w = scaled_size(*size, target_short_side)
                size_kwargs = dict(width=new_w, height=new_h)
        try:
            self._reader = decord.VideoReader(
                self.path, num_threads=1, **size_kwargs)
        except Exception as err:  # decord raises RuntimeError/DECORDError
            raise VideoDecodeError(self.path,
                                   f'decord: {_first_line(err)}') from err
        self.num_frames = len(self._reader)
        if self.num_frames <= 0:
            raise VideoDecodeError(self.path, 'zero frames')
        self.fps = float(self._reader.get_avg_fps() or 0.0)

    def get_frames(self, indices: Sequence[int]) -> np.ndarray:
        inds = _as_index_array(indices, self.num_frames)
        try:
            batch = self._reader.get_batch(inds.tolist())
        except Exception as err:  # decord error types vary
            # decord can open some files whose frames it then fails to
            # decode (broken index, odd codecs); PyAV often still can.
            print_log(
                f'decord failed to decode {self.path!r} '
                f'({_first_line(err)}); trying PyAV',
                logger='current',
                level=logging.DEBUG)
            try:
                fallback = PyAVVideoReader(self.path, self._target_short_side)
            except ImportError:
                raise VideoDecodeError(self.path,
                                       f'decord: {_first_line(err)}') from err
            # Indices beyond PyAV's count are clamped: the two backends can
            # disagree on the length of a damaged file.
            return fallback.get_frames(
                np.minimum(inds, fallback.num_frames - 1))
        # A global decord.bridge.set_bridge('torch') makes get_batch return
        # a tensor; accept both so one user setting does not break loading.
        frames = (
            batch.asnumpy()
            if hasattr(batch, 'asnumpy') else np.asarray(batch))
        return np.ascontiguousarray(frames, dtype=np.uint8)


class PyAVVideoReader(VideoReader):
    """Reader backed by PyAV that decodes sequentially.

    Frames are decoded from the start up to the largest requested index and
    only the requested ones are converted to RGB, which is where most of the
    per-frame cost beyond decoding lies. No seeking: keyframe seeks plus
    timestamp bookkeeping are fragile across containers, and the clips used
    for pre-training are short. The container is reopened per call, so no
    file handle stays open between calls (friendlier to DataLoader workers).

    If the container's frame count overstates what can be decoded (e.g. a
    truncated file), indices past the last decodable frame get that last
    frame.

    Args:
        path (str): The video file.
        target_short_side (int, optional): Scale frames during RGB
            conversion so their short side is this many pixels
            (downscaling only). Bilinear, as decord's scaler is closest to.

    Raises:
        ImportError: PyAV is not installed.
        VideoDecodeError: the file is not a readable media file, has no
            video stream, or has zero frames.
    """

    backend = 'pyav'

    def __init__(self,
                 path: str,
                 target_short_side: Optional[int] = None) -> None:
        super().__init__(path)
        import av
        self._av = av
        _check_file(self.path)
        with self._open() as container:
            if not container.streams.video:
                raise VideoDecodeError(self.path, 'no video stream')
            stream = container.streams.video[0]
            height = stream.codec_context.height
            width = stream.codec_context.width
            rate = stream.average_rate or stream.guessed_rate
            self.fps = float(rate) if rate else 0.0
            num_frames = int(stream.frames or 0)
            if num_frames <= 0:
                # Some containers (WebM, MKV, some AVI) do not store a frame
                # count; counting packets reads the file but decodes nothing.
                num_frames = self._count_packets(container, stream)
        if num_frames <= 0:
            raise VideoDecodeError(self.path, 'zero frames')
        self.num_frames = num_frames
        self._out_size = None  # (height, width) or None for native size
        if (target_short_side is not None and height and width
                and min(height, width) > target_short_side):
            self._out_size = scaled_size(height, width, target_short_side)

    def _open(self):
        try:
            return self._av.open(self.path)
        except (self._av.error.FFmpegError, OSError, ValueError) as err:
            raise VideoDecodeError(
                self.path,
                f'not a readable video file ({_first_line(err)})') from err

    def _count_packets(self, container, stream) -> int:
        count = 0
        try:
            for packet in container.demux(stream):
                # The demuxer ends with an empty flush packet; skip it.
                if packet.size > 0:
                    count += 1
        except self._av.error.FFmpegError as err:
            raise VideoDecodeError(
                self.path,
                f'could not read packets ({_first_line(err)})') from err
        return count

    def _to_rgb(self, frame) -> np.ndarray:
        if self._out_size is None:
            return frame.to_ndarray(format='rgb24')
        height, width = self._out_size
        return frame.to_ndarray(
            format='rgb24',
            width=width,
            height=height,
            interpolation='BILINEAR')

    def get_frames(self, indices: Sequence[int]) -> np.ndarray:
        inds = _as_index_array(indices, self.num_frames)
        wanted = set(inds.tolist())
        last_wanted = int(inds.max())
        decoded = {}
        # Newest decoded frame (a reference only, no RGB conversion) so that
        # a stream shorter than its header can be padded with it.
        last_frame, last_index = None, -1
        with self._open() as container:
            stream = container.streams.video[0]
            # One decoding thread, like decord's num_threads=1: DataLoader
            # workers already run in parallel, and FFmpeg's default (one
            # thread per core in every worker) oversubscribes the CPU.
            stream.codec_context.thread_count = 1
            try:
                for index, frame in enumerate(container.decode(stream)):
                    last_frame, last_index = frame, index
                    if index in wanted:
                        decoded[index] = self._to_rgb(frame)
                    if index >= last_wanted:
                        break
            except self._av.error.FFmpegError as err:
                if last_frame is None:
                    raise VideoDecodeError(
                        self.path,
                        f'decoding failed ({_first_line(err)})') from err
                print_log(
                    f"PyAV stopped decoding '{self.path}' after frame "
                    f'{last_index}: {_first_line(err)}',
                    logger='current',
                    level=logging.DEBUG)
            if last_frame is None:
                raise VideoDecodeError(self.path, 'zero frames decoded')
            if len(decoded) < len(wanted):
                print_log(
                    f"'{self.path}' has {last_index + 1} decodable frames, "
                    f'fewer than the {self.num_frames} its header claims; '
                    'padding with the last one',
                    logger='current',
                    level=logging.DEBUG)
                pad = decoded.get(last_index)
                if pad is None:
                    pad = self._to_rgb(last_frame)
                for index in wanted:
                    decoded.setdefault(index, pad)
        return np.stack([decoded[i] for i in inds.tolist()])


def _first_line(err: BaseException) -> str:
    """First line of an exception message: decord's run to many lines."""
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0]


def open_video(path: str,
               backend: str = 'decord',
               target_short_side: Optional[int] = None) -> VideoReader:
    """Open a video file for random frame access.

    Args:
        path (str): The video file.
        backend (str): ``'decord'`` (falls back to PyAV when decord is not
            installed or cannot open the file) or ``'pyav'``.
        target_short_side (int, optional): Decode at a reduced resolution
            whose short side is this many pixels; only ever downscales.

    Returns:
        VideoReader: A reader exposing ``num_frames``, ``fps`` and
        ``get_frames(indices) -> (T, H, W, 3) uint8 RGB``.

    Raises:
        VideoDecodeError: The file is missing, empty, not a video, has no
            video stream or has zero frames.
        ValueError: ``backend`` is unknown.
    """
    path = str(path)
    if backend not in ('decord', 'pyav'):
        raise ValueError(
            f"backend must be 'decord' or 'pyav', got {backend!r}")
    # Missing and empty files fail the same way with either backend; check
    # once here so decord does not print its own noise for them first.
    _check_file(path)
    if backend == 'decord':
        try:
            return DecordVideoReader(path, target_short_side)
        except ImportError:
            print_log(
                'decord is not installed; reading videos with PyAV',
                logger='current',
                level=logging.DEBUG)
        except VideoDecodeError as err:
            print_log(
                f'decord failed on {path!r} ({err.reason}); trying PyAV',
                logger='current',
                level=logging.DEBUG)
    return PyAVVideoReader(path, target_short_side)


def load_image(path: str,
               target_short_side: Optional[int] = None) -> np.ndarray:
    """Read an image as RGB.

    Args:
        path (str): The image file.
        target_short_side (int, optional): Downscale (``INTER_AREA``) so the
            short side is this many pixels; never upscales.

    Returns:
        np.ndarray: Image of shape ``(H, W, 3)``, uint8, RGB.

    Raises:
        VideoDecodeError: The file is missing, empty or not an image.
    """
    path = str(path)
    _check_file(path)
    # PIL, not cv2.imread: decord ships its own image libraries, and when it
    # is imported before cv2 they break cv2's PNG decoding (imread then
    # returns None for valid files).
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(path) as pil:
            img = np.asarray(pil.convert('RGB'))
    except (UnidentifiedImageError, OSError) as err:
        raise VideoDecodeError(path, 'not a readable image file') from err
    if target_short_side is not None and min(img.shape[:2]) > \
            target_short_side:
        new_h, new_w = scaled_size(*img.shape[:2], target_short_side)
        img = cv2.resize(img, (new_w, new_h), interpolation=cv2.INTER_AREA)
    return img
