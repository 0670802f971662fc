# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import logging

import pytest
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

from snps3.registry import DATASETS
from snps3.utils.errors import DataError

HEADER = 'videoid,contentUrl,duration,page_dir,name\n'
PIPELINE = [
    dict(type='DecodeVideo', num_frames=2),
    dict(type='TokenizeCaption', max_length=12),
    dict(type='PackVideoTextInputs'),
]


def _corpus(tmp_path, mp4_writer, rows):
    for videoid, page_dir, _ in rows:
        if videoid != 'missing':
            mp4_writer(tmp_path / 'videos' / page_dir / f'{videoid}.mp4')
    lines = [
        f'{v},https://example.invalid/{v}.mp4,PT00H00M01S,{p},"{c}"\n'
        for v, p, c in rows
    ]
    (tmp_path / 'train.csv').write_text(HEADER + ''.join(lines))


def _build(tmp_path, **kwargs):
    init_default_scope('snps3')
    return DATASETS.build(
        dict(
            type='WebVidDataset',
            data_root=str(tmp_path),
            ann_file='train.csv',
            pipeline=PIPELINE,
            **kwargs))


def test_reads_webvid_csv(tmp_path, mp4_writer):
    _corpus(tmp_path, mp4_writer, [('11', '000001_000050', 'a red ball'),
                                   ('12', '000001_000050', 'a, quoted one')])
    ds = _build(tmp_path)
    assert len(ds) == 2
    info = ds.get_data_info(1)
    assert info['caption'] == 'a, quoted one'
    assert info['video_path'].endswith('videos/000001_000050/12.mp4')
    item = ds[0]
    assert item['inputs']['frames'].shape == (2, 3, 32, 32)
    assert item['inputs']['input_ids'].shape == (12, )
    assert item['data_samples'].caption == 'a red ball'


def test_missing_annotation_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.csv.*generate.py'):
        init_default_scope('snps3')
        DATASETS.build(
            dict(
                type='WebVidDataset',
                data_root=str(tmp_path),
                ann_file='nope.csv',
                pipeline=PIPELINE))


def test_wrong_columns_are_named(tmp_path):
    (tmp_path / 'train.csv').write_text('id,caption\n1,x\n')
    with pytest.raises(ValueError, match='not a WebVid CSV'):
        _build(tmp_path)


def test_missing_video_and_empty_caption_are_skipped_and_counted(
        tmp_path, mp4_writer):
    _corpus(tmp_path, mp4_writer, [('1', 'p', 'good one'),
                                   ('missing', 'p', 'no file'),
                                   ('3', 'p', '   ')])
    ds = _build(tmp_path)
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: records.append(record.getMessage())
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    try:
        for idx in range(3):
            item = ds[idx]
            assert item['data_samples'].caption == 'good one'
    finally:
        logger.removeHandler(handler)
    assert ds.num_bad_samples >= 2
    log = '\n'.join(records)
    assert 'missing.mp4' in log and 'file not found' in log
    assert 'is empty' in log


def test_all_bad_stops_with_a_clear_error(tmp_path):
    (tmp_path / 'train.csv').write_text(HEADER + 'x,u,d,p,cap\n')
    ds = _build(tmp_path, max_consecutive_failures=3)
    with pytest.raises(DataError, match='3 samples in a row'):
        ds[0]
