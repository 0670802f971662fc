# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Every config under configs/ loads, passes the key check and builds."""
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from snps3.registry import DATASETS, MODELS
from snps3.utils.config import check_config

CONFIGS = sorted(
    p for p in (Path(__file__).parents[1] / 'configs').rglob('*.py')
    if '_base_' not in p.parts)


def _random_init(model_cfg):
    """No checkpoint files: the walk tests structure, not weights."""
    if 'backbone' in model_cfg:
        model_cfg.backbone.pop('checkpoint', None)
    if str(model_cfg.encoder.get('pretrained', '')).startswith('data/'):
        model_cfg.encoder.pretrained = None
    # SimVTP: a VideoMAE checkpoint and a BERT folder for the embeddings.
    if 'vit' in model_cfg.encoder:
        model_cfg.encoder.vit.pop('checkpoint', None)
    if str(model_cfg.encoder.get('text_pretrained', '')).startswith('data/'):
        model_cfg.encoder.text_pretrained = None


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: p.name)
def test_config_loads_and_builds(path):
    cfg = Config.fromfile(path)
    check_config(cfg)
    init_default_scope(cfg.get('default_scope', 'snps3'))
    if 'model' in cfg:
        _random_init(cfg.model)
        model = MODELS.build(cfg.model)
        assert sum(p.numel() for p in model.parameters()) > 0
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(key):
            dataset_cfg = cfg[key].dataset.copy()
            dataset_cfg.lazy_init = True  # the data need not exist here
            DATASETS.build(dataset_cfg)


def test_the_walk_found_the_configs():
    names = {p.name for p in CONFIGS}
    assert {'snp_s3_embedded.py', 'snp_s3_webvid.py'} <= names
