# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import copy

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


TINY_SIMVTP_HEADS = dict(
    mvm=dict(
        type='MaskedVideoReconstructionHead',
        in_dims=None,
        patch_size=None,
        tubelet_size=None,
        decoder_dims=16,
        decoder_layers=1,
        decoder_heads=2),
    mlm=dict(type='MLMHead', hidden_size=None, vocab_size=None),
    vtc=dict(type='MeanPoolVTCHead', temperature=0.05),
    vtm=dict(type='VTMHead', hidden_size=None, negatives='random'))


@pytest.fixture
def tiny_simvtp_cfg():
    """SimVTP with its four pre-training heads, a 2-layer 32-wide ViT."""
    return dict(
        type='SimVTPPretrainer',
        encoder=dict(
            type='UnifiedVideoTextEncoder',
            vit=dict(
                type='VideoViT',
                arch=dict(embed_dims=32, num_layers=2, num_heads=4)),
            text_config=dict(vocab_size=120, max_position_embeddings=64)),
        heads=copy.deepcopy(TINY_SIMVTP_HEADS),
        tube_masking=dict(ratio=0.75, seed=0))


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
