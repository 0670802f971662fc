# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Caption transforms of S3: significant-word masking (MSSM) and the choice
of significant words for local vision-word matching (LVWM).

Both read the vocabulary mined offline by
``tools/analysis_tools/mine_significant_words.py`` (see
:mod:`snps3.significance.mining`) and run after :class:`TokenizeCaption`.

A position is *significant* when its token id is a significant word and the
next token does not continue it: "red" in "red ##ness" is the start of
another word and is not the colour.
"""
from functools import lru_cache
from typing import Dict, Optional

import numpy as np
from mmcv.transforms import BaseTransform

from snps3.registry import TRANSFORMS
from snps3.significance.vocabulary import (
    SignificantVocabulary,
    get_vocabulary,
)
from snps3.utils.errors import DataError

from .randomness import ProcessRandomMixin
from .text import (
    DEFAULT_TOKENIZER,
    apply_bert_replacement,
    load_tokenizer,
    mlm_candidates,
)

# Placeholder handed to apply_bert_replacement as its only "random" id, so
# that its 80/10/10 draw stays the one place where that rule lives and the
# positions it chose for the 10% replacement can be found afterwards. No
# tokenizer has a negative id.
_REPLACE_LATER = -1


def num_significant_to_mask(n: int) -> int:
    """MSSM's number of masked tokens for a caption of ``n`` word-pieces.

    ``floor(0.15 n)``, plus one when the fractional part of ``0.15 n`` is at
    least 0.3; at least one, at most ``n``. Integer arithmetic (``15 n`` in
    hundredths) keeps the boundary exact where ``0.15 * n`` in floating point
    would not be.
    """
    if n <= 0:
        return 0
    whole, hundredths = divmod(15 * n, 100)
    return min(max(whole + (hundredths >= 30), 1), n)


@lru_cache(maxsize=4)
def _continuation_table(tokenizer_path: str) -> np.ndarray:
    """``t[id]`` is true for WordPiece continuation pieces (``##...``)."""
    tok = load_tokenizer(tokenizer_path)
    table = np.zeros(len(tok), dtype=bool)
    for token, idx in tok.get_vocab().items():
        if token.startswith('##') and idx < len(table):
            table[idx] = True
    return table


class _SignificanceTables:
    """What both transforms need from a vocabulary, as arrays.

    Built once per transform and process: the vocabulary's id lookup table,
    the continuation-piece table and each token's other inflections.
    """

    def __init__(self, vocab: SignificantVocabulary, tokenizer_path: str):
        tok = load_tokenizer(tokenizer_path)
        self._check_ids(vocab, tok, tokenizer_path)
        # len(tok) rebuilds the vocabulary dict (ms per call): once here.
        self.size = size = len(tok)
        self.vocab = vocab
        self.significant = vocab.lookup_table(size)
        self.continuation = _continuation_table(tokenizer_path)
        self.ids = vocab.id_array
        self.inflections: Dict[int, np.ndarray] = {
            i: np.array(vocab.inflections_of_token(i), dtype=np.int64)
            for i in vocab.token_ids
        }

    @staticmethod
    def _check_ids(vocab, tok, tokenizer_path: str) -> None:
        # Ids are only meaningful for the tokenizer the file was mined with;
        # a different vocabulary would silently mask arbitrary words.
        ids = tok.get_vocab()
        wrong = [
            w['word'] for w in vocab.words
            if ids.get(w['word']) != int(w['token_id'])
        ]
        if wrong:
            raise DataError(
                f"significant-word vocabulary '{vocab.path}' was mined with "
                f"tokenizer '{vocab.meta.get('tokenizer')}'; {len(wrong)} of "
                f'its words have other ids in tokenizer '
                f"'{tokenizer_path}' (e.g. {wrong[:3]}). Mine it again with "
                '--tokenizer set to the tokenizer of the text pipeline.')

    def positions(self, input_ids: np.ndarray, attention_mask: np.ndarray,
                  candidates: np.ndarray) -> np.ndarray:
        """The significant positions among ``candidates`` (sorted)."""
        sig = _lookup(self.significant, input_ids[candidates])
        # The token after each candidate (the last position has none).
        nxt = candidates + 1
        has_next = nxt < len(input_ids)
        nxt = np.where(has_next, nxt, candidates)
        continued = has_next & (attention_mask[nxt] > 0) & _lookup(
            self.continuation, input_ids[nxt])
        return candidates[sig & ~continued]


def _lookup(table: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """``table[ids]``, false for ids outside the table."""
    inside = (ids >= 0) & (ids < len(table))
    return inside & table[np.where(inside, ids, 0)]


class _SignificanceTransform(ProcessRandomMixin, BaseTransform):
    """Shared set-up: lazy vocabulary, tokenizer and random generator."""

    def __init__(self, vocab_file: str, tokenizer: str,
                 seed: Optional[int]) -> None:
        self.vocab_file = vocab_file
        self.tokenizer_path = tokenizer
        self.seed = seed
        self._tables: Optional[_SignificanceTables] = None

    @property
    def tables(self) -> _SignificanceTables:
        # Lazy: configs build their pipelines before the vocabulary may
        # exist (a config check, or a run that mines first), and each
        # data-loader worker reads the file once.
        if self._tables is None:
            self._tables = _SignificanceTables(
                get_vocabulary(self.vocab_file), self.tokenizer_path)
        return self._tables

    def __getstate__(self) -> dict:
        # Workers re-read the (cached) file rather than unpickle big tables.
        state = super().__getstate__()
        state['_tables'] = None
        return state

    def _candidates(self, results: dict, tok) -> np.ndarray:
        cands = mlm_candidates(results['input_ids'], results['attention_mask'],
                               tok.all_special_ids)
        if len(cands) == 0:
            from snps3.datasets.base import SampleError
            raise SampleError(f"caption {results.get('caption')!r} has no "
                              'word-piece to choose')
        return cands

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(vocab_file={self.vocab_file!r}, '
                f'tokenizer={self.tokenizer_path!r})')


@TRANSFORMS.register_module()
class MSSMMasking(_SignificanceTransform):
    """Masked significant semantic modelling: mask significant words.

    ``k = floor(0.15 n) (+1 if its fractional part >= 0.3)``, at least one,
    positions are masked, where ``n`` is the number of caption word-pieces
    (neither special nor padding). They are drawn among the significant
    positions; a caption with fewer than ``k`` has all of them masked and
    the rest drawn from its other word-pieces.

    Each masked position becomes [MASK] (``mask_ratio``), is replaced
    (``random_ratio``) or kept. A significant word is replaced by another
    inflection of its lemma from the vocabulary's lemma table ("runs" ->
    "running"), or by a random significant word when it has none; a filler
    position is replaced by a random vocabulary token, as in BERT.

    Adds ``mlm_input_ids`` and ``mlm_labels`` (-100 where not predicted),
    exactly like :class:`RandomMLMMasking`, so the same MLM head trains on
    either.

    Args:
        vocab_file (str): Vocabulary JSON of the mining tool.
        tokenizer (str): The tokenizer of :class:`TokenizeCaption`.
        mask_ratio (float): Share of masked positions set to [MASK].
        random_ratio (float): Share replaced by another token.
        seed (int, optional): Seed of this transform's generator; by
            default it follows torch's seed (see :class:`ProcessRandomMixin`).
    """

    def __init__(self,
                 vocab_file: str,
                 tokenizer: str = DEFAULT_TOKENIZER,
                 mask_ratio: float = 0.8,
                 random_ratio: float = 0.1,
                 seed: Optional[int] = None) -> None:
        if mask_ratio < 0 or random_ratio < 0 \
                or mask_ratio + random_ratio > 1:
            raise ValueError('mask_ratio and random_ratio must be >= 0 with '
                             f'a sum <= 1, got {mask_ratio}, {random_ratio}')
        super().__init__(vocab_file, tokenizer, seed)
        self.mask_ratio = mask_ratio
        self.random_ratio = random_ratio

    def choose(self, results: dict) -> np.ndarray:
        """Positions to mask (sorted) and, implicitly, which are significant.

        Returns:
            np.ndarray: The chosen positions.
        """
        tok = load_tokenizer(self.tokenizer_path)
        ids, mask = results['input_ids'], results['attention_mask']
        cands = self._candidates(results, tok)
        k = num_significant_to_mask(len(cands))
        sig = self.tables.positions(ids, mask, cands)
        if len(sig) >= k:
            chosen = self.rng.choice(sig, size=k, replace=False)
        else:
            # All significant positions, then ordinary ones at random (the
            # public code's fallback indexes the wrong array here).
            others = np.setdiff1d(cands, sig, assume_unique=True)
            chosen = np.concatenate([
                sig,
                self.rng.choice(others, size=k - len(sig), replace=False)
            ])
        return np.sort(chosen)

    def transform(self, results: dict) -> dict:
        tok = load_tokenizer(self.tokenizer_path)
        tables = self.tables
        ids, mask = results['input_ids'], results['attention_mask']
        chosen = self.choose(results)
        masked, labels = apply_bert_replacement(
            ids, chosen, tok.mask_token_id,
            np.array([_REPLACE_LATER], dtype=ids.dtype), self.rng,
            self.mask_ratio, self.random_ratio)
        replace = np.flatnonzero(masked == _REPLACE_LATER)
        if len(replace):
            significant = set(tables.positions(ids, mask, replace).tolist())
            for p in replace:
                if p in significant:
                    masked[p] = self._inflection(int(ids[p]))
                else:  # a filler position: BERT's random token
                    masked[p] = self.rng.integers(tables.size)
        results['mlm_input_ids'], results['mlm_labels'] = masked, labels
        return results

    def _inflection(self, token_id: int) -> int:
        """Another inflection of the token's lemma, else a significant id."""
        tables = self.tables
        forms = tables.inflections.get(token_id)
        if forms is not None and len(forms):
            return int(self.rng.choice(forms))
        pool = tables.ids[tables.ids != token_id]
        if len(pool) == 0:  # a one-word vocabulary: nothing else to use
            return token_id
        return int(self.rng.choice(pool))


@TRANSFORMS.register_module()
class SelectSignificantWords(_SignificanceTransform):
    """Pick the caption words that LVWM matches against frames.

    ``num_words`` significant positions are drawn at random, without
    replacement when the caption has that many; fewer are repeated (in a
    random order) to fill ``num_words``; a caption without any falls back to
    its word-pieces that are not special tokens.

    Adds ``lvwm_positions``, int64 (num_words,), sorted, indexing
    ``input_ids``.

    Args:
        vocab_file (str): Vocabulary JSON of the mining tool.
        num_words (int): Words per caption (K; the paper's 3).
        tokenizer (str): The tokenizer of :class:`TokenizeCaption`.
        seed (int, optional): Seed of this transform's generator; by
            default it follows torch's seed (see :class:`ProcessRandomMixin`).
    """

    def __init__(self,
                 vocab_file: str,
                 num_words: int = 3,
                 tokenizer: str = DEFAULT_TOKENIZER,
                 seed: Optional[int] = None) -> None:
        if num_words < 1:
            raise ValueError(f'num_words must be >= 1, got {num_words}')
        super().__init__(vocab_file, tokenizer, seed)
        self.num_words = num_words

    def transform(self, results: dict) -> dict:
        tok = load_tokenizer(self.tokenizer_path)
        cands = self._candidates(results, tok)
        pool = self.tables.positions(results['input_ids'],
                                     results['attention_mask'], cands)
        if len(pool) == 0:
            pool = cands
        k = self.num_words
        if len(pool) >= k:
            chosen = self.rng.choice(pool, size=k, replace=False)
        else:
            # Every available word once, then repeated in the same random
            # order: no word appears twice before all have appeared once.
            chosen = np.resize(self.rng.permutation(pool), k)
        results['lvwm_positions'] = np.sort(chosen).astype(np.int64)
        return results


__all__ = ['MSSMMasking', 'SelectSignificantWords', 'num_significant_to_mask']
