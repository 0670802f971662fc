# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Train a model from a config with MMEngine's Runner.

Examples:
    python tools/train.py configs/pretrain/snp_s3_embedded.py
    python tools/train.py CONFIG --resume            # from the last checkpoint
    python tools/train.py CONFIG --resume work_dirs/x/iter_100.pth
    bash tools/dist_train.sh CONFIG 8                # 8 processes
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from snps3.utils import setup_cpu_distributed  # noqa: E402
from snps3.utils.compat import teardown_distributed  # noqa: E402
from snps3.utils.config import load_run_config  # noqa: E402
from snps3.utils.errors import report_user_errors  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description='Train a snps3 model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='where logs and checkpoints go')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from CHECKPOINT, or without a value from the latest '
        'checkpoint in the work dir')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='bf16 mixed precision (CPU with AMX, or GPU)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. train_cfg.max_iters=10')
    parser.add_argument(
        '--launcher',
        default='none',
        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def apply_amp(cfg: Config) -> None:
    """Switch the optimizer wrapper to bf16 mixed precision."""
    import torch
    wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if wrapper not in ('OptimWrapper', 'AmpOptimWrapper',
                       'BF16AutocastOptimWrapper'):
        raise ValueError(f'--amp cannot be combined with {wrapper}')
    if torch.cuda.is_available():
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.dtype = 'bfloat16'
    else:
        cfg.optim_wrapper.type = 'BF16AutocastOptimWrapper'


def main():
    args = parse_args()
    cfg = load_run_config(args.config, args.cfg_options, args.work_dir,
                          args.launcher)
    if args.amp:
        apply_amp(cfg)
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume

    setup_cpu_distributed(cfg, args.launcher)
    if 'runner_type' in cfg:  # e.g. FlexibleRunner for FSDP/DeepSpeed
        from mmengine.registry import RUNNERS
        runner = RUNNERS.build(cfg)
    else:
        runner = Runner.from_cfg(cfg)
    runner.train()


if __name__ == '__main__':
    with report_user_errors():
        main()
    teardown_distributed()
