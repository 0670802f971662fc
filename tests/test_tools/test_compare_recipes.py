# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""The recipe comparison: timing, equal-seconds budgets, one table."""
import importlib.util
import json
import sys

import pytest
from snps3_test_helpers import REPO, TINY_CONFIG, data_root_options

TOOL = REPO / 'tools' / 'analysis_tools' / 'compare_recipes.py'
METRIC = 'retrieval/t2v/R@1'


@pytest.fixture
def tool():
    sys.path.insert(0, str(TOOL.parent))
    spec = importlib.util.spec_from_file_location('compare_recipes', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    sys.path.remove(str(TOOL.parent))


def test_budgets_give_every_recipe_the_reference_seconds(tool):
    recipes = [tool.Recipe(n, 'x.py', ()) for n in ('ref', 'slow', 'fast')]
    speed = dict(ref=2.0, slow=3.0, fast=0.5)
    assert tool.budgets(recipes, speed, 30) == dict(ref=30, slow=20, fast=120)
    # A recipe slower than the whole budget still gets an iteration.
    assert tool.budgets(recipes, dict(ref=1.0, slow=99.0, fast=1.0),
                        2)['slow'] == 1


def test_iteration_times_read_training_records_only(tmp_path, tool):
    vis = tmp_path / 'run' / '20260101_000000' / 'vis_data'
    vis.mkdir(parents=True)
    records = [
        dict(iter=1, time=3.0, loss=1.0),
        dict(iter=2, time=2.0, loss=0.9),
        dict(step=2, **{'retrieval/t2v/R@1': 5.0}),  # a test record
    ]
    (vis / 'scalars.json').write_text(''.join(
        json.dumps(r) + '\n' for r in records))
    assert tool.iteration_times(str(tmp_path / 'run')) == [3.0, 2.0]


def test_times_runs_and_tabulates_two_recipes(tmp_path, tiny_corpus, tool,
                                              capsys):
    roots = [
        o for o in data_root_options(tiny_corpus)
        if not o.startswith('val_dataloader')
    ]
    steps = (tool.Step(
        'zero-shot', tool.ablation.PRETRAIN, metrics=(METRIC, )), )
    # 'b' is pre-timed (a kept calibration is not redone) at a speed that
    # leaves it one iteration, and has no downstream step: fewer processes.
    tool.DEFAULT_RECIPES = (tool.Recipe('a', str(TINY_CONFIG), steps),
                            tool.Recipe('b', str(TINY_CONFIG), ()))
    work = tmp_path / 'cmp'
    cache = work / 'calibration' / 'b' / 'seconds_per_iter.json'
    cache.parent.mkdir(parents=True)
    cache.write_text(json.dumps(dict(median=1e3, times=[1e3], iters=3)))
    assert tool.main([
        '--seeds', '0', '--iters', '2', '--calib-iters', '3', '--work-dir',
        str(work), '--cfg-options', *roots
    ]) == 0
    timed = json.loads(
        (work / 'calibration' / 'a' / 'seconds_per_iter.json').read_text())
    # Three timed iterations, the first two skipped as warm-up.
    assert len(timed['times']) == 1 and timed['median'] > 0
    assert not (work / 'calibration' / 'b' / 'ablation_train.log').exists()
    summary = json.loads((work / 'recipes.json').read_text())
    plan = summary['plan']
    assert plan['a']['iters'] == 2 and plan['b']['iters'] == 1
    assert plan['b']['seconds_per_iter'] == 1e3
    for name in 'ab':
        run = work / name / 'seed0'
        assert (run / f"iter_{plan[name]['iters']}.pth").is_file()
    cell = summary['rows']['a']['metrics'][f'zero-shot: {METRIC}']
    assert cell['seeds'] == [0] and len(cell['values']) == 1
    table = (work / 'recipes.md').read_text().splitlines()
    assert table[0].startswith('| recipe | params | pre-train iters | s/it |')
    assert table[0].endswith(f'| zero-shot: {METRIC} |')
    assert table[2].startswith('| a | ') and table[3].startswith('| b | ')
    assert table[3].endswith(' | 1 | 1000.00 | 1000 | - |')
    assert 'written to' in capsys.readouterr().out
