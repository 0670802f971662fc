# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import torch

from snps3.models.encoders import UnifiedVideoTextEncoder

VIT = dict(
    type='VideoViT', arch=dict(embed_dims=32, num_layers=2, num_heads=4))


def tiny_encoder(**text_config):
    torch.manual_seed(0)
    return UnifiedVideoTextEncoder(
        vit=VIT,
        text_config=dict(
            vocab_size=50, max_position_embeddings=32, **text_config)).eval()


def test_padding_does_not_change_real_token_outputs():
    encoder = tiny_encoder()
    frames = torch.randn(2, 2, 3, 32, 32)
    tokens = encoder.embed_video(frames)
    ids = torch.randint(5, 50, (2, 6))
    mask = torch.ones(2, 6, dtype=torch.long)
    mask[1, 4:] = 0  # the second caption has 4 real tokens
    ids[1, 4:] = 0
    video, text = encoder.forward_joint(tokens, ids, mask)
    # The same captions padded to 10 with other padding ids.
    longer = torch.cat([ids, torch.full((2, 4), 7)], dim=1)
    longer_mask = torch.cat([mask, torch.zeros(2, 4, dtype=torch.long)], 1)
    video2, text2 = encoder.forward_joint(tokens, longer, longer_mask)
    assert torch.allclose(video, video2, atol=1e-5)
    assert torch.allclose(text[0], text2[0, :6], atol=1e-5)
    assert torch.allclose(text[1, :4], text2[1, :4], atol=1e-5)
    alone = encoder.forward_text(ids, mask)
    alone2 = encoder.forward_text(longer, longer_mask)
    assert torch.allclose(alone[1, :4], alone2[1, :4], atol=1e-5)
    # Without the mask the padding would leak in: the test can fail.
    leaky = encoder.vit.encode(encoder.embed_text(longer))
    assert not torch.allclose(alone2[1, :4], leaky[1, :4], atol=1e-5)


def test_joint_pass_mixes_modalities():
    encoder = tiny_encoder()
    ids = torch.randint(5, 50, (1, 5))
    mask = torch.ones(1, 5, dtype=torch.long)
    tokens = encoder.embed_video(torch.randn(1, 2, 3, 32, 32))
    _, text = encoder.forward_joint(tokens, ids, mask)
    _, text_other = encoder.forward_joint(tokens * 2, ids, mask)
    assert not torch.allclose(text, text_other)
    assert torch.allclose(
        encoder.forward_video(tokens), encoder.vit.encode(tokens))


def test_text_of_another_width_is_projected():
    encoder = tiny_encoder(hidden_size=48, num_attention_heads=4)
    assert not encoder.word_embeddings_tied
    out = encoder.forward_text(
        torch.randint(5, 50, (2, 4)), torch.ones(2, 4, dtype=torch.long))
    assert out.shape == (2, 4, 32)
    assert tiny_encoder().word_embeddings_tied
