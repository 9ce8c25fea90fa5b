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
   document). The cost of a row stops growing with the corpus. From
   :attr:`Tuning.parallel_from` articles, counting and the product are shared among
   :attr:`Tuning.workers` processes, with the same result.
3. **Section agreement** (re-ranking). Each article gets a section profile: its own section (from
   the tag stage, or front matter) mixed with the score-weighted sections of its
   :attr:`Tuning.section_neighbours` nearest neighbours. A link's score is its cosine times
   ``(1 + g·A) / (1 + g)``, with ``A`` the dot product of the two profiles and ``g`` =
   :attr:`Tuning.section`: a link inside the story's neighbourhood keeps its cosine, a link across
   sections loses up to ``g / (1 + g)`` of it. The neighbours' sections correct a wrong guess of
   the tag stage. Without sections (no tag stage) scores are plain cosines.
4. **Same story** (:func:`find_groups`). Candidate pairs come from the neighbour lists (a score of
   at least :attr:`Tuning.dup_candidate`); a pair is the same story when the Jaccard similarity
   of the word 5-gram shingles of the bodies is at least :attr:`Tuning.dup_jaccard`, or (when the
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
   article is scored against every document instead, so the lists are exact.

Everything is pure and deterministic: the same articles in the same order give the same output,
whatever the block size.
"""
from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from . import relate_matrix as rm
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
    "update",
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
    max_df: float = 0.5
    """Terms in more than this share of the documents are dropped (only once the corpus has
    :attr:`min_docs_for_df` documents, so tiny corpora keep their words)."""
    min_docs_for_df: int = 20
    """Corpus size from which :attr:`max_df` applies."""
    max_postings: int = 100
    """Each term counts only for its this many heaviest documents on the scored side of a pair,
    so the cost of a row stops growing with the corpus (on the BBC dev set 100 loses nothing
    against exact cosines)."""
    query_terms: int = 0
    """Heaviest terms of an article used to score the others (0: all of them). Fewer terms make
    a row cheaper at a small cost in precision."""
    candidates: int = 40
    """Best-scoring documents kept per article (re-ranking, same-story checks and links use them)."""
    block: int = 512
    """Rows per block of the sparse product (memory only: results do not depend on it)."""
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
    """Articles whose text opens or ends with the same this many words are always checked for
    near-duplicate text (0: only pairs scoring :attr:`dup_candidate`)."""
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
    entities: tuple[frozenset[int], ...]  #: rare entity columns per document (same-event rule)
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


def _rare_entities(article: Article, vocab: Mapping[str, int], df: np.ndarray, limit: int) -> frozenset[int]:
    cols = (vocab.get("e:" + rm.key(e.name)) for e in article.entities)
    return frozenset(c for c in cols if c is not None and c < len(df) and df[c] <= limit)


def build_index(articles: Sequence[Article], tuning: Tuning = DEFAULT_TUNING) -> Index:
    """Index ``articles`` and find each one's neighbours (see the module docstring, steps 1–3).

    Cost: one pass over the text, then a sparse product in blocks of rows (never all pairs)."""
    t = tuning
    workers = max(1, min(t.workers, os.cpu_count() or 1)) if len(articles) >= t.parallel_from else 1
    vec = rm.build_vectors(articles, t.title, t.max_df, t.min_docs_for_df, t.keyphrase, t.entity, t.tag,
                           workers=workers)
    x, w = vec.matrix, vec.weights
    postings = rm.cap_postings(x, t.max_postings)
    query = rm.cap_terms(x, t.query_terms) if t.query_terms else x
    docs, scores = rm.top_neighbours_parallel(query, postings.T.tocsr(), t.candidates, t.block, workers)
    del query

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
        entities=tuple(
            _rare_entities(a, columns, w.df, t.event_entity_df) if a.entities else frozenset() for a in articles
        ),
        position={s: i for i, s in enumerate(slugs)},
        tuning=t,
    )


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


def _adjusted_all(index: Index, block: int = 4096) -> np.ndarray:
    """:func:`_adjusted` of every neighbour list at once (same shape as ``index.scores``)."""
    out = np.zeros(index.scores.shape, dtype=np.float64)
    for b0 in range(0, len(index), block):
        rows = np.arange(b0, min(len(index), b0 + block))
        out[rows] = _adjusted(index, rows, index.neighbours[rows], index.scores[rows])
    return out


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
    x = index.vectors
    a, b = x.indptr[doc], x.indptr[doc + 1]
    dense = np.zeros(x.shape[1], dtype=np.float32)
    dense[x.indices[a:b]] = x.data[a:b]
    row = index.postings @ dense
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


# -- incremental ---------------------------------------------------------------------------------


def _vector(index: Index, article: Article, n: int, add: bool) -> tuple[sp.csr_matrix, rm.Weights]:
    """The article's row weighed like the index's rows (its own terms' frequencies updated when
    it is added), and the index's weights with those frequencies."""
    t = index.tuning
    own = rm.Vocabulary()
    counts = rm.count_terms([article], own, t.title)
    terms = list(own.columns)
    known = np.array([index.vocabulary.get(term, -1) for term in terms], dtype=np.int64)
    w = index.weights
    df = w.df.copy() if add else w.df
    if add:
        df[known[known >= 0]] += 1
    local_df = np.where(known >= 0, df[np.maximum(known, 0)], 1)
    kinds = own.kind_weights(t.keyphrase, t.entity, t.tag)
    idf = rm.idf_of(n, local_df, own.common(), kinds)
    if n >= t.min_docs_for_df:
        idf[local_df > t.max_df * n] = 0.0
    links = (known >= 0) & (idf > 0)
    links &= np.where(known >= 0, w.links[np.maximum(known, 0)], False)  # a word of one article links nothing yet
    row = rm.weigh(counts, rm.Weights(docs=n, df=local_df, idf=idf, links=links))
    cols = known[row.indices]
    vec = sp.csr_matrix((row.data, cols.astype(np.int32), np.array([0, len(cols)])), shape=(1, index.vectors.shape[1]))
    vec.sort_indices()
    return vec, replace(w, docs=n, df=df)


def _set_row(m: sp.csr_matrix, doc: int, row: sp.csr_matrix) -> sp.csr_matrix:
    """A copy of ``m`` with row ``doc`` replaced by ``row`` (``doc == len``: appended)."""
    ip = m.indptr
    if doc == m.shape[0]:
        data = np.concatenate([m.data, row.data.astype(m.data.dtype)])
        ind = np.concatenate([m.indices, row.indices.astype(m.indices.dtype)])
        indptr = np.append(ip, ip[-1] + row.nnz)
        return sp.csr_matrix((data, ind, indptr), shape=(m.shape[0] + 1, m.shape[1]))
    a, b = ip[doc], ip[doc + 1]
    data = np.concatenate([m.data[:a], row.data.astype(m.data.dtype), m.data[b:]])
    ind = np.concatenate([m.indices[:a], row.indices.astype(m.indices.dtype), m.indices[b:]])
    indptr = ip.copy()
    indptr[doc + 1 :] += row.nnz - (b - a)
    return sp.csr_matrix((data, ind, indptr), shape=m.shape)


def update(
    index: Index, article: Article, count: int | None = None, min_score: float = 0.0
) -> tuple[Index, frozenset[str]]:
    """Add ``article`` to ``index``, or replace the indexed article with the same slug (an edit).

    Returns the new index (``index`` itself is left as it was) and the slugs whose related lists
    may have changed: the article itself, the articles that now have it among their neighbours
    (with ``count`` given: only those where it can enter the best ``count`` scoring at least
    ``min_score``), and (for an edit) those that had it before. Only those need :func:`related`
    again (with the same ``count`` and ``min_score``); every other list is unchanged. Cost: two
    sparse matrix × vector products and a few copies, milliseconds at 10,000 articles.

    Approximations, all undone by the next full :func:`build_index`: the other articles keep the
    term weights they were given (the corpus IDF is not recomputed; the new article is weighted
    with the index's document frequencies plus its own); a word the index saw in one article only
    links nothing yet; an edited article's old entries leave the postings and neighbour lists
    without others moving up; section profiles are refreshed for the changed articles only.
    Same-story groups are not kept in the index: run :func:`relate` on the next build.
    """
    t = index.tuning
    old = index.position.get(article.slug)
    add = old is None
    doc = len(index) if add else old
    n = len(index) + add
    vec, w = _vector(index, article, n, add)

    # postings: the article enters a term's postings when it is among its max_postings heaviest
    post = index.postings
    if not add:
        post = _set_row(post, doc, sp.csr_matrix((1, post.shape[1]), dtype=np.float32))
    keep = np.ones(vec.nnz, dtype=bool)
    evict: list[int] = []  # positions in post.data
    if vec.nnz:
        pos = np.flatnonzero(np.isin(post.indices, vec.indices))  # postings of the article's terms
        ent_col, ent_w = post.indices[pos], post.data[pos]
        ent_doc = np.searchsorted(post.indptr, pos, side="right") - 1
        held = np.bincount(ent_col, minlength=post.shape[1])[vec.indices]
        for at in np.flatnonzero(held >= t.max_postings).tolist():
            col = vec.indices[at]
            mine = np.flatnonzero(ent_col == col)
            ws, ds = ent_w[mine], ent_doc[mine]
            weakest = np.lexsort((-ds, ws))[0]  # lowest weight; ties: the highest document
            if vec.data[at] > ws[weakest] or (vec.data[at] == ws[weakest] and doc < ds[weakest]):
                evict.append(int(pos[mine[weakest]]))
            else:
                keep[at] = False
    if evict:
        data = post.data.copy()
        data[evict] = 0.0
        post = sp.csr_matrix((data, post.indices, post.indptr), shape=post.shape)
    prow = sp.csr_matrix((vec.data[keep], vec.indices[keep], np.array([0, int(keep.sum())])), shape=vec.shape)
    post = _set_row(post, doc, prow)
    if evict:
        post.eliminate_zeros()
    vectors = _set_row(index.vectors, doc, vec)

    # neighbours: the article's own list, and its place in the others' lists
    docs, scores = index.neighbours.copy(), index.scores.copy()
    if add:
        docs = np.vstack([docs, np.full((1, docs.shape[1]), -1, np.int32)])
        scores = np.vstack([scores, np.zeros((1, scores.shape[1]), np.float32)])
    changed = {doc}
    if not add:  # the old version leaves the other lists
        had = np.nonzero((docs == doc).any(axis=1))[0]
        for j in had:
            keep_j = docs[j] != doc
            m = int(keep_j.sum())
            docs[j, :m], scores[j, :m] = docs[j][keep_j], scores[j][keep_j]
            docs[j, m:], scores[j, m:] = -1, 0.0
        changed.update(int(j) for j in had)
    own_row = np.asarray(post @ vec.T.toarray()).ravel()  # X[doc] · P[j] for every j
    own_row[doc] = 0.0
    found = np.nonzero(own_row > 0)[0]
    order = np.lexsort((found, -own_row[found]))[: t.candidates]
    docs[doc], scores[doc] = -1, 0.0
    docs[doc, : len(order)] = found[order]
    scores[doc, : len(order)] = own_row[found][order]
    into = np.asarray(vectors @ prow.T.toarray()).ravel().astype(np.float32)  # X[j] · P[doc]
    into[doc] = 0.0
    last = np.where(docs[:, -1] >= 0, scores[:, -1], 0.0)
    enters = np.nonzero((into > last) | ((into == last) & (into > 0) & (docs[:, -1] > doc)))[0]
    before = index  # for "can it enter the best count?" with the lists as they were
    for j in enters.tolist():
        if j == doc:
            continue
        cos = float(into[j])
        row_d, row_s = docs[j][docs[j] >= 0], scores[j][docs[j] >= 0]
        keys = np.lexsort((np.append(row_d, doc), -np.append(row_s, cos)))[: t.candidates]
        new_d = np.append(row_d, doc)[keys]
        new_s = np.append(row_s, np.float32(cos))[keys]
        docs[j], scores[j] = -1, 0.0
        docs[j, : len(new_d)], scores[j, : len(new_d)] = new_d, new_s
        if j in changed or count is None:
            changed.add(j)
        elif cos >= min_score and j < len(before):
            # a score is at most the cosine: can it beat j's count-th link? (unsure: changed)
            listed, unsure = _rank(j, before.neighbours[j], before.scores[j], before, count, min_score)
            if unsure or len(listed) < count or cos >= listed[-1][1]:
                changed.add(j)

    names = index.section_names
    if article.section and article.section not in names:
        names = (*names, article.section)  # profiles are compared column by column: older ones stay valid
    own = index.sections.copy() if not add else np.append(index.sections, -1).astype(np.int32)
    own[doc] = names.index(article.section) if article.section else -1
    profiles = index.profiles
    if names:
        base = profiles if profiles is not None else np.zeros((len(index), 0))
        if base.shape[1] < len(names):
            base = np.hstack([base, np.zeros((base.shape[0], len(names) - base.shape[1]))])
        rows = np.array(sorted(changed), dtype=np.int64)
        profiles = _profiles(rows, own, docs, scores, len(names), t, into=base)

    def put(seq: tuple, value: object) -> tuple:
        return (*seq, value) if add else (*seq[:old], value, *seq[old + 1 :])

    vocab = index.vocabulary
    rare = _rare_entities(article, vocab, w.df, t.event_entity_df)
    slugs = put(index.slugs, article.slug)
    times = index.times.copy() if not add else np.append(index.times, 0.0)
    times[doc] = _timestamp(article)
    new = replace(
        index,
        slugs=slugs,
        titles=put(index.titles, article.title),
        times=times,
        vectors=vectors,
        postings=post,
        neighbours=docs,
        scores=scores,
        section_names=names,
        sections=own,
        profiles=profiles,
        weights=w,
        entities=put(index.entities, rare),
        position=index.position if not add else {**index.position, article.slug: doc},
    )
    return new, frozenset(slugs[j] for j in changed)


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
    a, b = rows.astype(np.int64), docs[rows, cols].astype(np.int64)
    s = scores[rows, cols].astype(np.float64)
    i, j = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((j, -s, i))
    out: list[tuple[int, int, float]] = []
    seen: set[tuple[int, int]] = set()
    for x, y, v in zip(i[order].tolist(), j[order].tolist(), s[order].tolist()):
        if x != y and (x, y) not in seen:
            seen.add((x, y))
            out.append((x, y, v))
    return out


def _same_ends(articles: Sequence[Article], tuning: Tuning) -> list[tuple[int, int, float]]:
    """Pairs of articles whose text opens or ends with the same :attr:`Tuning.dup_words` words
    (i < j, each bucket's members paired with its first and with the previous one), to be checked
    for near-duplicate text whatever their score: a copy is found even where capped postings
    lowered the score of a pair. Marked with a score of 2.0: only the shingle check applies."""
    n_words = tuning.dup_words
    if n_words <= 0:
        return []
    buckets: dict[str, list[int]] = {}
    size = [0] * len(articles)
    for i, a in enumerate(articles):
        ws = rm.doc_text(a).lower().split()
        size[i] = len(ws)
        if len(ws) < 2 * n_words:
            continue
        buckets.setdefault("<" + " ".join(ws[:n_words]), []).append(i)
        buckets.setdefault(">" + " ".join(ws[-n_words:]), []).append(i)
    need = tuning.dup_jaccard
    pairs = set()
    for docs in buckets.values():
        for m in range(1, len(docs)):
            for i in (docs[0], docs[m - 1]):
                j = docs[m]
                # shingle Jaccard is at most the ratio of the lengths: skip pairs that cannot pass
                if min(size[i], size[j]) >= need * max(size[i], size[j]):
                    pairs.add((i, j))
    return [(i, j, 2.0) for i, j in sorted(pairs)]


def find_groups(articles: Sequence[Article], index: Index) -> list[int]:
    """Same-story groups: for each document, the number of its group's canonical document.

    Candidate pairs come from the neighbour lists, and from texts that open or end alike
    (:func:`_same_ends`). A pair is the same story when its body
    shingles have Jaccard ≥ ``dup_jaccard``, or when it is the same event (score ≥
    ``event_cosine``, ≥ ``event_entities`` shared rare entities, ≤ ``event_days`` apart). The
    canonical document of a group is the earliest by ``(date, slug)``. Groups are connected
    components, so the order in which pairs are checked does not matter.
    """
    t = index.tuning
    n = len(articles)
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    memo = rm.WordHashes()
    shingles: dict[int, np.ndarray] = {}

    def shingles_of(i: int) -> np.ndarray:
        s = shingles.get(i)
        if s is None:
            s = shingles[i] = rm.shingle_hashes(rm.doc_text(articles[i]), t.shingle, memo)
        return s

    def near_copy(i: int, j: int) -> bool:
        a, b = shingles_of(i), shingles_of(j)
        small, large = sorted((len(a), len(b)))
        # cheap bound first: Jaccard ≤ min/max of the sizes
        return small >= t.min_shingles and small >= t.dup_jaccard * large and rm.jaccard(a, b) >= t.dup_jaccard

    for i, j, cos in _candidate_pairs(index, min(t.dup_candidate, t.event_cosine)) + _same_ends(articles, t):
        if find(i) == find(j):
            continue
        if cos >= 2.0:  # texts that open or end alike: the shingle check only
            same = near_copy(i, j)
        else:
            same = cos >= t.dup_candidate and near_copy(i, j)
        if not same and t.event_cosine <= cos < 2.0:
            shared = len(index.entities[i] & index.entities[j])
            ti, tj = index.times[i], index.times[j]  # -inf when unknown: never close
            close = bool(np.isfinite(ti) and np.isfinite(tj) and abs(ti - tj) <= t.event_days * 86400.0)
            same = shared >= t.event_entities and bool(close)
        if same:
            log.debug("same story: %s and %s (score %.3f)", index.slugs[i], index.slugs[j], cos)
            parent[find(j)] = find(i)

    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(find(i), []).append(i)
    canonical = list(range(n))
    for group in members.values():
        if len(group) > 1:
            first = min(group, key=lambda i: (index.times[i], index.slugs[i]))
            for i in group:
                canonical[i] = first
    return canonical


def _plain_lists(index: Index, canonical: Sequence[int], k: int, min_score: float) -> dict[int, list[tuple[int, float]]]:
    """The lists of :func:`_ranked` for every document whose neighbour list needs no group logic
    and is known to be complete, computed for all of them at once (the others are left out)."""
    n = len(index)
    if n == 0 or k <= 0:
        return {}
    docs, cos = index.neighbours, index.scores
    canon = np.asarray(canonical, dtype=np.int64)
    floor = max(min_score, 1e-9)
    rank = np.empty(n, dtype=np.int64)  # position by (-date, slug): the tie order of _top
    rank[sorted(range(n), key=lambda i: (-index.times[i], index.slugs[i]))] = np.arange(n)
    width = docs.shape[1]
    earlier = np.tril(np.ones((width, width), dtype=bool), -1)  # [a, b]: b comes before a
    out: dict[int, list[tuple[int, float]]] = {}
    step = max(1, 2_000_000 // (width * width))
    for b0 in range(0, n, step):
        rows = np.arange(b0, min(n, b0 + step))
        d = docs[rows]
        safe = np.maximum(d, 0)
        target = canon[safe]  # another group is listed as its canonical article
        adj = _adjusted(index, rows, d, cos[rows])
        ok = (d >= 0) & (adj >= floor) & (target != canon[rows][:, None])
        order = np.lexsort((rank[target], -np.where(ok, adj, -1.0)), axis=-1)
        t_sorted = np.take_along_axis(target, order, axis=1)
        s_sorted = np.take_along_axis(adj, order, axis=1)
        ok = np.take_along_axis(ok, order, axis=1)
        # a target already listed higher up (with a better or equal score) is not listed again
        seen = ((t_sorted[:, :, None] == t_sorted[:, None, :]) & ok[:, None, :] & earlier).any(axis=2)
        ok &= ~seen
        found = ok.sum(axis=1)
        pos = np.cumsum(ok, axis=1)
        kth_at = np.argmax(pos >= k, axis=1)
        kth = np.where(found >= k, s_sorted[np.arange(len(rows)), kth_at], -1.0)
        last = np.where(d[:, -1] >= 0, cos[rows, -1].astype(np.float64), 0.0) * _best_agreement(index, rows)
        incomplete = (last >= floor) & ((found < k) | (kth < last))
        for r in np.flatnonzero(~incomplete).tolist():
            keep = np.flatnonzero(ok[r])[:k]
            out[b0 + r] = list(zip(t_sorted[r, keep].tolist(), s_sorted[r, keep].tolist()))
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
    index = build_index(articles, tuning)
    canonical = find_groups(articles, index)
    named = named_headlines(articles, tuning)

    members: dict[int, list[str]] = {}
    for i, c in enumerate(canonical):
        members.setdefault(c, []).append(index.slugs[i])
    members = {c: group for c, group in members.items() if len(group) > 1}

    k = cfg.count
    fast = _plain_lists(index, canonical, k, cfg.min_score)
    adjusted = None
    out = []
    for i, article in enumerate(articles):
        c = canonical[i]
        chosen = fast.get(i) if i not in named else None  # named headlines: one by one
        if chosen is None:  # named headlines, same-story groups or a short list: one by one
            if adjusted is None:
                adjusted = _adjusted_all(index)
            first = [(j, 1.0) for j in named.get(i, ()) if canonical[j] != c][:k]
            skip = frozenset(canonical[j] for j, _ in first)
            rest = k - len(first)
            chosen = first + (_ranked(index, i, rest, cfg.min_score, canonical, skip, adjusted[i]) if rest > 0 else [])
        group = members.get(c, ())
        out.append(
            replace(
                article,
                related=_links(index, chosen),
                duplicate_of=None if c == i else index.slugs[c],
                duplicates=tuple(sorted(s for s in group if s != article.slug)),
            )
        )
    log.debug("related %d articles; %d same-story groups", len(out), len(members))
    return tuple(out)
