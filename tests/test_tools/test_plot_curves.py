# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import json

from PIL import Image
from snps3_test_helpers import run_tool


def test_plot_curves_of_two_runs(tmp_path):
    for run, scale in (('a', 1.0), ('b', 2.0)):
        vis = tmp_path / run / '20260101_000000' / 'vis_data'
        vis.mkdir(parents=True)
        lines = [
            json.dumps(
                dict(iter=i, loss=scale / i, loss_mlm=scale / i, loss_vtc=1.0))
            for i in range(1, 6)
        ]
        lines.append(json.dumps({'retrieval/t2v/R@1': 5.0, 'step': 5}))
        (vis / 'scalars.json').write_text('\n'.join(lines) + '\n')
        # A later tools/test.py run in the same work dir logs no losses.
        test_vis = tmp_path / run / '20260101_010000' / 'vis_data'
        test_vis.mkdir(parents=True)
        (test_vis / 'scalars.json').write_text(
            json.dumps({
                'test/retrieval/t2v/R@1': 5.0,
                'step': 0
            }) + '\n')
    out = tmp_path / 'curves.png'
    result = run_tool([
        'tools/analysis_tools/plot_curves.py', tmp_path / 'a', tmp_path / 'b',
        '--out', out
    ])
    assert 'loss_mlm, loss_vtc' in result.stdout
    with Image.open(out) as img:
        assert img.format == 'PNG' and img.width > img.height > 100


def test_missing_run_is_named(tmp_path):
    result = run_tool([
        'tools/analysis_tools/plot_curves.py', tmp_path, '--out',
        tmp_path / 'x.png'
    ],
                      check=False)
    assert result.returncode == 2
    assert 'no vis_data/scalars.json with training losses' in result.stderr
