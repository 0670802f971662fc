# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Smoke tests of tools/analysis_tools/mine_significant_words.py."""
import csv
import importlib.util
import json

import pytest
from snps3_test_helpers import REPO, run_tool

from snps3.significance import load_vocabulary

TOOL = REPO / 'tools' / 'analysis_tools' / 'mine_significant_words.py'
CAPTIONS = [
    'a red ball rolls on the grass', 'the dog runs after a red ball',
    'a dog is running in the park', 'two dogs ran across the street'
]


@pytest.fixture(scope='module')
def tool():
    spec = importlib.util.spec_from_file_location('mine_tool', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_jsonl(path):
    with open(path, 'w') as f:
        for i, c in enumerate(CAPTIONS):
            f.write(json.dumps(dict(caption=c, clip_name=f'v{i}')) + '\n')
    return path


def write_webvid(path, column='name'):
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(
            ['videoid', 'contentUrl', 'duration', 'page_dir', column])
        for i, c in enumerate(CAPTIONS):
            writer.writerow([i, f'http://x/{i}.mp4', 'PT00H00M05S', 'p', c])
    return path


def test_jsonl_pos(tool, tmp_path, capsys):
    ann = write_jsonl(tmp_path / 'ann.jsonl')
    out = tmp_path / 'vocab' / 'words.json'
    tool.main([str(ann), '--out', str(out), '--no-progress'])
    printed = capsys.readouterr().out
    assert '4 captions' in printed and 'ball' in printed
    data = json.loads(out.read_text())
    assert data['scorer'] == 'pos' and data['num_captions'] == 4
    words = {w['word']: w for w in data['words']}
    assert words['ball']['count'] == 2 and words['ball']['pos'] == 'NOUN'
    assert 'the' not in words and 'is' not in words
    assert {'runs', 'running', 'ran'} <= set(data['lemmas']['run'])
    assert len(load_vocabulary(str(out))) == len(words)


def test_webvid_and_msrvtt_idf_top_k(tool, tmp_path):
    csv_file = write_webvid(tmp_path / 'webvid.csv')
    msrvtt = tmp_path / 'MSRVTT_data.json'
    msrvtt.write_text(
        json.dumps(
            dict(
                videos=[], sentences=[dict(caption='a red car',
                                           video_id='v')])))
    out = tmp_path / 'idf.json'
    tool.main([
        str(csv_file),
        str(msrvtt), '--out',
        str(out), '--scorer', 'idf', '--top-k', '3', '--no-progress'
    ])
    data = json.loads(out.read_text())
    assert data['num_captions'] == 5 and data['scorer'] == 'idf'
    # "red" is in 3 of the 5 captions, more than the IDF band's half; ties
    # in count are ranked alphabetically.
    assert [w['word'] for w in data['words']] == ['ball', 'dog', 'car']


def test_csv_without_caption_column_fails_clearly(tmp_path):
    csv_file = write_webvid(tmp_path / 'bad.csv', column='caption')
    result = run_tool([
        TOOL, csv_file, '--out', tmp_path / 'x.json', '--scorer', 'idf',
        '--no-progress'
    ],
                      check=False)
    assert result.returncode == 2
    assert "no 'name' column" in result.stderr
    assert not (tmp_path / 'x.json').exists()
