# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import pytest
import torch

TINY_BERT = dict(
    vocab_size=120,
    hidden_size=32,
    num_hidden_layers=2,
    num_attention_heads=4,
    intermediate_size=64,
    max_position_embeddings=64)


@pytest.fixture
def tiny_bert_cfg():
    return dict(TINY_BERT)


@pytest.fixture
def tiny_model_cfg():
    return dict(
        type='VideoTextPretrainer',
        backbone=dict(
            type='TimmFrameEncoder',
            model_name='resnet18',
            model_kwargs=dict()),
        encoder=dict(
            type='SharedBertEncoder', config=dict(TINY_BERT), sep_token_id=3),
        heads=dict(
            mlm=dict(type='MLMHead', hidden_size=None, vocab_size=None),
            vtc=dict(type='VTCHead', hidden_size=None)))


def make_batch(b=4, t=2, length=8, size=32, vocab=120):
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(5, vocab, (b, length), generator=g)
    ids[:, 0] = 2
    mask = torch.ones(b, length, dtype=torch.long)
    mask[0, -3:] = 0
    labels = torch.full((b, length), -100)
    labels[:, 2] = ids[:, 2]
    mlm_ids = ids.clone()
    mlm_ids[:, 2] = 4
    return dict(
        frames=torch.randint(
            0, 255, (b, t, 3, size, size), dtype=torch.uint8, generator=g),
        input_ids=ids,
        attention_mask=mask,
        mlm_input_ids=mlm_ids,
        mlm_labels=labels)


@pytest.fixture
def batch_factory():
    return make_batch
