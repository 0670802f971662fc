# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Tests of DecodeVideo with several clips per video."""
import av
import cv2
import numpy as np
import pytest

from snps3.datasets.transforms import loading
from snps3.registry import TRANSFORMS

DecodeVideo = loading.DecodeVideo
sample_clip_indices = loading.sample_clip_indices
sample_segment_indices = loading.sample_segment_indices
NUM_FRAMES = 16


def colour(index):
    """Solid colour of frame ``index``: its index is readable back."""
    return np.array([16 * index, 255 - 16 * index, 128], np.uint8)


@pytest.fixture(scope='module')
def video(tmp_path_factory):
    path = tmp_path_factory.mktemp('clips') / 'clip.mp4'
    with av.open(str(path), 'w') as container:
        stream = container.add_stream('libx264', rate=8)
        stream.width, stream.height, stream.pix_fmt = 32, 24, 'yuv420p'
        for i in range(NUM_FRAMES):
            img = np.empty((24, 32, 3), np.uint8)
            img[...] = colour(i)
            frame = av.VideoFrame.from_ndarray(img, format='rgb24')
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return str(path)


def identify(frames):
    means = frames.reshape(len(frames), -1, 3).mean(1)
    return np.rint(means[:, 0] / 16).astype(int).tolist()


def test_sample_clip_indices_test_mode():
    assert sample_clip_indices(16, 2, 2, True).tolist() == [2, 10, 6, 14]
    inds = sample_clip_indices(16, 4, 3, True).reshape(3, 4)
    assert inds.tolist() == [[0, 4, 8, 12], [2, 6, 10, 14], [3, 7, 11, 15]]
    # One clip is exactly the single-clip rule, windows included.
    for total, num, start, end in [(16, 4, 0, None), (10, 3, 2, 9),
                                   (2, 4, 0, None)]:
        np.testing.assert_array_equal(
            sample_clip_indices(total, num, 1, True, start=start, end=end),
            sample_segment_indices(total, num, True, start=start, end=end))
    # Clips stay inside the window and sorted within each clip.
    inds = sample_clip_indices(100, 4, 5, True, start=20, end=60)
    assert inds.min() >= 20 and inds.max() < 60
    assert (np.diff(inds.reshape(5, 4), axis=1) >= 0).all()
    with pytest.raises(ValueError):
        sample_clip_indices(16, 4, 0, True)


def test_sample_clip_indices_train_mode():
    rng = np.random.default_rng(0)
    inds = sample_clip_indices(1000, 4, 3, False, rng).reshape(3, 4)
    assert (np.diff(inds, axis=1) >= 0).all()
    assert len({tuple(row) for row in inds.tolist()}) == 3  # independent
    # Each clip keeps TSN's one frame per segment.
    assert (inds // 250 == np.arange(4)).all()


@pytest.mark.parametrize('backend', ['decord', 'pyav'])
def test_decode_several_clips(video, backend):
    transform = TRANSFORMS.build(
        dict(
            type='DecodeVideo',
            num_frames=2,
            num_clips=2,
            test_mode=True,
            backend=backend))
    results = transform(dict(video_path=video))
    assert results['imgs'].shape == (4, 24, 32, 3)
    assert results['num_clips'] == 2
    assert results['frame_inds'].tolist() == [2, 10, 6, 14]
    assert identify(results['imgs']) == [2, 10, 6, 14]
    assert 'num_clips=2' in repr(transform)


def test_decode_several_clips_training(video):
    np.random.seed(0)
    results = DecodeVideo(num_frames=4, num_clips=3)(dict(video_path=video))
    assert results['imgs'].shape == (12, 24, 32, 3)
    assert identify(results['imgs']) == results['frame_inds'].tolist()
    assert (np.diff(results['frame_inds'].reshape(3, 4), axis=1) >= 0).all()


def test_default_is_one_clip(video):
    results = DecodeVideo(num_frames=4, test_mode=True)(dict(video_path=video))
    assert results['imgs'].shape == (4, 24, 32, 3)
    assert results['frame_inds'].tolist() == [2, 6, 10, 14]
    assert results['num_clips'] == 1


def test_several_clips_of_an_image(tmp_path):
    path = str(tmp_path / 'img.png')
    cv2.imwrite(path, np.full((6, 8, 3), 50, np.uint8))
    results = DecodeVideo(
        num_frames=2, num_clips=3)(
            dict(video_path=path, is_image=True))
    assert results['imgs'].shape == (6, 6, 8, 3)
    assert results['frame_inds'].tolist() == [0] * 6
    assert results['num_clips'] == 3
    with pytest.raises(ValueError):
        DecodeVideo(num_clips=0)
