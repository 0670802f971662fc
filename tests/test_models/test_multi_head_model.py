# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import pytest
import torch
import torch.nn as nn
from mmengine.structures import BaseDataElement

from snps3.models.multi_head_model import MultiHeadModel


class _Head(nn.Module):

    def __init__(self, **reports):
        super().__init__()
        self.reports = reports

    def loss(self, ctx):
        return {k: v * ctx for k, v in self.reports.items()}


class _Model(MultiHeadModel):

    def __init__(self, **heads):
        super().__init__()
        self.heads = nn.ModuleDict(heads)

    def loss(self, inputs):
        return self.head_losses(inputs['scale'])

    def extract_feats(self, inputs):
        return dict(text_feat=torch.arange(2.0)) if inputs else 'feats'


def test_modes_dispatch_and_heads_report_their_keys():
    model = _Model(a=_Head(loss_a=1.0, acc_a=0.5), b=_Head(loss_b=2.0))
    assert model(
        dict(scale=2.0), mode='loss') == dict(
            loss_a=2.0, acc_a=1.0, loss_b=4.0)
    samples = model(
        dict(scale=1.0),
        [BaseDataElement(), BaseDataElement()],
        mode='predict')
    assert [s.text_feat.item() for s in samples] == [0.0, 1.0]
    assert model({}) == 'feats'
    with pytest.raises(ValueError, match="got 'train'"):
        model({}, mode='train')


def test_two_heads_reporting_one_key_is_an_error():
    model = _Model(a=_Head(loss=1.0), b=_Head(loss=2.0))
    with pytest.raises(KeyError, match="head 'b' reports 'loss'"):
        model(dict(scale=1.0), mode='loss')
