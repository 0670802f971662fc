# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from snps3.evaluation.report import format_accuracy_table, format_results_table


def test_accuracy_table_rows_with_types_counts_and_chance():
    table = format_accuracy_table({
        'qa/acc': 45.21,
        'qa/acc/colour': 60.0,
        'qa/num_questions': 617,
        'mc/acc': 62.0,
        'mc/acc_chance': 20.0,
        'mc/num_questions': 100,
        'retrieval/t2v/R@1': 3.0,
    })
    lines = table.splitlines()
    assert lines[2:] == [
        '| qa | all | 617 | 45.2 |', '| qa | colour |  | 60.0 |',
        '| mc | all | 100 | 62.0 (20.0) |'
    ]
    assert format_accuracy_table({'retrieval/t2v/R@1': 3.0}) == ''


def test_results_table_holds_whichever_tables_apply():
    retrieval = {
        f'retrieval/t2v/{k}': 1.0
        for k in ('R@1', 'R@5', 'R@10', 'MdR', 'MnR')
    }
    both = format_results_table(dict(retrieval, **{'mc/acc': 50.0}))
    assert 'text -> video' in both and '| mc | all |' in both
    assert '| mc |' not in format_results_table(retrieval)
    assert format_results_table({'x': 1.0}).startswith('no retrieval or')
