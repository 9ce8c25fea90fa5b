"""Stage 4: extractive summaries, with scoring and selection kept apart.

``summarize(article, stats, n)`` picks ``n`` sentences of ``article.sentences``,
verbatim and in article order. It works in three steps:

1. :func:`make_doc` turns the sentences and headline into a :class:`Doc`
   (stemmed content words, TF-IDF vectors, the cosine and word-overlap matrices),
   tokenising each sentence once.
2. Scorers (:class:`Overlap`, :class:`Centrality`, :class:`LeadPrior`, :class:`Position`,
   :class:`Headline`, :class:`Length`, :class:`Frequency`, :class:`TextRank`) each rate
   every sentence; :func:`score_sentences` scales each rating to [0, 1] (the lead prior
   keeps its length-adaptive size) and adds them with weights.
3. :func:`select` keeps the best ``n`` eligible sentences, skips near-duplicates,
   discounts a sentence that leans on one we did not take ("But he said ..."),
   breaks ties by position and returns indices in document order.

Readability rules (:func:`readability`) decide which sentences may be taken at
all: never a fragment under six words, a question, or a heading-like line.
"""
from __future__ import annotations

import dataclasses
import logging
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Collection, Mapping, Protocol, Sequence

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
_LEAD_WORD = re.compile(r"""^[\W_]*([^\W_]+(?:['’][^\W_]+)?)[\W_]*(\S*)""")
_END_PUNCT = re.compile(r"""[.!?…:;]["'”’»)\]]*$""")


@dataclass(frozen=True, slots=True)
class Doc:
    """Everything the scorers need about one article, computed once."""

    sentences: tuple[str, ...]
    title: str
    words: tuple[tuple[str, ...], ...]  #: lower-case word tokens per sentence
    terms: tuple[tuple[str, ...], ...]  #: stemmed content words per sentence
    vectors: tuple[Mapping[str, float], ...]  #: unit-length TF-IDF vectors per sentence
    title_terms: frozenset[str]
    idf: Mapping[str, float]  #: IDF weight of every stem that occurs
    similarity: tuple[tuple[float, ...], ...]  #: cosine similarity matrix
    overlap: tuple[tuple[float, ...], ...] = ()  #: shared distinct terms / (log len i + log len j)

    def __len__(self) -> int:
        return len(self.sentences)


def make_doc(sentences: Sequence[str], title: str, stats: Stats) -> Doc:
    """Tokenise ``sentences`` and build TF-IDF vectors and their similarity matrix."""
    stop = txt.stopwords()
    toks = tuple(tuple(txt.words(s)) for s in sentences)
    idf: dict[str, float] = {}
    known: dict[str, str] = {}  # word -> its stem, or "" when it is not a content word
    title_words = txt.words(title)
    for w in set(title_words).union(*toks):
        if w in stop or (len(w) < 2 and not w.isdigit()):
            known[w] = ""
            continue
        s = known[w] = txt.stem(w)
        weight = stats.idf(w)
        if weight > idf.get(s, 0.0):
            idf[s] = weight
    get = known.__getitem__
    # the headline last, so that it can be popped off after
    terms_list = [tuple(filter(None, map(get, tk))) for tk in (*toks, title_words)]
    title_terms = frozenset(terms_list.pop())
    vectors = []
    for terms in terms_list:
        counts = Counter(terms)
        vec = {t: c * idf[t] for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vec = {t: v / norm for t, v in vec.items()}
        vectors.append(vec)
    n = len(sentences)
    sim = [[0.0] * n for _ in range(n)]
    overlap = [[0.0] * n for _ in range(n)]
    keys = [v.keys() for v in vectors]
    logs = [math.log(len(v) + 1.0) for v in vectors]
    for i in range(n):
        vi, ki, li, row, orow = vectors[i], keys[i], logs[i], sim[i], overlap[i]
        for j in range(i + 1, n):
            common = ki & keys[j]
            if common:
                vj = vectors[j]
                row[j] = sim[j][i] = sum([vi[t] * vj[t] for t in common])
                orow[j] = overlap[j][i] = len(common) / (li + logs[j])
    return Doc(
        sentences=tuple(sentences),
        title=title,
        words=toks,
        terms=tuple(terms_list),
        vectors=tuple(vectors),
        title_terms=title_terms,
        idf=idf,
        similarity=tuple(map(tuple, sim)),
        overlap=tuple(map(tuple, overlap)),
    )


# -- scorers --------------------------------------------------------------------------------


class Scorer(Protocol):
    """Rates every sentence of a document; higher is better."""

    def score(self, doc: Doc) -> dict[int, float]:
        """Return a score for each sentence index of ``doc``."""
        ...


@dataclass(frozen=True, slots=True)
class Centrality:
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

    def score(self, doc: Doc) -> dict[int, float]:
        """Return the centrality of each sentence."""
        n = len(doc)
        if n == 0:
            return {}
        sim = doc.similarity
        cut = 0.0
        if self.beta:
            flat = [sim[i][j] for i in range(n) for j in range(i + 1, n)]
            cut = self.beta * (max(flat) - min(flat)) if flat else 0.0
        out: dict[int, float] = {}
        for i in range(n):
            row = sim[i]
            if cut:
                back = sum([x - cut for x in row[:i] if x > cut])
                fwd = sum([x - cut for x in row[i + 1 :] if x > cut])
            else:
                back, fwd = sum(row[:i]), sum(row[i + 1 :])
            out[i] = self.forward * fwd + self.backward * back
        return out


@dataclass(frozen=True, slots=True)
class TextRank:
    """PageRank over the TF-IDF similarity graph (LexRank with continuous weights)."""

    damping: float = 0.85
    iterations: int = 50
    tolerance: float = 1e-4

    def score(self, doc: Doc) -> dict[int, float]:
        """Return the stationary rank of each sentence."""
        n = len(doc)
        if n == 0:
            return {}
        sim = doc.similarity
        out_w = [sum(row) or 1.0 for row in sim]
        # incoming[i]: (j, weight of the edge j -> i divided by j's total out-weight)
        incoming = [[(j, sim[j][i] / out_w[j]) for j in range(n) if sim[j][i]] for i in range(n)]
        rank = [1.0 / n] * n
        base = (1.0 - self.damping) / n
        d = self.damping
        for _ in range(self.iterations):
            new = [base + d * sum(w * rank[j] for j, w in inc) for inc in incoming]
            delta = sum(abs(a - b) for a, b in zip(new, rank))
            rank = new
            if delta < self.tolerance:
                break
        return dict(enumerate(rank))


@dataclass(frozen=True, slots=True)
class Overlap:
    """TextRank-style centrality (Mihalcea & Tarau): the sum of a sentence's word-overlap edges.

    An edge counts the distinct content stems two sentences share, divided by
    ``log(len_i + 1) + log(len_j + 1)``, so long sentences that restate the
    article's vocabulary rank high without any corpus statistics.
    """

    def score(self, doc: Doc) -> dict[int, float]:
        """Return the overlap degree of each sentence."""
        return {i: sum(row) for i, row in enumerate(doc.overlap)}


@dataclass(frozen=True, slots=True)
class LeadPrior:
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

    def score(self, doc: Doc) -> dict[int, float]:
        """Return the lead bonus of each sentence (all zero for short articles)."""
        n = len(doc)
        if n == 0:
            return {}
        strength = max(0.0, self.base + self.per_log * math.log(n / self.from_sentences))
        return {i: strength / (1.0 + i) ** self.decay for i in range(n)}


@dataclass(frozen=True, slots=True)
class Position:
    """The lead: ``1 / (1 + i) ** decay``, so the first sentence scores 1."""

    decay: float = 1.0

    def score(self, doc: Doc) -> dict[int, float]:
        """Return the position score of each sentence."""
        return {i: 1.0 / (1.0 + i) ** self.decay for i in range(len(doc))}


@dataclass(frozen=True, slots=True)
class Headline:
    """IDF-weighted share of the headline's content words that the sentence uses."""

    def score(self, doc: Doc) -> dict[int, float]:
        """Return the headline overlap of each sentence (0 without a headline)."""
        title = doc.title_terms
        if not title:
            return {i: 0.0 for i in range(len(doc))}
        total = sum(doc.idf[t] for t in title)
        return {i: sum(doc.idf[t] for t in title.intersection(terms)) / total for i, terms in enumerate(doc.terms)}


@dataclass(frozen=True, slots=True)
class Length:
    """Prefers informative lengths: rises to 1 at ``ideal`` words, falls past ``too_long``."""

    ideal: int = 25
    too_long: int = 60

    def score(self, doc: Doc) -> dict[int, float]:
        """Return the length score of each sentence."""
        out = {}
        for i, w in enumerate(doc.words):
            n = len(w)
            s = min(n / self.ideal, 1.0)
            if n > self.too_long:
                s *= self.too_long / n
            out[i] = s
        return out


@dataclass(frozen=True, slots=True)
class Frequency:
    """Luhn/SumBasic direction: how much of the article's recurring vocabulary a sentence holds.

    Sums, over the sentence's distinct content words, the word's count in the whole
    article (words seen once count nothing), weighted by IDF ** ``idf_power``.
    """

    idf_power: float = 1.0

    def score(self, doc: Doc) -> dict[int, float]:
        """Return the frequency score of each sentence."""
        tf: Counter[str] = Counter()
        for terms in doc.terms:
            tf.update(terms)
        out = {}
        for i, terms in enumerate(doc.terms):
            out[i] = sum((tf[t] - 1) * doc.idf[t] ** self.idf_power for t in set(terms))
        return out


#: Default scorers and their weights (each scorer's output is first scaled to [0, 1],
#: except :class:`LeadPrior`, which adds its own length-adaptive amount). Tuned on one half
#: of the BBC and CNN dev sets and checked on the other half (see benchmarks/summaries.py):
#: word-overlap and TF-IDF centrality carry the BBC references, the lead prior the long CNN
#: stories, ``Headline`` keeps the headline's point in the summary.
DEFAULT_SCORERS: tuple[tuple[Scorer, float], ...] = (
    (Overlap(), 1.0),
    (Centrality(forward=1.0, backward=0.5), 0.5),
    (Length(ideal=60, too_long=90), 0.3),
    (Headline(), 0.2),
    (LeadPrior(), 1.0),
)
#: Default for :func:`select`: a sentence more similar than this to one already taken is skipped.
MAX_SIMILARITY = 0.5
#: Default for :func:`select`: score factor of a dependent sentence without its antecedent.
DEPENDENT_PENALTY = 0.7


def score_sentences(doc: Doc, scorers: Sequence[tuple[Scorer, float]] = DEFAULT_SCORERS) -> dict[int, float]:
    """Combine scorers: each is min-max scaled to [0, 1] (unless it sets ``scaled = False``),
    then weighted and added."""
    total = {i: 0.0 for i in range(len(doc))}
    for scorer, weight in scorers:
        if not weight:
            continue
        scores = scorer.score(doc)
        if not scores:
            continue
        if not getattr(scorer, "scaled", True):
            for i, s in scores.items():
                total[i] += weight * s
            continue
        low, top = min(scores.values()), max(scores.values())
        if top <= low:
            continue
        for i, s in scores.items():
            total[i] += weight * (s - low) / (top - low)
    return total


# -- readability ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Readability:
    """Which sentences may be taken, and which need the sentence before them."""

    excluded: frozenset[int]  #: fragments, questions, headings: never taken
    dependent: frozenset[int]  #: open with a pronoun or connective


def is_fragment(sentence: str) -> bool:
    """Fewer than :data:`MIN_WORDS` words."""
    return len(txt.words(sentence)) < MIN_WORDS


def is_question(sentence: str) -> bool:
    """Ends with a question mark (a teaser, not a finding)."""
    return sentence.rstrip("\"'”’»)] ").endswith("?")


def is_heading(sentence: str) -> bool:
    """No end punctuation: a heading, caption or label rather than a sentence."""
    return _END_PUNCT.search(sentence.rstrip()) is None


def is_dependent(sentence: str) -> bool:
    """Opens with an unresolved pronoun or connective ("He said", "But", "This").

    "This year", "That day" and the like stand on their own.
    """
    m = _LEAD_WORD.match(sentence)
    if not m:
        return False
    first = m.group(1).lower()
    if first not in _DEPENDENT_OPENERS:
        return False
    if first in {"this", "that", "these", "those"}:
        nxt = re.match(r"[^\W_]+", m.group(2) or "")
        if nxt and txt.stem(nxt.group(0).lower()) in _SELF_CONTAINED_AFTER:
            return False
    return True


def readability(sentences: Sequence[str], word_counts: Sequence[int] | None = None) -> Readability:
    """Apply the readability rules to each sentence (``word_counts`` saves re-tokenising)."""
    if word_counts is None:
        word_counts = [len(txt.words(s)) for s in sentences]
    excluded = set()
    dependent = set()
    for i, s in enumerate(sentences):
        if word_counts[i] < MIN_WORDS or is_question(s) or is_heading(s):
            excluded.add(i)
        elif is_dependent(s):
            dependent.add(i)
    return Readability(frozenset(excluded), frozenset(dependent))


#: A sentence sharing at least this share (Jaccard) of its words with the headline repeats it.
HEADLINE_REPEAT = 0.8


def restates_headline(doc: Doc, threshold: float = HEADLINE_REPEAT) -> frozenset[int]:
    """Indices of sentences that only repeat the headline (word Jaccard >= ``threshold``).

    A reader sees the headline above the summary; a standfirst or first line that
    restates it word for word would waste one of the few summary sentences.
    """
    head = set(txt.words(doc.title))
    if not head:
        return frozenset()
    out = set()
    for i, ws in enumerate(doc.words):
        w = set(ws)
        if w and len(w & head) / len(w | head) >= threshold:
            out.add(i)
    return frozenset(out)


# -- selection ------------------------------------------------------------------------------


def select(
    scores: Mapping[int, float],
    n: int,
    *,
    similarity: Sequence[Sequence[float]] | None = None,
    max_similarity: float = MAX_SIMILARITY,
    excluded: Collection[int] = (),
    dependent: Collection[int] = (),
    dependent_penalty: float = DEPENDENT_PENALTY,
) -> list[int]:
    """Pick up to ``n`` sentence indices, best first, and return them in document order.

    Greedy: at each step the highest effective score wins, ties going to the earlier
    sentence. ``excluded`` indices are never taken. A candidate whose similarity to a
    sentence already taken exceeds ``max_similarity`` is skipped (no near-duplicates).
    A ``dependent`` sentence counts ``dependent_penalty`` times its score unless the
    sentence just before it is already taken.
    """
    chosen: list[int] = []
    taken: set[int] = set()
    pool = sorted(i for i in scores if i not in excluded)
    while len(chosen) < n and pool:
        best, best_score = pool[0], None
        for i in pool:
            s = scores[i]
            if i in dependent and (i - 1) not in taken:
                s *= dependent_penalty
            if best_score is None or s > best_score:  # pool is in order: ties keep the earlier
                best, best_score = i, s
        pool.remove(best)
        chosen.append(best)
        taken.add(best)
        if similarity is not None:
            row = similarity[best]
            pool = [i for i in pool if row[i] <= max_similarity]
    return sorted(chosen)


# -- the stage ------------------------------------------------------------------------------


def summarize_sentences(
    sentences: Sequence[str],
    title: str,
    stats: Stats,
    n: int = 3,
    scorers: Sequence[tuple[Scorer, float]] = DEFAULT_SCORERS,
) -> tuple[str, ...]:
    """Return the ``n`` best of ``sentences`` (verbatim, in order) for a headline ``title``."""
    if n <= 0:
        return ()
    if len(sentences) <= n:
        return tuple(sentences)
    doc = make_doc(sentences, title, stats)
    scores = score_sentences(doc, scorers)
    rules = readability(sentences, [len(w) for w in doc.words])
    excluded = rules.excluded | restates_headline(doc)
    if len(excluded) == len(sentences):
        excluded = frozenset()
    picked = select(scores, n, similarity=doc.similarity, excluded=excluded, dependent=rules.dependent)
    return tuple(sentences[i] for i in picked)


def summarize(article: Article, stats: Stats, n: int = 3) -> Article:
    """Fill ``article.summary``: front-matter ``meta_summary`` if given, else ``n`` chosen sentences."""
    if article.meta_summary:
        return dataclasses.replace(article, summary=tuple(article.meta_summary))
    summary = summarize_sentences(article.sentences[:MAX_SENTENCES], article.title, stats, n)
    log.debug("%s: summary of %d/%d sentences", article.source, len(summary), len(article.sentences))
    return dataclasses.replace(article, summary=summary)
