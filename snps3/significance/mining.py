# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Offline mining of the significant-word vocabulary for MSSM and LVWM.

:func:`mine_vocabulary` reads captions once, lets a scorer (see
:mod:`.scorers`) tag and count their words, and keeps the ``top_k`` most
frequent significant words that are

* a **whole WordPiece token** of the text tokenizer (a word the tokenizer
  splits into several pieces cannot be masked or matched as one token, so it
  is dropped),
* not excluded by the method: ``be/is/was/were/are``, ``background(s)``,
  1-character words, special tokens, stop-words (:data:`FUNCTION_WORDS` by
  default), words without a letter, and any ``exclude`` the caller adds.

It also builds the **lemma table**: lemma -> the inflections seen in the
corpus that passed the same checks (``run -> [run, running, runs, ran]``),
which MSSM's replacement rule draws from.

Vocabulary file, version 1 (JSON)::

    {
      "version": 1,
      "scorer": "pos",                  # the scorer's short name
      "top_k": 3000,                    # the K asked for
      "tokenizer": "pkg://...",         # as given to the miner
      "num_captions": 3187,             # captions read
      "words": [                        # ranked, most frequent first
        {"word": "red", "token_id": 2417, "count": 123,
         "pos": "ADJ",                  # null without a tagger
         "lemma": "red"},
        ...
      ],
      "lemmas": {"run": ["run", "running", "runs", "ran"], ...},
      "token_ids": {"ran": 2743, ...},  # id of every word in "lemmas"
      "settings": {...}                 # scorer and exclusion options
    }

``lemmas`` has an entry for the lemma of every word in ``words``; its
inflections are sorted by count and need not be in ``words`` themselves (a
rare "ran" is still an inflection of "run"), which is why ``token_ids`` maps
them to ids. Read the file with :func:`~.vocabulary.load_vocabulary`.
"""
from collections import Counter
from typing import Dict, Iterable, Optional, Sequence, Union

from snps3.registry import SIGNIFICANCE_SCORERS

from .scorers import BaseSignificanceScorer, CorpusStats, WordStats

VOCAB_VERSION = 1

#: Excluded by the method whatever the scorer says: forms of "be", which the
#: tagger may call a verb, and "background(s)", which stock-footage captions
#: use everywhere ("... on a white background").
METHOD_EXCLUSIONS = frozenset(
    {'be', 'is', 'was', 'were', 'are', 'background', 'backgrounds'})

#: English closed-class (function) words: determiners, pronouns,
#: prepositions, conjunctions, auxiliaries and modals, negation and a few
#: degree adverbs. These never carry a caption's content. spaCy's longer
#: stop-word list (``stop_words='spacy'``) also holds content words that
#: matter in video captions ("move", "show", "top", "side", "empty"), so it is
#: not the default.
FUNCTION_WORDS = frozenset("""
a an the this that these those some any each every either neither no another
such what which who whom whose where when why how whatever whichever
i me my mine myself you your yours yourself yourselves he him his himself she
her hers herself it its itself we us our ours ourselves they them their
theirs themselves one ones oneself someone somebody something anyone anybody
anything everyone everybody everything nobody nothing none
about above across after against along amid among amongst around as at before
behind below beneath beside besides between beyond but by despite down during
except for from in inside into like near of off on onto out outside over past
per since than through throughout till to toward towards under underneath
unlike until up upon via with within without
and or nor so yet if then else because although though while whereas whether
unless once also too
am be is are was were been being have has had having do does did doing done
can could may might must shall should will would ought
not no nor never very just only really quite rather almost even ever
here there now again already always often sometimes soon more most less least
much many few several lot lots own same other others
""".split())

#: Accepted ``stop_words`` names.
STOP_WORD_LISTS = ('function', 'spacy', 'none')


def stop_word_list(stop_words: Union[str, Iterable[str], None]) -> frozenset:
    """Resolve a ``stop_words`` option to a set of lower-case words.

    Args:
        stop_words: ``'function'`` (:data:`FUNCTION_WORDS`), ``'spacy'``
            (spaCy's English list, needs spaCy but no model), ``'none'`` or
            ``None``, or an iterable of words.
    """
    if stop_words is None or stop_words == 'none':
        return frozenset()
    if stop_words == 'function':
        return FUNCTION_WORDS
    if stop_words == 'spacy':
        from spacy.lang.en.stop_words import STOP_WORDS
        return frozenset(STOP_WORDS)
    if isinstance(stop_words, str):
        raise ValueError(f'stop_words must be one of {STOP_WORD_LISTS} or a '
                         f'list of words, got {stop_words!r}')
    return frozenset(w.lower() for w in stop_words)


def build_scorer(scorer: Union[str, dict, BaseSignificanceScorer]):
    """A scorer from an instance, a short name ('pos', 'idf') or a config."""
    if isinstance(scorer, BaseSignificanceScorer):
        return scorer
    if isinstance(scorer, str):
        short = {'pos': 'POSScorer', 'idf': 'IDFScorer'}
        scorer = dict(type=short.get(scorer.lower(), scorer))
    return SIGNIFICANCE_SCORERS.build(scorer)


class _TokenChecker:
    """Normalises words like the tokenizer and tells whole tokens apart."""

    def __init__(self, tokenizer) -> None:
        self.tok = tokenizer
        self.vocab = tokenizer.get_vocab()
        self.special_ids = set(tokenizer.all_special_ids)
        backend = getattr(tokenizer, 'backend_tokenizer', None)
        self.normalizer = getattr(backend, 'normalizer', None)
        self._norm: Dict[str, str] = {}
        self._ids: Dict[str, Optional[int]] = {}

    def normalize(self, word: str) -> str:
        """The form the tokenizer sees: lower case, no accents (uncased)."""
        out = self._norm.get(word)
        if out is None:
            out = (self.normalizer.normalize_str(word)
                   if self.normalizer is not None else word.lower()).strip()
            self._norm[word] = out
        return out

    def token_id(self, word: str) -> Optional[int]:
        """The id of ``word`` if the tokenizer keeps it as one token."""
        if word in self._ids:
            return self._ids[word]
        tid = self.vocab.get(word)
        if tid is not None:
            # Membership is not enough: the basic tokenizer may still split
            # the word (punctuation, CJK characters).
            pieces = self.tok(word, add_special_tokens=False)['input_ids']
            if pieces != [tid] or tid in self.special_ids:
                tid = None
        self._ids[word] = tid
        return tid


def _best_lemma(st: WordStats, pos: Optional[str], word: str) -> str:
    """Most frequent lemma of the word under its reported tag."""
    under_pos = Counter({
        lemma: c
        for (p, lemma), c in st.lemma_counts.items() if p == pos
    })
    counts = under_pos or Counter({
        lemma: c
        for (_, lemma), c in st.lemma_counts.items()
    })
    if not counts:
        return word
    # Ties: alphabetical, so that the file does not depend on dict order.
    return min(counts, key=lambda lemma: (-counts[lemma], lemma))


def mine_vocabulary(captions: Iterable[str],
                    scorer: Union[str, dict, BaseSignificanceScorer],
                    tokenizer,
                    top_k: int = 3000,
                    progress: bool = True,
                    stop_words: Union[str, Iterable[str], None] = 'function',
                    exclude: Sequence[str] = (),
                    total: Optional[int] = None) -> dict:
    """Mine the significant-word vocabulary and lemma table of a corpus.

    Args:
        captions: The captions, read once (any iterable; a generator is fine,
            nothing is kept but word counts).
        scorer: A scorer, its short name (``'pos'``, ``'idf'``) or a config
            for ``SIGNIFICANCE_SCORERS``.
        tokenizer: A Hugging Face BERT tokenizer, or its path (``pkg://``
            allowed) to load with the toolbox's tokenizer loader.
        top_k: Words kept, most frequent first.
        progress: Show a tqdm progress bar over the captions.
        stop_words: See :func:`stop_word_list`.
        exclude: More words to drop (e.g. a corpus's template words).
        total: Number of captions, for the progress bar only.

    Returns:
        dict: The vocabulary (schema in the module docstring), ready for
        ``json.dump``.
    """
    if top_k < 1:
        raise ValueError(f'top_k must be >= 1, got {top_k}')
    scorer = build_scorer(scorer)
    tokenizer_name = tokenizer if isinstance(tokenizer, str) else getattr(
        tokenizer, 'name_or_path',
        type(tokenizer).__name__)
    if isinstance(tokenizer, str):
        from snps3.datasets.transforms.text import load_tokenizer
        tokenizer = load_tokenizer(tokenizer)
    checker = _TokenChecker(tokenizer)
    stops = stop_word_list(stop_words)
    extra = frozenset(w.lower() for w in exclude)

    scorer.prepare()
    if progress:
        from tqdm import tqdm
        captions = tqdm(
            captions,
            total=total,
            unit=' captions',
            desc='mining',
            smoothing=0.1)
    stats = CorpusStats()
    words = stats.words
    for tagged in scorer.analyze(
            c if isinstance(c, str) else '' for c in captions):
        stats.num_captions += 1
        seen = set()
        for t in tagged:
            word = checker.normalize(t.text)
            if not word:
                continue
            st = words.get(word)
            if st is None:
                st = words[word] = WordStats()
            st.count += 1
            st.pos_counts[t.pos] += 1
            st.lemma_counts[(t.pos, t.lemma)] += 1
            if word not in seen:
                seen.add(word)
                st.doc_freq += 1

    def eligible(word: str) -> Optional[int]:
        low = word.lower()
        if (len(word) < 2 or not any(ch.isalpha() for ch in word)
                or low in METHOD_EXCLUSIONS or low in stops or low in extra):
            return None
        return checker.token_id(word)

    scored = {}
    for word, sw in scorer.score(stats).items():
        tid = eligible(word)
        if tid is not None and sw.count > 0:
            scored[word] = (sw, tid)
    ranked = sorted(scored, key=lambda w: (-scored[w][0].count, w))

    lemma_of = {w: _best_lemma(words[w], scored[w][0].pos, w) for w in scored}
    kept = ranked[:top_k]
    entries = [
        dict(
            word=w,
            token_id=scored[w][1],
            count=scored[w][0].count,
            pos=scored[w][0].pos,
            lemma=lemma_of[w]) for w in kept
    ]
    wanted = {lemma_of[w] for w in kept}
    lemmas: Dict[str, list] = {lemma: [] for lemma in sorted(wanted)}
    for w in ranked:  # most frequent inflection first
        if lemma_of[w] in lemmas:
            lemmas[lemma_of[w]].append(w)
    token_ids = {w: scored[w][1] for forms in lemmas.values() for w in forms}
    return dict(
        version=VOCAB_VERSION,
        scorer=scorer.name,
        top_k=top_k,
        tokenizer=tokenizer_name,
        num_captions=stats.num_captions,
        words=entries,
        lemmas=lemmas,
        token_ids=token_ids,
        settings=dict(
            scorer=scorer.settings(),
            stop_words=stop_words if isinstance(stop_words, str)
            or stop_words is None else sorted(stops),
            exclude=sorted(extra),
            method_exclusions=sorted(METHOD_EXCLUSIONS),
            num_candidates=len(ranked)))


__all__ = [
    'mine_vocabulary', 'build_scorer', 'stop_word_list', 'FUNCTION_WORDS',
    'METHOD_EXCLUSIONS', 'STOP_WORD_LISTS', 'VOCAB_VERSION'
]
