# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""VTC with a MoCo queue: momentum branch, queue, EMA hook."""
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope

from snps3.engine import MomentumUpdateHook
from snps3.models.heads import VTCHead
from snps3.models.losses import mil_similarity
from snps3.registry import MODELS


def _build(cfg, **vtc):
    init_default_scope('snps3')
    torch.manual_seed(0)
    cfg = dict(cfg)
    heads = dict(cfg['heads'])
    heads['vtc'] = dict(heads['vtc'], **vtc)
    cfg['heads'] = heads
    return MODELS.build(cfg)


def _queue_model(cfg, **vtc):
    model = _build(cfg, queue_size=6, momentum=0.9, **vtc)
    # What MomentumUpdateHook does before training (the model warns
    # otherwise; the warning has its own test).
    model.momentum_hook_attached = True
    return model


def _inputs(model, batch_factory, **kwargs):
    return model.data_preprocessor(dict(inputs=batch_factory(**kwargs)), True)


def _unit(*shape, seed=0):
    g = torch.Generator().manual_seed(seed)
    return F.normalize(torch.randn(*shape, generator=g), dim=-1)


def test_without_a_queue_there_is_no_momentum_branch(tiny_model_cfg):
    model = _build(tiny_model_cfg)
    assert model.momentum_model is None
    assert not model.heads['vtc'].needs_momentum_model
    assert not any('momentum' in k or 'queue' in k for k in model.state_dict())
    model.momentum_update()  # a no-op, not an error
    with pytest.raises(RuntimeError, match='no momentum branch'):
        model.extract_momentum_feats({})


def test_enqueue_fills_then_wraps_around():
    head = VTCHead(hidden_size=4, queue_size=5)
    keys = _unit(9, 4), _unit(9, 2, 4, seed=1)
    head.enqueue(keys[0][:3], keys[1][:3])
    assert (int(head.queue_ptr), int(head.queue_len)) == (3, 3)
    assert torch.equal(head.text_queue[:3], keys[0][:3])
    assert head.video_queue.shape == (5, 2, 4)  # T from the first batch
    head.enqueue(keys[0][3:6], keys[1][3:6])  # rows 3, 4, then 0
    assert (int(head.queue_ptr), int(head.queue_len)) == (1, 5)
    assert torch.equal(head.text_queue[[3, 4, 0]], keys[0][3:6])
    assert torch.equal(head.video_queue[[3, 4, 0]], keys[1][3:6])
    assert torch.equal(head.text_queue[1:3], keys[0][1:3])  # untouched
    head.enqueue(keys[0], keys[1])  # more than K: the newest K, in order
    assert (int(head.queue_ptr), int(head.queue_len)) == (1, 5)
    assert torch.equal(head.text_queue[[1, 2, 3, 4, 0]], keys[0][4:])
    with pytest.raises(ValueError, match='2-frame videos'):
        head.enqueue(keys[0][:1], _unit(1, 3, 4))


def test_queued_loss_matches_the_formula_and_masks_empty_rows():
    torch.manual_seed(0)
    head = VTCHead(hidden_size=4, temperature=0.1, queue_size=8)
    old = _unit(3, 4, seed=2), _unit(3, 2, 4, seed=3)
    head.enqueue(*old)  # 3 of 8 rows filled; the other 5 must not count
    text = _unit(2, 4, seed=4).requires_grad_()
    frames = _unit(2, 2, 4, seed=5).requires_grad_()
    keys = _unit(2, 4, seed=6), _unit(2, 2, 4, seed=7)
    ctx = SimpleNamespace(
        text_feats=text, video_feats=frames, momentum_feats=keys)
    out = head.loss(ctx)

    # Queries online, keys = [own batch's momentum keys; filled rows].
    t2v = mil_similarity(text, torch.cat([keys[1], old[1]]), 0.1)
    v2t = mil_similarity(torch.cat([keys[0], old[0]]), frames, 0.1).t()
    targets = torch.arange(2)
    ref = (F.cross_entropy(t2v, targets) + F.cross_entropy(v2t, targets)) / 2
    assert torch.allclose(out['loss_vtc'], ref, atol=1e-6)
    out['loss_vtc'].backward()  # the enqueue did not break the graph
    assert text.grad.abs().sum() > 0 and frames.grad.abs().sum() > 0
    assert (int(head.queue_ptr), int(head.queue_len)) == (5, 5)
    assert torch.equal(head.text_queue[3:5], keys[0])


def test_momentum_branch_is_frozen_and_moves_by_ema(tiny_model_cfg,
                                                    batch_factory):
    model = _queue_model(tiny_model_cfg)
    branch = model.momentum_model
    assert set(branch) == {'backbone', 'encoder', 'head'}
    assert not any(p.requires_grad for p in branch.parameters())
    online = dict(model.named_parameters())
    for name, param in branch.named_parameters():
        key = name.replace('head.', 'heads.vtc.', 1) \
            if name.startswith('head.') else name
        assert torch.equal(param, online[key])  # a copy at build time
    losses = model(**_inputs(model, batch_factory), mode='loss')
    losses['loss_vtc'].backward()
    assert all(p.grad is None for p in branch.parameters())
    assert model.backbone.proj.weight.grad.abs().sum() > 0

    before = branch['backbone'].proj.weight.clone()
    torch.optim.SGD(model.parameters(), lr=1.0).step()
    after_step = model.backbone.proj.weight.detach().clone()
    assert not torch.equal(after_step, before)
    assert torch.equal(branch['backbone'].proj.weight, before)  # no grad
    model.backbone.model.bn1.running_mean.add_(1.0)
    model.momentum_update()
    assert torch.allclose(branch['backbone'].proj.weight,
                          0.9 * before + 0.1 * after_step)
    assert torch.equal(branch['backbone'].model.bn1.running_mean,
                       model.backbone.model.bn1.running_mean)
    model.init_weights()  # the Runner's: the branch restarts as a copy
    assert torch.equal(branch['backbone'].proj.weight,
                       model.backbone.proj.weight)


def test_checkpoint_holds_queues_and_momentum_weights(tiny_model_cfg,
                                                      batch_factory):
    model = _queue_model(tiny_model_cfg)
    model(**_inputs(model, batch_factory, b=4, t=2), mode='loss')
    state = model.state_dict()
    for key in ('heads.vtc.text_queue', 'heads.vtc.video_queue',
                'heads.vtc.queue_ptr', 'heads.vtc.queue_len',
                'momentum_model.backbone.proj.weight',
                'momentum_model.encoder.bert.pooler.dense.weight',
                'momentum_model.head.frame_mlp.0.weight'):
        assert key in state, key
    assert state['heads.vtc.video_queue'].shape == (6, 2, 32)
    assert int(state['heads.vtc.queue_len']) == 4
    fresh = _queue_model(tiny_model_cfg)  # its video queue has T = 0
    fresh.load_state_dict(state)  # strict: nothing missing or unexpected
    for key, value in fresh.state_dict().items():
        assert torch.equal(value, state[key]), key


def test_loss_and_backward_with_mlm(tiny_model_cfg, batch_factory):
    model = _queue_model(tiny_model_cfg)
    losses = model(**_inputs(model, batch_factory), mode='loss')
    assert set(losses) == {'loss_mlm', 'mlm_acc', 'loss_vtc', 'vtc_acc'}
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    assert model.heads['vtc'].frame_mlp[0].weight.grad.abs().sum() > 0
    assert int(model.heads['vtc'].queue_len) == 4
    losses = model(**_inputs(model, batch_factory), mode='loss')
    assert torch.isfinite(losses['loss_vtc'])
    assert int(model.heads['vtc'].queue_len) == 6  # K = 6: full


def test_hook_updates_once_per_optimizer_step(tiny_model_cfg, batch_factory):
    model = _build(tiny_model_cfg, queue_size=6, momentum=0.9)
    wrapper = OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.1), accumulative_counts=2)
    wrapper.initialize_count_status(model, 0, 4)
    runner = SimpleNamespace(
        model=model, optim_wrapper=wrapper, logger=SimpleNamespace(info=print))
    hook = MomentumUpdateHook()
    hook.before_train(runner)
    assert model.momentum_hook_attached
    updates = []
    update = model.momentum_update
    model.momentum_update = lambda: updates.append(1) or update()
    data = _inputs(model, batch_factory)
    for i in range(4):
        losses = model(**data, mode='loss')
        wrapper.update_params(losses['loss_vtc'] + losses['loss_mlm'])
        hook.after_train_iter(runner, i)
    assert len(updates) == 2  # 4 micro-batches, 2 optimiser steps


def test_model_warns_without_the_hook(tiny_model_cfg, batch_factory):
    model = _build(tiny_model_cfg, queue_size=6)
    with pytest.warns(UserWarning, match='MomentumUpdateHook'):
        model(**_inputs(model, batch_factory), mode='loss')


def test_heads_must_agree_on_the_momentum(tiny_model_cfg):
    cfg = dict(tiny_model_cfg)
    cfg['heads'] = dict(
        cfg['heads'],
        vtc2=dict(
            type='VTCHead', hidden_size=None, queue_size=4, momentum=0.99))
    with pytest.raises(ValueError, match='different momenta'):
        _build(cfg, queue_size=4, momentum=0.9)
