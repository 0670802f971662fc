# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Search a folder of your own videos with a sentence.

Examples:
    python demo/retrieve.py CONFIG CHECKPOINT --gallery ~/Videos \
        --query "a dog catches a frisbee" --topk 5 \
        --cache ~/Videos.snps3-cache.pth --sheet hits.png --out hits.json

The folder is searched recursively for videos and images. With ``--cache``
the gallery's features are kept in that file: the next run encodes only the
files that are new or changed and forgets the deleted ones. Files that
cannot be read are listed and skipped. Runs on the GPU when there is one.
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.logging import MMLogger  # noqa: E402

from snps3 import apis  # noqa: E402
from snps3.utils import errors  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Text-to-video search over a folder of videos')
    parser.add_argument(
        'config',
        help='config the checkpoint was trained '
        'with (its test pipeline decodes the videos)')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--gallery',
        required=True,
        help='folder of videos and images, searched recursively')
    parser.add_argument(
        '--query',
        required=True,
        action='append',
        help='a sentence; repeat --query for several')
    parser.add_argument('--topk', type=int, default=5, help='hits per query')
    parser.add_argument(
        '--rerank',
        type=int,
        default=0,
        help='re-rank the top K dual-encoder hits with the fusion encoder '
        "and the model's cross-matching head (0: off)")
    parser.add_argument(
        '--dual-weight',
        type=float,
        help='a re-ranked hit scores its fusion score plus this multiple of '
        "its dual score (default: the config's test_cfg.scoring.dual_weight, "
        'else 0)')
    parser.add_argument(
        '--cache', help='feature cache file (created, then kept current)')
    parser.add_argument('--out', help='write the results as JSON')
    parser.add_argument(
        '--sheet', help='write a contact sheet image (a row per hit)')
    args = parser.parse_args(argv)
    if args.topk < 1:
        parser.error('--topk must be at least 1')
    if args.rerank < 0:
        parser.error('--rerank must be 0 (off) or positive')
    return args


def format_table(results, root: str, dual_weight: float = 0.0) -> str:
    """The ranked hits of each query as a plain-text table."""
    lines = []
    for result in results:
        title = f'query: "{result["query"]}"'
        if result['reranked']:
            title += '  (top candidates re-ranked by fusion)'
        # Re-ranked hits are scored by the fusion head, the rest by the
        # dual encoder: two scales, so say which is which.
        by = result['reranked']
        lines += [
            title, f'{"rank":>5}  {"score":>8}  ' +
            ('scored by    ' if by else '') + 'file'
        ]
        for hit in result['hits']:
            name = osp.relpath(hit['path'], root)
            if name.startswith('..'):
                name = hit['path']
            source = 'dual'
            if 'fusion_score' in hit:
                source = 'fusion+dual' if dual_weight else 'fusion'
            lines.append(f'{hit["rank"]:>5}  {hit["score"]:>8.4f}  ' +
                         (f'{source:<11}  ' if by else '') + name)
        lines.append('')
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    if not osp.isdir(args.gallery):
        raise errors.MissingFileError(
            f"gallery folder '{args.gallery}' does not exist (or is not a "
            'folder); give the folder that holds your videos.')
    # Model-building chatter stays out of the way; warnings still show.
    MMLogger.get_instance('retrieve_demo', log_level='WARNING')
    inferencer = apis.VideoTextRetrievalInferencer(
        args.config, args.checkpoint, dual_weight=args.dual_weight)
    print(f'indexing {args.gallery} on {inferencer.device.type}', flush=True)
    report = inferencer.index(args.gallery, cache=args.cache, progress=True)
    print(report.summary())
    for path, reason in report.failed:
        print(f'  skipped {path}: {reason}')
    if not report.indexed:
        raise errors.DataError(
            f"no readable video or image under '{args.gallery}'"
            ' (searched recursively); nothing to search.')
    results = inferencer.search(args.query, topk=args.topk, rerank=args.rerank)
    print()
    print(format_table(results, args.gallery, inferencer.dual_weight))
    if args.sheet:
        apis.draw_contact_sheet(results, args.sheet, root=args.gallery)
        print(f'contact sheet: {args.sheet}')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(
                dict(
                    config=args.config,
                    checkpoint=args.checkpoint,
                    gallery=osp.abspath(args.gallery),
                    device=inferencer.device.type,
                    index=dict(
                        files=len(report.indexed),
                        encoded=len(report.encoded),
                        reused=len(report.reused),
                        dropped=len(report.dropped),
                        seconds=round(report.seconds, 3),
                        failed=[
                            dict(path=p, reason=r) for p, r in report.failed
                        ]),
                    results=results),
                f,
                indent=2)
        print(f'results: {args.out}')


if __name__ == '__main__':
    with errors.report_user_errors():
        main()
