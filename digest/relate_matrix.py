"""Sparse matrices for the relate stage: weighted terms and blocked top-k products.

The relate stage (:mod:`digest.relate`) scores pairs of articles by the dot product of their
weighted term vectors. This module holds the numeric part, with numpy and scipy.sparse, so that
no loop over pairs of articles is ever written in Python:

* :func:`build_vectors` counts every article's terms (headline words, body words, keyphrases,
  entity names, tags; one column per stemmed word or ``k:``/``e:``/``t:`` key, in sorted order,
  see :func:`count_terms`), then :func:`weigh` applies sub-linear term frequency × IDF
  (:func:`weights_of`: optionally rounded, with the kind's weight), drops very common terms,
  L2-normalises each row over all its terms and keeps only the entries of terms that can link two
  documents (document frequency ≥ 2).
* :func:`splice_rows` moves, drops and replaces rows of a matrix (the incremental relate).
* :func:`cap_postings` keeps, for every term, only its ``M`` heaviest documents: the "postings"
  side of the product, so the cost of a row stops growing with the corpus.
* :func:`top_neighbours` computes ``X[block] @ Pᵀ`` for blocks of rows and keeps each row's best
  ``C`` other documents (ties by document number). The product is scipy's own kernel, with its
  output sized by the number of multiplications rather than by a first pass (:func:`_product`).
* :func:`shingle_hashes` / :func:`shingle_batch` and :func:`jaccard`: word 5-gram shingles as
  sorted 64-bit hashes, many texts hashed in one pass.

For a large corpus, counting and the product are shared among forked processes
(:func:`run_shares`): each share is a contiguous range of articles or rows, and the results are
merged so that they are identical to a run in one process. Text is split on white space and each
distinct chunk is tokenised once (memos in two generations of ``_MEMO_LIMIT`` entries; they are caches only).

All functions are pure and deterministic: a row's result depends only on the matrices, never on
the block size or on how many processes share the work.
"""
from __future__ import annotations

import bisect
import hashlib
import logging
import multiprocessing
import struct
import zlib
from array import array
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from .text import common_stems, stem, stopwords, words

try:  # scipy's own sparse product kernel, called without its first (sizing) pass; see _product
    from scipy.sparse._sparsetools import csr_matmat as _csr_matmat
except ImportError:  # pragma: no cover - another scipy layout: the public product is used
    _csr_matmat = None

if TYPE_CHECKING:
    from .model import Article

log = logging.getLogger(__name__)

KINDS = ("k:", "e:", "t:")
"""Prefixes of the keyphrase, entity and tag columns (stemmed words have none)."""

_BACKGROUND_DOCS = 20.0  # the same blend as text.stem_idf, vectorised
_RATE_COMMON, _RATE_OTHER = 0.25, 0.005


def doc_text(article: Article) -> str:
    """Standfirst and body of an article: the text that is weighed once per word and shingled."""
    body = article.body_text or " ".join(article.sentences)
    return f"{article.standfirst}\n\n{body}" if article.standfirst else body


def key(text: str) -> str:
    """A case- and spacing-insensitive key for a phrase, entity or tag."""
    return " ".join(words(text))


class Memo(dict):
    """A memo (a cache only) in two generations, so that its size stays bounded without losing
    the entries in use: when it grows past ``limit`` (:meth:`trim`), its entries become the old
    generation and it starts empty; a key missing from it is looked up in the old generation
    before it is computed (:meth:`make`). Lookups of present keys run at dict speed."""

    __slots__ = ("old", "limit")

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.old: dict = {}
        self.limit = limit

    def trim(self) -> None:
        """Start a new generation if this one has grown past the limit."""
        if len(self) > self.limit:
            self.old = dict(self)
            self.clear()

    def __missing__(self, key):  # type: ignore[no-untyped-def]
        value = self.old.get(key, _ABSENT)
        if value is _ABSENT:
            value = self.make(key)
        self[key] = value
        return value

    def make(self, key):  # type: ignore[no-untyped-def]
        """The value of a key (subclasses)."""
        raise KeyError(key)


_ABSENT = object()
_INT32 = struct.Struct("=i")
_UINT64 = struct.Struct("=Q")

_MEMO_LIMIT = 400_000
"""Entries of one generation of a :class:`Memo` (a cache only: results do not change)."""


class _WordColumns(Memo):
    """Lower-case word → column of its stem (-1 for a stop word or a lone letter); filled on demand,
    so that ``map(columns.__getitem__, words)`` runs at C speed for words already seen."""

    __slots__ = ("vocab",)

    def __init__(self, vocab: Vocabulary) -> None:
        super().__init__(_MEMO_LIMIT)
        self.vocab = vocab

    def make(self, w: str) -> int:
        if w in self.vocab._stop or (len(w) < 2 and not w.isdigit()):
            return -1
        return self.vocab.term(stem(w))


class _ChunkColumns(Memo):
    """Lower-case whitespace-separated chunk of text (a word with its punctuation) → the columns of
    its words (native int32 bytes, so a text's columns are one ``b"".join`` of its chunks', with no
    Python integer per word), stop words left out; filled on demand. ``words(text)`` is the concatenation of
    ``words(chunk)`` over ``text.split()`` (a word never spans white space), so mapping chunks
    gives exactly the columns of the text's words, with the regular expression run once per
    distinct chunk instead of once per word."""

    __slots__ = ("columns",)

    def __init__(self, columns: _WordColumns) -> None:
        super().__init__(_MEMO_LIMIT)
        self.columns = columns

    def make(self, chunk: str) -> bytes:
        cols = self.columns
        if chunk.isalnum():  # one plain word (no regular expression needed)
            c = cols[chunk]
            return _INT32.pack(c) if c >= 0 else b""
        return array("i", [c for c in map(cols.__getitem__, words(chunk)) if c >= 0]).tobytes()


def _trim(vocab: Vocabulary) -> None:
    """Bound the memos of ``vocab`` (see :class:`Memo`)."""
    vocab.chunks.trim()
    vocab.words.trim()


def text_columns(text: str, chunks: _ChunkColumns) -> np.ndarray:
    """Columns of the words of ``text`` in order, stop words left out (see :class:`_ChunkColumns`)."""
    chunks.trim()
    chunks.columns.trim()
    return np.frombuffer(b"".join(map(chunks.__getitem__, text.lower().split())), dtype=np.int32)


class _Keys(dict):
    """Phrase, entity or tag as written → its key (:func:`key`); filled on demand."""

    def __missing__(self, text: str) -> str:
        k = self[text] = key(text)
        return k


class Vocabulary:
    """Columns of the term matrix: a stemmed word or a ``k:``/``e:``/``t:`` key → column number.

    Numbers are given in order of first appearance, so the same articles in the same order always
    get the same columns. ``words[w]`` maps a lower-case word as written to its column (-1 for a
    stop word).
    """

    __slots__ = ("columns", "words", "chunks", "keys", "_stop")

    def __init__(self, columns: dict[str, int] | None = None) -> None:
        self.columns: dict[str, int] = {} if columns is None else columns
        self._stop = stopwords()
        self.words = _WordColumns(self)
        self.chunks = _ChunkColumns(self.words)
        self.keys = _Keys()

    def __len__(self) -> int:
        return len(self.columns)

    def term(self, term: str) -> int:
        """The column of ``term``, made when new."""
        c = self.columns.get(term)
        if c is None:
            c = self.columns[term] = len(self.columns)
        return c

    def word(self, w: str) -> int:
        """The column of a lower-case word's stem (-1 for a stop word or a lone letter)."""
        return self.words[w]

    def common(self) -> np.ndarray:
        """For each column, True when it is the stem of a built-in very common word."""
        flags = np.zeros(len(self.columns), dtype=bool)
        common = common_stems()
        for t, c in self.columns.items():
            if t in common:
                flags[c] = True
        return flags

    def kind_weights(self, keyphrase: float, entity: float, tag: float) -> np.ndarray:
        """For each column, the weight of its kind (1 for a word)."""
        out = np.ones(len(self.columns), dtype=np.float64)
        by = {"k": keyphrase, "e": entity, "t": tag}
        for t, c in self.columns.items():
            if t[1:2] == ":" and t[:2] in KINDS:
                out[c] = by[t[0]]
        return out


def count_terms(
    articles: Sequence[Article], vocab: Vocabulary, title_weight: float, chunk: int = 4096
) -> sp.csr_matrix:
    """Raw weighted counts (documents × vocabulary columns, float32).

    A headline word counts ``title_weight``, a word of the standfirst or body 1, a keyphrase or
    tag 1, an entity its count (at least 1). New terms get new columns in ``vocab``.
    """
    parts, _ = _count_parts(articles, vocab, title_weight, chunk)
    if not parts:
        return sp.csr_matrix((0, len(vocab)), dtype=np.float32)
    return sp.vstack(parts, format="csr") if len(parts) > 1 else parts[0]


def _count_parts(
    articles: Sequence[Article], vocab: Vocabulary, title_weight: float, chunk: int, end_words: int = -1,
) -> tuple[list[sp.csr_matrix], np.ndarray | None]:
    parts = [_count_chunk(articles[start : start + chunk], vocab, title_weight, end_words)
             for start in range(0, len(articles), chunk)]
    width = len(vocab)
    ends = None
    if end_words >= 0:
        ends = np.concatenate([e for *_, e in parts]) if parts else np.zeros((0, 3), dtype=np.int64)
    return [sp.csr_matrix((d, i, p), shape=(len(p) - 1, width)) for d, i, p, _ in parts], ends


def _count_share(
    articles: Sequence[Article], start: int, stop: int, title_weight: float, chunk: int, end_words: int = -1,
) -> tuple[list[sp.csr_matrix], list[str], np.ndarray | None]:
    """Counts of ``articles[start:stop]`` with a vocabulary of their own, its terms in column
    order, and (with ``end_words`` ≥ 0) the articles' :func:`end_keys`."""
    vocab = Vocabulary()
    parts, ends = _count_parts(articles[start:stop], vocab, title_weight, chunk, end_words)
    for memo in (vocab.chunks, vocab.words):  # caches only: free them before the results are merged
        memo.clear()
        memo.old = {}
    vocab.keys.clear()
    return parts, list(vocab.columns), ends


def run_shares(func, shares: Sequence[tuple], workers: int) -> list:  # type: ignore[no-untyped-def]
    """``[func(*args) for args in shares]``, with the shares after the first run in forked child
    processes when ``workers`` > 1 (arguments are inherited, not copied; results come back
    pickled through a pipe). Falls back to this process when forking is not possible."""
    if workers <= 1 or len(shares) <= 1:
        return [func(*args) for args in shares]
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:
        return [func(*args) for args in shares]
    children = []
    try:
        for args in shares[1:]:
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(func, args, send))
            proc.start()
            send.close()
            children.append((proc, recv))
    except (AssertionError, OSError) as exc:  # e.g. inside a daemonic pool worker
        log.debug("relate: no child processes (%s); one process", exc)
        for proc, recv in children:
            recv.close()
            proc.join()
        return [func(*args) for args in shares]
    results = [func(*shares[0])]
    failed = None
    for proc, recv in children:
        try:
            ok, value = recv.recv()
        except EOFError:
            ok, value = False, "child process ended without a result"
        recv.close()
        proc.join()
        if not ok:
            failed = value
        results.append(value)
    if failed is not None:
        raise RuntimeError(f"relate child process failed: {failed}")
    return results


def _child(func, args: tuple, conn) -> None:  # type: ignore[no-untyped-def]
    try:
        conn.send((True, func(*args)))
    except BaseException as exc:  # reported to the parent, which raises
        conn.send((False, f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def shares_of(n: int, workers: int) -> list[tuple[int, int]]:
    """``workers`` contiguous (start, stop) ranges covering ``range(n)``."""
    step = -(-n // max(1, workers)) if n else 0
    return [(a, min(n, a + step)) for a in range(0, n, step)] if n else [(0, 0)]


def _count_all(
    articles: Sequence[Article], title_weight: float, chunk: int, workers: int, end_words: int = -1,
) -> tuple[list[sp.csr_matrix], tuple[str, ...], np.ndarray | None]:
    """Counts of every article, in shares: each share numbers its own terms, then every share's
    columns are renumbered to the terms' places in sorted order (the columns of the result)."""
    shares = [(articles, a, b, title_weight, chunk, end_words) for a, b in shares_of(len(articles), workers)]
    results = run_shares(_count_share, shares, workers)
    ends_parts = [r[2] for r in results]
    ends = np.concatenate(ends_parts) if end_words >= 0 and ends_parts else None
    del ends_parts
    if len(results) == 1:
        terms = tuple(sorted(results[0][1]))
    else:
        found: set[str] = set()
        for _, share_terms, _ in results:
            found.update(share_terms)
        terms = tuple(sorted(found))
        del found
    place = {t: c for c, t in enumerate(terms)}
    width = len(terms)
    out: list[sp.csr_matrix] = []
    while results:
        parts, share_terms, _ = results.pop(0)
        remap = np.fromiter(map(place.__getitem__, share_terms), dtype=np.int32, count=len(share_terms))
        del share_terms
        for part in parts:
            part = _remap(part, remap) if width else part
            part.resize((part.shape[0], width))
            out.append(part)
    return out, terms, ends


def _remap(part: sp.csr_matrix, remap: np.ndarray) -> sp.csr_matrix:
    m = sp.csr_matrix((part.data, remap[part.indices], part.indptr), shape=(part.shape[0], int(remap.max(initial=-1)) + 1))
    m.has_sorted_indices = False
    m.sort_indices()
    return m


@dataclass(frozen=True, slots=True)
class Vectors:
    """The weighted term vectors of a corpus (see :func:`build_vectors`)."""

    matrix: sp.csr_matrix  #: documents × terms, unit rows (norm over all terms), linking terms only, float32
    columns: Mapping[str, int]  #: term → column of ``matrix`` (every term, in sorted order)
    weights: Weights  #: per column of ``matrix``
    common: np.ndarray  #: per column: the stem of a built-in very common word
    counts: sp.csr_matrix | None  #: the raw counts the matrix was weighed from (same columns; None unless kept)
    terms: tuple[str, ...]  #: the terms, sorted (column ``c`` is ``terms[c]``)
    ends: np.ndarray | None = None  #: per article: :func:`end_keys` (None unless asked for)


def build_vectors(
    articles: Sequence[Article], title_weight: float, max_df: float, min_docs: int,
    keyphrase: float, entity: float, tag: float, chunk: int = 1024, workers: int = 1,
    idf_step: float = 0.0, keep_counts: bool = True, end_words: int = -1,
) -> Vectors:
    """Count, weigh and normalise every article's terms, keeping in the weighed matrix the terms
    that can link two documents (in at least two, and not too common). Works chunk by chunk.

    Columns are the terms in sorted order, so that every sum over a row's terms runs in an order
    that depends on that row only (not on which other articles brought which words first): a row
    weighs, and scores against another, the same bit for bit in any corpus with the same weights.

    With ``end_words`` ≥ 0, the articles' :func:`end_keys` are computed in the same pass."""
    parts, terms, ends = _count_all(articles, title_weight, chunk, workers, end_words)
    width = len(terms)
    df = np.zeros(width, dtype=np.int64)
    for part in parts:
        df += np.bincount(part.indices, minlength=width)
    n = len(articles)
    common = common_flags(terms)
    w = weights_of(n, df, common, kind_flags(terms, keyphrase, entity, tag), max_df, min_docs, idf_step)
    # the weighed rows of each part are written into arrays made to size (never two copies)
    sizes = [int(w.links[part.indices].sum()) for part in parts]
    matrix = _stack((weigh(part, w) for part in parts), sizes, len(articles), width)
    counts = None
    if keep_counts:
        sizes = [part.nnz for part in parts]
        parts.reverse()
        counts = _stack(_drain(parts), sizes, len(articles), width)
    del parts
    return Vectors(matrix=matrix, columns=SortedColumns(terms), weights=w, common=common, counts=counts, terms=terms,
                   ends=ends)


def _drain(items: list) -> Iterable:
    """The items of a reversed list, last first, each removed from the list as it is given."""
    while items:
        yield items.pop()


def _stack(parts: Iterable[sp.csr_matrix], sizes: Sequence[int], rows: int, width: int) -> sp.csr_matrix:
    """``sp.vstack(parts)`` (CSR, float32, sorted indices) written into arrays of the final size
    (``sizes``: each part's number of entries), so each part can be freed once copied."""
    total = int(sum(sizes))
    data = np.empty(total, dtype=np.float32)
    indices = np.empty(total, dtype=np.int32)
    indptr = np.zeros(rows + 1, dtype=np.int64 if total > np.iinfo(np.int32).max else np.int32)
    at, row = 0, 0
    for part, size in zip(parts, sizes):
        part.sort_indices()
        if part.nnz != size:
            raise AssertionError("relate: a part's size changed")
        data[at : at + size] = part.data
        indices[at : at + size] = part.indices
        m = part.shape[0]
        indptr[row + 1 : row + m + 1] = part.indptr[1:] + at
        at += size
        row += m
    out = sp.csr_matrix((data, indices, indptr), shape=(rows, width))
    out.has_sorted_indices = True
    return out


class SortedColumns(Mapping[str, int]):
    """Term → column over a sorted tuple of terms (a binary search: no dictionary kept)."""

    __slots__ = ("terms",)

    def __init__(self, terms: tuple[str, ...]) -> None:
        self.terms = terms

    def __getitem__(self, term: str) -> int:
        c = bisect.bisect_left(self.terms, term)
        if c < len(self.terms) and self.terms[c] == term:
            return c
        raise KeyError(term)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (SortedColumns, (self.terms,))


def common_flags(terms: Sequence[str]) -> np.ndarray:
    """For each term, True when it is the stem of a built-in very common word."""
    common = common_stems()
    return np.fromiter((t in common for t in terms), dtype=bool, count=len(terms))


def kind_flags(terms: Sequence[str], keyphrase: float, entity: float, tag: float) -> np.ndarray:
    """For each term, the weight of its kind (1 for a word)."""
    by = {"k:": keyphrase, "e:": entity, "t:": tag}
    return np.fromiter((by.get(t[:2], 1.0) if t[1:2] == ":" else 1.0 for t in terms), dtype=np.float64, count=len(terms))


def coarse(docs: int) -> int:
    """The corpus size IDF is computed with: two significant digits from 100 on (as
    :meth:`digest.text.Stats.idf`), so one article more or less changes no weight."""
    return docs if docs < 100 else int(float(f"{docs:.2g}"))


def weights_of(
    docs: int, df: np.ndarray, common: np.ndarray, kind: np.ndarray, max_df: float, min_docs: int,
    idf_step: float = 0.0,
) -> Weights:
    """IDF (rounded to ``idf_step`` when it is above 0, with the corpus size :func:`coarse`),
    the kind's weight, and which terms link documents (in two or more, not in more than
    ``max_df`` of them once there are ``min_docs`` documents)."""
    n = coarse(docs) if idf_step > 0 else docs
    idf = idf_of(n, df, common, np.ones(len(df)))
    if idf_step > 0:
        idf = np.round(idf / idf_step) * idf_step
    idf = idf * kind
    if docs >= min_docs:
        idf[df > max_df * n] = 0.0  # in too many documents: links everything to everything
    links = (df >= 2) & (idf > 0)
    return Weights(docs=docs, df=df, idf=idf, links=links)


def end_keys(text: str, n_words: int) -> tuple[int, int, int]:
    """The hashes of the first and of the last ``n_words`` white-space separated words of
    ``text`` (lower-case; 0 when it is shorter than twice that), and its number of such words."""
    return _end_keys(text.lower().split(), n_words)


def _end_keys(ws: list[str], n_words: int) -> tuple[int, int, int]:
    if n_words <= 0 or len(ws) < 2 * n_words:
        return 0, 0, len(ws)
    head = hashlib.blake2b(" ".join(ws[:n_words]).encode("utf-8", "surrogatepass"), digest_size=8).digest()
    tail = hashlib.blake2b(" ".join(ws[-n_words:]).encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return (int.from_bytes(head, "little") >> 1) | 1, (int.from_bytes(tail, "little") >> 1) | 1, len(ws)


def _count_chunk(
    articles: Sequence[Article], vocab: Vocabulary, title_weight: float, end_words: int = -1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Counts of ``articles`` (CSR arrays), and with ``end_words`` ≥ 0 their :func:`end_keys`.

    Each text is split on white space once; every chunk is mapped to the columns of its words
    by a memo (:class:`_ChunkColumns`, stop words left out)."""
    get = vocab.chunks.__getitem__
    join = b"".join
    keys = vocab.keys
    pieces: list[bytes] = []  # per article: its headline's columns, then its text's (int32 bytes)
    lens = array("l")
    title_lens = array("l")
    extra_rows: list[int] = []
    extra_cols: list[int] = []
    extra_vals: list[float] = []
    term = vocab.term
    ends = np.zeros((len(articles), 3), dtype=np.int64) if end_words >= 0 else None

    def key_col(text: str, prefix: str) -> int:
        k = keys[text]
        return term(prefix + k) if k else -1

    for r, a in enumerate(articles):
        _trim(vocab)
        chunks = doc_text(a).lower().split()
        head = join(map(get, a.title.lower().split()))
        body = join(map(get, chunks))
        pieces.append(head)
        pieces.append(body)
        title_lens.append(len(head) >> 2)
        lens.append((len(head) + len(body)) >> 2)
        if ends is not None:
            ends[r] = _end_keys(chunks, end_words)
        if a.keyphrases or a.entities or a.tags:
            fields = [("k:", p, 1.0) for p in a.keyphrases] + [("e:", e.name, float(max(1, e.count))) for e in a.entities]
            fields += [("t:", tg, 1.0) for tg in a.tags]
            for prefix, name, value in fields:
                c = key_col(name, prefix)
                if c >= 0:
                    extra_rows.append(r)
                    extra_cols.append(c)
                    extra_vals.append(value)
    cols = join(pieces)
    del pieces
    m = len(articles)
    col = np.frombuffer(cols, dtype=np.int32)
    n_tok = np.frombuffer(lens, dtype=np.int64) if m else np.zeros(0, np.int64)
    n_title = np.frombuffer(title_lens, dtype=np.int64) if m else np.zeros(0, np.int64)
    keep = col >= 0
    # position of each word inside its document: the first n_title of them are headline words
    starts = np.repeat(np.cumsum(n_tok) - n_tok, n_tok)
    inside = np.arange(len(col), dtype=np.int64) - starts
    in_title = (inside < np.repeat(n_title, n_tok))[keep]
    del starts, inside
    rows = np.repeat(np.arange(m, dtype=np.int32), n_tok)[keep]
    vals = np.where(in_title, np.float32(title_weight), np.float32(1.0))
    rows = np.concatenate([rows, np.asarray(extra_rows, dtype=np.int32)])
    col = np.concatenate([col[keep], np.asarray(extra_cols, dtype=np.int32)])
    vals = np.concatenate([vals, np.asarray(extra_vals, dtype=np.float64)]).astype(np.float32)
    mat = sp.coo_matrix((vals, (rows, col)), shape=(m, len(vocab))).tocsr()  # sums repeats
    mat.sort_indices()
    return mat.data, mat.indices, mat.indptr, ends


@dataclass(frozen=True, slots=True)
class Weights:
    """How raw counts become term weights (kept with an index so a new article is weighed alike)."""

    docs: int  #: corpus size the IDF was computed on
    df: np.ndarray  #: document frequency of every column
    idf: np.ndarray  #: IDF × kind weight of every column (0: dropped as too common)
    links: np.ndarray  #: bool per column: can link two documents (df ≥ 2 and not too common)


def idf_of(docs: int, df: np.ndarray, common: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """:func:`digest.text.stem_idf` for every column at once, times the kind's weight."""
    n = docs + _BACKGROUND_DOCS
    rate = np.where(common, _RATE_COMMON, _RATE_OTHER)
    return (np.log((1.0 + n) / (1.0 + df + rate * _BACKGROUND_DOCS)) + 1.0) * kind


def weigh(counts: sp.csr_matrix, w: Weights) -> sp.csr_matrix:
    """Unit-length rows of sub-linear tf × IDF, keeping only the linking columns (float32).

    The norm covers every term of the row (words of no other document included), so two short
    texts sharing one word are not "similar"."""
    m = counts.copy().astype(np.float64)
    width = len(w.idf)
    if m.shape[1] < width:
        m.resize((m.shape[0], width))
    tf = m.data
    m.data = np.where(tf >= 1.0, 1.0 + np.log(np.maximum(tf, 1.0)), tf) * w.idf[m.indices]
    lens = np.diff(m.indptr)
    rows = np.repeat(np.arange(m.shape[0]), lens)
    norms = np.sqrt(np.bincount(rows, weights=m.data * m.data, minlength=m.shape[0]))
    norms[norms == 0] = 1.0
    m.data /= np.repeat(norms, lens)
    links = w.links[m.indices] if m.nnz else np.zeros(0, bool)
    m.data[~links] = 0.0
    m.eliminate_zeros()
    out = m.astype(np.float32)
    out.sort_indices()
    return out


def cap_postings(x: sp.csr_matrix, cap: int) -> sp.csr_matrix:
    """``x`` with, in every column, only its ``cap`` heaviest entries (ties: lower row first)."""
    csc = x.tocsc()
    csc.sort_indices()
    df = np.diff(csc.indptr)
    big = np.flatnonzero(df > cap)
    if len(big) == 0:
        return x
    data = csc.data  # a fresh copy made by tocsc: changed in place
    for col in big.tolist():
        a, b = csc.indptr[col], csc.indptr[col + 1]
        seg = data[a:b]
        kth = np.partition(seg, len(seg) - cap)[len(seg) - cap]  # the cap-th heaviest weight
        keep = seg > kth
        ties = np.flatnonzero(seg == kth)[: cap - int(keep.sum())]  # rows are sorted: lower first
        keep[ties] = True
        seg[~keep] = 0.0
    csc.eliminate_zeros()
    return csc.tocsr()


def cap_terms(x: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    """``x`` with, in every row, only its ``keep`` heaviest entries (ties: lower column first)."""
    lens = np.diff(x.indptr)
    if not len(lens) or lens.max() <= keep:
        return x
    rows = np.repeat(np.arange(x.shape[0]), lens)
    order = np.lexsort((x.indices, -x.data, rows))
    rank = np.empty(x.nnz, dtype=np.int64)
    rank[order] = np.arange(x.nnz) - np.repeat(x.indptr[:-1], lens)
    data = x.data.copy()
    data[rank >= keep] = 0.0
    out = sp.csr_matrix((data, x.indices, x.indptr), shape=x.shape)
    out.eliminate_zeros()
    return out


def _int32_csr(m: sp.csr_matrix) -> sp.csr_matrix:
    """``m`` with int32 index arrays when they fit (a copy of the indices only when they differ)."""
    if m.nnz < np.iinfo(np.int32).max and m.shape[0] < np.iinfo(np.int32).max and m.shape[1] < np.iinfo(np.int32).max:
        if m.indptr.dtype != np.int32 or m.indices.dtype != np.int32:
            m = sp.csr_matrix((m.data, m.indices.astype(np.int32), m.indptr.astype(np.int32)), shape=m.shape)
    return m


def _product(a: sp.csr_matrix, b: sp.csr_matrix, b_lens: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays (indptr, indices, data) of ``a @ b``: scipy's own product kernel, the same
    entries in the same order as ``(a @ b).tocsr()``, with the output sized by the number of
    multiplications (``b_lens``: entries of each row of ``b``) instead of by a first counting pass
    over the product (about a third of the product's time)."""
    m, n = a.shape[0], b.shape[1]
    bound = min(int(b_lens[a.indices].sum()), m * n) if a.nnz else 0  # at most every pair once
    if (_csr_matmat is None or b.indices.dtype != np.int32 or b.indptr.dtype != np.int32
            or bound >= np.iinfo(np.int32).max or a.data.dtype != b.data.dtype):
        prod = (a @ b).tocsr()
        return prod.indptr, prod.indices, prod.data
    indptr = np.empty(m + 1, dtype=np.int32)
    indices = np.empty(bound, dtype=np.int32)
    data = np.empty(bound, dtype=b.data.dtype)
    _csr_matmat(m, n, a.indptr.astype(np.int32, copy=False), a.indices.astype(np.int32, copy=False), a.data,
                b.indptr, b.indices, b.data, indptr, indices, data)
    end = int(indptr[-1])
    return indptr, indices[:end], data[:end]


def top_neighbours_parallel(
    x: sp.csr_matrix, postings_t: sp.csr_matrix, count: int, block: int, workers: int
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`top_neighbours` of every row, the rows shared among ``workers`` processes (the same
    result: a row's neighbours depend on that row only)."""
    shares = [(x, postings_t, count, range(a, b), block) for a, b in shares_of(x.shape[0], workers)]
    results = run_shares(top_neighbours, shares, workers)
    if len(results) == 1:
        return results[0]
    return np.vstack([d for d, _ in results]), np.vstack([s for _, s in results])


def top_neighbours(
    x: sp.csr_matrix, postings_t: sp.csr_matrix, count: int, rows: Iterable[int] | None = None,
    block: int = 1024,
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's best ``count`` other documents by ``x[row] · postings[doc]``.

    ``postings_t`` is the transposed postings matrix (terms × documents, CSR). Returns documents
    (int32, -1 where fewer were found) and scores (float32, 0 there), each row best first, ties
    by document number; a row never lists itself. Rows are scored in blocks of ``block`` rows.
    """
    all_rows = np.arange(x.shape[0]) if rows is None else np.asarray(list(rows), dtype=np.int64)
    n_out = len(all_rows)
    docs = np.full((n_out, count), -1, dtype=np.int32)
    scores = np.zeros((n_out, count), dtype=np.float32)
    postings_t = _int32_csr(postings_t)
    lens = np.diff(postings_t.indptr)
    for b0 in range(0, n_out, block):
        sel = all_rows[b0 : b0 + block]
        ip, ind, dat = _product(x[sel], postings_t, lens)
        dat[ind == np.repeat(sel, np.diff(ip))] = 0.0  # a row never lists itself
        for r in range(len(sel)):
            a, b = ip[r], ip[r + 1]
            m = b - a
            if m == 0:
                continue
            vals = dat[a:b]
            cand = ind[a:b]
            if m > count:
                part = np.argpartition(vals, m - count)[m - count :]
                # every document tied with the k-th enters the sort, so ties go to the lower number
                part = np.flatnonzero(vals >= vals[part].min())
                cand, vals = cand[part], vals[part]
            order = np.lexsort((cand, -vals))[:count]
            v = vals[order]
            if v[-1] <= 0:
                order, v = order[v > 0], v[v > 0]
            k = len(order)
            docs[b0 + r, :k] = cand[order]
            scores[b0 + r, :k] = v
    return docs, scores


# -- shingles for near-duplicate text -------------------------------------------------------------

_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53], dtype=np.uint64)


class WordHashes(Memo):
    """Lower-case chunk of text (see :class:`_ChunkColumns`) → the hashes of its words (CRC-32 + 1
    of each word: stable across runs and processes; native uint64 bytes); filled on demand."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(_MEMO_LIMIT)

    def make(self, chunk: str) -> bytes:
        if chunk.isalnum():
            return _UINT64.pack(zlib.crc32(chunk.encode()) + 1)
        return array("Q", [zlib.crc32(w.encode()) + 1 for w in words(chunk)]).tobytes()


def shingle_hashes(text: str, size: int, memo: WordHashes) -> np.ndarray:
    """Sorted distinct 64-bit hashes of the word ``size``-grams of ``text`` (lower-case words).

    Equal shingles always give equal hashes; different ones collide with negligible probability."""
    return shingle_batch([text], size, memo)[0]


def shingle_batch(texts: Sequence[str], size: int, memo: WordHashes) -> list[np.ndarray]:
    """:func:`shingle_hashes` of each of ``texts`` (the same arrays), computed for all of them at
    once: one pass of hashing over the texts' words end to end (a shingle that would span two
    texts is left out), then one sort by (text, hash)."""
    memo.trim()
    join = b"".join
    get = memo.__getitem__
    blobs = [join(map(get, text.lower().split())) for text in texts]
    lens = np.fromiter((len(b) >> 3 for b in blobs), dtype=np.int64, count=len(blobs))
    ids = np.frombuffer(join(blobs), dtype=np.uint64)
    del blobs
    empty = np.zeros(0, dtype=np.uint64)
    m = len(ids) - size + 1
    if m <= 0:
        return [empty] * len(texts)
    h = np.zeros(m, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(size):
            h = (h ^ ids[i : i + m]) * _MIX[i % len(_MIX)]
            h ^= h >> np.uint64(29)
    # shingle k of text d starts at word k of d; it is whole when k + size <= the text's words
    counts = np.maximum(lens - size + 1, 0)
    ends = np.cumsum(lens)
    starts = ends - lens
    at = np.repeat(starts, counts) + (np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts))
    doc = np.repeat(np.arange(len(texts)), counts)
    h = h[at]
    order = np.lexsort((h, doc))
    h, doc = h[order], doc[order]
    new = np.ones(len(h), dtype=bool)
    new[1:] = (h[1:] != h[:-1]) | (doc[1:] != doc[:-1])
    h, doc = h[new], doc[new]
    cut = np.searchsorted(doc, np.arange(len(texts) + 1))
    return [h[a:b] for a, b in zip(cut[:-1].tolist(), cut[1:].tolist())]


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sorted arrays of distinct hashes."""
    if not len(a) or not len(b):
        return 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


# -- rows moved, dropped or replaced (incremental relate) ------------------------------------------


def splice_rows(
    m: sp.csr_matrix, source: np.ndarray, fresh: sp.csr_matrix | None, width: int,
    columns: np.ndarray | None = None,
) -> sp.csr_matrix:
    """A CSR matrix whose row ``r`` is row ``source[r]`` of ``m`` when ``source[r] >= 0`` (with its
    columns renumbered by ``columns`` when given, an increasing map), else row ``-1 - source[r]``
    of ``fresh``. Values are copied, never recomputed: runs of consecutive rows are copied as
    slices, so the cost is a few copies of the arrays."""
    source = np.asarray(source, dtype=np.int64)
    n = len(source)
    if fresh is None:
        fresh = sp.csr_matrix((0, width), dtype=m.data.dtype)
    # runs: maximal stretches of rows taken from consecutive rows of the same matrix
    kind = source >= 0
    row = np.where(kind, source, -1 - source)
    cut = np.ones(n, dtype=bool)
    if n > 1:
        cut[1:] = (kind[1:] != kind[:-1]) | (row[1:] != row[:-1] + 1)
    starts = np.flatnonzero(cut)
    stops = np.append(starts[1:], n)
    data, indices, lens = [], [], []
    old_ind = m.indices if columns is None else None
    for a, b in zip(starts.tolist(), stops.tolist()):
        mat = m if kind[a] else fresh
        r0 = int(row[a])
        r1 = r0 + (b - a)
        lo, hi = int(mat.indptr[r0]), int(mat.indptr[r1])
        data.append(mat.data[lo:hi])
        if mat is m and columns is not None:
            indices.append(np.asarray(columns)[m.indices[lo:hi]])
        else:
            indices.append((old_ind if mat is m else mat.indices)[lo:hi])
        lens.append(np.diff(mat.indptr[r0 : r1 + 1]))
    indptr = np.zeros(n + 1, dtype=np.int64)
    if lens:
        np.cumsum(np.concatenate(lens), out=indptr[1:])
    out = sp.csr_matrix(
        (np.concatenate(data) if data else np.zeros(0, m.data.dtype),
         (np.concatenate(indices) if indices else np.zeros(0, np.int64)).astype(np.int32, copy=False), indptr),
        shape=(n, width),
    )
    out.has_sorted_indices = True
    return out
