# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""FSDP wrapping policy for the BERT-based models (FlexibleRunner + FSDP).

Configs name it by its import path, e.g.
``auto_wrap_policy=dict(type='snps3.engine.fsdp.bert_layer_wrap_policy')``
in ``strategy=dict(type='FSDPStrategy', model_wrapper=...)``.
"""
from typing import Optional, Set, Type

import torch.nn as nn


def _layer_classes() -> Set[Type[nn.Module]]:
    from transformers.models.bert.modeling_bert import BertLayer
    return {BertLayer}


def bert_layer_wrap_policy(module: nn.Module,
                           recurse: bool,
                           nonwrapped_numel: int,
                           min_num_params: Optional[int] = None) -> bool:
    """Shard each BERT layer as its own FSDP unit; the rest goes to the root.

    One unit per transformer layer gathers one layer's weights at a time in
    the forward and backward passes, which bounds the memory of the full
    parameters to a layer's. Everything else (embeddings, the MLM decoder
    tied to them, poolers, heads, the frame backbone) stays in the root
    unit, so tied weights never straddle two units.

    Args:
        module, recurse, nonwrapped_numel: as FSDP's policies receive them.
        min_num_params (int, optional): Also wrap any other module of at
            least this many parameters that is not part of a BERT layer,
            e.g. a large frame backbone (``None``: do not).
    """
    from torch.distributed.fsdp.wrap import transformer_auto_wrap_policy
    if transformer_auto_wrap_policy(
            module,
            recurse,
            nonwrapped_numel,
            transformer_layer_cls=_layer_classes()):
        return True
    # (With recurse=True the call above has said True: look inside.)
    if min_num_params is None:
        return False
    return nonwrapped_numel >= min_num_params and not any(
        isinstance(m, tuple(_layer_classes())) for m in module.modules())
