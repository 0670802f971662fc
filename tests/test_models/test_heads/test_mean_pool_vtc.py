# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import torch
import torch.nn.functional as F

from snps3.models.heads import MeanPoolVTCHead, masked_mean


def test_masked_mean_skips_padding():
    states = torch.tensor([[[1.0], [3.0], [100.0]]])
    assert masked_mean(states, torch.tensor([[1, 1, 0]])).item() == 2.0
    assert abs(masked_mean(states).item() - 104.0 / 3) < 1e-4


def test_features_and_similarity_are_cosine_over_temperature():
    head = MeanPoolVTCHead(temperature=0.05)
    text = head.embed_text(torch.randn(3, 5, 8), torch.ones(3, 5))
    video = head.embed_video(torch.randn(4, 6, 8))
    assert text.shape == (3, 8) and video.shape == (4, 1, 8)
    expected = F.normalize(text) @ video[:, 0].t() / 0.05
    assert torch.allclose(head.similarity(text, video), expected, atol=1e-5)


def test_loss_is_low_for_matching_pairs():
    head = MeanPoolVTCHead(temperature=0.05)
    states = torch.eye(4)[:, None].repeat(1, 3, 1)

    class Ctx:
        text_feats = head.embed_text(states, torch.ones(4, 3))
        video_feats = head.embed_video(states)
        same_video_all = None

    out = head.loss(Ctx())
    assert out['vtc_acc'] == 1.0 and out['loss_vtc'] < 1e-6
