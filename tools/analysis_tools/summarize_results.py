# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""One table from the JSON results of several ``tools/test.py`` runs.

Each result file is given with the stage it belongs to; retrieval, VideoQA
and multiple-choice results are recognised by their metric keys and each
row says what was measured and under which protocol.

Example (the end of the README's main job)::

    python tools/analysis_tools/summarize_results.py \
        "zero-shot=work_dirs/a/retrieval_results.json" \
        "fine-tuned=work_dirs/b/retrieval_results.json" \
        "fine-tuned=work_dirs/c/qa_results.json" --out summary.md
"""
import argparse
import json
import os.path as osp
import sys
from typing import Dict, List, Tuple

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from snps3.utils.errors import DataError, MissingFileError, UserError, report_user_errors  # noqa


def _find(metrics: Dict, suffix: str):
    """The value whose key ends with ``suffix`` (metric prefixes vary)."""
    for key, value in metrics.items():
        if key == suffix or key.endswith('/' + suffix):
            return value
    return None


def _protocol(metrics: Dict) -> str:
    items = {
        key.split('protocol/', 1)[1]: value
        for key, value in metrics.items() if 'protocol/' in key
    }
    order = ('split', 'mode', 'k', 'head', 'frames', 'num_frames')
    keys = [k for k in order if k in items] + sorted(
        k for k in items if k not in order and k not in ('seconds', ))
    return ', '.join(f'{k}={items[k]}' for k in keys)


def _retrieval_rows(metrics: Dict) -> List[Tuple[str, str, str]]:
    rows = []
    for direction in ('t2v', 'v2t'):
        recalls = [_find(metrics, f'{direction}/R@{k}') for k in (1, 5, 10)]
        if recalls[0] is None:
            continue
        chance = _find(metrics, f'{direction}/R@1_chance')
        median = _find(metrics, f'{direction}/MdR')
        text = 'R@1/5/10 ' + '/'.join(f'{r:.1f}' for r in recalls)
        if median is not None:
            text += f', MdR {median:g}'
        if chance is not None:
            text += f' (chance R@1 {chance:.1f})'
        rows.append((f'retrieval {direction}', _protocol(metrics), text))
    return rows


def _accuracy_rows(metrics: Dict) -> List[Tuple[str, str, str]]:
    rows = []
    qa = _find(metrics, 'qa/acc')
    if qa is not None:
        types = sorted((key.rsplit('/', 1)[1], value)
                       for key, value in metrics.items()
                       if '/qa/acc/' in '/' + key)
        detail = ', '.join(f'{name} {value:.1f}' for name, value in types)
        rows.append(('VideoQA', f'{_find(metrics, "qa/num_questions")} '
                     'questions',
                     f'acc {qa:.1f}' + (f' ({detail})' if detail else '')))
    mc = _find(metrics, 'mc/acc')
    if mc is not None:
        chance = _find(metrics, 'mc/acc_chance')
        pairwise = _find(metrics, 'mc/pairwise/acc')
        rows.append(
            ('multiple choice',
             f'{_find(metrics, "mc/num_questions")} questions',
             f'acc {mc:.1f}' +
             (f' (chance {chance:.1f})' if chance is not None else '') +
             (f'; right option beats a wrong one {pairwise:.1f}% '
              '(chance 50)' if pairwise is not None else '')))
    return rows


def summarize(results: List[Tuple[str, Dict]]) -> str:
    """A markdown table: stage | task | protocol | result."""
    lines = [
        '| stage | task | protocol | result |',
        '|---|---|---|---|',
    ]
    for stage, metrics in results:
        rows = _retrieval_rows(metrics) + _accuracy_rows(metrics)
        if not rows:
            raise DataError(f"stage '{stage}': no retrieval, QA or MC "
                            f'metrics among {sorted(metrics)[:8]}')
        lines += [
            f'| {stage} | {task} | {protocol} | {text} |'
            for task, protocol, text in rows
        ]
    return '\n'.join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'results',
        nargs='+',
        metavar='STAGE=JSON',
        help='a stage name and the results JSON of tools/test.py')
    parser.add_argument('--out', help='also write the table to this file')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    results = []
    for item in args.results:
        stage, sep, path = item.partition('=')
        if not sep or not stage or not path:
            raise UserError(f"'{item}': give results as STAGE=PATH/TO.json")
        if not osp.isfile(path):
            raise MissingFileError(f"results of stage '{stage}' not found: "
                                   f"'{path}'; run tools/test.py with --out "
                                   'first')
        with open(path) as f:
            result = json.load(f)
        # tools/test.py --out writes {config, checkpoint, metrics}.
        results.append((stage, result.get('metrics', result)))
    table = summarize(results)
    print(table)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(table + '\n')
    return 0


if __name__ == '__main__':
    with report_user_errors():
        sys.exit(main())
