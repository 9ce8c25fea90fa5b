"""Stage 6: related headlines and same-story groups, from sparse term vectors.

``relate(articles, cfg)`` is the stage's entry point. It works in five steps; the numeric part
(numpy + scipy.sparse) is in :mod:`digest.relate_matrix`, so there is never a loop over pairs of
articles in Python:

1. **Terms** (:func:`build_index`). Each article becomes a row of a sparse document × term
   matrix: its stemmed content words (headline words counted :attr:`Tuning.title` times, body
   words once; sub-linear term frequency × IDF computed on the corpus itself), plus its
   keyphrases, entity names and tags from the tag stage as extra terms with their own weights
   (:attr:`Tuning.keyphrase`, :attr:`Tuning.entity`, :attr:`Tuning.tag`). Terms found in more
   than :attr:`Tuning.max_df` of the documents are dropped (they link everything to everything).
   Each row is L2-normalised over every term of the article, words found in no other article
   included, so two short texts sharing one word are not "similar"; only terms shared with
   another article are kept.
2. **Neighbours.** Every term keeps its :attr:`Tuning.max_postings` heaviest documents (the
   postings matrix ``P``). The score of ``j`` for ``i`` is ``X[i] · P[j]``: the cosine, except
   that a very common term only counts for the documents where it weighs most. ``X @ Pᵀ`` is
   computed in blocks of rows and each row keeps its best :attr:`Tuning.candidates` (ties by
   document). The cost of a row stops growing with the corpus. From :attr:`Tuning.query_from`
   articles a row is scored with its :attr:`Tuning.query_terms` heaviest terms only (its common
   words, with the longest postings, are left out: an approximate top-k). From
   :attr:`Tuning.parallel_from` articles, counting and the product are shared among
   :attr:`Tuning.workers` processes, and the product alone from :data:`_SHARED_PRODUCT_FROM`,
   with the same result.
3. **Section agreement** (re-ranking). Each article gets a section profile: its own section (from
   the tag stage, or front matter) mixed with the score-weighted sections of its
   :attr:`Tuning.section_neighbours` nearest neighbours. A link's score is its cosine times
   ``(1 + g·A) / (1 + g)``, with ``A`` the dot product of the two profiles and ``g`` =
   :attr:`Tuning.section`: a link inside the story's neighbourhood keeps its cosine, a link across
   sections loses up to ``g / (1 + g)`` of it. The neighbours' sections correct a wrong guess of
   the tag stage. Without sections (no tag stage) scores are plain cosines.
4. **Same story** (:func:`find_groups`). Candidate pairs come from the neighbour lists (a score of
   at least :attr:`Tuning.dup_candidate`); a pair is the same story when the Jaccard similarity
   of the word 5-gram shingles of the bodies is at least :attr:`Tuning.dup_jaccard` (texts that
   open or end alike are checked too, when their full cosine reaches :attr:`Tuning.dup_ends_cosine`), or (when the
   tag stage found entities) when the score is high, the two share rare entities and were
   published within a few days. Groups are closed with union-find. The canonical member is the
   earliest by ``(date, slug)``; the others point to it with ``duplicate_of``.
5. **Rank.** Headlines of other articles named in the article's own page (lines the clean stage
   removed as a headline list, :func:`named_headlines`) come first, score 1.0. Then a small recency
   factor (at most :attr:`Tuning.recency` off the score) prefers closer dates among near-equal
   scores. Members of the article's own group are never listed; other groups are listed once, by
   their canonical article, with the best score of their members. Lists are sorted by
   ``(-score, -date, slug)``, cut at ``cfg.count`` and at ``cfg.min_score``. They are computed
   for all articles at once with numpy; when a document outside an article's neighbours could
   still enter its list (re-ranking lowered the scores below the last neighbour's cosine), that
   article's candidates are taken again, four times as many each round (an article with many
   same-story copies fills its neighbours with them), until its list is proven exact.

**Incremental** (:func:`relate_with`). The same result as :func:`relate`, given the state of an
earlier run: every article's inputs are fingerprinted; IDF is rounded (:attr:`Tuning.idf_step`,
corpus size to two significant digits) so an edit changes the weights of the few terms it adds or
drops only; columns are the terms in sorted order, so a row's sums run in the same order in any
corpus. Only the rows whose weights change are weighed again, only the postings columns they touch
are capped again, the neighbour lists a changed document was in or can now enter are merged from
their old entries and its new scores (scored again only where a listed document lost its place),
and only the related lists that read a changed score, profile, group or date are ranked again.
Whatever cannot be proven (another order, many changes, a size that changes the IDF, a new
section) is a full run.

Everything is pure and deterministic: the same articles in the same order give the same output,
whatever the block size, and whatever the state :func:`relate_with` was given.
"""
from __future__ import annotations

import bisect
import gc
import hashlib
import logging
import math
import operator
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from datetime import datetime, timezone
from functools import partial
from typing import TYPE_CHECKING, Iterator, Mapping, Sequence

import numpy as np

from . import relate_matrix as rm
from .relate_matrix import sp  # scipy.sparse, imported when first used (see relate_matrix._LazyScipySparse)
from .model import Article, Related
from .text import stem, stopwords, words

if TYPE_CHECKING:
    from .config import RelatedConfig

log = logging.getLogger(__name__)

__all__ = [
    "Tuning",
    "Index",
    "build_index",
    "related",
    "find_groups",
    "named_headlines",
    "relate",
    "relate_with",
    "RelateState",
    "DEFAULT_TUNING",
]


@dataclass(frozen=True, slots=True)
class Tuning:
    """Knobs of the relate stage. Defaults were chosen by measured precision on one half of the BBC
    dev set (``benchmarks/related.py --half a``) and checked on the other, not by taste."""

    title: float = 2.0
    """How many times a word of the headline counts, against once for a word of the body."""
    keyphrase: float = 0.5
    """Weight multiplier of a keyphrase term (from the tag stage)."""
    entity: float = 0.25
    """Weight multiplier of an entity-name term (from the tag stage)."""
    tag: float = 0.25
    """Weight multiplier of a tag term."""
    idf_step: float = 0.2
    """Term IDF is rounded to this step, with the corpus size rounded to two significant digits
    (as the build cache's :meth:`digest.text.Stats.idf`), so one edited article changes only the
    weights of the few terms it adds or drops (0: exact IDF). On the BBC dev set 0.2 gives the
    precision of exact IDF (95.5 precision@5, both halves unchanged) and half the rows to weigh
    again after an addition or deletion that 0.05 gives."""
    max_df: float = 0.5
    """Terms in more than this share of the documents are dropped (only once the corpus has
    :attr:`min_docs_for_df` documents, so tiny corpora keep their words)."""
    min_docs_for_df: int = 20
    """Corpus size from which :attr:`max_df` applies."""
    max_postings: int = 100
    """Each term counts only for its this many heaviest documents on the scored side of a pair,
    so the cost of a row stops growing with the corpus (on the BBC dev set 100 loses nothing
    against exact cosines)."""
    query_terms: int = 80
    """Heaviest terms of an article used to score the others (0: all of them). The light terms
    of a row are its common words, with the longest postings: at 100,000 synthetic articles the
    heaviest 80 keep 99.5% of the exact cosine of the chosen links (score recall) for half of the
    multiply-adds of the product. Scores are then the cosine over those terms (a lower bound of
    the full cosine: 5-10% lower on long articles, unchanged on articles with fewer terms).
    Applies from :attr:`query_from` articles."""
    query_from: int = 20000
    """Corpus size from which :attr:`query_terms` applies (below it the product is cheap, and
    scores are exact cosines)."""
    candidates: int = 40
    """Best-scoring documents kept per article (re-ranking, same-story checks and links use them)."""
    block: int = 64
    """Rows per block of the sparse product (memory only: results do not depend on it; a block
    holds about ``block`` × 10,000 scores at 100,000 articles)."""
    workers: int = 2
    """Processes that count terms and compute neighbours for a large corpus (1: this process
    only). Results are the same for any number."""
    parallel_from: int = 20000
    """Corpus size from which :attr:`workers` processes are used (below it, starting them costs
    more than it saves)."""
    section: float = 3.0
    """Weight ``g`` of section agreement: a link across sections keeps ``1 / (1 + g)`` of its
    cosine (0 turns section agreement off)."""
    section_mix: float = 0.7
    """Share of the neighbours' sections in an article's section profile (the rest is its own)."""
    section_neighbours: int = 10
    """Nearest neighbours whose sections make up an article's profile."""
    recency: float = 0.02
    """Largest share of a score taken off for distance in time (0 turns recency off)."""
    recency_days: float = 365.0
    """Distance in days at which the recency penalty reaches :attr:`recency`."""
    shingle: int = 5
    """Words per shingle for near-duplicate text."""
    dup_jaccard: float = 0.7
    """Shingle Jaccard similarity from which two bodies are the same story."""
    dup_candidate: float = 0.6
    """Score from which a pair is checked for near-duplicate text (on the BBC dev set every pair
    with shingle Jaccard ≥ 0.6 has a cosine ≥ 0.89)."""
    dup_words: int = 12
    """Articles whose text opens or ends with the same this many words are checked for
    near-duplicate text whatever their score, when their cosine over every linking term (not
    capped) is at least :attr:`dup_ends_cosine` (0: only pairs scoring :attr:`dup_candidate`)."""
    dup_ends_cosine: float = 0.4
    """Cosine (full vectors) from which two texts that open or end alike are checked for near
    copies. Texts made of the same paragraphs in another mix often open alike; a near copy
    (shingle Jaccard ≥ :attr:`dup_jaccard`) shares most of its words, so its cosine is far
    above this (on the BBC dev set every pair with Jaccard ≥ 0.6 has a cosine ≥ 0.89)."""
    min_shingles: int = 8
    """Bodies with fewer shingles are never called duplicates (too little text to tell)."""
    event_cosine: float = 0.5
    """Score from which two articles sharing rare entities, close in time, are the same event."""
    event_entities: int = 2
    """How many rare entities (in at most :attr:`event_entity_df` documents) they must share."""
    event_entity_df: int = 5
    """An entity is rare when at most this many documents name it."""
    event_days: float = 3.0
    """Largest distance in days for the same event."""
    headline_overlap: float = 0.75
    """A removed headline line names another article when their title words (stemmed, stop words
    left out) overlap by at least this share of the longer of the two."""
    headline_min_words: int = 2
    """Headline lines with fewer content words are never matched."""


DEFAULT_TUNING = Tuning()

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_slug_of = operator.attrgetter("slug")
_title_of = operator.attrgetter("title")


@dataclass(frozen=True, slots=True)
class Index:
    """The weighted term vectors of a corpus, with each document's neighbours (read-only).

    Documents are numbered by their position in the input. ``vectors`` is the document × term
    matrix (CSR, unit rows, linking terms only), ``postings`` the same with every term cut to its
    :attr:`Tuning.max_postings` heaviest documents. ``neighbours`` holds, per document, the best
    other documents (int32, -1 for none) and ``scores`` their scores (float32), best first, ties
    by document. ``profiles`` holds the section profiles (one column per name in
    ``section_names``; None when no article has a section).
    """

    slugs: tuple[str, ...]
    titles: tuple[str, ...]
    times: np.ndarray  #: publication time, seconds since the epoch (``-inf`` when unknown)
    vectors: sp.csr_matrix
    postings: sp.csr_matrix
    neighbours: np.ndarray
    scores: np.ndarray
    section_names: tuple[str, ...]
    sections: np.ndarray  #: each document's own section, as a position in ``section_names`` (-1: none)
    profiles: np.ndarray | None
    vocabulary: Mapping[str, int]  #: term → column of ``vectors``
    weights: rm.Weights  #: document frequencies and IDF the vectors were weighed with
    common: np.ndarray  #: per column: the stem of a built-in very common word
    entities: tuple[frozenset[str], ...]  #: rare entity terms per document (same-event rule)
    position: Mapping[str, int]  #: slug → document number
    tuning: Tuning

    def __len__(self) -> int:
        return len(self.slugs)


# -- index ---------------------------------------------------------------------------------------


def _timestamp(article: Article) -> float:
    d = article.date
    if d is None:
        return -math.inf
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return (d - _EPOCH).total_seconds()


def _rare_entities(article: Article, vocab: Mapping[str, int], df: np.ndarray, limit: int) -> frozenset[str]:
    """The article's entity terms found in at most ``limit`` documents (and in two or more)."""
    found = set()
    for e in article.entities:
        term = "e:" + rm.key(e.name)
        c = vocab.get(term)
        if c is not None and c < len(df) and 2 <= df[c] <= limit:
            found.add(term)
    return frozenset(found)


def build_index(articles: Sequence[Article], tuning: Tuning = DEFAULT_TUNING) -> Index:
    """Index ``articles`` and find each one's neighbours (see the module docstring, steps 1–3).

    Cost: one pass over the text, then a sparse product in blocks of rows (never all pairs)."""
    return _index(articles, tuning)[0]


def _cores(tuning: Tuning) -> int:
    """Processes to share work among when it is shared: :attr:`Tuning.workers`, at most one a core."""
    return max(1, min(tuning.workers, os.cpu_count() or 1))


def _workers(n: int, tuning: Tuning) -> int:
    """Processes to share the work on ``n`` articles among (see :attr:`Tuning.parallel_from`)."""
    return _cores(tuning) if n >= tuning.parallel_from else 1


def _product_workers(n: int, tuning: Tuning) -> int:
    """Processes to share the product of a run from scratch on ``n`` articles among: also below
    :attr:`Tuning.parallel_from`, from :data:`_SHARED_PRODUCT_FROM` articles, when this process
    has no other thread (forking is then safe)."""
    shared = n >= tuning.parallel_from or (n >= _SHARED_PRODUCT_FROM and threading.active_count() == 1)
    return _cores(tuning) if shared else 1


_SHARED_PRODUCT_FROM = 2_000
"""Corpus size from which the product is shared among :attr:`Tuning.workers` processes even
below :attr:`Tuning.parallel_from` (results do not depend on it). Counting stays in one process
there (it also makes the texts' shingles, see :class:`_CopyCheck`), and so does everything after
the product; the product is the part that shares best (each process takes rows as it goes:
nothing to merge), about a third of the stage at 10,000 articles."""


_WIDER_BELOW = 20_000
"""Corpus size below which a run from scratch keeps, from the first product, each article's best
``4 ×`` :attr:`Tuning.candidates` documents (the first wider round of :func:`_wide_lists`) and
the transposed postings (memory only: a few MB at 10,000 articles; results do not depend on
it). A corpus with many same-story copies sends half of its lists to that round (10,000
pipeline articles: 5,100), which then needs no second product. Below it (in one process) the
texts' shingles are also made from the words the counting pass hashed (:class:`_CopyCheck`)."""


def _index(
    articles: Sequence[Article], tuning: Tuning, keep_counts: bool = False, wider: bool = False,
) -> tuple[Index, rm.Vectors, sp.csr_matrix | None, tuple[np.ndarray, np.ndarray] | None]:
    """The index and the vectors it was made from; with ``wider``, below :data:`_WIDER_BELOW`
    articles, also its postings transposed (terms × documents) and every document's candidates
    of the first wider round of :func:`_wide_lists` (else None and None), and the vectors' texts'
    shingles (counted in one process: see :class:`_CopyCheck`)."""
    t = tuning
    n = len(articles)
    workers = _workers(n, t)
    keep = wider and n < _WIDER_BELOW
    vec = rm.build_vectors(articles, t.title, t.max_df, t.min_docs_for_df, t.keyphrase, t.entity, t.tag,
                           workers=workers, idf_step=t.idf_step, keep_counts=keep_counts, end_words=t.dup_words,
                           shingle=t.shingle if keep and workers == 1 else 0)
    x, w = vec.matrix, vec.weights
    rm.give_back_memory()  # what counting freed: the memory for the steps below comes from less
    postings = rm.cap_postings(x, t.max_postings)
    postings_t = postings.T.tocsr()
    # a row's best ``count`` documents are the first ``count`` of its best ``4 × count`` (best
    # first, ties by document): one product gives both
    count = max(t.candidates, min(n, 4 * t.candidates)) if keep else t.candidates
    docs, scores = rm.top_neighbours_parallel(x, postings_t, count, t.block, _product_workers(n, t), _query_terms(n, t))
    more = None
    if count > t.candidates:
        more = docs, scores
        docs, scores = np.ascontiguousarray(docs[:, : t.candidates]), np.ascontiguousarray(scores[:, : t.candidates])
    if not keep:
        postings_t = None
    rm.give_back_memory()  # the product's blocks

    names = tuple(sorted({a.section for a in articles if a.section}))
    number = {s: i for i, s in enumerate(names)}
    own = np.array([number.get(a.section, -1) for a in articles], dtype=np.int32)
    profiles = _profiles(np.arange(len(articles)), own, docs, scores, len(names), t)
    slugs = tuple(a.slug for a in articles)
    columns = vec.columns
    return Index(
        slugs=slugs,
        titles=tuple(a.title for a in articles),
        times=np.array([_timestamp(a) for a in articles], dtype=np.float64),
        vectors=x,
        postings=postings,
        neighbours=docs,
        scores=scores,
        section_names=names,
        sections=own,
        profiles=profiles,
        vocabulary=columns,
        weights=w,
        common=vec.common,
        entities=_all_rare_entities(articles, vec.terms, w.df, t.event_entity_df),
        position={s: i for i, s in enumerate(slugs)},
        tuning=t,
    ), vec, postings_t, more


def _all_rare_entities(
    articles: Sequence[Article], terms: Sequence[str], df: np.ndarray, limit: int,
) -> tuple[frozenset[str], ...]:
    """:func:`_rare_entities` of every article, for the sorted ``terms`` (the ``e:`` terms are one
    run of them), each entity name as written keyed once."""
    if not any(a.entities for a in articles):
        return (frozenset(),) * len(articles)
    lo, hi = bisect.bisect_left(terms, "e:"), bisect.bisect_left(terms, "e;")
    counts = df[lo:hi]
    rare = {terms[c] for c in (lo + np.flatnonzero((counts >= 2) & (counts <= limit))).tolist()}
    found: dict[str, str | None] = {}  # entity name as written -> its term when rare, else None
    out = []
    for a in articles:
        if not a.entities:
            out.append(frozenset())
            continue
        names = [e.name for e in a.entities]
        for name in names:
            if name not in found:
                term = "e:" + rm.key(name)
                found[name] = term if term in rare else None
        # a set filled in the entities' order, as :func:`_rare_entities` fills it
        out.append(frozenset(set(filter(None, map(found.__getitem__, names)))))
    return tuple(out)


def _query_terms(n: int, tuning: Tuning) -> int:
    """Heaviest terms of a row used to score the others in a corpus of ``n`` articles (0: all)."""
    return tuning.query_terms if n >= tuning.query_from else 0


def _profiles(
    rows: np.ndarray, own: np.ndarray, docs: np.ndarray, scores: np.ndarray, names: int, tuning: Tuning,
    into: np.ndarray | None = None,
) -> np.ndarray | None:
    """Section profiles of ``rows``: own section mixed with the neighbours' (step 3).

    With ``into`` given, those rows of a copy of it are replaced; otherwise a new array is made
    (``rows`` are then all documents)."""
    if not names or tuning.section <= 0:
        return None
    m = tuning.section_neighbours
    nb = docs[rows, :m]
    ws = np.maximum(scores[rows, :m].astype(np.float64), 0.0)
    sec = np.where(nb >= 0, own[np.maximum(nb, 0)], -1)
    ws = np.where(sec >= 0, ws, 0.0)
    shares = np.zeros((len(rows), names))
    r = np.repeat(np.arange(len(rows)), nb.shape[1]).reshape(nb.shape)
    np.add.at(shares, (r[sec >= 0], sec[sec >= 0]), ws[sec >= 0])
    total = shares.sum(axis=1)
    mine = own[rows]
    has_nb = total > 0
    shares[has_nb] /= total[has_nb, None]
    has_own = mine >= 0
    mix = np.where(has_nb & has_own, tuning.section_mix, np.where(has_nb, 1.0, 0.0))
    shares *= mix[:, None]
    shares[np.nonzero(has_own)[0], mine[has_own]] += 1.0 - mix[has_own]
    out = np.zeros((len(own), names)) if into is None else into.copy()
    if into is not None and len(out) < len(own):
        out = np.vstack([out, np.zeros((len(own) - len(out), names))])
    out[rows] = shares  # all zeros: nothing known (agreement is then 1)
    return out


def _adjusted(index: Index, doc: np.ndarray | int, others: np.ndarray, cos: np.ndarray) -> np.ndarray:
    """Scores of ``others`` for ``doc``: cosine × section agreement × recency, rounded (steps 3, 5).

    ``doc`` is one document with ``others``/``cos`` 1-d, or a column of documents (``doc[:, None]``)
    with 2-d ``others``/``cos`` of the same number of rows (entries of ``others`` below 0 are ignored)."""
    t = index.tuning
    score = np.minimum(cos.astype(np.float64), 1.0)
    if not score.size:
        return score
    safe = np.maximum(others, 0)
    prof = index.profiles
    if prof is not None:
        pa = prof[doc]
        pb = prof[safe]
        if pa.ndim == 1:
            pa = pa[None, :]
        else:
            pa = pa.reshape(pb.shape[0], 1, -1) if pb.ndim == 3 else pa
        dot = (pb * pa).sum(axis=-1)
        known = (pa.sum(axis=-1) > 0) & (pb.sum(axis=-1) > 0)
        agree = (1.0 + t.section * dot) / (1.0 + t.section)
        score = score * np.where(known, agree, 1.0)
    if t.recency > 0:
        ta, tb = index.times[doc], index.times[safe]
        if np.ndim(ta) == 1 and tb.ndim == 2:
            ta = ta[:, None]
        unknown = np.isinf(ta) | np.isinf(tb)
        with np.errstate(invalid="ignore"):
            days = np.where(unknown, 0.0, np.abs(np.where(unknown, 0.0, ta - tb)) / 86400.0)
        rec = 1.0 - t.recency * np.where(unknown, 0.5, np.minimum(1.0, days / t.recency_days))
        score = score * rec
    return np.round(score, 4)


def _rank(
    doc: int,
    others: np.ndarray,
    cos: np.ndarray,
    index: Index,
    k: int,
    min_score: float,
    group_of: Sequence[int] | None = None,
    skip: frozenset[int] = frozenset(),
    adjusted: np.ndarray | None = None,
) -> tuple[list[tuple[int, float]], bool]:
    """Best ``k`` (document, score) pairs for ``doc`` among ``others`` (with their cosines).

    Members of ``doc``'s own group and of the groups in ``skip`` are left out; another group is
    listed once, as its canonical member, with its members' best score. ``adjusted`` holds the
    scores of ``others`` when already computed. Returns the list and whether a document outside
    ``others`` could still enter it (its cosine, at most the last of ``cos``, could beat the
    ``k``-th score): the caller then retries with every candidate.
    """
    scores = _adjusted(index, doc, others, cos) if adjusted is None else adjusted
    floor = max(min_score, 1e-9)
    own = group_of[doc] if group_of is not None else doc
    best: dict[int, float] = {}
    for other, score in zip(others.tolist(), scores.tolist()):
        if score < floor or other < 0 or other == doc:
            continue
        target = group_of[other] if group_of is not None else other
        if target == own or target in skip:
            continue
        if score > best.get(target, -1.0):
            best[target] = score
    chosen = _top(best, index, k)
    last = float(cos[-1]) * float(_best_agreement(index, np.array([doc]))[0]) if len(cos) and others[-1] >= 0 else 0.0
    incomplete = last >= floor and (len(chosen) < k or chosen[-1][1] < last)
    return chosen, incomplete


def _best_agreement(index: Index, rows: np.ndarray) -> np.ndarray:
    """The largest section agreement ``rows`` can have with any document (1 without profiles): a
    profile is a distribution, so ``A ≤ max(profile of the row)``."""
    prof = index.profiles
    if prof is None:
        return np.ones(len(rows))
    p = prof[rows]
    g = index.tuning.section
    return np.where(p.sum(axis=1) > 0, (1.0 + g * p.max(axis=1, initial=0.0)) / (1.0 + g), 1.0)


def _top(best: Mapping[int, float], index: Index, k: int) -> list[tuple[int, float]]:
    times, slugs = index.times, index.slugs
    return sorted(best.items(), key=lambda p: (-p[1], -times[p[0]], slugs[p[0]]))[:k]


def _links(index: Index, chosen: Sequence[tuple[int, float]]) -> tuple[Related, ...]:
    return tuple(Related(slug=index.slugs[i], title=index.titles[i], score=s) for i, s in chosen)


def _all_candidates(index: Index, doc: int) -> tuple[np.ndarray, np.ndarray]:
    """Every document scoring above 0 for ``doc``, best first (the fallback of a short list)."""
    x = rm.Csr.of(index.vectors).rows(np.array([doc]))
    if _query_terms(len(index), index.tuning):
        x = rm.Csr.of(rm.cap_terms(x.tosp(), _query_terms(len(index), index.tuning)))
    # ``postings @ dense row``: each document's products in its column order, added in float32
    row = rm.row_products(index.postings, None, x, np.array([0]))[:, 0]
    row[doc] = 0.0
    found = np.nonzero(row > 0)[0]
    order = np.lexsort((found, -row[found]))
    return found[order].astype(np.int32), row[found][order].astype(np.float32)


def _ranked(
    index: Index, doc: int, k: int, min_score: float,
    group_of: Sequence[int] | None = None, skip: frozenset[int] = frozenset(),
    adjusted: np.ndarray | None = None,
) -> list[tuple[int, float]]:
    others, cos = index.neighbours[doc], index.scores[doc]
    chosen, incomplete = _rank(doc, others, cos, index, k, min_score, group_of, skip, adjusted)
    if incomplete:  # the list was full: someone further down may enter
        others, cos = _all_candidates(index, doc)
        chosen, _ = _rank(doc, others, cos, index, k, min_score, group_of, skip)
    return chosen


def related(article: Article | str, index: Index, k: int, min_score: float = 0.0) -> tuple[Related, ...]:
    """The ``k`` articles of ``index`` most related to ``article`` (an indexed article or its slug).

    Never the article itself; scores in 0..1, at least ``min_score``, sorted by
    ``(-score, -date, slug)``. Same-story groups and named headlines are not known here: use
    :func:`relate` for lists that leave out an article's duplicates.
    """
    slug = article if isinstance(article, str) else article.slug
    return _links(index, _ranked(index, index.position[slug], k, min_score))


# -- headlines named in the text -----------------------------------------------------------------


def _title_words(text: str, memo: dict[str, str]) -> frozenset[str]:
    stop = stopwords()
    out = set()
    for w in words(text):
        s = memo.get(w)
        if s is None:
            s = memo[w] = "" if w in stop else stem(w)
        if s:
            out.add(s)
    return frozenset(out)


def named_headlines(articles: Sequence[Article], tuning: Tuning = DEFAULT_TUNING) -> dict[int, list[int]]:
    """Articles whose title is named in another article's removed headline lines.

    For document ``i``, the documents whose title matches one of ``i``'s removed lines with a
    reason mentioning "headline" (in the order of those lines, each once, never ``i`` itself).
    Titles match when their stemmed content words (case, punctuation and stop words aside) overlap
    by at least :attr:`Tuning.headline_overlap` of the longer one; the best match wins, ties to the
    earlier document. Candidates come from a word → titles index, never all pairs.
    """
    if not any(r for a in articles for r in a.removed if "headline" in r.reason):
        return {}
    memo: dict[str, str] = {}
    titles = [_title_words(a.title, memo) for a in articles]
    by_word: dict[str, list[int]] = {}
    for j, t in enumerate(titles):
        for w in t:
            by_word.setdefault(w, []).append(j)
    out: dict[int, list[int]] = {}
    need = tuning.headline_overlap
    for i, a in enumerate(articles):
        found: list[int] = []
        for r in a.removed:
            if "headline" not in r.reason:
                continue
            line = _title_words(r.text, memo)
            if len(line) < tuning.headline_min_words:
                continue
            # a match shares at least need·|line| words: any (1 - need)·|line| + 1 of them finds it
            present = sorted((w for w in line if w in by_word), key=lambda w: (len(by_word[w]), w))
            probe = present[: int((1.0 - need) * len(line)) + 1]
            seen = {j for w in probe for j in by_word[w]}
            best, best_sim = -1, 0.0
            for j in sorted(seen):
                if j == i or len(titles[j]) < tuning.headline_min_words:
                    continue
                sim = len(line & titles[j]) / max(len(line), len(titles[j]))
                if sim >= need and sim > best_sim:
                    best, best_sim = j, sim
            if best >= 0 and best not in found:
                found.append(best)
        if found:
            out[i] = found
    return out


# -- same story ----------------------------------------------------------------------------------


def _candidate_pairs(index: Index, lowest: float) -> list[tuple[int, int, float]]:
    """(i, j, score) with i < j, from every neighbour list, scoring at least ``lowest``; a pair
    listed both ways keeps its higher score. Sorted by i, then by score (best first), then j."""
    docs, scores = index.neighbours, index.scores
    rows, cols = np.nonzero((scores >= lowest) & (docs >= 0))
    return _pairs_of(rows.astype(np.int64), docs[rows, cols].astype(np.int64), scores[rows, cols].astype(np.float64))


def _pairs_of(
    a: np.ndarray, b: np.ndarray, s: np.ndarray, dirty: np.ndarray | None = None,
) -> list[tuple[int, int, float]]:
    """The pairs (i, j, score), i < j, of the links ``a`` → ``b`` scoring ``s`` (only those with a
    row in ``dirty``, a mask, when given): a pair listed both ways keeps its higher score.
    Sorted by i, then by score (best first), then j."""
    i, j = np.minimum(a, b), np.maximum(a, b)
    keep = i != j
    if dirty is not None:
        keep &= dirty[i] | dirty[j]
    i, j, s = i[keep], j[keep], s[keep]
    # a pair listed both ways keeps its higher score: the first of each pair by (i, j, -score)
    first = np.lexsort((-s, j, i))
    i, j, s = i[first], j[first], s[first]
    new = np.ones(len(i), dtype=bool)
    new[1:] = (i[1:] != i[:-1]) | (j[1:] != j[:-1])
    i, j, s = i[new], j[new], s[new]
    order = np.lexsort((j, -s, i))
    return list(zip(i[order].tolist(), j[order].tolist(), s[order].tolist()))


def _end_keys(article: Article, tuning: Tuning) -> tuple[int, int, int]:
    """The hashes of the first and of the last :attr:`Tuning.dup_words` words of the article's
    text (0 when it is shorter than twice that), and its number of words."""
    return rm.end_keys(rm.doc_text(article), tuning.dup_words)


def _ends_of(articles: Sequence[Article], tuning: Tuning) -> np.ndarray:
    """:func:`_end_keys` of every article (an n × 3 int64 array)."""
    out = np.zeros((len(articles), 3), dtype=np.int64)
    for i, a in enumerate(articles):
        out[i] = _end_keys(a, tuning)
    return out


def _same_end_pairs(ends: np.ndarray, tuning: Tuning) -> np.ndarray:
    """Pairs of articles whose text opens or ends with the same :attr:`Tuning.dup_words` words,
    as the rows (i < j, sorted) of a k × 2 int64 array: each bucket's members paired with its
    first and with the previous one (``ends`` from :func:`_ends_of`), to be checked for
    near-duplicate text whatever their score, so that a copy is found even where capped
    postings lowered the score of a pair."""
    none = np.zeros((0, 2), dtype=np.int64)
    if tuning.dup_words <= 0 or not len(ends):
        return none
    size = ends[:, 2].astype(np.float64)
    found_i, found_j = [], []
    for col in (0, 1):
        docs = np.flatnonzero(ends[:, col] != 0)
        if len(docs) < 2:
            continue
        keys = ends[docs, col]
        order = np.lexsort((docs, keys))  # by key, then document: each bucket in document order
        docs, keys = docs[order], keys[order]
        first = np.searchsorted(keys, keys, side="left")  # the first member of each one's bucket
        later = np.flatnonzero(np.arange(len(docs)) > first)
        for other in (docs[first[later]], docs[later - 1]):
            found_i.append(other)
            found_j.append(docs[later])
    if not found_i:
        return none
    i, j = np.concatenate(found_i), np.concatenate(found_j)
    # shingle Jaccard is at most the ratio of the lengths: skip pairs that cannot pass
    ok = np.minimum(size[i], size[j]) >= tuning.dup_jaccard * np.maximum(size[i], size[j])
    return np.unique(np.stack([i[ok], j[ok]], axis=1), axis=0).astype(np.int64) if ok.any() else none


def _pair_cosines(x: sp.csr_matrix, i: np.ndarray, j: np.ndarray, step: int = 2048) -> np.ndarray:
    """``x[i[k]] · x[j[k]]`` for every ``k`` (rows multiplied entry by entry, ``step`` pairs at once):
    with scipy when it is loaded, else with numpy (:func:`digest.relate_matrix.pair_dots`, the
    same numbers), so that an edit in a new process needs no scipy."""
    if not rm.scipy_loaded():
        return rm.pair_dots(x, i, j)
    x = x.tosp() if isinstance(x, rm.Csr) else x
    out = np.zeros(len(i), dtype=np.float64)
    for a in range(0, len(i), step):
        prod = x[i[a : a + step]].multiply(x[j[a : a + step]])
        out[a : a + step] = np.asarray(prod.sum(axis=1), dtype=np.float64).ravel()
    return out


def _close_ends(index: Index, ends: np.ndarray, tuning: Tuning) -> list[tuple[int, int, float]]:
    """:func:`_same_end_pairs` whose full cosine is at least :attr:`Tuning.dup_ends_cosine`."""
    ij = _same_end_pairs(ends, tuning)
    if len(ij) and tuning.dup_ends_cosine > 0:
        ij = ij[_pair_cosines(index.vectors, ij[:, 0], ij[:, 1]) >= tuning.dup_ends_cosine]
        rm.give_back_memory()  # the rows multiplied
    return [(a, b, 2.0) for a, b in ij.tolist()]


def find_groups(articles: Sequence[Article], index: Index) -> list[int]:
    """Same-story groups: for each document, the number of its group's canonical document.

    Candidate pairs come from the neighbour lists, and from texts that open or end alike
    (:func:`_same_end_pairs`). A pair is the same story when its body
    shingles have Jaccard ≥ ``dup_jaccard``, or when it is the same event (score ≥
    ``event_cosine``, ≥ ``event_entities`` shared rare entities, ≤ ``event_days`` apart). The
    canonical document of a group is the earliest by ``(date, slug)``. Groups are connected
    components, so the order in which pairs are checked does not matter.
    """
    return _groups(articles, index, _ends_of(articles, index.tuning), None, {})


class _CopyCheck:
    """Near-copy verdicts: enough shingles, and word shingle Jaccard ≥ :attr:`Tuning.dup_jaccard`.

    ``plan`` is the sequence of pairs (rows of an array) that may be asked, in that order: pair
    ``at`` is asked as ``check(i, j, at)`` or skipped, and :meth:`passed` is called for every
    ``at`` in turn. With ``texts`` (every article's shingles, from the words the counting pass
    hashed), a document's shingles are read from it. Otherwise they are made when first needed,
    together with those of the next documents the plan needs (:data:`_SHINGLE_BATCH` texts at
    once, see :func:`digest.relate_matrix.shingle_batch`), and dropped after the document's last
    pair."""

    def __init__(self, articles: Sequence[Article], tuning: Tuning, plan: np.ndarray,
                 texts: rm.TextShingles | None = None):
        self.articles, self.t = articles, tuning
        self.texts = texts
        self.memo = rm.WordHashes()
        self.shingles: dict[int, np.ndarray] = {}
        self.flat = np.asarray(plan, dtype=np.int64).reshape(-1)
        self.ahead = 0  # documents of the plan before this position were fetched (or are past)
        done: dict[int, list[int]] = {}  # pair -> the documents it is the last pair of
        if texts is None:
            last: dict[int, int] = {}
            for k, d in enumerate(self.flat.tolist()):
                last[d] = k >> 1
            for d, k in last.items():
                done.setdefault(k, []).append(d)
        self.done = done

    def _of(self, i: int, at: int) -> np.ndarray:
        if self.texts is not None:
            return self.texts.of(i)
        s = self.shingles.get(i)
        if s is None:
            docs = [i]
            seen = {i}
            p = max(self.ahead, 2 * at)
            flat = self.flat
            while len(docs) < _SHINGLE_BATCH and p < len(flat):
                d = int(flat[p])
                p += 1
                if d not in seen and d not in self.shingles:
                    seen.add(d)
                    docs.append(d)
            self.ahead = p
            texts = [rm.doc_text(self.articles[d]) for d in docs]
            for d, sh in zip(docs, rm.shingle_batch(texts, self.t.shingle, self.memo)):
                self.shingles[d] = sh
            s = self.shingles[i]
        return s

    def __call__(self, i: int, j: int, at: int) -> bool:
        t = self.t
        a, b = self._of(i, at), self._of(j, at)
        small, large = sorted((len(a), len(b)))
        # cheap bound first: Jaccard ≤ min/max of the sizes
        return small >= t.min_shingles and small >= t.dup_jaccard * large and rm.jaccard(a, b) >= t.dup_jaccard

    def passed(self, at: int) -> None:
        """Pair ``at`` of the plan is done: drop the shingles of documents it was the last pair of."""
        for d in self.done.get(at, ()):
            self.shingles.pop(d, None)


_SHINGLE_BATCH = 64
"""Texts shingled at once (memory only: a MB or two; verdicts do not depend on it). A batch is
tokenised in one call: 64 instead of 16 took a tenth off the same-story checks at 10,000
articles."""


def _near_copies(
    articles: Sequence[Article], pairs: np.ndarray, tuning: Tuning
) -> np.ndarray:
    """For each pair (a row of ``pairs``), whether the two bodies are near copies (see
    :class:`_CopyCheck`)."""
    out = np.zeros(len(pairs), dtype=bool)
    if not len(pairs):
        return out
    check = _CopyCheck(articles, tuning, pairs)
    for at, (i, j) in enumerate(pairs.tolist()):
        out[at] = check(i, j, at)
        check.passed(at)
    del check
    rm.give_back_memory()  # the shingles
    return out


def _groups(
    articles: Sequence[Article], index: Index, ends: np.ndarray, prints: Sequence[bytes] | None,
    verdicts: dict[bytes, bool], used: dict[bytes, bool] | None = None, workers: int = 1,
    texts: rm.TextShingles | None = None,
) -> list[int]:
    """:func:`find_groups`, with near-copy verdicts looked up in ``verdicts`` (keyed by the two
    articles' fingerprints, when ``prints`` is given: a verdict depends on the two texts only)
    and every verdict this run needed recorded in ``used``. The verdicts not known yet are made
    first, for all pairs at once (shared among ``workers`` processes: a verdict depends on the
    two texts only), then the pairs are joined in order. ``texts``: every article's shingles,
    when made already (see :class:`_CopyCheck`)."""
    t = index.tuning
    n = len(articles)
    parent = list(range(n))
    pairs = _candidate_pairs(index, min(t.dup_candidate, t.event_cosine)) + _close_ends(index, ends, t)
    _join(articles, index, pairs, parent, prints, verdicts, used, workers, texts)
    return _canonical_of(index, _roots(parent).tolist(), range(n), list(range(n)))


def _roots(parent: Sequence[int]) -> np.ndarray:
    """The root of every node of the union-find forest ``parent`` (pointers doubled, all at once)."""
    roots = np.asarray(parent, dtype=np.int64)
    while True:
        up = roots[roots]
        if np.array_equal(up, roots):
            return roots
        roots = up


def _root(parent: list[int], x: int) -> int:
    """The root of ``x`` in the union-find forest ``parent`` (paths halved on the way)."""
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def _join(
    articles: Sequence[Article], index: Index, pairs: Sequence[tuple[int, int, float]], parent: list[int],
    prints: Sequence[bytes] | None, verdicts: dict[bytes, bool], used: dict[bytes, bool] | None, workers: int = 1,
    texts: rm.TextShingles | None = None,
) -> None:
    """Join the same-story ``pairs`` (see :func:`_groups`) in the union-find forest ``parent``
    (changed in place). Which pairs are joined does not depend on the order
    nor on what ``parent`` already joins: only the verdicts asked for do."""
    t = index.tuning

    def find(x: int) -> int:
        return _root(parent, x)

    # near-copy verdicts: known ones from ``verdicts``, the others computed now
    known: dict[tuple[int, int], bool] = {}
    todo: set[tuple[int, int]] = set()
    plan: list[tuple[int, int]] = []  # pairs whose verdict may be asked, in join order
    in_plan = [-1] * len(pairs)
    for p, (i, j, cos) in enumerate(pairs):
        if cos >= 2.0 or cos >= t.dup_candidate:
            if prints is not None:
                found = verdicts.get(prints[i] + prints[j])
                if found is not None:
                    known[i, j] = found
                    continue
            todo.add((i, j))
            in_plan[p] = len(plan)
            plan.append((i, j))
    if todo and workers > 1:
        order = np.asarray(sorted(todo), dtype=np.int64).reshape(-1, 2)
        shares = [(articles, order[a:b], t) for a, b in rm.shares_of(len(order), workers)]
        found_all = np.concatenate(rm.run_shares(_near_copies, shares, workers))
        known.update(zip(map(tuple, order.tolist()), found_all.tolist()))
        del order, found_all
    # In one process a verdict is made only when the join below asks for it: the pairs of
    # articles already joined are never checked (and an incremental run, whose state keeps
    # only the verdicts asked for, does not check them all again).
    if todo and workers > 1:
        plan = []  # every verdict is known: nothing to shingle here
    check = _CopyCheck(articles, t, np.asarray(plan, dtype=np.int64).reshape(-1, 2), texts)
    del todo, plan
    at = -1  # the pair being joined, as a position in the plan

    def near_copy(i: int, j: int) -> bool:
        same = known.get((i, j))
        if same is None:
            same = known[i, j] = check(i, j, at)
        if prints is not None:
            key = prints[i] + prints[j]
            verdicts[key] = same
            if used is not None:
                used[key] = same
        return same

    times = index.times.tolist()
    for p, (i, j, cos) in enumerate(pairs):
        if at >= 0:
            check.passed(at)
        at = in_plan[p]
        if find(i) == find(j):
            continue
        if cos >= 2.0:  # texts that open or end alike: the shingle check only
            same = near_copy(i, j)
        else:
            same = cos >= t.dup_candidate and near_copy(i, j)
        if not same and t.event_cosine <= cos < 2.0:
            shared = len(index.entities[i] & index.entities[j])
            ti, tj = times[i], times[j]  # -inf when unknown: never close
            close = math.isfinite(ti) and math.isfinite(tj) and abs(ti - tj) <= t.event_days * 86400.0
            same = shared >= t.event_entities and close
        if same:
            log.debug("same story: %s and %s (score %.3f)", index.slugs[i], index.slugs[j], cos)
            parent[find(j)] = find(i)


def _canonical_of(index: Index, roots: Sequence[int], rows: Sequence[int], canonical: list[int]) -> list[int]:
    """``canonical`` with each of ``rows`` set to the canonical member (earliest by ``(date,
    slug)``) of its group among ``rows`` (``roots[k]``: the union-find root of the k-th row)."""
    members: dict[int, list[int]] = {}
    for i, root in zip(rows, roots):
        members.setdefault(root, []).append(i)
    times, slugs = index.times, index.slugs
    for group in members.values():
        if len(group) > 1:
            first = min(group, key=lambda i: (times[i], slugs[i]))
            for i in group:
                canonical[i] = first
        else:
            canonical[group[0]] = group[0]
    return canonical


def _regroup(
    articles: Sequence[Article], index: Index, ends: np.ndarray, prints: Sequence[bytes],
    verdicts: dict[bytes, bool], start: np.ndarray, dirty: np.ndarray,
) -> np.ndarray:
    """:func:`_groups` from an earlier run's groups (new verdicts are added to ``verdicts``). ``dirty`` marks the rows whose same-story
    pairs may have changed (and every member of their earlier groups); ``start[i]`` is the
    canonical row of a clean row's group (a group with no dirty member is the same group, with
    the same canonical member). Only the pairs with a dirty row are joined again, from the
    clean groups: the pairs between two clean rows are the ones that made those groups.

    Same-story groups are the connected components of the pairs found the same, and whether a
    pair is a candidate and found the same depends on its two rows only (their neighbour lists,
    vectors, texts, entities, dates), except for texts that open or end alike, which are paired
    within their bucket (a row that joins or leaves a bucket makes all of it dirty)."""
    t = index.tuning
    lowest = min(t.dup_candidate, t.event_cosine)
    pairs = _pairs_touching(index, lowest, dirty) + _close_ends_touching(index, ends, t, dirty)
    parent = start.tolist()
    _join(articles, index, pairs, parent, prints, verdicts, None)
    n = len(parent)
    roots = _roots(parent)
    rows = np.flatnonzero(_among(roots, roots[dirty], n))  # the groups with a dirty row
    canonical = start.copy()
    _canonical_of(index, roots[rows].tolist(), rows.tolist(), canonical)  # type: ignore[arg-type]
    return canonical


def _pairs_touching(index: Index, lowest: float, dirty: np.ndarray) -> list[tuple[int, int, float]]:
    """The pairs of :func:`_candidate_pairs` with a row in ``dirty`` (a mask), in its order."""
    docs, scores = index.neighbours, index.scores
    hit = (scores >= lowest) & (docs >= 0)
    rows = np.flatnonzero(dirty | (hit & dirty[np.maximum(docs, 0)]).any(axis=1))
    r, c = np.nonzero(hit[rows])
    return _pairs_of(rows[r].astype(np.int64), docs[rows[r], c].astype(np.int64), scores[rows[r], c].astype(np.float64), dirty)


def _close_ends_touching(index: Index, ends: np.ndarray, t: Tuning, dirty: np.ndarray) -> list[tuple[int, int, float]]:
    """The pairs of :func:`_close_ends` with a row in ``dirty`` (a mask): the buckets of the dirty
    rows are paired as :func:`_same_end_pairs` pairs them (a bucket's pairs depend on its members only)."""
    if t.dup_words <= 0 or not len(ends):
        return []
    size = ends[:, 2].astype(np.float64)
    found_i, found_j = [], []
    for col in (0, 1):
        keys = np.unique(ends[dirty & (ends[:, col] != 0), col])
        if not len(keys):
            continue
        docs = np.flatnonzero(np.isin(ends[:, col], keys))
        if len(docs) < 2:
            continue
        keys = ends[docs, col]
        order = np.lexsort((docs, keys))
        docs, keys = docs[order], keys[order]
        first = np.searchsorted(keys, keys, side="left")
        later = np.flatnonzero(np.arange(len(docs)) > first)
        for other in (docs[first[later]], docs[later - 1]):
            found_i.append(other)
            found_j.append(docs[later])
    if not found_i:
        return []
    i, j = np.concatenate(found_i), np.concatenate(found_j)
    ok = (np.minimum(size[i], size[j]) >= t.dup_jaccard * np.maximum(size[i], size[j])) & (dirty[i] | dirty[j])
    if not ok.any():
        return []
    pairs = np.unique(np.stack([i[ok], j[ok]], axis=1), axis=0)
    if t.dup_ends_cosine > 0:
        pairs = pairs[_pair_cosines(index.vectors, pairs[:, 0], pairs[:, 1]) >= t.dup_ends_cosine]
    return [(a, b, 2.0) for a, b in pairs.tolist()]


def _tie_rank(index: Index) -> np.ndarray:
    """Each document's position by ``(-date, slug)``: the tie order of :func:`_top`."""
    n = len(index)
    rank = np.empty(n, dtype=np.int64)
    if n and not any("\x00" in s for s in index.slugs):  # numpy strings end at a NUL
        # code point order, as Python compares strings; -inf (no date) sorts last
        rank[np.lexsort((np.array(index.slugs, dtype=str), -np.asarray(index.times)))] = np.arange(n)
    else:
        rank[sorted(range(n), key=lambda i: (-index.times[i], index.slugs[i]))] = np.arange(n)
    return rank


def _tie_rank_after(
    rank0: np.ndarray | None, index: Index, src: np.ndarray, new_of_old: np.ndarray, fresh: np.ndarray,
) -> np.ndarray:
    """:func:`_tie_rank` of ``index`` from ``rank0``, the one of the run before (``src``: each row's
    old row when its article is unchanged, else -1; ``new_of_old``: each old row's new row or -1):
    the unchanged rows keep their order (their dates and slugs are the same), and the ``fresh``
    rows are put in their places by ``(-date, slug)``. Made again from scratch without ``rank0``."""
    n = len(index)
    if not isinstance(rank0, np.ndarray) or rank0.shape != new_of_old.shape:
        return _tie_rank(index)
    order0 = np.empty(len(rank0), dtype=np.int64)
    order0[rank0] = np.arange(len(rank0))  # old rows in tie order
    new = new_of_old[order0]
    seq = new[(new >= 0) & (src[np.maximum(new, 0)] == order0)]  # the unchanged rows, in tie order
    if len(seq) + len(fresh) != n:
        return _tie_rank(index)
    if len(fresh):
        times, slugs = index.times, index.slugs

        def key(i: int) -> tuple[float, str]:
            return (-float(times[i]), slugs[i])

        ins = sorted(np.asarray(fresh, dtype=np.int64).tolist(), key=key)
        kept = seq.tolist()
        at = [bisect.bisect_left(kept, key(i), key=key) for i in ins]
        seq = np.insert(seq, at, ins)
    rank = np.empty(n, dtype=np.int64)
    rank[seq] = np.arange(n)
    return rank


def _plain_lists(
    index: Index, canonical: Sequence[int], k: int, min_score: float,
    rows: np.ndarray | None = None, docs: np.ndarray | None = None, cos: np.ndarray | None = None,
    rank: np.ndarray | None = None,
) -> dict[int, list[tuple[int, float]]]:
    """The lists of :func:`_ranked` for every document (or each of ``rows``, with their candidate
    lists ``docs``/``cos`` when given instead of the index's neighbours) whose list is known to be
    complete from its candidates, computed for all of them at once (the others are left out).

    A row's result depends on that row's candidates only, never on the other rows."""
    out: dict[int, list[tuple[int, float]]] = {}
    for sel, t_sorted, s_sorted, ok, done in _plain_blocks(index, canonical, k, min_score, rows, docs, cos, rank):
        for r in np.flatnonzero(done).tolist():
            keep = np.flatnonzero(ok[r])[:k]
            out[int(sel[r])] = list(zip(t_sorted[r, keep].tolist(), s_sorted[r, keep].tolist()))
    return out


def _plain_put(
    index: Index, canonical: Sequence[int], k: int, min_score: float, rows: np.ndarray, rank: np.ndarray,
    chosen: np.ndarray, chosen_scores: np.ndarray,
) -> np.ndarray:
    """:func:`_plain_lists` of ``rows`` (with the index's neighbours) written into the rows of
    ``chosen``/``chosen_scores`` (as :func:`_put_lists` writes them), with no Python object per
    link. Returns the rows done (the others, whose list is not known to be complete, are left
    as they were)."""
    done_rows = []
    for sel, t_sorted, s_sorted, ok, done in _plain_blocks(index, canonical, k, min_score, rows, None, None, rank):
        r = sel[done]
        ok = ok[done]
        place = np.cumsum(ok, axis=1) - 1  # each listed entry's place in the list
        ok &= place < k
        chosen[r] = -1
        chosen_scores[r] = 0.0
        at_r, at_c = np.nonzero(ok)
        chosen[r[at_r], place[at_r, at_c]] = t_sorted[done][at_r, at_c]
        chosen_scores[r[at_r], place[at_r, at_c]] = s_sorted[done][at_r, at_c]
        done_rows.append(r)
    return np.concatenate(done_rows) if done_rows else np.zeros(0, dtype=np.int64)


def _plain_blocks(
    index: Index, canonical: Sequence[int], k: int, min_score: float,
    rows: np.ndarray | None, docs: np.ndarray | None, cos: np.ndarray | None, rank: np.ndarray | None,
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """The work of :func:`_plain_lists`, a block of rows at a time: the rows, their candidates'
    targets and scores sorted best first, which of them are listed (in that order: a row's
    list is its first ``k``), and which rows are known to be complete."""
    n = len(index)
    if n == 0 or k <= 0:
        return
    if rows is None:
        rows = np.arange(n)
    rows = np.asarray(rows, dtype=np.int64)
    if not len(rows):
        return
    if docs is None or cos is None:
        docs, cos = index.neighbours, index.scores
        gather = True
    else:
        gather = False
    canon = np.asarray(canonical, dtype=np.int64)
    floor = max(min_score, 1e-9)
    if rank is None:
        rank = _tie_rank(index)
    width = docs.shape[1]
    if width == 0:
        empty = np.zeros((len(rows), 0))
        yield rows, empty.astype(np.int64), empty, empty.astype(bool), np.ones(len(rows), dtype=bool)
        return
    never = -1 - np.arange(width)[None, :]  # keys of entries that are not listed: match nothing
    step = max(1, 32_768 // width)  # rows per step: a few MB of gathered profiles
    for b0 in range(0, len(rows), step):
        sel = rows[b0 : b0 + step]
        d = docs[sel] if gather else docs[b0 : b0 + step]
        c = cos[sel] if gather else cos[b0 : b0 + step]
        safe = np.maximum(d, 0)
        target = canon[safe]  # another group is listed as its canonical article
        adj = _adjusted(index, sel, d, c)
        ok = (d >= 0) & (adj >= floor) & (target != canon[sel][:, None])
        order = np.lexsort((rank[target], -np.where(ok, adj, -1.0)), axis=-1)
        t_sorted = np.take_along_axis(target, order, axis=1)
        s_sorted = np.take_along_axis(adj, order, axis=1)
        ok = np.take_along_axis(ok, order, axis=1)
        # a target already listed higher up (with a better or equal score) is not listed again:
        # a stable sort by target keeps the score order inside each target
        keyed = np.where(ok, t_sorted, never)
        by_target = np.argsort(keyed, axis=1, kind="stable")
        ks = np.take_along_axis(keyed, by_target, axis=1)
        again = np.zeros(ok.shape, dtype=bool)
        again[:, 1:] = ks[:, 1:] == ks[:, :-1]
        seen = np.zeros(ok.shape, dtype=bool)
        np.put_along_axis(seen, by_target, again, axis=1)
        ok &= ~seen
        found = ok.sum(axis=1)
        pos = np.cumsum(ok, axis=1)
        kth_at = np.argmax(pos >= k, axis=1)
        kth = np.where(found >= k, s_sorted[np.arange(len(sel)), kth_at], -1.0)
        last = np.where(d[:, -1] >= 0, c[:, -1].astype(np.float64), 0.0) * _best_agreement(index, sel)
        incomplete = (last >= floor) & ((found < k) | (kth < last))
        yield sel, t_sorted, s_sorted, ok, ~incomplete


def _wide_lists(
    index: Index, canonical: Sequence[int], k: int, min_score: float, rows: Sequence[int],
    rank: np.ndarray | None = None, postings_t: sp.csr_matrix | None = None,
    wider: tuple[np.ndarray, ...] | None = None, first: list | None = None,
) -> dict[int, list[tuple[int, float]]]:
    """:func:`_plain_lists` of ``rows`` whose neighbour list was too short (e.g. filled with the
    row's own same-story copies, which are never listed): their candidates are taken again, four
    times as many each round, until every list is proven complete (at worst every document
    sharing a term). A row's result depends on that row only. ``wider``: the candidates of the
    first round, when known: every document's, ``(docs, scores)`` (see :func:`_index`), or some
    documents', ``(docs, scores, documents)`` (sorted). ``first``: a list that the first round's
    candidates are added to, as ``(docs, scores, rows)``."""
    out: dict[int, list[tuple[int, float]]] = {}
    rest = np.asarray(sorted(rows), dtype=np.int64)
    if not len(rest) or k <= 0:
        return {int(r): [] for r in rest.tolist()} if k <= 0 else out
    if rank is None:
        rank = _tie_rank(index)
    width = max(1, index.neighbours.shape[1])
    n = len(index)

    def candidates(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        nonlocal postings_t
        if postings_t is None:
            postings_t = index.postings.T.tocsr()
        # (numpy products take more rows at once: a few MB of dense scores; the result is the same)
        block = max(8, 2048 // width) if rm.scipy_loaded() else max(8, min(16384 // width, rm._DENSE_AT_ONCE // max(n, 1) // 2))
        return rm.top_neighbours(index.vectors, postings_t, width, rows.tolist(), block=block,
                                 query_terms=_query_terms(n, index.tuning))

    round_one = True
    while len(rest):
        width = min(n, width * 4)
        if wider is not None and wider[0].shape[1] == width and len(wider) == 2:  # the first round, already known
            docs, cos = wider[0][rest], wider[1][rest]
        elif wider is not None and wider[0].shape[1] == width and len(wider[2]):  # known for some rows
            at = np.minimum(np.searchsorted(wider[2], rest), len(wider[2]) - 1)
            known = wider[2][at] == rest
            docs, cos = wider[0][at], wider[1][at]
            if not known.all():
                docs[~known], cos[~known] = candidates(rest[~known])
        else:
            docs, cos = candidates(rest)
        if round_one and first is not None:
            first.append((docs, cos, rest))
        round_one, wider = False, None
        found = _plain_lists(index, canonical, k, min_score, rest, docs, cos, rank)
        out.update(found)
        rest = np.asarray([r for r in rest.tolist() if r not in found], dtype=np.int64)
        if width >= n and len(rest):  # cannot happen: every document was a candidate
            raise AssertionError("relate: a related list could not be completed")
    return out


# -- the stage -----------------------------------------------------------------------------------


def relate(
    articles: Sequence[Article], cfg: RelatedConfig, tuning: Tuning = DEFAULT_TUNING
) -> tuple[Article, ...]:
    """Fill ``related``, ``duplicate_of`` and ``duplicates`` of every article (same order).

    ``related`` holds at most ``cfg.count`` links, best first: first the articles whose headline
    the article's page names (score 1.0, see :func:`named_headlines`), then the best by content,
    each scoring at least ``cfg.min_score``; never the article itself nor a member of its
    same-story group. ``duplicate_of`` is the canonical slug of the article's group (None for the
    canonical one and for articles with no duplicate); ``duplicates`` the sorted slugs of the other
    members.
    """
    if not articles:
        return ()
    return _full(articles, cfg, tuning, {}, keep=False)[0]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector, then restore its state (see :func:`_emit`)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _lists(
    index: Index, canonical: Sequence[int], named: Mapping[int, Sequence[int]], k: int, min_score: float,
    rows: np.ndarray, rank: np.ndarray, postings_t: sp.csr_matrix | None, chosen: np.ndarray, chosen_scores: np.ndarray,
    wider: tuple[np.ndarray, ...] | None = None, first: list | None = None,
) -> set[int]:
    """The related lists of ``rows``, written into their rows of ``chosen``/``chosen_scores``
    (documents, -1 after the last, and scores), and the rows whose list was looked for beyond
    their neighbours (wider candidate lists or every document sharing a term). A row's list
    depends on that row's inputs only, whatever the other rows. ``wider``, ``first``: see :func:`_wide_lists`."""
    rows = np.asarray(rows, dtype=np.int64)
    is_named = np.zeros(len(index) + 1, dtype=bool)
    is_named[np.asarray(list(named), dtype=np.int64)] = True
    plain = rows[~is_named[rows]]
    done = _plain_put(index, canonical, k, min_score, plain, rank, chosen, chosen_scores) if len(plain) else plain
    is_done = np.zeros(len(index) + 1, dtype=bool)
    is_done[done] = True
    short = plain[~is_done[plain]].tolist()
    lists = _wide_lists(index, canonical, k, min_score, short, rank, postings_t, wider, first)
    wide = set(short)
    by_name = rows[is_named[rows]].tolist()
    if by_name:
        sel = np.asarray(by_name, dtype=np.int64)
        adjusted = _adjusted(index, sel, index.neighbours[sel], index.scores[sel])
        for at, i in enumerate(by_name):
            c = canonical[i]
            first = [(j, 1.0) for j in named[i] if canonical[j] != c][:k]
            skip = frozenset(canonical[j] for j, _ in first)
            rest = k - len(first)
            lists[i] = first + (_ranked(index, i, rest, min_score, canonical, skip, adjusted[at]) if rest > 0 else [])
            wide.add(i)
    _put_lists(lists, chosen, chosen_scores)
    return wide


def _emit(
    articles: Sequence[Article], index: Index, canonical: Sequence[int], chosen: np.ndarray, chosen_scores: np.ndarray,
    before: Sequence[Article | None] | None = None, same_input: Sequence[bool] | None = None,
    only: np.ndarray | None = None, earlier: Sequence[Article] | None = None,
) -> tuple[Article, ...]:
    """The articles with their related lists (rows of ``chosen``/``chosen_scores``, -1 after the
    last) and same-story fields filled in.

    ``before[i]``, when given, is an earlier output for row ``i`` whose related list is known to
    be the same: its ``related`` is reused, and the whole article when ``same_input[i]`` (the input
    is the very object that output was made from) and its same-story fields are equal. With
    ``only`` (rows) and ``earlier`` (outputs, one per row), only those rows are made: the others
    are ``earlier``'s."""
    slugs, titles = index.slugs, index.titles
    canon = np.asarray(canonical, dtype=np.int64)
    members: dict[int, list[str]] = {}
    if len(canon):  # the members of groups of two or more only
        for i in np.flatnonzero(np.bincount(canon, minlength=len(canon))[canon] > 1).tolist():
            members.setdefault(int(canon[i]), []).append(slugs[i])
    groups = {c: tuple(sorted(group)) for c, group in members.items()}
    lengths = (chosen >= 0).sum(axis=1).tolist() if chosen.size else [0] * len(articles)
    if only is not None and earlier is not None:
        out = list(earlier)
        sel = np.asarray(only, dtype=np.int64)
        made = _emit_rows([articles[i] for i in sel.tolist()], slugs, titles, canonical, groups, lengths, chosen,
                          chosen_scores, None, None, sel)
        for i, article in zip(sel.tolist(), made):
            out[i] = article
        return tuple(out)
    with _collector_paused():  # hundreds of thousands of new objects and no cycles: automatic
        # collections would only walk the corpus again and again (2/3 of this loop at 100,000)
        out = _emit_rows(articles, slugs, titles, canonical, groups, lengths, chosen, chosen_scores, before, same_input)
    log.debug("related %d articles; %d same-story groups", len(out), len(groups))
    return tuple(out)


def _emit_rows(
    articles: Sequence[Article], slugs: Sequence[str], titles: Sequence[str], canonical: Sequence[int],
    groups: Mapping[int, tuple[str, ...]], lengths: Sequence[int], chosen: np.ndarray, chosen_scores: np.ndarray,
    before: Sequence[Article | None] | None, same_input: Sequence[bool] | None, rows: np.ndarray | None = None,
) -> list[Article]:
    """The output articles of ``articles`` (rows 0, 1, …, or the rows ``rows`` when given)."""
    make, link = _makers()
    out = []
    step = _EMIT_STEP
    numbers = range(len(articles)) if rows is None else rows.tolist()
    for i, article in zip(numbers, articles):
        if rows is not None:  # (few rows: each row's numbers alone)
            targets, scores = [chosen[i].tolist()], [chosen_scores[i].tolist()]
        elif i % step == 0:  # Python numbers for a few thousand rows at once
            targets, scores = chosen[i : i + step].tolist(), chosen_scores[i : i + step].tolist()
        c = canonical[i]
        group = groups.get(c)
        if group:
            at = group.index(slugs[i])
            duplicates = group[:at] + group[at + 1 :]
        else:
            duplicates = ()
        duplicate_of = None if c == i else slugs[c]
        old = before[i] if before is not None else None
        if old is not None:
            if same_input is not None and same_input[i] and old.duplicates == duplicates and old.duplicate_of == duplicate_of:
                out.append(old)
                continue
            related = old.related
        else:
            m = lengths[i]
            r = 0 if rows is not None else i % step
            related = tuple([link(slugs[d], titles[d], v) for d, v in zip(targets[r][:m], scores[r][:m])])
        out.append(make(article, related, duplicate_of, duplicates))
    return out


_PAIRS_AT_ONCE = 4_000_000
"""Largest number of (row, document) scores compared at once by the incremental path (memory
only: beyond it the rows are simply ranked again)."""


_EMIT_STEP = 4096
"""Rows whose links are made into Python numbers at once (memory only: at 100,000 articles all
rows at once held some 50 MB of numbers and lists at the stage's peak)."""


def _with_lists(article: Article, related: tuple[Related, ...], duplicate_of: str | None, duplicates: tuple[str, ...]) -> Article:
    """``replace(article, related=…, duplicate_of=…, duplicates=…)``."""
    return replace(article, related=related, duplicate_of=duplicate_of, duplicates=duplicates)


def _link(slug: str, title: str, score: float) -> Related:
    return Related(slug=slug, title=title, score=score)


def _makers() -> tuple:
    """Makers of an output article and of a link, equal to :func:`_with_lists` and :func:`_link`
    but 3-6 times faster (10,000 articles are made again by every build): the fields are set one
    by one, as unpickling does, which skips ``dataclasses.replace``'s keyword handling. Falls
    back to those two when the records are not laid out as expected."""
    from operator import attrgetter

    names = tuple(f.name for f in fields(Article))
    if names[-3:] != ("related", "duplicate_of", "duplicates") or tuple(f.name for f in fields(Related)) != ("slug", "title", "score"):
        return _with_lists, _link
    get = attrgetter(*names[:-3])
    new, put = object.__new__, object.__setattr__

    def make(article: Article, related: tuple[Related, ...], duplicate_of: str | None, duplicates: tuple[str, ...]) -> Article:
        if type(article) is not Article:  # a subclass may add fields or checks
            return _with_lists(article, related, duplicate_of, duplicates)
        out = new(Article)
        for name, value in zip(names, (*get(article), related, duplicate_of, duplicates)):
            put(out, name, value)
        return out

    def link(slug: str, title: str, score: float) -> Related:
        out = new(Related)
        put(out, "slug", slug)
        put(out, "title", title)
        put(out, "score", score)
        return out

    return make, link


def _put_lists(
    lists: Mapping[int, Sequence[tuple[int, float]]], chosen: np.ndarray, chosen_scores: np.ndarray
) -> None:
    for i, found in lists.items():
        chosen[i] = -1
        chosen_scores[i] = 0.0
        if found:
            chosen[i, : len(found)] = [d for d, _ in found]
            chosen_scores[i, : len(found)] = [v for _, v in found]


# -- exact incremental relate ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RelateState:
    """What :func:`relate_with` keeps between two runs to redo only what changed.

    Opaque to callers and picklable. Everything in it is either an input fingerprint or a value
    computed from the inputs; :func:`relate_with` trusts it only where it can prove the value is
    what a run from scratch would compute, and recomputes the rest."""

    key: tuple  #: tuning, count and min_score the state was made with
    prints: tuple[bytes, ...]  #: per article: a hash of every field relate reads
    index: Index  #: the index (``vocabulary`` maps the sorted ``terms``)
    terms: Sequence[str]  #: every term, sorted: the columns of ``counts`` and of the index's matrices
    kinds: np.ndarray  #: per term: the weight of its kind
    counts: sp.csr_matrix  #: raw term counts per article
    ends: np.ndarray  #: per article: hashes of its first and last words, and its number of words
    canonical: np.ndarray  #: per article: its group's canonical article
    named: dict[int, tuple[int, ...]]  #: headlines named in each article's page
    chosen: np.ndarray  #: per article: the related documents (-1 after the last)
    chosen_scores: np.ndarray  #: and their scores
    wide: np.ndarray  #: per article: its list was looked for beyond its neighbours
    verdicts: dict[bytes, bool]  #: near-copy verdicts by the two fingerprints
    tokens: tuple = ()
    """Per article: the token the caller gave with it (see :func:`relate_with`), or () when none
    were given."""
    postings_t: rm.Csr | None = None
    """The index's postings transposed (terms × documents), or None (then made when needed)."""
    rank: np.ndarray | None = None
    """Each article's position by ``(-date, slug)`` (:func:`_tie_rank`), or None (then made again)."""
    memo: dict | None = None
    """In memory only (never pickled): the input and output articles of the run, so that the next
    run in the same process can tell an unchanged article by identity and reuse its output; and
    (``"wider"``) the first wider round of :func:`_wide_lists` of some wide rows, ``(docs,
    scores, rows)``, which the next run merges as it merges the neighbours."""

    def __len__(self) -> int:
        return len(self.prints)

    def __getstate__(self) -> tuple:
        # the index's vectors are the raw counts weighed: only their values are pickled, with
        # which entries of the counts they keep (a bit each); the rest is the counts' structure
        # (made again when the state is read: weighing the counts again took ten times longer)
        index, values = self.index, None
        if isinstance(index, Index) and self.counts is not None and self.counts.shape == index.vectors.shape:
            kept = _kept_entries(self.counts, index.vectors, index.weights.links)
            index = replace(index, vectors=None)
            if kept is not None:
                values = (np.packbits(kept), self.index.vectors.data)
        return tuple(index if f.name == "index" else getattr(self, f.name) if f.name != "memo" else None
                     for f in fields(self)) + (values,)

    def __setstate__(self, state: tuple) -> None:
        names = fields(self)
        for f in names:
            object.__setattr__(self, f.name, None)
        for f, value in zip(names, state):
            object.__setattr__(self, f.name, value)
        object.__setattr__(self, "memo", {})
        values = state[len(names)] if len(state) > len(names) else None
        index = self.index
        if isinstance(index, Index) and index.vectors is None and self.counts is not None:
            vectors = _vectors_of(self.counts, values) if values is not None else None
            if vectors is None:
                vectors = rm.weigh(self.counts, index.weights, plain=True)
            object.__setattr__(self, "index", replace(index, vectors=vectors))


def _kept_entries(counts: sp.csr_matrix, vectors: sp.csr_matrix, links: np.ndarray) -> np.ndarray | None:
    """Which entries of ``counts`` ``vectors`` has (a mask over ``counts.data``), or None when
    its entries are not all entries of ``counts`` (both are sorted by row, then column).
    ``links``: the linking columns, whose entries it has unless their weight is 0."""
    if not (counts.has_sorted_indices and vectors.has_sorted_indices):
        return None
    if len(links) >= counts.shape[1]:
        kept = links[counts.indices]
        upto = np.zeros(counts.nnz + 1, dtype=np.int64)
        np.cumsum(kept, out=upto[1:])
        if np.array_equal(upto[counts.indptr], vectors.indptr) and np.array_equal(counts.indices[kept], vectors.indices):
            return kept
    width = max(counts.shape[1], 1)

    def keys(m: sp.csr_matrix) -> np.ndarray:
        return np.repeat(np.arange(m.shape[0], dtype=np.int64), np.diff(m.indptr)) * width + m.indices

    kc, kv = keys(counts), keys(vectors)
    at = np.searchsorted(kc, kv)
    if len(kv) and (at[-1] >= len(kc) or not np.array_equal(kc[at], kv)):
        return None
    kept = np.zeros(len(kc), dtype=bool)
    kept[at] = True
    return kept


def _vectors_of(counts: sp.csr_matrix, values: tuple) -> sp.csr_matrix | None:
    """The vectors :meth:`RelateState.__getstate__` kept as ``values`` (None if they do not fit ``counts``)."""
    bits, data = values
    kept = np.unpackbits(bits, count=counts.nnz).astype(bool)
    if int(kept.sum()) != len(data):
        return None
    upto = np.zeros(counts.nnz + 1, dtype=np.int64)
    np.cumsum(kept, out=upto[1:])
    return rm.Csr(data, counts.indices[kept], upto[counts.indptr], counts.shape, True)


_Columns = rm.SortedColumns


def _fingerprint(article: Article) -> bytes:
    """A hash of every field of ``article`` that the relate stage reads."""
    parts = [
        article.slug, article.title, repr(_timestamp(article)), article.section or "",
        "\x1f".join(article.keyphrases),
        "\x1f".join(f"{e.name}\x1e{e.count}" for e in article.entities),
        "\x1f".join(article.tags),
        rm.doc_text(article),
        "\x1f".join(f"{r.reason}\x1e{r.text}" for r in article.removed if "headline" in r.reason),
    ]
    return hashlib.blake2b("\x1d".join(parts).encode("utf-8", "surrogatepass"), digest_size=12).digest()


def _fingerprints(articles: Sequence[Article]) -> tuple[bytes, ...]:
    """:func:`_fingerprint` of every article."""
    return tuple(map(_fingerprint, articles))


def _state_key(cfg: RelatedConfig, tuning: Tuning) -> tuple:
    return (tuning, cfg.count, cfg.min_score)


def _full(
    articles: Sequence[Article], cfg: RelatedConfig, tuning: Tuning, verdicts: dict[bytes, bool],
    keep: bool = True, tokens: Sequence[bytes | None] | None = None,
) -> tuple[tuple[Article, ...], RelateState | None]:
    """The relate stage from scratch, and (with ``keep``) the state :func:`relate_with` continues from."""
    t = tuning
    n = len(articles)
    # the fingerprints (a hash of every article's text) are made by a second process while this
    # one counts (counting in one process: below parallel_from), when the product is shared too
    prints_of = None
    if keep:
        aside = n < t.parallel_from and _product_workers(n, t) > 1
        prints_of = rm.started(_fingerprints, (articles,)) if aside else partial(_fingerprints, articles)
    index, vec, postings_t, wider = _index(articles, t, keep_counts=keep, wider=True)
    prints = prints_of() if prints_of is not None else None
    ends = vec.ends if vec.ends is not None else _ends_of(articles, t)
    used: dict[bytes, bool] = {}
    canonical = _groups(articles, index, ends, prints, verdicts, used, _workers(n, t), vec.shingles)
    if vec.shingles is not None:
        vec.shingles.release()
    named = named_headlines(articles, t)
    k = cfg.count
    rank = _tie_rank(index)
    chosen = np.full((n, max(k, 0)), -1, dtype=np.int32)
    chosen_scores = np.zeros((n, max(k, 0)), dtype=np.float64)
    wide = _lists(index, canonical, named, k, cfg.min_score, np.arange(n), rank, postings_t, chosen, chosen_scores, wider)
    flags = np.zeros(n, dtype=bool)
    flags[sorted(wide)] = True
    memo: dict = {}
    if keep and wider is not None:  # the wide rows' first wider round, for the next run to merge
        rows = np.flatnonzero(flags)
        memo["wider"] = (wider[0][rows], wider[1][rows], rows)
    del wider
    rm.give_back_memory()
    out = _emit(articles, index, canonical, chosen, chosen_scores)
    if not keep or prints is None:
        return out, None
    # the state's matrices as plain arrays (an edit is worked out with numpy, without scipy)
    state = RelateState(
        key=_state_key(cfg, t), prints=prints,
        index=replace(index, position={}, vectors=rm.Csr.of(index.vectors), postings=rm.Csr.of(index.postings)),
        terms=vec.terms, kinds=rm.kind_flags(vec.terms, t.keyphrase, t.entity, t.tag),
        counts=rm.Csr.of(vec.counts), ends=ends,
        postings_t=rm.Csr.of(postings_t if postings_t is not None else index.postings.T.tocsr()),
        canonical=np.asarray(canonical, dtype=np.int64), named={i: tuple(v) for i, v in named.items()},
        chosen=chosen, chosen_scores=chosen_scores, wide=flags, verdicts=used,
        tokens=tuple(tokens) if tokens is not None else (),
        memo={**memo, "inputs": tuple(articles), "outputs": out, "prints": prints}, rank=rank,
    )
    return out, state


def relate_with(
    articles: Sequence[Article], cfg: RelatedConfig, previous: RelateState | None,
    tuning: Tuning = DEFAULT_TUNING, tokens: Sequence[bytes | None] | None = None,
) -> tuple[tuple[Article, ...], RelateState]:
    """:func:`relate`, reusing what ``previous`` (the state of an earlier call) still proves.

    The articles returned are always equal to ``relate(articles, cfg, tuning)``, whatever
    ``previous`` is (None, another corpus, other settings, any edits, additions, deletions or
    renames): only the rows whose inputs changed, and the rows those changes can reach, are
    computed again; anything this cannot prove (another order of the articles, many changes, a
    corpus size that changes the IDF, a new section) means a full run. Returns the articles and
    the state for the next call.

    ``tokens`` (optional, one per article, None for an unknown one) let a caller spare the
    hashing of every article's text: two articles whose tokens are equal (and not None) must be
    equal in every field relate reads, e.g. a hash of the article's contents kept with it in a
    cache. An article whose token is the one its slug had in ``previous`` is taken as unchanged."""
    if tokens is not None and len(tokens) != len(articles):
        raise ValueError(f"relate_with: {len(tokens)} tokens for {len(articles)} articles")
    if not articles:
        return (), _empty_state(cfg, tuning)
    done = None
    verdicts: dict[bytes, bool] = {}
    if isinstance(previous, RelateState):
        try:
            if previous.key == _state_key(cfg, tuning) and len(previous):
                done = _incremental(articles, cfg, tuning, previous, tokens)
        except _Unproven as why:
            log.debug("relate: full run (%s)", why)
        except (AttributeError, TypeError, ValueError, IndexError, KeyError) as exc:  # a state of another version
            log.debug("relate: full run (unusable state: %s: %s)", type(exc).__name__, exc)
        if done is not None:
            return done
        if isinstance(previous.key, tuple) and previous.key and previous.key[0] == tuning and isinstance(previous.verdicts, dict):
            verdicts = dict(previous.verdicts)  # near-copy verdicts depend on the two texts only
    out, state = _full(articles, cfg, tuning, verdicts, tokens=tokens)
    assert state is not None
    return out, state


def _empty_state(cfg: RelatedConfig, tuning: Tuning) -> RelateState:
    return RelateState(
        key=_state_key(cfg, tuning), prints=(), index=None, terms=(), kinds=np.zeros(0),  # type: ignore[arg-type]
        counts=rm.Csr.empty(0, 0), ends=np.zeros((0, 3), dtype=np.int64),
        canonical=np.zeros(0, dtype=np.int64), named={}, chosen=np.zeros((0, 0), dtype=np.int32),
        chosen_scores=np.zeros((0, 0)), wide=np.zeros(0, dtype=bool), verdicts={},
    )


class _Unproven(Exception):
    """The incremental path cannot prove its result: a full run is made instead."""


def _among(values: np.ndarray, members: np.ndarray, size: int) -> np.ndarray:
    """``np.isin(values, members)`` for numbers below ``size`` (-1 in ``values``: never a
    member), by a look-up table: one pass, no sort."""
    table = np.zeros(size + 1, dtype=bool)  # the last entry (also at -1) stays False
    table[np.asarray(members, dtype=np.int64)] = True
    return table[values]


def _rows_with(m: sp.csr_matrix, columns: np.ndarray) -> np.ndarray:
    """Rows of ``m`` with an entry in any of ``columns`` (sorted, distinct)."""
    if not len(columns) or not m.nnz:
        return np.zeros(0, dtype=np.int64)
    hit = np.flatnonzero(_among(m.indices, columns, m.shape[1]))
    return np.unique(np.searchsorted(m.indptr, hit, side="right") - 1)


def _entries(m: sp.csr_matrix, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, value) of the entries of ``m`` in ``columns``."""
    hit = np.flatnonzero(_among(m.indices, columns, m.shape[1]))
    rows = np.searchsorted(m.indptr, hit, side="right") - 1
    return rows.astype(np.int64), m.indices[hit].astype(np.int64), m.data[hit]


def _places(terms: Sequence[str], xs: Sequence[str]) -> tuple[list[int], list[bool]]:
    """``bisect_left(terms, x)`` for each of ``xs`` (``terms`` sorted), and whether ``x`` is not
    there. A :class:`~digest.relate_matrix.TermList` is searched in its text, the queries in
    sorted order (each search starts where the one before ended)."""
    if not isinstance(terms, rm.TermList):
        at = [bisect.bisect_left(terms, x) for x in xs]
        return at, [c >= len(terms) or terms[c] != x for c, x in zip(at, xs)]
    text, off = terms.text, terms.offsets
    n = len(terms)
    at, new = [0] * len(xs), [True] * len(xs)
    lo = 0
    for q in sorted(range(len(xs)), key=xs.__getitem__):
        x, hi = xs[q], n
        while lo < hi:
            mid = (lo + hi) >> 1
            if text[off[mid] : off[mid + 1]] < x:
                lo = mid + 1
            else:
                hi = mid
        at[q] = lo
        new[q] = lo >= n or text[off[lo] : off[lo + 1]] != x
    return at, new


def _with_terms(
    terms0: Sequence[str], ins: np.ndarray, new_terms: Sequence[str], colmap: np.ndarray, new_pos: np.ndarray,
) -> Sequence[str]:
    """The sorted terms ``terms0`` with ``new_terms`` (sorted) put before the terms at ``ins``
    (``colmap``: each old term's new position, ``new_pos``: each new term's). A
    :class:`~digest.relate_matrix.TermList` is spliced as text, without making every term."""
    if isinstance(terms0, rm.TermList):
        text, offsets = terms0.text, terms0.offsets
        cuts = offsets[ins].tolist()
        pieces, at = [], 0
        for cut, term in zip(cuts, new_terms):
            pieces += [text[at:cut], term]
            at = cut
        pieces.append(text[at:])
        lengths = np.insert(np.diff(offsets), ins, [len(x) for x in new_terms])
        joined = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=joined[1:])
        remake, _ = terms0.__reduce__()  # the function that makes a TermList from its text and offsets
        out = remake("".join(pieces), joined)
        if isinstance(out, rm.TermList) and len(out) == len(terms0) + len(new_terms):
            return out
    arr = np.empty(len(terms0) + len(new_terms), dtype=object)
    arr[colmap] = list(terms0)
    arr[new_pos] = list(new_terms)
    return rm.TermList(arr.tolist())


def _hits(x, rows: np.ndarray | None, p, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    """The non-zero entries (row position, document position, value) of ``x[rows] @ p[docs].T``
    (``rows`` None: every row), as ``(…).tocoo()`` gives them: with numpy
    (:func:`~digest.relate_matrix.row_products`) unless the block is large."""
    n_rows = x.shape[0] if rows is None else len(rows)
    if n_rows * len(docs) <= rm._DENSE_AT_ONCE and not rm.scipy_loaded():
        dense = rm.row_products(x, rows, p, docs)
        r, c = np.nonzero(dense)
        return r, c, dense[r, c]
    xs = x.tosp() if isinstance(x, rm.Csr) else x
    ps = p.tosp() if isinstance(p, rm.Csr) else p
    hits = ((xs if rows is None else xs[np.asarray(rows)]) @ ps[np.asarray(docs)].T).tocoo()
    return hits.row, hits.col, hits.data


_SPLICE_COLUMNS = 800
"""Postings columns changed up to which the transposed postings are made by putting the changed
columns' lists in place (else, with scipy loaded, by transposing the whole matrix; speed only:
the same matrix)."""


def _df_after(
    prev: RelateState, old: Index, counts: rm.Csr, fresh_counts: rm.Csr, gone_old: np.ndarray, colmap: np.ndarray, V: int,
) -> np.ndarray:
    """The document frequency of every term of ``counts``: the old one, less the old rows
    ``gone_old`` (deleted or changed), plus the ``fresh_counts`` rows (counted again without
    the old document frequencies)."""
    df0 = old.weights.df
    c0 = prev.counts
    if df0 is None or len(df0) != len(colmap) or c0.shape[1] != len(colmap):
        return rm.column_counts(counts.indices, V).astype(np.int64)
    df = np.zeros(V, dtype=np.int64)
    df[colmap] = df0
    if len(gone_old):
        lo, hi = c0.indptr[gone_old].astype(np.int64), c0.indptr[gone_old + 1].astype(np.int64)
        lens = hi - lo
        at = np.repeat(lo - np.cumsum(lens) + lens, lens) + np.arange(int(lens.sum()))
        df -= np.bincount(colmap[c0.indices[at]], minlength=V)
    df += np.bincount(fresh_counts.indices[: fresh_counts.nnz], minlength=V)
    return df


def _old_lists(
    prev: RelateState, old: Index, touched: np.ndarray, colmap: np.ndarray, in_touched: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The entries (old row, new column, value) of the old postings in the ``touched`` (new) columns,
    read from the transposed postings when the state has them (only those columns' lists), else
    from the postings (every entry looked at)."""
    pt0 = prev.postings_t
    q0 = old.postings
    if isinstance(pt0, rm.Csr) and pt0.shape == (q0.shape[1], q0.shape[0]):
        old_col = np.full(len(in_touched), -1, dtype=np.int64)
        old_col[colmap] = np.arange(len(colmap))
        cols = old_col[touched]
        cols = cols[cols >= 0]
        lo, hi = pt0.indptr[cols].astype(np.int64), pt0.indptr[cols + 1].astype(np.int64)
        lens = hi - lo
        at = np.repeat(lo - np.cumsum(lens) + lens, lens) + np.arange(int(lens.sum()))
        return pt0.indices[at].astype(np.int64), colmap[np.repeat(cols, lens)], pt0.data[at]
    hit = np.flatnonzero(in_touched[colmap[q0.indices]])
    ro = np.searchsorted(q0.indptr, hit, side="right") - 1
    return ro, colmap[q0.indices[hit]], q0.data[hit]


def _rows_differ(x0: rm.Csr, was: np.ndarray, now: rm.Csr, colmap: np.ndarray) -> np.ndarray:
    """Whether each row of ``now`` differs from row ``was`` of ``x0`` (columns renumbered by
    ``colmap``; ``was`` -1: no such row, it differs), in its columns or values."""
    differ = was < 0
    had = np.flatnonzero(~differ)
    ptr0, ptr1 = np.asarray(x0.indptr, dtype=np.int64), np.asarray(now.indptr, dtype=np.int64)
    len0 = ptr0[was[had] + 1] - ptr0[was[had]]
    len1 = ptr1[had + 1] - ptr1[had]
    differ[had[len0 != len1]] = True
    same_len = np.flatnonzero(len0 == len1)  # (positions in ``had``) compared entry by entry
    lens = len0[same_len]
    a = _positions(x0.indptr, was[had[same_len]])
    b = _positions(now.indptr, had[same_len])
    bad = (colmap[x0.indices[a]] != now.indices[b]) | (x0.data[a] != now.data[b])
    differ[had[same_len[np.unique(np.repeat(np.arange(len(same_len)), lens)[bad])]]] = True
    return differ


def _positions(indptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The positions in a CSR matrix's arrays (``indptr``) of the entries of ``rows``, row by row."""
    rows = np.asarray(rows, dtype=np.int64)
    lo = np.asarray(indptr[rows], dtype=np.int64)
    lens = np.asarray(indptr[rows + 1], dtype=np.int64) - lo
    return np.repeat(lo - np.cumsum(lens) + lens, lens) + np.arange(int(lens.sum()))


def _postings_after(
    p0: rm.Csr, src: np.ndarray, rows: np.ndarray, in_touched: np.ndarray, r_new: np.ndarray, c_new: np.ndarray,
    v_new: np.ndarray, colmap: np.ndarray, V: int,
) -> rm.Csr:
    """The postings after a change, from the old ones ``p0``: the ``rows`` (new numbering, sorted)
    hold their old entries in the columns not touched (``in_touched``: a mask over the new
    columns) and their entries among (``r_new``, ``c_new``, ``v_new``), every entry of the touched
    columns; every other row is its old row (``src``), columns renumbered by ``colmap``. Only the
    ``rows`` are made: the rest is copied (what the old rows plus the new lists, summed, hold)."""
    n = len(src)
    back = src[rows]
    had = rows[back >= 0]
    part = p0.rows(back[back >= 0])
    pr = np.repeat(had, np.diff(part.indptr))
    pc = colmap[part.indices].astype(np.int64)
    keep = ~in_touched[pc]
    mine = _among(r_new, rows, n)
    slot = np.full(n, -1, dtype=np.int64)
    slot[rows] = np.arange(len(rows))
    fresh = rm.csr_of_entries(slot[np.concatenate([pr[keep], r_new[mine]])], np.concatenate([pc[keep], c_new[mine]]),
                              np.concatenate([part.data[keep], v_new[mine].astype(part.data.dtype)]), (len(rows), V))
    source = src.copy()
    source[rows] = -1 - np.arange(len(rows))
    return rm.splice_rows(p0, source, fresh, V, colmap)


def _spliced_transpose(
    prev: RelateState, old: Index, postings: rm.Csr, touched: np.ndarray, r_new: np.ndarray, c_new: np.ndarray,
    v_new: np.ndarray, colmap: np.ndarray, new_of_old: np.ndarray,
) -> rm.Csr:
    """``postings.T`` (terms × documents) from the previous one: the columns not ``touched`` keep
    their lists (documents renumbered), the touched ones get their new lists (``r_new``,
    ``c_new``, ``v_new``: every entry of the touched columns)."""
    pt0 = prev.postings_t
    V, n = postings.shape[1], postings.shape[0]
    if not isinstance(pt0, rm.Csr) or pt0.shape != (old.postings.shape[1], old.postings.shape[0]):
        return rm.transpose(postings)
    slot = np.full(V, -1, dtype=np.int64)
    slot[touched] = np.arange(len(touched))
    fresh = rm.csr_of_entries(slot[c_new], r_new, v_new, (len(touched) + 1, n))  # (and an empty row)
    source = np.full(V, -1 - len(touched), dtype=np.int64)  # a new term in no postings: the empty row
    source[colmap] = np.arange(len(colmap))
    source[touched] = -1 - np.arange(len(touched))
    return rm.splice_rows(pt0, source, fresh, n, new_of_old)


def _wide_rows_dirty(
    both: tuple[np.ndarray, ...], check: np.ndarray, n: int, new_of_old: np.ndarray, best: np.ndarray,
    kth: np.ndarray, attr_docs: np.ndarray, moved_p: np.ndarray, gone_old: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Step 7's checks of wide lists (see :func:`_incremental`) for the rows of ``check`` whose
    first wider round (the best documents by score, see :func:`_wide_lists`) is known before and
    now (``both``: rows, documents and scores now, documents (old numbering) and scores before),
    read from those rounds: a document beyond a round scores at most its last score, so when
    neither last score can reach the list (× ``best`` + 1e-4 below ``kth``), only the documents
    in the rounds can. Returns the rows decided so, and which of them are dirty: a document of
    ``attr_docs`` in the round now, one of ``moved_p`` whose score is not the same in both
    rounds (or is in one only), or one of ``gone_old`` in the round before, that reaches it."""
    rows, docs, scores, docs0, scores0 = both
    at = np.minimum(np.searchsorted(rows, check), max(len(rows) - 1, 0))
    has = (rows[at] == check) if len(rows) else np.zeros(len(check), dtype=bool)
    r, at = check[has], at[has]
    last = np.maximum(np.where(docs[at, -1] >= 0, scores[at, -1], 0.0), np.where(docs0[at, -1] >= 0, scores0[at, -1], 0.0))
    ok = last.astype(np.float64) * best[r] + 1e-4 < kth[r]
    r, at = r[ok], at[ok]
    docs, scores, docs0, scores0 = docs[at], scores[at], docs0[at], scores0[at]
    dirty = np.zeros(len(r), dtype=bool)
    # the entries that matter: documents now of ``attr_docs`` (1) or ``moved_p`` (2), before of
    # ``gone_old`` (1) or ``moved_p`` (2), that reach the list
    kinds = np.zeros(n + 1, dtype=np.int8)  # (the last entry, also at -1: none)
    kinds[attr_docs] = 1
    kinds[moved_p] |= 2
    kinds0 = np.zeros(len(new_of_old) + 1, dtype=np.int8)
    kinds0[gone_old] = 1
    kinds0[np.flatnonzero(_among(new_of_old, moved_p, n))] |= 2
    found = []
    for sc, kind in ((scores, kinds[docs]), (scores0, kinds0[docs0])):
        i, c = np.nonzero(kind)
        reach = sc[i, c].astype(np.float64) * best[r[i]] + 1e-4 >= kth[r[i]]
        i, c, kind = i[reach], c[reach], kind[i[reach], c[reach]]
        dirty[i[(kind & 1) > 0]] = True
        found.append((i[(kind & 2) > 0], c[(kind & 2) > 0]))
    # a moved document reaching the list from either round: dirty unless its score is the same
    # in the other round (documents before numbered now)
    (i, c), (i0, c0) = found
    for i, own, own_scores, other, other_scores in (
            (i, docs[i, c], scores[i, c], np.where(docs0[i] >= 0, new_of_old[np.maximum(docs0[i], 0)], -1), scores0[i]),
            (i0, new_of_old[docs0[i0, c0]], scores0[i0, c0], docs[i0], scores[i0])):
        there = other == own[:, None]
        same = there.any(axis=1) & (other_scores[np.arange(len(i)), there.argmax(axis=1)] == own_scores)
        dirty[i[~same]] = True
    return r, dirty


def _rounds(parts: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Candidate lists ``(docs, scores, rows)`` of some rows, put together by row (sorted; a row
    given twice is taken once: its lists are the same), or None when there are none."""
    if not parts:
        return None
    rows = np.concatenate([p[2] for p in parts])
    rows, first = np.unique(rows, return_index=True)
    return np.concatenate([p[0] for p in parts])[first], np.concatenate([p[1] for p in parts])[first], rows


def _merge_floor(docs0: np.ndarray, scores: np.ndarray, redo: np.ndarray) -> np.ndarray:
    """The score from which a changed document's new score can rank with each row's entries in
    :func:`_merge_neighbours` (float32; infinite for the rows in ``redo``)."""
    k = docs0.shape[1]
    full_all = docs0[:, k - 1] >= 0
    floor = np.where(full_all, scores[:, k - 1], np.finfo(np.float32).smallest_subnormal).astype(np.float32)
    floor[redo] = np.inf
    return floor


def _merge_neighbours(
    vectors: sp.csr_matrix, postings: sp.csr_matrix, changed: np.ndarray, docs0: np.ndarray, docs: np.ndarray,
    scores: np.ndarray, redo: np.ndarray, listed_again: np.ndarray,
    hits: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None, ids: np.ndarray | None = None,
) -> np.ndarray:
    """The neighbour lists of the rows not in ``redo`` (a mask: rows whose vector changed), when
    the documents whose score for a row can change are ``changed`` (their postings changed) and
    the deleted ones: ``docs``/``scores`` (the old lists, in the new numbering: -1 for a deleted
    document; ``docs0``: the same in the old numbering) are updated in place where a changed
    document was listed or now scores, and ``listed_again`` marks the lists that differ.

    A row's other scores are what they were (its vector and their postings are the same), and
    the scores of the changed documents are computed here exactly as :func:`top_neighbours`
    computes them (the same float32 sums over the row's terms in column order). The documents
    beyond a full old list all rank below its last entry: the new list is the best of the old
    entries kept and the changed documents' new scores whenever at least as many of those as the
    list holds rank above that last entry. Returns the rows for which this cannot be proven (a
    listed document lost its place): they are scored again from scratch.

    ``hits``: the changed documents' scores for the rows, as :func:`~digest.relate_matrix.hits_at_least`
    returns them, when already made with floors at most :func:`_merge_floor` (the rows' lists
    may then be some rows' only: ``ids`` are their documents, ``hits`` their positions)."""
    n, k = docs.shape
    out = np.zeros(n, dtype=bool)
    if k == 0:
        return out
    size = n if ids is None else max(int(docs.max(initial=-1)), int(np.max(changed, initial=-1))) + 1  # documents
    bad = np.zeros(size + 1, dtype=bool)  # (position -1: no document)
    bad[changed] = True
    keep = (docs >= 0) & ~bad[docs]
    lost = (docs0 >= 0) & ~keep
    # the changed documents' new scores that can rank with a row's entries (a lost document's
    # among them): any above 0 in a list that is not full, else at least its last score
    # (``certain`` below counts the ones above it); none for the rows scored again
    floor = _merge_floor(docs0, scores, redo)
    if hits is None:
        hr, hc, hv = rm.hits_at_least(vectors, postings, changed, floor)
    else:
        hr, hc, hv = hits
        at = hv >= floor[hr]
        hr, hc, hv = hr[at], hc[at], hv[at]
    hd = np.asarray(changed, dtype=np.int64)[hc]
    ok = (hr if ids is None else ids[hr]) != hd
    hr, hd, hv = hr[ok], hd[ok], hv[ok]
    # rows to merge: a listed document lost its score, or a changed document can enter the list
    touched = lost.any(axis=1)
    touched[hr] = True
    touched &= ~redo
    rows = np.flatnonzero(touched)
    if not len(rows):
        return out
    m = len(rows)
    at = np.searchsorted(rows, hr)  # each hit's row, as a position in ``rows``
    order = np.lexsort((hd, -hv, at))  # by row, then score (best first), then document
    at, hd, hv = at[order], hd[order], hv[order]
    kept_docs, kept_scores, kept = docs[rows], scores[rows], keep[rows]
    full = docs0[rows, k - 1] >= 0
    last = scores[rows, k - 1]  # the old list's last score: every document beyond it scores at most that
    certain = kept.sum(axis=1) + np.bincount(at[hv > last[at]], minlength=m)
    short = full & (certain < k)
    # the new lists: each row's old entries kept (best first, as its list was) merged with its
    # hits. A hit goes after the kept entries that rank above it (a better score, or the same
    # and a lower document: a prefix of them) and after the row's hits ranked above it.
    ahead = np.zeros(len(at), dtype=np.int64)
    for a in range(0, len(at), 8192):
        r, v, d = at[a : a + 8192], hv[a : a + 8192, None], hd[a : a + 8192, None]
        s = kept_scores[r]
        ahead[a : a + 8192] = (kept[r] & ((s > v) | ((s == v) & (kept_docs[r] < d)))).sum(axis=1)
    place_hit = np.arange(len(at)) - np.searchsorted(at, at, side="left") + ahead
    # a kept entry goes after the kept entries above it and the hits with fewer of those ahead
    index = np.cumsum(kept, axis=1) - 1
    hits_upto = np.cumsum(np.bincount(at * (k + 1) + ahead, minlength=m * (k + 1)).reshape(m, k + 1), axis=1)
    place_kept = index + np.take_along_axis(hits_upto, np.maximum(index, 0), axis=1)
    new_docs = np.full((m, k), -1, dtype=docs.dtype)
    new_scores = np.zeros((m, k), dtype=scores.dtype)
    r, c = np.nonzero(kept & (place_kept < k))
    new_docs[r, place_kept[r, c]] = kept_docs[r, c]
    new_scores[r, place_kept[r, c]] = kept_scores[r, c]
    sel = place_hit < k
    new_docs[at[sel], place_hit[sel]] = hd[sel]
    new_scores[at[sel], place_hit[sel]] = hv[sel]
    good = np.flatnonzero(~short)
    g = rows[good]
    differ = (docs[g] != new_docs[good]).any(axis=1) | (scores[g] != new_scores[good]).any(axis=1)
    listed_again[g[differ]] = True
    docs[g], scores[g] = new_docs[good], new_scores[good]
    out[rows[short]] = True
    return out


def _incremental(
    articles: Sequence[Article], cfg: RelatedConfig, t: Tuning, prev: RelateState,
    tokens: Sequence[bytes | None] | None = None,
) -> tuple[tuple[Article, ...], RelateState] | None:
    old = prev.index
    n, n0 = len(articles), len(prev)
    k = cfg.count
    slugs = tuple(map(_slug_of, articles))
    memo = prev.memo or {}
    inputs0: Sequence[Article] | None = memo.get("inputs")
    outputs0: Sequence[Article] | None = memo.get("outputs")
    if inputs0 is not None and (len(inputs0) != n0 or memo.get("prints") is not prev.prints):
        inputs0 = outputs0 = None  # the memo belongs to another state
    tokens0 = prev.tokens if tokens is not None and len(prev.tokens) == n0 else None
    if len(set(slugs)) != n:
        raise _Unproven("slugs are not unique")
    if slugs == old.slugs:
        # the same articles in the same places (edits only): row i was row i, no slug look-ups
        same_input = list(map(operator.is_, articles, inputs0)) if inputs0 is not None else [False] * n
        known = same_input  # rows whose fingerprint is the one their slug had
        if tokens is not None and tokens0 is not None:
            known = [kn or (tk is not None and tk == t0) for kn, tk, t0 in zip(same_input, tokens, tokens0)]
        unknown = np.flatnonzero(~np.fromiter(known, dtype=bool, count=n)).tolist()
        fresh_prints = [_fingerprint(articles[i]) for i in unknown]
        fresh = [i for i, p in zip(unknown, fresh_prints) if p != prev.prints[i]]
        if fresh_prints:
            listed = list(prev.prints)
            for i, p in zip(unknown, fresh_prints):
                listed[i] = p
            prints = tuple(listed)
        else:
            prints = prev.prints
        new_of_old = np.arange(n0, dtype=np.int64)
        src = new_of_old.copy()
        src[fresh] = -1
    else:
        pos0 = {s: i for i, s in enumerate(old.slugs)}
        same_input = [False] * n
        if inputs0 is not None:
            for i, (slug, a) in enumerate(zip(slugs, articles)):
                j = pos0.get(slug)
                same_input[i] = j is not None and inputs0[j] is a
        known = list(same_input)  # rows whose fingerprint is the one their slug had
        if tokens is not None and tokens0 is not None:
            # an article whose token is the one its slug had: unchanged, without hashing its text
            for i, (slug, token) in enumerate(zip(slugs, tokens)):
                if token is not None and not known[i]:
                    j = pos0.get(slug)
                    known[i] = j is not None and tokens0[j] == token
        prints = tuple(prev.prints[pos0[slug]] if same else _fingerprint(a) for slug, a, same in zip(slugs, articles, known))
        if len(pos0) != n0:
            raise _Unproven("slugs are not unique")
        src = np.full(n, -1, dtype=np.int64)  # new row -> old row of the same, unchanged article
        new_of_old = np.full(n0, -1, dtype=np.int64)  # old row -> new row of the same slug
        fresh = []
        for i, (slug, fp) in enumerate(zip(slugs, prints)):
            j = pos0.get(slug)
            if j is not None:
                new_of_old[j] = i
                if prev.prints[j] == fp:
                    src[i] = j
                    continue
            fresh.append(i)
    moved = new_of_old[new_of_old >= 0]
    if len(moved) > 1 and np.any(np.diff(moved) <= 0):
        raise _Unproven("the articles are in another order")
    if len(fresh) > max(64, n // 20):
        raise _Unproven(f"{len(fresh)} articles changed")
    if rm.coarse(n) != rm.coarse(n0) or (n >= t.min_docs_for_df) != (n0 >= t.min_docs_for_df):
        raise _Unproven("the corpus size changes the weights")
    if _query_terms(n, t) != _query_terms(n0, t):
        raise _Unproven("the corpus size changes the terms a row is scored with")
    if not fresh and n == n0 and bool((src == np.arange(n)).all()):
        # nothing relate reads has changed: the same lists; the state is kept as it is, but for
        # the tokens of articles remade the same (else they would be hashed again every build)
        kept = prev if tokens is None or tuple(tokens) == prev.tokens else replace(prev, tokens=tuple(tokens))
        if outputs0 is not None and all(same_input):
            return tuple(outputs0), kept
        out = _emit(articles, old, prev.canonical.tolist(), prev.chosen, prev.chosen_scores,
                    list(outputs0) if outputs0 is not None else None, same_input)
        if prev.memo is not None:
            prev.memo.update(inputs=tuple(articles), outputs=out, prints=prev.prints)
        return out, kept
    gone_old = np.flatnonzero((new_of_old < 0) | (src[np.maximum(new_of_old, 0)] != np.arange(n0)))  # deleted or changed
    fresh_arr = np.asarray(fresh, dtype=np.int64)
    is_fresh = np.zeros(n, dtype=bool)
    is_fresh[fresh_arr] = True

    # 1. terms: the fresh articles' counts, new terms put in their sorted places
    vocab = rm.Vocabulary()
    fc = rm.count_terms([articles[i] for i in fresh], vocab, t.title, plain=True)
    terms0 = prev.terms
    fresh_terms = list(vocab.columns)
    known, is_new = _places(terms0, fresh_terms)
    place = {x: c for x, c, nw in zip(fresh_terms, known, is_new) if nw}
    new_terms = sorted(place)
    ins = np.asarray([place[x] for x in new_terms], dtype=np.int64)
    V = len(terms0) + len(new_terms)
    colmap = np.arange(len(terms0), dtype=np.int64) + np.searchsorted(ins, np.arange(len(terms0)), side="right")
    new_pos = ins + np.arange(len(new_terms))
    terms = _with_terms(terms0, ins, new_terms, colmap, new_pos) if new_terms else terms0
    at_new = {x: int(c) for x, c in zip(new_terms, new_pos.tolist())}
    fmap = np.asarray([colmap[c] if not nw else at_new[x] for x, c, nw in zip(fresh_terms, known, is_new)], dtype=np.int64)
    data = fc.data
    kept_type = prev.counts.data.dtype
    if kept_type != data.dtype and np.array_equal(data.astype(kept_type).astype(data.dtype), data):
        data = data.astype(kept_type)  # counts kept small (uint8) stay small: no copy of all of them as float32
    fresh_counts = rm.Csr(data, fmap[fc.indices].astype(np.int32) if fc.nnz else fc.indices, fc.indptr, (len(fresh), V),
                          has_sorted_indices=False).sorted()
    source = src.copy()
    source[fresh_arr] = -1 - np.arange(len(fresh))
    counts = rm.splice_rows(prev.counts, source, fresh_counts, V, colmap)
    kinds = np.empty(V)
    kinds[colmap] = prev.kinds
    kinds[new_pos] = rm.kind_flags(new_terms, t.keyphrase, t.entity, t.tag)
    common = np.empty(V, dtype=bool)
    common[colmap] = old.common
    common[new_pos] = rm.common_flags(new_terms)

    # 2. weights: rows with a term whose weight (or linking) changed are weighed again
    df = _df_after(prev, old, counts, fresh_counts, gone_old, colmap, V)
    w = rm.weights_of(n, df, common, kinds, t.max_df, t.min_docs_for_df, t.idf_step)
    idf0 = np.full(V, np.nan)
    idf0[colmap] = old.weights.idf
    links0 = np.zeros(V, dtype=bool)
    links0[colmap] = old.weights.links
    moved_terms = np.flatnonzero(~(w.idf == idf0) | (w.links != links0))
    again = np.union1d(_rows_with(counts, moved_terms), fresh_arr)
    weighed = rm.weigh(counts.rows(again), w, plain=True) if len(again) else rm.Csr.empty(0, V)
    vsource = np.where(src >= 0, src, 0)
    vsource = vsource.copy()
    vsource[again] = -1 - np.arange(len(again))
    vectors = rm.splice_rows(old.vectors, vsource, weighed, V, colmap)
    # rows whose vector really changed (the fresh ones, and those weighed to other values)
    x0 = old.vectors
    changed_x = again[_rows_differ(rm.Csr.of(x0), src[again], weighed, colmap)]
    # the same rows in the old numbering, with the deleted and changed articles
    old_changed = np.union1d(gone_old, src[changed_x[src[changed_x] >= 0]] if len(changed_x) else np.zeros(0, np.int64))

    # 3. postings: each column the changed rows touch keeps its heaviest rows again. Its new
    #    list is made from its old list (less the changed rows) and the changed rows' new
    #    entries: a row beyond the old list stays beyond it, unless the list lost so many rows
    #    that it could come in (then every entry of the column is read).
    cap = t.max_postings
    at = _positions(vectors.indptr, changed_x)  # the changed rows' new entries
    in_touched = np.zeros(V + 1, dtype=bool)
    in_touched[colmap[x0.indices[_positions(x0.indptr, old_changed)].astype(np.int64)]] = True
    in_touched[vectors.indices[at]] = True
    touched = np.flatnonzero(in_touched[:V])
    ro, co, vo = _old_lists(prev, old, touched, colmap, in_touched)  # (old row, new column, value)
    # a full old list may have rows beyond it: its last value bounds theirs
    last = np.full(V, -np.inf)
    if len(co):
        full = np.bincount(co, minlength=V) >= cap
        lowest = np.full(V, np.inf)
        if np.all(co[1:] >= co[:-1]):  # one run per column (as read from the transposed postings)
            starts = np.flatnonzero(np.r_[True, co[1:] != co[:-1]])
            lowest[co[starts]] = np.minimum.reduceat(vo.astype(np.float64), starts)
        else:
            np.minimum.at(lowest, co, vo.astype(np.float64))
        last[full] = lowest[full]
    else:
        full = np.zeros(V, dtype=bool)
    bad0 = np.zeros(n0 + 1, dtype=bool)
    bad0[old_changed] = True
    lens = np.diff(vectors.indptr)[changed_x]
    rn, cn, vn = np.repeat(changed_x, lens), vectors.indices[at].astype(np.int64), vectors.data[at]
    # the lists that can change: a changed (or deleted) row was in them, or a changed row's entry
    # can come in (the list is not full, or the entry reaches its last value); the other columns
    # the changed rows touch keep their lists as they were
    can_enter = ~full[cn] | (vn.astype(np.float64) >= last[cn])
    in_real = np.zeros(V + 1, dtype=bool)
    in_real[co[bad0[ro]]] = True
    in_real[cn[can_enter]] = True
    real = np.flatnonzero(in_real[:V])
    if len(real) < len(touched):
        touched, in_touched = real, in_real
        mine = in_touched[co]
        ro, co, vo = ro[mine], co[mine], vo[mine]
        mine = in_touched[cn]
        rn, cn, vn = rn[mine], cn[mine], vn[mine]
    same = ~bad0[ro]  # entries of rows whose vector is the same
    ru, cu, vu = new_of_old[ro[same]], co[same], vo[same]
    ahead = np.bincount(cu, minlength=V) + np.bincount(cn[vn.astype(np.float64) > last[cn]], minlength=V)
    whole = np.flatnonzero(full & (ahead < cap) & in_touched[:V])  # columns read in full
    in_whole = np.zeros(V + 1, dtype=bool)
    in_whole[whole] = True
    if len(whole):
        rw, cw, vw = _entries(vectors, whole)
        ku, kn_ = ~in_whole[cu], ~in_whole[cn]
        r_new = np.concatenate([ru[ku], rn[kn_], rw])
        c_new = np.concatenate([cu[ku], cn[kn_], cw])
        v_new = np.concatenate([vu[ku], vn[kn_], vw])
    else:
        r_new, c_new, v_new = np.concatenate([ru, rn]), np.concatenate([cu, cn]), np.concatenate([vu, vn])
    # each column keeps its ``cap`` heaviest candidates: only a column with more is sorted (a
    # column read in part keeps at least ``cap`` entries of its old list, all at least its last
    # value: a changed row's entry below that last value cannot come in)
    fits = in_whole[c_new] | (v_new.astype(np.float64) >= last[c_new])
    r_new, c_new, v_new = r_new[fits], c_new[fits], v_new[fits]
    over = np.flatnonzero(np.bincount(c_new, minlength=V)[c_new] > cap)
    resorted = np.zeros(V + 1, dtype=bool)  # columns whose rows may not be their old ones
    resorted[whole] = True
    if len(over):
        order = over[np.lexsort((r_new[over], -v_new[over], c_new[over]))]
        cs = c_new[order]
        resorted[cs] = True
        keep = np.ones(len(c_new), dtype=bool)
        keep[order[np.arange(len(cs)) - np.searchsorted(cs, cs, side="left") >= cap]] = False
        r_new, c_new, v_new = r_new[keep], c_new[keep], v_new[keep]
    # rows whose postings changed: the rows whose vector changed (their values), and the rows
    # whose vector is the same that left a list or came in (only in a column sorted or read whole)
    is_changed = np.zeros(n + 1, dtype=bool)
    is_changed[changed_x] = True
    mine = resorted[cu]
    was = ru[mine] * V + cu[mine]
    mine = resorted[c_new] & ~is_changed[r_new]
    now = r_new[mine] * V + c_new[mine]
    moved_rows = np.setxor1d(was, now) // V
    changed_p = np.union1d(np.union1d(changed_x, fresh_arr), moved_rows)  # (new numbering)
    # the other rows' postings are the old ones, with rows and columns renumbered: a row keeps
    # its entries in a touched column unless it is one of ``changed_p``
    postings = _postings_after(rm.Csr.of(old.postings), src, changed_p, in_touched, r_new, c_new, v_new, colmap, V)
    if len(touched) <= _SPLICE_COLUMNS or not rm.scipy_loaded():  # a few lists of terms changed: those put in place
        pt = _spliced_transpose(prev, old, postings, touched, r_new, c_new, v_new, colmap, new_of_old)
    else:  # (scipy's kernel is faster; the same matrix)
        pt = rm.Csr.of(postings.tosp().T.tocsr())

    # 4. neighbours: rows whose vector changed are scored again; the other rows' lists change
    #    only where a changed document was listed or now scores
    docs0 = old.neighbours[np.maximum(src, 0)]
    scores0 = old.scores[np.maximum(src, 0)]
    if n == n0 and bool((new_of_old == np.arange(n0)).all()):  # the same numbering
        docs = docs0.astype(np.int32)
    else:
        docs = np.where(docs0 >= 0, new_of_old[np.maximum(docs0, 0)], -1).astype(np.int32)
    scores = scores0.copy()
    listed_again = np.zeros(n, dtype=bool)  # rows whose neighbour list is not what it was
    listed_again[fresh_arr] = True
    changed_p_old = np.union1d(gone_old, src[changed_p[src[changed_p] >= 0]]) if len(changed_p) else gone_old
    redo = np.zeros(n, dtype=bool)
    redo[fresh_arr] = True
    redo[changed_x] = True
    # the first wider round (4 × as many candidates, of which the neighbours are the first ones:
    # see :func:`_wide_lists`) of rows whose related list was wide: those the run before kept are
    # merged as the neighbours are (from the same product)
    width = min(n, 4 * t.candidates) if n < _WIDER_BELOW else t.candidates
    kept_w = memo.get("wider") if memo.get("prints") is prev.prints and width > t.candidates else None
    merged_w = None
    both_w = None  # (rows, their rounds now, and before: documents in the old numbering)
    if _query_terms(n, t) == 0:
        hits = None
        if kept_w is not None and kept_w[0].shape[1] == width and len(kept_w[2]):
            d_w0, s_w0, rows_w0 = kept_w
            rows_w = new_of_old[rows_w0]
            mine = (rows_w >= 0) & (src[np.maximum(rows_w, 0)] == rows_w0) & ~redo[np.maximum(rows_w, 0)]
            w_rows, w_docs0, w_scores = rows_w[mine], d_w0[mine], s_w0[mine].copy()
            w_docs = np.where(w_docs0 >= 0, new_of_old[np.maximum(w_docs0, 0)], -1).astype(w_docs0.dtype)
            floor = _merge_floor(docs0, scores, redo)
            floor[w_rows] = np.minimum(floor[w_rows], _merge_floor(w_docs0, w_scores, np.zeros(len(w_rows), dtype=bool)))
            hits = rm.hits_at_least(vectors, postings, changed_p, floor)
        short = _merge_neighbours(vectors, postings, changed_p, docs0, docs, scores, redo, listed_again, hits)
        redo |= short
        if hits is not None:
            slot = np.full(n, -1, dtype=np.int64)
            slot[w_rows] = np.arange(len(w_rows))
            hr, hc, hv = hits
            at = slot[hr] >= 0
            none = np.zeros(len(w_rows), dtype=bool)
            unproven = _merge_neighbours(vectors, postings, changed_p, w_docs0, w_docs, w_scores, none, none.copy(),
                                         (slot[hr[at]], hc[at], hv[at]), w_rows)
            # a row whose neighbours could not be merged (a listed document lost its place) but
            # whose first wider round could: its neighbours are that round's first ones (the
            # prefix property), not scored again
            took = ~unproven & short[w_rows]
            if took.any():
                r, d_k, s_k = w_rows[took], w_docs[took, : t.candidates], w_scores[took, : t.candidates]
                listed_again[r] |= (docs[r] != d_k).any(axis=1) | (scores[r] != s_k).any(axis=1)
                docs[r], scores[r] = d_k, s_k
                redo[r] = False
            good = ~unproven & ~redo[w_rows]  # (a row scored again gets its round below)
            merged_w = (w_docs[good], w_scores[good], w_rows[good])
            both_w = (w_rows[good], w_docs[good], w_scores[good], w_docs0[good], s_w0[mine][good])
    else:  # rows scored with their heaviest terms: a row a changed document touches is scored again
        listed_bad = _among(old.neighbours, changed_p_old, n0).any(axis=1)
        redo |= (src >= 0) & listed_bad[np.maximum(src, 0)]
        if len(changed_p):
            hr, hc, v = _hits(vectors, None, postings, changed_p)
            j, d = hr, changed_p[hc]
            full_list = docs0[j, -1] >= 0
            kth = np.where(full_list, scores0[j, -1], 0.0)
            enter = (j != d) & np.where(full_list, v >= kth, v > 0)
            redo[j[enter]] = True
    redo_rows = np.flatnonzero(redo)
    wide0 = (src >= 0) & prev.wide[np.maximum(src, 0)]
    # a row scored again whose related list was wide most likely is again: its first wider round
    # is taken from the same product
    wider = merged_w
    if len(redo_rows):
        by_width = wide0[redo_rows] & (width > t.candidates)
        d_new = np.empty((len(redo_rows), t.candidates), dtype=docs.dtype)
        s_new = np.empty((len(redo_rows), t.candidates), dtype=scores.dtype)
        if not by_width.all():
            d_new[~by_width], s_new[~by_width] = rm.top_neighbours(
                vectors, pt, t.candidates, redo_rows[~by_width].tolist(), t.block, _query_terms(n, t))
        if by_width.any():
            d_w, s_w = rm.top_neighbours(vectors, pt, width, redo_rows[by_width].tolist(), t.block, _query_terms(n, t))
            d_new[by_width], s_new[by_width] = d_w[:, : t.candidates], s_w[:, : t.candidates]
            wider = _rounds([(d_w, s_w, redo_rows[by_width])] + ([merged_w] if merged_w is not None else []))
        listed_again[redo_rows] |= (docs[redo_rows] != d_new).any(axis=1) | (scores[redo_rows] != s_new).any(axis=1)
        docs[redo_rows], scores[redo_rows] = d_new, s_new

    # 5. sections, times, titles, rare entities
    names = tuple(sorted({a.section for a in articles if a.section}))
    if names != old.section_names:
        raise _Unproven("the sections changed")
    number = {s: i for i, s in enumerate(names)}
    own = np.where(src >= 0, old.sections[np.maximum(src, 0)], -1).astype(np.int32)
    times = np.where(src >= 0, old.times[np.maximum(src, 0)], 0.0)
    for i in fresh:
        own[i] = number.get(articles[i].section, -1)
        times[i] = _timestamp(articles[i])
    profiles = _profiles(np.arange(n), own, docs, scores, len(names), t)
    if profiles is None:
        changed_prof = np.zeros(0, dtype=np.int64)
    else:
        p_old = old.profiles[np.maximum(src, 0)]
        changed_prof = np.flatnonzero((src < 0) | (profiles != p_old).any(axis=1))
    columns = _Columns(terms)
    rare0 = np.zeros(V, dtype=bool)
    rare0[colmap] = (old.weights.df >= 2) & (old.weights.df <= t.event_entity_df)
    rare = (df >= 2) & (df <= t.event_entity_df)
    flip = np.flatnonzero(rare != rare0)
    flip = flip[[terms[c].startswith("e:") for c in flip.tolist()]] if len(flip) else flip
    ent_again = set(_rows_with(counts, flip).tolist()) | set(fresh)
    ent_list = list(map(old.entities.__getitem__, np.maximum(src, 0).tolist()))
    for i in ent_again:
        ent_list[i] = _rare_entities(articles[i], columns, df, t.event_entity_df) if articles[i].entities else frozenset()
    entities = tuple(ent_list)
    titles = tuple(map(_title_of, articles))
    index = Index(
        slugs=slugs, titles=titles, times=times, vectors=vectors, postings=postings, neighbours=docs, scores=scores,
        section_names=names, sections=own, profiles=profiles, vocabulary=columns, weights=w, common=common,
        entities=entities, position={}, tuning=t,
    )

    # 6. same-story groups and named headlines, from the (cached) pieces
    ends = prev.ends[np.maximum(src, 0)].copy()
    for i in fresh:
        ends[i] = _end_keys(articles[i], t)
    # the rows whose same-story pairs may have changed: their lists, vectors, texts or rare
    # entities changed, or a text that opens or ends alike joins or leaves their bucket ...
    affected = listed_again.copy()
    affected[changed_x] = True
    affected[[i for i in ent_again if src[i] >= 0 and entities[i] != old.entities[src[i]]]] = True
    for col in (0, 1):
        keys = np.concatenate([ends[fresh_arr, col], prev.ends[gone_old, col]])
        keys = keys[keys != 0]
        if len(keys):
            affected |= np.isin(ends[:, col], keys)
    # ... and every member of a group such a row, or a deleted or changed article, was in
    canon0 = prev.canonical[np.maximum(src, 0)]
    bad_groups = np.union1d(prev.canonical[gone_old], prev.canonical[src[affected & (src >= 0)]])
    dirty_groups = affected | ((src >= 0) & _among(canon0, bad_groups, n0))
    start = np.where(dirty_groups, np.arange(n), new_of_old[canon0])
    if (start < 0).any():  # cannot happen: a clean group keeps its canonical member
        raise _Unproven("a group lost its canonical member")
    verdicts = dict(prev.verdicts)
    canonical = _regroup(articles, index, ends, prints, verdicts, start, dirty_groups)
    if len(gone_old):  # verdicts about texts no article has any more are dropped
        w = len(prev.prints[0])
        dead = {prev.prints[j] for j in gone_old.tolist()}
        verdicts = {key: v for key, v in verdicts.items() if key[:w] not in dead and key[w:] not in dead}
    same_canon = (src >= 0) & (new_of_old[canon0] == canonical)
    changed_canon = np.flatnonzero(~same_canon)
    named = {i: tuple(v) for i, v in named_headlines(articles, t).items()}
    named0 = {int(new_of_old[i]): tuple(int(new_of_old[j]) for j in v) for i, v in prev.named.items() if new_of_old[i] >= 0}
    changed_named = [i for i in set(named) | set(named0) if named.get(i) != named0.get(i)]

    # 7. lists: rows whose list can read anything that changed
    touched_docs = np.unique(np.concatenate([fresh_arr, changed_p, changed_prof, changed_canon]))
    dirty = np.zeros(n, dtype=bool)
    dirty[touched_docs] = True
    dirty[redo_rows] = True
    # a list looked for beyond the row's neighbours is checked below, whatever its neighbours
    dirty |= listed_again & ~wide0
    dirty[np.asarray(changed_named, dtype=np.int64)] = True
    # a candidate whose postings changed changes a list only through its score (``listed_again``);
    # one whose section profile, group or date changed, whatever its score
    attr_docs = np.unique(np.concatenate([fresh_arr, changed_prof, changed_canon]))
    dirty |= _among(docs, attr_docs, n).any(axis=1)
    bad_attr_old = np.union1d(gone_old, src[attr_docs[src[attr_docs] >= 0]])
    chosen0 = prev.chosen[np.maximum(src, 0)]
    dirty |= (src >= 0) & _among(chosen0, bad_attr_old, n0).any(axis=1)
    if wide0.any():
        # a list looked for among every document sharing a term changes only when a touched
        # document is listed (or in the group of a listed one) and its score or its section
        # profile, group or date changed, or when its score can reach the list's last score (a
        # score is at most the cosine × the row's best section agreement)
        canon0_old = prev.canonical
        targets = np.union1d(canonical[attr_docs], new_of_old[canon0_old[bad_attr_old]])
        chosen_now = np.where(chosen0 >= 0, new_of_old[np.maximum(chosen0, 0)], -1)
        dirty |= wide0 & _among(chosen_now, targets[targets >= 0], n).any(axis=1)
        moved_p = changed_p[src[changed_p] >= 0]
        floor = max(cfg.min_score, 1e-9)
        scores_now = prev.chosen_scores[np.maximum(src, 0)]
        full_k = (chosen0[:, k - 1] >= 0) if k > 0 else np.ones(n, dtype=bool)
        kth = np.where(full_k, scores_now[:, k - 1] if k > 0 else np.inf, floor)
        by_name = np.zeros(n, dtype=bool)
        by_name[[i for i in set(named) | set(named0) if 0 <= i < n]] = True
        kth[by_name] = -np.inf  # named headlines first: any contact counts
        best = np.maximum(_best_agreement(index, np.arange(n)), _best_agreement(old, np.maximum(src, 0)))
        decided = np.zeros(n, dtype=bool)
        if both_w is not None:
            # a row whose first wider round is known now and before, and no document beyond
            # either can reach its list: the checks below are read from its two rounds (a
            # listed group's member that cannot reach the list is not the one it is listed by)
            rr, bad = _wide_rows_dirty(both_w, np.flatnonzero(wide0 & ~dirty), n, new_of_old, best, kth, attr_docs,
                                       moved_p, gone_old)
            decided[rr] = True
            dirty[rr[bad]] = True
        # a listed group with a member whose postings changed: listed the same if that member
        # scores for the row what it scored (the same float32 sum over the row's terms)
        listed_p = wide0 & ~dirty & ~decided & _among(chosen_now, canonical[moved_p], n).any(axis=1)
        if listed_p.any():
            rr = np.flatnonzero(listed_p)
            if len(rr) * len(moved_p) > _PAIRS_AT_ONCE:  # too many to compare: listed again
                dirty[rr] = True
            else:
                now = rm.row_products(vectors, rr, postings, moved_p)
                was = rm.row_products(old.vectors, src[rr], old.postings, src[moved_p])
                group = canonical[moved_p]
                member = np.zeros((len(rr), len(moved_p)), dtype=bool)
                for col in range(k):
                    member |= chosen_now[rr, col][:, None] == group[None, :]
                dirty[rr[(member & (now != was)).any(axis=1)]] = True
        check = np.flatnonzero(wide0 & ~dirty & ~decided)
        pairs = len(check) * len(moved_p)
        docs_now = attr_docs if pairs <= _PAIRS_AT_ONCE else touched_docs
        if len(check) and len(docs_now):
            hr, _, hv = _hits(vectors, check, postings, docs_now)
            r = check[hr]
            dirty[r[hv.astype(np.float64) * best[r] + 1e-4 >= kth[r]]] = True
        check = np.flatnonzero(wide0 & ~dirty & ~decided)
        if len(check) and len(moved_p) and pairs <= _PAIRS_AT_ONCE:
            # a document whose postings changed (its article did not) matters only where its
            # score for the row changed, and then when the higher of its two scores could list it
            now = rm.row_products(vectors, check, postings, moved_p)
            was = rm.row_products(old.vectors, src[check], old.postings, src[moved_p])
            reach = np.maximum(now, was).astype(np.float64) * best[check][:, None] + 1e-4 >= kth[check][:, None]
            dirty[check[((now != was) & reach).any(axis=1)]] = True
        old_bad_p = np.union1d(gone_old, changed_p_old) if pairs > _PAIRS_AT_ONCE else gone_old
        check = np.flatnonzero(wide0 & ~dirty & ~decided)
        if len(check) and len(old_bad_p):
            hr, _, hv = _hits(old.vectors, src[check], old.postings, old_bad_p)
            r = check[hr]
            dirty[r[hv.astype(np.float64) * best[r] + 1e-4 >= kth[r]]] = True
    rows = np.flatnonzero(dirty)
    rank = _tie_rank_after(prev.rank, index, src, new_of_old, fresh_arr)
    chosen = np.where(chosen0 >= 0, new_of_old[np.maximum(chosen0, 0)], -1).astype(np.int32)
    chosen_scores = prev.chosen_scores[np.maximum(src, 0)].copy()
    # the earlier lists (a deleted or changed article listed: -2, never the same list again)
    then, then_scores = chosen.copy(), chosen_scores.copy()
    then[(chosen0 >= 0) & ((chosen < 0) | (src[np.maximum(chosen, 0)] < 0))] = -2
    first: list = []
    wide_rows = _lists(index, canonical.tolist(), named, k, cfg.min_score, rows, rank, pt, chosen, chosen_scores, wider, first)
    wide = wide0.copy()
    wide[rows] = False
    wide[sorted(wide_rows)] = True
    # a list kept as it was (see above) whose neighbours changed may now be complete from them
    regain = wide0 & listed_again & ~dirty
    regain[[i for i in named if 0 <= i < n]] = False
    if regain.any():
        wide[_plain_put(index, canonical.tolist(), k, cfg.min_score, np.flatnonzero(regain), rank, chosen, chosen_scores)] = False
    kept_wider = None
    if width > t.candidates:  # the wide rows' first wider round, when known, for the next run
        rounds = _rounds(([wider] if wider is not None else []) + first)
        if rounds is not None:
            at = wide[rounds[2]]
            kept_wider = (rounds[0][at], rounds[1][at], rounds[2][at])
    # rows whose related list differs from the earlier one (a list ranked again often comes out
    # the same: its links are then the earlier ones, the same documents, scores and headlines)
    other_list = (src < 0) | (chosen != then).any(axis=1) | (chosen_scores != then_scores).any(axis=1)
    if outputs0 is not None and n == n0 and bool((new_of_old == np.arange(n0)).all()):
        # the earlier outputs in the same places: only the rows whose list, input or group may
        # differ are made again (a group differs only where a member's canonical row changed)
        groups_hit = np.union1d(canonical[changed_canon], canon0[changed_canon])
        again_rows = other_list | ~np.asarray(same_input, dtype=bool) | (src < 0)
        again_rows |= _among(canonical, groups_hit, n) | _among(canon0, groups_hit, n)
        out = _emit(articles, index, canonical.tolist(), chosen, chosen_scores, None, None,
                    np.flatnonzero(again_rows), outputs0)
    elif outputs0 is not None:
        # articles added, deleted or moved: a row keeps the earlier output of its unchanged article
        # when its list, its input and its group are the same. A group is the same (the same
        # slugs, the same canonical one) unless a member joined it or left it: a row whose
        # canonical article changed (a new or changed one among them) is made again with every
        # member of its group now and before, and so are the other members of a deleted or
        # changed article's group.
        left = np.union1d(prev.canonical[gone_old], canon0[changed_canon[src[changed_canon] >= 0]])
        again_rows = other_list | ~np.asarray(same_input, dtype=bool) | (src < 0)
        again_rows |= _among(canonical, canonical[changed_canon], n)
        again_rows |= (src >= 0) & _among(canon0, left, n0)
        earlier = list(map(outputs0.__getitem__, np.maximum(src, 0).tolist()))
        out = _emit(articles, index, canonical.tolist(), chosen, chosen_scores, None, None,
                    np.flatnonzero(again_rows), earlier)
    else:
        out = _emit(articles, index, canonical.tolist(), chosen, chosen_scores, None, same_input)
    log.debug("relate: %d changed, %d vectors, %d neighbour lists, %d related lists redone",
              len(fresh), len(changed_x), len(redo_rows), len(rows))
    state = RelateState(
        key=prev.key, prints=prints, index=index, terms=terms, kinds=kinds, counts=counts, ends=ends,
        tokens=tuple(tokens) if tokens is not None else (),
        canonical=canonical, named=named, chosen=chosen, chosen_scores=chosen_scores, wide=wide, verdicts=verdicts,
        memo={"inputs": tuple(articles), "outputs": out, "prints": prints, **({"wider": kept_wider} if kept_wider else {})},
        postings_t=pt, rank=rank,
    )
    return out, state
