"""Stage 4: extractive summaries, with scoring and selection kept apart.

``summarize(article, stats, n)`` picks ``n`` sentences of ``article.sentences``,
verbatim and in article order. It works in three steps:

1. :func:`make_doc` turns the sentences and headline into a :class:`Doc`: word tokens,
   sentence-by-stem counts, the TF-IDF cosine matrix and the word-overlap matrix. Each
   sentence is tokenised once and each distinct word looked at once (its stem and IDF);
   everything per sentence or per pair is numpy (count matrices from ``bincount``, both
   similarity matrices as Gram matrices), with no Python loop over sentences or pairs.
2. Scorers each rate every sentence: graph centrality (:class:`Overlap` degree,
   :class:`TextRank` on the overlap graph, position-aware TF-IDF :class:`Centrality`
   in the PacSum form), :class:`LeadPrior` (a lead bonus that grows with article
   length), :class:`Headline` overlap, :class:`Length`, :class:`Quotes` (a penalty for
   quoted speech) and, for experiments, :class:`Position` and :class:`Frequency`.
   :func:`score_sentences` scales each rating to [0, 1] (unless the scorer keeps its own
   scale) and adds them with weights.
3. :func:`select` keeps the best ``n`` eligible sentences, skips near-duplicates,
   discounts a sentence that leans on one we did not take ("But he said ..."),
   breaks ties by position and returns indices in document order.

Readability rules (:func:`readability`) decide which sentences may be taken at
all: never a fragment under six words, a question, a heading-like line, a credit or
copyright line, the tail of a quotation opened in an earlier sentence, nor a sentence
that only repeats the headline. A sentence that opens with a connective or a personal pronoun
("But", "However", "He") reads on after any earlier summary sentence; one that opens with
"This", "That", "These" or "Those" only after the sentence it points at.
"""
from __future__ import annotations

import dataclasses
import logging
import math
import re
from collections import Counter
from functools import lru_cache, partial
from itertools import chain, compress, repeat
from dataclasses import dataclass
from typing import TYPE_CHECKING, Collection, Iterable, Mapping, Protocol, Sequence

import numpy as np

from digest import clean
from digest import text as txt

if TYPE_CHECKING:
    from digest.model import Article
    from digest.text import Stats

log = logging.getLogger(__name__)

#: Fewer words than this and a sentence is a fragment, never taken.
MIN_WORDS = 6
#: Only the first this many sentences are rated: sentence similarity is quadratic in their
#: number, and a news story's summary comes from its first few hundred sentences anyway.
MAX_SENTENCES = 300

# A sentence that opens with one of these leans on the sentence before it.
_DEPENDENT_OPENERS = frozenset(
    """he she it they them his her its their this these those that such there
    but and or so yet also however meanwhile nevertheless nonetheless moreover furthermore
    instead therefore thus hence still besides otherwise then later afterwards
    similarly likewise indeed anyway consequently""".split()
)
# ... unless the opener is followed by one of these ("This year", "That day" are fine).
_SELF_CONTAINED_AFTER = frozenset(
    """year week month day time season morning afternoon evening night summer winter
    spring autumn weekend decade century""".split()
)
# "There is/are/was ..." is existential, not a pointer back.
_EXISTENTIAL_AFTER = frozenset(
    """is are was were be been has have had will would could may might must should can seems seem
    appears appear remains remain""".split()
)
# Dependent openers that point at what the sentence just before says ("That would allow ...",
# "These include ..."), where the other openers ("But", "He") join on to the story told so far.
_POINTING_OPENERS = frozenset("this these those that".split())
# "Those" followed by one of these is defined where it stands ("Those who ...", "Those in work ...").
_DEFINING = frozenset("who whose with in at on from of".split())
_CLOSERS = "\"'”’»)]"
_ENDERS = frozenset(".!?…:;")
# Credits, copyright and sharing furniture that is not part of the story.
_FURNITURE = re.compile(
    r"©|\(c\)\s*\d{4}|\ball rights reserved\b|\bcontributed\s+(?:to\s+)?(?:this|the)\s+(?:report|story|article)\b"
    r"|\b(?:reporting|writing|editing|additional reporting)\s+by\b|\boriginal\s+(?:story|article)\s+(?:at|on)\b"
    r"|\bclick\s+here\b|\bsign\s+up\s+for\b|\bfollow\s+(?:us|\w+)\s+on\s+(?:twitter|facebook|instagram)\b",
    re.IGNORECASE,
)
# Cheap substring test before the (slow) pattern: one of these occurs in every furniture line.
_FURNITURE_HINTS = ("©", "(c)", "reserved", "contributed", "reporting", "writing", "editing", "original", "click", "sign up", "follow")
# A pointer elsewhere, in a sentence of the story: "Full results and photos are on the Herald's
# race page", "For more information, visit ...", "More pictures can be found at www....".
_POINTER = re.compile(
    r"\b(?:full|more|further|latest)\s+(?:\S+\s+){0,3}?(?:results|details|coverage|information|photos|pictures"
    r"|images|videos?|updates|reports?|stories|story)\b(?:\s+\S+){0,8}?\s+(?:is|are|can\s+be\s+(?:found|seen|read"
    r"|watched))\s+(?:available\s+)?(?:on|at)\s+(?:www\.|https?://|(?:\S+\s+){0,5}?(?:page|site|website|blog|app"
    r"|channel|feed)\b)"
    r"|\bfor\s+(?:more|further|the\s+latest|full)\s+(?:\S+\s+){0,3}?(?:information|details|news|updates|coverage"
    r"|results)\b(?:\s+\S+){0,5}?,?\s+(?:visit|see|go\s+to|read|click|check)\b",
    re.IGNORECASE,
)
# Words of which a sentence holds one of each before the pattern is worth trying.
_POINTER_WORDS = (
    frozenset("full more further latest".split()),
    frozenset("results details coverage information photos pictures images video videos updates report reports "
              "stories story news".split()),
)


@dataclass(frozen=True, slots=True, eq=False)
class Doc:
    """Everything the scorers need about one article, computed once.

    ``similarity`` and ``overlap`` are symmetric ``n x n`` numpy arrays with a zero diagonal.
    ``counts[i, k]`` is how often sentence ``i`` uses the stem ``stems[k]``; ``present[i, k]``
    whether it uses the word ``vocabulary[k]`` (any word, stop words too).
    """

    sentences: tuple[str, ...]
    title: str
    words: tuple[tuple[str, ...], ...]  #: lower-case word tokens per sentence
    title_terms: frozenset[str]  #: stemmed content words of the title
    idf: Mapping[str, float]  #: IDF weight of every stem that occurs
    similarity: np.ndarray  #: cosine similarity of the sentences' TF-IDF vectors (stems)
    overlap: np.ndarray  #: shared distinct content words / (ln len i + ln len j) (TextRank edges)
    word_counts: np.ndarray  #: number of word tokens of each sentence
    stems: tuple[str, ...] = ()  #: the columns of ``counts``
    stem_columns: Mapping[str, int] = dataclasses.field(default_factory=dict)  #: stem -> column of ``counts``
    counts: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 0)))
    vocabulary: Mapping[str, int] = dataclasses.field(default_factory=dict)  #: word -> column of ``present``
    present: np.ndarray = dataclasses.field(default_factory=lambda: np.zeros((0, 0), dtype=bool))

    def __len__(self) -> int:
        return len(self.sentences)

    @property
    def terms(self) -> tuple[tuple[str, ...], ...]:
        """Stemmed content words of each sentence, in order."""
        return tuple(tuple(filter(None, map(_content_stem, ws))) for ws in self.words)


def make_doc(sentences: Sequence[str], title: str, stats: Stats) -> Doc:
    """Tokenise ``sentences`` once and build both sentence-similarity matrices.

    Content words are words that are not stop words (single letters only as digits).
    ``similarity`` compares stemmed content words weighted by TF-IDF (IDF from ``stats``);
    ``overlap`` counts the distinct content words, as written, that two sentences share,
    divided by ``ln(len_i) + ln(len_j)`` of their content-word counts (Mihalcea & Tarau's
    TextRank edge; sentences with fewer than two content words get no edges).

    Each distinct word is looked at once (:func:`_content_stem`, cached across articles);
    the sentences become rows of sentence-by-word and sentence-by-stem count matrices
    (no per-sentence loop), and both similarity matrices are Gram matrices (:func:`_gram`).
    """
    toks = txt.words_of(sentences)
    title_words = txt.words(title)
    title_terms = frozenset(filter(None, map(_content_stem, title_words)))
    n = len(sentences)
    # every distinct word once: its column, its stem ("" unless a content word) and IDF;
    # the title's own words come last, so that their stems have an IDF too
    flat = list(chain.from_iterable(toks))
    vocab = dict.fromkeys(flat)
    n_words = len(vocab)
    known = list(vocab)
    known += [w for w in dict.fromkeys(title_words) if w not in vocab]
    known_stems = list(map(_content_stem, known))
    stems = tuple(filter(None, dict.fromkeys(known_stems)))
    n_stems = len(stems)
    stem_col = dict(zip(stems, range(n_stems)))
    # each word's stem column; ``n_stems`` (one past the stems) for a word that is not a content word
    word_stem = np.fromiter(map(stem_col.get, known_stems, repeat(n_stems)), dtype=np.intp, count=len(known))
    # a stem weighs as its heaviest word, and no less than 0 (a NaN weighs nothing): the
    # ``np.fmax`` of 0 and each word in turn, as a loop over a hundred-odd words (cheaper
    # than the arrays and ``ufunc.at`` it replaced)
    idf = dict.fromkeys(stems, 0.0)
    for stem, weight in zip(filter(None, known_stems), txt.idfs(stats, list(compress(known, known_stems)))):
        if weight > idf[stem]:
            idf[stem] = weight
    stem_idf = np.fromiter(idf.values(), dtype=float, count=n_stems)
    if n == 0:
        empty = np.zeros((0, 0))
        return Doc((), title, (), title_terms, idf, empty, empty, np.zeros(0))
    word_stem = word_stem[:n_words]

    # every token as a (sentence, word column) pair
    column = dict(zip(vocab, range(n_words)))
    lengths = np.fromiter(map(len, toks), dtype=np.intp, count=n)
    word_ids = np.fromiter(map(column.__getitem__, flat), dtype=np.intp, count=len(flat))
    sent_ids = np.repeat(np.arange(n), lengths)
    present = np.zeros((n, n_words), dtype=bool)
    present[sent_ids, word_ids] = True

    # TF-IDF cosine over stems: the Gram matrix of the sentences' unit vectors (the tokens of
    # other words counted in one more column, whose count is what the content count lacks)
    counts = np.bincount(sent_ids * (n_stems + 1) + word_stem[word_ids], minlength=n * (n_stems + 1)).reshape(n, n_stems + 1)
    n_content = (lengths - counts[:, n_stems]).tolist()
    counts = counts[:, :n_stems]
    vectors = counts * stem_idf
    norms = np.sqrt((vectors * vectors).sum(axis=1))
    norms[norms == 0.0] = 1.0
    sim = _gram(vectors / norms[:, None])

    # TextRank edges: distinct content words (as written) shared, over ln len_i + ln len_j
    # of the content-token counts. A sentence of one content word gets no edges: its log
    # is taken as infinite, and a whole number of shared words over it is 0.
    overlap = _gram(np.multiply(present, word_stem < n_stems, dtype=float))
    logs = np.array([math.log(k) if k > 1 else math.inf for k in n_content])
    overlap /= logs[:, None] + logs
    return Doc(
        sentences=tuple(sentences),
        title=title,
        words=toks,
        title_terms=title_terms,
        idf=idf,
        similarity=sim,
        overlap=overlap,
        word_counts=lengths.astype(float),
        stems=stems,
        stem_columns=stem_col,
        counts=counts,
        vocabulary=column,
        present=present,
    )


class _StemMemo(dict):  # type: ignore[type-arg]
    """``word -> stem`` of a content word, "" for a stop word or a lone letter (see :func:`_content_stem`).

    A pure function of the word, kept for every word seen (as ``functools.cache`` would),
    but a hit through ``__getitem__`` is one dict look-up with no call overhead.
    """

    __slots__ = ()

    def __missing__(self, word: str) -> str:
        if word in txt.stopwords() or (len(word) < 2 and not word.isdigit()):
            value = ""
        else:
            value = txt.stem(word)
        self[word] = value
        return value


#: The stem of a content word (:func:`digest.text.stem`); "" for a stop word or a lone letter.
_content_stem = _StemMemo().__getitem__


#: Largest ``rows * rows * columns`` handed to one matrix product: below it OpenBLAS runs on
#: one thread; above it, it starts threads, which on small matrices cost far more than they save.
_PRODUCT_LIMIT = 262_143


def _gram(rows: np.ndarray) -> np.ndarray:
    """``rows @ rows.T`` with a zero diagonal.

    A small product is one matrix product. A larger one drops the columns that fewer
    than two rows use (they add nothing off the diagonal) and multiplies in column blocks
    small enough to stay on one thread; for very long articles, where such blocks would
    be tiny, it adds the products of the nonzero entries (:func:`_sparse_gram`).
    """
    n, width = rows.shape
    if n * n * width <= _PRODUCT_LIMIT:
        out = rows @ rows.T
        out.flat[:: n + 1] = 0.0  # the diagonal (``np.fill_diagonal`` without its checks)
        return out
    m = rows[:, (rows != 0).sum(axis=0) > 1]
    cols = m.shape[1]
    if not cols:
        return np.zeros((n, n))
    block = _PRODUCT_LIMIT // (n * n)
    if block >= 16:
        out = None
        for start in range(0, cols, block):
            part = m[:, start : start + block]
            out = part @ part.T if out is None else out + part @ part.T
    else:
        out = _sparse_gram(m)
    out.flat[:: n + 1] = 0.0
    return out


def _sparse_gram(m: np.ndarray) -> np.ndarray:
    """``m @ m.T`` off the diagonal as a sparse product computes it (scipy's CSR kernel, which
    this replaced: importing scipy cost each worker process 0.3-0.8 CPU s), to the last bit:
    every pair of nonzero entries of one column adds its product to the pair of rows, and each
    pair's products are added one after the other, by ascending column, starting from 0.0
    (``np.bincount`` adds its weights in input order). The diagonal is left at 0."""
    n = m.shape[0]
    col, row = np.nonzero(m.T)  # the nonzero entries by column, then row
    vals = m[row, col]
    counts = np.bincount(col, minlength=m.shape[1])
    per = counts[col]  # entries in each entry's column
    # every ordered pair (a, b) of entries of one column, a != b, grouped by ascending column
    a = np.repeat(np.arange(len(col)), per)
    b = np.arange(len(a)) - np.repeat(np.cumsum(per) - per, per) + np.repeat((np.cumsum(counts) - counts)[col], per)
    keep = a != b
    a, b = a[keep], b[keep]
    return np.bincount(row[a] * n + row[b], weights=vals[a] * vals[b], minlength=n * n).reshape(n, n)


# -- scorers --------------------------------------------------------------------------------


class Scorer(Protocol):
    """Rates every sentence of a document; higher is better."""

    def score(self, doc: Doc) -> dict[int, float]:
        """Return a score for each sentence index of ``doc``."""
        ...


class _ArrayScorer:
    """Scorers compute a numpy array (:meth:`rate`); :meth:`score` gives it as a mapping."""

    __slots__ = ()

    def rate(self, doc: Doc) -> np.ndarray:  # pragma: no cover - every scorer overrides it
        raise NotImplementedError

    def score(self, doc: Doc) -> dict[int, float]:
        """Return a score for each sentence index of ``doc``."""
        return dict(enumerate(self.rate(doc).tolist()))


def _directed_degree(matrix: np.ndarray, forward: float, backward: float) -> np.ndarray:
    """``forward`` x the edges to later sentences + ``backward`` x the edges to earlier ones."""
    if forward == backward:
        return forward * matrix.sum(axis=1)
    later, earlier = _triangles(len(matrix))
    ahead = (matrix * later).sum(axis=1)
    if forward != 1.0:  # (1.0 x is no change: the default scorers spare the step)
        ahead = forward * ahead
    return ahead + backward * (matrix * earlier).sum(axis=1)


@lru_cache(maxsize=64)
def _identity(n: int) -> np.ndarray:
    """``np.eye(n)``, read-only (made once per size: ``np.eye`` is a Python function)."""
    out = np.eye(n)
    out.setflags(write=False)
    return out


@lru_cache(maxsize=64)
def _triangles(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Read-only 0/1 masks of the strict upper and lower triangles of an ``n x n`` matrix
    (multiplying by them is ``np.triu(m, 1)``/``np.tril(m, -1)`` without building a mask)."""
    later = np.triu(np.ones((n, n)), 1)
    earlier = np.ascontiguousarray(later.T)
    later.setflags(write=False)
    earlier.setflags(write=False)
    return later, earlier


@dataclass(frozen=True, slots=True)
class Centrality(_ArrayScorer):
    """Position-aware degree centrality on the TF-IDF similarity graph (PacSum direction).

    An edge ``i–j`` counts ``sim - beta * (max - min)`` (edges below zero are
    dropped). A sentence gains ``forward`` times the weight of edges to later
    sentences and ``backward`` times the weight of edges to earlier ones: an opening
    sentence that later ones elaborate on is central; a sentence that only repeats
    what came before is not.
    """

    beta: float = 0.0
    forward: float = 1.0
    backward: float = 1.0

    def rate(self, doc: Doc) -> np.ndarray:
        """Return the centrality of each sentence."""
        sim = doc.similarity
        n = len(doc)
        if n == 0:
            return np.zeros(0)
        if self.beta and n > 1:
            upper = sim[np.triu_indices(n, 1)]
            cut = self.beta * (upper.max() - upper.min())
            sim = np.where(sim > cut, sim - cut, 0.0)
        return _directed_degree(sim, self.forward, self.backward)


@dataclass(frozen=True, slots=True)
class Overlap(_ArrayScorer):
    """TextRank-style degree centrality: the sum of a sentence's word-overlap edges.

    An edge counts the distinct content words two sentences share, divided by
    ``ln len_i + ln len_j``. ``backward`` weighs edges to earlier sentences (1: plain
    degree). The degree is multiplied by ``word count ** length_power``: a longer
    sentence that is as central carries more of the story.
    """

    backward: float = 1.0
    length_power: float = 0.0

    def rate(self, doc: Doc) -> np.ndarray:
        """Return the overlap degree of each sentence."""
        deg = _directed_degree(doc.overlap, 1.0, self.backward)
        if self.length_power:
            deg = deg * np.maximum(doc.word_counts, 1.0) ** self.length_power
        return deg


#: Up to this many sentences, :class:`TextRank` solves for its fixed point instead of iterating.
_SOLVE_LIMIT = 120


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.linalg.solve(a, b)`` for a square float matrix and a vector: the same LAPACK routine,
    called without the argument checks and error-state context that are most of its cost on the
    small systems of :class:`TextRank` (whose matrices are diagonally dominant, never singular);
    a result that is not finite goes to ``np.linalg.solve``, to fail as it always did."""
    if _SOLVE1 is not None:
        try:
            x = _SOLVE1(a, b, signature="dd->d")
        except (TypeError, ValueError):  # pragma: no cover - another numpy's gufunc
            x = None
        if x is not None and np.isfinite(x).all():
            return x
    return np.linalg.solve(a, b)


try:  # the gufunc behind ``np.linalg.solve`` for one right-hand side (numpy >= 1.8)
    from numpy.linalg import _umath_linalg

    _SOLVE1 = _umath_linalg.solve1
except (ImportError, AttributeError):  # pragma: no cover - another numpy layout
    _SOLVE1 = None


@dataclass(frozen=True, slots=True)
class TextRank(_ArrayScorer):
    """PageRank over a sentence graph (Mihalcea & Tarau), times ``word count ** length_power``.

    ``graph`` is ``"overlap"`` (shared words, the TextRank edge) or ``"cosine"`` (TF-IDF
    cosine, LexRank with continuous weights).
    """

    damping: float = 0.85
    iterations: int = 50
    tolerance: float = 1e-6
    graph: str = "overlap"
    length_power: float = 0.0

    def rate(self, doc: Doc) -> np.ndarray:
        """Return the stationary rank of each sentence."""
        n = len(doc)
        if n == 0:
            return np.zeros(0)
        w = doc.overlap if self.graph == "overlap" else doc.similarity
        out_w = w.sum(axis=1)
        out_w[out_w == 0] = 1.0
        walk = (w / out_w[:, None]).T  # walk[i, j]: share of j's weight that flows to i
        base = (1.0 - self.damping) / n
        if n <= _SOLVE_LIMIT:  # the fixed point r = base + d * W r directly
            return self._lengthen(doc, _solve(_identity(n) - self.damping * walk, np.full(n, base)))
        rank = np.full(n, 1.0 / n)
        for _ in range(self.iterations):
            new = base + self.damping * (walk @ rank)
            delta = float(np.abs(new - rank).sum())
            rank = new
            if delta < self.tolerance:
                break
        return self._lengthen(doc, rank)

    def _lengthen(self, doc: Doc, rank: np.ndarray) -> np.ndarray:
        if self.length_power:
            return rank * np.maximum(doc.word_counts, 1.0) ** self.length_power
        return rank


@dataclass(frozen=True, slots=True)
class LeadPrior(_ArrayScorer):
    """A lead bonus ``strength / (1 + i) ** decay`` whose strength grows with article length.

    ``strength = max(0, base + per_log * ln(n / from_sentences))``. In a short article
    centrality alone finds the point; in a long one, centrality drifts into
    background and quotes while the inverted pyramid keeps the news on top. The
    value is added unscaled (``scaled = False``), so the adaptation survives.
    """

    base: float = 0.0
    per_log: float = 2.0
    from_sentences: float = 20.0
    decay: float = 1.0
    scaled: bool = False

    def rate(self, doc: Doc) -> np.ndarray:
        """Return the lead bonus of each sentence (all zero for short articles)."""
        n = len(doc)
        if n == 0:
            return np.zeros(0)
        return _lead_prior(self, n)


@lru_cache(maxsize=512)
def _lead_prior(prior: LeadPrior, n: int) -> np.ndarray:
    """:meth:`LeadPrior.rate` for ``n`` sentences (it depends on nothing else), read-only."""
    strength = max(0.0, prior.base + prior.per_log * math.log(n / prior.from_sentences))
    out = strength / (1.0 + np.arange(n)) ** prior.decay
    out.setflags(write=False)
    return out


@dataclass(frozen=True, slots=True)
class Position(_ArrayScorer):
    """The lead: ``1 / (1 + i) ** decay``, so the first sentence scores 1."""

    decay: float = 1.0

    def rate(self, doc: Doc) -> np.ndarray:
        """Return the position score of each sentence."""
        return 1.0 / (1.0 + np.arange(len(doc))) ** self.decay


@dataclass(frozen=True, slots=True)
class Headline(_ArrayScorer):
    """IDF-weighted share of the headline's content words that the sentence uses."""

    def rate(self, doc: Doc) -> np.ndarray:
        """Return the headline overlap of each sentence (0 without a headline)."""
        if not doc.title_terms or not len(doc):
            return np.zeros(len(doc))
        # in a fixed order: a set's order changes with the process's hash seed, and so would
        # the last bits of the sums (and a near-tie between two sentences with them)
        title = sorted(doc.title_terms)
        total = math.fsum(doc.idf[t] for t in title)
        cols = [doc.stem_columns[t] for t in title if t in doc.stem_columns]
        weights = np.fromiter([doc.idf[doc.stems[k]] for k in cols], dtype=float, count=len(cols))
        return (doc.counts[:, cols] > 0) @ weights / total


@dataclass(frozen=True, slots=True)
class Length(_ArrayScorer):
    """Prefers informative lengths: rises to 1 at ``ideal`` words, falls past ``too_long``."""

    ideal: int = 25
    too_long: int = 60

    def rate(self, doc: Doc) -> np.ndarray:
        """Return the length score of each sentence."""
        n = doc.word_counts
        s = np.minimum(n / self.ideal, 1.0)
        if not (n > self.too_long).any():
            return s
        return np.where(n > self.too_long, s * self.too_long / np.maximum(n, 1.0), s)


@dataclass(frozen=True, slots=True)
class Quotes(_ArrayScorer):
    """Share of a sentence's characters inside double quotation marks (give it a negative weight).

    A summary should report the news, not quote someone about it. A sentence with an
    unbalanced quotation mark (a quote that runs on from or into its neighbour) counts
    as all quote. Unscaled (``scaled = False``): the share is already in [0, 1].
    """

    scaled: bool = False

    def rate(self, doc: Doc) -> np.ndarray:
        """Return the quoted share of each sentence."""
        sentences = doc.sentences
        text = "".join(sentences)
        if '"' not in text and "“" not in text and "”" not in text:
            return np.zeros(len(sentences))  # most articles quote no one: one test, not one per sentence
        return np.array([quote_share(s) if '"' in s or "“" in s or "”" in s else 0.0 for s in sentences])


def quote_share(sentence: str) -> float:
    """Share of ``sentence``'s characters (quote marks aside) that sit inside double quotes.

    An unbalanced quote (an odd number of marks, or unequal curly ones) counts as all quote.
    """
    if '"' not in sentence and "“" not in sentence and "”" not in sentence:
        return 0.0
    if sentence.count("“") != sentence.count("”"):
        return 1.0
    parts = sentence.replace("“", '"').replace("”", '"').split('"')
    if len(parts) % 2 == 0:  # an odd number of marks
        return 1.0
    total = sum(map(len, parts))
    return sum(map(len, parts[1::2])) / total if total else 0.0


@dataclass(frozen=True, slots=True)
class Frequency(_ArrayScorer):
    """Luhn/SumBasic direction: how much of the article's recurring vocabulary a sentence holds.

    Sums, over the sentence's distinct content words, the word's count in the whole
    article (words seen once count nothing), weighted by IDF ** ``idf_power``.
    """

    idf_power: float = 1.0

    def rate(self, doc: Doc) -> np.ndarray:
        """Return the frequency score of each sentence."""
        tf: Counter[str] = Counter()
        for terms in doc.terms:
            tf.update(terms)
        return np.array([sum((tf[t] - 1) * doc.idf[t] ** self.idf_power for t in set(terms)) for terms in doc.terms])


#: Default scorers and their weights (each scorer's output is first scaled to [0, 1],
#: except :class:`LeadPrior` and :class:`Quotes`, which keep their own size). Tuned on half A
#: of the BBC and CNN dev sets and checked on half B (see benchmarks/summaries.py).
#: Word-overlap centrality (degree and PageRank, favouring longer sentences a little) finds the
#: sentences the rest of the story elaborates on; the TF-IDF centrality leans forward (PacSum);
#: the lead prior grows with article length, for long inverted-pyramid stories; quoted speech
#: is discounted; ``Headline`` keeps the headline's point.
DEFAULT_SCORERS: tuple[tuple[Scorer, float], ...] = (
    (Overlap(backward=0.9, length_power=0.2), 1.3),
    (TextRank(length_power=0.35), 0.35),
    (Centrality(forward=1.0, backward=0.6), 0.55),
    (Length(ideal=40, too_long=90), 0.33),
    (Headline(), 0.1),
    (LeadPrior(base=-0.6, per_log=2.2, from_sentences=12.0, decay=0.6), 1.0),
    (Quotes(), -0.1),
)
#: Default for :func:`select`: a sentence more similar than this to one already taken is skipped.
MAX_SIMILARITY = 0.85
#: Default for :func:`select`: score factor of a dependent sentence that would open the summary.
DEPENDENT_PENALTY = 0.6
#: Default for :func:`select`: score factor of a dependent sentence that follows an earlier summary
#: sentence other than its antecedent (1: the summary reads as one story once it has opened).
LOOSE_PENALTY = 1.0


def score_sentences(doc: Doc, scorers: Sequence[tuple[Scorer, float]] = DEFAULT_SCORERS) -> dict[int, float]:
    """Combine scorers: each is min-max scaled to [0, 1] (unless it sets ``scaled = False``),
    then weighted and added."""
    return dict(enumerate(_combine(doc, scorers).tolist()))


def _combine(doc: Doc, scorers: Sequence[tuple[Scorer, float]]) -> np.ndarray:
    n = len(doc)
    active, weights, scaled = _active(scorers)
    if not n or not active:
        return np.zeros(n)
    rates = np.empty((len(active), n))
    for k, scorer in enumerate(active):
        if isinstance(scorer, _ArrayScorer):
            rates[k] = scorer.rate(doc)
        else:
            rated = scorer.score(doc)
            rates[k] = [rated.get(i, 0.0) for i in range(n)]
    # each scaled rating from [min, max] to [0, 1], then weighted; a constant one adds nothing
    low = [m if sc else 0.0 for m, sc in zip(rates.min(axis=1).tolist(), scaled)]
    span = [x - m if sc else 1.0 for x, m, sc in zip(rates.max(axis=1).tolist(), low, scaled)]
    factor = [w / d if d > 0 else 0.0 for w, d in zip(weights, span)]
    return np.array(factor) @ (rates - np.array(low)[:, None])


def _active(scorers: Sequence[tuple[Scorer, float]]) -> tuple[tuple[Scorer, ...], tuple[float, ...], tuple[bool, ...]]:
    """The scorers with a weight, their weights and whether each is scaled (remembered per set of scorers)."""
    if scorers is DEFAULT_SCORERS:  # the usual case: no hashing of the scorers
        return _DEFAULT_ACTIVE
    try:
        return _active_of(tuple(scorers))
    except TypeError:  # a scorer that cannot be hashed
        return _active_of.__wrapped__(tuple(scorers))


@lru_cache(maxsize=16)
def _active_of(scorers: tuple[tuple[Scorer, float], ...]) -> tuple[tuple[Scorer, ...], tuple[float, ...], tuple[bool, ...]]:
    active = [(scorer, weight) for scorer, weight in scorers if weight]
    return (tuple(s for s, _ in active), tuple(float(w) for _, w in active),
            tuple(bool(getattr(s, "scaled", True)) for s, _ in active))


_DEFAULT_ACTIVE = _active_of(DEFAULT_SCORERS)


# -- readability ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Readability:
    """Which sentences may be taken, and which need the sentence before them."""

    excluded: frozenset[int]  #: fragments, questions, headings, credits, quotation tails, clauses: never taken
    dependent: frozenset[int]  #: open with a pronoun or connective
    attached: frozenset[int] = frozenset()  #: speech whose speaker only the sentence before names: taken only after it
    pointing: frozenset[int] = frozenset()  #: dependent, reads as meant only after the sentence before ("That would")


def is_fragment(sentence: str) -> bool:
    """Fewer than :data:`MIN_WORDS` words."""
    return len(txt.words(sentence)) < MIN_WORDS


def is_question(sentence: str) -> bool:
    """Ends with a question mark (a teaser, not a finding)."""
    return sentence.rstrip("\"'”’»)] ").endswith("?")


def is_heading(sentence: str) -> bool:
    """No end punctuation: a heading, caption or label rather than a sentence."""
    return _end_char(sentence) not in _ENDERS


def _end_char(sentence: str) -> str:
    """The sentence's last character before closing quotes and brackets ("" for none)."""
    return sentence.rstrip().rstrip(_CLOSERS)[-1:]


def is_furniture(sentence: str) -> bool:
    """A credit, copyright or sharing line ("X contributed to this report", "All rights reserved"),
    or a pointer to other pages ("Full results are on our race page")."""
    return _is_credit(sentence) or _points_elsewhere(sentence, txt.words(sentence))


def _is_credit(sentence: str) -> bool:
    low = sentence.lower()
    for hint in _FURNITURE_HINTS:
        if hint in low:
            return _FURNITURE.search(sentence) is not None
    return False


def _points_elsewhere(sentence: str, words: Sequence[str]) -> bool:
    """Holds a pointer to other pages ("Full results are on our race page"); ``words`` are its words."""
    return all(not need.isdisjoint(words) for need in _POINTER_WORDS) and _POINTER.search(sentence) is not None


def is_clause(sentence: str) -> bool:
    """Not a sentence of its own: it opens in lower case (a list item or the rest of a
    sentence split too early, "an earlier start, which would need ...") or ends in a colon or
    semicolon (a list's lead-in or one of its items: "The review will look at:"). A word that
    is lower case only at its start ("iPhone", "eBay") is a name and opens a sentence."""
    if _end_char(sentence) in (":", ";"):
        return True
    m = _FIRST_WORD.search(sentence)
    return m is not None and m.group().islower()


_FIRST_WORD = re.compile(r"[^\W_][\w'’-]*")


def continues_quote(sentence: str) -> bool:
    """Ends a quotation opened in an earlier sentence: its first quotation mark closes one
    (a closing curly mark, or a straight one after a letter or punctuation and not before a
    letter or digit), as in ``We will rebuild," the mayor said.``

    Such a sentence is the tail of someone's speech and reads as a fragment on its own.
    """
    m = _QUOTE_MARK.search(sentence)
    if m is None:
        return False
    ch, k = m.group(), m.start()
    if ch == "”":
        return True
    if ch == "“":
        return False
    after = sentence[k + 1 : k + 2]
    return k > 0 and not sentence[k - 1].isspace() and sentence[k - 1] not in "([" and not after.isalnum()


_QUOTE_MARK = re.compile('[“”"]')


def is_unattributed_quote(sentence: str) -> bool:
    """Quoted speech that does not say who speaks: the sentence opens with a quotation mark and
    no word follows the quotation's end in it (``"But we need a clear rule."``, or a quotation
    that runs on into the next sentence). The speaker is named in the sentence before
    (``"Nobody wants to cancel it," Ashworth said.``), and a reader of the summary would not know
    whose words these are without it. ``"X," she said.`` and ``"Y" is the word of the year.``
    are not such sentences."""
    s = sentence.lstrip()
    if s[:1] not in ('"', "“"):
        return False
    end = s.find("”" if s[0] == "“" else '"', 1)
    return end < 0 or _WORD_CHAR.search(s, end + 1) is None


_WORD_CHAR = re.compile(r"[^\W_]")


def is_dependent(sentence: str) -> bool:
    """Opens with an unresolved pronoun or connective ("He said", "But", "This").

    "This year", "That day" and existential "There is/are" stand on their own.
    """
    return _opens_dependent(txt.words(sentence[:80]))


def _opens_dependent(words: Sequence[str]) -> bool:
    if not words or words[0] not in _DEPENDENT_OPENERS:
        return False
    first = words[0]
    nxt = words[1] if len(words) > 1 else ""
    if first in {"this", "that", "these", "those"}:
        return txt.stem(nxt) not in _SELF_CONTAINED_AFTER
    if first == "there":
        return nxt not in _EXISTENTIAL_AFTER
    return True


def _points_back(words: Sequence[str]) -> bool:
    """Whether a dependent sentence of these words that opens with "This", "That", "These" or
    "Those" points at what the sentence just before it says ("That would allow ...", "This makes
    her ...", "These include ...", "That museum held ..."): after any other sentence the reader
    takes it for something it is not. "Those" that a participle or clause defines ("Those
    evacuated include ...", "Those who ...") does not. (Nor does quoted speech, ``"This case
    falls under ..."``, where the speaker's "this" is the story's matter: the caller checks that.)"""
    if words[0] != "those" or len(words) < 2:
        return True
    nxt = words[1]
    return nxt not in _DEFINING and not nxt.endswith(("ing", "ed"))


def readability(
    sentences: Sequence[str],
    word_counts: Sequence[int] | None = None,
    *,
    words: Sequence[Sequence[str]] | None = None,
) -> Readability:
    """Apply the readability rules to each sentence (all but :func:`surname_openers`, which
    :func:`summarize_sentences` applies to the sentences it picks only).

    ``words`` (each sentence's :func:`digest.text.words`) or ``word_counts`` save re-tokenising.
    """
    if words is None:
        words = [txt.words(s) for s in sentences]
    if word_counts is None:
        word_counts = [len(w) for w in words]
    excluded = set()
    dependent = set()
    attached = set()
    pointing = set()
    low = "\n".join(sentences).lower()
    furniture = any(h in low for h in _FURNITURE_HINTS)  # else no sentence is worth the test
    first_words = _POINTER_WORDS[0]
    for i, s in enumerate(sentences):
        # a sentence that ends in a full stop is neither a question nor a heading
        if (word_counts[i] < MIN_WORDS or (s[-1:] != "." and (is_question(s) or is_heading(s)))
                or (furniture and _is_credit(s)) or (not first_words.isdisjoint(words[i]) and _points_elsewhere(s, words[i]))
                or (('"' in s or "”" in s) and continues_quote(s)) or is_clause(s)):
            excluded.add(i)
        elif i and s[:1] in _OPENING_QUOTES and is_unattributed_quote(s):
            attached.add(i)
        elif words[i] and words[i][0] in _DEPENDENT_OPENERS and _opens_dependent(words[i]):
            dependent.add(i)
            if words[i][0] in _POINTING_OPENERS and s[:1] not in _OPENING_QUOTES and _points_back(words[i]):
                pointing.add(i)
    return Readability(frozenset(excluded), frozenset(dependent), frozenset(attached), frozenset(pointing))


#: A sentence's first word when a comma or a word in lower case follows it: "Varnum added",
#: "Davis, who ...", "O'Sullivan's coach" (not "Mike Leigh will ...": a name of its own).
_OPENING_WORD = re.compile(r"[A-Z][\w'’-]*(?=,|\s+[a-z])")


def surname_openers(sentences: Sequence[str], title: str = "", among: Iterable[int] | None = None) -> dict[int, frozenset[int]]:
    """The sentences (of those at positions ``among``, else all) that open with a bare surname
    whose bearer only an earlier sentence of the article names in full: "Varnum added that ..."
    after "..., said Anna Varnum, the foundry's manager." Each maps to the positions of those
    earlier sentences (where the surname follows another word that is capitalised, not a stop
    word: "Anna Varnum", not "Mr Varnum"). A reader of the summary who has not read one of them
    does not know who is meant. A word the headline holds is known to the reader, and a word
    the article also writes in lower case ("Police said ...") is no surname."""
    stop = txt.stopwords()
    openers = []
    last: dict[str, int] = {}  # each name's last sentence: where the search for its full form ends
    for i in range(1, len(sentences)) if among is None else among:
        m = _OPENING_WORD.match(sentences[i])
        if m is None:
            continue
        name = m.group()
        if name[-2:] in ("'s", "’s"):
            name = name[:-2]
        if not name.isupper() and name.lower() not in stop:
            openers.append((i, name))
            last[name] = i
    if not openers:
        return {}
    text = "\n".join(sentences)
    full = {name: _full_names(text, name) for name in last}
    full = {name: lines for name, lines in full.items()
            if lines and lines[0] < last[name] and not _holds_word(title, name) and not _holds_word(text, name.lower())}
    return {i: frozenset(k for k in full[name] if k < i) for i, name in openers if name in full and full[name][0] < i}


def _full_names(text: str, name: str) -> list[int]:
    """The lines of ``text`` where ``name`` follows a capitalised word that is no stop word
    ("Anna Varnum"; not followed by another such word: "Orange British Academy")."""
    stop = txt.stopwords()
    lines = []
    at = text.find(" " + name)
    while at >= 0:
        after = text[at + 1 + len(name) : at + 3 + len(name)]
        if not after[:1].isalnum() and not (after[:1] == " " and after[1:].isupper()):
            given = text[max(text.rfind(" ", 0, at), text.rfind("\n", 0, at)) + 1 : at].lstrip("\"“‘'(")
            if given[:1].isupper() and given[-1:].isalnum() and not given.isupper() and given.lower() not in stop:
                lines.append(text.count("\n", 0, at))
        at = text.find(" " + name, at + 1 + len(name))
    return lines


def _holds_word(text: str, word: str) -> bool:
    """Whether ``word`` stands in ``text`` as a whole word."""
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or not text[at - 1].isalnum()) and not text[end : end + 1].isalnum():
            return True
        at = text.find(word, end)
    return False


_OPENING_QUOTES = frozenset('"“')


#: A sentence sharing at least this share (Jaccard) of its words with the headline repeats it.
HEADLINE_REPEAT = 0.8


def restates_headline(doc: Doc, threshold: float = HEADLINE_REPEAT) -> frozenset[int]:
    """Indices of sentences that only repeat the headline (word Jaccard >= ``threshold``).

    A reader sees the headline above the summary; a standfirst or first line that
    restates it word for word would waste one of the few summary sentences.
    """
    head = set(txt.words(doc.title))
    if not head or not len(doc):
        return frozenset()
    cols = [doc.vocabulary[w] for w in head if w in doc.vocabulary]
    if len(cols) / len(head) < threshold:  # no sentence shares enough of the headline's words
        return frozenset()
    shared = doc.present[:, cols].sum(axis=1)
    if not (shared / len(head) >= threshold).any():  # the union is never smaller than the headline
        return frozenset()
    own = doc.present.sum(axis=1)
    union = own + len(head) - shared
    repeats = (own > 0) & (shared / np.maximum(union, 1) >= threshold)
    return frozenset(np.flatnonzero(repeats).tolist())


# -- selection ------------------------------------------------------------------------------


def select(
    scores: Mapping[int, float],
    n: int,
    *,
    similarity: Sequence[Sequence[float]] | np.ndarray | None = None,
    max_similarity: float = MAX_SIMILARITY,
    excluded: Collection[int] = (),
    dependent: Collection[int] = (),
    dependent_penalty: float = DEPENDENT_PENALTY,
    loose_penalty: float = 1.0,
    attached: Collection[int] = (),
    pointing: Collection[int] = (),
    introduced: Mapping[int, frozenset[int]] | None = None,
) -> list[int]:
    """Pick up to ``n`` sentence indices, best first, and return them in document order.

    Greedy: at each step the highest effective score wins, ties going to the earlier
    sentence. ``excluded`` indices are never taken. A candidate whose similarity to a
    sentence already taken exceeds ``max_similarity`` is skipped (no near-duplicates).
    A ``dependent`` sentence keeps its full score when the sentence just before it is
    taken (its antecedent), counts ``loose_penalty`` times its score when some earlier
    sentence is taken (the summary does not open with it), and ``dependent_penalty``
    times its score otherwise. A dependent sentence that is also ``pointing`` ("That would
    allow ...") reads as meant only after the very sentence before it, so without that one it
    counts ``dependent_penalty`` times its score even after an earlier summary sentence. An
    ``attached`` sentence is a candidate only once the sentence just before it is taken. A
    sentence in ``introduced`` (one that opens with a surname, see :func:`surname_openers`)
    counts ``dependent_penalty`` times its score until one of the sentences it maps to (those
    that name the person in full) is taken.
    """
    chosen: list[int] = []
    pool = sorted(i for i in scores if i not in excluded)
    while len(chosen) < n and pool:
        first = min(chosen, default=None)
        best, best_score = pool[0], None
        for i in pool:
            if i in attached and (i - 1) not in chosen:
                continue
            s = scores[i]
            if i in dependent and (i - 1) not in chosen:
                s *= loose_penalty if first is not None and first < i and i not in pointing else dependent_penalty
            elif introduced and i in introduced and introduced[i].isdisjoint(chosen):
                s *= dependent_penalty
            if best_score is None or s > best_score:  # pool is in order: ties keep the earlier
                best, best_score = i, s
        if best_score is None:  # only attached sentences are left, none after its antecedent
            break
        pool.remove(best)
        chosen.append(best)
        if similarity is not None and pool:
            row = similarity[best]
            if isinstance(row, np.ndarray):
                row = row.tolist()  # Python floats: the same comparisons, without a numpy scalar each
            pool = [i for i in pool if row[i] <= max_similarity]
    return sorted(chosen)


# -- the stage ------------------------------------------------------------------------------


def summarize_sentences(
    sentences: Sequence[str],
    title: str,
    stats: Stats,
    n: int = 3,
    scorers: Sequence[tuple[Scorer, float]] = DEFAULT_SCORERS,
    quoted: Collection[int] = (),
) -> tuple[str, ...]:
    """Return the ``n`` best of ``sentences`` (verbatim, in order, but for the dateline or agency
    credit that opens the first: see :func:`story_of`) for a headline ``title``. The sentences
    at positions ``quoted`` are quotations set apart (a block quote): like speech that does not
    name its speaker, each but the article's first is taken only after the sentence before it.
    A sentence that opens with a surname is scored down until a sentence that names the person
    in full is taken (:func:`surname_openers`)."""
    if n <= 0:
        return ()
    if len(sentences) <= n:
        return tuple(story_of(s, sentences[1:]) if i == 0 else s for i, s in enumerate(sentences))
    doc = make_doc(sentences, title, stats)
    scores = score_sentences(doc, scorers)
    rules = readability(sentences, words=doc.words)
    excluded = rules.excluded | restates_headline(doc)
    if len(excluded) == len(sentences):
        excluded = frozenset()
    choose = partial(
        select,
        scores,
        n,
        similarity=doc.similarity,
        excluded=excluded,
        dependent=rules.dependent,
        loose_penalty=LOOSE_PENALTY,
        pointing=rules.pointing,
        attached=rules.attached.union(i for i in quoted if i) if quoted else rules.attached,  # (the first: no sentence before)
    )
    picked = choose()
    # Surname openers lower a sentence's score only, so a choice that knows them among the sentences
    # it picks is the choice that knows them all: only the sentences picked are tested.
    tested: set[int] = set()
    introduced: dict[int, frozenset[int]] = {}
    while untested := [i for i in picked if i not in tested]:
        tested.update(untested)
        found = surname_openers(sentences, title, untested)
        if not found:
            break
        introduced.update(found)
        picked = choose(introduced=introduced)
    return tuple(story_of(sentences[i], sentences[1:]) if i == 0 else sentences[i] for i in picked)


def story_of(sentence: str, others: Sequence[str] = ()) -> str:
    """A story's first sentence as a summary shows it: without the dateline or the agency's credit
    that opens it ("WASHINGTON (Reuters) - Republicans ...", "(CNN)Share ..."), which say where and
    by whom the story was filed, not what happened, nor the kicker in capitals that labels it
    ("BREAKING NEWS: ...", :func:`digest.text.dateline_end`). A label before a colon that also
    opens one of the article's ``others`` sentences is how the article is laid out and stays:
    the column's "DEAR ABBY: " before each letter, an interview's speakers ("CNN: ...")."""
    end = txt.dateline_end(sentence)
    rest = sentence[end:]
    if not end or len(rest.split()) < 3:
        return sentence
    label = sentence[:end].rstrip()
    if label.endswith(":") and any(s.startswith(label) for s in others):
        return sentence
    return rest


def summarize(article: Article, stats: Stats, n: int = 3, ratio: float = 0.0) -> Article:
    """Fill ``article.summary``: front-matter ``meta_summary`` if given, else ``n`` chosen sentences
    (with a ``ratio``, that share of the article's sentences, ``n`` at most)."""
    return dataclasses.replace(article, summary=summary_of(article, stats, n, ratio=ratio))


def length(count: int, n: int, ratio: float) -> int:
    """Sentences in the summary of an article of ``count`` sentences: ``ratio`` of them, rounded
    half up, at least one and at most ``n``."""
    return max(1, min(n, math.floor(ratio * count + 0.5)))


def summary_of(
    article: Article, stats: Stats, n: int = 3, sentences: Sequence[str] | None = None, ratio: float = 0.0,
    quoted: Collection[int] | None = None,
) -> tuple[str, ...]:
    """The summary :func:`summarize` gives ``article``, ``sentences`` standing for its own
    sentences when given (a caller that makes them can set both fields in one ``replace``), and
    ``quoted`` for the positions of those of its block quotes (see
    :func:`digest.clean.split_blocks`; found in the body when not given). With a ``ratio``,
    that share of the sentences (see :func:`length`), ``n`` at most."""
    if article.meta_summary:
        return tuple(article.meta_summary)
    if sentences is None:
        sentences = article.sentences
    if ratio:
        n = length(len(sentences), n, ratio)
    if quoted is None:
        quoted = clean.split_blocks(article.body)[1] if any(b.kind == "quote" for b in article.body) else ()
    summary = summarize_sentences(sentences[:MAX_SENTENCES], article.title, stats, n, quoted=quoted)
    log.debug("%s: summary of %d/%d sentences", article.source, len(summary), len(sentences))
    return summary
