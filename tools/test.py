# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Evaluate a checkpoint with a config's test split.

Examples:
    python tools/test.py configs/pretrain/snp_s3_embedded.py \
        work_dirs/snp_s3_embedded/iter_250.pth
    bash tools/dist_test.sh CONFIG CHECKPOINT 8

The metrics go to the log, to ``test_results.json`` in the work dir, and to
TensorBoard; a table is printed: retrieval recalls and QA / multiple-choice
accuracies, each with its chance level where known.
"""
import argparse
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.config import DictAction  # noqa: E402
from mmengine.dist import is_main_process  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from snps3.evaluation.report import format_results_table  # noqa: E402
from snps3.utils import check_exists, setup_cpu_distributed  # noqa: E402
from snps3.utils.compat import teardown_distributed  # noqa: E402
from snps3.utils.config import load_run_config  # noqa: E402
from snps3.utils.errors import report_user_errors  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description='Test a snps3 model')
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where logs and results go')
    parser.add_argument('--out', help='also write the metrics to this JSON')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. test_dataloader.batch_size=8')
    parser.add_argument(
        '--launcher',
        default='none',
        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main():
    args = parse_args()
    cfg = load_run_config(args.config, args.cfg_options, args.work_dir,
                          args.launcher)
    cfg.load_from = check_exists(args.checkpoint, 'checkpoint')
    cfg.resume = False
    setup_cpu_distributed(cfg, args.launcher)

    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    if not is_main_process():
        return
    runner.visualizer.add_scalars(
        {
            f'test/{k}': v
            for k, v in metrics.items() if isinstance(v, (int, float))
        },
        step=0)
    result = dict(
        config=args.config, checkpoint=args.checkpoint, metrics=metrics)
    for path in filter(
            None, [osp.join(runner.log_dir, 'test_results.json'), args.out]):
        with open(path, 'w') as f:
            json.dump(result, f, indent=2)
    print(format_results_table(metrics))


if __name__ == '__main__':
    with report_user_errors():
        main()
    teardown_distributed()
