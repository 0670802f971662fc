# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from types import SimpleNamespace

import pytest
import torch
import torch.nn.functional as F

from snps3.models.heads import QAHead


def _ctx(pooled, labels):
    """The two things QAHead reads from a forward context."""
    return SimpleNamespace(
        fusion_pos=(None, pooled), inputs=dict(answer_label=labels))


def test_loss_is_cross_entropy_over_the_answer_classes():
    torch.manual_seed(0)
    head = QAHead(hidden_size=8, num_classes=5, dropout=0.0)
    pooled = torch.randn(4, 8)
    labels = torch.tensor([0, 3, 4, 1])
    out = head.loss(_ctx(pooled, labels))
    logits = head.logits(pooled)
    assert logits.shape == (4, 5)
    assert torch.allclose(out['loss_qa'], F.cross_entropy(logits, labels))
    hits = (logits.argmax(1) == labels).float().mean()
    assert torch.allclose(out['qa_acc'], hits)


def test_unknown_answers_are_ignored():
    torch.manual_seed(0)
    head = QAHead(hidden_size=8, num_classes=5, dropout=0.0, loss_weight=2.0)
    pooled = torch.randn(4, 8, requires_grad=True)
    labels = torch.tensor([2, -1, 4, -1])
    out = head.loss(_ctx(pooled, labels))
    known = torch.tensor([0, 2])
    ref = F.cross_entropy(head.logits(pooled)[known], labels[known])
    assert torch.allclose(out['loss_qa'], 2.0 * ref)
    out['loss_qa'].backward()
    # Rows with label -1 get no gradient.
    assert pooled.grad[1].abs().sum() == 0 and pooled.grad[0].abs().sum() > 0


def test_a_batch_without_known_answers_gives_a_zero_loss_with_a_graph():
    head = QAHead(hidden_size=8, num_classes=3)
    out = head.loss(_ctx(torch.randn(2, 8), torch.tensor([-1, -1])))
    assert out['loss_qa'].item() == 0.0
    out['loss_qa'].backward()
    assert head.mlp[-1].weight.grad is not None


def test_labels_beyond_num_classes_fail_clearly():
    head = QAHead(hidden_size=8, num_classes=3)
    with pytest.raises(ValueError, match='num_classes'):
        head.loss(_ctx(torch.randn(2, 8), torch.tensor([0, 3])))
