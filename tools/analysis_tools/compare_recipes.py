# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Pre-training recipes compared under an equal wall-clock budget.

SNP-S3 and SimVTP differ in what a step costs, so equal iterations would
favour the cheaper one. This tool first times a short training run of each
recipe back to back on this machine (``--calib-iters``, median seconds per
iteration after the first two), gives the reference recipe (the first)
``--iters`` pre-training iterations and every other recipe as many as fit
in the same seconds, then pre-trains and evaluates each recipe over the
seeds with its own downstream configs (zero-shot retrieval, fine-tuned
retrieval, VideoQA, multiple choice) and writes one table::

    python tools/analysis_tools/compare_recipes.py           # SNP-S3 vs SimVTP
    python tools/analysis_tools/compare_recipes.py --dry-run # the plan

The runs are :mod:`run_ablation`'s (same folders, same resuming): with the
default work dir ``work_dirs/ablation`` the SNP-S3 recipe *is* the
ablation's ``SNP MSSM+GVTM+LVWM`` row, so after ``run_ablation.py`` only
SimVTP is trained. The calibration is kept in
``WORK_DIR/calibration/<recipe>/seconds_per_iter.json`` (delete it to time
again); the table goes to ``WORK_DIR/recipes.{md,json}``.
"""
import argparse
import json
import os
import os.path as osp
import signal
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

import run_ablation as ablation  # noqa: E402
from run_ablation import Row, Step  # noqa: E402

from snps3.utils import errors  # noqa: E402


@dataclass(frozen=True)
class Recipe:
    """A pre-training config and the downstream steps made for its model."""

    name: str
    config: str
    steps: Tuple[Step, ...]

    @property
    def row(self) -> Row:
        return Row(self.name, self.config)


RETRIEVAL = ablation.RETRIEVAL_METRICS
DEFAULT_RECIPES = (
    # The ablation's full S3 row, so its runs are shared.
    Recipe('SNP MSSM+GVTM+LVWM', 'configs/pretrain/snp_s3_embedded.py',
           ablation.DEFAULT_STEPS),
    Recipe('SimVTP', 'configs/pretrain/simvtp_vit-tiny_embedded.py', (
        Step('zero-shot', ablation.PRETRAIN, metrics=RETRIEVAL),
        Step(
            'ft-retrieval',
            'configs/retrieval/simvtp_ft_embedded.py',
            train=True,
            metrics=RETRIEVAL),
        Step(
            'qa',
            'configs/vqa/simvtp_ft_embedded-qa.py',
            train=True,
            metrics=('qa/acc', )),
        Step(
            'mc',
            'configs/mc/simvtp_embedded-mc.py',
            checkpoint_from='ft-retrieval',
            metrics=('mc/acc', 'mc/pairwise/acc')),
    )),
)
#: Iterations timed before the median is taken (start-up, first batches).
SKIP_ITERS = 2


def iteration_times(run_dir: str) -> List[float]:
    """Seconds of each logged training iteration of a run folder (MMEngine's
    ``vis_data/scalars.json``, one record per logging interval)."""
    times = []
    for root, _, files in os.walk(run_dir):
        if 'scalars.json' in files and root.endswith('vis_data'):
            with open(osp.join(root, 'scalars.json')) as f:
                for line in f:
                    record = json.loads(line)
                    if 'time' in record and 'loss' in record:
                        times.append(float(record['time']))
    return times


def calibrate(recipe: Recipe,
              iters: int,
              work_dir: str,
              dry_run: bool,
              cfg_options: Sequence[str] = ()) -> float:
    """Median seconds per training iteration of ``recipe`` on this machine,
    from a short run logged every iteration (cached in ``work_dir``)."""
    run_dir = osp.join(work_dir, 'calibration', ablation._slug(recipe.name))
    cache = osp.join(run_dir, 'seconds_per_iter.json')
    if osp.isfile(cache):
        with open(cache) as f:
            return json.load(f)['median']
    options = [
        'randomness.seed=0', f'train_cfg.max_iters={iters}',
        f'default_hooks.checkpoint.interval={iters + 1}',
        'default_hooks.logger.interval=1', 'log_processor.window_size=1',
        *ablation.NO_VAL, *cfg_options
    ]
    job = ablation.train_job('calibration', recipe.config, run_dir, options)
    if dry_run:
        print(f'  calibration of {recipe.name}: ' + ' '.join(job.argv))
        return float('nan')
    print(
        f'  timing {recipe.name} ({iters} iterations) ... ',
        end='',
        flush=True)
    ablation.execute(job, job.argv)
    times = iteration_times(run_dir)[SKIP_ITERS:]
    if not times:
        raise errors.DataError(
            f"the calibration run of '{recipe.name}' logged no iteration "
            f'times after the first {SKIP_ITERS}: raise --calib-iters.')
    median = statistics.median(times)
    with open(cache, 'w') as f:
        json.dump(dict(median=median, times=times, iters=iters), f, indent=1)
    print(f'{median:.2f} s/it')
    return median


def budgets(recipes: Sequence[Recipe], seconds_per_iter: Dict[str, float],
            ref_iters: int) -> Dict[str, int]:
    """Iterations of each recipe: the reference (first) gets ``ref_iters``,
    the others the same seconds at their own speed (at least 1)."""
    seconds = ref_iters * seconds_per_iter[recipes[0].name]
    return {
        r.name: (ref_iters if i == 0 else max(
            1, round(seconds / seconds_per_iter[r.name])))
        for i, r in enumerate(recipes)
    }


def format_table(recipes: Sequence[Recipe], results: dict,
                 plan: Dict[str, dict], num_seeds: int) -> str:
    """Markdown: a line per recipe; budget columns, then mean ± std."""
    names = []
    for res in results.values():
        names += [n for n in res['metrics'] if n not in names]
    header = ['recipe', 'params', 'pre-train iters', 's/it', 'pre-train s'
              ] + names
    lines = [
        '| ' + ' | '.join(header) + ' |',
        '|---' + '|---:' * (len(header) - 1) + '|'
    ]
    for recipe in recipes:
        p = plan[recipe.name]
        cells = [
            recipe.name, f"{p['params'] / 1e6:.2f}M",
            str(p['iters']), f"{p['seconds_per_iter']:.2f}",
            f"{p['iters'] * p['seconds_per_iter']:.0f}"
        ]
        metrics = results[recipe.name]['metrics']
        cells += [
            ablation.format_cell(metrics.get(n, {}), num_seeds) for n in names
        ]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Compare pre-training recipes (default: SNP-S3 vs '
        'SimVTP on the embedded corpus) under an equal wall-clock budget.')
    parser.add_argument(
        '--seeds', nargs='+', type=int, default=list(ablation.DEFAULT_SEEDS))
    parser.add_argument(
        '--iters',
        type=int,
        default=ablation.DEFAULT_ITERS,
        help='pre-training iterations of the reference (first) recipe; the '
        f'others get its seconds (default: {ablation.DEFAULT_ITERS}, as '
        'run_ablation.py)')
    parser.add_argument(
        '--ft-iters',
        type=int,
        default=ablation.DEFAULT_FT_ITERS,
        help='iterations of every fine-tuning step (equal for all recipes; '
        f'default: {ablation.DEFAULT_FT_ITERS})')
    parser.add_argument(
        '--calib-iters',
        type=int,
        default=12,
        help='iterations of each timing run (default: 12)')
    parser.add_argument('--work-dir', default='work_dirs/ablation')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=[],
        metavar='KEY=VALUE',
        help='extra options of the timing, pre-training and zero-shot runs')
    parser.add_argument(
        '--eval-cfg-options',
        nargs='+',
        default=[],
        metavar='KEY=VALUE',
        help='extra options of the downstream configs\' runs')
    parser.add_argument('--dry-run', action='store_true')
    args = parser.parse_args(argv)
    if args.iters < 1 or args.ft_iters < 1:
        parser.error('--iters and --ft-iters must be positive')
    if args.calib_iters <= SKIP_ITERS:
        parser.error(f'--calib-iters must be more than {SKIP_ITERS}')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    recipes = list(DEFAULT_RECIPES)
    for recipe in recipes:
        ablation.check_plan([recipe.row],
                            recipe.steps,
                            hint=f"recipe '{recipe.name}' needs it (run "
                            'from the repository root).')
    start = time.time()
    print('[1/2] seconds per pre-training iteration on this machine')
    try:
        speed = {
            r.name:
            calibrate(r, args.calib_iters, args.work_dir, args.dry_run,
                      args.cfg_options)
            for r in recipes
        }
    except RuntimeError as err:
        print(f'failed\nerror: {err}', file=sys.stderr)
        return 1
    if args.dry_run:
        print('  (a dry run times nothing: every recipe is shown at --iters)')
        iters = {r.name: args.iters for r in recipes}
    else:
        iters = budgets(recipes, speed, args.iters)
    print('[2/2] pre-training and evaluating: ' +
          ', '.join(f'{name} {n} iterations' for name, n in iters.items()))
    for recipe in recipes:
        run_args = argparse.Namespace(
            work_dir=args.work_dir,
            iters=iters[recipe.name],
            ft_iters=args.ft_iters,
            cfg_options=args.cfg_options,
            eval_cfg_options=args.eval_cfg_options)
        for seed in args.seeds:
            print(
                f'  {recipe.name}, seed {seed} '
                f'(elapsed {ablation._hms(time.time() - start)})',
                flush=True)
            jobs = ablation.run_jobs(recipe.row, seed, recipe.steps, run_args)
            try:
                ablation.run_in_order(jobs, args.dry_run, indent='    ')
            except RuntimeError as err:
                print(f'failed\nerror: {err}', file=sys.stderr)
                return 1
    if args.dry_run:
        return 0

    params = ablation.count_params([r.row for r in recipes],
                                   osp.join(args.work_dir, 'params.json'))
    results, plan = {}, {}
    for recipe in recipes:
        results.update(
            ablation.collect([recipe.row], recipe.steps, args.seeds,
                             args.work_dir, []))
        plan[recipe.name] = dict(
            config=recipe.config,
            iters=iters[recipe.name],
            seconds_per_iter=speed[recipe.name],
            params=params[recipe.name],
            steps=[s.config for s in recipe.steps])
    table = format_table(recipes, results, plan, len(args.seeds))
    note = (f'mean ± std over seeds {", ".join(map(str, args.seeds))}; '
            f'pre-training budget {args.iters} iterations of '
            f'{recipes[0].name} at the timed s/it, the same seconds for the '
            f'others; {args.ft_iters} iterations per fine-tuning step')
    with open(osp.join(args.work_dir, 'recipes.json'), 'w') as f:
        json.dump(dict(seeds=args.seeds, plan=plan, rows=results), f, indent=1)
    with open(osp.join(args.work_dir, 'recipes.md'), 'w') as f:
        f.write(f'{table}\n\n{note}\n')
    print(f'\n{table}\n\n{note}\ntotal {ablation._hms(time.time() - start)};'
          f' written to {args.work_dir}/recipes.{{json,md}}')
    return 0


if __name__ == '__main__':
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with errors.report_user_errors():
        sys.exit(main())
