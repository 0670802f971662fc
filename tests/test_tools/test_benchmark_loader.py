# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import json

from snps3_test_helpers import TINY_CONFIG, run_tool

TOOL = 'tools/analysis_tools/benchmark_loader.py'


def test_benchmark_loader_table_and_json(tiny_corpus, tmp_path):
    out = tmp_path / 'bench.json'
    result = run_tool([
        TOOL, TINY_CONFIG, '--backends', 'decord', 'pyav', '--workers', '0',
        '--batches', '2', '--warmup', '1', '--repeats', '2', '--out', out,
        '--cfg-options', f'train_dataloader.dataset.data_root={tiny_corpus}'
    ])
    assert 'hardware: ' in result.stdout and 'usable cores' in result.stdout
    assert 'date: ' in result.stdout
    assert '| backend | workers | batches | videos/s |' in result.stdout
    assert 'videos/s range |' in result.stdout  # shown with --repeats
    rows = [
        line for line in result.stdout.splitlines()
        if line.startswith(('| decord |', '| pyav |'))
    ]
    assert len(rows) == 2

    report = json.loads(out.read_text())
    assert report['hardware']['usable_cores'] >= 1
    assert report['batch_size'] == 4 and report['repeats'] == 2
    assert [(r['backend'], r['workers'])
            for r in report['results']] == [('decord', 0), ('pyav', 0)]
    for r in report['results']:
        # 2 batches of 4 clips of 2 frames (the tiny config's pipeline).
        assert (r['videos'], r['frames']) == (8, 16)
        assert r['videos_per_s'] > 0 and r['frames_per_s'] > 0
        # The reported figures are those of the median (lower) run.
        speeds = sorted(run['videos_per_s'] for run in r['runs'])
        assert len(speeds) == 2 and r['videos_per_s'] == speeds[0]
        assert (r['videos_per_s_min'], r['videos_per_s_max']) == tuple(speeds)


def test_benchmark_loader_needs_a_decode_step(tmp_path):
    config = tmp_path / 'no_decode.py'
    config.write_text(f"_base_ = ['{TINY_CONFIG}']\n"
                      "train_dataloader = dict(dataset=dict(pipeline=[]))\n")
    result = run_tool([TOOL, config, '--batches', '1'], check=False)
    assert result.returncode == 2
    assert 'no DecodeVideo step' in result.stderr
