# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import json

from snps3_test_helpers import run_tool


def _retrieval(r1):
    metrics = {}
    for d in ('t2v', 'v2t'):
        metrics.update({
            f'retrieval/{d}/R@1': r1,
            f'retrieval/{d}/R@5': 40.0,
            f'retrieval/{d}/R@10': 60.0,
            f'retrieval/{d}/MdR': 7.0,
            f'retrieval/{d}/R@1_chance': 1.0,
        })
    metrics.update({
        'retrieval/protocol/split': 'test',
        'retrieval/protocol/mode': 'rerank',
        'retrieval/protocol/k': 16,
        'retrieval/protocol/seconds': 3.2,
    })
    return metrics


def test_one_table_for_all_stages(tmp_path):
    files = {
        'zs.json': _retrieval(12.0),
        'qa.json': {
            'qa/acc': 50.0,
            'qa/acc/colour': 75.0,
            'qa/acc/count': 25.0,
            'qa/num_questions': 8
        },
        'mc.json': {
            'mc/acc': 40.0,
            'mc/acc_chance': 20.0,
            'mc/pairwise/acc': 62.5,
            'mc/num_questions': 5
        },
    }
    for name, metrics in files.items():
        (tmp_path / name).write_text(
            json.dumps(
                dict(config='c.py', checkpoint='i.pth', metrics=metrics)))
    out = tmp_path / 'summary.md'
    result = run_tool([
        'tools/analysis_tools/summarize_results.py',
        f'zero-shot={tmp_path / "zs.json"}',
        f'fine-tuned={tmp_path / "qa.json"}',
        f'fine-tuned={tmp_path / "mc.json"}', '--out', out
    ])
    assert result.returncode == 0, result.stderr
    lines = out.read_text().splitlines()
    assert lines[0] == '| stage | task | protocol | result |'
    assert lines[2] == ('| zero-shot | retrieval t2v | split=test, '
                        'mode=rerank, k=16 | R@1/5/10 12.0/40.0/60.0, MdR 7 '
                        '(chance R@1 1.0) |')
    assert lines[4] == ('| fine-tuned | VideoQA | 8 questions | acc 50.0 '
                        '(colour 75.0, count 25.0) |')
    assert lines[5] == ('| fine-tuned | multiple choice | 5 questions | '
                        'acc 40.0 (chance 20.0); right option beats a wrong '
                        'one 62.5% (chance 50) |')
    assert len(lines) == 6 and result.stdout.strip() == out.read_text().strip()


def test_missing_results_are_named(tmp_path):
    result = run_tool([
        'tools/analysis_tools/summarize_results.py',
        f'qa={tmp_path / "nope.json"}'
    ],
                      check=False)
    assert result.returncode == 2
    assert "results of stage 'qa' not found" in result.stderr
