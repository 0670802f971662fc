# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import torch

from snps3.models.encoders import SharedBertEncoder


def _encoder(cfg):
    torch.manual_seed(0)
    return SharedBertEncoder(config=cfg, sep_token_id=3).eval()


def test_text_mode_is_plain_bert(tiny_bert_cfg):
    enc = _encoder(tiny_bert_cfg)
    ids = torch.randint(5, 100, (2, 6))
    mask = torch.ones_like(ids)
    hidden, pooled = enc.forward_text(ids, mask)
    ref = enc.bert(input_ids=ids, attention_mask=mask)
    assert torch.allclose(hidden, ref.last_hidden_state, atol=1e-6)
    assert pooled.shape == (2, tiny_bert_cfg['hidden_size'])


def test_fusion_layout_types_and_restarting_positions(tiny_bert_cfg):
    enc = _encoder(tiny_bert_cfg)
    seen = {}

    def grab(module, args, kwargs):
        seen.update(kwargs)

    enc.bert.embeddings.register_forward_pre_hook(grab, with_kwargs=True)
    ids = torch.randint(5, 100, (2, 5))
    video = torch.randn(2, 3, tiny_bert_cfg['hidden_size'])
    hidden, pooled = enc.forward_fusion(ids, torch.ones_like(ids), video)
    assert hidden.shape == (2, 5 + 3 + 1, tiny_bert_cfg['hidden_size'])
    assert seen['position_ids'][0].tolist() == [0, 1, 2, 3, 4, 0, 1, 2, 3]
    assert seen['token_type_ids'][0].tolist() == [0] * 5 + [1] * 4
    # The last video-side embedding is the [SEP] word embedding.
    sep = enc.word_embeddings.weight[3]
    assert torch.equal(seen['inputs_embeds'][0, -1], sep)


def test_padding_is_masked_in_fusion(tiny_bert_cfg):
    enc = _encoder(tiny_bert_cfg)
    ids = torch.randint(5, 100, (1, 4))
    video = torch.randn(1, 2, tiny_bert_cfg['hidden_size'])
    short = enc.forward_fusion(ids, torch.ones_like(ids), video)[1]
    padded_ids = torch.cat([ids, torch.zeros(1, 3, dtype=torch.long)], 1)
    padded_mask = torch.tensor([[1, 1, 1, 1, 0, 0, 0]])
    # Video positions restart at 0 whatever the text length, so the only
    # difference padding makes is masked out.
    longer = enc.forward_fusion(padded_ids, padded_mask, video)[1]
    assert torch.allclose(short, longer, atol=1e-5)


def test_both_modes_train_the_same_weights(tiny_bert_cfg):
    enc = _encoder(tiny_bert_cfg).train()
    ids = torch.randint(5, 100, (2, 6))
    mask = torch.ones_like(ids)
    layer = enc.bert.encoder.layer[0].attention.self.query.weight
    enc.forward_text(ids, mask)[0].sum().backward()
    text_grad = layer.grad.clone()
    enc.zero_grad()
    video = torch.randn(2, 2, tiny_bert_cfg['hidden_size'])
    enc.forward_fusion(ids, mask, video)[0].sum().backward()
    assert text_grad.abs().sum() > 0 and layer.grad.abs().sum() > 0
    # One set of weights: no second copy of the layers exists.
    n_layers = sum(1 for n, _ in enc.named_modules() if n.endswith('.query'))
    assert n_layers == tiny_bert_cfg['num_hidden_layers']
