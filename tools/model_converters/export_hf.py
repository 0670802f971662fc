# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Export the text BERT of a trained checkpoint as a HuggingFace folder.

Examples:
    python tools/model_converters/export_hf.py \
        configs/pretrain/snp_s3_embedded.py \
        work_dirs/snp_s3_embedded/iter_250.pth exported/snp_minilm
    python -c "from transformers import BertModel; \
        BertModel.from_pretrained('exported/snp_minilm')"

The folder holds ``model.safetensors`` and ``config.json`` (a plain
``BertModel``: SNP's shared network, or the text BERT of P3E / two-stream)
and the tokenizer files. The tokenizer is, in this order, ``--tokenizer``,
the encoder's ``tokenizer`` setting, the folder of the config's
``TokenizeCaption`` transform (the vocabulary the model was trained with),
or the encoder's ``pretrained`` folder.
"""
import argparse
import os.path as osp
import sys
from typing import Optional

sys.path.insert(0,
                osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.runner import CheckpointLoader, load_checkpoint  # noqa: E402

import snps3.utils.compat  # noqa: E402,F401  (the safe checkpoint loader)
from snps3.registry import MODELS  # noqa: E402
from snps3.utils.paths import check_exists, resolve_path  # noqa: E402

PIPELINE_KEYS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def parse_args():
    parser = argparse.ArgumentParser(
        description='Export the text encoder as a HuggingFace BERT folder')
    parser.add_argument('config', help='config the checkpoint was made with')
    parser.add_argument('checkpoint', help='MMEngine checkpoint (.pth)')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument(
        '--tokenizer',
        help='tokenizer folder to write beside the weights (pkg:// allowed);'
        ' by default the one the config trains with')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, e.g. model.encoder.fusion_layers=6')
    return parser.parse_args()


def pipeline_tokenizer(cfg: Config) -> Optional[str]:
    """The tokenizer of the config's first ``TokenizeCaption`` transform."""
    from snps3.datasets.transforms.text import DEFAULT_TOKENIZER
    for key in PIPELINE_KEYS:
        loader = cfg.get(key) or {}
        pipeline = (loader.get('dataset') or {}).get('pipeline') or []
        for transform in pipeline:
            if transform.get('type') == 'TokenizeCaption':
                return transform.get('tokenizer', DEFAULT_TOKENIZER)
    return None


def pick_tokenizer(cfg: Config, explicit: Optional[str]) -> Optional[str]:
    """The tokenizer folder to export (see the module docstring).

    An explicit one must exist; a guessed one that is absent is skipped
    with a note, since the weights are still worth exporting.
    """
    if explicit is not None:
        check_exists(explicit, 'tokenizer folder')
        return explicit
    encoder = cfg.model.encoder
    for candidate in (encoder.get('tokenizer'), pipeline_tokenizer(cfg),
                      encoder.get('pretrained')):
        if candidate is None:
            continue
        folder = resolve_path(candidate)
        if osp.isfile(osp.join(folder, 'vocab.txt')) or osp.isfile(
                osp.join(folder, 'tokenizer.json')):
            return candidate
        print(f"note: tokenizer folder '{folder}' not found, skipped")
    return None


def build_model(cfg: Config):
    """The config's model with random weights (the checkpoint has them).

    Neither the backbone checkpoint nor the encoder's pretrained folder is
    needed: the encoder's ``config`` dict defines the architecture.
    """
    init_default_scope(cfg.get('default_scope', 'snps3'))
    model_cfg = cfg.model
    model_cfg.backbone.pop('checkpoint', None)
    if model_cfg.encoder.get('config'):
        model_cfg.encoder.pretrained = None
    # The tokenizer is picked and exported by this tool.
    model_cfg.encoder.pop('tokenizer', None)
    return MODELS.build(model_cfg)


def describe_mismatch(model, checkpoint: str, config: str) -> str:
    """A short account of why a checkpoint does not fit the config's model.

    MMEngine's own message lists every key, hundreds of lines for a BERT.
    """
    state = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    state = state.get('state_dict', state)
    state = {
        k[len('module.'):] if k.startswith('module.') else k: v
        for k, v in state.items()
    }
    target = model.state_dict()
    missing = [k for k in target if k not in state]
    unexpected = [k for k in state if k not in target]
    resized = [
        k for k in target
        if k in state and tuple(state[k].shape) != tuple(target[k].shape)
    ]
    lines = [
        f"checkpoint '{checkpoint}' does not fit the model of "
        f"'{config}': was it trained with another config?"
    ]
    for what, keys in (('missing', missing), ('unexpected', unexpected),
                       ('of another shape', resized)):
        if keys:
            lines.append(f'  {len(keys)} keys {what}, e.g. '
                         f"{', '.join(keys[:3])}")
    return '\n'.join(lines)


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    tokenizer = pick_tokenizer(cfg, args.tokenizer)
    model = build_model(cfg)
    encoder = model.encoder
    if not hasattr(encoder, 'export_pretrained'):
        raise SystemExit(f'{type(encoder).__name__} has no '
                         'export_pretrained(); nothing to export')
    checkpoint = check_exists(args.checkpoint, 'checkpoint')
    # strict: a checkpoint of another architecture must not export a
    # half-random BERT.
    try:
        load_checkpoint(model, checkpoint, map_location='cpu', strict=True)
    except RuntimeError as err:
        if 'do not match' not in str(err):
            raise
        raise SystemExit(describe_mismatch(model, checkpoint, args.config))
    encoder.eval()
    encoder.export_pretrained(args.out_dir, tokenizer=tokenizer)
    print(f"exported {type(encoder).__name__}'s text BERT of '{checkpoint}' "
          f"to '{args.out_dir}'" + (f" with the tokenizer of '{tokenizer}'"
                                    if tokenizer else ' (no tokenizer)'))


if __name__ == '__main__':
    main()
