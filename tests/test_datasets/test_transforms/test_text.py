# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import numpy as np
import pytest

from snps3.datasets.base import SampleError
from snps3.datasets.transforms import RandomMLMMasking, TokenizeCaption
from snps3.datasets.transforms.text import load_tokenizer


def test_tokenize_pads_and_marks_specials():
    out = TokenizeCaption(max_length=10)(dict(caption='A red ball'))
    tok = load_tokenizer()
    ids = out['input_ids'].tolist()
    assert ids[0] == tok.cls_token_id
    assert tok.decode(ids[1:4]) == 'a red ball'
    assert ids[4] == tok.sep_token_id
    assert out['attention_mask'].tolist() == [1] * 5 + [0] * 5


def test_long_caption_random_window_in_training_head_at_test():
    caption = ' '.join(f'w{i}' for i in range(60))
    train = TokenizeCaption(max_length=8, random_window=True)
    test = TokenizeCaption(max_length=8, random_window=False)
    starts = {
        tuple(train(dict(caption=caption))['input_ids'][1:7])
        for _ in range(20)
    }
    assert len(starts) > 1
    head = test(dict(caption=caption))['input_ids']
    assert len(head) == 8 and head[-1] == load_tokenizer().sep_token_id
    assert load_tokenizer().decode(head[1:3]).startswith('w0')


@pytest.mark.parametrize('caption', ['', '   ', None])
def test_empty_caption_is_a_sample_error(caption):
    with pytest.raises(SampleError, match='empty'):
        TokenizeCaption()(dict(caption=caption, video_path='v.mp4'))


def test_emoji_and_non_ascii_captions_tokenize():
    out = TokenizeCaption(max_length=16)(dict(caption='un café 🎉 rouge'))
    assert out['attention_mask'].sum() >= 4


def test_mlm_masking_ratios_and_specials():
    tok = load_tokenizer()
    caption = ' '.join(['red ball moves left'] * 7)
    base = TokenizeCaption(max_length=30)(dict(caption=caption))
    masker = RandomMLMMasking(mask_prob=0.15, seed=0)
    picked = kept_mask = n_masked = n_random = n_kept = 0
    specials = set(tok.all_special_ids)
    for _ in range(400):
        out = masker(dict(base))
        labels, ids = out['mlm_labels'], out['mlm_input_ids']
        chosen = labels != -100
        assert not np.isin(base['input_ids'][chosen], list(specials)).any()
        assert np.array_equal(labels[chosen], base['input_ids'][chosen])
        assert np.array_equal(ids[~chosen], base['input_ids'][~chosen])
        picked += chosen.sum()
        n_masked += (ids[chosen] == tok.mask_token_id).sum()
        n_kept += (ids[chosen] == base['input_ids'][chosen]).sum()
        kept_mask += 1
    n_random = picked - n_masked - n_kept
    candidates = 28 * 400
    assert 0.13 < picked / candidates < 0.18
    assert 0.75 < n_masked / picked < 0.85
    assert 0.06 < n_kept / picked < 0.14
    assert 0.06 < n_random / picked < 0.14
