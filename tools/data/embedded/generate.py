# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Generate the embedded corpus: synthetic captioned videos on disk.

Example::

    python tools/data/embedded/generate.py --out data/embedded
    python tools/data/embedded/generate.py --out data/embedded_tiny \\
        --size tiny --workers 1

Re-running with the same settings is a no-op ("corpus up to date") unless
``--force`` is given. See ``snps3/datasets/embedded/generate.py`` for the
layout of the output directory.
"""
import argparse
import os
import os.path as osp
import sys
import time

# Run from a checkout without installing the package.
_ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from snps3.datasets.embedded import generate as embedded  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description='Generate the embedded synthetic video-text corpus.')
    parser.add_argument('--out', required=True, help='output directory')
    parser.add_argument(
        '--size',
        default='default',
        choices=sorted(
            embedded.CORPUS_SIZES,
            key=lambda s: sum(embedded.CORPUS_SIZES[s].values())),
        help='corpus size (default: default)')
    parser.add_argument(
        '--seed', type=int, default=0, help='corpus seed (default: 0)')
    parser.add_argument(
        '--workers',
        type=int,
        default=2,
        help='rendering processes (default: 2)')
    parser.add_argument(
        '--resolution',
        type=int,
        default=embedded.DEFAULT_RESOLUTION,
        help='frame width and height, even '
        f'(default: {embedded.DEFAULT_RESOLUTION})')
    parser.add_argument(
        '--frames',
        type=int,
        default=embedded.DEFAULT_NUM_FRAMES,
        help=f'frames per video (default: '
        f'{embedded.DEFAULT_NUM_FRAMES})')
    parser.add_argument(
        '--fps',
        type=int,
        default=embedded.DEFAULT_FPS,
        help=f'frame rate (default: {embedded.DEFAULT_FPS})')
    parser.add_argument(
        '--force',
        action='store_true',
        help='regenerate even if the corpus is up to date')
    args = parser.parse_args(argv)
    if args.seed < 0:
        parser.error('--seed must be non-negative')
    return args


def _disk_size(path: str) -> int:
    total = 0
    for root, _, files in os.walk(path):
        total += sum(osp.getsize(osp.join(root, f)) for f in files)
    return total


def main(argv=None) -> int:
    """Entry point; returns the exit status."""
    args = parse_args(argv)
    render = dict(
        resolution=args.resolution, num_frames=args.frames, fps=args.fps)
    if not args.force and embedded.check_corpus(args.out, args.size, args.seed,
                                                **render) is not None:
        print(f'corpus up to date: {args.out} (size={args.size}, '
              f'seed={args.seed})')
        return 0
    counts = embedded.CORPUS_SIZES[args.size]
    print(f'generating the {args.size} embedded corpus (seed {args.seed}): '
          f"{counts['pretrain']} pre-training, {counts['finetune']} "
          f"fine-tuning and {counts['test']} test videos, "
          f'{args.resolution}x{args.resolution}, {args.frames} frames at '
          f'{args.fps} fps, {args.workers} worker(s) -> {args.out}')
    start = time.time()
    meta = embedded.generate_corpus(
        args.out,
        args.size,
        args.seed,
        args.workers,
        force=True,
        progress=True,
        **render)
    elapsed = time.time() - start
    c = meta['counts']
    pairs = ', '.join(f'{col} {shape}'
                      for col, shape in meta['held_out_pairs'])
    print(f"done in {elapsed:.1f}s, {_disk_size(args.out) / 2**20:.1f} MiB\n"
          f"  pre-training: {c['pretrain_videos']} videos, "
          f"{c['pretrain_captions']} captions "
          '(annotations/webvid_train.csv, annotations/pretrain_train.jsonl)\n'
          f"  fine-tuning:  {c['finetune_videos']} videos, "
          f"{c['finetune_sentences']} sentences "
          '(annotations/MSRVTT_train.9k.csv)\n'
          f"  test:         {c['test_videos']} videos, "
          f"{c['test_held_out_videos']} with a held-out pair "
          '(annotations/MSRVTT_JSFUSION_test.csv)\n'
          f"  QA:           {c['qa_train_questions']} fine-tuning and "
          f"{c['qa_test_questions']} test questions "
          '(annotations/qa_train.json, annotations/qa_test.json)\n'
          f"  MC:           {c['mc_test_questions']} test questions "
          '(annotations/mc_test.json)\n'
          f'  held-out (colour, shape) pairs: {pairs}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
