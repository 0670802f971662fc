# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""tools/analysis_tools/benchmark.py at a tiny size: structure, no timings."""
import importlib.util
import json

import torch
from snps3_test_helpers import REPO, TINY_CONFIG, derived_config, run_tool

TOOL = 'tools/analysis_tools/benchmark.py'


def _tool_module():
    spec = importlib.util.spec_from_file_location('benchmark_tool',
                                                  REPO / TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_variants_swap_the_encoder_and_drop_fusion_heads():
    from mmengine.registry import init_default_scope
    init_default_scope('snps3')
    bench = _tool_module()
    model = dict(
        encoder=dict(
            type='SharedBertEncoder', config=dict(num_hidden_layers=2)),
        heads=dict(
            mlm=dict(type='MLMHead'),
            vtc=dict(type='VTCHead'),
            xm=dict(type='CrossMatchingHead'),
            lvwm=None))
    p3e = bench.variant_model_cfg(model, 'p3e')
    assert p3e['encoder']['type'] == 'SeparateFusionEncoder'
    assert p3e['encoder']['fusion_layers'] == 2  # capped at the depth
    assert set(p3e['heads']) == {'mlm', 'vtc', 'xm', 'lvwm'}
    dual = bench.variant_model_cfg(model, 'two-stream')
    assert dual['encoder']['type'] == 'TwoStreamEncoder'
    assert set(dual['heads']) == {'vtc'}
    back = bench.variant_model_cfg(p3e, 'snp')
    assert back['encoder'] == model['encoder']
    assert model['encoder']['type'] == 'SharedBertEncoder'  # not mutated


def test_benchmark_writes_json_and_markdown(tiny_corpus, tmp_path):
    eval_config = derived_config(
        tmp_path, "model = dict(heads=dict(xm=dict(type='CrossMatchingHead', "
        "hidden_size=None, negatives='hard', num_hard=1)))\n")
    out = tmp_path / 'bench'
    result = run_tool([
        TOOL, TINY_CONFIG, '--steps', '1', '--warmup', '1', '--variants',
        'snp', 'p3e', '--precisions', 'fp32', 'bf16-fp32-backbone',
        '--loader-batches', '1', '--peak-size', '128', '--eval-config',
        eval_config, '--eval-texts', '4', '--rerank-k', '2', '--dual-weights',
        '0', '1', '--out-dir', out, '--cfg-options',
        f'train_dataloader.dataset.data_root={tiny_corpus}',
        f'test_dataloader.dataset.data_root={tiny_corpus}'
    ])
    assert 'load average' in result.stdout
    assert 'transparent huge pages' in result.stdout
    report = json.loads((out / 'benchmark.json').read_text())
    table = (out / 'benchmark.md').read_text()

    assert {
        'device', 'torch_threads', 'load_average_at_start', 'glibc_tunables'
    } <= set(report['machine'])
    assert set(report['matmul_peak_tflops']) == {'fp32', 'bf16'}
    before, after = report['matmul_peak_samples_tflops']
    assert report['matmul_peak_tflops']['bf16'] == max(before['bf16'],
                                                       after['bf16'])
    params = report['params']['snp_tiny_embedded']
    assert params['p3e'] > params['snp'] > 0

    combos = {(r['variant'], r['precision']) for r in report['step']}
    assert combos == {(v, p)
                      for v in ('snp', 'p3e')
                      for p in ('fp32', 'bf16-fp32-backbone')}
    for row in report['step']:
        assert row['batch_size'] == 4 and row['timed_steps'] == 1
        assert len(row['losses']) == 2  # warm-up + timed, same batches
        assert row['step_s'] > 0 and row['gflop_per_step'] > 0
        assert 0 < row['mfu']
    first = {
        (r['variant'], r['precision']): r['losses'][0]
        for r in report['step']
    }
    # Same weights and batch: fp32 and bf16 start from nearly one loss.
    assert abs(first['snp', 'fp32'] - first['snp', 'bf16-fp32-backbone']) < 0.1
    snp = next(r for r in report['ratios']
               if (r['variant'], r['precision']) == ('snp', 'fp32'))
    assert snp['snp_over_p3e_params'] < 1

    loader = report['loader'][0]
    assert loader['loader_videos_per_s'] > 0 and loader['ratio_fp32'] > 0

    ev = report['eval']
    # 4 sampled captions against all 8 test videos, text-to-video only.
    assert (ev['texts'], ev['videos'], ev['head']) == (4, 8, 'xm')
    rows = {(r['mode'], r['dual_weight']): r for r in ev['rows']}
    assert set(rows) == {('dual', None), ('rerank', 0.0), ('rerank', 1.0),
                         ('exhaustive', 0.0), ('exhaustive', 1.0)}
    for weight in (0.0, 1.0):
        assert rows['exhaustive', weight]['fusion_pairs'] == 4 * 8
        assert rows['rerank', weight]['fusion_pairs'] == 4 * 2
    # Exhaustive fuses once for every weight.
    exhaustive_seconds = {rows['exhaustive', w]['seconds'] for w in (0., 1.)}
    assert len(exhaustive_seconds) == 1
    assert rows['dual', None]['fusion_pairs'] == 0
    assert all(r['v2t_r1'] is None for r in ev['rows'])
    assert ev['pairs_at_1000']['rerank_at_most'] == 4000

    for heading in ('| config | SNP | P3E | two-stream |',
                    '| config | variant | precision | batch |',
                    '| SNP/P3E step |', '| loader videos/s |',
                    '| scoring | dual weight | pairs fused |',
                    'Measured matmul peak'):
        assert heading in table, heading


def test_sections_are_selectable(tiny_corpus, tmp_path):
    out = tmp_path / 'bench'
    run_tool([
        TOOL, TINY_CONFIG, '--sections', 'params', '--out-dir', out,
        '--cfg-options', f'train_dataloader.dataset.data_root={tiny_corpus}'
    ])
    report = json.loads((out / 'benchmark.json').read_text())
    params = report['params']['snp_tiny_embedded']
    assert params['p3e'] > params['snp'] > params['two-stream'] > 0
    assert not report['step'] and not report['loader']
    assert 'eval' not in report and 'matmul_peak_tflops' not in report


def test_operators_fall_into_families():
    bench = _tool_module()
    assert bench.op_family('aten::addmm') == 'matmul'
    assert bench.op_family('aten::mkldnn_convolution') == 'convolution'
    assert bench.op_family(
        'aten::_scaled_dot_product_flash_attention_for_cpu') == 'attention'
    assert bench.op_family('aten::_fused_adamw_') == 'optimizer'
    assert bench.op_family('aten::copy_') == 'copy / cast'
    assert bench.op_family('aten::mm_backward_made_up') == 'other'


def test_profile_section_breaks_the_step_down(tiny_corpus, tmp_path):
    out = tmp_path / 'bench'
    run_tool([
        TOOL, TINY_CONFIG, '--sections', 'profile', '--steps', '1', '--warmup',
        '1', '--profile-steps', '1', '--variants', 'snp', '--precisions',
        'fp32', '--seed', '3', '--out-dir', out, '--cfg-options',
        f'train_dataloader.dataset.data_root={tiny_corpus}'
    ])
    report = json.loads((out / 'benchmark.json').read_text())
    assert report['settings']['seed'] == 3
    (row, ) = report['step']
    prof = row['profile']
    assert prof['profiled_steps'] == 1 and prof['self_ms_per_step'] > 0
    # Shares are of the whole profiled time; a training step multiplies.
    assert abs(sum(prof['families'].values()) - 1) < 0.01
    assert prof['families']['matmul'] > 0
    assert 0 < len(prof['top_ops']) <= 8
    assert all(op['share'] <= 1 for op in prof['top_ops'])
    assert 'Where the step goes' in (out / 'benchmark.md').read_text()


def test_a_seed_names_its_batches(tiny_corpus):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    init_default_scope('snps3')
    bench = _tool_module()
    cfg = Config.fromfile(TINY_CONFIG)
    cfg.train_dataloader.dataset.data_root = str(tiny_corpus)
    loader = cfg.train_dataloader.to_dict()

    def inputs(seed):
        batch = bench.load_batches(loader, 1, seed)[0]['inputs']
        return batch['frames'], batch['mlm_labels']

    (frames, labels), (frames2, labels2) = inputs(0), inputs(0)
    assert torch.equal(frames, frames2) and torch.equal(labels, labels2)
    other_frames, other_labels = inputs(1)
    assert not (torch.equal(frames, other_frames)
                and torch.equal(labels, other_labels))
