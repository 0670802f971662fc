# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""The multi-node DDP and the FSDP configs, and runner_type in train.py."""
from pathlib import Path

import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import STRATEGIES
from snps3_test_helpers import (
    REPO,
    data_root_options,
    derived_config,
    run_tool,
)
from transformers import BertConfig, BertModel

from snps3.engine.fsdp import bert_layer_wrap_policy

CONFIGS = Path(REPO) / 'configs' / 'pretrain'


def test_fsdp_config_names_the_flexible_runner_and_builds_its_strategy():
    cfg = Config.fromfile(CONFIGS / 'snp_s3_webvid_fsdp.py')
    assert cfg.runner_type == 'FlexibleRunner'
    strategy = STRATEGIES.build(cfg.strategy.to_dict())
    assert type(strategy).__name__ == 'FSDPStrategy'
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.dtype == 'bfloat16'
    assert cfg.optim_wrapper.clip_grad.max_norm == 5.0  # from the recipe


def test_ddp_config_keeps_the_papers_global_batch():
    cfg = Config.fromfile(CONFIGS / 'snp_s3_webvid_ddp-2x8.py')
    assert cfg.train_dataloader.batch_size * 16 == 128
    assert cfg.auto_scale_lr.base_batch_size == 128
    assert 'NNODES=2 NODE_RANK=1' in (CONFIGS /
                                      'snp_s3_webvid_ddp-2x8.py').read_text()


def test_wrap_policy_shards_bert_layers_only():
    bert = BertModel(
        BertConfig(
            vocab_size=50,
            hidden_size=16,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=32))
    backbone = nn.Linear(300, 300)  # 90,300 parameters
    for module in bert.modules():  # FSDP descends into every module
        assert bert_layer_wrap_policy(module, True, 0)
    layers = [
        m for m in bert.modules() if bert_layer_wrap_policy(
            m, False, sum(p.numel() for p in m.parameters()))
    ]
    assert layers == list(bert.encoder.layer)
    assert not bert_layer_wrap_policy(backbone, False, 90300)
    assert bert_layer_wrap_policy(backbone, False, 90300, min_num_params=10**4)
    # A module holding BERT layers is never wrapped by size.
    assert not bert_layer_wrap_policy(
        bert.encoder, False, 10**9, min_num_params=10**4)


def test_train_honours_runner_type(tmp_path, tiny_corpus):
    config = derived_config(
        tmp_path, "runner_type = 'FlexibleRunner'\n"
        "train_cfg = dict(max_iters=1, val_interval=100)\n"
        "default_hooks = dict(checkpoint=dict(interval=1))\n")
    result = run_tool([
        'tools/train.py', config, '--work-dir', tmp_path / 'work',
        '--cfg-options', *data_root_options(tiny_corpus)
    ])
    # FlexibleRunner on one process picks the single-device strategy and
    # writes its checkpoint as the Runner would.
    assert (tmp_path / 'work' / 'iter_1.pth').exists(), result.stdout[-2000:]


def test_train_refuses_an_unknown_runner_type(tmp_path):
    config = derived_config(tmp_path, "runner_type = 'NoSuchRunner'\n")
    result = run_tool(['tools/train.py', config], check=False)
    assert result.returncode != 0
    assert 'NoSuchRunner' in result.stderr
