# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""The ablation command: runs, tabulates mean ± std, resumes."""
import json
import re

from snps3_test_helpers import TINY_CONFIG, data_root_options, run_tool

TOOL = 'tools/analysis_tools/run_ablation.py'
METRIC = 'retrieval/t2v/R@1'

# Four to five processes each; generous for a machine shared with others.
TIMEOUT = 1200


def _args(work_dir, corpus, *extra):
    # Validation is switched off in training runs, so no val data root.
    roots = [
        o for o in data_root_options(corpus)
        if not o.startswith('val_dataloader')
    ]
    return [
        TOOL, '--rows', f'tiny={TINY_CONFIG}', '--steps', 'zero-shot=pretrain',
        '--seeds', '0', '1', '--iters', '1', '--work-dir', work_dir,
        '--metrics', f'zero-shot:{METRIC}', '--cfg-options', *roots, *extra
    ]


def test_runs_tabulates_and_resumes(tmp_path, tiny_corpus):
    work = tmp_path / 'ablation'
    out = run_tool(_args(work, tiny_corpus), timeout=TIMEOUT).stdout
    assert '[1/2] tiny, seed 0' in out and '[2/2] tiny, seed 1' in out
    assert 'ETA' in out
    for seed in (0, 1):
        run = work / 'tiny' / f'seed{seed}'
        # Each seed pre-trained for the budget with its own seed ...
        assert (run / 'iter_1.pth').is_file()
        done = json.loads((run / 'done.json').read_text())
        assert f'randomness.seed={seed}' in done['command']
        assert 'train_cfg.max_iters=1' in done['command']
        # ... and was evaluated from that checkpoint by tools/test.py.
        result = json.loads((run / 'zero-shot' / 'results.json').read_text())
        assert result['checkpoint'].endswith(f'seed{seed}/iter_1.pth')
        assert METRIC in result['metrics']

    summary = json.loads((work / 'results.json').read_text())
    cell = summary['rows']['tiny']['metrics'][f'zero-shot: {METRIC}']
    assert cell['seeds'] == [0, 1] and len(cell['values']) == 2
    mean = sum(cell['values']) / 2
    assert abs(cell['mean'] - mean) < 1e-9
    assert abs(cell['std'] -
               abs(cell['values'][0] - cell['values'][1]) / 2**0.5) < 1e-9
    assert summary['params']['tiny'] > 0
    assert all(summary['seconds']['tiny'][s] > 0 for s in ('0', '1'))
    table = (work / 'results.md').read_text()
    assert f'| experiment | params | zero-shot: {METRIC} |' in table
    assert re.search(r'\| tiny \| \d+\.\d\dM \| \d+\.\d\d ± \d+\.\d\d \|',
                     table), table

    # Run again: nothing is redone.
    stamps = {
        p: p.stat().st_mtime_ns
        for p in (work / 'tiny').rglob('*') if p.is_file()
    }
    out = run_tool(_args(work, tiny_corpus), timeout=TIMEOUT).stdout
    assert out.count('done, skipped') == 4
    assert {
        p: p.stat().st_mtime_ns
        for p in (work / 'tiny').rglob('*') if p.is_file()
    } == stamps
    # A missing result is made again, from the existing checkpoint.
    (work / 'tiny' / 'seed1' / 'zero-shot' / 'results.json').unlink()
    out = run_tool(_args(work, tiny_corpus), timeout=TIMEOUT).stdout
    assert out.count('done, skipped') == 3
    assert (work / 'tiny' / 'seed1' / 'iter_1.pth').stat().st_mtime_ns == \
        stamps[work / 'tiny' / 'seed1' / 'iter_1.pth']
    assert (work / 'tiny' / 'seed1' / 'zero-shot' / 'results.json').is_file()


def test_dry_run_chains_fine_tuning_checkpoints(tmp_path):
    work = tmp_path / 'ablation'
    out = run_tool([
        TOOL, '--dry-run', '--rows', f'tiny={TINY_CONFIG}', '--steps',
        'zero-shot=pretrain', f'ft={TINY_CONFIG}:train',
        f'mc={TINY_CONFIG}:from=ft', '--seeds', '3', '--iters', '5',
        '--ft-iters', '2', '--work-dir', work
    ]).stdout
    lines = {
        line.split(':')[0].strip(): line
        for line in out.splitlines() if line.startswith('  ')
    }
    run = f'{work}/tiny/seed3'
    assert 'randomness.seed=3' in lines['pretrain']
    assert 'train_cfg.max_iters=5' in lines['pretrain']
    # The warm-up of the tiny schedule (6 iterations) is scaled with it.
    assert 'param_scheduler.0.end=5' in lines['pretrain']
    assert f'{run}/iter_5.pth' in lines['zero-shot']
    assert 'tools/test.py' in lines['zero-shot']
    assert 'tools/train.py' in lines['ft (fine-tune)']
    assert f'model.init_from.checkpoint={run}/iter_5.pth' in \
        lines['ft (fine-tune)']
    assert 'train_cfg.max_iters=2' in lines['ft (fine-tune)']
    assert f'{run}/ft/iter_2.pth' in lines['ft']
    assert f'{run}/ft/iter_2.pth' in lines['mc']
    assert not work.exists()  # a dry run writes nothing


def test_bad_plans_are_named(tmp_path):
    bad = run_tool([
        TOOL, '--dry-run', '--rows', f'tiny={TINY_CONFIG}', '--steps',
        'mc=pretrain:from=ft'
    ],
                   check=False)
    assert bad.returncode == 2
    assert "'ft', which is not an earlier step with :train" in bad.stderr
    bad = run_tool([TOOL, '--dry-run', '--rows', 'x=missing.py'], check=False)
    assert bad.returncode == 2 and "'missing.py' does not exist" in bad.stderr
