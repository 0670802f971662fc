# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import torch

from snps3.models.forward_context import same_video_mask


def test_same_video_mask_marks_other_captions_of_a_video():
    same = same_video_mask(dict(video_uid=torch.tensor([3, 3, 4, 3])))
    expected = torch.tensor([[0, 1, 0, 1], [1, 0, 0, 1], [0, 0, 0, 0],
                             [1, 1, 0, 0]]).bool()
    assert torch.equal(same, expected)
    # One process: "across ranks" is the same batch.
    assert torch.equal(
        same_video_mask(
            dict(video_uid=torch.tensor([3, 3, 4, 3])), across_ranks=True),
        expected)
    assert same_video_mask(dict(input_ids=torch.zeros(2, 3))) is None
