# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Tests of video reading (both backends), frame sampling and DecodeVideo."""
import pickle
import sys

import av
import cv2
import numpy as np
import pytest

from snps3.datasets.transforms.loading import (
    DecodeVideo,
    sample_segment_indices,
    window_to_frame_range,
)
from snps3.datasets.video_io import (
    DecordVideoReader,
    PyAVVideoReader,
    VideoDecodeError,
    load_image,
    open_video,
    scaled_size,
)
from snps3.registry import TRANSFORMS

NUM_FRAMES, HEIGHT, WIDTH, FPS = 16, 48, 64, 8


def frame_colour(index: int) -> np.ndarray:
    """Solid RGB colour of test frame ``index``; >= 64 apart per pair."""
    return np.array(
        [30 + 64 * (index % 4), 30 + 64 * (index // 4), 250 - 12 * index],
        dtype=np.uint8)


def write_frames(path, frames, fps=FPS):
    """Write RGB frames ``(T, H, W, 3)`` uint8 as an H.264 (yuv420p) mp4."""
    with av.open(str(path), 'w') as container:
        stream = container.add_stream('libx264', rate=fps)
        stream.height, stream.width = frames.shape[1:3]
        stream.pix_fmt = 'yuv420p'
        for img in frames:
            frame = av.VideoFrame.from_ndarray(img, format='rgb24')
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def write_video(path, colours, height=HEIGHT, width=WIDTH, fps=FPS):
    """Write an H.264 mp4 whose frame i is solid ``colours[i]``."""
    frames = np.empty((len(colours), height, width, 3), np.uint8)
    frames[...] = np.asarray(colours, np.uint8)[:, None, None]
    write_frames(path, frames, fps)


def identify(frames: np.ndarray) -> list:
    """Index of the test colour closest to each frame's mean colour."""
    palette = np.stack([frame_colour(i) for i in range(NUM_FRAMES)])
    means = frames.reshape(len(frames), -1, 3).mean(axis=1)
    dists = np.abs(means[:, None] - palette[None].astype(float)).sum(-1)
    return dists.argmin(axis=1).tolist()


@pytest.fixture(scope='module')
def video(tmp_path_factory):
    path = tmp_path_factory.mktemp('videos') / 'clip.mp4'
    write_video(path, [frame_colour(i) for i in range(NUM_FRAMES)])
    return str(path)


@pytest.fixture(scope='module')
def bad_files(tmp_path_factory):
    root = tmp_path_factory.mktemp('bad')
    (root / 'empty.mp4').write_bytes(b'')
    (root / 'text.mp4').write_text('definitely not a video\n' * 50)
    # Audio only: a container PyAV opens fine, but with no video stream.
    with av.open(str(root / 'audio.m4a'), 'w') as container:
        stream = container.add_stream('aac', rate=16000)
        frame = av.AudioFrame.from_ndarray(
            np.zeros((1, 1024), np.float32), format='fltp', layout='mono')
        frame.sample_rate = 16000
        for _ in range(4):
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    # A video stream with no frames at all (decord refuses it, PyAV reads
    # the header and finds zero frames).
    with av.open(str(root / 'noframes.avi'), 'w') as container:
        stream = container.add_stream('mjpeg', rate=8)
        stream.width, stream.height, stream.pix_fmt = 64, 48, 'yuvj420p'
        container.start_encoding()
    return root


# --------------------------------------------------------------- video_io
@pytest.mark.parametrize('backend', ['decord', 'pyav'])
def test_reader_metadata_and_frames(video, backend):
    reader = open_video(video, backend)
    expected_cls = DecordVideoReader if backend == 'decord' else \
        PyAVVideoReader
    assert isinstance(reader, expected_cls)
    assert reader.num_frames == len(reader) == NUM_FRAMES
    assert reader.fps == pytest.approx(FPS)
    inds = [0, 5, 5, 15, 3]  # unsorted with a repeat: order is kept
    frames = reader.get_frames(inds)
    assert frames.shape == (5, HEIGHT, WIDTH, 3)
    assert frames.dtype == np.uint8
    assert identify(frames) == inds
    # yuv420p round trip of a solid colour: a few grey levels at most.
    for frame, ind in zip(frames, inds):
        assert np.abs(frame.astype(int) - frame_colour(ind)).max() <= 4
    with pytest.raises(IndexError):
        reader.get_frames([NUM_FRAMES])


def test_backends_agree(video):
    inds = list(range(NUM_FRAMES))
    via_decord = open_video(video, 'decord').get_frames(inds)
    via_pyav = open_video(video, 'pyav').get_frames(inds)
    # Same FFmpeg decoder and colour conversion underneath: bit-identical.
    np.testing.assert_array_equal(via_decord, via_pyav)


def test_backends_agree_on_texture(tmp_path):
    # Random noise is the hardest case for a codec (B-frames included, by
    # libx264's defaults); both backends still decode it bit-identically.
    noise = np.random.default_rng(0).integers(0, 256, (10, 36, 44, 3),
                                              np.uint8)
    path = str(tmp_path / 'noise.mp4')
    write_frames(path, noise)
    inds = [9, 0, 4, 4, 7]
    np.testing.assert_array_equal(
        open_video(path, 'decord').get_frames(inds),
        open_video(path, 'pyav').get_frames(inds))


def test_backends_agree_at_reduced_size(video):
    via_decord = open_video(video, 'decord', target_short_side=24)
    via_pyav = open_video(video, 'pyav', target_short_side=24)
    inds = [1, 8, 14]
    a, b = via_decord.get_frames(inds), via_pyav.get_frames(inds)
    assert a.shape == b.shape == (3, 24, 32, 3)
    # Different scalers; solid colours keep them within a few levels.
    assert np.abs(a.astype(int) - b).max() <= 4
    # Upscaling is never done at decode time.
    assert open_video(video, 'pyav', 100).get_frames([0]).shape[1:3] == \
        (HEIGHT, WIDTH)


def test_decord_falls_back_to_pyav_without_decord(video, monkeypatch):
    monkeypatch.setitem(sys.modules, 'decord', None)  # import -> ImportError
    reader = open_video(video, 'decord')
    assert isinstance(reader, PyAVVideoReader)
    assert identify(reader.get_frames([2, 9])) == [2, 9]


def test_decord_decode_failure_falls_back_to_pyav(video, monkeypatch):
    reader = open_video(video, 'decord')
    assert isinstance(reader, DecordVideoReader)

    def broken(*args, **kwargs):
        raise RuntimeError('simulated decord failure')

    monkeypatch.setattr(reader._reader, 'get_batch', broken)
    assert identify(reader.get_frames([4, 11])) == [4, 11]


def test_pyav_pads_when_header_overstates(video):
    reader = open_video(video, 'pyav')
    reader.num_frames = NUM_FRAMES + 4  # as if the file were truncated
    frames = reader.get_frames([1, NUM_FRAMES + 2])
    assert identify(frames) == [1, NUM_FRAMES - 1]


@pytest.mark.parametrize('backend', ['decord', 'pyav'])
@pytest.mark.parametrize('name,reason', [
    ('missing.mp4', 'file not found'),
    ('empty.mp4', 'empty file'),
    ('text.mp4', 'not a readable video file'),
    ('audio.m4a', 'no video stream'),
    ('noframes.avi', 'zero frames'),
])
def test_decode_errors(bad_files, backend, name, reason):
    path = str(bad_files / name)
    with pytest.raises(VideoDecodeError) as info:
        open_video(path, backend)
    err = info.value
    assert isinstance(err, RuntimeError)
    assert err.path == path
    assert err.reason.startswith(reason)
    assert str(err).startswith(f"video '{path}' could not be decoded: ")


def test_decode_error_pickles():
    err = pickle.loads(pickle.dumps(VideoDecodeError('a.mp4', 'zero frames')))
    assert (err.path, err.reason) == ('a.mp4', 'zero frames')
    assert str(err) == "video 'a.mp4' could not be decoded: zero frames"


def test_unknown_backend(video):
    with pytest.raises(ValueError):
        open_video(video, 'opencv')


def test_scaled_size():
    assert scaled_size(48, 64, 24) == (24, 32)
    assert scaled_size(64, 48, 24) == (32, 24)
    assert scaled_size(100, 100, 10) == (10, 10)
    assert scaled_size(3, 10, 2) == (2, 7)  # 6.67 rounds to 7


def test_load_image(tmp_path, bad_files):
    img = np.zeros((10, 20, 3), np.uint8)
    img[..., 0] = 200  # red in RGB
    path = str(tmp_path / 'img.png')
    cv2.imwrite(path, img[..., ::-1])  # cv2 writes BGR
    np.testing.assert_array_equal(load_image(path), img)
    assert load_image(path, target_short_side=5).shape == (5, 10, 3)
    with pytest.raises(VideoDecodeError, match='not a readable image'):
        load_image(str(bad_files / 'text.mp4'))
    with pytest.raises(VideoDecodeError, match='file not found'):
        load_image(str(tmp_path / 'nope.png'))


# --------------------------------------------------------------- sampling
@pytest.mark.parametrize(
    'total,num,start,end,expected',
    [
        (16, 4, 0, None, [2, 6, 10, 14]),
        (10, 4, 0, None, [1, 3, 6, 8]),
        (8, 8, 0, None, list(range(8))),
        (2, 4, 0, None, [0, 0, 1, 1]),
        (1, 3, 0, None, [0, 0, 0]),
        (100, 2, 10, 20, [12, 17]),
        (100, 1, 0, None, [50]),
        (10, 2, -5, 99, [2, 7]),  # start/end clamped to [0, 10)
        (10, 2, 12, None, [9, 9]),  # start past the end keeps the last frame
    ])
def test_sample_segment_indices_test_mode(total, num, start, end, expected):
    inds = sample_segment_indices(total, num, True, start=start, end=end)
    assert inds.dtype == np.int64
    assert inds.tolist() == expected


def test_sample_segment_indices_train_invariants():
    rng = np.random.default_rng(0)
    for _ in range(300):
        total = int(rng.integers(1, 60))
        num = int(rng.integers(1, 20))
        start = int(rng.integers(0, total))
        end = int(rng.integers(start + 1, total + 1))
        inds = sample_segment_indices(total, num, False, rng, start, end)
        assert inds.shape == (num, )
        assert np.all(np.diff(inds) >= 0)  # sorted
        assert inds.min() >= start and inds.max() < end
        # Index k lies in (a frame overlapping) segment k.
        edges = start + np.arange(num + 1) * (end - start) / num
        assert np.all(inds >= np.floor(edges[:-1]))
        assert np.all(inds < edges[1:])


def test_sample_segment_indices_train_randomness():
    a = sample_segment_indices(1000, 8, False, np.random.default_rng(1))
    b = sample_segment_indices(1000, 8, False, np.random.default_rng(1))
    c = sample_segment_indices(1000, 8, False, np.random.default_rng(2))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # Without rng, NumPy's global state (seeded by MMEngine) is used.
    np.random.seed(3)
    d = sample_segment_indices(1000, 8, False)
    np.random.seed(3)
    np.testing.assert_array_equal(d, sample_segment_indices(1000, 8, False))
    # Every frame of a 4-frame segment gets picked eventually.
    picks = {
        int(sample_segment_indices(8, 2, False, np.random.default_rng(s))[0])
        for s in range(100)
    }
    assert picks == {0, 1, 2, 3}


def test_sample_segment_indices_errors():
    with pytest.raises(ValueError):
        sample_segment_indices(0, 4, True)
    with pytest.raises(ValueError):
        sample_segment_indices(10, 0, True)


def test_window_to_frame_range():
    assert window_to_frame_range(None, 8.0, 16) == (0, 16)
    assert window_to_frame_range((0.5, 1.5), 8.0, 16) == (4, 12)
    assert window_to_frame_range((0.55, 1.45), 8.0, 16) == (4, 12)
    assert window_to_frame_range((None, 1.0), 8.0, 16) == (0, 8)
    assert window_to_frame_range((1.0, None), 8.0, 16) == (8, 16)
    assert window_to_frame_range((-1.0, 99.0), 8.0, 16) == (0, 16)
    assert window_to_frame_range((5.0, 6.0), 8.0, 16) == (15, 16)
    assert window_to_frame_range((1.0, 1.0), 8.0, 16) == (8, 9)
    assert window_to_frame_range((0.5, 1.5), 0.0, 16) == (0, 16)


# ------------------------------------------------------------ DecodeVideo
@pytest.mark.parametrize('backend', ['decord', 'pyav'])
def test_decode_video_test_mode(video, backend):
    transform = DecodeVideo(num_frames=4, test_mode=True, backend=backend)
    results = transform(dict(video_path=video))
    assert results['frame_inds'].tolist() == [2, 6, 10, 14]
    assert results['imgs'].shape == (4, HEIGHT, WIDTH, 3)
    assert results['imgs'].dtype == np.uint8
    assert identify(results['imgs']) == [2, 6, 10, 14]
    assert results['original_shape'] == (HEIGHT, WIDTH)
    assert results['img_shape'] == (HEIGHT, WIDTH)
    assert results['total_frames'] == NUM_FRAMES


def test_decode_video_window_and_short_clips(video):
    transform = DecodeVideo(num_frames=4, test_mode=True)
    # [0.5 s, 1.5 s] at 8 fps is frames [4, 12): middles of 2-frame segments
    results = transform(dict(video_path=video, window=(0.5, 1.5)))
    assert results['frame_inds'].tolist() == [5, 7, 9, 11]
    assert identify(results['imgs']) == [5, 7, 9, 11]
    # A 2-frame window for 4 frames: frames repeat, still sorted.
    results = transform(dict(video_path=video, window=(0.0, 0.25)))
    assert results['frame_inds'].tolist() == [0, 0, 1, 1]
    # More frames than the video has.
    results = DecodeVideo(
        num_frames=20, test_mode=True)(
            dict(video_path=video, window=None))
    inds = results['frame_inds']
    assert len(inds) == 20 and np.all(np.diff(inds) >= 0)
    assert set(inds.tolist()) == set(range(NUM_FRAMES))
    assert identify(results['imgs']) == inds.tolist()


def test_decode_video_train_mode(video):
    np.random.seed(0)
    transform = DecodeVideo(num_frames=4, test_mode=False)
    for _ in range(5):
        results = transform(dict(video_path=video, window=(0.5, 1.5)))
        inds = results['frame_inds']
        assert np.all(np.diff(inds) >= 0)
        assert inds.min() >= 4 and inds.max() < 12
        assert identify(results['imgs']) == inds.tolist()


def test_decode_video_out_short_side(video):
    results = DecodeVideo(4, True, out_short_side=24)(dict(video_path=video))
    assert results['imgs'].shape == (4, 24, 32, 3)
    assert results['original_shape'] == results['img_shape'] == (24, 32)


def test_decode_video_image(tmp_path):
    img = np.random.default_rng(0).integers(0, 256, (12, 18, 3), np.uint8)
    path = str(tmp_path / 'img.png')
    cv2.imwrite(path, img[..., ::-1])
    results = DecodeVideo(num_frames=3)(dict(video_path=path, is_image=True))
    assert results['imgs'].shape == (3, 12, 18, 3)
    for frame in results['imgs']:
        np.testing.assert_array_equal(frame, img)
    assert results['frame_inds'].tolist() == [0, 0, 0]
    assert results['total_frames'] == 1
    assert results['img_shape'] == (12, 18)


def test_decode_video_registry_and_errors(video, bad_files):
    transform = TRANSFORMS.build(
        dict(type='DecodeVideo', num_frames=2, test_mode=True))
    assert isinstance(transform, DecodeVideo)
    assert 'num_frames=2' in repr(transform)
    with pytest.raises(VideoDecodeError, match='no video stream'):
        transform(dict(video_path=str(bad_files / 'audio.m4a')))
    with pytest.raises(ValueError):
        DecodeVideo(num_frames=0)
    with pytest.raises(ValueError):
        DecodeVideo(backend='opencv')


def test_load_image_after_decord_was_imported_first(tmp_path):
    # decord's bundled libraries, loaded before cv2, break cv2's PNG reader;
    # load_image must not depend on import order.
    import subprocess
    import sys
    path = tmp_path / 'img.png'
    cv2.imwrite(str(path), np.full((4, 6, 3), 90, np.uint8))
    code = ('import decord, cv2\n'
            'from snps3.datasets.video_io import load_image\n'
            f'assert load_image({str(path)!r}).shape == (4, 6, 3)\n')
    subprocess.run([sys.executable, '-c', code], check=True)
