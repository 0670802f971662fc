# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""FastDropout: nn.Dropout's distribution and scaling from a cheaper mask."""
import pytest
import torch
import torch.nn as nn

from snps3.models.encoders import SeparateFusionEncoder, SharedBertEncoder
from snps3.models.fast_dropout import FastDropout, use_fast_dropout


@pytest.mark.parametrize('p', [0.1, 0.5])
@pytest.mark.parametrize('dtype', [torch.float32, torch.bfloat16])
def test_drops_with_probability_p_and_scales_the_rest(p, dtype):
    torch.manual_seed(0)
    x = torch.randn(500, 1001, dtype=dtype).requires_grad_()
    y = FastDropout(p)(x)
    kept = y != 0
    n = x.numel()
    # Within 5 standard deviations of a Bernoulli(1 - p) keep rate.
    assert abs(kept.float().mean().item() - (1 - p)) < 5 * (p *
                                                            (1 - p) / n)**.5
    assert torch.equal(y[kept], (x * (1 / (1 - p)))[kept])
    y.sum().backward()
    assert torch.equal(x.grad,
                       kept.to(dtype) * torch.tensor(1 / (1 - p), dtype=dtype))


def test_draws_are_independent_across_elements():
    torch.manual_seed(0)
    kept = (FastDropout(0.5)(torch.ones(400_000)) != 0).float()
    # Each 64-bit word feeds four neighbours: they must not agree more
    # often than chance.
    agree = (kept[:-1] == kept[1:]).float().mean().item()
    assert abs(agree - 0.5) < 0.005


def test_seeded_eval_and_edge_cases():
    x = torch.randn(64, 64)
    drop = FastDropout(0.3)
    torch.manual_seed(1)
    a = drop(x)
    torch.manual_seed(1)
    assert torch.equal(a, drop(x))  # torch.manual_seed reproduces it
    assert torch.equal(drop.eval()(x), x)
    assert torch.equal(FastDropout(0.0)(x), x)
    assert torch.equal(FastDropout(1.0)(x), torch.zeros_like(x))


def test_swap_keeps_p_training_state_and_checkpoint_keys():
    model = nn.Sequential(
        nn.Linear(4, 4), nn.Dropout(0.2), nn.Sequential(nn.Dropout(0.3)))
    model[2].eval()
    keys = set(model.state_dict())
    assert use_fast_dropout(model) == 2
    assert isinstance(model[1], FastDropout) and model[1].p == 0.2
    assert model[1].training and not model[2][0].training
    assert set(model.state_dict()) == keys
    assert use_fast_dropout(model) == 0  # already swapped


@pytest.mark.parametrize('encoder', [SharedBertEncoder, SeparateFusionEncoder])
def test_encoders_use_it_by_default(encoder, tiny_bert_cfg):

    def kinds(enc):
        return {type(m) for m in enc.modules() if isinstance(m, nn.Dropout)}

    kwargs = dict(config=tiny_bert_cfg)
    if encoder is SeparateFusionEncoder:
        kwargs['fusion_layers'] = 1
    assert kinds(encoder(**kwargs)) == {FastDropout}
    assert kinds(encoder(fast_dropout=False, **kwargs)) == {nn.Dropout}


def test_gradient_checkpointing_recomputes_the_same_mask(tiny_bert_cfg):
    grads = []
    for flag in (False, True):
        torch.manual_seed(0)
        encoder = SharedBertEncoder(
            config=tiny_bert_cfg, gradient_checkpointing=flag).train()
        ids = torch.randint(1, 100, (2, 7))
        video = torch.randn(2, 3, tiny_bert_cfg['hidden_size'])
        hidden, pooled = encoder.forward_fusion(ids, torch.ones_like(ids),
                                                video)
        (hidden.square().mean() + pooled.sum()).backward()
        grads.append([p.grad for p in encoder.parameters()])
    for a, b in zip(*grads):
        assert (a is None) == (b is None)
        if a is not None:
            assert torch.allclose(a, b, atol=1e-6, rtol=1e-4)
