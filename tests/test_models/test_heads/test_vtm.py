# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import pytest
import torch
import torch.nn.functional as F
from mmengine.registry import init_default_scope

from snps3.models import ForwardContext
from snps3.models.heads import VTMHead
from snps3.registry import MODELS


def _model(cfg, **head):
    init_default_scope('snps3')
    torch.manual_seed(0)
    cfg = dict(cfg)
    cfg['heads'] = dict(
        vtm=dict(type='VTMHead', hidden_size=None, **head),
        vtc=cfg['heads']['vtc'])
    return MODELS.build(cfg)


def _context(model, batch):
    inputs = model.data_preprocessor(dict(inputs=batch), True)['inputs']
    return ForwardContext(model, inputs)


def _count_passes(model):
    calls = {'text': [], 'fusion': []}
    enc = model.encoder
    for name in calls:
        fn = getattr(enc, f'forward_{name}')

        def wrapped(ids, *args, _fn=fn, _name=name, **kwargs):
            calls[_name].append(ids.shape[0])
            return _fn(ids, *args, **kwargs)

        setattr(enc, f'forward_{name}', wrapped)
    return calls


@pytest.mark.parametrize('negatives', ['hard', 'random'])
def test_negatives_are_never_the_positive(negatives):
    torch.manual_seed(0)
    head = VTMHead(hidden_size=8, negatives=negatives)
    # The positive dominates: without masking it would always be drawn.
    sim = 50 * torch.eye(5) + torch.randn(5, 5)
    seen = torch.zeros(5, 5, dtype=torch.long)
    for _ in range(200):
        neg_video, neg_text = head.sample_negatives(sim)
        assert (neg_video != torch.arange(5)).all()
        assert (neg_text != torch.arange(5)).all()
        seen[torch.arange(5), neg_video] += 1
    if negatives == 'random':
        # Uniform: every other video is drawn for every caption.
        assert (seen > 0).sum() == 5 * 4


def test_hard_negatives_follow_the_similarity():
    head = VTMHead(hidden_size=8, negatives='hard')
    sim = torch.tensor([[9.0, 0.0, 30.0], [0.0, 9.0, 0.0], [0.0, 30.0, 9.0]])
    for _ in range(20):
        neg_video, neg_text = head.sample_negatives(sim)
        assert neg_video[0] == 2 and neg_video[2] == 1
        assert neg_text[1] == 2 and neg_text[2] == 0


def test_loss_fuses_3b_pairs_in_two_passes(tiny_model_cfg, batch_factory):
    model = _model(tiny_model_cfg)
    calls = _count_passes(model)
    ctx = _context(model, batch_factory(b=4))
    pairs = []
    fuse = ctx.fuse_pairs

    def record(text_index, video_index):
        pairs.append((text_index.clone(), video_index.clone()))
        return fuse(text_index, video_index)

    ctx.fuse_pairs = record
    torch.manual_seed(0)
    out = model.heads['vtm'].loss(ctx)
    assert set(out) == {'loss_vtm', 'vtm_acc'}
    # The positives, then 2B negatives in one pass (hard mining needs the
    # text pass, once).
    assert calls == {'text': [4], 'fusion': [4, 8]}
    (text_index, video_index), = pairs
    rows = torch.arange(4)
    assert torch.equal(text_index[:4], rows)  # each caption, other video
    assert torch.equal(video_index[4:], rows)  # each video, other caption
    assert (text_index != video_index).all()
    out['loss_vtm'].backward()
    assert model.encoder.fusion_pooler.dense.weight.grad.abs().sum() > 0
    assert model.backbone.proj.weight.grad.abs().sum() > 0
    assert model.heads['vtm'].classifier.weight.grad.abs().sum() > 0


def test_loss_is_cross_entropy_over_3b_pairs(tiny_model_cfg, batch_factory):
    model = _model(tiny_model_cfg, negatives='random').eval()
    calls = _count_passes(model)
    ctx = _context(model, batch_factory(b=3))
    torch.manual_seed(1)
    with torch.no_grad():
        out = model.heads['vtm'].loss(ctx)
    assert calls['text'] == []  # random negatives need no mining
    torch.manual_seed(1)
    neg_video, neg_text = model.heads['vtm'].sample_negatives(
        torch.zeros(3, 3))
    rows = torch.arange(3)
    enc, cls = model.encoder, model.heads['vtm'].classifier
    with torch.no_grad():
        pooled = enc.forward_fusion(
            ctx.inputs['input_ids'][torch.cat([rows, rows, neg_text])],
            ctx.inputs['attention_mask'][torch.cat([rows, rows, neg_text])],
            ctx.frame_tokens[torch.cat([rows, neg_video, rows])])[1]
        ref = F.cross_entropy(cls(pooled), torch.tensor([1] * 3 + [0] * 6))
    assert torch.allclose(out['loss_vtm'], ref, atol=1e-5)


def test_batch_of_one_gives_a_zero_loss_with_a_graph(tiny_model_cfg,
                                                     batch_factory):
    model = _model(tiny_model_cfg)
    calls = _count_passes(model)
    out = model.heads['vtm'].loss(_context(model, batch_factory(b=1)))
    assert out['loss_vtm'].item() == 0.0
    assert calls == {'text': [], 'fusion': [1]}
    out['loss_vtm'].backward()
    assert model.heads['vtm'].classifier.weight.grad is not None


def test_all_heads_together_share_the_passes(tiny_model_cfg, batch_factory):
    init_default_scope('snps3')
    torch.manual_seed(0)
    cfg = dict(tiny_model_cfg)
    cfg['heads'] = dict(
        cfg['heads'],
        xm=dict(type='CrossMatchingHead', hidden_size=None, negatives='hard'),
        vtm=dict(type='VTMHead', hidden_size=None),
        lvwm=dict(type='LVWMHead', hidden_size=None))
    model = MODELS.build(cfg)
    calls = _count_passes(model)
    batch = batch_factory(b=4)
    batch['lvwm_positions'] = torch.tensor([[1, 2], [3, 3], [1, 5], [2, 4]])
    data = model.data_preprocessor(dict(inputs=batch), True)
    losses = model(**data, mode='loss')
    assert {k
            for k in losses if k.startswith('loss')
            } == {'loss_mlm', 'loss_vtc', 'loss_xm', 'loss_vtm', 'loss_lvwm'}
    # One text pass (VTC, LVWM, mining); fusion: MLM's masked pass, the
    # shared positives, then one negative pass each for cross matching
    # (at most 2 * B * 3 pairs) and VTM (2 * B).
    assert calls['text'] == [4]
    assert calls['fusion'][:2] == [4, 4] and calls['fusion'][3] == 8
    assert len(calls['fusion']) == 4 and calls['fusion'][2] <= 12
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()


def test_other_captions_of_the_video_are_drawn_only_when_nothing_else_is():
    head = VTMHead(hidden_size=8, negatives='hard')
    # Rows 0 and 1 caption one video and rank each other first.
    same = torch.zeros(3, 3, dtype=bool)
    same[0, 1] = same[1, 0] = True
    sim = torch.tensor([[9.0, 30.0, 0.0], [30.0, 9.0, 0.0], [0.0, 0.0, 9.0]])
    for _ in range(20):
        neg_video, neg_text = head.sample_negatives(sim, same)
        assert neg_video[0] == 2 and neg_video[1] == 2
        assert neg_text[0] == 2 and neg_text[1] == 2
    # Two rows, one video: the other caption is all there is to draw.
    same = ~torch.eye(2, dtype=bool)
    neg_video, neg_text = head.sample_negatives(torch.zeros(2, 2), same)
    assert neg_video.tolist() == [1, 0] and neg_text.tolist() == [1, 0]
