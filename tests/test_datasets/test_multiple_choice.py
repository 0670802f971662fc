# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import json

import numpy as np
import pytest
from mmengine.registry import init_default_scope

from snps3.datasets.base import SampleError
from snps3.datasets.transforms.text import load_tokenizer
from snps3.registry import DATASETS, TRANSFORMS
from snps3.utils.errors import DataError

OPTIONS_A = [
    'a man is cooking', 'a dog runs on the beach', 'two girls sing',
    'a car drives down a long and winding mountain road at night', 'cats'
]
OPTIONS_B = ['a', 'b c', 'people dance', 'a man talks', 'a red ball']
ROWS = [
    dict(clip_name='video7010', options=OPTIONS_A, answer=0),
    dict(clip_name='video7011', options=OPTIONS_B, answer=3),
    dict(clip_name='video7010', options=OPTIONS_B[::-1], answer=1),
]


def _build(tmp_path, name='mc_test.json', **kwargs):
    init_default_scope('snps3')
    ds = DATASETS.build(
        dict(
            type='MSRVTTMCDataset',
            data_root=str(tmp_path),
            ann_file=name,
            video_dir='videos',
            pipeline=[],
            test_mode=True,
            **kwargs))
    return [ds.get_data_info(i) for i in range(len(ds))]


def test_one_row_per_question_without_the_answer_as_caption(tmp_path):
    (tmp_path / 'mc_test.json').write_text(json.dumps(ROWS))
    rows = _build(tmp_path)
    assert len(rows) == 3
    assert rows[0]['options'] == OPTIONS_A and rows[0]['answer'] == 0
    assert rows[1]['answer'] == 3
    assert rows[1]['video_path'].endswith('videos/video7011.mp4')
    assert [r['video_index'] for r in rows] == [0, 1, 0]
    assert [r['text_id'] for r in rows] == [0, 1, 2]
    assert all('caption' not in r for r in rows)


def test_json_lines_are_read_too(tmp_path):
    (tmp_path / 'mc.jsonl').write_text('\n'.join(map(json.dumps, ROWS)))
    assert [r['video_id'] for r in _build(tmp_path, 'mc.jsonl')
            ] == ['video7010', 'video7011', 'video7010']


@pytest.mark.parametrize('bad, match', [
    (dict(clip_name='v', options=OPTIONS_A[:4], answer=0), '5 non-empty'),
    (dict(clip_name='v', options=OPTIONS_A, answer=5), 'not an option'),
    (dict(clip_name='v', options=OPTIONS_A[:4] + [' '], answer=0), 'non-e'),
    (dict(options=OPTIONS_A, answer=0), 'lacks'),
])
def test_malformed_questions_are_errors(tmp_path, bad, match):
    (tmp_path / 'mc_test.json').write_text(json.dumps([ROWS[0], bad]))
    with pytest.raises(DataError, match=f'question 1 .*{match}'):
        _build(tmp_path)


def test_tokenize_options_shapes_and_padding(tmp_path):
    init_default_scope('snps3')
    tokenize = TRANSFORMS.build(dict(type='TokenizeOptions', max_length=8))
    out = tokenize(dict(options=OPTIONS_A, video_path='v.mp4'))
    ids, mask = out['option_ids'], out['option_mask']
    assert ids.shape == mask.shape == (5, 8)
    assert ids.dtype == mask.dtype == np.int64
    tok = load_tokenizer()
    # Same layout as TokenizeCaption: [CLS] pieces [SEP] then padding.
    assert ids[0, 0] == tok.cls_token_id
    assert tok.decode(ids[0, 1:5]) == 'a man is cooking'
    assert ids[0, 5] == tok.sep_token_id
    assert mask[0].tolist() == [1] * 6 + [0] * 2
    assert (ids[0, 6:] == tok.pad_token_id).all()
    # The long option keeps its beginning (no random window by default).
    assert mask[3].all() and ids[3, -1] == tok.sep_token_id
    assert tok.decode(ids[3, 1:4]) == 'a car drives'
    # Each option on its own row, in the given order.
    assert tok.decode(ids[4, 1:2]) == 'cats'
    pack = TRANSFORMS.build(
        dict(
            type='PackVideoTextInputs',
            input_keys=('option_ids', 'option_mask')))
    packed = pack(out)
    assert packed['inputs']['option_ids'].shape == (5, 8)

    with pytest.raises(SampleError, match='empty'):
        tokenize(dict(options=['a dog', ''], video_path='v.mp4'))
