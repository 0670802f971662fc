# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Tests of the clip-level spatial transforms."""
import cv2
import numpy as np
import pytest

from snps3.datasets.transforms.processing import (
    CenterCrop,
    RandomCrop,
    RandomFlip,
    RandomResizedCrop,
    Resize,
    resize_clip,
)
from snps3.registry import TRANSFORMS


def make_clip(num=4, height=48, width=64, same=False, seed=0):
    """Random clip (T, H, W, 3); ``same`` repeats one frame T times."""
    rng = np.random.default_rng(seed)
    if same:
        frame = rng.integers(0, 256, (height, width, 3), np.uint8)
        return np.repeat(frame[None], num, axis=0)
    return rng.integers(0, 256, (num, height, width, 3), np.uint8)


def results_of(imgs):
    return dict(
        imgs=imgs, img_shape=imgs.shape[1:3], original_shape=imgs.shape[1:3])


def test_resize_keeps_aspect_ratio():
    out = Resize(short_side=24)(results_of(make_clip(height=48, width=64)))
    assert out['imgs'].shape == (4, 24, 32, 3)
    assert out['img_shape'] == (24, 32)
    assert out['original_shape'] == (48, 64)  # untouched
    out = Resize(short_side=24)(results_of(make_clip(height=64, width=48)))
    assert out['imgs'].shape == (4, 32, 24, 3)
    out = Resize(short_side=96)(results_of(make_clip(height=48, width=64)))
    assert out['imgs'].shape == (4, 96, 128, 3)
    assert out['imgs'].dtype == np.uint8


def test_resize_interpolation_per_frame():
    clip = make_clip(num=3)
    # Downscale: INTER_AREA, frame by frame.
    down = resize_clip(clip, 24, 32)
    for frame, got in zip(clip, down):
        np.testing.assert_array_equal(
            got, cv2.resize(frame, (32, 24), interpolation=cv2.INTER_AREA))
    # Upscale: INTER_LINEAR.
    up = resize_clip(clip, 96, 128)
    np.testing.assert_array_equal(
        up[1], cv2.resize(clip[1], (128, 96), interpolation=cv2.INTER_LINEAR))
    # Same size: returned untouched.
    assert resize_clip(clip, 48, 64) is clip


def test_random_resized_crop():
    np.random.seed(0)
    transform = RandomResizedCrop(size=(16, 20), scale=(0.3, 0.8))
    for _ in range(20):
        clip = make_clip(same=True)
        out = transform(results_of(clip))
        assert out['imgs'].shape == (4, 16, 20, 3)
        assert out['img_shape'] == (16, 20)
        x1, y1, x2, y2 = out['crop_bbox'].tolist()
        assert 0 <= x1 < x2 <= 64 and 0 <= y1 < y2 <= 48
        area = (x2 - x1) * (y2 - y1) / (48 * 64)
        assert 0.25 <= area <= 0.85  # scale range, up to rounding
        assert 3 / 4 - 0.1 <= (x2 - x1) / (y2 - y1) <= 4 / 3 + 0.1
        # Same crop for every frame: identical input frames stay identical,
        # and equal the crop of the box it reports.
        for frame in out['imgs'][1:]:
            np.testing.assert_array_equal(frame, out['imgs'][0])
        expected = resize_clip(clip[:1, y1:y2, x1:x2], 16, 20)[0]
        np.testing.assert_array_equal(out['imgs'][0], expected)


def test_random_resized_crop_fallback_clamps_ratio():
    # A 1x50 strip cannot hold any box with ratio in [3/4, 4/3] and area
    # >= 50 %: the fallback takes the widest centred box allowed.
    transform = RandomResizedCrop(size=8)
    top, left, crop_h, crop_w = transform.get_crop_box(4, 100)
    assert (crop_h, crop_w) == (4, 5)
    assert (top, left) == (0, 47)
    out = transform(results_of(make_clip(height=4, width=100)))
    assert out['imgs'].shape == (4, 8, 8, 3)


def test_random_crop():
    np.random.seed(1)
    seen = set()
    for _ in range(20):
        clip = make_clip()
        out = RandomCrop(size=(20, 30))(results_of(clip))
        assert out['imgs'].shape == (4, 20, 30, 3)
        assert out['img_shape'] == (20, 30)
        x1, y1, x2, y2 = out['crop_bbox'].tolist()
        assert (x2 - x1, y2 - y1) == (30, 20)
        # The same box for all frames.
        np.testing.assert_array_equal(out['imgs'], clip[:, y1:y2, x1:x2])
        seen.add((x1, y1))
    assert len(seen) > 1  # the position is random
    with pytest.raises(ValueError, match='resize first'):
        RandomCrop(size=100)(results_of(make_clip()))


def test_center_crop_known_answer():
    # Frame value = 10 * row + column; the 3x4 centre of 5x6 starts at (1, 1)
    rows, cols = np.meshgrid(np.arange(5), np.arange(6), indexing='ij')
    frame = (10 * rows + cols).astype(np.uint8)
    clip = np.stack([np.stack([frame] * 3, axis=-1)] * 2)  # (2, 5, 6, 3)
    out = CenterCrop(size=(3, 4))(results_of(clip))
    expected = np.array([[11, 12, 13, 14], [21, 22, 23, 24], [31, 32, 33, 34]],
                        dtype=np.uint8)
    assert out['imgs'].shape == (2, 3, 4, 3)
    for t in range(2):
        for c in range(3):
            np.testing.assert_array_equal(out['imgs'][t, :, :, c], expected)
    assert out['img_shape'] == (3, 4)
    assert out['crop_bbox'].tolist() == [1, 1, 5, 4]
    # Square int size on the 48x64 clip: rows 8..40, cols 16..48.
    clip = make_clip()
    out = CenterCrop(size=32)(results_of(clip))
    np.testing.assert_array_equal(out['imgs'], clip[:, 8:40, 16:48])


def test_random_flip():
    clip = make_clip()
    out = RandomFlip(prob=1.0)(results_of(clip.copy()))
    assert out['flip'] is True
    np.testing.assert_array_equal(out['imgs'], clip[:, :, ::-1])
    np.testing.assert_array_equal(out['imgs'][0, :, 0], clip[0, :, -1])
    assert out['imgs'].flags['C_CONTIGUOUS']  # torch.from_numpy-safe
    out = RandomFlip(prob=0.0)(results_of(clip.copy()))
    assert out['flip'] is False
    np.testing.assert_array_equal(out['imgs'], clip)
    np.random.seed(0)
    flips = [RandomFlip()(results_of(clip))['flip'] for _ in range(50)]
    assert 0 < sum(flips) < 50
    with pytest.raises(ValueError):
        RandomFlip(prob=1.5)


def test_pipeline_from_registry():
    pipeline = [
        TRANSFORMS.build(cfg) for cfg in [
            dict(type='Resize', short_side=32),
            dict(type='RandomResizedCrop', size=24),
            dict(type='RandomFlip'),
            dict(type='CenterCrop', size=16),
        ]
    ]
    results = results_of(make_clip(num=2))
    for transform in pipeline:
        results = transform(results)
    assert results['imgs'].shape == (2, 16, 16, 3)
    assert results['img_shape'] == (16, 16)
    assert 'Resize(short_side=32)' in repr(pipeline[0])
