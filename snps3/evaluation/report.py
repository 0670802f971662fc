# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Human-readable tables of evaluation results."""
from typing import Dict


def format_retrieval_table(metrics: Dict[str, float]) -> str:
    """Markdown table of retrieval metrics with chance level beside R@K.

    Args:
        metrics (dict): Keys like ``retrieval/t2v/R@1`` and
            ``retrieval/t2v/R@1_chance``, as :class:`RetrievalMetric` writes.
    """
    rows = []
    for direction, title in (('t2v', 'text -> video'), ('v2t',
                                                        'video -> text')):

        def get(name):
            for key, value in metrics.items():
                if key.endswith(f'{direction}/{name}'):
                    return value
            return None

        if get('R@1') is None:
            continue
        cells = [title]
        for k in ('R@1', 'R@5', 'R@10'):
            chance = get(f'{k}_chance')
            cells.append(f'{get(k):.1f}' +
                         (f' ({chance:.1f})' if chance is not None else ''))
        cells += [f"{get('MdR'):.1f}", f"{get('MnR'):.1f}"]
        rows.append('| ' + ' | '.join(cells) + ' |')
    if not rows:
        return 'no retrieval metrics in ' + ', '.join(metrics)
    header = ('| direction | R@1 (chance) | R@5 (chance) | R@10 (chance) '
              '| MdR | MnR |\n|---|---|---|---|---|---|')
    return header + '\n' + '\n'.join(rows)
