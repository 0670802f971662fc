# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import pytest
import torch
from mmengine.registry import init_default_scope

from snps3.models.attentive_masking import bert_replacement
from snps3.registry import MODELS
from snps3.utils.errors import ConfigError

MASK_ID = 4  # the tiny vocabulary's [MASK] (see conftest.make_batch)


def _build(cfg, **masking):
    init_default_scope('snps3')
    torch.manual_seed(0)
    cfg = dict(
        cfg,
        attentive_masking=dict(
            type='AttentiveMasking', mask_token_id=MASK_ID, **masking))
    return MODELS.build(cfg)


def _batch(batch_factory):
    """Rows of different lengths, each with its own number of masks.

    Row i has ``i + 1`` masked positions, as a data transform would give.
    Row 0 is padded after 5 real tokens (conftest), row 2 after 7.
    """
    batch = batch_factory(b=4, length=10)
    batch['attention_mask'][2, 7:] = 0
    labels = torch.full_like(batch['input_ids'], -100)
    for row in range(4):
        labels[row, 1:2 + row] = batch['input_ids'][row, 1:2 + row]
    batch['mlm_labels'] = labels
    batch['mlm_input_ids'] = torch.where(labels != -100,
                                         torch.full_like(labels, MASK_ID),
                                         batch['input_ids'])
    return batch


def _eager_cls_attention(model, batch, layer):
    """[CLS] attention from HuggingFace's own eager implementation."""
    from transformers import BertModel
    bert = model.encoder.bert
    eager = BertModel._from_config(bert.config, attn_implementation='eager')
    eager.load_state_dict(bert.state_dict())
    eager.eval()
    with torch.no_grad():
        out = eager(
            input_ids=batch['input_ids'],
            attention_mask=batch['attention_mask'],
            token_type_ids=torch.zeros_like(batch['input_ids']),
            output_attentions=True)
    return out.attentions[layer][:, :, 0].mean(1)  # (B, L)


def _candidates(batch):
    mask = batch['attention_mask'].bool()
    cands = mask.clone()
    cands[:, 0] = False
    last = mask.sum(1) - 1
    cands[torch.arange(len(last)), last] = False
    return cands


@pytest.mark.parametrize('layer', [-1, 0])
def test_masks_the_top_attended_candidates_with_the_same_count(
        tiny_model_cfg, batch_factory, layer):
    model = _build(tiny_model_cfg, prob=1.0, layer=layer).train()
    batch = _batch(batch_factory)
    out = model.attentive_masking(model.encoder, batch)
    chosen = out['mlm_labels'] != -100
    assert chosen.sum(1).tolist() == [1, 2, 3, 4]
    # Labels hold the raw ids wherever a token is predicted.
    assert torch.equal(out['mlm_labels'][chosen], batch['input_ids'][chosen])

    scores = _eager_cls_attention(model, batch, layer)
    assert torch.allclose(
        model.attentive_masking.cls_attention(model.encoder.bert,
                                              batch['input_ids'],
                                              batch['attention_mask']),
        scores,
        atol=1e-6)
    scores = scores.masked_fill(~_candidates(batch), float('-inf'))
    for row in range(4):
        top = scores[row].topk(row + 1).indices
        assert set(top.tolist()) == set(chosen[row].nonzero()[:, 0].tolist())
    # The caller's batch is left as it was.
    assert torch.equal(batch['mlm_labels'],
                       _batch(batch_factory)['mlm_labels'])


def test_specials_and_padding_are_never_masked(tiny_model_cfg, batch_factory):
    model = _build(tiny_model_cfg, prob=1.0, special_ids=[7]).train()
    batch = _batch(batch_factory)
    batch['input_ids'][3, 3] = 7  # an [UNK]-like id inside a caption
    # As many masks as there are candidates: everything maskable is taken.
    batch['mlm_labels'] = batch['input_ids'].clone()
    out = model.attentive_masking(model.encoder, batch)
    chosen = out['mlm_labels'] != -100
    expected = _candidates(batch)
    expected[3, 3] = False
    assert torch.equal(chosen, expected)
    assert not chosen[:, 0].any()
    assert not chosen[batch['attention_mask'] == 0].any()
    assert torch.equal(out['mlm_input_ids'][~chosen],
                       batch['input_ids'][~chosen])


def test_bert_replacement_proportions():
    torch.manual_seed(0)
    ids = torch.randint(5, 30000, (400, 50))
    chosen = torch.rand(ids.shape) < 0.5
    masked, labels = bert_replacement(ids, chosen, MASK_ID, 30000)
    assert torch.equal(labels != -100, chosen)
    assert torch.equal(masked[~chosen], ids[~chosen])
    picked, original = masked[chosen], ids[chosen]
    n = chosen.sum().item()
    as_mask = (picked == MASK_ID).sum().item() / n
    kept = (picked == original).sum().item() / n
    other = 1 - as_mask - kept
    assert 0.78 < as_mask < 0.82
    assert 0.08 < kept < 0.12
    assert 0.08 < other < 0.12


def test_prob_zero_and_eval_leave_the_masks_alone(tiny_model_cfg,
                                                  batch_factory):
    model = _build(tiny_model_cfg, prob=0.0).train()
    batch = _batch(batch_factory)
    assert model.attentive_masking(model.encoder, batch) is batch

    # prob=1 but in evaluation: the MLM head sees the transform's masks.
    model = _build(tiny_model_cfg, prob=1.0).eval()
    seen = {}
    loss = model.heads['mlm'].loss

    def spy(ctx):
        seen.update(ctx.inputs)
        return loss(ctx)

    model.heads['mlm'].loss = spy
    data = model.data_preprocessor(dict(inputs=_batch(batch_factory)))
    with torch.no_grad():
        model(**data, mode='loss')
    assert torch.equal(seen['mlm_labels'], data['inputs']['mlm_labels'])
    assert torch.equal(seen['mlm_input_ids'], data['inputs']['mlm_input_ids'])


def test_loss_step_reads_the_new_masks_and_backprops(tiny_model_cfg,
                                                     batch_factory):
    model = _build(tiny_model_cfg, prob=1.0).train()
    seen = {}
    loss = model.heads['mlm'].loss

    def spy(ctx):
        seen.update(ctx.inputs)
        return loss(ctx)

    model.heads['mlm'].loss = spy
    data = model.data_preprocessor(dict(inputs=_batch(batch_factory)), True)
    losses = model(**data, mode='loss')
    assert (seen['mlm_labels'] != -100).sum(1).tolist() == [1, 2, 3, 4]
    assert not torch.equal(seen['mlm_labels'], data['inputs']['mlm_labels'])
    total = sum(v for k, v in losses.items() if k.startswith('loss'))
    assert torch.isfinite(total)
    total.backward()
    assert model.encoder.word_embeddings.weight.grad.abs().sum() > 0


def test_without_an_mlm_head_the_build_fails(tiny_model_cfg):
    cfg = dict(tiny_model_cfg)
    cfg['heads'] = dict(vtc=cfg['heads']['vtc'])
    with pytest.raises(ConfigError, match='no head reads'):
        _build(cfg)


def test_default_model_has_no_attentive_masking(tiny_model_cfg):
    init_default_scope('snps3')
    assert MODELS.build(tiny_model_cfg).attentive_masking is None
