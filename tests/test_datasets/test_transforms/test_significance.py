# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import json
import pickle

import numpy as np
import pytest
import torch

from snps3.datasets.transforms import (
    MSSMMasking,
    SelectSignificantWords,
    TokenizeCaption,
)
from snps3.datasets.transforms.significance import num_significant_to_mask
from snps3.datasets.transforms.text import load_tokenizer
from snps3.significance import load_vocabulary
from snps3.utils.errors import MissingFileError

# Significant words of the hand-written vocabulary, and its lemma table.
SIGNIFICANT = ('red', 'blue', 'ball', 'dog', 'run', 'runs', 'running', 'jumps',
               'jumping')
LEMMAS = {
    'red': ['red'],
    'blue': ['blue'],
    'ball': ['ball'],
    'dog': ['dog'],
    'run': ['run', 'runs', 'running', 'ran'],  # "ran" is not significant
    'jump': ['jumps', 'jumping'],
}


@pytest.fixture(scope='module')
def tok():
    return load_tokenizer()


@pytest.fixture(scope='module')
def vocab_file(tmp_path_factory, tok):
    lemma_of = {w: k for k, forms in LEMMAS.items() for w in forms}
    data = dict(
        version=1,
        scorer='test',
        top_k=len(SIGNIFICANT),
        tokenizer='default',
        num_captions=0,
        words=[
            dict(
                word=w,
                token_id=tok.convert_tokens_to_ids(w),
                count=1,
                pos='NOUN',
                lemma=lemma_of[w]) for w in SIGNIFICANT
        ],
        lemmas=LEMMAS,
        token_ids={
            w: tok.convert_tokens_to_ids(w)
            for forms in LEMMAS.values()
            for w in forms
        })
    path = tmp_path_factory.mktemp('vocab') / 'significant_words.json'
    path.write_text(json.dumps(data))
    return str(path)


def tokens(caption, max_length=30):
    return TokenizeCaption(
        max_length=max_length, random_window=False)(
            dict(caption=caption))


def significant_ids(tok):
    return {tok.convert_tokens_to_ids(w) for w in SIGNIFICANT}


def chosen_positions(out):
    return np.flatnonzero(out['mlm_labels'] != -100)


@pytest.mark.parametrize('n, expected', [(1, 1), (2, 1), (3, 1), (6, 1),
                                         (7, 1), (8, 1), (9, 2), (10, 2),
                                         (13, 2), (15, 2), (16, 3), (20, 3),
                                         (22, 4), (26, 4), (28, 4)])
def test_count_rule(n, expected):
    # floor(0.15 n), +1 when the fractional part is >= 0.3, at least one:
    # n=2 -> 0.30 (+1), n=8 -> 1.20, n=9 -> 1.35, n=16 -> 2.40, n=22 -> 3.30.
    assert num_significant_to_mask(n) == expected


@pytest.mark.parametrize('n', [1, 2, 5, 9, 13, 16, 22, 28])
def test_mssm_masks_that_many_significant_tokens(vocab_file, tok, n):
    base = tokens(' '.join(['red', 'dog', 'runs', 'ball'] * 7), n + 2)
    masker = MSSMMasking(vocab_file, seed=n)
    for _ in range(20):
        out = masker(dict(base))
        chosen = chosen_positions(out)
        assert len(chosen) == num_significant_to_mask(n)
        assert set(base['input_ids'][chosen]) <= significant_ids(tok)
        assert np.array_equal(out['mlm_labels'][chosen],
                              base['input_ids'][chosen])
        rest = np.ones(len(base['input_ids']), bool)
        rest[chosen] = False
        assert np.array_equal(out['mlm_input_ids'][rest],
                              base['input_ids'][rest])


def test_mssm_masks_only_significant_words(vocab_file, tok):
    base = tokens('the red dog runs after a blue ball in the big green park '
                  'while people watch it from a bench')
    n = int(base['attention_mask'].sum()) - 2
    masker = MSSMMasking(vocab_file, seed=0)
    seen = set()
    for _ in range(200):
        chosen = chosen_positions(masker(dict(base)))
        assert len(chosen) == num_significant_to_mask(n) == 3
        assert set(base['input_ids'][chosen]) <= significant_ids(tok)
        seen.update(base['input_ids'][chosen].tolist())
    assert len(seen) == 5  # red dog runs blue ball: all get their turn


def test_mssm_fallback_fills_with_ordinary_positions(vocab_file, tok):
    # 20 word-pieces, k = 3, one significant word ("dog").
    base = tokens('the small cat and the dog sat on a mat next to a wall in '
                  'the old grey house today')
    n = int(base['attention_mask'].sum()) - 2
    assert n == 20 and num_significant_to_mask(n) == 3
    dog = list(base['input_ids']).index(tok.convert_tokens_to_ids('dog'))
    specials = set(tok.all_special_ids)
    masker = MSSMMasking(vocab_file, seed=1)
    others = set()
    for _ in range(100):
        chosen = chosen_positions(masker(dict(base)))
        assert len(chosen) == 3 and dog in chosen
        assert not set(base['input_ids'][chosen]) & specials
        assert base['attention_mask'][chosen].all()
        others.update(set(chosen.tolist()) - {dog})
    assert len(others) > 10  # random ordinary positions, not a fixed few


def test_mssm_fallback_replacements(vocab_file, tok):
    base = tokens('the small cat and the dog sat on a mat next to a wall in '
                  'the old grey house today')
    dog = list(base['input_ids']).index(tok.convert_tokens_to_ids('dog'))
    masker = MSSMMasking(vocab_file, mask_ratio=0.0, random_ratio=1.0, seed=0)
    ordinary = set()
    for _ in range(50):
        out = masker(dict(base))
        # "dog" has no other inflection: another significant word instead.
        assert out['mlm_input_ids'][dog] in significant_ids(tok) - {
            tok.convert_tokens_to_ids('dog')
        }
        others = [p for p in chosen_positions(out) if p != dog]
        ordinary.update(out['mlm_input_ids'][others].tolist())
    # Filler positions get BERT's random vocabulary tokens.
    assert len(ordinary) > 50 and not ordinary <= significant_ids(tok)


def test_mssm_replacement_proportions_and_inflections(vocab_file, tok):
    vocab = load_vocabulary(vocab_file)
    # Every word has other inflections: runs/run/running, jumps/jumping.
    base = tokens(' '.join(['runs jumping running jumps run'] * 5))
    masker = MSSMMasking(vocab_file, seed=0)
    kinds = dict(mask=0, inflection=0, kept=0)
    for _ in range(1500):
        out = masker(dict(base))
        chosen = chosen_positions(out)
        for orig, new in zip(base['input_ids'][chosen],
                             out['mlm_input_ids'][chosen]):
            if new == tok.mask_token_id:
                kinds['mask'] += 1
            elif new == orig:
                kinds['kept'] += 1
            else:
                assert vocab.lemma_of[int(new)] == vocab.lemma_of[int(orig)]
                assert int(new) in vocab.inflections_of_token(int(orig))
                kinds['inflection'] += 1
    total = sum(kinds.values())
    assert total == 1500 * num_significant_to_mask(25)
    assert abs(kinds['mask'] / total - 0.8) < 0.025
    assert abs(kinds['inflection'] / total - 0.1) < 0.02
    assert abs(kinds['kept'] / total - 0.1) < 0.02
    # "ran" is not significant but, as an inflection of "run", it is used.
    ran = tok.convert_tokens_to_ids('ran')
    assert ran in vocab.inflections_of_token(tok.convert_tokens_to_ids('run'))


def test_mssm_word_without_inflection_gets_another_significant_word(
        vocab_file, tok):
    base = tokens('red red red red red red red')
    red = tok.convert_tokens_to_ids('red')
    masker = MSSMMasking(vocab_file, mask_ratio=0.0, random_ratio=1.0, seed=0)
    replaced = set()
    for _ in range(50):
        out = masker(dict(base))
        replaced.update(out['mlm_input_ids'][chosen_positions(out)].tolist())
    assert red not in replaced
    assert replaced <= significant_ids(tok) and len(replaced) > 3


def test_piece_of_a_longer_word_is_not_significant(vocab_file, tok):
    base = tokens('redness redness redness dog')
    assert tok.convert_ids_to_tokens(
        base['input_ids'][1:3].tolist()) == ['red', '##ness']
    dog = list(base['input_ids']).index(tok.convert_tokens_to_ids('dog'))
    # 7 word-pieces: one to mask, and "dog" is the only significant word
    # ("red" of "redness" is not the colour).
    masker = MSSMMasking(vocab_file, seed=0)
    sel = SelectSignificantWords(vocab_file, num_words=1, seed=0)
    for _ in range(30):
        assert chosen_positions(masker(dict(base))).tolist() == [dog]
        assert sel(dict(base))['lvwm_positions'].tolist() == [dog]


def test_lvwm_picks_distinct_significant_words(vocab_file, tok):
    base = tokens('the red dog runs after a blue ball in the park')
    sel = SelectSignificantWords(vocab_file, num_words=3, seed=0)
    seen = set()
    for _ in range(100):
        pos = sel(dict(base))['lvwm_positions']
        assert pos.dtype == np.int64 and pos.shape == (3, )
        assert len(set(pos.tolist())) == 3
        assert set(base['input_ids'][pos]) <= significant_ids(tok)
        seen.update(pos.tolist())
    assert len(seen) == 5


def test_lvwm_pads_by_repetition_and_falls_back(vocab_file, tok):
    specials = set(tok.all_special_ids)
    two = tokens('a dog and a ball')
    sel = SelectSignificantWords(vocab_file, num_words=3, seed=0)
    pos = sel(dict(two))['lvwm_positions']
    assert set(tok.convert_ids_to_tokens(two['input_ids'][pos].tolist())) \
        == {'dog', 'ball'}
    assert len(pos) == 3
    one = tokens('just a dog')
    pos = SelectSignificantWords(
        vocab_file, num_words=4)(dict(one))['lvwm_positions']
    assert tok.convert_ids_to_tokens(one['input_ids'][pos].tolist()) == \
        ['dog'] * 4
    none = tokens('a cat sat on the mat', max_length=12)
    for _ in range(20):
        pos = sel(dict(none))['lvwm_positions']
        assert len(pos) == 3 and len(set(pos.tolist())) == 3
        assert not set(none['input_ids'][pos]) & specials
        assert none['attention_mask'][pos].all()


def test_lazy_missing_vocabulary_error(tmp_path):
    path = str(tmp_path / 'missing.json')
    masker = MSSMMasking(path)  # builds: configs come before the file
    with pytest.raises(MissingFileError, match='mine_significant_words'):
        masker(tokens('a red dog'))
    with pytest.raises(MissingFileError, match='missing.json'):
        SelectSignificantWords(path)(tokens('a red dog'))


def test_vocabulary_of_another_tokenizer_is_refused(tmp_path, vocab_file):
    data = json.loads(open(vocab_file).read())
    data['words'][0]['token_id'] += 1
    path = tmp_path / 'other.json'
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match='other ids'):
        MSSMMasking(str(path))(tokens('a red dog'))


def test_transforms_pickle_for_workers(vocab_file):
    masker = MSSMMasking(vocab_file, seed=0)
    base = tokens('a red dog runs')
    masker(dict(base))
    clone = pickle.loads(pickle.dumps(masker))
    assert clone._tables is None  # re-read in the worker, not shipped
    assert len(chosen_positions(clone(dict(base)))) == 1
    assert 'MSSMMasking' in repr(masker)


class _Masked(torch.utils.data.Dataset):
    """The same caption, masked anew at every index."""

    def __init__(self, masker, base):
        self.masker, self.base = masker, base

    def __len__(self):
        return 40

    def __getitem__(self, index):
        info = torch.utils.data.get_worker_info()
        out = self.masker(dict(self.base))
        return info.id, out['mlm_labels'] != -100


@pytest.mark.parametrize('seed', [None, 3])
def test_workers_draw_their_own_masks(vocab_file, seed):
    base = tokens(' '.join(['red dog runs blue ball'] * 5))
    masker = MSSMMasking(vocab_file, seed=seed)
    masker(dict(base))  # the main process has drawn before the fork
    torch.manual_seed(0)
    loader = torch.utils.data.DataLoader(
        _Masked(masker, base), batch_size=None, num_workers=2)
    draws = {0: [], 1: []}
    for worker, chosen in loader:
        draws[worker].append(chosen.numpy())
    assert len(draws[0]) == len(draws[1]) == 20
    # A generator copied into both workers would give identical streams.
    assert any(not np.array_equal(a, b) for a, b in zip(*draws.values()))
