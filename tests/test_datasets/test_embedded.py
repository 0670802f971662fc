# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Tests of the embedded corpus generator (size ``tiny``)."""
import csv
import importlib.util
import json
import os.path as osp
import re
from pathlib import Path

import av
import decord
import numpy as np
import pytest
from mmengine.registry import init_default_scope

from snps3.datasets.embedded import (
    CORPUS_SIZES,
    FILLER_WORDS,
    SIGNIFICANT_WORDS,
    WORD_KINDS,
    Attributes,
    check_corpus,
    find_ambiguous,
    generate_corpus,
    plan_corpus,
    questions,
    render_frames,
    tokenize,
)
from snps3.datasets.embedded.captions import MAX_CAPTION_LENGTH, caption_length
from snps3.datasets.embedded.generate import mc_rows, qa_rows
from snps3.registry import DATASETS

ROOT = Path(__file__).resolve().parents[2]
TINY = CORPUS_SIZES['tiny']
ANNOTATIONS = ('webvid_train.csv', 'pretrain_train.jsonl', 'MSRVTT_data.json',
               'MSRVTT_train.9k.csv', 'MSRVTT_JSFUSION_test.csv',
               'embedded_scenes.json', 'domain_stopwords.txt', 'qa_train.json',
               'qa_test.json', 'mc_test.json')


@pytest.fixture(scope='module')
def corpus(tmp_path_factory):
    """A tiny corpus rendered in this process; (directory, meta)."""
    out = tmp_path_factory.mktemp('embedded')
    meta = generate_corpus(str(out), size='tiny', seed=0, workers=1)
    return out, meta


def _csv(path):
    with open(path, newline='', encoding='utf-8') as f:
        return list(csv.reader(f))


def _msrvtt(out):
    return json.loads((out / 'annotations' / 'MSRVTT_data.json').read_text())


def _decode_av(path):
    with av.open(str(path)) as container:
        return np.stack(
            [f.to_ndarray(format='rgb24') for f in container.decode(video=0)])


def _all_videos(out):
    return sorted(out.glob('videos/**/*.mp4'))


def test_layout(corpus):
    out, meta = corpus
    assert (out / 'corpus_meta.json').is_file()
    for name in ANNOTATIONS:
        assert (out / 'annotations' / name).is_file(), name
    pages = sorted(
        p.name for p in (out / 'videos').iterdir() if p.name != 'msrvtt')
    assert pages and all(re.fullmatch(r'\d{6}_\d{6}', p) for p in pages)
    pretrain = [p for p in _all_videos(out) if p.parent.name != 'msrvtt']
    assert len(pretrain) == TINY['pretrain']
    assert all(p.stem.isdigit() for p in pretrain)
    msrvtt = sorted(p.stem for p in (out / 'videos' / 'msrvtt').iterdir())
    assert len(msrvtt) == TINY['finetune'] + TINY['test']
    assert all(re.fullmatch(r'video\d+', v) for v in msrvtt)
    assert f'video{7000 + TINY["test"] - 1}' in msrvtt
    assert meta['size'] == 'tiny' and meta['seed'] == 0
    assert meta['counts']['pretrain_videos'] == TINY['pretrain']
    assert meta['counts']['test_videos'] == TINY['test']
    assert json.loads((out / 'corpus_meta.json').read_text()) == meta


def test_webvid_csv_and_jsonl(corpus):
    out, meta = corpus
    header = (out / 'annotations' /
              'webvid_train.csv').read_text(encoding='utf-8').splitlines()[0]
    assert header == 'videoid,contentUrl,duration,page_dir,name'
    rows = _csv(out / 'annotations' / 'webvid_train.csv')[1:]
    assert len(rows) == TINY['pretrain']
    first = {}
    for videoid, url, duration, page_dir, name in rows:
        assert (out / 'videos' / page_dir / f'{videoid}.mp4').is_file()
        assert url.startswith('https://') and videoid in url
        assert duration == 'PT00H00M02S'
        first[f'{page_dir}/{videoid}'] = name
    lines = (out / 'annotations' /
             'pretrain_train.jsonl').read_text(encoding='utf-8').splitlines()
    assert len(lines) == meta['counts']['pretrain_captions']
    assert len(lines) >= 3 * TINY['pretrain']
    seen = {}
    for line in lines:
        item = json.loads(line)
        assert set(item) == {'caption', 'clip_name', 'type'}
        assert item['type'] == 'video'
        seen.setdefault(item['clip_name'], item['caption'])
    # The CSV holds the first of every video's paraphrases.
    assert seen == first


def test_msrvtt_annotations(corpus):
    out, _ = corpus
    ann = _msrvtt(out)
    assert set(ann) == {'info', 'videos', 'sentences'}
    for v in ann['videos']:
        assert set(v) == {
            'category', 'url', 'video_id', 'start time', 'end time', 'split',
            'id'
        }
        assert isinstance(v['category'], int) and isinstance(v['id'], int)
        assert v['video_id'] == f"video{v['id']}"
        assert (out / 'videos' / 'msrvtt' / f"{v['video_id']}.mp4").is_file()
    for s in ann['sentences']:
        assert set(s) == {'caption', 'video_id', 'sen_id'}
    assert [s['sen_id']
            for s in ann['sentences']] == list(range(len(ann['sentences'])))
    split = {v['video_id']: v['split'] for v in ann['videos']}
    assert sorted(set(split.values())) == ['test', 'train']

    train = _csv(out / 'annotations' / 'MSRVTT_train.9k.csv')
    assert train[0] == ['video_id']
    assert sorted(r[0] for r in train[1:]) == sorted(v
                                                     for v, s in split.items()
                                                     if s == 'train')
    per_video = {}
    for s in ann['sentences']:
        per_video.setdefault(s['video_id'], []).append(s['caption'])
    assert all(len(per_video[r[0]]) >= 3 for r in train[1:])

    text = (out / 'annotations' /
            'MSRVTT_JSFUSION_test.csv').read_text(encoding='utf-8')
    assert text.splitlines()[0] == ',key,vid_key,video_id,sentence'
    rows = _csv(out / 'annotations' / 'MSRVTT_JSFUSION_test.csv')[1:]
    assert len(rows) == TINY['test']
    for k, (index, key, vid_key, video_id, sentence) in enumerate(rows):
        assert (index, key) == (str(k), f'ret{k}')
        assert vid_key == 'msr' + video_id[len('video'):]
        assert split[video_id] == 'test'
        assert sentence == per_video[video_id][0]


def test_videos_decode_with_pyav_and_decord(corpus):
    out, meta = corpus
    videos = _all_videos(out)
    assert len(videos) == sum(TINY.values())
    scenes = {
        s['path']: s
        for s in json.loads((out / 'annotations' /
                             'embedded_scenes.json').read_text())
    }
    plan = {f'videos/{r.rel_path}': r for r in plan_corpus('tiny', 0).videos}
    for path in videos:
        frames = _decode_av(path)
        assert frames.shape == (16, 112, 112, 3)
        vr = decord.VideoReader(str(path))
        assert len(vr) == 16
        assert vr[0].shape == (112, 112, 3)
        assert vr.get_avg_fps() == pytest.approx(meta['fps'])
        # decord and PyAV agree on the pixels of a random-access read.
        assert np.abs(
            vr.get_batch([5, 11]).asnumpy().astype(int) -
            frames[[5, 11]]).mean() < 1.0
        rel = path.relative_to(out).as_posix()
        assert rel in scenes
        # The encoding is faithful to what was drawn.
        drawn = render_frames(plan[rel].scene, 112, 112, 16)
        assert np.abs(drawn.astype(int) - frames).mean() < 3.0


def test_held_out_pairs_only_in_test(corpus):
    out, meta = corpus
    held = {tuple(p) for p in meta['held_out_pairs']}
    assert 0.1 < len(held) / 48 < 0.2

    def pairs_in(caption):
        words = tokenize(caption)
        return {
            (c, s)
            for c, s in zip(words, words[1:])
            if WORD_KINDS.get(c) == 'colour' and WORD_KINDS.get(s) == 'shape'
        }

    jsonl = (out / 'annotations' / 'pretrain_train.jsonl').read_text()
    for line in jsonl.splitlines():
        assert not pairs_in(json.loads(line)['caption']) & held
    ann = _msrvtt(out)
    split = {v['video_id']: v['split'] for v in ann['videos']}
    test_pairs = set()
    for s in ann['sentences']:
        found = pairs_in(s['caption']) & held
        if split[s['video_id']] == 'train':
            assert not found
        test_pairs |= found
    assert test_pairs
    # The scene records agree: held-out test videos show their pair.
    for s in json.loads(
        (out / 'annotations' / 'embedded_scenes.json').read_text()):
        pairs = {(o['colour'], o['shape']) for o in s['objects']}
        assert bool(pairs & held) == s['held_out']
        assert s['split'] == 'test' or not s['held_out']
        if s['held_out']:
            assert all((o['colour'], o['shape']) in pairs_in(s['captions'][0])
                       for o in s['objects'])
    # With enough test videos every held-out pair is tested.
    plan = plan_corpus('small', 0)
    tested = {
        r.scene.objects[0].attributes.pair
        for r in plan.test if r.held_out
    }
    assert tested == set(plan.held_out_pairs)


def test_test_captions_identify_their_video(corpus):
    out, _ = corpus
    rows = _csv(out / 'annotations' / 'MSRVTT_JSFUSION_test.csv')[1:]
    sentences = [r[4] for r in rows]
    assert len(set(sentences)) == len(sentences)
    plan = plan_corpus('tiny', 0)
    assert [r.captions[0] for r in plan.test] == sentences
    primaries = [r.scene.objects[0].attributes for r in plan.test]
    assert len(set(primaries)) == len(primaries)
    assert find_ambiguous([r.scene.attributes for r in plan.test]) == []
    # ... and the check does catch a caption that fits two videos.
    a = Attributes('red', 'circle', 'small', 'left', 'fast')
    b = Attributes('blue', 'star', None, 'growing', None)
    assert find_ambiguous([(a, ), (a, b), (b, )]) == [0, 2]


def test_caption_vocabulary(corpus):
    assert SIGNIFICANT_WORDS and FILLER_WORDS
    assert not SIGNIFICANT_WORDS & FILLER_WORDS
    assert set(WORD_KINDS) == SIGNIFICANT_WORDS
    assert set(
        WORD_KINDS.values()) == {'colour', 'shape', 'size', 'motion', 'speed'}
    plan = plan_corpus('small', 0)
    for r in plan.videos:
        for caption in r.captions:
            words = tokenize(caption)
            assert set(words) <= SIGNIFICANT_WORDS | FILLER_WORDS, caption
            assert caption_length(caption) <= MAX_CAPTION_LENGTH
            for a in r.scene.attributes:  # every object is named
                assert a.colour in words and a.shape in words
    templates = {
        ' '.join(w for w in tokenize(c) if w in FILLER_WORDS)
        for r in plan.videos
        for c in r.captions
    }
    assert len(templates) >= 15


def test_deterministic(corpus, tmp_path):
    out, meta = corpus
    # A different worker count must not change anything.
    meta2 = generate_corpus(str(tmp_path), size='tiny', seed=0, workers=2)
    assert meta2 == meta
    for name in ANNOTATIONS:
        assert (out / 'annotations' /
                name).read_bytes() == (tmp_path / 'annotations' /
                                       name).read_bytes(), name
    videos = _all_videos(out)
    assert [p.relative_to(out) for p in videos
            ] == [p.relative_to(tmp_path) for p in _all_videos(tmp_path)]
    for path in videos:
        np.testing.assert_array_equal(
            _decode_av(path), _decode_av(tmp_path / path.relative_to(out)))
    # Another seed is another corpus.
    other = plan_corpus('tiny', 1)
    assert [r.captions for r in other.pretrain
            ] != [r.captions for r in plan_corpus('tiny', 0).pretrain]


def _cli():
    path = ROOT / 'tools' / 'data' / 'embedded' / 'generate.py'
    spec = importlib.util.spec_from_file_location('embedded_cli', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rerun_is_a_no_op(corpus, capsys):
    out, meta = corpus
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob('*')}
    assert _cli().main(['--out', str(out), '--size', 'tiny']) == 0
    assert 'corpus up to date' in capsys.readouterr().out
    assert generate_corpus(str(out), size='tiny', seed=0) == meta
    assert {p: p.stat().st_mtime_ns for p in out.rglob('*')} == stamps
    # Other settings, or a missing file, make it stale.
    assert check_corpus(str(out), 'tiny', 0) == meta
    assert check_corpus(str(out), 'tiny', 1) is None
    assert check_corpus(str(out), 'small', 0) is None
    assert check_corpus(str(out), 'tiny', 0, resolution=64) is None
    video = _all_videos(out)[0]
    video.rename(video.with_suffix('.bak'))
    try:
        assert check_corpus(str(out), 'tiny', 0) is None
    finally:
        video.with_suffix('.bak').rename(video)


def test_cli_generates_and_reports(tmp_path, capsys):
    out = tmp_path / 'corpus'
    assert _cli().main([
        '--out',
        str(out), '--size', 'tiny', '--workers', '1', '--resolution', '64',
        '--frames', '8'
    ]) == 0
    text = capsys.readouterr()
    assert 'done in' in text.out and 'held-out' in text.out
    assert 'qa_test.json' in text.out and 'mc_test.json' in text.out
    meta = json.loads((out / 'corpus_meta.json').read_text())
    assert (meta['width'], meta['num_frames']) == (64, 8)
    frames = _decode_av(_all_videos(out)[0])
    assert frames.shape == (8, 64, 64, 3)
    # --force regenerates the same corpus.
    assert _cli().main([
        '--out',
        str(out), '--size', 'tiny', '--workers', '1', '--resolution', '64',
        '--frames', '8', '--force'
    ]) == 0
    assert 'done in' in capsys.readouterr().out


def test_sizes():
    assert set(CORPUS_SIZES) == {'tiny', 'small', 'default', 'large'}
    totals = [
        sum(CORPUS_SIZES[s].values())
        for s in ('tiny', 'small', 'default', 'large')
    ]
    assert totals == sorted(totals)
    with pytest.raises(KeyError):
        plan_corpus('huge', 0)
    with pytest.raises(ValueError):
        generate_corpus('unused', size='tiny', resolution=111)


# --------------------------------------------------------------------------
# QA and MC splits
# --------------------------------------------------------------------------
def _scenes(out):
    return {
        s['video_id']: s
        for s in json.loads((out / 'annotations' /
                             'embedded_scenes.json').read_text())
        if s['split'] != 'pretrain'
    }


def _build(out, type, ann_file, **kwargs):
    init_default_scope('snps3')
    ds = DATASETS.build(
        dict(
            type=type,
            data_root=str(out),
            ann_file=ann_file,
            video_dir='videos/msrvtt',
            pipeline=[],
            **kwargs))
    return [ds.get_data_info(i) for i in range(len(ds))]


def _referents(question, objects):
    """The scene objects that fit what a question says about its object."""
    words = tokenize(question)
    said = {
        WORD_KINDS[w]: w
        for w in words if WORD_KINDS.get(w) in ('colour', 'shape')
    }
    motion = [
        m for m, phrase in questions.MOTION_REFS.items()
        if f'is {phrase}' in question
    ]
    return [
        o for o in objects
        if all(o[k] == v for k, v in said.items()) and all(o['motion'] == m
                                                           for m in motion)
    ]


@pytest.mark.parametrize('split', ['train', 'test'])
def test_qa_split_loads_and_answers_from_the_scenes(corpus, split):
    out, meta = corpus
    scenes = _scenes(out)
    kwargs = dict(
        test_mode=True,
        train_ann_file='annotations/qa_train.json') if split == 'test' else {}
    rows = _build(out, 'VideoQADataset', f'annotations/qa_{split}.json',
                  **kwargs)
    assert len(rows) == meta['counts'][f'qa_{split}_questions']
    want = 'finetune' if split == 'train' else 'test'
    videos = {v for v, s in scenes.items() if s['split'] == want}
    # Every video of the split is asked about, and only those.
    assert {r['video_id'] for r in rows} == videos
    assert all(osp.isfile(r['video_path']) for r in rows)
    assert {r['question_type'] for r in rows} == set(questions.QA_TYPES)
    assert len({r['question'] for r in rows}) > len(rows) // 3
    for r in rows:
        objects = scenes[r['video_id']]['objects']
        kind, answer = r['question_type'], r['answer']
        assert len(answer.split()) == 1
        if kind == 'count':
            assert answer == questions.COUNT_WORDS[len(objects)]
            continue
        # The question singles out one object, whose attribute it asks.
        fit = _referents(r['question'], objects)
        assert len(fit) == 1, r
        assert fit[0][kind] == answer, r
        # ... and does not give the answer away.
        assert answer not in tokenize(r['question']), r
    if split == 'train':
        # Fine-tuning questions are learnable: every label is a class.
        assert all(r['answer_label'] >= 0 for r in rows)
        held = {tuple(p) for p in meta['held_out_pairs']}
        for r in rows:
            words = tokenize(r['question'])
            assert not set(zip(words, words[1:])) & held


def test_mc_split_loads_with_one_word_false_distractors(corpus):
    out, _ = corpus
    scenes = _scenes(out)
    rows = _build(
        out, 'MSRVTTMCDataset', 'annotations/mc_test.json', test_mode=True)
    test_ids = [v for v, s in scenes.items() if s['split'] == 'test']
    assert [r['video_id'] for r in rows] == test_ids
    kinds = set()
    for r in rows:
        scene = scenes[r['video_id']]
        objects = [Attributes(**o) for o in scene['objects']]
        truth = r['options'][r['answer']]
        assert truth == scene['captions'][0]
        assert questions.fits(truth, objects)
        assert len(set(r['options'])) == 5
        for k, option in enumerate(r['options']):
            if k == r['answer']:
                continue
            a, b = tokenize(truth), tokenize(option)
            diff = [(x, y) for x, y in zip(a, b) if x != y]
            assert len(a) == len(b) and len(diff) == 1, (truth, option)
            (x, y), = diff
            assert WORD_KINDS.get(x) and WORD_KINDS.get(y), (x, y)
            kinds.add(WORD_KINDS[x])
            # Only the word changed: the punctuation is kept.
            assert re.sub('[a-z]+', '', truth) == re.sub('[a-z]+', '', option)
            assert not questions.fits(option, objects), option
    assert len(kinds) >= 4


def test_caption_parser_recovers_every_scene():
    # describe() decides which distractors are false; it must read every
    # caption the generator writes back into its scene.
    plan = plan_corpus('small', 0)
    for r in plan.videos:
        for c in r.captions:
            assert questions.fits(c, r.scene.attributes), c
    a = Attributes('red', 'circle', 'small', 'left', 'fast')
    assert questions.describe('a small red circle moving left fast') == [a]
    assert not questions.fits('a small red circle moving right fast', [a])


def test_mc_answers_balanced_and_distractors_vary():
    plan = plan_corpus('small', 0)
    rows = mc_rows(0, plan.test)
    counts = np.bincount([r['answer'] for r in rows], minlength=5)
    assert counts.max() - counts.min() <= 1
    assert rows == mc_rows(0, plan.test)
    assert rows != mc_rows(1, plan_corpus('small', 1).test)
    # Class balance of the QA answers: no answer dominates its type.
    qa = qa_rows(0, plan.finetune)
    for kind in ('colour', 'shape', 'motion'):
        answers = [r['answer'] for r in qa if r['answer_type'] == kind]
        top = max(answers.count(a) for a in set(answers))
        assert len(set(answers)) >= 5 and top < 0.35 * len(answers), kind
