# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Measure the training step, the loader and retrieval scoring side by side.

In one process and one run, for each config (default: the embedded SNP-S3
config and the same recipe at BERT-base + ResNet-50 scale):

* ``params``: parameters of SNP, P3E and the two-stream baseline built from
  the config by swapping ``model.encoder`` (P3E: a separate 3-layer fusion
  BERT; two-stream: no fusion, so only the heads that need none).
* ``step``: training-step time (median over the timed steps, after warm-up
  steps), samples/s, peak memory, minor page faults per step and the loss
  per step, for each variant and precision: ``fp32``, ``bf16`` (autocast
  over the whole model, the frame backbone too whatever the config says;
  fp32 master weights) and ``bf16-fp32-backbone`` (the BERT in bf16, the
  frame backbone in fp32).
  Every variant and precision trains on the same pre-loaded batches from
  the same initial weights (``--seed``, 0 by default), so losses can be
  compared; the timed steps go round-robin over the models
  (``--sequential`` to not), so load from other processes slows them
  alike.
* ``mfu``: model FLOPs of one step (3 x the forward pass's, counted by
  ``torch.utils.flop_counter``) over its median time, as a fraction of
  the matrix-multiply peak measured here in the same precision (a large
  ``torch.matmul`` loop, before and after the steps, the best of the two:
  other load only lowers a peak).
* ``loader``: the config's train loader with its own worker count
  (``benchmark_loader.measure``) against the clips the step consumes.
* ``eval``: retrieval on the config's test split with ``--eval-config``:
  feature extraction, then dual, re-rank top-k and exhaustive scoring,
  with their time, fused pairs and R@1.
* ``profile`` (only when named): ``--profile-steps`` more steps of every
  model under ``torch.profiler``: self time per step by operator family
  (matmul, attention, normalization, copy / cast, optimizer, ...), the top
  operators, and with ``mfu`` the FLOP/s reached inside the matmuls, which
  tells slow matmuls apart from time spent outside them.

Peak memory, over the warm-up steps of a model: on a GPU
``torch.cuda.max_memory_allocated``; on a CPU the growth of the resident set
(Linux's high-water mark, reset before them; freed heap handed back with
``malloc_trim`` first), i.e. activations, gradients and optimizer state above
the weights.

Examples:
    python tools/analysis_tools/benchmark.py                 # everything
    python tools/analysis_tools/benchmark.py --sections params step \\
        --precisions fp32 bf16 --steps 5 --out-dir work_dirs/benchmark
    python tools/analysis_tools/benchmark.py CONFIG --variants snp p3e
    python tools/analysis_tools/benchmark.py CONFIG --sections mfu profile \
        --variants snp --precisions bf16 --steps 3

Absolute figures depend on the machine and on what else runs on it (the
load average is printed); ratios taken in one run are the robust output.
"""
import argparse
import copy
import ctypes
import datetime
import json
import os
import os.path as osp
import re
import statistics
import sys
import time
from typing import Any, Dict, List, Optional

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from mmengine.config import DictAction  # noqa: E402

from snps3.utils.config import load_run_config  # noqa: E402
from snps3.utils.errors import ConfigError, report_user_errors  # noqa: E402
from tools.analysis_tools import benchmark_loader  # noqa: E402

DEFAULT_CONFIGS = [
    'configs/pretrain/snp_mssm-vtc-lvwm_embedded.py',
    'configs/pretrain/snp_mssm-vtc-lvwm_bert-base_embedded.py',
]
DEFAULT_EVAL_CONFIG = 'configs/pretrain/snp_s3_embedded.py'
SECTIONS = ('params', 'step', 'mfu', 'loader', 'eval', 'profile')
#: ``profile`` only when asked for: it adds profiled steps to every model.
DEFAULT_SECTIONS = SECTIONS[:-1]
VARIANTS = ('snp', 'p3e', 'two-stream')
PRECISIONS = ('fp32', 'bf16', 'bf16-fp32-backbone')
SCORING_MODES = ('dual', 'rerank', 'exhaustive')
#: Encoder arguments only P3E understands, dropped when switching away.
P3E_ONLY = ('fusion_layers', 'fusion_init')


# ----------------------------------------------------------------- machine
def device_name(device: torch.device) -> str:
    if device.type == 'cuda':
        return torch.cuda.get_device_name(device)
    return (f'{benchmark_loader.cpu_model()}, '
            f'{benchmark_loader.usable_cores()} usable cores '
            f'({os.cpu_count()} on the host)')


def machine_info(device: torch.device) -> Dict[str, Any]:
    load = os.getloadavg()
    return dict(
        device=device_name(device),
        device_type=device.type,
        torch=torch.__version__,
        torch_threads=torch.get_num_threads(),
        date=datetime.datetime.now(
            datetime.timezone.utc).isoformat(timespec='seconds'),
        load_average_at_start=[round(x, 2) for x in load],
        # Allocation speed moves CPU step times by ~10% (README).
        glibc_tunables=os.environ.get('GLIBC_TUNABLES', ''),
        transparent_hugepages=_thp_mode())


def malloc_note(machine: dict) -> str:
    return (f"GLIBC_TUNABLES={machine['glibc_tunables'] or '(unset)'}, "
            f"transparent huge pages {machine['transparent_hugepages']}")


def _thp_mode() -> Optional[str]:
    """The kernel's THP mode, the bracketed word: always/madvise/never."""
    try:
        text = open('/sys/kernel/mm/transparent_hugepage/enabled').read()
    except OSError:
        return None
    match = re.search(r'\[(\w+)\]', text)
    return match.group(1) if match else None


def matmul_peak(dtype: torch.dtype,
                device: torch.device,
                size: int = 2048,
                seconds: float = 1.0) -> float:
    """Measured FLOP/s of a square ``torch.matmul`` (best of 3 rounds)."""
    a = torch.randn(size, size, device=device).to(dtype)
    b = torch.randn(size, size, device=device).to(dtype)
    flops = 2 * size**3
    _sync(device)
    start = time.perf_counter()
    a @ b  # warm-up, and an estimate of how many fit in `seconds`
    _sync(device)
    reps = max(1, int(seconds / 3 / max(time.perf_counter() - start, 1e-6)))
    best = 0.0
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(reps):
            a @ b
        _sync(device)
        best = max(best, reps * flops / (time.perf_counter() - start))
    return best


def measure_peaks(device: torch.device, size: int) -> Dict[str, float]:
    """fp32 and bf16 matmul peaks, TFLOP/s."""
    return {
        name: round(matmul_peak(dtype, device, size) / 1e12, 4)
        for name, dtype in (('fp32', torch.float32), ('bf16', torch.bfloat16))
    }


def add_mfu(rows: List[dict], peaks_tflops: Dict[str, float]) -> None:
    """MFU of each step row against the peak of its precision."""
    for row in rows:
        if 'gflop_per_step' in row:
            precision = 'fp32' if row['precision'] == 'fp32' else 'bf16'
            achieved = row['gflop_per_step'] / row['step_s'] / 1e3
            row['mfu'] = round(achieved / peaks_tflops[precision], 4)
            print(f"  {row['config']} {row['variant']} {row['precision']}: "
                  f"MFU {row['mfu']:.1%}")


def minor_faults() -> Optional[int]:
    """This process's minor page faults so far (None where unknown).

    A fault maps (and zeroes) a page on its first touch after being mapped:
    new memory, or memory the allocator handed back to the system and took
    again, which then costs one fault per page every step.
    """
    try:
        import resource
    except ImportError:  # no `resource` module on Windows
        return None
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def _sync(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


# ------------------------------------------------------------------ memory
class PeakMemory:
    """Peak memory of a code region (see the module docstring)."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.start = 0

    @staticmethod
    def _status(field: str) -> int:
        with open('/proc/self/status') as f:
            return int(re.search(rf'{field}:\s+(\d+)', f.read()).group(1))

    def __enter__(self):
        if self.device.type == 'cuda':
            torch.cuda.synchronize(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)
            self.start = torch.cuda.memory_allocated(self.device)
            return self
        try:  # hand freed heap back, so the resident set is what is live
            ctypes.CDLL('libc.so.6').malloc_trim(0)
        except OSError:
            pass
        try:
            with open('/proc/self/clear_refs', 'w') as f:
                f.write('5')  # reset the resident-set high-water mark
            self.start = self._status('VmRSS') * 1024
        except OSError:
            self.start = None
        return self

    def __exit__(self, *exc) -> None:
        if self.device.type == 'cuda':
            torch.cuda.synchronize(self.device)
            self.peak = torch.cuda.max_memory_allocated(self.device)
        elif self.start is None:
            self.peak = None
        else:
            self.peak = self._status('VmHWM') * 1024

    @property
    def growth_mb(self) -> Optional[float]:
        if self.peak is None:
            return None
        return round((self.peak - self.start) / 2**20, 1)


# ------------------------------------------------------------------ models
def variant_model_cfg(model_cfg: dict, variant: str) -> dict:
    """The config's model with its encoder swapped to ``variant``.

    ``snp``: the shared BERT; ``p3e``: the same text BERT plus a separate
    3-layer fusion BERT (as configs/_base_/models/p3e_*.py); ``two-stream``:
    no fusion pass, so the heads that read one are left out.
    """
    from snps3.registry import MODELS
    cfg = copy.deepcopy(model_cfg)
    encoder = dict(cfg['encoder'])
    if variant == 'p3e':
        if encoder.get('type') != 'SeparateFusionEncoder':
            # The paper's 3 fusion layers, fewer for a shallower test BERT.
            depth = (encoder.get('config') or {}).get('num_hidden_layers', 3)
            encoder.update(
                type='SeparateFusionEncoder',
                fusion_layers=min(3, depth),
                fusion_init='text_layers')
    else:
        for key in P3E_ONLY:
            encoder.pop(key, None)
        encoder['type'] = ('SharedBertEncoder'
                           if variant == 'snp' else 'TwoStreamEncoder')
    cfg['encoder'] = encoder
    if variant == 'two-stream':
        heads = {}
        for name, head in cfg['heads'].items():
            if head is None:
                continue
            requires = getattr(MODELS.get(head['type']), 'requires', ())
            if not any(r.startswith('fusion') for r in requires):
                heads[name] = head
        cfg['heads'] = heads
    return cfg


def build_model(model_cfg: dict, device: torch.device, seed: int = 0):
    from snps3.registry import MODELS
    torch.manual_seed(seed)
    return MODELS.build(copy.deepcopy(model_cfg)).to(device)


def count_params(model) -> int:
    """Distinct parameters (a tied MLM decoder counts once)."""
    return sum(p.numel() for p in {id(p): p
                                   for p in model.parameters()}.values())


def build_optim_wrapper(model, cfg, precision: str, device: torch.device):
    from mmengine.optim import build_optim_wrapper as build
    wrapper = copy.deepcopy(cfg.optim_wrapper.to_dict())
    if precision != 'fp32':
        if device.type == 'cuda':
            wrapper.update(type='AmpOptimWrapper', dtype='bfloat16')
        else:
            wrapper['type'] = 'BF16AutocastOptimWrapper'
    return build(model, wrapper)


# ------------------------------------------------------------------- steps
def load_batches(loader_cfg: dict, count: int, seed: int = 0) -> List[Any]:
    """``count`` batches from the train loader, decoded once, kept.

    Seeded like a run with ``randomness.seed``: the frames drawn, crops and
    masks follow ``seed``, so a seed names its batches.
    """
    from mmengine.runner import Runner, set_random_seed
    loader_cfg = copy.deepcopy(loader_cfg)
    loader_cfg.update(num_workers=0, persistent_workers=False)
    set_random_seed(seed)
    loader = Runner.build_dataloader(loader_cfg, seed=seed)
    batches = []
    while len(batches) < count:
        for batch in loader:
            batches.append(batch)
            if len(batches) == count:
                break
    return batches


def step_flops(model, optim_wrapper, batch) -> int:
    """Model FLOPs of one training step: 3 x the forward pass's.

    The usual MFU convention (the backward pass costs about twice the
    forward). Counting the backward pass itself is not reliable: torch's
    counter charges the backward of a grouped (depthwise) convolution as if
    it were dense, many times its real cost for EfficientNet.
    """
    from torch.utils.flop_counter import FlopCounterMode
    with FlopCounterMode(
            display=False, custom_mapping=_cpu_attention_flops()) as counter:
        with torch.no_grad(), optim_wrapper.optim_context(model):
            data = model.data_preprocessor(copy.deepcopy(batch), True)
            model(**data, mode='loss')
    return 3 * int(counter.get_total_flops())


def _cpu_attention_flops() -> dict:
    """FLOP formulas for the CPU flash-attention kernels (SDPA on CPU).

    torch's counter knows the CUDA attention kernels only; without these
    entries attention would count as zero on a CPU.
    """
    from torch.utils import flop_counter as fc
    aten = torch.ops.aten
    mapping = {}
    if hasattr(aten, '_scaled_dot_product_flash_attention_for_cpu'):

        def forward(q, k, v, *args, out_shape=None, **kwargs):
            return fc.sdpa_flop_count(q, k, v)

        mapping[aten._scaled_dot_product_flash_attention_for_cpu] = forward
    if hasattr(aten, '_scaled_dot_product_flash_attention_for_cpu_backward'):

        def backward(grad_out, q, k, v, *args, out_shape=None, **kwargs):
            return fc.sdpa_backward_flop_count(grad_out, q, k, v)

        mapping[aten._scaled_dot_product_flash_attention_for_cpu_backward] = (
            backward)
    return mapping


class StepRun:
    """One (variant, precision) model training on the shared batches."""

    def __init__(self,
                 cfg,
                 label: str,
                 variant: str,
                 precision: str,
                 batches: List[Any],
                 device: torch.device,
                 seed: int = 0) -> None:
        model_cfg = variant_model_cfg(cfg.model.to_dict(), variant)
        if precision == 'bf16-fp32-backbone':
            model_cfg['backbone']['autocast'] = False
        elif precision == 'bf16' and 'autocast' in model_cfg['backbone']:
            model_cfg['backbone']['autocast'] = True
        self.model = build_model(model_cfg, device, seed).train()
        self.wrapper = build_optim_wrapper(self.model, cfg, precision, device)
        self.batches, self.device = batches, device
        self.row = dict(
            config=label,
            variant=variant,
            precision=precision,
            batch_size=len(batches[0]['data_samples']),
            params=count_params(self.model))
        self.times: List[float] = []
        self.faults: List[int] = []
        self.losses: List[float] = []

    def step(self) -> float:
        batch = self.batches[len(self.losses)]
        _sync(self.device)
        start = time.perf_counter()
        log_vars = self.model.train_step(batch, self.wrapper)
        _sync(self.device)
        self.losses.append(
            round(float(torch.as_tensor(log_vars['loss']).detach()), 5))
        return time.perf_counter() - start

    def warm_up(self, steps: int) -> None:
        """Untimed steps; the memory they add (activations, gradients,
        optimizer state) is the peak memory of the step."""
        with PeakMemory(self.device) as memory:
            for _ in range(max(steps, 1)):
                self.step()
        self.row['peak_mem_mb'] = memory.growth_mb
        print(
            f"  {self.row['config']} {self.row['variant']} "
            f"{self.row['precision']}: built, {max(steps, 1)} warm-up "
            'step(s) done',
            flush=True)

    def timed_step(self) -> None:
        before = minor_faults()
        self.times.append(self.step())
        if before is not None:
            self.faults.append(minor_faults() - before)

    def profile(self, steps: int) -> None:
        """Where the time of ``steps`` more steps goes, by operator."""
        activities = [torch.profiler.ProfilerActivity.CPU]
        if self.device.type == 'cuda':
            activities.append(torch.profiler.ProfilerActivity.CUDA)
        with torch.profiler.profile(activities=activities) as prof:
            for i in range(steps):
                self.model.train_step(self.batches[i % len(self.batches)],
                                      self.wrapper)
            _sync(self.device)
        self.row['profile'] = op_breakdown(prof.key_averages(), steps,
                                           self.device)

    def finish(self, count_flops: bool) -> dict:
        row, times = self.row, self.times
        row.update(
            step_s=round(statistics.median(times), 4),
            step_s_min=round(min(times), 4),
            step_s_max=round(max(times), 4),
            timed_steps=len(times),
            losses=self.losses,
            page_faults_per_step=(round(statistics.median(self.faults))
                                  if self.faults else None))
        row['samples_per_s'] = round(row['batch_size'] / row['step_s'], 2)
        if count_flops:  # MFU follows once the matmul peak is final
            flops = step_flops(self.model, self.wrapper, self.batches[-1])
            row.update(
                gflop_per_step=round(flops / 1e9, 2),
                achieved_tflops=round(flops / row['step_s'] / 1e12, 4))
        print(
            f"  {row['config']} {row['variant']:10s} {row['precision']:18s} "
            f"{row['step_s']:.3f} s/step ({row['samples_per_s']:.1f} "
            f"samples/s), loss {row['losses'][0]:.3f} -> "
            f"{row['losses'][-1]:.3f}",
            flush=True)
        self.model = self.wrapper = None  # free before the next one
        return row


def bench_steps(cfg,
                label: str,
                variants: List[str],
                precisions: List[str],
                batches: List[Any],
                warmup: int,
                device: torch.device,
                count_flops: bool,
                interleave: bool,
                profile_steps: int = 0,
                seed: int = 0) -> List[dict]:
    """Every (variant, precision) trains on the same batches; then, with
    ``profile_steps``, each profiles that many more.

    Interleaved (default), all models are built and warmed up first, then
    the timed steps go round-robin (step i of every model, then step i+1),
    so a burst of other load on a shared machine slows every model alike
    and the ratios between them hold. Otherwise one model at a time (less
    memory: one model alive).
    """
    combos = [(v, p) for v in variants for p in precisions]
    timed = len(batches) - max(warmup, 1)
    if not interleave:
        rows = []
        for variant, precision in combos:
            run = StepRun(cfg, label, variant, precision, batches, device,
                          seed)
            run.warm_up(warmup)
            for _ in range(timed):
                run.timed_step()
            if profile_steps:
                run.profile(profile_steps)
            rows.append(run.finish(count_flops))
        return rows
    runs = []
    for variant, precision in combos:
        runs.append(
            StepRun(cfg, label, variant, precision, batches, device, seed))
        runs[-1].warm_up(warmup)
    for _ in range(timed):
        for run in runs:
            run.timed_step()
    for run in runs if profile_steps else ():
        run.profile(profile_steps)
    return [run.finish(count_flops) for run in runs]


# ----------------------------------------------------------------- profile
#: Operator families of a step's time, by the operator's name (first match
#: wins; forward and backward alike, e.g. ``native_layer_norm_backward`` is
#: normalization).
OP_FAMILIES = (
    ('matmul', r'^aten::(mm|addmm|bmm|baddbmm|addbmm|matmul|linear)$'),
    ('attention', r'scaled_dot_product|flash_attention|efficient_attention'),
    ('convolution', r'conv'),
    ('normalization', r'norm'),
    ('softmax', r'softmax'),
    ('activation', r'gelu|relu|silu|sigmoid|tanh|hardswish|threshold'),
    ('optimizer', r'adam|_foreach|Optimizer'),
    ('copy / cast', r'^aten::(copy_|_to_copy|to|clone|contiguous|cat|stack|'
     r'index|index_select|gather|scatter|embedding)'),
    ('elementwise / reduction', r'^aten::(add|mul|sub|div|neg|where|masked|'
     r'fill|zero|sum|mean|max|min|exp|log|pow|sqrt|rsqrt|eq|ne|lt|gt|ge|le|'
     r'bitwise|logical|clamp|nll|cross_entropy)'),
    ('autograd engine', r'^autograd::|Backward'),
)


def op_family(name: str) -> str:
    for family, pattern in OP_FAMILIES:
        if re.search(pattern, name):
            return family
    return 'other'


def op_breakdown(events,
                 steps: int,
                 device: torch.device,
                 top: int = 8) -> dict:
    """Self time per step by operator family and the top operators.

    Self times (an operator's time minus its children's) add up to the
    profiled time, so the shares are of the whole step. On a GPU they are
    device (kernel) times.
    """
    attr = ('self_device_time_total'
            if device.type == 'cuda' else 'self_cpu_time_total')
    ops = [(e.key, getattr(e, attr) / 1e3 / steps, e.count / steps)
           for e in events]
    total = sum(ms for _, ms, _ in ops) or 1.0
    families: Dict[str, float] = {}
    for name, ms, _ in ops:
        family = op_family(name)
        families[family] = families.get(family, 0.0) + ms
    ranked = sorted(ops, key=lambda op: -op[1])[:top]
    return dict(
        profiled_steps=steps,
        self_ms_per_step=round(total, 1),
        families={
            k: round(v / total, 4)
            for k, v in sorted(families.items(), key=lambda kv: -kv[1])
        },
        top_ops=[
            dict(
                name=name,
                ms_per_step=round(ms, 1),
                share=round(ms / total, 4),
                calls_per_step=round(calls, 1)) for name, ms, calls in ranked
        ])


# ------------------------------------------------------------------ loader
def bench_loader(cfg, label: str, batches: int, warmup: int,
                 step_rows: List[dict]) -> dict:
    loader_cfg = copy.deepcopy(cfg.train_dataloader.to_dict())
    loader_cfg['persistent_workers'] = False  # shut down after measuring
    result = benchmark_loader.measure(loader_cfg, batches, warmup)
    row = dict(
        config=label,
        workers=cfg.train_dataloader.get('num_workers', 0),
        loader_videos_per_s=result['videos_per_s'],
        restarts=result['restarts'])
    for step in step_rows:
        if step['config'] == label and step['variant'] == 'snp':
            row[f"step_videos_per_s_{step['precision']}"] = step[
                'samples_per_s']
            row[f"ratio_{step['precision']}"] = round(
                result['videos_per_s'] / step['samples_per_s'], 2)
    print(
        f"  {label} loader ({row['workers']} workers): "
        f"{row['loader_videos_per_s']:.1f} videos/s",
        flush=True)
    return row


# -------------------------------------------------------------------- eval
@torch.no_grad()
def extract_split(model, loader) -> Dict[str, Any]:
    records = {}
    for batch in loader:
        data = model.data_preprocessor(batch, False)
        feats = model(**data, mode='tensor')
        for i, sample in enumerate(data['data_samples']):
            records[sample.text_id] = dict(
                video_index=sample.video_index,
                **{
                    k: v[i].float().cpu()
                    for k, v in feats.items()
                })
    return records


def bench_eval(eval_cfg, modes: List[str], k: int, checkpoint: Optional[str],
               device: torch.device, max_texts: Optional[int],
               dual_weights: List[float]) -> dict:
    from mmengine.runner import Runner, load_checkpoint

    from snps3.evaluation.metrics.retrieval import retrieval_ranks
    from snps3.evaluation.scoring import exhaustive, rerank
    model = build_model(eval_cfg.model.to_dict(), device).eval()
    if checkpoint:
        load_checkpoint(model, checkpoint, map_location='cpu')
    xm = [n for n, h in model.heads.items() if hasattr(h, 'score_pairs')]
    loader_cfg = copy.deepcopy(eval_cfg.test_dataloader.to_dict())
    loader_cfg['persistent_workers'] = False
    loader = Runner.build_dataloader(loader_cfg, seed=0)
    start = time.perf_counter()
    records = extract_split(model, loader)
    extract_s = time.perf_counter() - start
    # The gallery is every video of the split; the queries all its captions
    # or, with ``max_texts``, that many spread evenly over them (t2v only:
    # a video's best match among sampled captions would mean nothing).
    all_texts = [records[t] for t in sorted(records)]
    videos = {}
    for rec in all_texts:
        videos.setdefault(rec['video_index'], rec)
    order = sorted(videos)
    texts = all_texts
    if max_texts and max_texts < len(all_texts):
        picks = np.linspace(0, len(all_texts) - 1, max_texts).round()
        texts = [all_texts[int(i)] for i in picks]
    both_ways = len(texts) == len(all_texts)
    gt = [order.index(r['video_index']) for r in texts]
    video_feats = torch.stack([videos[v]['video_feat'] for v in order])
    text_feats = torch.stack([r['text_feat'] for r in texts])
    ids = torch.stack([r['input_ids'] for r in texts]).long()
    mask = torch.stack([r['attention_mask'] for r in texts]).long()
    tokens = torch.stack([videos[v]['frame_tokens'] for v in order])

    def scorer(text_index, video_index):
        return model.pair_scores(ids[text_index].to(device),
                                 mask[text_index].to(device),
                                 tokens[video_index].to(device), xm[0])

    v2t_gt = [[i for i, g in enumerate(gt) if g == col]
              for col in range(len(order))]

    def row(mode, out, seconds, weight=None):
        t2v_r1 = round(
            100.0 * float((retrieval_ranks(out['t2v'], gt) <= 1).mean()), 1)
        v2t_r1 = None
        if both_ways:
            v2t = retrieval_ranks(out['v2t'], v2t_gt)
            v2t_r1 = round(100.0 * float((v2t <= 1).mean()), 1)
        print(
            f"  eval {mode:10s} dual weight {_fmt(weight, 'g'):>4} "
            f"{out['fusion_pairs']:7d} pairs {seconds:7.2f} s, t2v R@1 "
            f'{t2v_r1:.1f}',
            flush=True)
        return dict(
            mode=mode,
            k=k if mode == 'rerank' else None,
            dual_weight=weight,
            fusion_pairs=int(out['fusion_pairs']),
            seconds=round(seconds, 3),
            t2v_r1=t2v_r1,
            v2t_r1=v2t_r1)

    # The dual scores are computed once; every mode's time includes them.
    start = time.perf_counter()
    dual = model.similarity(text_feats.to(device),
                            video_feats.to(device)).float().cpu().numpy()
    dual_s = time.perf_counter() - start
    rows = []
    for mode in modes:
        if mode != 'dual' and not xm:
            print(f'  eval: {mode} skipped, the model has no cross-matching '
                  'head (score_pairs)')
            continue
        if mode == 'dual':
            out = dict(t2v=dual, v2t=dual.T, fusion_pairs=0)
            rows.append(row(mode, out, dual_s))
        elif mode == 'rerank':
            for weight in dual_weights:
                start = time.perf_counter()
                out = rerank(
                    dual, scorer, k, v2t=both_ways, dual_weight=weight)
                seconds = dual_s + time.perf_counter() - start
                rows.append(row(mode, out, seconds, weight))
        else:
            # Fuse every pair once; each weight only adds its dual part.
            start = time.perf_counter()
            fused = exhaustive(dual, scorer)
            seconds = dual_s + time.perf_counter() - start
            for weight in dual_weights:
                t2v = fused['t2v'] + weight * dual
                out = dict(t2v=t2v, v2t=t2v.T, fusion_pairs=dual.size)
                rows.append(row(mode, out, seconds, weight))
    # Every weight shares the one exhaustive fusion, hence its time.
    exhaustive_s = next(
        (r['seconds'] for r in rows if r['mode'] == 'exhaustive'), 0)
    for r in rows:
        if exhaustive_s > 0:
            r['time_vs_exhaustive'] = round(r['seconds'] / exhaustive_s, 4)
    # Fused pairs on a 1,000-video, 1,000-caption gallery, by counting:
    # exhaustive fuses every pair, re-ranking at most 2 k per query pair.
    gallery = 1000
    return dict(
        texts=len(texts),
        videos=len(order),
        checkpoint=checkpoint,
        head=xm[0] if xm else None,
        extract_s=round(extract_s, 3),
        rows=rows,
        pairs_at_1000=dict(
            exhaustive=gallery * gallery,
            rerank_at_most=2 * k * gallery,
            ratio_at_most=round(2 * k * gallery / gallery**2, 4)))


# ----------------------------------------------------------------- reports
def _fmt(value, spec: str = '', missing: str = '-') -> str:
    return missing if value is None else format(value, spec)


def ratios(step_rows: List[dict]) -> List[dict]:
    """SNP vs P3E step time and bf16 speed-up, per config."""
    index = {(r['config'], r['variant'], r['precision']): r for r in step_rows}
    out = []
    for (label, variant, precision), row in index.items():
        entry = dict(config=label, variant=variant, precision=precision)
        p3e = index.get((label, 'p3e', precision))
        if variant == 'snp' and p3e:
            entry['snp_over_p3e_step'] = round(row['step_s'] / p3e['step_s'],
                                               3)
            entry['snp_over_p3e_params'] = round(row['params'] / p3e['params'],
                                                 3)
        fp32 = index.get((label, variant, 'fp32'))
        if precision != 'fp32' and fp32:
            entry['speedup_over_fp32'] = round(fp32['step_s'] / row['step_s'],
                                               3)
            entry['final_loss_diff'] = round(
                row['losses'][-1] - fp32['losses'][-1], 4)
            entry['mean_abs_loss_diff'] = round(
                statistics.fmean(
                    abs(a - b) for a, b in zip(row['losses'], fp32['losses'])),
                4)
        if len(entry) > 3:
            out.append(entry)
    return out


def markdown(report: dict) -> str:
    m = report['machine']
    lines = [
        f"Machine: {m['device']}; torch {m['torch']}, "
        f"{m['torch_threads']} threads; {m['date']}; load average at start "
        f"{' '.join(map(str, m['load_average_at_start']))}; "
        f"{malloc_note(m)}.", ''
    ]
    if report.get('matmul_peak_tflops'):
        peaks = ', '.join(f'{k} {v:.3f}'
                          for k, v in report['matmul_peak_tflops'].items())
        samples = '; '.join(
            ', '.join(f'{k} {v:.3f}' for k, v in sample.items())
            for sample in report.get('matmul_peak_samples_tflops', []))
        lines += [
            f'Measured matmul peak (TFLOP/s): {peaks} (the best of the '
            f'measurements before and after the steps: {samples}).', ''
        ]
    if report.get('params'):
        lines += [
            '| config | SNP | P3E | two-stream | SNP / P3E |',
            '|---|---:|---:|---:|---:|'
        ]
        for label, p in report['params'].items():
            ratio = (
                p['snp'] / p['p3e'] if p.get('snp') and p.get('p3e') else None)
            lines.append(f"| {label} | {_fmt(p.get('snp'), ',')} "
                         f"| {_fmt(p.get('p3e'), ',')} "
                         f"| {_fmt(p.get('two-stream'), ',')} "
                         f"| {_fmt(ratio, '.3f')} |")
        lines.append('')
    if report.get('step'):
        how = ('round-robin' if report['settings'].get('interleaved') else
               'one model after the other')
        lines += [
            f"Training steps: median of {report['settings']['steps']} timed "
            f"steps after {report['settings']['warmup']} warm-up steps, "
            f'timed {how}; peak memory is the growth over the warm-up steps; '
            'page faults: minor faults of the process per step (median), '
            'each a page mapped in on first touch (new memory, or memory the '
            'allocator handed back and took again).', '',
            '| config | variant | precision | batch | step s (median) '
            '| range | samples/s | peak mem MB | page faults | GFLOP/step '
            '| MFU | loss first -> last |',
            '|---|---|---|---:|---:|---|---:|---:|---:|---:|---:|---|'
        ]
        for r in report['step']:
            lines.append(
                f"| {r['config']} | {r['variant']} | {r['precision']} "
                f"| {r['batch_size']} | {r['step_s']:.3f} "
                f"| {r['step_s_min']:.3f}-{r['step_s_max']:.3f} "
                f"| {r['samples_per_s']:.1f} "
                f"| {_fmt(r['peak_mem_mb'], '.0f')} "
                f"| {_fmt(r.get('page_faults_per_step'), ',')} "
                f"| {_fmt(r.get('gflop_per_step'), '.1f')} "
                f"| {_fmt(r.get('mfu'), '.1%')} "
                f"| {r['losses'][0]:.3f} -> {r['losses'][-1]:.3f} |")
        lines.append('')
    if report.get('ratios'):
        lines += [
            '| config | variant | precision | SNP/P3E step | SNP/P3E params '
            '| speed-up vs fp32 | final loss - fp32 | mean abs loss diff |',
            '|---|---|---|---:|---:|---:|---:|---:|'
        ]
        for r in report['ratios']:
            lines.append(
                f"| {r['config']} | {r['variant']} | {r['precision']} "
                f"| {_fmt(r.get('snp_over_p3e_step'), '.3f')} "
                f"| {_fmt(r.get('snp_over_p3e_params'), '.3f')} "
                f"| {_fmt(r.get('speedup_over_fp32'), '.2f')} "
                f"| {_fmt(r.get('final_loss_diff'), '+.4f')} "
                f"| {_fmt(r.get('mean_abs_loss_diff'), '.4f')} |")
        lines.append('')
    profiled = [r for r in report.get('step', []) if 'profile' in r]
    if profiled:
        lines += [
            'Where the step goes (`torch.profiler` self time per step, '
            'by operator family; TFLOP/s in matmuls = the step\'s FLOPs '
            'over the time in matmul, attention and convolution '
            'operators):', '', '| config | variant | precision '
            '| profiled ms/step | TFLOP/s in matmuls | time by family '
            '| top operators |', '|---|---|---|---:|---:|---|---|'
        ]
        for r in profiled:
            prof = r['profile']
            dense = prof['self_ms_per_step'] * sum(
                prof['families'].get(k, 0.0)
                for k in ('matmul', 'attention', 'convolution'))
            # GFLOP per ms is TFLOP/s.
            tflops = None
            if dense and r.get('gflop_per_step'):
                tflops = r['gflop_per_step'] / dense
            families = ', '.join(f'{k} {v:.0%}'
                                 for k, v in prof['families'].items()
                                 if v >= 0.01)
            ops = '; '.join(f"{o['name']} {o['share']:.0%}"
                            for o in prof['top_ops'][:5])
            lines.append(f"| {r['config']} | {r['variant']} "
                         f"| {r['precision']} "
                         f"| {prof['self_ms_per_step']:.0f} "
                         f"| {_fmt(tflops, '.3f')} | {families} | {ops} |")
        lines.append('')
    if report.get('loader'):
        lines += [
            '| config | workers | loader videos/s | SNP step videos/s '
            '(precision) | loader / step |', '|---|---:|---:|---|---|'
        ]
        for r in report['loader']:
            steps = ', '.join(f"{r[k]:.1f} ({k.split('_s_', 1)[1]})" for k in r
                              if k.startswith('step_videos'))
            rat = ', '.join(f'{r[k]:.1f}x ({k[6:]})' for k in r
                            if k.startswith('ratio_'))
            lines.append(f"| {r['config']} | {r['workers']} "
                         f"| {r['loader_videos_per_s']:.1f} | {steps or '-'} "
                         f"| {rat or '-'} |")
        lines.append('')
    ev = report.get('eval')
    if ev:
        lines += [
            f"Retrieval scoring on {ev['texts']} captions x {ev['videos']} "
            f"videos ({ev['config']}, checkpoint: "
            f"{ev['checkpoint'] or 'none, recalls meaningless'}); a fused "
            f"pair scores fusion + dual weight x dual; feature extraction "
            f"{ev['extract_s']:.2f} s.", '',
            '| scoring | dual weight | pairs fused | seconds | vs exhaustive '
            '| t2v R@1 | v2t R@1 |', '|---|---:|---:|---:|---:|---:|---:|'
        ]
        for r in ev['rows']:
            name = r['mode'] + (f", k={r['k']}" if r['k'] else '')
            lines.append(f"| {name} | {_fmt(r['dual_weight'], 'g')} "
                         f"| {r['fusion_pairs']:,} "
                         f"| {r['seconds']:.2f} "
                         f"| {_fmt(r.get('time_vs_exhaustive'), '.1%')} "
                         f"| {r['t2v_r1']:.1f} | {_fmt(r['v2t_r1'], '.1f')} |")
        p = ev['pairs_at_1000']
        lines += [
            '', f"At a 1,000-video gallery (by counting): exhaustive fuses "
            f"{p['exhaustive']:,} pairs, re-ranking at most "
            f"{p['rerank_at_most']:,} ({p['ratio_at_most']:.1%}).", ''
        ]
    return '\n'.join(lines)


# -------------------------------------------------------------------- main
def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        'configs',
        nargs='*',
        default=DEFAULT_CONFIGS,
        help='configs whose model and train loader are measured')
    parser.add_argument(
        '--sections',
        nargs='+',
        default=list(DEFAULT_SECTIONS),
        choices=SECTIONS,
        help='what to measure (default: all but profile)')
    parser.add_argument(
        '--variants', nargs='+', default=list(VARIANTS), choices=VARIANTS)
    parser.add_argument(
        '--precisions',
        nargs='+',
        default=list(PRECISIONS),
        choices=PRECISIONS)
    parser.add_argument('--steps', type=int, default=10, help='timed steps')
    parser.add_argument(
        '--warmup', type=int, default=3, help='untimed steps first')
    parser.add_argument(
        '--batch-size', type=int, help='override the configs\' batch size')
    parser.add_argument(
        '--seed',
        type=int,
        default=0,
        help='initial weights and batches (repeat with others to see how '
        'far losses move with the seed)')
    parser.add_argument(
        '--loader-batches', type=int, default=20, help='loader batches timed')
    parser.add_argument(
        '--eval-config',
        default=DEFAULT_EVAL_CONFIG,
        help='config (with a cross-matching head) for the eval section')
    parser.add_argument(
        '--checkpoint', help='weights for the eval section (recalls)')
    parser.add_argument(
        '--eval-modes',
        nargs='+',
        default=list(SCORING_MODES),
        choices=SCORING_MODES)
    parser.add_argument('--rerank-k', type=int, default=16)
    parser.add_argument(
        '--dual-weights',
        type=float,
        nargs='+',
        default=[0.0],
        help='score fused pairs by fusion + W x dual for each W '
        '(test_cfg.scoring.dual_weight); exhaustive fuses once for all')
    parser.add_argument(
        '--eval-texts',
        type=int,
        help='query with N of the test captions (spread evenly) against '
        'every test video, text-to-video only')
    parser.add_argument(
        '--peak-size',
        type=int,
        default=2048,
        help='matrix side of the matmul-peak measurement')
    parser.add_argument(
        '--sequential',
        action='store_true',
        help='time one model after the other instead of round-robin '
        '(keeps one model in memory, but load bursts skew the ratios)')
    parser.add_argument(
        '--profile-steps',
        type=int,
        default=2,
        help='steps per model under torch.profiler (profile section)')
    parser.add_argument('--threads', type=int, help='torch CPU threads')
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument(
        '--out-dir',
        default='work_dirs/benchmark',
        help='where benchmark.json and benchmark.md go')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='overrides applied to every config (and the eval config)')
    args = parser.parse_args()
    if args.steps < 1 or args.warmup < 0:
        parser.error('--steps must be >= 1 and --warmup >= 0')
    return args


def config_label(path: str) -> str:
    return osp.splitext(osp.basename(path))[0]


def main() -> None:
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    from mmengine.logging import MMLogger
    from mmengine.registry import init_default_scope
    init_default_scope('snps3')
    # The optimizer constructor logs every parameter group at INFO.
    MMLogger.get_instance('benchmark', log_level='WARNING')
    sections = set(args.sections)
    report: Dict[str, Any] = dict(
        machine=machine_info(device),
        settings=dict(
            configs=args.configs,
            sections=sorted(sections),
            variants=args.variants,
            precisions=args.precisions,
            steps=args.steps,
            warmup=args.warmup,
            interleaved=not args.sequential,
            batch_size=args.batch_size,
            seed=args.seed,
            cfg_options=args.cfg_options))
    m = report['machine']
    print(f"machine: {m['device']}; torch {m['torch']}, "
          f"{m['torch_threads']} threads; load average "
          f"{' '.join(map(str, m['load_average_at_start']))}; "
          f"{malloc_note(m)}")

    peak_samples = []
    if 'mfu' in sections:
        peak_samples.append(measure_peaks(device, args.peak_size))
        print(f'matmul peak (TFLOP/s): {peak_samples[0]}')

    report['params'], report['step'], report['loader'] = {}, [], []
    for path in args.configs:
        cfg = load_run_config(path, args.cfg_options)
        if args.batch_size:
            cfg.train_dataloader.batch_size = args.batch_size
        label = config_label(path)
        if 'params' in sections:
            report['params'][label] = {
                variant:
                count_params(
                    build_model(
                        variant_model_cfg(cfg.model.to_dict(), variant),
                        torch.device('cpu')))
                for variant in args.variants
            }
            print(f'  {label} parameters: {report["params"][label]}')
        if sections & {'step', 'mfu', 'profile'}:
            batches = load_batches(cfg.train_dataloader.to_dict(),
                                   max(args.warmup, 1) + args.steps, args.seed)
            report['step'] += bench_steps(
                cfg, label, args.variants, args.precisions, batches,
                args.warmup, device, 'mfu' in sections, not args.sequential,
                args.profile_steps if 'profile' in sections else 0, args.seed)
        if 'loader' in sections:
            report['loader'].append(
                bench_loader(cfg, label, args.loader_batches, 2,
                             report['step']))
    if peak_samples:
        # Other load only lowers a measured peak: measure again after the
        # steps and take the best, so a slow moment cannot inflate MFU.
        peak_samples.append(measure_peaks(device, args.peak_size))
        report['matmul_peak_tflops'] = {
            k: max(sample[k] for sample in peak_samples)
            for k in peak_samples[0]
        }
        report['matmul_peak_samples_tflops'] = peak_samples
        print(f'matmul peak (TFLOP/s) after the steps: {peak_samples[1]}')
        add_mfu(report['step'], report['matmul_peak_tflops'])
    report['ratios'] = ratios(report['step'])
    if 'eval' in sections:
        eval_cfg = load_run_config(args.eval_config, args.cfg_options)
        if 'test_dataloader' not in eval_cfg:
            raise ConfigError(
                f"'{args.eval_config}' has no test_dataloader to score.")
        report['eval'] = dict(
            config=config_label(args.eval_config),
            **bench_eval(eval_cfg, args.eval_modes, args.rerank_k,
                         args.checkpoint, device, args.eval_texts,
                         args.dual_weights))

    table = markdown(report)
    print()
    print(table)
    os.makedirs(args.out_dir, exist_ok=True)
    with open(osp.join(args.out_dir, 'benchmark.json'), 'w') as f:
        json.dump(report, f, indent=1)
    with open(osp.join(args.out_dir, 'benchmark.md'), 'w') as f:
        f.write(table + '\n')
    print(f'wrote {args.out_dir}/benchmark.json and benchmark.md')


if __name__ == '__main__':
    with report_user_errors():
        main()
