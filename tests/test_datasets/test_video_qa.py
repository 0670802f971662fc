# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import json

import pytest
from mmengine.registry import init_default_scope

from snps3.datasets import AnswerVocabulary
from snps3.registry import DATASETS
from snps3.utils.errors import DataError, MissingFileError


def _q(video_id, question, answer, qid, **extra):
    return dict(
        video_id=video_id, question=question, answer=answer, id=qid, **extra)


# MSRVTT-QA release rows: int video ids, no answer_type.
MSRVTT_TRAIN = [
    _q(0, 'what is a man doing?', 'cook', 0),
    _q(0, 'who is cooking?', 'man', 1),
    _q(1, 'what is the girl playing?', 'guitar', 2),
    _q(1, 'how many dogs run?', 'two', 3),
    _q(2, 'what does a man cook?', 'cook', 4),
    _q(2, 'who sings?', 'woman', 5),
]
MSRVTT_TEST = [
    _q(7010, 'what is a chef doing?', 'cook', 10),
    _q(7010, 'where is the car?', 'road', 11),  # not a training answer
    _q(7011, 'who dances?', 'Man ', 12),  # case and space normalised
]


def _write(path, rows):
    path.write_text(json.dumps(rows))
    return path.name


def _build(tmp_path, ann_file, type='MSRVTTQADataset', **kwargs):
    init_default_scope('snps3')
    ds = DATASETS.build(
        dict(
            type=type,
            data_root=str(tmp_path),
            ann_file=ann_file,
            video_dir='videos',
            pipeline=[],
            **kwargs))
    return ds, [ds.get_data_info(i) for i in range(len(ds))]


def test_vocabulary_top_k_ties_by_first_appearance():
    answers = ['b', 'a', 'c', 'a', 'd', 'c', 'e', 'b']
    vocab = AnswerVocabulary.from_answers(answers, top_k=4)
    # a, b and c twice: in order of first appearance (b, a, c); then the
    # once-seen d beats e, which comes later, and e is cut by top_k.
    assert vocab.answers == ['b', 'a', 'c', 'd']
    assert vocab.label('c') == 2 and vocab.label('e') == -1
    assert len(AnswerVocabulary.from_answers(answers, top_k=99)) == 5


def test_vocabulary_json_round_trip(tmp_path):
    vocab = AnswerVocabulary.from_answers(['x', 'y', 'y', 'Z'], top_k=3)
    vocab.save(str(tmp_path / 'sub' / 'vocab.json'))
    saved = json.loads((tmp_path / 'sub' / 'vocab.json').read_text())
    assert saved == {'answer_to_label': {'y': 0, 'x': 1, 'z': 2}}
    loaded = AnswerVocabulary.load(str(tmp_path / 'sub' / 'vocab.json'))
    assert loaded.answers == vocab.answers and 'Z' in loaded
    with pytest.raises(DataError, match='0 .. n-1'):
        AnswerVocabulary({'a': 0, 'b': 2})
    with pytest.raises(DataError, match='distinct'):
        AnswerVocabulary({'a': 0, 'A ': 1})
    with pytest.raises(MissingFileError):
        AnswerVocabulary.load(str(tmp_path / 'none.json'))


def test_training_drops_out_of_vocabulary_questions(tmp_path):
    ann = _write(tmp_path / 'train_qa.json', MSRVTT_TRAIN)
    ds, rows = _build(tmp_path, ann, top_k=3)
    # cook (2), then man, guitar by first appearance; two, woman dropped.
    assert ds.answer_vocab.answers == ['cook', 'man', 'guitar']
    assert ds.num_answers == 3
    assert [r['answer'] for r in rows] == ['cook', 'man', 'guitar', 'cook']
    assert [r['answer_label'] for r in rows] == [0, 1, 2, 0]
    assert [r['text_id'] for r in rows] == [0, 1, 2, 3]
    assert [r['video_index'] for r in rows] == [0, 0, 1, 2]
    first = rows[0]
    assert first['video_path'].endswith('videos/video0.mp4')
    assert first['question'] == first['caption'] == 'what is a man doing?'
    assert [r['question_type']
            for r in rows] == ['what', 'who', 'what', 'what']


def test_test_mode_keeps_unknown_answers_as_minus_one(tmp_path):
    _write(tmp_path / 'train_qa.json', MSRVTT_TRAIN)
    ann = _write(tmp_path / 'test_qa.json', MSRVTT_TEST)
    ds, rows = _build(
        tmp_path, ann, train_ann_file='train_qa.json', test_mode=True)
    assert len(rows) == 3  # nothing silently dropped
    assert [r['answer_label'] for r in rows] == [0, -1, 1]
    assert rows[2]['answer'] == 'man'
    assert [r['question_id'] for r in rows] == [10, 11, 12]
    assert [r['question_type'] for r in rows] == ['what', 'where', 'who']
    assert rows[0]['video_path'].endswith('videos/video7010.mp4')
    assert [r['video_index'] for r in rows] == [0, 0, 1]


def test_test_mode_needs_the_training_answers(tmp_path):
    ann = _write(tmp_path / 'test_qa.json', MSRVTT_TEST)
    with pytest.raises(DataError, match='train_ann_file or answer_vocab'):
        _build(tmp_path, ann, test_mode=True)


def test_vocabulary_file_and_answer_type_and_string_ids(tmp_path):
    AnswerVocabulary({'road': 0}).save(str(tmp_path / 'vocab.json'))
    ann = _write(tmp_path / 'val_qa.json', [
        _q('video9', 'where is the car?', 'road', 0, answer_type='where'),
        _q('video9', 'what colour is it?', 'red', 1, answer_type='color'),
    ])
    ds, rows = _build(
        tmp_path, ann, answer_vocab_file='vocab.json', test_mode=True)
    assert ds.num_answers == 1
    assert [r['answer_label'] for r in rows] == [0, -1]
    assert [r['question_type'] for r in rows] == ['where', 'color']
    assert rows[0]['video_path'].endswith('videos/video9.mp4')


def test_msvd_maps_int_ids_to_youtube_clips(tmp_path):
    (tmp_path / 'youtube_mapping.txt').write_text('-4wsuPCjDBc_5_15 vid1\n'
                                                  '00jrXRMlZOY_0_10 vid2\n\n')
    ann = _write(tmp_path / 'train_qa.json', [
        _q(1, 'what is a cat doing?', 'play', 0),
        _q(2, 'who is slicing?', 'woman', 1),
        _q(1, 'what plays?', 'cat', 2),
    ])
    ds, rows = _build(
        tmp_path,
        ann,
        type='MSVDQADataset',
        mapping_file='youtube_mapping.txt')
    assert ds.top_k == 1000
    assert [r['video_id'] for r in rows
            ] == ['-4wsuPCjDBc_5_15', '00jrXRMlZOY_0_10', '-4wsuPCjDBc_5_15']
    assert rows[1]['video_path'].endswith('videos/00jrXRMlZOY_0_10.avi')
    assert [r['video_index'] for r in rows] == [0, 1, 0]

    ann = _write(tmp_path / 'bad_qa.json', [_q(3, 'who?', 'man', 0)])
    with pytest.raises(DataError, match="video id 3 \\('vid3'\\)"):
        _build(
            tmp_path,
            ann,
            type='MSVDQADataset',
            mapping_file='youtube_mapping.txt')


def test_malformed_annotations_are_named(tmp_path):
    ann = _write(tmp_path / 'train_qa.json', [dict(video_id=0, question='q')])
    with pytest.raises(DataError, match="question 0 lacks \\['answer'\\]"):
        _build(tmp_path, ann)
    (tmp_path / 'dict.json').write_text('{"a": 1}')
    with pytest.raises(DataError, match='JSON list'):
        _build(tmp_path, 'dict.json')
