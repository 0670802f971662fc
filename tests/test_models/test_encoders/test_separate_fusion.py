# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""P3E: a text BERT plus a separate fusion BERT with its own embeddings."""
import json

import pytest
import torch
from mmengine.registry import init_default_scope

from snps3.models.encoders import SeparateFusionEncoder
from snps3.registry import MODELS


def _encoder(cfg, **kwargs):
    torch.manual_seed(0)
    kwargs.setdefault('fusion_layers', 1)
    return SeparateFusionEncoder(config=cfg, sep_token_id=3, **kwargs).eval()


def test_fusion_layout_matches_snp(tiny_bert_cfg):
    enc = _encoder(tiny_bert_cfg)
    seen = {}

    def grab(module, args, kwargs):
        seen.update(kwargs)

    enc.fusion_bert.embeddings.register_forward_pre_hook(
        grab, with_kwargs=True)
    ids = torch.randint(5, 100, (2, 5))
    mask = torch.ones_like(ids)
    video = torch.randn(2, 3, tiny_bert_cfg['hidden_size'])
    hidden, pooled = enc.forward_fusion(ids, mask, video)
    assert hidden.shape == (2, 5 + 3 + 1, tiny_bert_cfg['hidden_size'])
    assert pooled.shape == (2, tiny_bert_cfg['hidden_size'])
    assert seen['position_ids'][0].tolist() == [0, 1, 2, 3, 4, 0, 1, 2, 3]
    assert seen['token_type_ids'][0].tolist() == [0] * 5 + [1] * 4
    # The text part is the text BERT's output, not word embeddings.
    text_states = enc.forward_text(ids, mask)[0]
    assert torch.allclose(seen['inputs_embeds'][:, :5], text_states)
    assert torch.equal(seen['inputs_embeds'][:, 5:8], video)
    # [SEP] comes from the fusion BERT's own word table.
    sep = enc.fusion_bert.embeddings.word_embeddings.weight[3]
    assert torch.equal(seen['inputs_embeds'][0, -1], sep)


def test_padding_is_masked_in_fusion(tiny_bert_cfg):
    enc = _encoder(tiny_bert_cfg)
    ids = torch.randint(5, 100, (1, 4))
    video = torch.randn(1, 2, tiny_bert_cfg['hidden_size'])
    short = enc.forward_fusion(ids, torch.ones_like(ids), video)[1]
    padded_ids = torch.cat([ids, torch.zeros(1, 3, dtype=torch.long)], 1)
    padded_mask = torch.tensor([[1, 1, 1, 1, 0, 0, 0]])
    longer = enc.forward_fusion(padded_ids, padded_mask, video)[1]
    assert torch.allclose(short, longer, atol=1e-5)


def test_fusion_weights_are_separate_and_both_train(tiny_bert_cfg):
    enc = _encoder(tiny_bert_cfg, fusion_layers=2).train()
    text_ids = {id(p) for p in enc.bert.parameters()}
    assert not text_ids & {id(p) for p in enc.fusion_bert.parameters()}
    assert len(enc.fusion_bert.encoder.layer) == 2
    assert enc.word_embeddings is enc.bert.embeddings.word_embeddings
    assert enc.fusion_bert.embeddings.word_embeddings is not \
        enc.word_embeddings
    ids = torch.randint(5, 100, (2, 6))
    video = torch.randn(2, 2, tiny_bert_cfg['hidden_size'])
    enc.forward_fusion(ids, torch.ones_like(ids), video)[1].sum().backward()
    for bert in (enc.bert, enc.fusion_bert):
        grad = bert.encoder.layer[0].attention.self.query.weight.grad
        assert grad is not None and grad.abs().sum() > 0
    assert enc.fusion_bert.embeddings.position_embeddings.weight.grad.abs(
    ).sum() > 0


def test_fusion_init_from_text_layers_survives_init_weights(tiny_bert_cfg):
    enc = _encoder(tiny_bert_cfg, fusion_layers=2)
    text, fusion = enc.bert.state_dict(), enc.fusion_bert.state_dict()
    assert set(fusion) <= set(text)
    assert all(torch.equal(fusion[k], text[k]) for k in fusion)
    # MMEngine's Runner calls init_weights on a model built from scratch;
    # HF's initialisation must not redraw the copied weights.
    enc.init_weights()
    after = enc.fusion_bert.state_dict()
    assert all(torch.equal(after[k], text[k]) for k in after)


def test_random_fusion_init_and_bad_settings(tiny_bert_cfg):
    enc = _encoder(tiny_bert_cfg, fusion_init='random')
    text, fusion = enc.bert.state_dict(), enc.fusion_bert.state_dict()
    key = 'encoder.layer.0.attention.self.query.weight'
    assert not torch.equal(text[key], fusion[key])
    with pytest.raises(ValueError, match='fusion_init'):
        _encoder(tiny_bert_cfg, fusion_init='last_layers')
    with pytest.raises(ValueError, match="fusion_init='random'"):
        _encoder(tiny_bert_cfg, fusion_layers=3)  # the text BERT has 2
    deep = _encoder(tiny_bert_cfg, fusion_layers=3, fusion_init='random')
    assert len(deep.fusion_bert.encoder.layer) == 3


def test_pretrainer_with_p3e_trains_mlm_and_vtc(tiny_model_cfg, batch_factory):
    init_default_scope('snps3')
    cfg = dict(tiny_model_cfg)
    cfg['encoder'] = dict(
        cfg['encoder'], type='SeparateFusionEncoder', fusion_layers=1)
    torch.manual_seed(0)
    model = MODELS.build(cfg)
    assert model.heads['mlm'].decoder.weight is \
        model.encoder.bert.embeddings.word_embeddings.weight
    optim = torch.optim.AdamW(model.parameters(), lr=1e-3)
    data = model.data_preprocessor(dict(inputs=batch_factory()), True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_mlm', 'mlm_acc', 'loss_vtc', 'vtc_acc'}
    total = sum(v for k, v in losses.items() if k.startswith('loss'))
    assert torch.isfinite(total)
    fusion_layer = model.encoder.fusion_bert.encoder.layer[0]
    before = fusion_layer.output.dense.weight.clone()
    total.backward()
    optim.step()
    # MLM reads the fusion BERT's states: the step reaches both encoders.
    assert not torch.equal(before, fusion_layer.output.dense.weight)
    text_layer = model.encoder.bert.encoder.layer[0]
    assert text_layer.output.dense.weight.grad.abs().sum() > 0


def test_export_writes_the_text_bert_only(tiny_bert_cfg, tmp_path):
    enc = _encoder(tiny_bert_cfg)
    assert enc.export_pretrained(str(tmp_path)) is None  # no tokenizer known
    config = json.loads((tmp_path / 'config.json').read_text())
    assert config['num_hidden_layers'] == tiny_bert_cfg['num_hidden_layers']
    assert (tmp_path / 'model.safetensors').is_file()
    assert not (tmp_path / 'vocab.txt').exists()
