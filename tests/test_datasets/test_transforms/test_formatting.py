# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import numpy as np
import torch

from snps3.datasets.transforms import PackVideoTextInputs
from snps3.datasets.transforms.formatting import video_uid


def _results(path, **extra):
    return dict(
        imgs=np.zeros((2, 4, 6, 3), np.uint8),
        input_ids=[101, 7, 102],
        video_path=path,
        caption='a red circle',
        **extra)


def test_pack_puts_tensors_in_inputs_and_the_rest_in_the_sample():
    out = PackVideoTextInputs()(_results('videos/a.mp4', text_id=3))
    assert out['inputs']['frames'].shape == (2, 3, 4, 6)
    assert out['inputs']['input_ids'].tolist() == [101, 7, 102]
    assert out['data_samples'].caption == 'a red circle'
    assert out['data_samples'].text_id == 3


def test_video_uid_is_one_per_video_and_stable():
    pack = PackVideoTextInputs()
    a1, a2, b = (
        pack(_results(p))['inputs']['video_uid']
        for p in ('videos/a.mp4', 'videos/a.mp4', 'videos/b.mp4'))
    assert a1.dtype == torch.int64 and a1 == a2 and a1 != b
    # Not Python's salted hash: the same number in every process and run.
    assert video_uid('videos/a.mp4') == int(a1) == 8963628296173979159
    assert 0 <= video_uid('') < 2**63
    # Without a video path, the id names the video; QA/MC packs that do not
    # list it get none.
    no_path = dict(_results(None), video_id='video7')
    del no_path['video_path']
    assert int(pack(no_path)['inputs']['video_uid']) == video_uid('video7')
    qa_pack = PackVideoTextInputs(input_keys=('input_ids', ))
    assert 'video_uid' not in qa_pack(_results('videos/a.mp4'))['inputs']
