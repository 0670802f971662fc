# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import math

import torch

from snps3.models.losses import infonce_text_video, mil_similarity


def test_mil_similarity_known_answer():
    q = torch.tensor([[1.0, 0.0]])
    frames = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]])  # one video, 2 frames
    got = mil_similarity(q, frames, temperature=0.5)
    assert torch.allclose(got, torch.tensor([[math.log(math.e**2 + 1)]]))


def test_infonce_known_answer_two_pairs():
    text = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    frames = text[:, None, :]  # one frame per video
    out = infonce_text_video(text, frames, text, frames, 0, 1.0)
    # Each row is softmax over (1, 0): -log(e / (e + 1)).
    expected = -math.log(math.e / (math.e + 1))
    assert math.isclose(out['loss'].item(), expected, rel_tol=1e-6)
    assert out['acc'].item() == 1.0


def test_infonce_offset_selects_the_local_slice():
    torch.manual_seed(0)
    text = torch.nn.functional.normalize(torch.randn(4, 8), dim=-1)
    frames = torch.nn.functional.normalize(torch.randn(4, 3, 8), dim=-1)
    full = infonce_text_video(text, frames, text, frames, 0, 0.1)['loss']
    halves = [
        infonce_text_video(text[i:i + 2], frames[i:i + 2], text, frames, i,
                           0.1)['loss'] for i in (0, 2)
    ]
    assert torch.allclose(full, sum(halves) / 2, atol=1e-6)


def test_infonce_leaves_other_captions_of_the_video_out():
    # Three pairs; captions 0 and 1 describe one video. Leaving those two
    # cross pairs out equals each row's softmax over the other pairs only.
    torch.manual_seed(0)
    text = torch.nn.functional.normalize(torch.randn(3, 8), dim=-1)
    frames = torch.nn.functional.normalize(torch.randn(3, 2, 8), dim=-1)
    same = torch.zeros(3, 3, dtype=torch.bool)
    same[0, 1] = same[1, 0] = True
    got = infonce_text_video(text, frames, text, frames, 0, 0.1, same)['loss']
    s = mil_similarity(text, frames, 0.1)
    keep = [[0, 2], [1, 2], [0, 1, 2]]  # the candidates of each row
    ref = 0.0
    for i, cols in enumerate(keep):
        target = cols.index(i)
        for logits in (s[i, cols], s[cols, i]):
            ref += torch.nn.functional.cross_entropy(
                logits[None], torch.tensor([target])) / 6
    assert torch.allclose(got, ref, atol=1e-6)
