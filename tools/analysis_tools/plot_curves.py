# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Plot training curves of one or more runs into a PNG.

Reads the ``vis_data/scalars.json`` that MMEngine writes in each run folder
(the newest run of a work dir when a work dir is given).

Examples:
    python tools/analysis_tools/plot_curves.py work_dirs/snp_s3_embedded \
        --out work_dirs/snp_s3_embedded/curves.png
    python tools/analysis_tools/plot_curves.py work_dirs/snp work_dirs/p3e \
        --keys loss_mlm loss_vtc --out snp_vs_p3e.png
"""
import argparse
import glob
import json
import os.path as osp
import sys
from typing import Dict, List

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from snps3.utils.errors import MissingFileError, report_user_errors  # noqa


def load_run(path: str) -> List[Dict]:
    """Training records of a run folder, or of a work dir's newest run.

    A work dir also holds the folders of ``tools/test.py`` runs, which log
    no training loss; the newest folder with training records is taken.
    """
    if path.endswith('.json'):
        candidates = [path]
    else:
        candidates = sorted(
            glob.glob(osp.join(path, 'vis_data', 'scalars.json')) +
            glob.glob(osp.join(path, '*', 'vis_data', 'scalars.json')))
    for candidate in reversed(candidates):
        with open(candidate) as f:
            records = [json.loads(line) for line in f if line.strip()]
        records = [r for r in records if 'loss' in r]
        if records:
            return records
    raise MissingFileError(
        f"no vis_data/scalars.json with training losses under '{path}': is "
        'it a work dir of tools/train.py?')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        'runs', nargs='+', help='work dirs, run folders or scalars.json files')
    parser.add_argument(
        '--keys',
        nargs='+',
        default=None,
        help='scalars to plot (default: every loss_* key)')
    parser.add_argument('--out', required=True, help='PNG to write')
    args = parser.parse_args()

    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    runs = {run: load_run(run) for run in args.runs}
    keys = args.keys or sorted({
        k
        for recs in runs.values()
        for r in recs
        for k in r if k.startswith('loss_')
    })
    fig, axes = plt.subplots(
        1, len(keys), figsize=(4.5 * len(keys), 3.5), squeeze=False)
    for ax, key in zip(axes[0], keys):
        for run, records in runs.items():
            points = [(r['iter'], r[key]) for r in records if key in r]
            if points:
                ax.plot(*zip(*points), label=osp.basename(run.rstrip('/')))
        ax.set_title(key)
        ax.set_xlabel('iteration')
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out, dpi=100)
    print(f'wrote {args.out} ({", ".join(keys)})')


if __name__ == '__main__':
    with report_user_errors():
        main()
