# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
from typing import Tuple

from mmengine.model import BaseModule


class BaseProxyHead(BaseModule):
    """A pre-training objective on top of the encoder.

    A head never runs the encoder: it reads the passes it needs from the
    :class:`~snps3.models.forward_context.ForwardContext` that the model
    hands to every head, so two heads that need the same pass share it.

    Args:
        loss_weight (float): Multiplies the head's loss.
    """

    #: Names of the context passes the head reads, for documentation and
    #: for models that want to check what a head set costs.
    requires: Tuple[str, ...] = ()

    def __init__(self, loss_weight: float = 1.0, init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.loss_weight = loss_weight

    def loss(self, ctx) -> dict:
        """Losses (keys containing 'loss') and metrics of this head."""
        raise NotImplementedError
