# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""demo/retrieve.py as a user runs it."""
import json
import shutil

import pytest
from PIL import Image
from snps3_test_helpers import run_tool

from snps3.apis.contact_sheet import PAD, TITLE_HEIGHT

# One worker trains the session's retrieval model for all of its users.
pytestmark = pytest.mark.xdist_group('retrieval_run')


def test_search_a_folder_twice(retrieval_run, tmp_path):
    gallery = tmp_path / 'my videos'  # a space, as users' folders have
    shutil.copytree(retrieval_run['gallery'], gallery / 'holiday')
    (gallery / 'broken.mp4').write_text('not a video')
    target = retrieval_run['test_videos'][0]
    queries = [
        retrieval_run['held_out'][target],
        retrieval_run['held_out'][retrieval_run['test_videos'][1]]
    ]
    cache, out, sheet = (tmp_path / 'cache.pth', tmp_path / 'hits.json',
                         tmp_path / 'hits.png')
    args = [
        'demo/retrieve.py', retrieval_run['config'],
        retrieval_run['checkpoint'], '--gallery', gallery, '--query',
        queries[0], '--query', queries[1], '--topk', '5', '--cache', cache,
        '--out', out, '--sheet', sheet
    ]
    first = run_tool(args)
    assert '17/17' in first.stdout  # the progress bar (16 videos, 1 broken)
    assert '16 files indexed (16 encoded, 0 from the cache' in first.stdout
    assert 'broken.mp4' in first.stdout and 'skipped' in first.stdout
    # The ranked table; top 5, as the inferencer's held-out check.
    assert f'holiday/{target}.mp4' in first.stdout
    result = json.loads(out.read_text())
    assert result['device'] in ('cpu', 'cuda')
    assert [r['query'] for r in result['results']] == queries
    assert all(len(r['hits']) == 5 for r in result['results'])
    assert target in [
        h['path'].rsplit('/', 1)[-1][:-4] for h in result['results'][0]['hits']
    ]
    assert [f['path'].rsplit('/', 1)[-1]
            for f in result['index']['failed']] == ['broken.mp4']
    with Image.open(sheet) as image:
        image.verify()
    with Image.open(sheet) as image:
        # Two queries with five hits each: two title bands, ten rows.
        assert image.height == 2 * TITLE_HEIGHT + 10 * (96 + 2 * PAD)

    # Second run: one file more, one fewer; only the new one is encoded.
    shutil.copy(retrieval_run['gallery'] / 'video0.mp4', gallery / 'new.mp4')
    (gallery / 'holiday' / 'video1.mp4').unlink()
    second = run_tool(args[:-4])
    assert ('16 files indexed (1 encoded, 15 from the cache, 1 dropped, '
            '1 unreadable)') in second.stdout


def test_bad_gallery_is_a_clear_error(retrieval_run, tmp_path):
    result = run_tool([
        'demo/retrieve.py', retrieval_run['config'],
        retrieval_run['checkpoint'], '--gallery', tmp_path / 'nowhere',
        '--query', 'a red circle'
    ],
                      check=False)
    assert result.returncode == 2
    assert "gallery folder" in result.stderr and 'nowhere' in result.stderr
