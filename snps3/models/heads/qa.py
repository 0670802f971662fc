# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import torch
import torch.nn as nn
import torch.nn.functional as F

from snps3.registry import MODELS

from .base import BaseProxyHead

#: Label of a training answer outside the answer vocabulary; ignored.
IGNORE_LABEL = -1


@MODELS.register_module()
class QAHead(BaseProxyHead):
    """Open-ended VideoQA as classification over a fixed answer set.

    ``logits = MLP(dropout(pooled_fusion(question, video)))`` with
    ``MLP = Linear(D, 2D)-ReLU-Linear(2D, C)``, trained with cross-entropy
    on ``answer_label``. The question goes through the fusion encoder as
    the caption does in pre-training (``[question ; video]``), so the head
    reads the context's ``fusion_pos`` pass: the joint [CLS] of SNP / P3E,
    the masked mean of the joint states of SimVTP's unified encoder.

    Labels of -1 (an answer outside the vocabulary) leave the loss; the
    VideoQA datasets drop such questions from training anyway, so this only
    matters for custom data. A batch with no usable label gives a zero loss
    that keeps the classifier in the graph (DDP needs every rank's
    gradient).

    Args:
        hidden_size (int): Width of the encoder.
        num_classes (int): Number of answer classes; must be at least the
            dataset's ``num_answers``.
        dropout (float): Dropout on the joint [CLS] before the MLP.
        label_smoothing (float): Cross-entropy label smoothing.
    """

    requires = ('fusion_pos', )

    def __init__(self,
                 hidden_size: int,
                 num_classes: int,
                 dropout: float = 0.1,
                 label_smoothing: float = 0.0,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if num_classes < 1:
            raise ValueError(f'num_classes must be >= 1, got {num_classes}')
        self.num_classes = num_classes
        self.label_smoothing = label_smoothing
        self.dropout = nn.Dropout(dropout)
        self.mlp = nn.Sequential(
            nn.Linear(hidden_size, 2 * hidden_size), nn.ReLU(inplace=True),
            nn.Linear(2 * hidden_size, num_classes))

    def logits(self, pooled: torch.Tensor) -> torch.Tensor:
        """(B, D) pooled joint pass of ``[question ; video]`` -> (B, C)."""
        return self.mlp(self.dropout(pooled))

    def check_labels(self, labels: torch.Tensor) -> None:
        """Fail clearly on labels the classifier has no output for."""
        bad = (labels >= self.num_classes) | (labels < IGNORE_LABEL)
        if bad.any():
            raise ValueError(
                f'answer label {int(labels[bad][0])} is outside '
                f'[-1, {self.num_classes}): num_classes of the QAHead must '
                "be at least the dataset's number of answers (its top_k)")

    def loss(self, ctx) -> dict:
        labels = ctx.inputs['answer_label'].long()
        self.check_labels(labels)
        logits = self.logits(ctx.fusion_pos[1]).float()
        known = labels != IGNORE_LABEL
        if not known.any():
            zero = logits.sum() * 0.0
            return dict(loss_qa=zero, qa_acc=zero.detach())
        loss = F.cross_entropy(
            logits,
            labels,
            ignore_index=IGNORE_LABEL,
            label_smoothing=self.label_smoothing)
        hits = (logits.argmax(dim=1) == labels)[known].float()
        return dict(loss_qa=loss * self.loss_weight, qa_acc=hits.mean())
