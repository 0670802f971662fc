# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Reading a mined significant-word vocabulary (see :mod:`.mining`)."""
import json
import os.path as osp
from functools import lru_cache
from typing import Dict, List, Set

import numpy as np

from snps3.utils.errors import DataError, MissingFileError
from snps3.utils.paths import resolve_path

#: Vocabulary file versions this reader understands.
SUPPORTED_VERSIONS = (1, )

MINE_COMMAND = ('python tools/analysis_tools/mine_significant_words.py '
                'ANN_FILE [ANN_FILE ...] --out {path}')


class SignificantVocabulary:
    """The significant words of a corpus as WordPiece token ids.

    Attributes:
        path (str): The file it was read from ('' when built in memory).
        words (list[dict]): The ranked entries of the file.
        token_ids (set[int]): Ids of the significant words.
        word_of (dict[int, str]): Token id -> word, for the significant words
            and for every inflection in the lemma table.
        lemma_of (dict[int, str]): Token id -> lemma, same coverage.
        lemmas (dict[str, list[str]]): Lemma -> inflections seen.
        meta (dict): The file's other fields (scorer, tokenizer, ...).
    """

    def __init__(self, data: dict, path: str = '') -> None:
        self.path = path
        version = data.get('version')
        if version not in SUPPORTED_VERSIONS:
            raise DataError(
                f"significant-word vocabulary '{path}' has version "
                f'{version!r}; this reader knows {SUPPORTED_VERSIONS}. '
                'Mine it again: ' + MINE_COMMAND.format(path=path))
        self.words: List[dict] = list(data.get('words', []))
        self.lemmas: Dict[str, List[str]] = dict(data.get('lemmas', {}))
        self.meta = {
            k: v
            for k, v in data.items()
            if k not in ('words', 'lemmas', 'token_ids')
        }
        # Word -> id for every word the file names: the significant words and
        # the inflections of the lemma table (stored in 'token_ids').
        id_of: Dict[str, int] = dict(data.get('token_ids', {}))
        id_of.update((w['word'], int(w['token_id'])) for w in self.words)
        self.token_ids: Set[int] = {int(w['token_id']) for w in self.words}
        self.word_of: Dict[int, str] = {i: w for w, i in id_of.items()}
        self.lemma_of: Dict[int, str] = {}
        self._inflections: Dict[str, List[int]] = {}
        for lemma, forms in self.lemmas.items():
            ids = [id_of[f] for f in forms if f in id_of]
            self._inflections[lemma] = ids
            self.lemma_of.update((i, lemma) for i in ids)
        for w in self.words:  # words whose lemma has no table entry
            self.lemma_of.setdefault(int(w['token_id']), w.get('lemma', ''))
        self.id_array = np.array(sorted(self.token_ids), dtype=np.int64)

    def __len__(self) -> int:
        return len(self.token_ids)

    def __contains__(self, token_id) -> bool:
        return int(token_id) in self.token_ids

    def inflections_of_token(self, token_id: int) -> List[int]:
        """Ids of the *other* inflections of the token's lemma.

        Only whole WordPiece tokens are listed (the miner keeps no other), and
        they need not be significant words themselves ("ran" may be too rare
        for the top-K and still be an inflection of "run").

        Returns:
            list[int]: Possibly empty; never contains ``token_id``.
        """
        token_id = int(token_id)
        lemma = self.lemma_of.get(token_id)
        if lemma is None:
            return []
        return [i for i in self._inflections.get(lemma, []) if i != token_id]

    def lookup_table(self, size: int) -> np.ndarray:
        """Boolean array ``t`` with ``t[id]`` true for significant ids.

        Args:
            size: Length of the table: the tokenizer's vocabulary size.
        """
        table = np.zeros(size, dtype=bool)
        ids = self.id_array[self.id_array < size]
        table[ids] = True
        return table


def load_vocabulary(path: str) -> SignificantVocabulary:
    """Read a vocabulary file written by the mining tool.

    Args:
        path: JSON file (``pkg://`` allowed).

    Raises:
        MissingFileError: The file does not exist; the message names it and
            the command that creates it.
        DataError: The file is not a vocabulary this reader understands.
    """
    resolved = resolve_path(path)
    if not osp.isfile(resolved):
        raise MissingFileError(
            f"significant-word vocabulary '{resolved}' does not exist. "
            'Mine it from the pre-training captions with: ' +
            MINE_COMMAND.format(path=path))
    try:
        with open(resolved, encoding='utf-8') as f:
            data = json.load(f)
    except json.JSONDecodeError as err:
        raise DataError(f"significant-word vocabulary '{resolved}' is not "
                        f'valid JSON ({err}).') from err
    if not isinstance(data, dict):
        raise DataError(f"significant-word vocabulary '{resolved}' is not a "
                        'JSON object.')
    return SignificantVocabulary(data, resolved)


@lru_cache(maxsize=8)
def _cached(resolved: str, mtime: float) -> SignificantVocabulary:
    return load_vocabulary(resolved)


def get_vocabulary(path: str) -> SignificantVocabulary:
    """:func:`load_vocabulary`, read once per process and file version.

    Data-loader workers each read the file once; a file rewritten on disk
    (new modification time) is read again.
    """
    resolved = resolve_path(path)
    mtime = osp.getmtime(resolved) if osp.exists(resolved) else -1.0
    return _cached(resolved, mtime)


__all__ = [
    'SignificantVocabulary', 'load_vocabulary', 'get_vocabulary',
    'MINE_COMMAND'
]
