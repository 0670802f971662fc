# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from types import SimpleNamespace

import torch
import torch.nn as nn
import torch.nn.functional as F

from snps3.models.heads import MLMHead


def _head_and_context(width=16, vocab=50, length=6, batch=3):
    torch.manual_seed(0)
    head = MLMHead(hidden_size=width, vocab_size=vocab)
    table = nn.Embedding(vocab, width)
    head.tie_weights(table)
    labels = torch.full((batch, length), -100)
    labels[0, 1], labels[1, 3], labels[2, 0] = 7, 11, 42
    hidden = torch.randn(batch, length + 4, width, requires_grad=True)
    ctx = SimpleNamespace(
        inputs=dict(mlm_labels=labels), fusion_mlm=(hidden, None))
    return head, table, ctx


def test_loss_is_cross_entropy_at_masked_positions_only():
    head, table, ctx = _head_and_context()
    out = head.loss(ctx)
    labels = ctx.inputs['mlm_labels']
    hidden = ctx.fusion_mlm[0][:, :labels.shape[1]]
    picked = labels != -100
    logits = head.transform(hidden[picked]) @ table.weight.t()
    logits = logits + head.decoder.bias
    expected = F.cross_entropy(logits, labels[picked])
    assert torch.allclose(out['loss_mlm'], expected, atol=1e-6)


def test_tied_decoder_stays_fp32_under_bf16_autocast():
    """Casting the (vocab, D) table to bf16 and its gradient back each step
    costs more than the few masked rows' product: the decoder is fp32."""
    head, table, ctx = _head_and_context()
    casts = []

    def spy(module, args):
        casts.append(args[0].dtype)

    head.decoder.register_forward_pre_hook(spy)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = head.loss(ctx)
    out['loss_mlm'].backward()
    assert casts == [torch.float32]
    assert table.weight.grad.dtype == torch.float32
    # The transform still runs in bf16 under autocast.
    with torch.autocast('cpu', dtype=torch.bfloat16):
        transformed = head.transform(ctx.fusion_mlm[0][0])
    assert transformed.dtype == torch.bfloat16
