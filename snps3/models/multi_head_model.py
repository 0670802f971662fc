# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from typing import Dict, List, Optional

import torch
from mmengine.model import BaseModel


class MultiHeadModel(BaseModel):
    """A model whose training loss comes from a dict of heads.

    Subclasses build ``self.heads`` (an ``nn.ModuleDict``) and define
    ``loss`` and ``extract_feats``; :meth:`forward` dispatches MMEngine's
    three modes, :meth:`head_losses` gathers what the heads report from one
    forward context, and :meth:`predict` hands each data sample its row of
    the features (what the retrieval loops collect).
    """

    def forward(self,
                inputs: Dict[str, torch.Tensor],
                data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.extract_feats(inputs)
        raise ValueError(f"mode must be 'loss', 'predict' or 'tensor', "
                         f'got {mode!r}')

    def predict(self, inputs: Dict[str, torch.Tensor],
                data_samples: List) -> List:
        feats = self.extract_feats(inputs)
        for i, sample in enumerate(data_samples):
            for key, value in feats.items():
                sample.set_field(value[i], key)
        return data_samples

    def head_losses(self, ctx) -> dict:
        """Every head's losses and metrics; a key two heads report is an
        error (one would silently replace the other in the log and sum)."""
        losses = {}
        for name, head in self.heads.items():
            for key, value in head.loss(ctx).items():
                if key in losses:
                    raise KeyError(f"head '{name}' reports '{key}', which "
                                   'another head reports too')
                losses[key] = value
        return losses
