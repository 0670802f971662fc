# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Tests of the clip-consistent RandAugment."""
import numpy as np
import pytest
from PIL import Image, ImageEnhance, ImageOps

from snps3.datasets.transforms import processing
from snps3.registry import TRANSFORMS

RandAugmentClip = processing.RandAugmentClip
OPS = processing.RAND_AUGMENT_OPS
# Every op with a magnitude; equalize and autocontrast have none.
WITH_MAGNITUDE = [op for op in OPS if op not in ('equalize', 'autocontrast')]


def noise(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, shape, np.uint8)


def test_all_ops_keep_shape_and_dtype():
    clip = noise((3, 20, 28, 3))
    transform = RandAugmentClip()
    for op in OPS:
        for strength in (-0.9, 0.9):
            out = transform.apply(clip, op, strength)
            assert out.shape == clip.shape and out.dtype == np.uint8, op


@pytest.mark.parametrize('op', OPS)
def test_same_op_for_every_frame(op):
    # Identical frames must stay identical: one draw, one mapping per clip.
    clip = np.repeat(noise((1, 24, 30, 3), seed=1), 4, axis=0)
    np.random.seed(0)
    results = RandAugmentClip(num_ops=3, ops=[op])(dict(imgs=clip.copy()))
    out = results['imgs']
    assert out.shape == clip.shape and out.dtype == np.uint8
    for frame in out[1:]:
        np.testing.assert_array_equal(frame, out[0])
    assert not np.array_equal(out, clip)  # it did something
    assert [name for name, _ in results['rand_augment']] == [op] * 3


def test_random_ops_are_clip_consistent():
    clip = np.repeat(noise((1, 16, 16, 3), seed=2), 5, axis=0)
    transform = TRANSFORMS.build(dict(type='RandAugmentClip', num_ops=2))
    np.random.seed(1)
    drawn = set()
    for _ in range(30):
        results = transform(dict(imgs=clip.copy()))
        out = results['imgs']
        assert (out == out[:1]).all()
        drawn.update(name for name, _ in results['rand_augment'])
    assert len(drawn) > 6  # the ops really vary between clips


@pytest.mark.parametrize('op', WITH_MAGNITUDE)
def test_magnitude_zero_is_identity(op):
    clip = noise((2, 18, 22, 3), seed=3)
    np.random.seed(0)
    out = RandAugmentClip(
        num_ops=2, magnitude=0, ops=[op])(dict(imgs=clip.copy()))['imgs']
    np.testing.assert_array_equal(out, clip)


def test_photometric_ops_match_pil():
    img = (np.random.default_rng(4).random(
        (30, 40, 3))**2 * 200).astype(np.uint8)
    pil = Image.fromarray(img)
    transform = RandAugmentClip()

    def ours(op, strength):
        return transform.apply(img[None], op, strength)[0].astype(int)

    expected = {
        ('equalize', 0): ImageOps.equalize(pil),
        ('autocontrast', 0): ImageOps.autocontrast(pil),
        ('posterize', 0.9): ImageOps.posterize(pil, 4),
        ('solarize', 0.5): ImageOps.solarize(pil, 128),
        ('brightness', 0.5): ImageEnhance.Brightness(pil).enhance(1.45),
        ('contrast', -0.5): ImageEnhance.Contrast(pil).enhance(0.55),
        ('color', 0.5): ImageEnhance.Color(pil).enhance(1.45),
        ('sharpness', 0.5): ImageEnhance.Sharpness(pil).enhance(1.45),
    }
    for (op, strength), ref in expected.items():
        # PIL rounds its blends differently: one grey level at most.
        assert np.abs(ours(op, strength) - np.asarray(ref)).max() <= 1, op


def test_geometric_ops_move_content():
    clip = np.zeros((1, 21, 21, 3), np.uint8)
    clip[0, 10, 15] = 255  # right of the centre
    transform = RandAugmentClip(fill=0)
    moved = transform.apply(clip, 'translate_x', 0.2)[0, ..., 0]
    assert moved[10].argmax() == 15 + round(0.2 * 0.45 * 21)
    rotated = transform.apply(clip, 'rotate', 1.0)[0, ..., 0]
    y, x = np.unravel_index(rotated.argmax(), rotated.shape)
    assert y < 10  # 30 degrees anticlockwise lifts the point
    # Uncovered borders take the fill value.
    filled = RandAugmentClip(fill=7).apply(
        np.full((1, 10, 10, 3), 200, np.uint8), 'translate_y', 0.9)
    assert (filled[0, :3] == 7).all()


def test_arguments_are_checked():
    with pytest.raises(ValueError, match='unknown'):
        RandAugmentClip(ops=['hflip'])
    with pytest.raises(ValueError, match='magnitude'):
        RandAugmentClip(magnitude=11)
    with pytest.raises(ValueError):
        RandAugmentClip(num_ops=-1)
    assert 'num_ops=2' in repr(RandAugmentClip())
    assert 'hflip' not in OPS and 'flip' not in ' '.join(OPS)
