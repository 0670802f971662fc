# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import json

import pytest
from mmengine.registry import init_default_scope

from snps3.registry import DATASETS
from snps3.utils.errors import DataError


def _ann(tmp_path):
    ann = dict(
        info={},
        videos=[
            dict(video_id=f'video{i}', split='train', id=i) for i in range(3)
        ],
        sentences=[
            dict(caption='a dog runs', video_id='video0', sen_id=0),
            dict(caption='a dog is running', video_id='video0', sen_id=1),
            dict(caption='a cat sleeps', video_id='video1', sen_id=2),
            dict(caption='a car drives', video_id='video2', sen_id=3),
        ])
    (tmp_path / 'MSRVTT_data.json').write_text(json.dumps(ann))
    (tmp_path / 'test.csv').write_text(',key,vid_key,video_id,sentence\n'
                                       '0,ret0,msr2,video2,a red car drives\n'
                                       '1,ret1,msr0,video0,a dog runs fast\n')
    (tmp_path / 'train.csv').write_text('video_id\nvideo0\nvideo1\n')


def _build(tmp_path, split, test_mode=False):
    init_default_scope('snps3')
    return DATASETS.build(
        dict(
            type='MSRVTTRetrievalDataset',
            data_root=str(tmp_path),
            ann_file='MSRVTT_data.json',
            split_file=split,
            pipeline=[],
            video_dir='videos',
            test_mode=test_mode))


def test_1k_a_test_list_gives_one_caption_per_video(tmp_path):
    _ann(tmp_path)
    ds = _build(tmp_path, 'test.csv', test_mode=True)
    rows = [ds.get_data_info(i) for i in range(len(ds))]
    assert [r['caption']
            for r in rows] == ['a red car drives', 'a dog runs fast']
    assert [r['video_index'] for r in rows] == [0, 1]
    assert rows[0]['video_path'].endswith('videos/video2.mp4')


def test_training_list_takes_every_caption(tmp_path):
    _ann(tmp_path)
    ds = _build(tmp_path, 'train.csv')
    rows = [ds.get_data_info(i) for i in range(len(ds))]
    assert [(r['video_id'], r['video_index']) for r in rows] == [('video0', 0),
                                                                 ('video0', 0),
                                                                 ('video1', 1)]


def test_missing_video_at_test_time_is_an_error_not_a_substitute(tmp_path):
    _ann(tmp_path)
    init_default_scope('snps3')
    ds = DATASETS.build(
        dict(
            type='MSRVTTRetrievalDataset',
            data_root=str(tmp_path),
            ann_file='MSRVTT_data.json',
            split_file='test.csv',
            video_dir='videos',
            test_mode=True,
            pipeline=[dict(type='DecodeVideo', num_frames=2, test_mode=True)]))
    with pytest.raises(DataError, match='video2.mp4.*file not found'):
        ds[0]
