"""Stage 6: related headlines and same-story groups, from a small inverted index.

``relate(articles, cfg)`` is the stage's entry point. It works in four steps:

1. **Terms** (:func:`build_index`). Each article becomes a sparse vector: its stemmed content words
   (title counted :attr:`Tuning.title` times, body once; sub-linear term frequency × IDF computed on
   the corpus itself), plus its keyphrases, entity names and tags from the tag stage as extra terms
   with their own weights (:attr:`Tuning.keyphrase`, :attr:`Tuning.entity`, :attr:`Tuning.tag`;
   kept small because on the BBC dev set they did not raise same-section precision). Terms found in more than :attr:`Tuning.max_df` of the documents are dropped
   (they link everything to everything). Only the :attr:`Tuning.max_terms` heaviest terms of an
   article are kept; the vector is then L2-normalised, so a dot product is a cosine in 0..1.
2. **Search** (:func:`related`). An inverted index (term → postings, heaviest first) means a query
   only touches articles that share a term with it; there is never an all-pairs loop. The query's
   :attr:`Tuning.query_terms` heaviest terms, reading at most :attr:`Tuning.max_postings` postings
   each, give candidates; the best :attr:`Tuning.candidates` of them get their exact cosine from the
   full vectors. So a query costs about the same at 1,000 or 100,000 articles.
3. **Same story** (:func:`find_groups`). Candidate pairs come from the same search (a cosine of at
   least :attr:`Tuning.dup_candidate`); a pair is the same story when the Jaccard similarity of the
   sets of word 5-gram shingles of the bodies is at least :attr:`Tuning.dup_jaccard`, or (when the tag
   stage found entities) when the cosine is very high, the two share rare entities and were
   published within a few days. Groups are closed with union-find. The canonical member is the
   earliest by ``(date, slug)``; the others point to it with ``duplicate_of``.
4. **Rank.** A small recency factor (at most :attr:`Tuning.recency` off the score) prefers closer
   dates among near-equal scores. Members of the article's own group are never listed; other groups
   are listed once, by their canonical article, with the best score of their members. Lists are
   sorted by ``(-score, -date, slug)``, cut at ``cfg.count`` and at ``cfg.min_score``.

Everything is pure and deterministic: the same articles in the same order give the same output.
"""
from __future__ import annotations

import heapq
import logging
import math
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from operator import itemgetter, mul, neg
from typing import TYPE_CHECKING, Mapping, Sequence

from .model import Article, Related
from .text import stem, stem_idf, stopwords, words

if TYPE_CHECKING:
    from .config import RelatedConfig

log = logging.getLogger(__name__)

__all__ = ["Tuning", "Index", "build_index", "related", "find_groups", "relate", "DEFAULT_TUNING"]


@dataclass(frozen=True, slots=True)
class Tuning:
    """Knobs of the relate stage. Defaults were chosen by measured precision on the BBC dev set
    (``benchmarks/related.py``), not by taste."""

    title: float = 2.0
    """How many times a word of the headline counts, against once for a word of the body."""
    keyphrase: float = 0.5
    """Weight multiplier of a keyphrase term (from the tag stage)."""
    entity: float = 0.25
    """Weight multiplier of an entity-name term (from the tag stage)."""
    tag: float = 0.25
    """Weight multiplier of a tag term."""
    max_df: float = 0.3
    """Terms in more than this share of the documents are dropped (only once the corpus has
    :attr:`min_docs_for_df` documents, so tiny corpora keep their words)."""
    min_docs_for_df: int = 20
    """Corpus size from which :attr:`max_df` applies."""
    max_terms: int = 200
    """Heaviest terms kept per article (bounds the work per query)."""
    min_product: float = 0.002
    """A shared term adds to a cosine only when the product of its two (normalised) weights is at
    least this much; postings are sorted by weight, so a query stops reading a posting list early.
    Only used to find candidates; their final score is the exact cosine."""
    query_terms: int = 20
    """Heaviest terms of an article used to find candidates."""
    max_postings: int = 100
    """At most this many (the heaviest) postings of a term are read per query, so the cost of a
    query stops growing with the corpus (candidates only; scores stay exact)."""
    candidates: int = 40
    """Best candidates (by partial score) whose exact cosine is computed."""
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


DEFAULT_TUNING = Tuning()

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class Index:
    """The inverted index of a corpus (read-only once built).

    Documents are numbered by their position in the input. ``vectors[i]`` holds
    ``(term_id, weight)`` pairs of document ``i`` (L2-normalised, heaviest first);
    ``postings[term_id]`` holds two parallel tuples, documents and their weights, heaviest first
    (ties by document).
    """

    slugs: tuple[str, ...]
    titles: tuple[str, ...]
    times: tuple[float, ...]  #: publication time, seconds since the epoch (``-inf`` when unknown)
    vectors: tuple[tuple[tuple[int, float], ...], ...]
    weights: tuple[Mapping[int, float], ...]  #: the same vectors as term → weight mappings
    postings: Mapping[int, tuple[tuple[int, ...], tuple[float, ...]]]
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


def _terms(article: Article, tuning: Tuning, stems: dict[str, str | None]) -> dict[str, float]:
    """Raw (weighted) term counts of one article; ``stems`` memoises word → stem (None: stop word)."""
    counts: dict[str, float] = {}

    def add(text: str, weight: float) -> None:
        ws = words(text)
        new = set(ws).difference(stems)
        if new:
            stop = stopwords()
            for w in new:
                stems[w] = None if (w in stop or (len(w) < 2 and not w.isdigit())) else stem(w)
        for s, c in Counter(map(stems.__getitem__, ws)).items():
            if s is not None:
                counts[s] = counts.get(s, 0.0) + c * weight

    add(article.title, tuning.title)
    add(_doc_text(article), 1.0)
    for phrase in article.keyphrases:
        k = _key(phrase)
        if k:
            counts["k:" + k] = counts.get("k:" + k, 0.0) + 1.0
    for ent in article.entities:
        k = _key(ent.name)
        if k:
            counts["e:" + k] = counts.get("e:" + k, 0.0) + max(1, ent.count)
    for tag in article.tags:
        k = _key(tag)
        if k:
            counts["t:" + k] = counts.get("t:" + k, 0.0) + 1.0
    return counts


def _timestamp(article: Article) -> float:
    d = article.date
    if d is None:
        return -math.inf
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return (d - _EPOCH).total_seconds()


def build_index(articles: Sequence[Article], tuning: Tuning = DEFAULT_TUNING) -> Index:
    """Index ``articles`` for :func:`related` (see the module docstring for the weighting)."""
    stems: dict[str, str | None] = {}
    raw = [_terms(a, tuning, stems) for a in articles]
    n = len(raw)
    df: Counter[str] = Counter()
    for counts in raw:
        df.update(counts.keys())
    limit = tuning.max_df * n if n >= tuning.min_docs_for_df else math.inf

    # IDF (times the kind's weight) of every term that can link two articles, and its number
    kind_weight = {"k": tuning.keyphrase, "e": tuning.entity, "t": tuning.tag}
    idf: dict[str, float] = {}
    term_ids: dict[str, int] = {}
    for term, f in df.items():
        if f <= limit:  # in too many articles: links everything, so it is dropped
            w = stem_idf(n, f, term)
            if term[1:2] == ":":
                w *= kind_weight.get(term[0], 1.0)
            idf[term] = w
            if f >= 2:  # a term of one article links nothing: it only counts in the vector's norm
                term_ids[term] = len(term_ids)

    log_ = math.log
    postings: dict[int, list[tuple[int, float]]] = {}
    vectors: list[tuple[tuple[int, float], ...]] = []
    for doc, counts in enumerate(raw):
        weights = [((1.0 + log_(tf)) * idf[t], t) for t, tf in counts.items() if t in idf]
        # the norm covers every term, so two short texts sharing one word are not "similar"
        norm = math.sqrt(sum(w * w for w, _ in weights)) or 1.0
        weighted = [(w, term_ids[t]) for w, t in weights if t in term_ids]
        weighted.sort(reverse=True)
        del weighted[tuning.max_terms :]
        vec = tuple((tid, w / norm) for w, tid in weighted)
        for tid, w in vec:
            postings.setdefault(tid, []).append((doc, w))
        vectors.append(vec)
    for plist in postings.values():
        plist.sort(key=itemgetter(1), reverse=True)  # stable: equal weights stay in document order

    rare = [
        frozenset(k for k in ("e:" + _key(e.name) for e in a.entities) if df[k] <= tuning.event_entity_df)
        if a.entities
        else frozenset()
        for a in articles
    ]
    slugs = tuple(a.slug for a in articles)
    return Index(
        slugs=slugs,
        titles=tuple(a.title for a in articles),
        times=tuple(_timestamp(a) for a in articles),
        vectors=tuple(vectors),
        weights=tuple(dict(v) for v in vectors),
        postings={t: tuple(zip(*p)) for t, p in postings.items()},  # (docs, weights)
        entities=tuple(rare),
        position={s: i for i, s in enumerate(slugs)},
        tuning=tuning,
    )


# -- search --------------------------------------------------------------------------------------


def _search(doc: int, index: Index, limit: int | None) -> list[tuple[int, float]]:
    """(document, cosine) pairs for ``doc``, best first, itself left out.

    Two steps keep a query cheap: the postings of its :attr:`Tuning.query_terms` heaviest terms
    give candidates with a partial score (pruned by :attr:`Tuning.min_product`); the best ``limit``
    of them (all when ``limit`` is None) then get their exact cosine from the full vectors.
    """
    t = index.tuning
    acc: dict[int, float] = {}
    get = acc.get
    postings = index.postings
    eps, cap = t.min_product, t.max_postings
    for tid, qw in index.vectors[doc][: t.query_terms]:
        docs, ws = postings[tid]
        # postings are sorted by weight: read only those adding at least min_product
        cut = min(bisect_right(ws, -eps / qw, key=neg), cap)
        for other, w in zip(docs[:cut] if cut < len(docs) else docs, ws):
            acc[other] = get(other, 0.0) + qw * w
    acc.pop(doc, None)
    if limit is not None and len(acc) > limit:
        shortlist = [d for d, _ in heapq.nlargest(limit, acc.items(), key=itemgetter(1))]
    else:
        shortlist = list(acc)
    q = index.weights[doc]
    qkeys = q.keys()
    qget = q.__getitem__
    exact = []
    for other in shortlist:
        d = index.weights[other]
        common = qkeys & d.keys()
        exact.append((other, sum(map(mul, map(qget, common), map(d.__getitem__, common)))))
    exact.sort(key=itemgetter(1), reverse=True)  # stable: ties stay in search order
    return exact


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
) -> tuple[list[tuple[int, float]], bool]:
    """Best ``k`` (document, score) pairs for ``doc`` from ``ranked`` (cosines, best first).

    Members of ``doc``'s own group are skipped; another group is listed once, as its canonical
    member, with its members' best score. Returns the list and whether ``ranked`` ran out before
    the list was known to be complete (the caller then retries with every candidate).
    """
    own = group_of[doc] if group_of is not None else doc
    best: dict[int, float] = {}
    floor = max(min_score, 1e-9)
    kth = -1.0
    for other, cos in ranked:
        if cos < floor or (len(best) >= k and cos < kth - 1e-4):
            # recency only lowers a score, so nothing further down can enter the top k
            return _top(best, index, k), False
        target = group_of[other] if group_of is not None else other
        if target == own or other == doc:
            continue
        score = round(min(1.0, cos) * _recency(index, doc, other), 4)
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


def related(article: Article | str, index: Index, k: int, min_score: float = 0.0) -> tuple[Related, ...]:
    """The ``k`` articles of ``index`` most related to ``article`` (an indexed article or its slug).

    Never the article itself; scores in 0..1, at least ``min_score``, sorted by
    ``(-score, -date, slug)``. Same-story groups are not known here: use :func:`relate` for lists
    that leave out an article's duplicates.
    """
    slug = article if isinstance(article, str) else article.slug
    doc = index.position[slug]
    chosen, _ = _rank(doc, _search(doc, index, None), index, k, min_score)
    return _links(index, chosen)


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
    candidates: Mapping[int, Sequence[tuple[int, float]]],
) -> list[int]:
    """Same-story groups: for each document, the number of its group's canonical document.

    ``candidates[i]`` lists (document, cosine) pairs for ``i``, best first (as from the search). A pair
    is the same story when its body shingles have Jaccard ≥ ``dup_jaccard``, or when it is the same
    event (cosine ≥ ``event_cosine``, ≥ ``event_entities`` shared rare entities, ≤ ``event_days``
    apart). The canonical document of a group is the earliest by ``(date, slug)``.
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
        for j, cos in candidates.get(i, ()):
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

    ``related`` holds at most ``cfg.count`` links, best first, each scoring at least
    ``cfg.min_score``, never the article itself nor a member of its same-story group.
    ``duplicate_of`` is the canonical slug of the article's group (None for the canonical one and
    for articles with no duplicate); ``duplicates`` the sorted slugs of the other members.
    """
    if not articles:
        return ()
    index = build_index(articles, tuning)
    n = len(articles)
    # one search per article; keep a short best-first list (enough for the links in nearly every
    # case; an article whose list runs out is searched again in full below)
    keep = max(tuning.candidates, cfg.count + 10)
    lowest = min(tuning.dup_candidate, tuning.event_cosine)
    shortlist: list[list[tuple[int, float]]] = []
    candidates: dict[int, list[tuple[int, float]]] = {}
    for i in range(n):
        ordered = _search(i, index, keep)
        shortlist.append(ordered)
        high = [p for p in ordered if p[1] >= lowest] if ordered and ordered[0][1] >= lowest else []
        if high:
            candidates[i] = high
    canonical = find_groups(articles, index, candidates)

    members: dict[int, list[str]] = {}
    for i, c in enumerate(canonical):
        members.setdefault(c, []).append(index.slugs[i])

    out = []
    for i, article in enumerate(articles):
        c = canonical[i]
        group = members[c]
        chosen, ran_out = _rank(i, shortlist[i], index, cfg.count, cfg.min_score, canonical)
        if ran_out and len(shortlist[i]) == keep:
            chosen, _ = _rank(i, _search(i, index, None), index, cfg.count, cfg.min_score, canonical)
        out.append(
            replace(
                article,
                related=_links(index, chosen),
                duplicate_of=None if c == i else index.slugs[c],
                duplicates=tuple(sorted(s for s in group if s != article.slug)),
            )
        )
    groups = sum(1 for g in members.values() if len(g) > 1)
    log.debug("related %d articles; %d same-story groups", len(out), groups)
    return tuple(out)
