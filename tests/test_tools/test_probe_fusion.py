# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""tools/analysis_tools/probe_fusion.py: own clip against another's."""
import importlib.util
import json
import textwrap

import pytest
import torch
from mmengine.config import Config
from snps3_test_helpers import (
    REPO,
    data_root_options,
    derived_config,
    run_tool,
)

TOOL = 'tools/analysis_tools/probe_fusion.py'
WITH_XM = '''
model = dict(heads=dict(xm=dict(type='CrossMatchingHead', hidden_size=None,
                                negatives='all')))
'''


def _tool_module():
    spec = importlib.util.spec_from_file_location('probe_fusion', REPO / TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tiny_model(tmp_path):
    from mmengine.registry import init_default_scope

    from snps3.registry import MODELS
    init_default_scope('snps3')
    cfg = Config.fromfile(derived_config(tmp_path, WITH_XM))
    torch.manual_seed(0)
    return MODELS.build(cfg.model).eval()


def _batch(b=4, length=8, vocab=100):
    torch.manual_seed(1)
    ids = torch.randint(1000, 1000 + vocab, (b, length))
    ids[:, 0] = 101
    labels = torch.full_like(ids, -100)
    labels[:, 2:4] = ids[:, 2:4]
    masked = ids.clone()
    masked[:, 2:4] = 103
    # Clips of different brightness: noise alone averages out to nearly
    # the same frame token in every clip.
    level = torch.linspace(-2, 2, b).view(b, 1, 1, 1, 1)
    return dict(
        frames=level + 0.1 * torch.randn(b, 2, 3, 32, 32),
        input_ids=ids,
        attention_mask=torch.ones_like(ids),
        mlm_input_ids=masked,
        mlm_labels=labels)


def test_a_model_blind_to_the_video_shows_no_gap(tmp_path):
    probe = _tool_module()
    model = _tiny_model(tmp_path)
    inputs = _batch()
    # At random initialisation the tiny backbone gives nearly the same
    # token to every clip; spread them, so the fusion pass has a video to
    # see.
    with torch.no_grad():
        model.backbone.proj.weight.mul_(100)
    seeing = probe.probe_batch(model, inputs)
    # Random heads put every word near 1 / vocabulary and every pair near
    # the same score, so the results move only in the last digits; they
    # move, though.
    assert (seeing['mlm']['own']['loss_mlm']
            != seeing['mlm']['shifted']['loss_mlm'])
    assert seeing['xm']['margin'] != 0
    # Every clip becomes the same tokens: the own and the shifted batch are
    # the same numbers, so nothing may differ, in any digit.
    with torch.no_grad():
        model.backbone.proj.weight.zero_()
    blind = probe.average([probe.probe_batch(model, inputs)])
    assert blind['mlm']['gap']['loss_mlm'] == 0
    assert blind['mlm']['own'] == blind['mlm']['shifted']
    assert blind['xm']['margin'] == 0
    assert blind['xm']['own_wins'] == 0  # ties are not wins


def test_a_model_without_fusion_heads_is_refused(tmp_path):
    from snps3.utils.errors import ConfigError
    probe = _tool_module()
    model = _tiny_model(tmp_path)
    del model.heads['mlm'], model.heads['xm']
    with pytest.raises(ConfigError, match='no head that reads a fusion'):
        probe.probe_batch(model, _batch())


def test_command_line_writes_json_and_table(tmp_path, tiny_corpus):
    model = _tiny_model(tmp_path)
    checkpoint = tmp_path / 'random.pth'
    torch.save({'state_dict': model.state_dict()}, checkpoint)
    config = derived_config(
        tmp_path,
        WITH_XM + textwrap.dedent('''
        train_dataloader = dict(num_workers=0, persistent_workers=False)
        '''),
        name='probe.py')
    out = tmp_path / 'out'
    result = run_tool([
        TOOL, config, checkpoint, '--batches', '2', '--out-dir', out,
        '--cfg-options', *data_root_options(tiny_corpus)
    ])
    assert '| mlm | loss_mlm |' in result.stdout
    report = json.loads((out / 'probe_fusion.json').read_text())
    assert report['captions'] == 8  # 2 batches of the tiny config's 4
    assert set(report['heads']) == {'mlm', 'xm'}
    assert set(report['heads']['mlm']) == {'own', 'shifted', 'gap'}
    assert 0 <= report['heads']['xm']['own_wins'] <= 1
    assert (out / 'probe_fusion.md').read_text().startswith('Fusion heads')
