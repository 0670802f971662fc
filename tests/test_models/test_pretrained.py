# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Fine-tuning initialisation: load_pretrained and model.init_from."""
import copy

import pytest
import torch
from mmengine.registry import init_default_scope

from snps3.models.pretrained import load_pretrained
from snps3.registry import MODELS
from snps3.utils.errors import ConfigError, MissingFileError

XM = dict(type='CrossMatchingHead', hidden_size=None)


def _build(cfg, seed=0):
    init_default_scope('snps3')
    torch.manual_seed(seed)
    return MODELS.build(cfg)


def _finetune_cfg(pretrain_cfg, **init_from):
    """Retrieval fine-tuning: VTC + cross matching, no MLM."""
    cfg = copy.deepcopy(pretrain_cfg)
    cfg['heads'] = dict(vtc=cfg['heads']['vtc'], xm=XM)
    if init_from:
        cfg['init_from'] = init_from
    return cfg


@pytest.fixture
def pretrained(tiny_model_cfg, tmp_path):
    """A 'pre-trained' (MLM + VTC) model saved as an MMEngine checkpoint."""
    model = _build(tiny_model_cfg, seed=1)
    path = tmp_path / 'iter_5.pth'
    torch.save(dict(meta=dict(iter=5), state_dict=model.state_dict()), path)
    return model, path


def _assert_equal_weights(model, reference, keys):
    own, ref = model.state_dict(), reference.state_dict()
    for key in keys:
        assert torch.equal(own[key], ref[key]), key


def test_head_more_and_head_fewer_report_exactly(tiny_model_cfg, pretrained):
    source, path = pretrained
    model = _build(_finetune_cfg(tiny_model_cfg))
    fresh_xm = copy.deepcopy(model.heads['xm'].state_dict())
    report = load_pretrained(model, str(path))

    own, saved = set(model.state_dict()), set(source.state_dict())
    assert set(report.missing) == own - saved
    assert report.missing and all(
        k.startswith('heads.xm.') for k in report.missing)
    assert set(report.unexpected) == saved - own
    assert report.unexpected and all(
        k.startswith('heads.mlm.') for k in report.unexpected)
    assert set(report.loaded) == own & saved
    assert report.mismatched == {} and report.ignored == []
    _assert_equal_weights(model, source, report.loaded)
    # The new head keeps its own initialisation.
    for key, value in model.heads['xm'].state_dict().items():
        assert torch.equal(value, fresh_xm[key])
    summary = report.summary()
    assert 'heads.xm (' in summary and 'heads.mlm (' in summary
    assert len(summary.splitlines()) <= 6  # grouped, not one line per key


def test_init_from_applies_after_normal_init(tiny_model_cfg, pretrained):
    source, path = pretrained
    cfg = _finetune_cfg(
        tiny_model_cfg,
        checkpoint=str(path),
        require=[r'^backbone\.', r'^encoder\.', r'^heads\.vtc\.'])
    model = _build(cfg)
    model.init_weights()
    assert model.init_report is not None
    _assert_equal_weights(model, source, model.init_report.loaded)
    assert any(k.startswith('encoder.') for k in model.init_report.loaded)


def test_init_from_without_checkpoint_warns(tiny_model_cfg):
    model = _build(_finetune_cfg(tiny_model_cfg, checkpoint=None))
    with pytest.warns(UserWarning, match='init_from.checkpoint is None'):
        model.init_weights()
    assert model.init_report is None


def test_ddp_prefix_is_stripped(tiny_model_cfg, pretrained, tmp_path):
    source, _ = pretrained
    path = tmp_path / 'ddp.pth'
    torch.save({
        f'module.{k}': v
        for k, v in source.state_dict().items()
    }, path)
    model = _build(tiny_model_cfg)
    report = load_pretrained(model, str(path))
    assert report.missing == [] and report.unexpected == []
    assert report.renamed == 0
    _assert_equal_weights(model, source, source.state_dict())


def test_key_map_loads_hf_bert(tiny_model_cfg, pretrained, tmp_path):
    """A BERT exported HuggingFace-style (``bert.`` keys, a pre-training
    head) loads into the encoder through explicit renames."""
    source, _ = pretrained
    bert = {
        k[len('encoder.bert.'):]: v
        for k, v in source.state_dict().items()
        if k.startswith('encoder.bert.')
    }
    hf = {f'bert.{k}': v for k, v in bert.items()}
    hf['cls.predictions.bias'] = torch.zeros(3)
    path = tmp_path / 'hf_bert.pth'
    torch.save(hf, path)
    model = _build(tiny_model_cfg)
    report = load_pretrained(
        model,
        str(path),
        key_map=[(r'^bert\.', 'encoder.bert.')],
        ignore=[r'^cls\.'],
        require=[r'^encoder\.bert\.'])
    assert report.renamed == len(bert)
    assert report.ignored == ['cls.predictions.bias']
    assert report.unexpected == []
    assert set(report.loaded) == {f'encoder.bert.{k}' for k in bert}
    assert all(not k.startswith('encoder.bert.') for k in report.missing)
    _assert_equal_weights(model, source, report.loaded)


def test_key_map_rules_apply_in_order(tiny_model_cfg, pretrained, tmp_path):
    source, _ = pretrained
    state = source.state_dict()
    path = tmp_path / 'old_names.pth'
    # An older release called the contrastive head 'itc' under 'head.'.
    torch.save(
        {
            k.replace('heads.vtc.', 'head.itc.'): v
            for k, v in state.items()
        }, path)
    model = _build(tiny_model_cfg)
    report = load_pretrained(
        model,
        str(path),
        key_map=[(r'^head\.', 'heads.'), (r'^heads\.itc\.', 'heads.vtc.')])
    assert report.unexpected == [] and report.missing == []
    _assert_equal_weights(model, source, state)


def test_key_map_collision_is_refused(tiny_model_cfg, pretrained):
    _, path = pretrained
    model = _build(tiny_model_cfg)
    with pytest.raises(ConfigError, match='renames both'):
        load_pretrained(model, str(path), key_map=[(r'\.(weight|bias)$', '')])


def test_shape_mismatch_is_reported_not_loaded(tiny_model_cfg, pretrained):
    source, path = pretrained
    cfg = _finetune_cfg(tiny_model_cfg)
    cfg['encoder']['config']['max_position_embeddings'] = 32  # 64 saved
    model = _build(cfg)
    before = copy.deepcopy(model.state_dict())
    report = load_pretrained(model, str(path))
    key = 'encoder.bert.embeddings.position_embeddings.weight'
    assert report.mismatched == {key: ((64, 32), (32, 32))}
    assert key not in report.loaded and key not in report.missing
    assert torch.equal(model.state_dict()[key], before[key])
    _assert_equal_weights(model, source, report.loaded)
    assert f'shape mismatch (not loaded): {key} checkpoint (64, 32) vs ' \
        'model (32, 32)' in report.summary()


def test_require_fails_loudly(tiny_model_cfg, pretrained, tmp_path):
    source, _ = pretrained
    path = tmp_path / 'text_only.pth'
    torch.save(
        {
            k: v
            for k, v in source.state_dict().items()
            if not k.startswith('backbone.')
        }, path)
    model = _build(tiny_model_cfg)
    with pytest.raises(ConfigError) as err:
        load_pretrained(
            model, str(path), require=[r'^backbone\.', r'^encoder\.'])
    assert 'backbone.' in str(err.value) and 'require' in str(err.value)
    # A pattern that matches nothing is a typo, not a pass.
    with pytest.raises(ConfigError, match='matches no key'):
        load_pretrained(model, str(path), require=[r'^backbones\.'])


def test_missing_file(tiny_model_cfg, tmp_path):
    model = _build(tiny_model_cfg)
    with pytest.raises(MissingFileError, match='init_from.checkpoint'):
        load_pretrained(model, str(tmp_path / 'nope.pth'))
