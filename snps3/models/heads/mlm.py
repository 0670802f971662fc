# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import torch
import torch.nn as nn
import torch.nn.functional as F

from snps3.registry import MODELS

from .base import BaseProxyHead


@MODELS.register_module()
class MLMHead(BaseProxyHead):
    """Masked language modelling from the fusion pass.

    Predicts the original word-pieces at the masked positions of the caption
    from the joint (caption + video) states. The decoder shares its weight
    with the word embeddings (``tie_weights``); logits are computed at masked
    positions only, which spares a (B, L, vocab) tensor.

    The decoder runs in fp32 under bf16 autocast: it multiplies only the
    few masked rows, so casting its (vocab, D) weight to bf16 and that
    weight's gradient back every step would cost more than the bf16 matmul
    saves (at BERT-base: two 23M-element copies for a 0.7 GFLOP product).

    Args:
        hidden_size (int): Width of the encoder.
        vocab_size (int): Word-piece vocabulary size.
    """

    requires = ('fusion_mlm', )

    def __init__(self, hidden_size: int, vocab_size: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.transform = nn.Sequential(
            nn.Linear(hidden_size, hidden_size), nn.GELU(),
            nn.LayerNorm(hidden_size, eps=1e-12))
        self.decoder = nn.Linear(hidden_size, vocab_size)

    def tie_weights(self, word_embeddings: nn.Embedding) -> None:
        self.decoder.weight = word_embeddings.weight

    def loss(self, ctx) -> dict:
        labels = ctx.inputs['mlm_labels']
        hidden = ctx.fusion_mlm[0][:, :labels.shape[1]]
        picked = labels != -100
        transformed = self.transform(hidden[picked])
        with torch.autocast(transformed.device.type, enabled=False):
            logits = self.decoder(transformed.float())
        targets = labels[picked]
        loss = F.cross_entropy(logits, targets)
        with torch.no_grad():
            acc = (logits.argmax(-1) == targets).float().mean()
        return dict(loss_mlm=loss * self.loss_weight, mlm_acc=acc)
