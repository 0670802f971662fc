# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Keep the rows of a WebVid CSV whose video file was downloaded.

WebVid ships URLs only and every download is partial (dead links, removed
videos), so the CSV is filtered to the videos present before training:
``WebVidDataset`` would otherwise skip the missing ones one by one at run
time, each time, with a warning.

A video of a row is ``VIDEO_ROOT/{page_dir}/{videoid}.mp4``, the layout
``WebVidDataset`` reads. Empty files (interrupted downloads) count as
missing.

Example:
    python tools/data/webvid/check_videos.py \
        data/webvid/results_2M_train.csv data/webvid/videos \
        --out data/webvid/results_2M_train_present.csv
"""
import argparse
import csv
import os
import os.path as osp
import sys

# Run from a checkout without installing the package.
sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), *['..'] * 3)))

from snps3.utils import errors  # noqa: E402
from snps3.utils.paths import FolderListing  # noqa: E402

REQUIRED_COLUMNS = ('videoid', 'page_dir')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('ann_file', help="WebVid's CSV")
    parser.add_argument(
        'video_root', help='folder holding {page_dir}/{videoid}.mp4')
    parser.add_argument(
        '--out', required=True, help='CSV to write (same columns)')
    parser.add_argument(
        '--no-progress', action='store_true', help='no progress bar')
    args = parser.parse_args()
    if not osp.isfile(args.ann_file):
        raise errors.MissingFileError(f"'{args.ann_file}' does not exist.")
    if not osp.isdir(args.video_root):
        raise errors.MissingFileError(
            f"video root '{args.video_root}' is not a folder.")

    from tqdm import tqdm
    listing = FolderListing()
    total = kept = empty = 0
    if osp.dirname(args.out):
        os.makedirs(osp.dirname(args.out), exist_ok=True)
    with open(args.ann_file, newline='', encoding='utf-8') as src, \
            open(args.out, 'w', newline='', encoding='utf-8') as dst:
        reader = csv.DictReader(src)
        missing = set(REQUIRED_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise errors.DataError(f"'{args.ann_file}' is not a WebVid CSV: "
                                   f'columns {sorted(missing)} are missing.')
        writer = csv.DictWriter(dst, fieldnames=reader.fieldnames)
        writer.writeheader()
        for row in tqdm(
                reader,
                desc='checking videos',
                unit=' rows',
                disable=args.no_progress,
                file=sys.stderr):
            total += 1
            size = listing.size(
                osp.join(args.video_root, row['page_dir'],
                         f"{row['videoid']}.mp4"))
            if size is None:
                continue
            if size == 0:
                empty += 1
                continue
            kept += 1
            writer.writerow(row)
    share = 100.0 * kept / total if total else 0.0
    print(f'{kept} of {total} videos present ({share:.1f}%), '
          f'{total - kept - empty} missing, {empty} empty files; '
          f'wrote {args.out}')


if __name__ == '__main__':
    with errors.report_user_errors():
        main()
