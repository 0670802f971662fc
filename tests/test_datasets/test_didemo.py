# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import json

import pytest
from mmengine.registry import init_default_scope

from snps3.registry import DATASETS
from snps3.utils.errors import DataError


def _entry(video, description, ann_id):
    # The fields of LocalizingMoments' {train,val,test}_data.json.
    return dict(
        annotation_id=ann_id,
        description=description,
        download_link=f'https://example.org/{video}',
        num_segments=6,
        times=[[0, 1], [0, 0], [1, 1], [0, 1]],
        video=video)


def _build(tmp_path, entries, **kwargs):
    (tmp_path / 'test_data.json').write_text(json.dumps(entries))
    init_default_scope('snps3')
    return DATASETS.build(
        dict(
            type='DiDeMoRetrievalDataset',
            data_root=str(tmp_path),
            ann_file='test_data.json',
            video_dir='videos',
            pipeline=[],
            test_mode=True,
            **kwargs))


def test_descriptions_join_into_one_paragraph_per_video(tmp_path):
    ds = _build(tmp_path, [
        _entry('1234@N00_56_ab.mov', 'a man walks in', 1),
        _entry('99@N08_77_cd.avi', 'the dog barks ', 2),
        _entry('1234@N00_56_ab.mov', 'he sits down', 3),
        _entry('1234@N00_56_ab.mov', 'camera pans left', 4),
    ])
    rows = [ds.get_data_info(i) for i in range(len(ds))]
    assert len(rows) == 2
    assert rows[0]['caption'] == 'a man walks in he sits down camera pans left'
    assert rows[1]['caption'] == 'the dog barks'
    assert [r['video_index'] for r in rows] == [0, 1]
    assert [r['text_id'] for r in rows] == [0, 1]
    assert rows[0]['video_id'] == '1234@N00_56_ab'
    # Downloads are transcoded to mp4: the extension is replaced.
    assert rows[0]['video_path'].endswith('videos/1234@N00_56_ab.mp4')
    assert 'window' not in rows[0]


def test_video_ext_none_keeps_names_and_bare_names_get_ext(tmp_path):
    entries = [_entry('a.mov', 'x', 1), _entry('b', 'y', 2)]
    kept = _build(tmp_path, entries, video_ext=None)
    assert kept.get_data_info(0)['video_path'].endswith('videos/a.mov')
    webm = _build(tmp_path, entries, video_ext='.webm')
    assert webm.get_data_info(1)['video_path'].endswith('videos/b.webm')


def test_not_a_didemo_file_is_named(tmp_path):
    with pytest.raises(DataError, match='not a DiDeMo'):
        _build(tmp_path, {'videos': []})
    with pytest.raises(DataError, match='entry 1'):
        _build(tmp_path, [_entry('a', 'x', 1), dict(video='b')])
