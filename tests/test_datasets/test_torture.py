# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Torture test: a WebVid corpus full of bad and awkward inputs.

Every good sample (decodable video, non-empty caption), however awkward,
must come out of a real multi-worker DataLoader well-formed; every bad one
must be skipped and counted, never yielded.
"""
import gc
from fractions import Fraction

import av
import numpy as np
import pytest
import torch
from mmengine.dataset import default_collate
from mmengine.registry import init_default_scope

from snps3.registry import DATASETS
from snps3.utils.errors import DataError

HEADER = 'videoid,contentUrl,duration,page_dir,name\n'
NUM_FRAMES, SIZE, MAX_LEN = 4, 32, 16


def make_pipeline(backend='decord', augment=False):
    # RandAugmentClip, when on, runs before the crop so that it sees the
    # awkward frame sizes (one frame, full HD, 400 x 60) too.
    augment_step = [dict(type='RandAugmentClip')] if augment else []
    return [dict(type='DecodeVideo', num_frames=NUM_FRAMES, backend=backend)
            ] + augment_step + [
                dict(type='RandomResizedCrop', size=SIZE),
                dict(type='TokenizeCaption', max_length=MAX_LEN),
                dict(type='RandomMLMMasking'),
                dict(type='PackVideoTextInputs'),
            ]


def write_video(path,
                num_frames=8,
                height=32,
                width=32,
                pts=None,
                seed=0,
                faststart=False,
                audio=False):
    """Write an H.264 mp4 of noisy frames.

    ``pts`` gives irregular frame times (ms); ``faststart`` puts the index
    (moov) before the data, so a truncated copy still opens; ``audio`` adds
    an AAC stream *before* the video one.
    """
    rng = np.random.default_rng(seed)
    options = dict(movflags='faststart') if faststart else {}
    with av.open(str(path), 'w', options=options) as container:
        if audio:
            sound = container.add_stream('aac', rate=16000)
        stream = container.add_stream('libx264', rate=8)
        stream.height, stream.width = height, width
        stream.pix_fmt = 'yuv420p'
        if pts is not None:
            # A fine time base so irregular timestamps are representable.
            stream.codec_context.time_base = Fraction(1, 1000)
        for i in range(num_frames):
            img = rng.integers(0, 256, (height, width, 3), np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format='rgb24')
            if pts is not None:
                frame.pts = pts[i]
                frame.time_base = Fraction(1, 1000)
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
        if audio:
            mux_silence(container, sound)


def mux_silence(container, stream):
    """Encode a quarter second of silence into an audio stream."""
    frame = av.AudioFrame.from_ndarray(
        np.zeros((1, 1024), np.float32), format='fltp', layout='mono')
    frame.sample_rate = 16000
    for i in range(4):
        frame.pts = i * 1024
        container.mux(stream.encode(frame))
    container.mux(stream.encode())


def write_audio_only(path):
    """An mp4 holding a single AAC stream and no video."""
    with av.open(str(path), 'w') as container:
        mux_silence(container, container.add_stream('aac', rate=16000))


def build_corpus(root):
    """Write the corpus; return (good ids, bad ids, either ids)."""
    videos = root / 'videos' / 'p'
    videos.mkdir(parents=True)
    good, bad, either, rows = [], [], [], []

    def add(vid, caption, ok):
        rows.append((vid, caption))
        {True: good, False: bad, None: either}[ok].append(vid)

    for i in range(6):
        write_video(videos / f'good{i}.mp4', seed=i)
        add(f'good{i}', f'plain clip number {i}', True)
    # Awkward but valid videos: they must be handled, not skipped.
    write_video(videos / 'short.mp4', num_frames=2)
    add('short', 'two frames only', True)
    write_video(videos / 'single.mp4', num_frames=1)
    add('single', 'a single frame', True)
    write_video(videos / 'large.mp4', num_frames=2, height=1080, width=1920)
    add('large', 'full hd frames', True)
    write_video(videos / 'odd.mp4', num_frames=4, height=60, width=400)
    add('odd', 'a very wide strip', True)
    write_video(
        videos / 'vfr.mp4', num_frames=6, pts=[0, 40, 300, 310, 900, 2000])
    add('vfr', 'variable frame rate', True)
    write_video(videos / 'sound.mp4', audio=True, seed=13)
    add('sound', 'the audio stream comes first', True)
    # Awkward but valid captions on good videos.
    write_video(videos / 'long.mp4', seed=10)
    add('long', ' '.join(['a very long caption'] * 100), True)
    write_video(videos / 'unicode.mp4', seed=11)
    add('unicode', 'Ein Bär läuft über die Straße, 猫が走る 🐈🔥', True)
    write_video(videos / 'emoji.mp4', seed=12)
    add('emoji', 'party time 🎉🎉🎉', True)

    # Bad videos.
    (videos / 'zero.mp4').write_bytes(b'')
    add('zero', 'zero bytes', False)
    good_bytes = (videos / 'good0.mp4').read_bytes()
    (videos / 'truncated.mp4').write_bytes(good_bytes[:len(good_bytes) // 2])
    add('truncated', 'first half of a file', False)
    middle = len(good_bytes) // 2
    corrupt = bytearray(good_bytes)
    corrupt[middle - 64:middle + 64] = np.random.default_rng(0).integers(
        0, 256, 128, np.uint8).tobytes()
    (videos / 'corrupt.mp4').write_bytes(bytes(corrupt))
    add('corrupt', 'garbage in the middle', None)
    # With the index first, half a file opens and decodes its first frames
    # (the reader pads with the last one); skipping it is fine too.
    write_video(videos / 'full.mp4', num_frames=16, faststart=True)
    full = (videos / 'full.mp4').read_bytes()
    (videos / 'halffast.mp4').write_bytes(full[:len(full) // 2])
    add('halffast', 'first half, index first', None)
    (videos / 'text.mp4').write_text('not a video at all\n' * 40)
    add('text', 'a text file', False)
    add('missing', 'no such file', False)
    write_audio_only(videos / 'audio.mp4')
    add('audio', 'sound but no picture', False)
    # Bad captions on good videos.
    write_video(videos / 'nocaption.mp4', seed=20)
    add('nocaption', '', False)
    write_video(videos / 'blank.mp4', seed=21)
    add('blank', '  \t  ', False)
    # Nothing the WordPiece vocabulary knows: one [UNK], no text to learn.
    write_video(videos / 'emojionly.mp4', seed=22)
    add('emojionly', '🎉🎉🎉', False)

    lines = [
        f'{v},https://example.invalid/{v}.mp4,PT00H00M01S,p,"{c}"\n'
        for v, c in rows
    ]
    (root / 'train.csv').write_text(HEADER + ''.join(lines), encoding='utf-8')
    return good, bad, either


def build_dataset(root, backend='decord', augment=False, **kwargs):
    init_default_scope('snps3')
    return DATASETS.build(
        dict(
            type='WebVidDataset',
            data_root=str(root),
            ann_file='train.csv',
            pipeline=make_pipeline(backend, augment),
            **kwargs))


@pytest.mark.parametrize('backend,augment', [('decord', False),
                                             ('pyav', True)])
def test_torture_corpus_through_dataloader(tmp_path, backend, augment):
    # A file corrupted in the middle may or may not decode (H.264 conceals
    # damage); either outcome is fine, as long as it is not fatal.
    good, bad, _ = build_corpus(tmp_path)
    ds = build_dataset(tmp_path, backend, augment)
    loader = torch.utils.data.DataLoader(
        ds,
        batch_size=4,
        num_workers=2,
        shuffle=False,
        collate_fn=default_collate,
        persistent_workers=False)
    seen = []
    num_batches = 0
    for batch in loader:
        num_batches += 1
        inputs, samples = batch['inputs'], batch['data_samples']
        n = len(samples)
        assert 1 <= n <= 4
        frames = inputs['frames']
        assert frames.shape == (n, NUM_FRAMES, 3, SIZE, SIZE)
        assert frames.dtype == torch.uint8
        for key in ('input_ids', 'attention_mask', 'mlm_input_ids',
                    'mlm_labels'):
            assert inputs[key].shape == (n, MAX_LEN), key
            assert inputs[key].dtype == torch.int64, key
        # Every caption starts with [CLS] and predicts at least one token.
        assert (inputs['attention_mask'][:, 0] == 1).all()
        assert ((inputs['mlm_labels'] != -100).sum(1) >= 1).all()
        seen += [s.video_id for s in samples]
    assert num_batches == -(-len(ds) // 4)
    assert len(seen) == len(ds)
    missing = set(good) - set(seen)
    assert not missing, f'good samples never yielded: {sorted(missing)}'
    yielded_bad = set(bad) & set(seen)
    assert not yielded_bad, f'bad samples yielded: {sorted(yielded_bad)}'
    # Each bad row is hit at least once in a pass (its own index).
    assert ds.num_bad_samples >= len(bad)


def test_mostly_bad_corpus_stops_instead_of_spinning(tmp_path):
    videos = tmp_path / 'videos' / 'p'
    videos.mkdir(parents=True)
    write_video(videos / 'ok.mp4')
    rows = ['ok,u,d,p,fine\n'] + [f'b{i},u,d,p,gone\n' for i in range(200)]
    (tmp_path / 'train.csv').write_text(HEADER + ''.join(rows))
    ds = build_dataset(tmp_path, max_consecutive_failures=3)
    np.random.seed(0)
    with pytest.raises(DataError, match='3 samples in a row'):
        for idx in range(1, 40):
            ds[idx]
    assert ds.num_bad_samples >= 3
    # The same from a DataLoader worker: the error reaches the main process.
    # One worker only: after a worker error, torch waits up to 5 s per worker
    # for them to exit (its join timeout), which is all this would add.
    batches = iter(
        torch.utils.data.DataLoader(
            ds, batch_size=8, num_workers=1, collate_fn=default_collate))
    message = None
    try:
        for _ in batches:
            pass
    except DataError as err:
        # Not pytest.raises: its traceback would keep the iterator, and so
        # the worker's shutdown, alive into a later test.
        message = str(err)
    # The iterator sits in reference cycles: collect it (and shut its worker
    # down) here rather than at some later test's garbage collection.
    del batches
    gc.collect()
    assert message is not None and 'samples in a row could not' in message
