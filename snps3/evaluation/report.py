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


def format_accuracy_table(metrics: Dict[str, float]) -> str:
    """Markdown table of QA / multiple-choice accuracies, '' if none.

    Args:
        metrics (dict): Keys like ``qa/acc``, ``qa/acc/<type>``,
            ``mc/acc``, ``mc/acc_chance`` and ``<task>/num_questions``, as
            :class:`VideoQAAccuracy` and :class:`MultipleChoiceAccuracy`
            write them.
    """
    rows = []
    for key, value in metrics.items():
        parts = key.split('/')
        if 'acc' not in parts or not isinstance(value, (int, float)):
            continue
        at = parts.index('acc')
        task = '/'.join(parts[:at]) or 'acc'
        kind = '/'.join(parts[at + 1:]) or 'all'
        cell = f'{value:.1f}'
        chance = metrics.get(f'{key}_chance')
        if chance is not None:
            cell += f' ({chance:.1f})'
        count = metrics.get(f'{task}/num_questions', '') if kind == 'all' \
            else ''
        rows.append(f'| {task} | {kind} | {count} | {cell} |')
    if not rows:
        return ''
    header = ('| task | question type | questions | accuracy (chance) |\n'
              '|---|---|---|---|')
    return header + '\n' + '\n'.join(rows)


def format_results_table(metrics: Dict[str, float]) -> str:
    """The retrieval table and the accuracy table, whichever apply."""
    tables = []
    if any('/R@1' in key for key in metrics):
        tables.append(format_retrieval_table(metrics))
    accuracy = format_accuracy_table(metrics)
    if accuracy:
        tables.append(accuracy)
    return '\n\n'.join(tables) or \
        'no retrieval or accuracy metrics in ' + ', '.join(metrics)
