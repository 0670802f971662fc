# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Draw what a SimVTP model reconstructs: pixels of masked tubes, words.

For the first N clips of the config's training set (its data pipeline, so
the caption is MLM-masked as in training), one PNG per clip with three rows
of frames — the original, the tube mask (hidden tubes greyed out), the
reconstruction (predicted tubes where hidden, the original where visible) —
and under them the masked caption and the model's words for its [MASK]
positions; the same text goes to ``clip_<i>.txt``.

The model predicts *per-tube normalised* pixels, so a picture needs each
tube's mean and standard deviation back. ``--denorm original`` (default,
as VideoMAE and SimVTP draw theirs) takes them from the hidden tube itself:
the picture then shows the predicted structure within each tube, with the
true brightness and contrast. ``--denorm visible`` uses only what the model
saw: the mean and standard deviation of the clip's visible tubes, per
channel, for every hidden tube.

Example:
    python tools/analysis_tools/visualize_reconstruction.py \\
        configs/pretrain/simvtp_vit-tiny_embedded.py \\
        work_dirs/simvtp_vit-tiny_embedded/iter_250.pth \\
        --out work_dirs/simvtp_vit-tiny_embedded/reconstruction
"""
import argparse
import os
import os.path as osp
import sys
import textwrap

import numpy as np
import torch

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from snps3.utils.errors import ConfigError, report_user_errors  # noqa


def parse_args():
    from mmengine.config import DictAction
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='a SimVTP pre-training config')
    parser.add_argument('checkpoint', help='a checkpoint of that config')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--num-clips', type=int, default=4)
    parser.add_argument(
        '--denorm',
        choices=('original', 'visible'),
        default='original',
        help='where the statistics of hidden tubes come from (see above)')
    parser.add_argument(
        '--scale',
        type=int,
        default=3,
        help='pixel repeat factor of the drawing')
    parser.add_argument(
        '--seed', type=int, default=0, help='seed of the tube and word masks')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        default={},
        help='override config settings, as in tools/train.py')
    return parser.parse_args()


def denormalise(pred: torch.Tensor, original: torch.Tensor, mask: torch.Tensor,
                mode: str) -> torch.Tensor:
    """Predicted normalised tubes -> pixels, visible tubes kept original.

    Args:
        pred (Tensor): (N, P, C) predicted per-tube normalised pixels.
        original (Tensor): (N, P, C) the clip's tubes (model input scale).
        mask (Tensor): (N, ) bool, True for hidden tubes.
        mode (str): ``'original'``: each hidden tube's own statistics;
            ``'visible'``: the visible tubes' pooled per-channel ones.
    """
    if mode == 'original':
        mean = original.mean(dim=1, keepdim=True)
        std = original.var(dim=1, unbiased=True, keepdim=True).sqrt()
    else:
        seen = original[~mask]
        mean = seen.mean(dim=(0, 1))[None, None]
        std = seen.std(dim=(0, 1))[None, None]
    pixels = pred * (std + 1e-6) + mean
    return torch.where(mask[:, None, None], pixels, original)


def to_uint8(frames: torch.Tensor, mean, std) -> np.ndarray:
    """(T, C, H, W) preprocessor-normalised -> (T, H, W, C) uint8."""
    mean = torch.as_tensor(mean).view(1, -1, 1, 1)
    std = torch.as_tensor(std).view(1, -1, 1, 1)
    pixels = (frames * std + mean).clamp(0, 255).round().byte()
    return pixels.permute(0, 2, 3, 1).numpy()


def draw_clip(rows, lines, scale: int):
    """A PIL image: rows of frames (T, H, W, 3) uint8, text lines below."""
    from PIL import Image, ImageDraw
    gap = 2
    t, h, w, _ = rows[0].shape
    width = t * (w * scale + gap) + gap
    line_height = 12
    wrapped = []
    for line in lines:
        wrapped += textwrap.wrap(line, max(20, width // 6)) or ['']
    height = len(rows) * (h * scale + gap) + gap + line_height * (
        len(wrapped) + 1)
    image = Image.new('RGB', (width, height), 'white')
    for r, row in enumerate(rows):
        for i, frame in enumerate(row):
            tile = Image.fromarray(frame).resize((w * scale, h * scale),
                                                 Image.NEAREST)
            image.paste(tile, (gap + i * (w * scale + gap), gap + r *
                               (h * scale + gap)))
    pen = ImageDraw.Draw(image)
    top = len(rows) * (h * scale + gap) + gap + line_height // 2
    for k, line in enumerate(wrapped):
        pen.text((gap, top + k * line_height), line, fill='black')
    return image


def main():
    args = parse_args()
    from mmengine.dataset import default_collate
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint

    from snps3.datasets.transforms.text import load_tokenizer
    from snps3.models import SimVTPContext, SimVTPPretrainer
    from snps3.models.heads.video_reconstruction import (
        tube_pixels,
        tubes_to_frames,
    )
    from snps3.registry import DATASETS, MODELS
    from snps3.utils.config import load_run_config

    cfg = load_run_config(args.config, args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'snps3'))
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    model = MODELS.build(cfg.model)
    if not isinstance(model, SimVTPPretrainer) or 'mvm' not in model.heads:
        raise ConfigError(
            f"'{args.config}' does not build a SimVTP pre-trainer with a "
            "reconstruction head 'mvm'; give a configs/pretrain/simvtp_* "
            'config')
    load_checkpoint(model, args.checkpoint, map_location='cpu')
    model.eval()

    dataset_cfg = cfg.train_dataloader.dataset
    tokenizer = next((step['tokenizer']
                      for step in dataset_cfg.pipeline if 'tokenizer' in step),
                     None)
    if tokenizer is None:
        raise ConfigError('the training pipeline has no tokenizer to read '
                          'the captions with')
    dataset = DATASETS.build(dataset_cfg)
    count = min(args.num_clips, len(dataset))
    batch = default_collate([dataset[i] for i in range(count)])
    data = model.data_preprocessor(batch, False)
    inputs = data['inputs']
    head = model.heads['mvm']
    with torch.no_grad():
        ctx = SimVTPContext(model, inputs)
        mask = ctx.tube_mask
        pred = head.predict(ctx.masked_video, mask).float()
        words = None
        if 'mlm' in model.heads and 'mlm_labels' in inputs:
            mlm = model.heads['mlm']
            words = mlm.decoder(mlm.transform(ctx.fusion_mlm[0])).argmax(-1)

    frames = inputs['frames'].float()
    grid = model.encoder.vit.grid(frames.shape)
    k, p = head.tubelet_size, head.patch_size
    tubes = tube_pixels(frames, p, k)
    pred = pred.view(tubes.shape)
    mean = model.data_preprocessor.mean.flatten().tolist()
    std = model.data_preprocessor.std.flatten().tolist()
    tok = load_tokenizer(tokenizer)
    os.makedirs(args.out, exist_ok=True)
    for i in range(count):
        recon = denormalise(pred[i], tubes[i], mask[i], args.denorm)
        # Hidden tubes in light grey, brighter than any dataset's mean
        # colour, so they stand out from a grey background.
        hidden = tubes_to_frames(
            mask[i][None, :, None, None].expand_as(tubes[i][None]), grid, p,
            k)[0].permute(0, 2, 3, 1).numpy()
        masked = to_uint8(frames[i], mean, std)
        masked[hidden] = 235
        rows = [
            to_uint8(frames[i], mean, std),
            masked,
            to_uint8(tubes_to_frames(recon[None], grid, p, k)[0], mean, std),
        ]
        lines = [f'caption: {batch["data_samples"][i].get("caption", "")}']
        if 'mlm_input_ids' in inputs:
            ids = inputs['mlm_input_ids'][i][inputs['attention_mask'][i] > 0]
            lines.append('masked:  ' + tok.decode(ids.tolist()))
        if words is not None:
            picked = inputs['mlm_labels'][i] != -100
            truth = tok.convert_ids_to_tokens(
                inputs['mlm_labels'][i][picked].tolist())
            guess = tok.convert_ids_to_tokens(words[i][picked].tolist())
            lines.append('words:   ' + ' '.join(f'{g}({t})' if g != t else g
                                                for g, t in zip(guess, truth)))
            lines.append('(reconstructed word, with the true one in '
                         'brackets when it differs)')
        lines.append(f'rows: original / tube mask ({int(mask[i].sum())} of '
                     f'{mask.shape[1]} tubes hidden) / reconstruction '
                     f'(denorm: {args.denorm})')
        draw_clip(rows, lines,
                  args.scale).save(osp.join(args.out, f'clip_{i}.png'))
        with open(osp.join(args.out, f'clip_{i}.txt'), 'w') as f:
            f.write('\n'.join(lines) + '\n')
    print(f'wrote {count} clips to {args.out}')


if __name__ == '__main__':
    with report_user_errors():
        main()
