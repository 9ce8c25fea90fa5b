"""Stage 6: related headlines and same-story groups, from a small inverted index.

``relate(articles, cfg)`` is the stage's entry point. It works in five steps:

1. **Terms** (:func:`build_index`). Each article becomes a sparse vector: its stemmed content words
   (title counted :attr:`Tuning.title` times, body once; sub-linear term frequency × IDF computed on
   the corpus itself), plus its keyphrases, entity names and tags from the tag stage as extra terms
   with their own weights (:attr:`Tuning.keyphrase`, :attr:`Tuning.entity`, :attr:`Tuning.tag`;
   kept small because on the BBC dev set they did not raise same-section precision). Terms found
   in more than :attr:`Tuning.max_df` of the documents are dropped (they link everything to
   everything). The L2 norm covers every remaining term of the article, words found in no other
   article included, so two short texts sharing one word are not "similar"; only terms shared
   with another article are stored. The whole vector is kept: on the BBC dev set cutting it to
   its 50 heaviest terms lost 4 points of precision.
2. **Search.** An inverted index (term → the :attr:`Tuning.max_postings` heaviest postings, each
   article posted under its :attr:`Tuning.post_terms` heaviest terms) means a query only touches
   articles that share a heavy term with it; there is never an all-pairs loop. The query's
   :attr:`Tuning.query_terms` heaviest terms give candidates with a partial score; the best
   :attr:`Tuning.candidates` of them get their exact cosine from the full vectors. A query costs
   about the same at 1,000 or 100,000 articles. Each article keeps this shortlist
   (``Index.neighbours``).
3. **Section agreement** (re-ranking). Each article gets a section profile: its own section (from
   the tag stage, or front matter) mixed with the cosine-weighted sections of its
   :attr:`Tuning.section_neighbours` nearest neighbours. A link's score is its cosine times
   ``(1 + g·A) / (1 + g)``, with ``A`` the dot product of the two profiles and ``g`` =
   :attr:`Tuning.section`: a link inside the story's neighbourhood keeps its cosine, a link across
   sections loses up to ``g / (1 + g)`` of it. The neighbours' sections correct a wrong guess of
   the tag stage. Without sections (no tag stage) scores are plain cosines.
4. **Same story** (:func:`find_groups`). Candidate pairs come from the shortlists (a cosine of at
   least :attr:`Tuning.dup_candidate`); a pair is the same story when the Jaccard similarity of the
   sets of word 5-gram shingles of the bodies is at least :attr:`Tuning.dup_jaccard`, or (when the tag
   stage found entities) when the cosine is high, the two share rare entities and were
   published within a few days. Groups are closed with union-find. The canonical member is the
   earliest by ``(date, slug)``; the others point to it with ``duplicate_of``.
5. **Rank.** Headlines of other articles named in the article's own page (lines the clean stage
   removed as a headline list, :func:`named_headlines`) come first, score 1.0. Then a small recency
   factor (at most :attr:`Tuning.recency` off the score) prefers closer dates among near-equal
   scores. Members of the article's own group are never listed; other groups are listed once, by
   their canonical article, with the best score of their members. Lists are sorted by
   ``(-score, -date, slug)``, cut at ``cfg.count`` and at ``cfg.min_score``.

Everything is pure and deterministic: the same articles in the same order give the same output.
"""
from __future__ import annotations

import heapq
import logging
import math
from array import array
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import partial
from operator import itemgetter, mul, neg
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

from .model import Article, Related
from .text import stem, stem_idf, stopwords, tokens, words

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
    """Knobs of the relate stage. Defaults were chosen by measured precision on the BBC dev set
    (``benchmarks/related.py``, checked on both halves of it), not by taste."""

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
    post_terms: int = 60
    """An article is posted in the inverted index under its this many heaviest terms only (its
    full vector is still used for exact scores)."""
    max_postings: int = 100
    """Each term keeps only its this many heaviest postings, so the cost of a query stops growing
    with the corpus (candidates only; scores stay exact)."""
    min_product: float = 0.002
    """A posting is read only when the product of its weight and the query term's weight is at
    least this much (postings are sorted by weight, so reading stops early)."""
    query_terms: int = 20
    """Heaviest terms of an article used to find candidates."""
    candidates: int = 40
    """Best candidates (by partial score) whose exact cosine is computed and kept per article."""
    section: float = 0.8
    """Weight ``g`` of section agreement: a link across sections keeps ``1 / (1 + g)`` of its
    cosine (0 turns section agreement off)."""
    section_mix: float = 0.5
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
    """Cosine from which a pair is checked for near-duplicate text (on the BBC dev set every pair
    with shingle Jaccard ≥ 0.6 has a cosine ≥ 0.89)."""
    min_shingles: int = 8
    """Bodies with fewer shingles are never called duplicates (too little text to tell)."""
    event_cosine: float = 0.5
    """Cosine from which two articles sharing rare entities, close in time, are the same event."""
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
    """The inverted index of a corpus, with each document's shortlist of neighbours (read-only).

    Documents are numbered by their position in the input. ``vectors[i]`` holds document ``i``'s
    term numbers (a tuple) and their weights (a parallel array; L2-normalised over all of the
    article's terms, heaviest first). ``postings[term]`` holds two parallel arrays, documents and
    their weights, heaviest first (ties by document). ``neighbours[i]`` holds documents and exact
    cosines, best first (at most :attr:`Tuning.candidates`), and ``profiles[i]`` the section
    profile (one share per name in ``section_names``; None when nothing is known).
    """

    slugs: tuple[str, ...]
    titles: tuple[str, ...]
    times: tuple[float, ...]  #: publication time, seconds since the epoch (``-inf`` when unknown)
    vectors: tuple[tuple[tuple[int, ...], array], ...]
    postings: Mapping[int, tuple[array, array]]
    neighbours: tuple[tuple[array, array], ...]
    section_names: tuple[str, ...]
    sections: tuple[int, ...]  #: each document's own section, as a position in ``section_names`` (-1: none)
    profiles: tuple[tuple[float, ...] | None, ...]
    term_ids: Mapping[str, int]  #: term → number, for terms of at least two documents
    df: Mapping[str, int]  #: document frequency of every term (for :func:`update`)
    entities: tuple[frozenset[str], ...]  #: rare entity keys per document (for the same-event rule)
    position: Mapping[str, int]  #: slug → document number
    tuning: Tuning

    def __len__(self) -> int:
        return len(self.slugs)


# -- terms ---------------------------------------------------------------------------------------


def _key(text: str) -> str:
    """A case- and spacing-insensitive key for a phrase, entity or tag."""
    return " ".join(words(text))


def _doc_text(article: Article) -> str:
    body = article.body_text or " ".join(article.sentences)
    return f"{article.standfirst}\n\n{body}" if article.standfirst else body


def _terms(article: Article, tuning: Tuning, memo: dict[str, str], keys: dict[str, str]) -> dict[str, float]:
    """Raw (weighted) term counts of one article.

    ``memo`` maps a token as written to its stem ("" for a stop word), ``keys`` a phrase to its
    key: both are shared by the whole corpus, so each distinct token is stemmed once."""
    counts: dict[str, float] = {}
    get = counts.get
    stop = stopwords()

    def add(text: str, weight: float) -> None:
        for tok, c in Counter(tokens(text)).items():  # counted in C; the loop sees distinct tokens
            s = memo.get(tok)
            if s is None:
                w = tok.lower().replace("’", "'")
                s = memo[tok] = "" if (w in stop or (len(w) < 2 and not w.isdigit())) else stem(w)
            if s:
                counts[s] = get(s, 0.0) + c * weight

    def key(text: str, prefix: str) -> str:
        k = keys.get(text)
        if k is None:
            k = keys[text] = _key(text)
        return prefix + k if k else ""

    add(article.title, tuning.title)
    add(_doc_text(article), 1.0)
    for phrase in article.keyphrases:
        k = key(phrase, "k:")
        if k:
            counts[k] = get(k, 0.0) + 1.0
    for ent in article.entities:
        k = key(ent.name, "e:")
        if k:
            counts[k] = get(k, 0.0) + max(1, ent.count)
    for tag in article.tags:
        k = key(tag, "t:")
        if k:
            counts[k] = get(k, 0.0) + 1.0
    return counts


def _timestamp(article: Article) -> float:
    d = article.date
    if d is None:
        return -math.inf
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return (d - _EPOCH).total_seconds()


def _idf(n: int, f: int, term: str, tuning: Tuning) -> float:
    """IDF of a term in ``f`` of ``n`` documents, times the weight of its kind."""
    w = stem_idf(n, f, term)
    if term[1:2] == ":":
        w *= {"k": tuning.keyphrase, "e": tuning.entity, "t": tuning.tag}.get(term[0], 1.0)
    return w


def _vector(counts: Mapping[str, float], idf: Mapping[str, float], term_ids: Mapping[str, int]) -> list[tuple[float, int]]:
    """(weight, term number) of the linking terms of a document, heaviest first (ties: higher number)."""
    log_ = math.log
    weights = [((1.0 + log_(tf) if tf >= 1.0 else tf) * idf[t], t) for t, tf in counts.items() if t in idf]
    # the norm covers every term, so two short texts sharing one word are not "similar"
    norm = math.sqrt(sum(w * w for w, _ in weights)) or 1.0
    return sorted(((w / norm, term_ids[t]) for w, t in weights if t in term_ids), reverse=True)


def build_index(articles: Sequence[Article], tuning: Tuning = DEFAULT_TUNING) -> Index:
    """Index ``articles`` and find each one's shortlist of neighbours (see the module docstring).

    Cost: one pass over the text, then one capped query per article (never all pairs)."""
    memo: dict[str, str] = {}
    keys: dict[str, str] = {}
    raw = [_terms(a, tuning, memo, keys) for a in articles]
    n = len(raw)
    df: Counter[str] = Counter()
    for counts in raw:
        df.update(counts.keys())
    limit = tuning.max_df * n if n >= tuning.min_docs_for_df else math.inf

    # IDF (times the kind's weight) of every term that is not too common, and a number for each
    # term that can link two articles
    idf: dict[str, float] = {}
    term_ids: dict[str, int] = {}
    for term, f in df.items():
        if f <= limit:  # in too many articles: links everything, so it is dropped
            idf[term] = _idf(n, f, term, tuning)
            if f >= 2:  # a term of one article links nothing: it only counts in the vector's norm
                term_ids[term] = len(term_ids)

    post_docs: dict[int, list[int]] = {}
    post_ws: dict[int, list[float]] = {}
    vectors: list[tuple[tuple[int, ...], array]] = []
    n_post = tuning.post_terms
    for doc, counts in enumerate(raw):
        linked = _vector(counts, idf, term_ids)
        # term numbers as a tuple (shared int objects: cheaper to iterate than an array), weights as floats
        vectors.append((tuple([t for _, t in linked]), array("f", [w for w, _ in linked])))
        for w, tid in linked[:n_post]:
            if tid in post_docs:
                post_docs[tid].append(doc)
                post_ws[tid].append(w)
            else:
                post_docs[tid] = [doc]
                post_ws[tid] = [w]
    raw.clear()
    cap = tuning.max_postings
    postings: dict[int, tuple[array, array]] = {}
    for tid, docs in post_docs.items():
        ws_ = post_ws[tid]
        if len(docs) < 2:
            continue  # a posting list of one document finds nothing for anyone else
        order = sorted(range(len(docs)), key=ws_.__getitem__, reverse=True)[:cap]  # stable
        postings[tid] = (array("I", [docs[i] for i in order]), array("f", [ws_[i] for i in order]))
    del post_docs, post_ws

    rare = [
        frozenset(k for k in ("e:" + _key(e.name) for e in a.entities) if df[k] <= tuning.event_entity_df)
        if a.entities
        else frozenset()
        for a in articles
    ]
    dense = [0.0] * len(term_ids)
    neighbours = [_search(doc, vectors, postings, tuning, tuning.candidates, dense) for doc in range(n)]
    names = tuple(sorted({a.section for a in articles if a.section}))
    number = {s: i for i, s in enumerate(names)}
    own = tuple(number.get(a.section, -1) for a in articles)
    profiles = tuple(_profile(i, own, neighbours[i], len(names), tuning) for i in range(n))
    slugs = tuple(a.slug for a in articles)
    return Index(
        slugs=slugs,
        titles=tuple(a.title for a in articles),
        times=tuple(_timestamp(a) for a in articles),
        vectors=tuple(vectors),
        postings=postings,
        neighbours=tuple((array("I", [d for d, _ in nb]), array("d", [c for _, c in nb])) for nb in neighbours),
        section_names=names,
        sections=own,
        profiles=profiles,
        term_ids=term_ids,
        df=df,
        entities=tuple(rare),
        position={s: i for i, s in enumerate(slugs)},
        tuning=tuning,
    )


# -- search --------------------------------------------------------------------------------------


def _search(
    doc: int,
    vectors: Sequence[tuple[tuple[int, ...], array]],
    postings: Mapping[int, tuple[array, array]],
    tuning: Tuning,
    limit: int | None,
    dense: list[float] | None = None,
) -> list[tuple[int, float]]:
    """(document, cosine) pairs for ``doc``, best first (ties by document), itself left out.

    Two steps keep a query cheap: the postings of its :attr:`Tuning.query_terms` heaviest terms
    give candidates with a partial score (pruned by :attr:`Tuning.min_product`); the best ``limit``
    of them (all when ``limit`` is None) then get their exact cosine from the full vectors.
    """
    qids, qws = vectors[doc]
    acc: dict[int, float] = {}
    get = acc.get
    eps = tuning.min_product
    m = tuning.query_terms
    for tid, qw in zip(qids[:m], qws[:m]):
        p = postings.get(tid)
        if p is None:
            continue
        docs, ws = p
        cut = bisect_right(ws, -eps / qw, key=neg)  # postings are sorted by weight
        for other, w in zip(docs[:cut], ws):
            acc[other] = get(other, 0.0) + qw * w
    acc.pop(doc, None)
    if limit is not None and len(acc) > limit:
        shortlist = [d for d, _ in heapq.nlargest(limit, acc.items(), key=itemgetter(1))]
    else:
        shortlist = list(acc)
    if dense is None:
        q = dict(zip(qids, qws))
        look = partial(_lookup, q.get)
    else:  # a reusable list of zeros, one per term: list indexing is cheaper than dict lookups
        for tid, qw in zip(qids, qws):
            dense[tid] = qw
        look = dense.__getitem__
    exact = []
    for other in shortlist:
        ids, ws = vectors[other]
        exact.append((-sum(map(mul, map(look, ids), ws)), other))
    if dense is not None:
        for tid in qids:
            dense[tid] = 0.0
    exact.sort()  # best first, ties by document
    return [(other, -neg_cos) for neg_cos, other in exact]


def _lookup(get: Callable[[int, float], float], tid: int) -> float:
    return get(tid, 0.0)


def _profile(
    doc: int, own: Sequence[int], neighbours: Sequence[tuple[int, float]], names: int, tuning: Tuning
) -> tuple[float, ...] | None:
    """Section profile of ``doc``: its own section mixed with its neighbours' (see step 3)."""
    if not names or tuning.section <= 0:
        return None
    mix = tuning.section_mix
    shares = [0.0] * names
    total = 0.0
    for j, cos in neighbours[: tuning.section_neighbours]:
        s = own[j]
        if s >= 0 and cos > 0:
            shares[s] += cos
            total += cos
    if total > 0:
        if own[doc] >= 0:
            shares = [mix * x / total for x in shares]
            shares[own[doc]] += 1.0 - mix
        else:
            shares = [x / total for x in shares]
    elif own[doc] >= 0:
        shares[own[doc]] = 1.0
    else:
        return None
    return tuple(shares)


def _agreement(index: Index, a: int, b: int) -> float:
    """The factor ``(1 + g·A) / (1 + g)`` of step 3 (1.0 when either profile is unknown)."""
    pa, pb = index.profiles[a], index.profiles[b]
    if pa is None or pb is None:
        return 1.0
    g = index.tuning.section
    return (1.0 + g * sum(map(mul, pa, pb))) / (1.0 + g)


def _recency(index: Index, a: int, b: int) -> float:
    t = index.tuning
    if t.recency <= 0:
        return 1.0
    ta, tb = index.times[a], index.times[b]
    if math.isinf(ta) or math.isinf(tb):
        return 1.0 - t.recency / 2  # unknown date: half the penalty
    days = abs(ta - tb) / 86400.0
    return 1.0 - t.recency * min(1.0, days / t.recency_days)


def _rank(
    doc: int,
    ranked: Sequence[tuple[int, float]],
    index: Index,
    k: int,
    min_score: float,
    group_of: Sequence[int] | None = None,
    skip: frozenset[int] = frozenset(),
) -> tuple[list[tuple[int, float]], bool]:
    """Best ``k`` (document, score) pairs for ``doc`` from ``ranked`` (cosines, best first).

    Members of ``doc``'s own group and of the groups in ``skip`` are left out; another group is
    listed once, as its canonical member, with its members' best score. Returns the list and
    whether ``ranked`` ran out before the list was known to be complete (the caller then retries
    with every candidate).
    """
    own = group_of[doc] if group_of is not None else doc
    best: dict[int, float] = {}
    floor = max(min_score, 1e-9)
    kth = -1.0
    for other, cos in ranked:
        if cos < floor or (len(best) >= k and cos < kth - 1e-4):
            # agreement and recency only lower a score, so nothing further down can enter the top k
            return _top(best, index, k), False
        target = group_of[other] if group_of is not None else other
        if target == own or other == doc or target in skip:
            continue
        score = round(min(1.0, cos) * _agreement(index, doc, other) * _recency(index, doc, other), 4)
        if score < floor:
            continue
        if score > best.get(target, -1.0):
            best[target] = score
            if len(best) >= k:
                kth = sorted(best.values(), reverse=True)[k - 1]
    return _top(best, index, k), True


def _top(best: Mapping[int, float], index: Index, k: int) -> list[tuple[int, float]]:
    times, slugs = index.times, index.slugs
    return sorted(best.items(), key=lambda p: (-p[1], -times[p[0]], slugs[p[0]]))[:k]


def _links(index: Index, chosen: Sequence[tuple[int, float]]) -> tuple[Related, ...]:
    return tuple(Related(slug=index.slugs[i], title=index.titles[i], score=s) for i, s in chosen)


def _neighbours(index: Index, doc: int) -> list[tuple[int, float]]:
    docs, cos = index.neighbours[doc]
    return list(zip(docs, cos))


def related(article: Article | str, index: Index, k: int, min_score: float = 0.0) -> tuple[Related, ...]:
    """The ``k`` articles of ``index`` most related to ``article`` (an indexed article or its slug).

    Never the article itself; scores in 0..1, at least ``min_score``, sorted by
    ``(-score, -date, slug)``. Same-story groups and named headlines are not known here: use
    :func:`relate` for lists that leave out an article's duplicates.
    """
    slug = article if isinstance(article, str) else article.slug
    doc = index.position[slug]
    chosen, ran_out = _rank(doc, _neighbours(index, doc), index, k, min_score)
    if ran_out and len(index.neighbours[doc][0]) >= index.tuning.candidates:
        full = _search(doc, index.vectors, index.postings, index.tuning, None)
        chosen, _ = _rank(doc, full, index, k, min_score)
    return _links(index, chosen)


# -- incremental ---------------------------------------------------------------------------------


def update(
    index: Index, article: Article, count: int | None = None, min_score: float = 0.0
) -> tuple[Index, frozenset[str]]:
    """Add ``article`` to ``index``, or replace the indexed article with the same slug (an edit).

    Returns the new index (``index`` itself is left as it was) and the slugs whose related lists
    may have changed: the article itself, the articles that now have it among their neighbours
    (with ``count`` given: only those where it can enter the best ``count`` scoring at least
    ``min_score``), and (for an edit) those that had it before. Only those need :func:`related`
    again (with the same ``count`` and ``min_score``); every other list is unchanged. Cost: one query and a few small copies, milliseconds at 10,000 articles.

    Approximations, all undone by the next full :func:`build_index`: the other articles keep the
    term weights they were given (the corpus IDF is not recomputed; the new article is weighted
    with the index's document frequencies plus its own); a word the index saw in one article only
    links nothing yet; section profiles are refreshed for the changed articles only. Same-story
    groups are not kept in the index: run :func:`find_groups` on the next build.
    """
    t = index.tuning
    old = index.position.get(article.slug)
    doc = old if old is not None else len(index)
    n = len(index) + (old is None)
    counts = _terms(article, t, {}, {})
    df = dict(index.df) if old is None else index.df  # an edit keeps the frequencies it had
    if old is None:
        for term in counts:
            df[term] = df.get(term, 0) + 1
    limit = t.max_df * n if n >= t.min_docs_for_df else math.inf
    idf = {term: _idf(n, df[term], term, t) for term in counts if df[term] <= limit}
    linked = _vector(counts, idf, index.term_ids)
    vec = (tuple([tid for _, tid in linked]), array("f", [w for w, _ in linked]))

    postings = dict(index.postings)
    vectors = list(index.vectors)
    neighbours = list(index.neighbours)
    changed = {doc}
    if old is not None:  # take the old version out of the postings and of other shortlists
        for tid in vectors[old][0][: t.post_terms]:
            p = postings.get(tid)
            if p is not None and old in p[0]:
                at = p[0].index(old)
                postings[tid] = (p[0][:at] + p[0][at + 1 :], p[1][:at] + p[1][at + 1 :])
        for j, (docs, cos) in enumerate(neighbours):
            if old in docs:
                at = docs.index(old)
                neighbours[j] = (docs[:at] + docs[at + 1 :], cos[:at] + cos[at + 1 :])
                changed.add(j)
        vectors[old] = vec
    else:
        vectors.append(vec)
        neighbours.append((array("I"), array("d")))
    for w, tid in linked[: t.post_terms]:
        docs, ws = postings.get(tid, (array("I"), array("f")))
        at = bisect_right(ws, -w, key=neg)
        if at < t.max_postings:
            postings[tid] = ((docs[:at] + array("I", [doc]) + docs[at:])[: t.max_postings],
                             (ws[:at] + array("f", [w]) + ws[at:])[: t.max_postings])

    found = _search(doc, vectors, postings, t, t.candidates)
    neighbours[doc] = (array("I", [d for d, _ in found]), array("d", [c for _, c in found]))
    for j, cos in found:  # does the article enter j's shortlist?
        docs, scores = neighbours[j]
        if len(docs) < t.candidates or cos > scores[-1]:
            pairs = sorted([*zip(docs, scores), (doc, cos)], key=lambda p: (-p[1], p[0]))[: t.candidates]
            neighbours[j] = (array("I", [d for d, _ in pairs]), array("d", [c for _, c in pairs]))
            if j in changed or count is None:
                changed.add(j)
            elif cos >= min_score:  # a score is at most the cosine: can it beat j's k-th link?
                listed, _ = _rank(j, list(zip(docs, scores)), index, count, min_score)
                if len(listed) < count or cos >= listed[-1][1]:
                    changed.add(j)

    names = index.section_names
    if article.section and article.section not in names:
        names = (*names, article.section)  # profiles are compared position by position: older ones stay valid
    own = list(index.sections)
    number = names.index(article.section) if article.section else -1
    if old is None:
        own.append(number)
    else:
        own[old] = number
    profiles = list(index.profiles) + ([None] if old is None else [])
    for j in changed:
        profiles[j] = _profile(j, own, list(zip(*neighbours[j])), len(names), t)

    def put(seq: tuple, value: object) -> tuple:
        return (*seq, value) if old is None else (*seq[:old], value, *seq[old + 1 :])

    rare = frozenset(
        k for k in ("e:" + _key(e.name) for e in article.entities) if df.get(k, 0) <= t.event_entity_df
    )
    slugs = put(index.slugs, article.slug)
    new = replace(
        index,
        slugs=slugs,
        titles=put(index.titles, article.title),
        times=put(index.times, _timestamp(article)),
        vectors=tuple(vectors),
        postings=postings,
        neighbours=tuple(neighbours),
        section_names=names,
        sections=tuple(own),
        profiles=tuple(profiles),
        entities=put(index.entities, rare),
        position=index.position if old is not None else {**index.position, article.slug: doc},
        df=df,
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


def _shingles(article: Article, n: int) -> frozenset[tuple[str, ...]]:
    ws = words(_doc_text(article))
    return frozenset(tuple(ws[i : i + n]) for i in range(len(ws) - n + 1))


def _jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def find_groups(
    articles: Sequence[Article],
    index: Index,
    candidates: Mapping[int, Sequence[tuple[int, float]]] | None = None,
) -> list[int]:
    """Same-story groups: for each document, the number of its group's canonical document.

    ``candidates[i]`` lists (document, cosine) pairs for ``i``, best first (default: the index's
    neighbours). A pair is the same story when its body shingles have Jaccard ≥ ``dup_jaccard``, or
    when it is the same event (cosine ≥ ``event_cosine``, ≥ ``event_entities`` shared rare
    entities, ≤ ``event_days`` apart). The canonical document of a group is the earliest by
    ``(date, slug)``.
    """
    t = index.tuning
    n = len(articles)
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    shingles: dict[int, frozenset[tuple[str, ...]]] = {}

    def shingles_of(i: int) -> frozenset[tuple[str, ...]]:
        s = shingles.get(i)
        if s is None:
            s = shingles[i] = _shingles(articles[i], t.shingle)
        return s

    lowest = min(t.dup_candidate, t.event_cosine)
    for i in range(n):
        pairs = candidates.get(i, ()) if candidates is not None else _neighbours(index, i)
        for j, cos in pairs:
            if cos < lowest:
                break
            if j <= i or find(i) == find(j):
                continue
            same = False
            if cos >= t.dup_candidate:
                a, b = shingles_of(i), shingles_of(j)
                if min(len(a), len(b)) >= t.min_shingles:
                    # cheap bound first: Jaccard ≤ min/max of the sizes
                    if min(len(a), len(b)) >= t.dup_jaccard * max(len(a), len(b)):
                        same = _jaccard(a, b) >= t.dup_jaccard
            if not same and cos >= t.event_cosine:
                shared = len(index.entities[i] & index.entities[j])
                close = abs(index.times[i] - index.times[j]) <= t.event_days * 86400.0
                same = shared >= t.event_entities and close
            if same:
                log.debug("same story: %s and %s (cosine %.3f)", index.slugs[i], index.slugs[j], cos)
                parent[find(j)] = find(i)

    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(find(i), []).append(i)
    canonical = list(range(n))
    for group in members.values():
        first = min(group, key=lambda i: (index.times[i], index.slugs[i]))
        for i in group:
            canonical[i] = first
    return canonical


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

    out = []
    k = cfg.count
    for i, article in enumerate(articles):
        c = canonical[i]
        first = [(j, 1.0) for j in named.get(i, ()) if canonical[j] != c][:k]
        skip = frozenset(canonical[j] for j, _ in first)
        rest = k - len(first)
        chosen: list[tuple[int, float]] = []
        if rest > 0:
            shortlist = _neighbours(index, i)
            chosen, ran_out = _rank(i, shortlist, index, rest, cfg.min_score, canonical, skip)
            if ran_out and len(shortlist) >= tuning.candidates:
                full = _search(i, index.vectors, index.postings, tuning, None)
                chosen, _ = _rank(i, full, index, rest, cfg.min_score, canonical, skip)
        out.append(
            replace(
                article,
                related=_links(index, first + chosen),
                duplicate_of=None if c == i else index.slugs[c],
                duplicates=tuple(sorted(s for s in members[c] if s != article.slug)),
            )
        )
    groups = sum(1 for g in members.values() if len(g) > 1)
    log.debug("related %d articles; %d same-story groups", len(out), groups)
    return tuple(out)
