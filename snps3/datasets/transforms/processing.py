# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Spatial transforms applied identically to every frame of a clip.

All transforms read and write ``results['imgs']``, an ``np.ndarray`` of
shape ``(T, H, W, 3)`` and dtype uint8, and keep ``results['img_shape']``
(``(H, W)``) in step. Random parameters are drawn once per clip, never per
frame, so that motion between frames is not corrupted; they come from
NumPy's global state, which MMEngine seeds per process and per worker.
"""
import math
from typing import Callable, Dict, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from snps3.datasets.video_io import scaled_size
from snps3.registry import TRANSFORMS

__all__ = [
    'resize_clip', 'Resize', 'RandomResizedCrop', 'RandomCrop', 'CenterCrop',
    'RandomFlip', 'RandAugmentClip'
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


# ------------------------------------------------------------ RandAugment
# Each op maps (clip, signed strength in [-1, 1]) -> clip. The strength is
# magnitude / max_magnitude with a random sign for the signed ops, drawn
# once per clip, so every frame gets exactly the same operation. Statistics
# an op needs (mean grey level, histogram, value range) are taken over the
# whole clip, not per frame: one mapping for all frames, no flicker.


def _grey(imgs: np.ndarray) -> np.ndarray:
    """ITU-R 601 luma (PIL's ``L`` conversion), float32 ``(..., 1)``."""
    weights = np.array([0.299, 0.587, 0.114], np.float32)
    return (imgs.astype(np.float32) @ weights)[..., None]


def _blend(imgs: np.ndarray, other: Union[np.ndarray, float],
           factor: float) -> np.ndarray:
    """``other + factor * (imgs - other)``, PIL ImageEnhance's rule."""
    if factor == 1.0:
        return imgs
    out = np.asarray(other, np.float32) * (1.0 - factor) + \
        imgs.astype(np.float32) * factor
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _apply_lut(imgs: np.ndarray, lut: np.ndarray) -> np.ndarray:
    """Per-channel lookup table ``lut`` of shape (256,) or (3, 256)."""
    lut = np.asarray(lut, np.uint8)
    if lut.ndim == 1:
        return lut[imgs]
    out = np.empty_like(imgs)
    for c in range(imgs.shape[-1]):
        out[..., c] = lut[c][imgs[..., c]]
    return out


def _brightness(imgs: np.ndarray, strength: float) -> np.ndarray:
    return _blend(imgs, 0.0, 1.0 + 0.9 * strength)


def _contrast(imgs: np.ndarray, strength: float) -> np.ndarray:
    return _blend(imgs, float(_grey(imgs).mean()), 1.0 + 0.9 * strength)


def _color(imgs: np.ndarray, strength: float) -> np.ndarray:
    return _blend(imgs, _grey(imgs), 1.0 + 0.9 * strength)


def _sharpness(imgs: np.ndarray, strength: float) -> np.ndarray:
    factor = 1.0 + 0.9 * strength
    if factor == 1.0:
        return imgs
    # PIL's SMOOTH kernel; borders keep the original pixels as in PIL.
    kernel = np.array([[1, 1, 1], [1, 5, 1], [1, 1, 1]], np.float32) / 13
    smooth = imgs.copy()
    for frame, out in zip(imgs, smooth):
        blurred = cv2.filter2D(frame, -1, kernel)
        out[1:-1, 1:-1] = blurred[1:-1, 1:-1]
    return _blend(imgs, smooth, factor)


def _posterize(imgs: np.ndarray, strength: float) -> np.ndarray:
    bits = 8 - int(round(4 * abs(strength)))
    if bits >= 8:
        return imgs
    return imgs & np.uint8((0xFF << (8 - bits)) & 0xFF)


def _solarize(imgs: np.ndarray, strength: float) -> np.ndarray:
    # Threshold 256 at strength 0 inverts nothing (255 would flip white).
    threshold = 256 * (1.0 - abs(strength))
    lut = np.arange(256)
    return _apply_lut(imgs, np.where(lut >= threshold, 255 - lut, lut))


def _equalize(imgs: np.ndarray, strength: float) -> np.ndarray:
    del strength  # no magnitude
    luts = []
    for c in range(imgs.shape[-1]):
        hist = np.bincount(imgs[..., c].ravel(), minlength=256)
        # PIL's ImageOps.equalize rule: spread the cumulative histogram
        # over 256 levels, the last occupied bin excluded.
        nonzero = hist[hist > 0]
        step = (nonzero.sum() - nonzero[-1]) // 256
        if len(nonzero) <= 1 or step == 0:
            luts.append(np.arange(256))
            continue
        cdf = (np.cumsum(hist) - hist + step // 2) // step
        luts.append(np.clip(cdf, 0, 255))
    return _apply_lut(imgs, np.stack(luts))


def _autocontrast(imgs: np.ndarray, strength: float) -> np.ndarray:
    del strength  # no magnitude
    lo = imgs.reshape(-1, imgs.shape[-1]).min(0).astype(np.float32)
    hi = imgs.reshape(-1, imgs.shape[-1]).max(0).astype(np.float32)
    values = np.arange(256, dtype=np.float32)[None]
    span = np.maximum(hi - lo, 1)[:, None]
    lut = np.clip((values - lo[:, None]) * 255 / span, 0, 255)
    # A constant channel has no range to stretch: leave it as it is.
    lut[hi <= lo] = values
    return _apply_lut(imgs, np.rint(lut))


def _warp(imgs: np.ndarray, matrix: np.ndarray, fill: int) -> np.ndarray:
    height, width = imgs.shape[1:3]
    return np.stack([
        cv2.warpAffine(
            frame,
            matrix.astype(np.float64), (width, height),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=(fill, fill, fill)) for frame in imgs
    ])


def _rotate(imgs: np.ndarray, strength: float, fill: int) -> np.ndarray:
    height, width = imgs.shape[1:3]
    matrix = cv2.getRotationMatrix2D(((width - 1) / 2, (height - 1) / 2),
                                     30.0 * strength, 1.0)
    return _warp(imgs, matrix, fill)


def _shear(imgs: np.ndarray, strength: float, fill: int,
           axis: int) -> np.ndarray:
    height, width = imgs.shape[1:3]
    shear = 0.3 * strength
    # Shear about the centre so the content does not slide out one side.
    if axis == 0:  # x moves with y
        matrix = np.array([[1, shear, -shear * (height - 1) / 2], [0, 1, 0]])
    else:
        matrix = np.array([[1, 0, 0], [shear, 1, -shear * (width - 1) / 2]])
    return _warp(imgs, matrix, fill)


def _translate(imgs: np.ndarray, strength: float, fill: int,
               axis: int) -> np.ndarray:
    height, width = imgs.shape[1:3]
    # 0.45 of the side at full strength (torchvision's 150 / 331).
    shift = 0.45 * strength * (width if axis == 0 else height)
    matrix = np.array([[1, 0, shift if axis == 0 else 0],
                       [0, 1, shift if axis == 1 else 0]])
    return _warp(imgs, matrix, fill)


#: Photometric ops: name -> (function, whether the strength has a sign).
PHOTOMETRIC_OPS: Dict[str, Tuple[Callable, bool]] = {
    'brightness': (_brightness, True),
    'contrast': (_contrast, True),
    'color': (_color, True),
    'sharpness': (_sharpness, True),
    'posterize': (_posterize, False),
    'solarize': (_solarize, False),
    'equalize': (_equalize, False),
    'autocontrast': (_autocontrast, False),
}
#: Geometric ops (all signed); they take the fill value too.
GEOMETRIC_OPS: Dict[str, Callable] = {
    'rotate': _rotate,
    'shear_x': lambda imgs, s, fill: _shear(imgs, s, fill, 0),
    'shear_y': lambda imgs, s, fill: _shear(imgs, s, fill, 1),
    'translate_x': lambda imgs, s, fill: _translate(imgs, s, fill, 0),
    'translate_y': lambda imgs, s, fill: _translate(imgs, s, fill, 1),
}
RAND_AUGMENT_OPS = tuple(PHOTOMETRIC_OPS) + tuple(GEOMETRIC_OPS)


@TRANSFORMS.register_module()
class RandAugmentClip(BaseTransform):
    """RandAugment (Cubuk et al., 2020) applied consistently to a clip.

    ``num_ops`` ops are drawn uniformly (with replacement) from ``ops`` and
    applied in turn; the ops, their strength and their sign are drawn once
    per clip, so every frame is transformed identically and motion between
    frames is kept. Implemented with numpy/cv2 on uint8, no PIL.

    The strength of an op is ``magnitude / max_magnitude`` (0 is identity
    for every op with a magnitude), with a random sign for the signed ops:

    - ``brightness``, ``contrast``, ``color`` (saturation), ``sharpness``:
      PIL-style enhancement with factor ``1 +- 0.9 * strength``; contrast
      and colour blend with the clip's grey level / grey image.
    - ``posterize``: keep ``8 - round(4 * strength)`` bits.
    - ``solarize``: invert values ``>= 256 * (1 - strength)``.
    - ``equalize``, ``autocontrast``: histogram equalisation and range
      stretching per channel, with the histogram / range of the whole clip;
      they have no magnitude.
    - ``rotate`` (up to +-30 degrees), ``shear_x``/``shear_y`` (up to
      +-0.3), ``translate_x``/``translate_y`` (up to +-0.45 of the side):
      about the frame centre, bilinear, uncovered pixels set to ``fill``.

    There is no horizontal flip in it (use :class:`RandomFlip`, which the
    captions' "left"/"right" may rule out) and no identity op (lower
    ``num_ops`` instead).

    Required keys: ``imgs``. Modified keys: ``imgs``.
    Added keys: ``rand_augment`` (list of ``(op, signed strength)``).

    Args:
        num_ops (int): Ops applied per clip. Defaults to 2.
        magnitude (float): Strength on the ``[0, max_magnitude]`` scale.
            Defaults to 9.
        ops (Sequence[str], optional): Names of the ops to draw from;
            defaults to all of :data:`RAND_AUGMENT_OPS`.
        max_magnitude (float): Magnitude of full strength. Defaults to 10.
        fill (int): Grey level of pixels uncovered by geometric ops.
            Defaults to 128.
    """

    def __init__(self,
                 num_ops: int = 2,
                 magnitude: float = 9,
                 ops: Optional[Sequence[str]] = None,
                 max_magnitude: float = 10,
                 fill: int = 128) -> None:
        if num_ops < 0:
            raise ValueError(f'num_ops must be >= 0, got {num_ops}')
        if max_magnitude <= 0 or not 0 <= magnitude <= max_magnitude:
            raise ValueError(
                f'magnitude must lie in [0, max_magnitude={max_magnitude}], '
                f'got {magnitude}')
        ops = RAND_AUGMENT_OPS if ops is None else tuple(ops)
        unknown = [op for op in ops if op not in RAND_AUGMENT_OPS]
        if unknown or not ops:
            raise ValueError(f'unknown or no ops {unknown}; choose from '
                             f'{RAND_AUGMENT_OPS}')
        if not 0 <= fill <= 255:
            raise ValueError(f'fill must be in [0, 255], got {fill}')
        self.num_ops = num_ops
        self.magnitude = magnitude
        self.ops = ops
        self.max_magnitude = max_magnitude
        self.fill = int(fill)

    def apply(self, imgs: np.ndarray, op: str, strength: float) -> np.ndarray:
        """Apply one op with a signed strength in ``[-1, 1]`` to a clip."""
        if op in GEOMETRIC_OPS:
            return GEOMETRIC_OPS[op](imgs, strength, self.fill)
        return PHOTOMETRIC_OPS[op][0](imgs, strength)

    def transform(self, results: dict) -> dict:
        """Augment ``results['imgs']`` (T, H, W, 3) uint8 in shape."""
        imgs = results['imgs']
        strength = self.magnitude / self.max_magnitude
        applied = []
        for _ in range(self.num_ops):
            op = self.ops[np.random.randint(len(self.ops))]
            signed = op in GEOMETRIC_OPS or PHOTOMETRIC_OPS[op][1]
            sign = -1.0 if signed and np.random.rand() < 0.5 else 1.0
            imgs = self.apply(imgs, op, sign * strength)
            applied.append((op, sign * strength))
        results['imgs'] = np.ascontiguousarray(imgs, dtype=np.uint8)
        results['rand_augment'] = applied
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(num_ops={self.num_ops}, '
                f'magnitude={self.magnitude}, ops={self.ops}, '
                f'max_magnitude={self.max_magnitude}, fill={self.fill})')
