# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""VideoTextRetrievalInferencer on a small trained model and real files."""
import os
import shutil
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
import torch
from snps3_retrieval_helpers import FOREIGN_VIDEOS, write_foreign_videos
from snps3_test_helpers import derived_config

from snps3.apis import VideoTextRetrievalInferencer
from snps3.apis.gallery import FeatureCache, resolve_gallery
from snps3.apis.retrieval_inferencer import resolve_model_files
from snps3.utils.errors import DataError

# One worker trains the session's retrieval model for all of its users.
pytestmark = pytest.mark.xdist_group('retrieval_run')


@pytest.fixture(scope='module')
def inferencer(retrieval_run):
    return VideoTextRetrievalInferencer(str(retrieval_run['work_dir']))


@contextmanager
def count_encoded_clips(inferencer):
    """Clips that go through the video encoder (the backbone) meanwhile."""
    counter = [0]

    def hook(module, args, output):
        counter[0] += args[0].shape[0]

    handle = inferencer.model.backbone.register_forward_hook(hook)
    try:
        yield counter
    finally:
        handle.remove()


def _name(path):
    return Path(path).stem


def _copy_videos(src, dst, video_ids):
    dst.mkdir(parents=True, exist_ok=True)
    for video_id in video_ids:
        shutil.copy(src / f'{video_id}.mp4', dst / f'{video_id}.mp4')


def test_held_out_caption_finds_its_video(inferencer, retrieval_run, tmp_path):
    report = inferencer.index(retrieval_run['gallery'])
    assert len(report.indexed) == 16 and not report.failed
    tests = retrieval_run['test_videos']
    results = inferencer.search([retrieval_run['held_out'][v] for v in tests],
                                topk=16)
    ranks = []
    for video_id, result in zip(tests, results):
        names = [_name(hit['path']) for hit in result['hits']]
        ranks.append(names.index(video_id) + 1)
    print(f'tools/train.py took {retrieval_run["seconds"]:.1f} s; ranks of '
          f'the 8 test videos among 16 for their held-out captions: {ranks}')
    # The check: a held-out caption finds its video in the top 5.
    assert ranks[0] <= 5
    # Not luck: by chance 5/16 of them would be in the top 5, and the mean
    # rank would be 8.5.
    assert sum(rank <= 5 for rank in ranks) >= 7
    assert np.mean(ranks) <= 4
    hit = results[0]['hits'][0]
    assert set(hit) == {'rank', 'index', 'path', 'score', 'dual_score'}
    assert [h['rank'] for h in results[0]['hits']] == list(range(1, 17))
    scores = [h['score'] for h in results[0]['hits']]
    assert scores == sorted(scores, reverse=True)


def test_second_run_reuses_the_cache(retrieval_run, tmp_path):
    cache = tmp_path / 'gallery.pth'
    query = retrieval_run['held_out'][retrieval_run['test_videos'][0]]
    runs = []
    for _ in range(2):  # two inferencers, as two runs of the demo would be
        inferencer = VideoTextRetrievalInferencer(
            str(retrieval_run['config']), str(retrieval_run['checkpoint']))
        with count_encoded_clips(inferencer) as encoded:
            start = time.perf_counter()
            report = inferencer.index(retrieval_run['gallery'], cache=cache)
            seconds = time.perf_counter() - start
        runs.append((report, encoded[0], inferencer.search(query, topk=16)))
        print(f'index run {len(runs)}: {report.summary()}; '
              f'{encoded[0]} clips encoded; {seconds:.2f} s')
    (first, first_calls, first_hits), (second, second_calls,
                                       second_hits) = runs
    assert first_calls == 16 and len(first.encoded) == 16
    assert second_calls == 0 and second.encoded == []
    assert sorted(second.reused) == sorted(first.encoded)
    assert first_hits == second_hits


def test_grown_and_shrunk_folder_updates_the_index(inferencer, retrieval_run,
                                                   tmp_path):
    src, gallery = retrieval_run['gallery'], tmp_path / 'gallery'
    cache = tmp_path / 'cache.pth'
    _copy_videos(src, gallery / 'a', ['video7000', 'video7001', 'video7002'])
    _copy_videos(src, gallery / 'b', ['video7003', 'video7004'])
    with count_encoded_clips(inferencer) as encoded:
        report = inferencer.index(gallery, cache=cache)
    assert encoded[0] == 5 and len(report.indexed) == 5

    # Grow (one more, in a new sub-folder), shrink (one gone), and change
    # one file (same name, other content: a stale feature must not stay).
    _copy_videos(src, gallery / 'c' / 'deeper', ['video7005'])
    (gallery / 'a' / 'video7001.mp4').unlink()
    changed = gallery / 'b' / 'video7003.mp4'
    shutil.copy(src / 'video7006.mp4', changed)
    os.utime(changed, ns=(time.time_ns(), time.time_ns() + 10**9))
    with count_encoded_clips(inferencer) as encoded:
        report = inferencer.index(gallery, cache=cache)
    assert encoded[0] == 2
    assert sorted(map(_name, report.encoded)) == ['video7003', 'video7005']
    assert [_name(p) for p in report.dropped] == ['video7001']
    assert sorted(map(
        _name, report.reused)) == ['video7000', 'video7002', 'video7004']
    assert sorted(map(_name, inferencer.gallery)) == [
        'video7000', 'video7002', 'video7003', 'video7004', 'video7005'
    ]
    stored = FeatureCache.load(str(cache), inferencer.fingerprint)
    assert sorted(stored.entries) == sorted(inferencer.gallery)

    # The changed file has the features of its new content (video7006's),
    # not the stale ones of video7003. (Close, not equal: batches of
    # another size round differently.)
    def encode(path):
        return inferencer._encode_clips(resolve_gallery(
            str(path))[0])[str(path)]['video_feat']

    stored_feat = stored.entries[str(changed)]['video_feat']
    assert torch.allclose(stored_feat, encode(changed), atol=1e-5)
    assert not torch.allclose(
        stored_feat, encode(src / 'video7003.mp4'), atol=1e-3)
    hits = inferencer.search('anything at all', topk=10)['hits']
    assert 'video7001' not in {_name(h['path']) for h in hits}


def test_unreadable_files_are_reported_and_skipped(inferencer, retrieval_run,
                                                   tmp_path):
    gallery, cache = tmp_path / 'gallery', tmp_path / 'cache.pth'
    _copy_videos(retrieval_run['gallery'], gallery, ['video7000', 'video7001'])
    good = (gallery / 'video7000.mp4').read_bytes()
    (gallery / 'text.mp4').write_text('not a video')
    (gallery / 'empty.mov').write_bytes(b'')
    (gallery / 'truncated.mp4').write_bytes(good[:200])
    (gallery / 'broken.jpg').write_bytes(b'\xff\xd8\xff garbage')
    (gallery / 'notes.txt').write_text('not media: not even listed')
    bad = {'text.mp4', 'empty.mov', 'truncated.mp4', 'broken.jpg'}
    for _ in range(2):
        with count_encoded_clips(inferencer) as encoded:
            report = inferencer.index(gallery, cache=cache)
        assert {Path(p).name for p, _ in report.failed} == bad
        assert all(reason for _, reason in report.failed)
        assert sorted(map(_name, report.indexed)) == ['video7000', 'video7001']
    assert encoded[0] == 0  # second run: broken files are not retried
    reasons = dict((Path(p).name, r) for p, r in report.failed)
    assert 'empty' in reasons['empty.mov']
    # A missing file in a list of paths is reported too.
    report = inferencer.index(
        [gallery / 'video7000.mp4', gallery / 'missing.mp4'])
    assert report.failed == [(str(gallery / 'missing.mp4'), 'file not found')]
    assert len(report.indexed) == 1


def test_videos_from_other_encoders_index_and_decode(inferencer, tmp_path):
    paths = write_foreign_videos(tmp_path / 'foreign')
    report = inferencer.index(tmp_path / 'foreign')
    assert report.failed == []
    assert sorted(report.indexed) == sorted(paths)
    assert len(paths) == len(FOREIGN_VIDEOS) + 2
    for path in paths:
        feat = inferencer._cache.entries[path]['video_feat']
        assert feat.shape[0] == 2 and torch.isfinite(feat).all(), path
    hits = inferencer.search('a yellow bar', topk=len(paths))['hits']
    assert sorted(h['path'] for h in hits) == sorted(paths)


def test_video_query_ranks_captions(inferencer, retrieval_run):
    tests = retrieval_run['test_videos']
    captions = [retrieval_run['held_out'][v] for v in tests]
    video = retrieval_run['gallery'] / f'{tests[0]}.mp4'
    result = inferencer.caption(video, captions, topk=5)
    assert result['error'] is None
    assert [h['rank'] for h in result['hits']] == [1, 2, 3, 4, 5]
    assert 0 in [h['index'] for h in result['hits']]
    assert all(h['caption'] == captions[h['index']] for h in result['hits'])
    # An unreadable query video is answered with its error, not raised.
    missing = inferencer.caption(['/no/such/video.mp4', video], captions)
    assert 'not found' in missing[0]['error'] and missing[0]['hits'] == []
    assert missing[1]['error'] is None


def test_dataset_config_gallery(tiny_corpus):
    items, problems = resolve_gallery(
        dict(
            type='MSRVTTRetrievalDataset',
            data_root=str(tiny_corpus),
            ann_file='annotations/MSRVTT_data.json',
            split_file='annotations/MSRVTT_JSFUSION_test.csv',
            video_dir='videos/msrvtt'))
    assert problems == []
    assert [_name(i.path) for i in items] == [f'video700{i}' for i in range(8)]
    assert all(len(i.captions) == 1 and not i.is_image for i in items)


def test_rerank_at_gallery_size_is_the_fusion_ranking(tmp_path, tiny_corpus):
    config = derived_config(
        tmp_path,
        textwrap.dedent('''
        model = dict(heads=dict(xm=dict(type='CrossMatchingHead',
                                        hidden_size=None)))
        test_cfg = dict(scoring=dict(mode='rerank', k=4, head='xm',
                                     dual_weight=2.0))
        '''))
    # The fusion score alone first; the config's dual weight below.
    inferencer = VideoTextRetrievalInferencer(str(config), dual_weight=0.0)
    assert inferencer.rerank_head == 'xm'
    report = inferencer.index(tiny_corpus / 'videos' / 'msrvtt')
    count = len(report.indexed)
    query = 'a small red circle moving left'
    full = inferencer.search(query, topk=count, rerank=count)
    assert full['reranked']
    # The exhaustive ranking, computed here pair by pair.
    texts = inferencer.encode_texts([query])
    with torch.no_grad():
        fused = inferencer.model.pair_scores(
            texts['input_ids'].expand(count, -1),
            texts['attention_mask'].expand(count, -1),
            inferencer._frame_tokens, 'xm').numpy()
    # Random weights leave near-ties, whose order batched and one-by-one
    # fusion passes may swap: compare each hit's score with its own pair's,
    # and check that the hits come in the order of those scores.
    by_path = dict(zip(inferencer.gallery, fused))
    hits = full['hits']
    assert sorted(h['path'] for h in hits) == sorted(inferencer.gallery)
    np.testing.assert_allclose([h['fusion_score'] for h in hits],
                               [by_path[h['path']] for h in hits],
                               rtol=1e-5,
                               atol=1e-6)
    scores = np.array([h['fusion_score'] for h in hits])
    assert (np.diff(scores) <= 0).all()

    dual = inferencer.search(query, topk=count)['hits']
    partial = inferencer.search(query, topk=count, rerank=3)['hits']
    top3 = {h['path'] for h in dual[:3]}
    assert {h['path'] for h in partial[:3]} == top3
    assert all('fusion_score' in h for h in partial[:3])
    assert all('fusion_score' not in h for h in partial[3:])
    assert [h['path'] for h in partial[3:]] == [h['path'] for h in dual[3:]]

    inferencer.dual_weight = VideoTextRetrievalInferencer(
        str(config)).dual_weight
    assert inferencer.dual_weight == 2.0
    hits = inferencer.search(query, topk=count, rerank=count)['hits']
    scores = np.array([h['score'] for h in hits])
    np.testing.assert_allclose(
        scores, [h['fusion_score'] + 2.0 * h['dual_score'] for h in hits])
    assert (np.diff(scores) <= 0).all()


def test_rerank_without_a_matching_head_keeps_the_dual_ranking(
        inferencer, retrieval_run):
    inferencer.index(retrieval_run['gallery'])
    query = retrieval_run['held_out'][retrieval_run['test_videos'][1]]
    assert inferencer.rerank_head is None
    result = inferencer.search(query, topk=3, rerank=5)
    assert not result['reranked']
    assert result == dict(inferencer.search(query, topk=3), reranked=False)


def test_empty_query_is_an_error(inferencer, retrieval_run):
    inferencer.index(retrieval_run['gallery'])
    with pytest.raises(DataError, match='is empty'):
        inferencer.search(['a red circle', '   '])


def test_work_dir_and_a_checkpoint_that_does_not_fit(retrieval_run, tmp_path):
    cfg, checkpoint = resolve_model_files(str(retrieval_run['work_dir']), None)
    assert Path(checkpoint) == retrieval_run['checkpoint']
    assert cfg.model.heads.mlm is None
    wider = derived_config(
        tmp_path,
        textwrap.dedent('''
        model = dict(heads=dict(
            xm=dict(type='CrossMatchingHead', hidden_size=None)))
        '''))
    with pytest.raises(DataError, match='does not fit'):
        VideoTextRetrievalInferencer(
            str(wider), str(retrieval_run['checkpoint']))
