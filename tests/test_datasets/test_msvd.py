# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import pytest
from mmengine.registry import init_default_scope

from snps3.registry import DATASETS
from snps3.utils.errors import MissingFileError

# The head of the real AllVideoDescriptions.txt is a block of '#' comments.
DESCRIPTIONS = """\
###############################################################
# Microsoft Research Video Description Corpus
#
# Format: <VideoID> <Description>
###############################################################
-4wsuPCjDBc_5_15 a squirrel is eating a peanut in it's shell
-4wsuPCjDBc_5_15 a chipmunk is eating
-4wsuPCjDBc_5_15 a squirrel eats
-7KMZQEsJW4_205_208 a woman is slicing an onion

-7KMZQEsJW4_205_208 someone cuts onions
zzit5b_-ukg_5_20 a man plays a guitar
"""


def _build(tmp_path, split_file, test_mode=True):
    (tmp_path / 'AllVideoDescriptions.txt').write_text(DESCRIPTIONS)
    split = ['-7KMZQEsJW4_205_208', '-4wsuPCjDBc_5_15', 'not_captioned_1_2']
    (tmp_path / 'test_list.txt').write_text('\n'.join(split) + '\n')
    init_default_scope('snps3')
    return DATASETS.build(
        dict(
            type='MSVDRetrievalDataset',
            data_root=str(tmp_path),
            ann_file='AllVideoDescriptions.txt',
            split_file=split_file,
            video_dir='YouTubeClips',
            pipeline=[],
            test_mode=test_mode))


def test_test_split_keeps_every_caption_as_a_ground_truth(tmp_path):
    ds = _build(tmp_path, 'test_list.txt')
    rows = [ds.get_data_info(i) for i in range(len(ds))]
    # Gallery in split-list order; the uncaptioned video is left out.
    onion, squirrel = '-7KMZQEsJW4_205_208', '-4wsuPCjDBc_5_15'
    expected = [(onion, 0)] * 2 + [(squirrel, 1)] * 3
    assert [(r['video_id'], r['video_index']) for r in rows] == expected
    assert [r['caption'] for r in rows[:3]] == [
        'a woman is slicing an onion', 'someone cuts onions',
        "a squirrel is eating a peanut in it's shell"
    ]
    assert [r['text_id'] for r in rows] == list(range(5))
    assert rows[2]['video_path'].endswith('YouTubeClips/-4wsuPCjDBc_5_15.avi')


def test_without_split_every_video_in_order_of_appearance(tmp_path):
    ds = _build(tmp_path, None, test_mode=False)
    rows = [ds.get_data_info(i) for i in range(len(ds))]
    assert len(rows) == 6
    assert [r['video_index'] for r in rows] == [0, 0, 0, 1, 1, 2]


def test_missing_split_file_is_named(tmp_path):
    with pytest.raises(MissingFileError, match='train_list.txt'):
        _build(tmp_path, 'train_list.txt')
