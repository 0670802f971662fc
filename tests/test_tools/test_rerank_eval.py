# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Fusion re-ranking through tools/test.py equals exhaustive scoring at k=N
(with the dual score weighed into the fused scores)."""
import json
import textwrap

from snps3_test_helpers import data_root_options, derived_config, run_tool


def _metrics(result_file):
    return json.loads(result_file.read_text())['metrics']


def test_rerank_at_gallery_size_matches_exhaustive(tmp_path, tiny_corpus):
    config = derived_config(
        tmp_path,
        textwrap.dedent('''
        model = dict(heads=dict(xm=dict(type='CrossMatchingHead',
                                        hidden_size=None)))
        train_cfg = dict(max_iters=2, val_interval=1000)
        '''))
    opts = data_root_options(tiny_corpus)
    run_tool([
        'tools/train.py', config, '--work-dir', tmp_path / 'w',
        '--cfg-options', *opts
    ])
    checkpoint = tmp_path / 'w' / 'iter_2.pth'
    results = {}
    # The tiny test split has 8 videos, one caption each.
    for name, scoring in (('exhaustive', "test_cfg.scoring.mode=exhaustive"),
                          ('rerank8', 'test_cfg.scoring.mode=rerank'),
                          ('rerank2', 'test_cfg.scoring.mode=rerank')):
        k = '2' if name == 'rerank2' else '8'
        out = tmp_path / f'{name}.json'
        run_tool([
            'tools/test.py', config, checkpoint, '--work-dir', tmp_path / name,
            '--out', out, '--cfg-options', *opts, scoring,
            'test_cfg.scoring.head=xm', f'test_cfg.scoring.k={k}',
            'test_cfg.scoring.dual_weight=0.5'
        ])
        results[name] = _metrics(out)
    full, re8, re2 = (results[n] for n in ('exhaustive', 'rerank8', 'rerank2'))
    for key, value in full.items():
        if '/R@' in key or key.endswith(('MdR', 'MnR')):
            assert re8[key] == value, key
    assert full['retrieval/protocol/fusion_pairs'] == 64
    assert re8['retrieval/protocol/fusion_pairs'] == 64
    assert re2['retrieval/protocol/fusion_pairs'] <= 8 * 2 * 2
    assert re2['retrieval/protocol/k'] == 2
    assert re2['retrieval/protocol/dual_weight'] == 0.5
    assert re2['retrieval/protocol/scoring'] == 'rerank'
