# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""How much a checkpoint's fusion pass relies on the video.

A fusion encoder can lower its masked-word loss from the caption alone and
never learn to read the frames; retrieval by dual features hides that, but
re-ranking, cross matching and VideoQA then have nothing to work with. This
probe puts a number on it. On batches of the config's training data, in
eval mode, every head that reads a fusion pass runs twice: with each
caption's own clip, and with the clips shifted by one place in the batch
(each caption then meets another caption's clip). Reported per head:

* heads with a loss over one fusion pass per caption (MLM/MSSM, VTM, QA):
  their losses and accuracies with the own and the shifted clips, and the
  gap (shifted minus own loss). A gap near 0 means the prediction ignores
  the video;
* heads that score pairs (cross matching): the fraction of captions whose
  own pair scores higher than the shifted pair (0.5 is chance) and the
  mean score margin.

Examples:
    python tools/analysis_tools/probe_fusion.py \\
        configs/pretrain/snp_mssm-vtc-lvwm_embedded.py \\
        work_dirs/snp_mssm-vtc-lvwm_embedded/iter_250.pth
    python tools/analysis_tools/probe_fusion.py \\
        configs/retrieval/snp_s3_ft_embedded.py \\
        work_dirs/snp_s3_ft_embedded/iter_60.pth --batches 16

Results go to ``--out-dir`` (default: ``work_dirs/probe_fusion/<config>``)
as ``probe_fusion.json`` and a markdown table, which is also printed.
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import Dict, List, Tuple

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch  # noqa: E402
from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.dataset import default_collate  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.utils import ProgressBar  # noqa: E402

from snps3.models.forward_context import ForwardContext  # noqa: E402
from snps3.registry import DATASETS, MODELS  # noqa: E402
from snps3.utils.compat import load_local_checkpoint  # noqa: E402
from snps3.utils.errors import ConfigError  # noqa: E402

#: Context passes that run the encoder on a caption together with a clip.
FUSION_PASSES = ('fusion_mlm', 'fusion_pos')


def parse_args():
    parser = argparse.ArgumentParser(
        description='Measure how much the fusion pass relies on the video')
    parser.add_argument(
        'config',
        help='config the checkpoint was trained with (its model and '
        'training data are used)')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--batches', type=int, default=8, help='batches to probe')
    parser.add_argument(
        '--batch-size',
        type=int,
        help='captions per batch (default: the config\'s train batch size)')
    parser.add_argument('--out-dir', help='where the results go')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings')
    return parser.parse_args()


def fusion_heads(model) -> Dict[str, torch.nn.Module]:
    """The model's heads that read a fusion pass, by name."""
    heads = getattr(model, 'heads', None) or {}
    found = {
        name: head
        for name, head in heads.items()
        if set(getattr(head, 'requires', ())) & set(FUSION_PASSES)
    }
    if not found:
        raise ConfigError(
            f'{type(model).__name__} has no head that reads a fusion pass '
            f'(heads: {list(heads)}); probe a config with an MLM/MSSM, VTM '
            'or cross-matching head.')
    return found


def shift_clips(inputs: Dict[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
    """The same batch with each caption's clip replaced by its neighbour's."""
    shifted = dict(inputs)
    shifted['frames'] = inputs['frames'].roll(1, dims=0)
    return shifted


def _metrics(out: dict) -> Dict[str, float]:
    return {
        k: float(v)
        for k, v in out.items() if k.startswith('loss') or k.endswith('acc')
    }


@torch.no_grad()
def probe_batch(model, inputs: Dict[str, torch.Tensor]) -> Dict[str, dict]:
    """Own-clip against shifted-clip results of every fusion head.

    Args:
        model: A pre-training model in eval mode.
        inputs (dict): A preprocessed batch of at least two captions.

    Returns:
        dict: per head, either ``own``/``shifted`` metric dicts (heads with
        a loss) or ``own_wins`` (fraction of captions whose own pair scores
        higher) and ``margin`` (mean own minus shifted score), for heads
        that score pairs.
    """
    if inputs['input_ids'].shape[0] < 2:
        raise ValueError('probing needs batches of at least 2 captions')
    own_ctx = ForwardContext(model, inputs)
    shifted_ctx = ForwardContext(model, shift_clips(inputs))
    results = {}
    for name, head in fusion_heads(model).items():
        if hasattr(head, 'score_pairs'):
            own = head.score_pairs(own_ctx.fusion_pos[1]).float()
            other = head.score_pairs(shifted_ctx.fusion_pos[1]).float()
            results[name] = dict(
                own_wins=(own > other).float().mean().item(),
                margin=(own - other).mean().item())
        else:
            results[name] = dict(
                own=_metrics(head.loss(own_ctx)),
                shifted=_metrics(head.loss(shifted_ctx)))
    return results


def average(per_batch: List[Dict[str, dict]]) -> Dict[str, dict]:
    """Mean of :func:`probe_batch` results, with the loss gaps added."""

    def mean(values):
        if isinstance(values[0], dict):
            return {k: mean([v[k] for v in values]) for k in values[0]}
        return sum(values) / len(values)

    summary = mean(per_batch)
    for result in summary.values():
        if 'own' in result:
            result['gap'] = {
                k: result['shifted'][k] - result['own'][k]
                for k in result['own'] if k.startswith('loss')
            }
    return summary


def to_markdown(summary: Dict[str, dict], captions: int) -> str:
    lines = [
        f'Fusion heads on {captions} training captions, each with its own '
        'clip and with another caption\'s clip.', '',
        '| head | metric | own clip | shifted clip | gap |',
        '|---|---|---|---|---|'
    ]
    for name, result in summary.items():
        if 'own_wins' in result:
            lines.append(f'| {name} | own pair scores higher | '
                         f'{result["own_wins"]:.3f} | (chance 0.5) | '
                         f'margin {result["margin"]:+.3f} |')
            continue
        for key, own in result['own'].items():
            gap = result['gap'].get(key)
            lines.append(f'| {name} | {key} | {own:.3f} | '
                         f'{result["shifted"][key]:.3f} | ' +
                         ('' if gap is None else f'{gap:+.3f}') + ' |')
    return '\n'.join(lines)


def probe(cfg: Config, checkpoint: str, batches: int,
          batch_size: int) -> Tuple[Dict[str, dict], int]:
    """Build the config's model and data, load ``checkpoint``, probe.

    Returns:
        tuple: the :func:`average` of the batches, and how many captions
        they held.
    """
    init_default_scope(cfg.get('default_scope', 'snps3'))
    model = MODELS.build(cfg.model)
    state = load_local_checkpoint(checkpoint, map_location='cpu')
    model.load_state_dict(state.get('state_dict', state))
    model.eval()
    fusion_heads(model)  # fail before loading any data
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    count = min(batches * batch_size, len(dataset))
    if count < 2:
        raise ValueError(f'the training set has {len(dataset)} items; '
                         'probing needs at least 2')
    # Spread over the whole set, the same items every run.
    step = len(dataset) / count
    indices = [int(i * step) for i in range(count)]
    torch.manual_seed(0)  # random masks and crops of the pipeline
    per_batch, probed = [], 0
    progress = ProgressBar((count + batch_size - 1) // batch_size)
    for start in range(0, count, batch_size):
        chunk = indices[start:start + batch_size]
        if len(chunk) < 2:
            break
        data = default_collate([dataset[i] for i in chunk])
        inputs = model.data_preprocessor(data, False)['inputs']
        per_batch.append(probe_batch(model, inputs))
        probed += len(chunk)
        progress.update()
    sys.stdout.write('\n')
    return average(per_batch), probed


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    batch_size = args.batch_size or cfg.train_dataloader.batch_size
    summary, captions = probe(cfg, args.checkpoint, args.batches, batch_size)
    table = to_markdown(summary, captions)
    print(table)
    out_dir = args.out_dir or osp.join(
        'work_dirs', 'probe_fusion',
        osp.splitext(osp.basename(args.config))[0])
    os.makedirs(out_dir, exist_ok=True)
    with open(osp.join(out_dir, 'probe_fusion.json'), 'w') as f:
        json.dump(
            dict(
                config=args.config,
                checkpoint=args.checkpoint,
                captions=captions,
                heads=summary),
            f,
            indent=2)
    with open(osp.join(out_dir, 'probe_fusion.md'), 'w') as f:
        f.write(table + '\n')
    print(f'results written to {out_dir}')


if __name__ == '__main__':
    main()
