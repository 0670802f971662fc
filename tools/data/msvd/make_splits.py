# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Write MSVD's standard 1200 / 100 / 670 video split lists.

The standard split (Venugopalan et al., 2015, used by every later MSVD
retrieval and QA paper) is by the ``vid<N>`` numbering of
``youtube_mapping.txt``: ``vid1``-``vid1200`` train, ``vid1201``-``vid1300``
val, ``vid1301``-``vid1970`` test. With ``--mapping`` the clips are ordered
by that number, which reproduces it exactly.

Without a mapping file the clips are taken in order of first appearance in
``AllVideoDescriptions.txt``. ASSUMPTION: that order is the ``vid<N>``
order; it is for the common release of the caption file, but check it
against a mapping file when one can be had (the script says which order it
used).

With both files, clips without a caption are left out of their split
(after splitting, so the others keep theirs), as ``MSVDRetrievalDataset``
would leave them out anyway.

Examples:
    python tools/data/msvd/make_splits.py \
        --mapping data/msvd/annotations/youtube_mapping.txt \
        --out-dir data/msvd/annotations
    python tools/data/msvd/make_splits.py \
        --captions data/msvd/annotations/AllVideoDescriptions.txt \
        --out-dir data/msvd/annotations
"""
import argparse
import os
import os.path as osp
import re
import sys
from typing import List

# Run from a checkout without installing the package.
sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), *['..'] * 3)))

from snps3.utils import errors  # noqa: E402

SPLITS = (('train', 1200), ('val', 100), ('test', 670))


def clips_from_mapping(path: str) -> List[str]:
    """Clip names of ``<clip_name> vid<N>`` lines, ordered by ``N``."""
    numbered = []
    with open(path, encoding='utf-8') as f:
        for line_no, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                continue
            match = re.fullmatch(r'vid(\d+)', fields[-1])
            if len(fields) != 2 or not match:
                raise errors.DataError(
                    f"'{path}' line {line_no}: expected "
                    f'`<clip_name> vid<N>`, got {line.strip()!r}')
            numbered.append((int(match.group(1)), fields[0]))
    return [clip for _, clip in sorted(numbered)]


def clips_from_captions(path: str) -> List[str]:
    """Captioned clips of ``AllVideoDescriptions.txt``, first-seen order."""
    clips = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            clip, _, caption = line.partition(' ')
            if caption.strip():
                clips.setdefault(clip, None)
    return list(clips)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--mapping', help='youtube_mapping.txt (gives the standard order)')
    parser.add_argument('--captions', help='AllVideoDescriptions.txt')
    parser.add_argument(
        '--out-dir',
        required=True,
        help='where train_list.txt, val_list.txt, test_list.txt go')
    args = parser.parse_args()
    if not (args.mapping or args.captions):
        parser.error('give --mapping, --captions or both')
    for path in (args.mapping, args.captions):
        if path and not osp.isfile(path):
            raise errors.MissingFileError(f"'{path}' does not exist.")

    if args.mapping:
        clips = clips_from_mapping(args.mapping)
        order = f"vid<N> order of '{args.mapping}' (the standard split)"
    else:
        clips = clips_from_captions(args.captions)
        order = (f"first appearance in '{args.captions}' (assumed to be "
                 'the vid<N> order; check with --mapping if you can)')
    expected = sum(n for _, n in SPLITS)
    if len(clips) != expected:
        raise errors.DataError(
            f'found {len(clips)} clips, MSVD has {expected} (1200 / 100 / '
            '670): is this the full release? Splits by position would not '
            'be the standard ones.')
    # Split by position first and filter after, so that an uncaptioned clip
    # does not shift the clips after it into another split.
    captioned = set(clips_from_captions(args.captions)) \
        if args.captions else set(clips)

    os.makedirs(args.out_dir, exist_ok=True)
    start = 0
    for name, size in SPLITS:
        split = [c for c in clips[start:start + size] if c in captioned]
        start += size
        path = osp.join(args.out_dir, f'{name}_list.txt')
        with open(path, 'w', encoding='utf-8') as f:
            f.writelines(clip + '\n' for clip in split)
        dropped = f', {size - len(split)} uncaptioned left out' \
            if len(split) < size else ''
        print(f'wrote {path} ({len(split)} videos{dropped})')
    print(f'order: {order}')


if __name__ == '__main__':
    with errors.report_user_errors():
        main()
