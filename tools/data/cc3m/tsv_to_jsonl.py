# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Convert CC3M's TSV into the JSON lines that ``cc3m_pretrain.py`` reads.

CC3M's release (``Train_GCC-training.tsv``) is ``<caption>\\t<url>`` lines
without a header; the downloaded images are named by the 0-based line
number of their pair (``name_template``, as in ``CC3MDataset``). This
writes one ``{"caption", "clip_name", "type": "image"}`` object per
downloaded image, ``clip_name`` relative to the image folder, and leaves
out the pairs whose image is missing or empty (dead links).

Examples:
    python tools/data/cc3m/tsv_to_jsonl.py \
        data/cc3m/Train_GCC-training.tsv data/cc3m/images \
        --out data/cc3m/cc3m_train.jsonl
    # img2dataset's layout: shards of 10,000, keys = line numbers
    python tools/data/cc3m/tsv_to_jsonl.py TSV data/cc3m/images \
        --name-template '{shard:05d}/{index:09d}.jpg' --out OUT.jsonl
"""
import argparse
import json
import os
import os.path as osp
import sys

# Run from a checkout without installing the package.
sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), *['..'] * 3)))

from snps3.utils import errors  # noqa: E402
from snps3.utils.paths import FolderListing  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('tsv', help="CC3M's <caption>\\t<url> TSV")
    parser.add_argument('image_root', help='folder of the downloaded images')
    parser.add_argument('--out', required=True, help='JSON lines to write')
    parser.add_argument(
        '--name-template',
        default='{index:08d}.jpg',
        help='image name of line `index` (fields: index, shard)')
    parser.add_argument(
        '--shard-size', type=int, default=10000, help='images per shard')
    parser.add_argument(
        '--no-progress', action='store_true', help='no progress bar')
    args = parser.parse_args()
    if not osp.isfile(args.tsv):
        raise errors.MissingFileError(f"'{args.tsv}' does not exist.")
    if not osp.isdir(args.image_root):
        raise errors.MissingFileError(
            f"image root '{args.image_root}' is not a folder.")

    from tqdm import tqdm
    listing = FolderListing()
    total = kept = 0
    if osp.dirname(args.out):
        os.makedirs(osp.dirname(args.out), exist_ok=True)
    with open(args.tsv, encoding='utf-8') as src, \
            open(args.out, 'w', encoding='utf-8') as dst:
        lines = tqdm(
            src,
            desc='checking images',
            unit=' rows',
            disable=args.no_progress,
            file=sys.stderr)
        # Line numbers count every line, empty ones too, as the download
        # scripts number them.
        for index, line in enumerate(lines):
            line = line.rstrip('\r\n')
            if not line:
                continue
            fields = line.split('\t')
            if len(fields) != 2:
                raise errors.DataError(
                    f"'{args.tsv}' line {index + 1} is not "
                    "'<caption>\\t<url>' (CC3M's TSV): found "
                    f'{len(fields)} tab-separated fields.')
            total += 1
            caption = fields[0].strip()
            name = args.name_template.format(
                index=index, shard=index // args.shard_size)
            if not caption or not listing.size(
                    osp.join(args.image_root, name)):
                continue
            kept += 1
            dst.write(
                json.dumps(
                    dict(caption=caption, clip_name=name, type='image'),
                    ensure_ascii=False) + '\n')
    share = 100.0 * kept / total if total else 0.0
    print(f'{kept} of {total} images present ({share:.1f}%); '
          f'wrote {args.out}')


if __name__ == '__main__':
    with errors.report_user_errors():
        main()
