# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Measure the training data loader's throughput (videos/s, frames/s).

Builds the config's ``train_dataloader`` (dataset, pipeline and collate, as
training builds it) once per video backend and worker count, and times
``--batches`` batches after ``--warmup`` batches. The warm-up absorbs the
worker start-up and the first file opens, so the figures are the steady
state of decoding, transforming and collating. No model runs.

Examples:
    python tools/analysis_tools/benchmark_loader.py \
        configs/pretrain/snp_mssm-vtc-lvwm_embedded.py
    python tools/analysis_tools/benchmark_loader.py CONFIG \
        --backends decord pyav --workers 0 1 2 --batches 30 --repeats 5 \
        --out bench.json

On a shared machine single runs vary a lot (other processes' bursts);
``--repeats`` measures each configuration several times, round-robin, and
reports the median run with the range beside it.
"""
import argparse
import copy
import datetime
import json
import os
import os.path as osp
import platform
import sys
import time
from typing import Any, Dict, List

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmengine.config import DictAction  # noqa: E402

from snps3.utils.config import load_run_config  # noqa: E402
from snps3.utils.errors import ConfigError, report_user_errors  # noqa: E402

DEFAULT_CONFIG = 'configs/pretrain/snp_mssm-vtc-lvwm_embedded.py'


def cpu_model() -> str:
    """The CPU's model name from ``/proc/cpuinfo`` (the platform's else)."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or 'unknown CPU'


def usable_cores() -> int:
    """Cores this process may run on (the affinity mask, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def set_decode_backend(dataset_cfg: dict, backend: str) -> int:
    """Set ``backend`` on every DecodeVideo of a dataset config, in place.

    Wrapped datasets (``dataset``/``datasets`` keys, e.g. the weighted
    mixture) are searched too, so that every decode step is switched.

    Returns:
        int: The number of DecodeVideo steps changed.
    """
    changed = 0
    for step in dataset_cfg.get('pipeline') or []:
        if isinstance(step, dict) and step.get('type') == 'DecodeVideo':
            step['backend'] = backend
            changed += 1
    inner = list(dataset_cfg.get('datasets') or [])
    if isinstance(dataset_cfg.get('dataset'), dict):
        inner.append(dataset_cfg['dataset'])
    for sub in inner:
        changed += set_decode_backend(sub, backend)
    return changed


def count_batch(batch: Any) -> Dict[str, int]:
    """Videos and frames in a collated batch.

    ``PackVideoTextInputs`` + ``default_collate`` give
    ``inputs['frames']`` of shape ``(B, T, C, H, W)``; a batch without it
    counts its data samples as one-frame videos.
    """
    inputs = batch.get('inputs', {}) if isinstance(batch, dict) else {}
    frames = inputs.get('frames') if isinstance(inputs, dict) else None
    if frames is not None and getattr(frames, 'ndim', 0) >= 2:
        return dict(
            videos=int(frames.shape[0]),
            frames=int(frames.shape[0] * frames.shape[1]))
    samples = batch.get('data_samples') if isinstance(batch, dict) else None
    n = len(samples) if samples is not None else 0
    return dict(videos=n, frames=n)


def measure(loader_cfg: dict, batches: int, warmup: int) -> Dict[str, Any]:
    """Time ``batches`` batches of a loader after ``warmup`` batches.

    A loader that runs out (a small corpus) is started again; the restart,
    worker start-up included, then counts in the timed part, so give
    corpora that are larger than ``(warmup + batches) * batch_size``
    for clean figures (``restarts`` in the result says when it happened).
    """
    from mmengine.runner import Runner
    loader = Runner.build_dataloader(loader_cfg, seed=0)
    restarts = 0
    iterator = iter(loader)

    def next_batch():
        nonlocal iterator, restarts
        try:
            return next(iterator)
        except StopIteration:
            restarts += 1
            iterator = iter(loader)
            return next(iterator)

    for _ in range(warmup):
        next_batch()
    restarts = 0  # only restarts inside the timed part matter
    videos = frames = 0
    start = time.perf_counter()
    for _ in range(batches):
        counts = count_batch(next_batch())
        videos += counts['videos']
        frames += counts['frames']
    seconds = time.perf_counter() - start
    # Shut the workers down now (the iterator owns them), before the next
    # configuration starts its own, so that they do not compete for cores.
    iterator = None
    return dict(
        batches=batches,
        videos=videos,
        frames=frames,
        seconds=round(seconds, 4),
        videos_per_s=round(videos / seconds, 2),
        frames_per_s=round(frames / seconds, 2),
        restarts=restarts)


def summarize(backend: str, workers: int,
              runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    """One configuration's repeats: the median run's figures, and all runs.

    The median rather than the mean: on a shared machine the outliers are
    one-sided (other load only ever slows a run down) and few.
    """
    ordered = sorted(runs, key=lambda r: r['videos_per_s'])
    median = ordered[(len(ordered) - 1) // 2]
    speeds = [r['videos_per_s'] for r in ordered]
    return dict(
        median,
        backend=backend,
        workers=workers,
        repeats=len(runs),
        videos_per_s_min=speeds[0],
        videos_per_s_max=speeds[-1],
        runs=runs)


def markdown_table(results: List[Dict[str, Any]]) -> str:
    """The results as a markdown table, one row per configuration.

    With repeats the figures are the median run's, and the range of
    videos/s over the repeats is shown beside them.
    """
    repeated = any(r.get('repeats', 1) > 1 for r in results)
    header = '| backend | workers | batches | videos/s | frames/s | s/batch |'
    rule = '|---|---|---|---|---|---|'
    if repeated:
        header += ' videos/s range |'
        rule += '---|'
    lines = [header, rule]
    for r in results:
        line = (f"| {r['backend']} | {r['workers']} | {r['batches']} "
                f"| {r['videos_per_s']:.1f} | {r['frames_per_s']:.1f} "
                f"| {r['seconds'] / r['batches']:.3f} |")
        if repeated:
            line += (f" {r['videos_per_s_min']:.0f}-"
                     f"{r['videos_per_s_max']:.0f} |")
        lines.append(line)
    return '\n'.join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        'config',
        nargs='?',
        default=DEFAULT_CONFIG,
        help=f'config whose train_dataloader is measured (default: '
        f'{DEFAULT_CONFIG})')
    parser.add_argument(
        '--backends',
        nargs='+',
        default=['decord', 'pyav'],
        choices=['decord', 'pyav'],
        help='DecodeVideo backends to compare')
    parser.add_argument(
        '--workers',
        nargs='+',
        type=int,
        default=[0, 1, 2],
        help='num_workers values to compare')
    parser.add_argument(
        '--batches', type=int, default=20, help='batches timed per run')
    parser.add_argument(
        '--warmup',
        type=int,
        default=3,
        help='batches loaded before the timing starts')
    parser.add_argument(
        '--repeats',
        type=int,
        default=1,
        help='measure each configuration this many times (round-robin) '
        'and report the median run')
    parser.add_argument('--out', help='JSON file for the results')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. '
        'train_dataloader.batch_size=8')
    args = parser.parse_args()
    if args.batches < 1 or args.warmup < 0 or args.repeats < 1:
        parser.error('--batches and --repeats must be >= 1, --warmup >= 0')
    if any(w < 0 for w in args.workers):
        parser.error('--workers must be >= 0')
    return args


def main() -> None:
    args = parse_args()
    cfg = load_run_config(args.config, args.cfg_options)
    from mmengine.registry import init_default_scope
    init_default_scope(cfg.get('default_scope', 'snps3'))
    base = cfg.get('train_dataloader')
    if base is None:
        raise ConfigError(f"'{args.config}' has no train_dataloader.")
    base = base.to_dict() if hasattr(base, 'to_dict') else dict(base)

    hardware = (f'{cpu_model()}, {usable_cores()} usable cores '
                f'({os.cpu_count()} on the host)')
    now = datetime.datetime.now(datetime.timezone.utc)
    load = os.getloadavg()
    print(f'hardware: {hardware}')
    print(f'date: {now:%Y-%m-%d %H:%M} UTC; load average at start: '
          f'{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}')
    print(f"config: {args.config}; batch size {base.get('batch_size')}; "
          f'{args.warmup} warm-up + {args.batches} timed batches, '
          f'{args.repeats} repeat(s)')

    configs = []
    for backend in args.backends:
        for workers in args.workers:
            loader_cfg = copy.deepcopy(base)
            if not set_decode_backend(loader_cfg['dataset'], backend):
                raise ConfigError(
                    f"'{args.config}': the train pipeline has no "
                    'DecodeVideo step whose backend could be set.')
            loader_cfg['num_workers'] = workers
            # Workers that outlive their loader would compete with the
            # next configuration's; with 0 workers PyTorch refuses it.
            loader_cfg['persistent_workers'] = False
            configs.append((backend, workers, loader_cfg))

    # Repeats go round-robin over the configurations rather than one
    # configuration at a time, so that a burst of other load on a shared
    # machine hits one repeat of several configurations, not all repeats
    # of one; the median then discards it.
    runs: Dict[tuple, List[Dict[str, Any]]] = {}
    for repeat in range(args.repeats):
        for backend, workers, loader_cfg in configs:
            run = measure(copy.deepcopy(loader_cfg), args.batches, args.warmup)
            runs.setdefault((backend, workers), []).append(run)
            print(
                f'  [{repeat + 1}/{args.repeats}] {backend:6s} '
                f"workers={workers}: {run['videos_per_s']:.1f} videos/s, "
                f"{run['frames_per_s']:.1f} frames/s",
                flush=True)
    results = [
        summarize(backend, workers, runs[(backend, workers)])
        for backend, workers, _ in configs
    ]

    print()
    print(markdown_table(results))
    if args.out:
        if osp.dirname(args.out):
            os.makedirs(osp.dirname(args.out), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(
                dict(
                    config=args.config,
                    cfg_options=args.cfg_options,
                    hardware=dict(
                        cpu=cpu_model(),
                        usable_cores=usable_cores(),
                        host_cores=os.cpu_count()),
                    date=now.isoformat(timespec='seconds'),
                    load_average=[round(x, 2) for x in load],
                    batch_size=base.get('batch_size'),
                    warmup=args.warmup,
                    repeats=args.repeats,
                    results=results),
                f,
                indent=1)
        print(f'wrote {args.out}')


if __name__ == '__main__':
    with report_user_errors():
        main()
