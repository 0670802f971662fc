# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Parameter counts of SNP and its baselines (paper: 160.4M vs 205.5M)."""
import importlib.util
import re

import torch
from mmengine.config import Config
from snps3_test_helpers import REPO, run_tool
from transformers import BertConfig, BertModel

MODELS_DIR = REPO / 'configs' / '_base_' / 'models'
TOOL = REPO / 'tools' / 'analysis_tools' / 'count_params.py'


def _load_tool():
    spec = importlib.util.spec_from_file_location('count_params', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _n_params(module):
    return sum(p.numel() for p in module.parameters())


def _total(stdout, row):
    """Both columns of a table row, as ints."""
    line = next(ln for ln in stdout.splitlines()
                if ln.startswith(f'| **{row}** |'))
    return [
        int(v.replace(',', '')) for v in re.findall(r'([\d,]+) \(', line)[:2]
    ]


def test_p3e_minus_snp_is_a_3_layer_bert_base():
    snp = MODELS_DIR / 'snp_bert-base_r50.py'
    p3e = MODELS_DIR / 'p3e_bert-base_r50.py'
    out = run_tool([TOOL, snp, p3e]).stdout
    diff = int(
        re.search(r'^difference: .* = ([\d,]+) ', out,
                  re.M).group(1).replace(',', ''))
    ratio = float(re.search(r'^ratio: .* = ([\d.]+)', out, re.M).group(1))
    print(out)

    bert_base = Config.fromfile(snp).bert_base
    with torch.device('meta'):
        fusion = BertModel(BertConfig(**dict(bert_base, num_hidden_layers=3)))
    # P3E adds a 3-layer BERT-base with its own embeddings and pooler, whose
    # pooler replaces SNP's only unshared part, the fusion pooler.
    expected = _n_params(fusion) - _n_params(fusion.pooler)
    assert diff == expected
    assert round(diff / 1e6, 1) == 45.1
    snp_total, p3e_total = _total(out, 'total')
    assert abs(ratio - p3e_total / snp_total) < 1e-4
    # The paper's totals count the MLM decoder, tied to the word table, as
    # a matrix of its own.
    snp_paper, p3e_paper = _total(out, 'total, tied counted twice')
    assert (round(snp_paper / 1e6, 1), round(p3e_paper / 1e6,
                                             1)) == (160.4, 205.5)


def test_parts_of_the_baselines():
    tool = _load_tool()
    counts = {}
    for name in ('two-stream_bert-base_r50', 'snp_minilm_effnet-lite0',
                 'p3e_minilm_effnet-lite0'):
        cfg = Config.fromfile(MODELS_DIR / f'{name}.py')
        counts[name] = tool.count_parts(tool.build_model(cfg))[0]
    two = counts['two-stream_bert-base_r50']
    assert set(two) == {'backbone', 'encoder.text', 'heads.vtc', 'total'}
    snp = counts['snp_minilm_effnet-lite0']
    p3e = counts['p3e_minilm_effnet-lite0']
    assert snp['encoder.shared'] == p3e['encoder.text']
    minilm = BertConfig(
        hidden_size=384,
        num_hidden_layers=3,
        num_attention_heads=12,
        intermediate_size=1536)
    with torch.device('meta'):
        fusion = BertModel(minilm, add_pooling_layer=False)
    assert p3e['total'] - snp['total'] == _n_params(fusion)
    table = tool.format_table(['snp', 'p3e'], [
        tool.count_parts(
            tool.build_model(Config.fromfile(MODELS_DIR / f'{n}.py')))
        for n in ('snp_minilm_effnet-lite0', 'p3e_minilm_effnet-lite0')
    ])
    assert '| encoder.fusion |' in table and 'tied' in table
