# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Count a model's parameters by part, and compare two models.

Examples:
    python tools/analysis_tools/count_params.py \
        configs/_base_/models/snp_bert-base_r50.py
    python tools/analysis_tools/count_params.py \
        configs/_base_/models/snp_bert-base_r50.py \
        configs/_base_/models/p3e_bert-base_r50.py

Each config's model is built with random weights: the backbone's
``checkpoint`` is dropped and the encoder's ``pretrained`` folder is ignored
when its ``config`` dict defines the architecture, so nothing needs to be on
disk. The table (markdown) splits the total into the backbone, the encoder
(shared / text / fusion parts) and each head; a parameter tied between two
parts (the MLM decoder and the word embeddings) is counted once, in the part
listed first. With two configs it also gives the difference and the ratio.
"""
import argparse
import os.path as osp
import sys
from collections import OrderedDict
from typing import Dict, List, Tuple

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402

from snps3.registry import MODELS  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(
        description='Count parameters of snps3 models by part')
    parser.add_argument('configs', nargs='+', help='config file paths')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of every config, e.g. '
        'model.encoder.fusion_layers=6')
    return parser.parse_args()


def random_init(model_cfg) -> None:
    """Drop weight files: only the architecture matters for counting."""
    backbone = model_cfg.get('backbone')
    if backbone is not None:
        backbone.pop('checkpoint', None)
    encoder = model_cfg.get('encoder')
    # Configs give both `pretrained` and the full BertConfig arguments; the
    # dict alone defines the same architecture. Without it the folder is
    # the only description, and must exist.
    if encoder is not None and encoder.get('config'):
        encoder.pretrained = None


def build_model(cfg: Config) -> nn.Module:
    """Build ``cfg.model`` without allocating or initialising weights.

    Counting needs shapes only: on the meta device BERT-base x 2 + ResNet-50
    builds in a tenth of a second instead of seconds and a gigabyte. A model
    whose construction needs real tensors is built on the CPU instead.
    """
    init_default_scope(cfg.get('default_scope', 'snps3'))
    random_init(cfg.model)
    try:
        with torch.device('meta'):
            return MODELS.build(cfg.model)
    except Exception:  # some __init__ computes with its weights
        return MODELS.build(cfg.model)


def _module_parts(model: nn.Module) -> List[Tuple[str, nn.Module]]:
    """(row name, module) in reporting order: backbone, encoder, heads."""
    parts = []
    if hasattr(model, 'backbone'):
        parts.append(('backbone', model.backbone))
    encoder = getattr(model, 'encoder', None)
    if encoder is not None:
        named = encoder.parts() if hasattr(encoder, 'parts') else {}
        parts += [(f'encoder.{name}', mod) for name, mod in named.items()]
        parts.append(('encoder.other', encoder))  # what parts() leaves out
    for name, head in getattr(model, 'heads', {}).items():
        parts.append((f'heads.{name}', head))
    parts.append(('other', model))
    return parts


def count_parts(model: nn.Module) -> Tuple[Dict[str, int], Dict[str, int]]:
    """Parameters of each part, each tensor counted once.

    Returns:
        tuple: ``counts`` (row name -> parameters owned, including a
        ``total``) and ``tied`` (row name -> parameters it shares with a
        part listed before it, for the table's notes).
    """
    seen = set()
    counts, tied = OrderedDict(), {}
    for name, module in _module_parts(model):
        own = shared = 0
        for param in module.parameters():
            if id(param) in seen:
                shared += param.numel()
            else:
                seen.add(id(param))
                own += param.numel()
        # The catch-all rows re-walk modules already counted: their
        # "shared" parameters are the other rows', not ties.
        if name in ('encoder.other', 'other'):
            if own:
                counts[name] = own
            continue
        counts[name] = own
        if shared:
            tied[name] = shared
    counts['total'] = sum(counts.values())
    assert counts['total'] == sum(p.numel() for p in model.parameters())
    return counts, tied


TOTAL_UNTIED = 'total, tied counted twice'
ENCODER_ORDER = ('shared', 'text', 'fusion', 'other')


def _row_rank(row: str) -> Tuple[int, int]:
    """Backbone, encoder (shared, text, fusion, other), heads, other."""
    group, _, sub = row.partition('.')
    if group == 'encoder':
        return 1, ENCODER_ORDER.index(sub) if sub in ENCODER_ORDER else 9
    return {'backbone': 0, 'heads': 2}.get(group, 3), 0


def _fmt(n: float) -> str:
    return f'{n:,} ({n / 1e6:.2f}M)'


def format_table(names: List[str],
                 results: List[Tuple[Dict[str, int], Dict[str, int]]]) -> str:
    """Markdown table, one column per model (+ difference and ratio)."""
    rows = []
    for counts, _ in results:
        rows += [r for r in counts if r not in rows and r != 'total']
    rows.sort(key=_row_rank)
    rows.append('total')
    if any(tied for _, tied in results):
        # Papers often count a tied matrix in each part that uses it (SNP's
        # 160.4M and P3E's 205.5M are such totals); show that total too.
        rows.append(TOTAL_UNTIED)
        results = [
            (dict(counts,
                  **{TOTAL_UNTIED:
                     counts['total'] + sum(tied.values())}), tied)
            for counts, tied in results
        ]
    header = ['part'] + names
    two = len(results) == 2
    if two:
        header += [f'{names[1]} - {names[0]}', f'{names[1]} / {names[0]}']
    lines = [
        '| ' + ' | '.join(header) + ' |',
        '|---' + '|---:' * (len(header) - 1) + '|'
    ]
    for row in rows:
        values = [counts.get(row, 0) for counts, _ in results]
        cells = []
        for (counts, tied), value in zip(results, values):
            cell = _fmt(value) if row in counts else '-'
            if row in tied:
                cell += f' + {tied[row]:,} tied'
            cells.append(cell)
        if two:
            diff = values[1] - values[0]
            cells.append(f'{diff:+,} ({diff / 1e6:+.2f}M)')
            present = all(row in counts for counts, _ in results)
            cells.append(f'{values[1] / values[0]:.4f}'
                         if present and values[0] else '-')
        label = f'**{row}**' if row.startswith('total') else row
        lines.append('| ' + ' | '.join([label] + cells) + ' |')
    return '\n'.join(lines)


def column_names(paths: List[str]) -> List[str]:
    """Config file names, or paths where two names clash."""
    names = [osp.splitext(osp.basename(p))[0] for p in paths]
    return names if len(set(names)) == len(names) else list(paths)


def main():
    args = parse_args()
    results = []
    for path in args.configs:
        cfg = Config.fromfile(path)
        if args.cfg_options is not None:
            cfg.merge_from_dict(args.cfg_options)
        if 'model' not in cfg:
            raise SystemExit(f"'{path}' has no `model` to count")
        results.append(count_parts(build_model(cfg)))
    names = column_names(args.configs)
    print(format_table(names, results))
    if len(results) == 2:
        a, b = results[0][0]['total'], results[1][0]['total']
        print(f'\ndifference: {names[1]} - {names[0]} = {b - a:,} '
              f'({(b - a) / 1e6:.2f}M)')
        print(f'ratio: {names[1]} / {names[0]} = {b / a:.4f}')


if __name__ == '__main__':
    main()
