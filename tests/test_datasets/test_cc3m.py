# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import pytest
from mmengine.registry import init_default_scope

from snps3.registry import DATASETS
from snps3.utils.errors import DataError

# CC3M's TSV: no header, '<caption>\t<url>'; captions may hold quotes.
TSV = ('a "red" car parked on the street\thttp://example.org/a.jpg\n'
       'person walking a dog\thttp://example.org/b.jpg\n'
       "actor's portrait at the premiere\thttp://example.org/c.jpg\n"
       'a view of the mountains\thttp://example.org/d.jpg\n')


def _build(tmp_path, present, **kwargs):
    (tmp_path / 'Train_GCC-training.tsv').write_text(TSV)
    for rel in present:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b'\xff\xd8\xff')  # contents are not read here
    init_default_scope('snps3')
    return DATASETS.build(
        dict(
            type='CC3MDataset',
            data_root=str(tmp_path),
            ann_file='Train_GCC-training.tsv',
            pipeline=[],
            **kwargs))


def test_rows_with_missing_images_are_dropped_and_counted(tmp_path):
    ds = _build(tmp_path, ['images/00000000.jpg', 'images/00000002.jpg'])
    rows = [ds.get_data_info(i) for i in range(len(ds))]
    assert ds.num_missing == 2
    assert [r['video_id'] for r in rows] == ['0', '2']
    assert rows[0]['caption'] == 'a "red" car parked on the street'
    assert rows[0]['video_path'].endswith('images/00000000.jpg')
    assert all(r['is_image'] for r in rows)
    assert [(r['text_id'], r['video_index']) for r in rows] == [(0, 0), (1, 1)]


def test_sharded_template_and_no_check(tmp_path):
    ds = _build(
        tmp_path, ['images/00001/000000003.jpg'],
        name_template='{shard:05d}/{index:09d}.jpg',
        shard_size=2)
    assert len(ds) == 1 and ds.num_missing == 3
    assert ds.get_data_info(0)['video_path'].endswith('00001/000000003.jpg')
    unchecked = _build(tmp_path, [], check_exists=False)
    assert len(unchecked) == 4 and unchecked.num_missing == 0


def test_no_image_at_all_names_the_layout(tmp_path):
    with pytest.raises(DataError, match='none of the 4 images.*00000000'):
        _build(tmp_path, [])


def test_bad_line_is_named(tmp_path):
    (tmp_path / 'bad.tsv').write_text('caption only, no url\n')
    init_default_scope('snps3')
    with pytest.raises(DataError, match='line 1'):
        DATASETS.build(
            dict(
                type='CC3MDataset',
                data_root=str(tmp_path),
                ann_file='bad.tsv',
                pipeline=[]))
