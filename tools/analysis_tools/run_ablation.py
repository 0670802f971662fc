# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""The paper's ablations on the embedded corpus, in one command.

For every experiment row (a pre-training config) and seed it pre-trains
under an equal budget with ``tools/train.py``, then runs each downstream
step, and writes a table of mean ± std over the seeds with each row's
parameter count, like the paper's Tables II (S3 objectives) and III (SNP vs
P3E)::

    python tools/analysis_tools/run_ablation.py            # everything
    python tools/analysis_tools/run_ablation.py --dry-run  # the commands
    python tools/analysis_tools/run_ablation.py --seeds 0 1 --iters 100 \\
        --rows snp=configs/pretrain/snp_mlm-gvtm_embedded.py \\
        --steps zero-shot=pretrain

A downstream step is data, ``NAME=CONFIG[:train][:from=STEP]``:

* ``CONFIG`` is ``pretrain`` (the row's own pre-training config, whose test
  split is zero-shot retrieval) or a config file;
* ``:train`` fine-tunes that config from the pre-training checkpoint
  (``--cfg-options model.init_from.checkpoint=<ckpt>``) and then tests its
  last checkpoint; without it the config is only tested;
* ``:from=STEP`` takes the checkpoint of an earlier fine-tuning step
  instead (MSRVTT-MC is evaluated with the retrieval-fine-tuned model).

The budget is equal for every row: ``--iters`` pre-training iterations
(default 50) and ``--ft-iters`` per fine-tuning step (default 10; 0 keeps
each config's schedule), passed as ``--cfg-options`` with the configs'
warm-up and decay scaled to fit (``budget_options``). Training runs skip
their own validation, since each step is tested afterwards. A row whose
pre-training encoder differs from the downstream configs' (P3E) passes its
encoder type and settings on to them (``encoder_options``).

Everything is a subprocess (``tools/train.py``, ``tools/test.py``) logging
to a file under ``--work-dir``::

    WORK_DIR/<row>/seed<k>/            pre-training (iter_<iters>.pth, logs)
    WORK_DIR/<row>/seed<k>/<step>/     the step's training and test runs,
                                       results.json (tools/test.py --out)
    WORK_DIR/results.json, results.md  the table

Finished work is not redone: a pre-training run with its ``done.json``, a
fine-tuning run with its, and a test with its ``results.json`` are skipped,
so an interrupted ablation continues where it stopped (use a new work dir or
delete a run to redo it). The metric columns are each step's defaults or
``--metrics STEP:KEY ...`` (keys of ``test_results.json``).
"""
import argparse
import importlib.util
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from snps3.utils import errors  # noqa: E402

#: Config value of a step that tests the row's own pre-training config.
PRETRAIN = 'pretrain'


@dataclass(frozen=True)
class Row:
    """An experiment: a pre-training config and extra options of its
    downstream runs (besides its encoder, which they always take)."""

    name: str
    config: str
    downstream_options: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """A downstream evaluation (see the module doc)."""

    name: str
    config: str
    train: bool = False
    checkpoint_from: str = PRETRAIN
    metrics: Tuple[str, ...] = ()


DEFAULT_ROWS = (
    Row('SNP MLM+GVTM', 'configs/pretrain/snp_mlm-gvtm_embedded.py'),
    Row('SNP MSSM+GVTM', 'configs/pretrain/snp_mssm-gvtm_embedded.py'),
    Row('SNP MLM+GVTM+LVWM', 'configs/pretrain/snp_mlm-gvtm-lvwm_embedded.py'),
    # MSSM + GVTM + LVWM is the full SNP-S3 recipe.
    Row('SNP MSSM+GVTM+LVWM', 'configs/pretrain/snp_s3_embedded.py'),
    Row('P3E MLM+GVTM', 'configs/pretrain/p3e_mlm-gvtm_embedded.py'),
)

RETRIEVAL_METRICS = ('retrieval/t2v/R@1', 'retrieval/t2v/R@5',
                     'retrieval/v2t/R@1')
DEFAULT_STEPS = (
    Step('zero-shot', PRETRAIN, metrics=RETRIEVAL_METRICS),
    Step(
        'ft-retrieval',
        'configs/retrieval/snp_s3_ft_embedded.py',
        train=True,
        metrics=RETRIEVAL_METRICS),
    Step(
        'qa',
        'configs/vqa/snp_s3_ft_embedded-qa.py',
        train=True,
        metrics=('qa/acc', )),
    Step(
        'mc',
        'configs/mc/snp_s3_embedded-mc.py',
        checkpoint_from='ft-retrieval',
        metrics=('mc/acc', 'mc/pairwise/acc')),
)
# The budget: the 15 row-seed runs took 79 min on 2 CPU cores (measured,
# README), half of each run pre-training and half the downstream steps and
# process start-ups. It is too small for any row to leave chance.
DEFAULT_ITERS = 50
DEFAULT_FT_ITERS = 10
DEFAULT_SEEDS = (0, 1, 2)
# Training runs skip their own validation: every step is tested afterwards.
NO_VAL = ('val_cfg=None', 'val_dataloader=None', 'val_evaluator=None')


def _slug(name: str) -> str:
    return ''.join(c if c.isalnum() or c in '-_.' else '_'
                   for c in name.replace('+', '-'))


def parse_row(text: str) -> Row:
    """``NAME=CONFIG``."""
    name, sep, config = text.partition('=')
    if not sep or not name or not config:
        raise errors.ConfigError(f"row '{text}' is not NAME=CONFIG")
    return Row(name, config)


def parse_step(text: str) -> Step:
    """``NAME=CONFIG[:train][:from=STEP]``."""
    name, sep, spec = text.partition('=')
    parts = spec.split(':')
    if not sep or not name or not parts[0]:
        raise errors.ConfigError(f"step '{text}' is not "
                                 'NAME=CONFIG[:train][:from=STEP]')
    train, source = False, PRETRAIN
    for flag in parts[1:]:
        if flag == 'train':
            train = True
        elif flag.startswith('from='):
            source = flag[len('from='):]
        else:
            raise errors.ConfigError(f"step '{text}': unknown flag '{flag}' "
                                     "(expected 'train' or 'from=STEP')")
    return Step(name, parts[0], train, source)


def check_plan(
    rows: Sequence[Row],
    steps: Sequence[Step],
    hint: str = 'give the rows with --rows and the downstream steps with '
    '--steps.'
) -> None:
    """Config files exist, names are unique, sources come earlier; ``hint``
    ends the message of a missing config."""
    for kind, names in (('row', [r.name for r in rows]),
                        ('step', [s.name for s in steps])):
        slugs = [_slug(n) for n in names]
        if len(set(slugs)) != len(slugs):
            raise errors.ConfigError(
                f'{kind} names must be distinct (as folder '
                f'names): {names}')
    for path in [r.config for r in rows
                 ] + [s.config for s in steps if s.config != PRETRAIN]:
        if not osp.isfile(path):
            raise errors.MissingFileError(
                f"config '{path}' does not exist; {hint}")
    trained = set()
    for s in steps:
        if s.checkpoint_from != PRETRAIN and s.checkpoint_from not in trained:
            raise errors.ConfigError(
                f"step '{s.name}' takes its checkpoint from "
                f"'{s.checkpoint_from}', which is not an earlier step with "
                ':train.')
        if s.train:
            trained.add(s.name)


def budget_options(config: str, iters: Optional[int]) -> List[str]:
    """Options giving a config's schedule ``iters`` iterations.

    The schedulers' ``begin``/``end`` are scaled by ``iters / max_iters``,
    so warm-up and decay keep their shape; a checkpoint is saved at the last
    iteration. Without ``iters`` the config's own schedule is kept.
    """
    if iters is None:
        return []
    from mmengine.config import Config
    cfg = Config.fromfile(config)
    orig = cfg.train_cfg.get('max_iters')
    if not orig:
        raise errors.ConfigError(
            f"'{config}' has no train_cfg.max_iters to scale; "
            'the ablation budget is in iterations.')
    opts = [
        f'train_cfg.max_iters={iters}',
        f'default_hooks.checkpoint.interval={iters}'
    ]
    schedulers = cfg.get('param_scheduler') or []
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
        prefix = ['param_scheduler']
    else:
        prefix = [f'param_scheduler.{i}' for i in range(len(schedulers))]
    for key, sched in zip(prefix, schedulers):
        begin = round(sched.get('begin', 0) * iters / orig)
        if 'begin' in sched:
            opts.append(f'{key}.begin={begin}')
        if 'end' in sched:
            # A phase never shrinks to nothing (MMEngine refuses end ==
            # begin): a 2-iteration budget still has 1 warm-up iteration.
            end = max(begin + 1, min(iters,
                                     round(sched['end'] * iters / orig)))
            opts.append(f'{key}.end={end}')
    return opts


def encoder_options(config: str) -> List[str]:
    """Options giving a downstream config the pre-training encoder.

    The downstream configs describe SNP's shared encoder; a row that
    pre-trains another (P3E's separate fusion BERT) must be fine-tuned and
    tested with it, so its type and scalar settings are passed on. The
    ``config`` dict (the architecture, equal in both) and ``pretrained``
    (the weights come from the checkpoint) are not.
    """
    from mmengine.config import Config
    encoder = Config.fromfile(config).get('model', {}).get('encoder') or {}
    return [
        f'model.encoder.{k}={v}' for k, v in encoder.items()
        if k != 'pretrained' and isinstance(v, (str, int, float, bool))
    ]


def final_checkpoint(work_dir: str, iters: Optional[int]) -> str:
    """The last checkpoint of a finished training run."""
    if iters is not None and osp.isfile(
            osp.join(work_dir, f'iter_{iters}.pth')):
        return osp.join(work_dir, f'iter_{iters}.pth')
    marker = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(marker):
        with open(marker) as f:
            path = f.read().strip()
        if osp.isfile(path):
            return path
    raise errors.MissingFileError(f"no final checkpoint in '{work_dir}'")


@dataclass
class Job:
    """One subprocess: its command, log, and the file that marks it done."""

    label: str
    argv: List[str]
    log: str
    done: str
    # (work dir, iterations) of the training run whose last checkpoint the
    # job needs: fine-tuning starts from it, a test evaluates it.
    init_from: Optional[Tuple[str, Optional[int]]] = None
    checkpoint_from: Optional[Tuple[str, Optional[int]]] = None
    seconds: float = 0.0

    def is_done(self) -> bool:
        return osp.isfile(self.done)


def train_job(label: str, config: str, work_dir: str,
              options: Sequence[str]) -> Job:
    argv = [
        sys.executable,
        osp.join(REPO, 'tools', 'train.py'), config, '--work-dir', work_dir
    ]
    if options:
        argv += ['--cfg-options', *options]
    return Job(label, argv, osp.join(work_dir, 'ablation_train.log'),
               osp.join(work_dir, 'done.json'))


def test_job(label: str, config: str, checkpoint: str, work_dir: str,
             options: Sequence[str]) -> Job:
    argv = [
        sys.executable,
        osp.join(REPO, 'tools', 'test.py'), config, checkpoint, '--work-dir',
        osp.join(work_dir, 'test'), '--out',
        osp.join(work_dir, 'results.json')
    ]
    if options:
        argv += ['--cfg-options', *options]
    return Job(label, argv, osp.join(work_dir, 'ablation_test.log'),
               osp.join(work_dir, 'results.json'))


def run_jobs(row: Row, seed: int, steps: Sequence[Step], args) -> List[Job]:
    """Every job of one row and seed, in order (checkpoints are resolved
    when the jobs run, so the list can be built before any exists)."""
    run_dir = osp.join(args.work_dir, _slug(row.name), f'seed{seed}')
    seed_opt = [f'randomness.seed={seed}']
    jobs = [
        train_job(
            'pretrain', row.config, run_dir,
            seed_opt + budget_options(row.config, args.iters) + list(NO_VAL) +
            list(args.cfg_options))
    ]
    trained = {PRETRAIN: (run_dir, args.iters)}
    for step in steps:
        step_dir = osp.join(run_dir, _slug(step.name))
        if step.config == PRETRAIN:
            config, downstream = row.config, list(args.cfg_options)
        else:
            config = step.config
            downstream = encoder_options(row.config) + list(
                row.downstream_options) + list(args.eval_cfg_options)
        source_dir, source_iters = trained[step.checkpoint_from]
        if step.train:
            job = train_job(
                f'{step.name} (fine-tune)', config, step_dir,
                seed_opt + budget_options(config, args.ft_iters) +
                list(NO_VAL) + downstream)
            job.init_from = (source_dir, source_iters)
            jobs.append(job)
            source_dir, source_iters = step_dir, args.ft_iters
            trained[step.name] = (step_dir, args.ft_iters)
        job = test_job(step.name, config, '', step_dir, downstream)
        job.checkpoint_from = (source_dir, source_iters)
        jobs.append(job)
    return jobs


def _resolve(job: Job, dry_run: bool) -> List[str]:
    """The job's command with the checkpoint it needs filled in."""
    argv = list(job.argv)

    def ckpt(source):
        work_dir, iters = source
        if dry_run and not osp.isdir(work_dir):
            return osp.join(work_dir, f'iter_{iters or "<last>"}.pth')
        return final_checkpoint(work_dir, iters)

    if job.init_from is not None:
        argv.append(f'model.init_from.checkpoint={ckpt(job.init_from)}')
    if job.checkpoint_from is not None:
        argv[3] = ckpt(job.checkpoint_from)
    return argv


def run_in_order(jobs: Sequence[Job],
                 dry_run: bool,
                 indent: str = '  ') -> bool:
    """Run the jobs that are not done yet, one line each; print the commands
    instead on a dry run. Returns whether any ran; raises RuntimeError (with
    the log's tail) when one fails."""
    did = False
    for job in jobs:
        if job.is_done():
            print(f'{indent}{job.label}: done, skipped', flush=True)
            continue
        argv = _resolve(job, dry_run)
        if dry_run:
            print(f'{indent}{job.label}: ' + ' '.join(argv), flush=True)
            continue
        print(f'{indent}{job.label} ... ', end='', flush=True)
        execute(job, argv)
        did = True
        print(f'{job.seconds:.0f}s', flush=True)
    return did


def _hms(seconds: float) -> str:
    s = int(round(seconds))
    return f'{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}'


def execute(job: Job, argv: List[str]) -> None:
    """Run a job as a subprocess, logging to its file; raise on failure."""
    os.makedirs(osp.dirname(job.log), exist_ok=True)
    start = time.time()
    with open(job.log, 'w') as log:
        log.write(' '.join(argv) + '\n')
        log.flush()
        proc = subprocess.Popen(
            argv,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONUNBUFFERED='1'))
        try:
            rc = proc.wait()
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM): leave no orphan training.
            proc.terminate()
            proc.wait()
            raise
    job.seconds = time.time() - start
    if rc != 0:
        with open(job.log) as f:
            tail = ''.join(f.readlines()[-20:])
        raise RuntimeError(f'{job.label} failed (exit {rc}); log: {job.log}'
                           f'\n{tail}')
    with open(job.log + '.seconds', 'w') as f:
        f.write(f'{job.seconds:.1f}\n')
    if job.done.endswith('done.json'):
        with open(job.done, 'w') as f:
            json.dump(dict(command=argv, seconds=job.seconds), f, indent=1)


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------
def _columns(steps: Sequence[Step], metrics: Sequence[str]) -> List[tuple]:
    """(step, metric key) of each column."""
    if metrics:
        cols = []
        for m in metrics:
            step, sep, key = m.partition(':')
            if not sep or step not in {s.name for s in steps}:
                raise errors.ConfigError(
                    f"metric '{m}' is not STEP:KEY with STEP "
                    f'one of {[s.name for s in steps]}')
            cols.append((step, key))
        return cols
    return [(s.name, k) for s in steps for k in s.metrics]


def mean_std(values: Sequence[float]) -> Tuple[float, float]:
    """Mean and sample standard deviation (0 for a single value)."""
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, 0.0
    return mean, (sum((v - mean)**2 for v in values) / (n - 1))**0.5


def collect(rows: Sequence[Row], steps: Sequence[Step], seeds: Sequence[int],
            work_dir: str, metrics: Sequence[str]) -> dict:
    """Read every results.json and aggregate each column over seeds."""
    columns = _columns(steps, metrics)
    out = {}
    for row in rows:
        cells = {}
        for step, key in columns:
            values, used = [], []
            for seed in seeds:
                path = osp.join(work_dir, _slug(row.name), f'seed{seed}',
                                _slug(step), 'results.json')
                if not osp.isfile(path):
                    continue
                with open(path) as f:
                    value = json.load(f)['metrics'].get(key)
                if isinstance(value, (int, float)):
                    values.append(float(value))
                    used.append(seed)
            cell = dict(values=values, seeds=used)
            if values:
                cell['mean'], cell['std'] = mean_std(values)
            cells[f'{step}: {key}'] = cell
        out[row.name] = dict(config=row.config, metrics=cells)
    return out


def run_seconds(work_dir: str, rows: Sequence[Row],
                seeds: Sequence[int]) -> Dict[str, Dict[str, float]]:
    """Wall-clock seconds of each row and seed, all its jobs together
    (those this work dir has timed: ``*.log.seconds``)."""
    out = {}
    for row in rows:
        per_seed = {}
        for seed in seeds:
            run_dir = osp.join(work_dir, _slug(row.name), f'seed{seed}')
            total = 0.0
            for root, _, files in os.walk(run_dir):
                for name in files:
                    if name.endswith('.log.seconds'):
                        with open(osp.join(root, name)) as f:
                            total += float(f.read())
            per_seed[str(seed)] = round(total, 1)
        out[row.name] = per_seed
    return out


def count_params(rows: Sequence[Row], cache: str) -> Dict[str, int]:
    """Total parameters of each row's model (count_params.py's way),
    cached by config path."""
    counts = {}
    if osp.isfile(cache):
        with open(cache) as f:
            counts = json.load(f)
    missing = [r for r in rows if r.config not in counts]
    if missing:
        from mmengine.config import Config
        spec = importlib.util.spec_from_file_location(
            'count_params',
            osp.join(REPO, 'tools', 'analysis_tools', 'count_params.py'))
        tool = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(tool)
        for row in missing:
            model = tool.build_model(Config.fromfile(row.config))
            counts[row.config] = tool.count_parts(model)[0]['total']
        os.makedirs(osp.dirname(cache) or '.', exist_ok=True)
        with open(cache, 'w') as f:
            json.dump(counts, f, indent=1)
    return {r.name: counts[r.config] for r in rows}


def format_cell(cell: dict, num_seeds: int) -> str:
    """A column's value over the seeds: ``mean ± std`` (the mean alone for
    one seed), the number of seeds when some are missing, '-' for none."""
    if 'mean' not in cell:
        return '-'
    text = f"{cell['mean']:.2f}"
    if num_seeds > 1:
        text += f" ± {cell['std']:.2f}"
    if len(cell['values']) != num_seeds:
        text += f" (n={len(cell['values'])})"
    return text


def format_table(results: dict, params: Dict[str, int], num_seeds: int) -> str:
    """Markdown: one line per row, mean ± std of each column."""
    names = list(next(iter(results.values()))['metrics']) if results else []
    header = ['experiment', 'params'] + names
    lines = [
        '| ' + ' | '.join(header) + ' |',
        '|---' + '|---:' * (len(header) - 1) + '|'
    ]
    for row, res in results.items():
        cells = [row, f'{params[row] / 1e6:.2f}M' if row in params else '-']
        cells += [format_cell(res['metrics'][n], num_seeds) for n in names]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------
def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Pre-train each ablation row over several seeds under '
        'an equal budget, evaluate downstream, tabulate mean ± std.')
    parser.add_argument(
        '--rows',
        nargs='+',
        metavar='NAME=CONFIG',
        help='experiment rows (default: the four SNP objective sets and '
        'P3E MLM+GVTM on the embedded corpus)')
    parser.add_argument(
        '--steps',
        nargs='+',
        metavar='NAME=CONFIG[:train][:from=STEP]',
        help='downstream steps (default: zero-shot retrieval, fine-tuned '
        'retrieval, QA, MC); CONFIG "pretrain" is the row\'s own config')
    parser.add_argument(
        '--seeds',
        nargs='+',
        type=int,
        default=list(DEFAULT_SEEDS),
        help='seeds (default: 0 1 2)')
    parser.add_argument(
        '--iters',
        type=int,
        default=DEFAULT_ITERS,
        help=f'pre-training iterations of every row (default: '
        f'{DEFAULT_ITERS})')
    parser.add_argument(
        '--ft-iters',
        type=int,
        default=DEFAULT_FT_ITERS,
        help=f'fine-tuning iterations of every :train step (default: '
        f'{DEFAULT_FT_ITERS}; 0 keeps each config\'s own schedule)')
    parser.add_argument(
        '--work-dir',
        default='work_dirs/ablation',
        help='where runs and the table go (default: work_dirs/ablation)')
    parser.add_argument(
        '--metrics',
        nargs='+',
        default=[],
        metavar='STEP:KEY',
        help='table columns (default: each step\'s own)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=[],
        metavar='KEY=VALUE',
        help='extra options of pre-training and zero-shot runs')
    parser.add_argument(
        '--eval-cfg-options',
        nargs='+',
        default=[],
        metavar='KEY=VALUE',
        help='extra options of the downstream configs\' runs')
    parser.add_argument(
        '--dry-run',
        action='store_true',
        help='print the commands (and what is done already); run nothing')
    args = parser.parse_args(argv)
    if args.iters < 1 or args.ft_iters < 0:
        parser.error('--iters must be positive and --ft-iters >= 0')
    args.ft_iters = args.ft_iters or None
    if len(set(args.seeds)) != len(args.seeds):
        parser.error('--seeds must be distinct')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    rows = [parse_row(r)
            for r in args.rows] if args.rows else list(DEFAULT_ROWS)
    steps = [parse_step(s)
             for s in args.steps] if args.steps else list(DEFAULT_STEPS)
    check_plan(rows, steps)
    _columns(steps, args.metrics)  # fail early on a bad --metrics

    plan = [(row, seed, run_jobs(row, seed, steps, args)) for row in rows
            for seed in args.seeds]
    start, ran_runs, ran_seconds = time.time(), 0, 0.0
    for k, (row, seed, jobs) in enumerate(plan):
        left = len(plan) - k
        eta = (f'ETA {_hms(ran_seconds / ran_runs * left)}'
               if ran_runs else 'ETA unknown')
        print(
            f'[{k + 1}/{len(plan)}] {row.name}, seed {seed} '
            f'(elapsed {_hms(time.time() - start)}, {eta})',
            flush=True)
        run_start = time.time()
        try:
            did = run_in_order(jobs, args.dry_run)
        except RuntimeError as err:
            print(f'failed\nerror: {err}', file=sys.stderr)
            return 1
        if did:
            ran_runs += 1
            ran_seconds += time.time() - run_start
    if args.dry_run:
        return 0

    results = collect(rows, steps, args.seeds, args.work_dir, args.metrics)
    params = count_params(rows, osp.join(args.work_dir, 'params.json'))
    table = format_table(results, params, len(args.seeds))
    summary = dict(
        seeds=args.seeds,
        iters=args.iters,
        ft_iters=args.ft_iters,
        steps=[s.__dict__ for s in steps],
        params=params,
        seconds=run_seconds(args.work_dir, rows, args.seeds),
        rows=results)
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump(summary, f, indent=1)
    note = (f'mean ± std over seeds {", ".join(map(str, args.seeds))}; '
            f'{args.iters} pre-training iterations')
    with open(osp.join(args.work_dir, 'results.md'), 'w') as f:
        f.write(f'{table}\n\n{note}\n')
    print(f'\n{table}\n\n{note}\ntotal {_hms(time.time() - start)}; '
          f'written to {args.work_dir}/results.{{json,md}}')
    return 0


if __name__ == '__main__':
    # SIGTERM unwinds like Ctrl-C, so the running job is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with errors.report_user_errors():
        sys.exit(main())
