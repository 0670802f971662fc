# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import json

import pytest
from mmengine.registry import init_default_scope

from snps3.registry import DATASETS


def _build(tmp_path, lines):
    (tmp_path / 'ann.jsonl').write_text('\n'.join(lines) + '\n')
    init_default_scope('snps3')
    return DATASETS.build(
        dict(
            type='VideoTextJsonlDataset',
            data_root=str(tmp_path),
            ann_file='ann.jsonl',
            video_dir='clips',
            pipeline=[]))


def test_rows_windows_and_images(tmp_path):
    ds = _build(tmp_path, [
        json.dumps(
            dict(
                caption='a dog',
                clip_name='v1',
                type='video',
                start=1.5,
                end=3.0)),
        json.dumps(dict(caption='a dog again', clip_name='v1', type='video')),
        '',
        json.dumps(
            dict(caption='a photo', clip_name='img/p.jpg', type='image')),
    ])
    rows = [ds.get_data_info(i) for i in range(len(ds))]
    assert len(rows) == 3
    assert rows[0]['video_path'].endswith('clips/v1.mp4')
    assert rows[0]['window'] == (1.5, 3.0) and 'window' not in rows[1]
    assert [r['video_index'] for r in rows] == [0, 0, 1]
    assert rows[2]['is_image'] and rows[2]['video_path'].endswith('p.jpg')


def test_bad_line_is_named(tmp_path):
    with pytest.raises(ValueError, match='line 2'):
        _build(tmp_path, [
            json.dumps(dict(caption='x', clip_name='a')),
            '{"caption": "no clip"}'
        ])
