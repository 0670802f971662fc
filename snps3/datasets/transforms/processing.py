# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Spatial transforms applied identically to every frame of a clip.

All transforms read and write ``results['imgs']``, an ``np.ndarray`` of
shape ``(T, H, W, 3)`` and dtype uint8, and keep ``results['img_shape']``
(``(H, W)``) in step. Random parameters are drawn once per clip, never per
frame, so that motion between frames is not corrupted; they come from
NumPy's global state, which MMEngine seeds per process and per worker.
"""
import math
from typing import Sequence, Tuple, Union

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from snps3.datasets.video_io import scaled_size
from snps3.registry import TRANSFORMS

__all__ = [
    'resize_clip', 'Resize', 'RandomResizedCrop', 'RandomCrop', 'CenterCrop',
    'RandomFlip'
]


def _pair(size: Union[int, Sequence[int]]) -> Tuple[int, int]:
    """``int -> (size, size)``; a pair is read as ``(height, width)``."""
    if isinstance(size, int):
        pair = (size, size)
    else:
        pair = tuple(int(s) for s in size)
        if len(pair) != 2:
            raise ValueError(f'size must be an int or (h, w), got {size}')
    if min(pair) <= 0:
        raise ValueError(f'size must be positive, got {size}')
    return pair


def resize_clip(imgs: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize every frame of a clip with cv2.

    ``INTER_AREA`` when shrinking (it averages source pixels, so no
    aliasing), ``INTER_LINEAR`` otherwise (``INTER_AREA`` degrades to
    nearest-like results when enlarging).

    Args:
        imgs (np.ndarray): Clip of shape ``(T, H, W, C)``.
        height (int): Output height.
        width (int): Output width.

    Returns:
        np.ndarray: Clip of shape ``(T, height, width, C)``, same dtype.
    """
    _, in_h, in_w, _ = imgs.shape
    if (in_h, in_w) == (height, width):
        return imgs
    shrink = height <= in_h and width <= in_w
    interp = cv2.INTER_AREA if shrink else cv2.INTER_LINEAR
    # One cv2 call per frame. Stacking frames along the channel axis would
    # save calls, but OpenCV 5 rejects INTER_AREA shrinking for more than
    # 4 channels, so the loop is the portable choice.
    return np.stack([
        cv2.resize(frame, (width, height), interpolation=interp)
        for frame in imgs
    ])


def _crop(results: dict, top: int, left: int, height: int,
          width: int) -> np.ndarray:
    """Crop every frame; copies so the full-size clip can be freed."""
    return np.ascontiguousarray(results['imgs'][:, top:top + height,
                                                left:left + width])


@TRANSFORMS.register_module()
class Resize(BaseTransform):
    """Resize so the short side has a given length, keeping aspect ratio.

    Required keys: ``imgs``. Modified keys: ``imgs``, ``img_shape``.

    Args:
        short_side (int): Length of the shorter side after resizing.
    """

    def __init__(self, short_side: int) -> None:
        if short_side <= 0:
            raise ValueError(f'short_side must be positive, got {short_side}')
        self.short_side = short_side

    def transform(self, results: dict) -> dict:
        """Resize ``results['imgs']`` (T, H, W, 3) -> (T, H', W', 3)."""
        imgs = results['imgs']
        height, width = scaled_size(imgs.shape[1], imgs.shape[2],
                                    self.short_side)
        results['imgs'] = resize_clip(imgs, height, width)
        results['img_shape'] = (height, width)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(short_side={self.short_side})'


@TRANSFORMS.register_module()
class RandomResizedCrop(BaseTransform):
    """Crop a random area and aspect ratio, then resize to ``size``.

    The Inception-style crop: up to 10 attempts draw an area fraction from
    ``scale`` and a log-uniform aspect ratio (width / height) from
    ``ratio``; the first box that fits is used. If none fits, the largest
    centred box with the aspect ratio clamped into ``ratio`` is used.

    Required keys: ``imgs``. Modified keys: ``imgs``, ``img_shape``.
    Added keys: ``crop_bbox`` (``np.ndarray`` ``[x1, y1, x2, y2]`` in the
    input frame).

    Args:
        size (int | tuple[int, int]): Output size, ``(height, width)``.
        scale (tuple[float, float]): Range of the crop area as a fraction
            of the frame area. Defaults to ``(0.5, 1.0)``.
        ratio (tuple[float, float]): Range of the crop aspect ratio
            (width / height). Defaults to ``(3 / 4, 4 / 3)``.
    """

    def __init__(
        self,
        size: Union[int, Sequence[int]],
        scale: Tuple[float, float] = (0.5, 1.0),
        ratio: Tuple[float, float] = (3 / 4, 4 / 3)
    ) -> None:
        if not 0 < scale[0] <= scale[1] <= 1:
            raise ValueError(f'scale must satisfy 0 < lo <= hi <= 1, '
                             f'got {scale}')
        if not 0 < ratio[0] <= ratio[1]:
            raise ValueError(f'ratio must satisfy 0 < lo <= hi, got {ratio}')
        self.size = _pair(size)
        self.scale = tuple(scale)
        self.ratio = tuple(ratio)

    def get_crop_box(self, height: int,
                     width: int) -> Tuple[int, int, int, int]:
        """Draw a crop box for a ``height x width`` frame.

        Returns:
            tuple[int, int, int, int]: ``(top, left, crop_h, crop_w)``.
        """
        area = height * width
        log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))
        for _ in range(10):
            target_area = area * np.random.uniform(*self.scale)
            aspect = math.exp(np.random.uniform(*log_ratio))
            crop_w = int(round(math.sqrt(target_area * aspect)))
            crop_h = int(round(math.sqrt(target_area / aspect)))
            if 0 < crop_w <= width and 0 < crop_h <= height:
                top = np.random.randint(0, height - crop_h + 1)
                left = np.random.randint(0, width - crop_w + 1)
                return int(top), int(left), crop_h, crop_w
        # Fallback: whole frame, trimmed to the nearest allowed ratio.
        in_ratio = width / height
        if in_ratio < self.ratio[0]:
            crop_w, crop_h = width, int(round(width / self.ratio[0]))
        elif in_ratio > self.ratio[1]:
            crop_h, crop_w = height, int(round(height * self.ratio[1]))
        else:
            crop_h, crop_w = height, width
        crop_h = max(1, min(crop_h, height))
        crop_w = max(1, min(crop_w, width))
        return (height - crop_h) // 2, (width - crop_w) // 2, crop_h, crop_w

    def transform(self, results: dict) -> dict:
        """Crop and resize ``results['imgs']`` to (T, size_h, size_w, 3)."""
        _, height, width, _ = results['imgs'].shape
        top, left, crop_h, crop_w = self.get_crop_box(height, width)
        crop = _crop(results, top, left, crop_h, crop_w)
        results['imgs'] = resize_clip(crop, *self.size)
        results['img_shape'] = self.size
        results['crop_bbox'] = np.array(
            [left, top, left + crop_w, top + crop_h], dtype=np.int64)
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(size={self.size}, '
                f'scale={self.scale}, ratio={self.ratio})')


class _FixedCrop(BaseTransform):
    """Shared code of RandomCrop and CenterCrop."""

    def __init__(self, size: Union[int, Sequence[int]]) -> None:
        self.size = _pair(size)

    def get_offset(self, height: int, width: int) -> Tuple[int, int]:
        raise NotImplementedError

    def transform(self, results: dict) -> dict:
        """Crop ``results['imgs']`` (T, H, W, 3) -> (T, size_h, size_w, 3).

        Raises:
            ValueError: The frames are smaller than ``size``.
        """
        _, height, width, _ = results['imgs'].shape
        crop_h, crop_w = self.size
        if crop_h > height or crop_w > width:
            raise ValueError(
                f'{type(self).__name__}: cannot crop {self.size} from '
                f'frames of size {(height, width)}; resize first')
        top, left = self.get_offset(height, width)
        results['imgs'] = _crop(results, top, left, crop_h, crop_w)
        results['img_shape'] = self.size
        results['crop_bbox'] = np.array(
            [left, top, left + crop_w, top + crop_h], dtype=np.int64)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(size={self.size})'


@TRANSFORMS.register_module()
class RandomCrop(_FixedCrop):
    """Crop a ``size`` box at a random position (same for all frames).

    Required keys: ``imgs``. Modified keys: ``imgs``, ``img_shape``.
    Added keys: ``crop_bbox`` (``[x1, y1, x2, y2]``).

    Args:
        size (int | tuple[int, int]): Crop size, ``(height, width)``.
    """

    def get_offset(self, height: int, width: int) -> Tuple[int, int]:
        top = np.random.randint(0, height - self.size[0] + 1)
        left = np.random.randint(0, width - self.size[1] + 1)
        return int(top), int(left)


@TRANSFORMS.register_module()
class CenterCrop(_FixedCrop):
    """Crop a ``size`` box at the centre (odd margins: the extra pixel is
    left at the bottom/right).

    Required keys: ``imgs``. Modified keys: ``imgs``, ``img_shape``.
    Added keys: ``crop_bbox`` (``[x1, y1, x2, y2]``).

    Args:
        size (int | tuple[int, int]): Crop size, ``(height, width)``.
    """

    def get_offset(self, height: int, width: int) -> Tuple[int, int]:
        return (height - self.size[0]) // 2, (width - self.size[1]) // 2


@TRANSFORMS.register_module()
class RandomFlip(BaseTransform):
    """Flip the whole clip horizontally with probability ``prob``.

    Required keys: ``imgs``. Modified keys: ``imgs``.
    Added keys: ``flip`` (bool).

    Args:
        prob (float): Probability of flipping. Defaults to 0.5.
    """

    def __init__(self, prob: float = 0.5) -> None:
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = prob

    def transform(self, results: dict) -> dict:
        """Flip ``results['imgs']`` (T, H, W, 3) along W, or not."""
        flip = bool(np.random.rand() < self.prob)
        if flip:
            # Copy: a negative-stride view cannot go through
            # torch.from_numpy later in the pipeline.
            results['imgs'] = np.ascontiguousarray(results['imgs'][:, :, ::-1])
        results['flip'] = flip
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(prob={self.prob})'
