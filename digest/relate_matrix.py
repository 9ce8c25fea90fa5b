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
  ``C`` other documents (ties by document number), optionally with only each row's heaviest
  terms (:func:`cap_terms`). The product is scipy's own kernel, with its output sized by the
  number of multiplications rather than by a first pass (:func:`_product`).
* :func:`shingle_hashes` / :func:`shingle_batch` and :func:`jaccard`: word 5-gram shingles as
  sorted 64-bit hashes, many texts hashed in one pass.
* :func:`tokenize` finds and hashes the words of many texts at once with numpy (the words of
  :func:`digest.text.words`, with no Python work per word); :class:`_WordTable` maps word hashes
  to columns, so Python stems and numbers each distinct word of the corpus once.

For a large corpus, counting and the product are shared among forked processes
(:func:`run_shares`): each share of counting is a contiguous range of articles, and the results
are merged so that they are identical to a run in one process; the processes of the product take
runs of rows as they go, and write each row's neighbours where the others see them.

All functions are pure and deterministic: a row's result depends only on the matrices, never on
the block size or on how many processes share the work.
"""
from __future__ import annotations

import bisect
import ctypes
import itertools
import logging
import mmap
import multiprocessing
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

import numpy as np

from .text import common_stems, stem, stopwords, words, words_of


class _LazyScipySparse:
    """``scipy.sparse``, imported when first used: importing it costs 0.25-0.3 s of CPU in a new
    process (through scipy's array-API layer), and a build after one edit needs none of it (the
    incremental path works on :class:`Csr` arrays with numpy)."""

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        import scipy.sparse

        return getattr(scipy.sparse, name)


sp = _LazyScipySparse()


def scipy_loaded() -> bool:
    """Whether scipy.sparse is imported already: its kernels are then used for the products the
    incremental path can also make with numpy (the same sums either way; numpy only spares a
    new process the import)."""
    return "scipy.sparse" in sys.modules


@lru_cache(maxsize=1)
def _matmat():  # type: ignore[no-untyped-def]
    """scipy's own sparse product kernel, called without its first (sizing) pass (see
    :func:`_product`); None with another scipy layout (the public product is used)."""
    try:
        from scipy.sparse._sparsetools import csr_matmat
    except ImportError:  # pragma: no cover
        return None
    return csr_matmat

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


# -- vectorised word tokens ------------------------------------------------------------------------

_Q = np.uint64(0x9E3779B97F4A7C15 | 1)  # odd: invertible modulo 2**64
_Q_INV = np.uint64(pow(int(_Q), -1, 1 << 64))
_APOSTROPHE = 0x2019  # ’: an inner joiner, hashed as '


_KNOWN_BELOW = 0x3000  # code points classified up front (Latin, Greek, Cyrillic, punctuation ...)


_WORD_CHAR, _JOINER = 1, 2  # bits of a code point's class


class _CharClasses:
    """Per code point, its class: a word character (``[^\\W_]``, as :data:`digest.text._WORD`;
    bit :data:`_WORD_CHAR`) and a joiner between two runs of word characters (``’'.-&``; bit
    :data:`_JOINER`), in one table so that a text's classes are one look-up; and its lower case
    (``str.lower``, one code point: right for every one but U+0130, whose lower case is two, and
    U+03A3, whose lower case depends on its neighbours; :func:`tokenize` leaves a text with
    either to ``str.lower``). Code points from
    :data:`_KNOWN_BELOW` on are classified when a text first has them (cache only: the classes
    never change; the pages of the tables no text reaches are never touched)."""

    __slots__ = ("table", "lower", "known")

    def __init__(self) -> None:
        self.table = np.zeros(0x110000, dtype=np.uint8)
        self.lower = np.zeros(0x110000, dtype=np.uint32)
        self.known = np.zeros(0x110000, dtype=bool)
        self._classify(np.arange(_KNOWN_BELOW))
        for ch in "’'.-&":
            self.table[ord(ch)] |= _JOINER

    def _classify(self, points: np.ndarray) -> None:
        chars = list(map(chr, points.tolist()))
        # surrogates and unassigned code points are not alphanumeric: isalnum says so
        self.table[points] |= np.fromiter(map(str.isalnum, chars), dtype=bool, count=len(points))
        lower = [c.lower() for c in chars]
        self.lower[points] = [ord(c) if len(c) == 1 else ord(o) for c, o in zip(lower, chars)]  # U+0130: itself
        self.known[points] = True

    def of(self, cp: np.ndarray) -> _CharClasses:
        """The tables, with every code point of ``cp`` classified."""
        if len(cp) and int(cp.max()) >= _KNOWN_BELOW:
            high = np.unique(cp[cp >= _KNOWN_BELOW])
            high = high[~self.known[high]]
            if len(high):
                self._classify(high)
        return self


@lru_cache(maxsize=1)
def _char_classes() -> _CharClasses:
    return _CharClasses()


class _Powers:
    """Powers of the hash multiplier and of its inverse, grown on demand (cache only)."""

    def __init__(self) -> None:
        self.fwd = np.ones(1, dtype=np.uint64)
        self.inv = np.ones(1, dtype=np.uint64)

    def get(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        if len(self.fwd) < n:
            size = max(n, 2 * len(self.fwd))
            with np.errstate(over="ignore"):
                self.fwd = np.cumprod(np.full(size, _Q, dtype=np.uint64)) * _Q_INV
                self.inv = np.cumprod(np.full(size, _Q_INV, dtype=np.uint64)) * _Q
        return self.fwd[:n], self.inv[:n]


@dataclass(frozen=True, slots=True)
class Tokens:
    """The word tokens of a batch of texts (see :func:`tokenize`)."""

    text: str  #: the texts joined by NUL characters (token ``k`` is ``text[start[k]:end[k]]``, lower-cased)
    start: np.ndarray  #: int64 position of each token in ``text``
    end: np.ndarray  #: int64 end of each token
    hashes: np.ndarray  #: uint64 hash of each token (``’`` hashed as ``'``): equal words, equal hashes
    counts: np.ndarray  #: int64 number of tokens of each text
    lower: bool = False  #: ``text`` is as given (a token is lower-cased when read), else lower-case already

    def word(self, k: int) -> str:
        """Token ``k`` as :func:`digest.text.words` gives it."""
        w = self.text[int(self.start[k]) : int(self.end[k])]
        return (w.lower() if self.lower else w).replace("’", "'")


def tokenize(texts: Sequence[str], powers: _Powers | None = None) -> Tokens:
    """The words of ``texts`` (as :func:`digest.text.words`: lower-case runs of letters and digits
    with inner ``’'.-&``), found and hashed with numpy over the texts' code points, with no
    Python work per word. Hashes are polynomial over the code points modulo 2**64: stable across
    runs and processes; two different words collide with negligible probability."""
    text = "\x00".join(texts)
    if text.count("\x00") != max(0, len(texts) - 1):  # a NUL inside a text: it separates words anyway
        text = "\x00".join(t.replace("\x00", " ") for t in texts)
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    tables = _char_classes().of(cp)
    lowered = "\u0130" in text or "\u03a3" in text
    if lowered:  # a lower case of another length or that depends on the neighbours: Python's own
        text = text.lower()
        cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        tables.of(cp)
    else:  # one code point each (many times faster than str.lower on a text that is not ASCII)
        cp = tables.lower[cp]
        tables.of(cp)
    n = len(cp)
    cls = tables.table[cp]
    w = (cls & _WORD_CHAR).view(bool)
    if n > 2:
        w[1:-1] |= (cls[1:-1] & _JOINER).astype(bool) & w[:-2] & w[2:]
    del cls
    edge = np.diff(w.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    start = np.flatnonzero(edge == 1)
    end = np.flatnonzero(edge == -1)
    del edge, w
    if "’" in text:
        cp = cp.copy()
        cp[cp == _APOSTROPHE] = ord("'")
    fwd, inv = (powers or _Powers()).get(n + 1)
    with np.errstate(over="ignore"):
        prefix = np.empty(n + 1, dtype=np.uint64)
        prefix[0] = 0
        np.multiply(cp, fwd[:n], out=prefix[1:])  # code points × powers, as uint64
        np.cumsum(prefix[1:], out=prefix[1:])
        h = (prefix[end] - prefix[start]) * inv[start]
        h ^= h >> np.uint64(31)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(29)
    seps = np.flatnonzero(cp == 0)
    bounds = np.concatenate([[0], seps + 1, [n + 1]]) if len(texts) else np.zeros(1, dtype=np.int64)
    counts = np.diff(np.searchsorted(start, bounds[: len(texts) + 1])) if len(texts) else np.zeros(0, dtype=np.int64)
    return Tokens(text=text, start=start, end=end, hashes=h, counts=counts.astype(np.int64), lower=not lowered)


class _WordTable:
    """Word hash → column of the word's stem (-1 for a stop word or a lone letter), as numpy
    arrays sorted by hash, so that a batch of tokens is mapped with one sort and a binary search:
    Python runs only once per distinct word of the corpus (to stem and number it). New words go
    to a small second table, merged into the main one when it grows past 32,768 words."""

    __slots__ = ("keys", "cols", "new_keys", "new_cols")

    def __init__(self) -> None:
        self.keys = np.zeros(0, dtype=np.uint64)
        self.cols = np.zeros(0, dtype=np.int32)
        self.new_keys = np.zeros(0, dtype=np.uint64)
        self.new_cols = np.zeros(0, dtype=np.int32)

    @staticmethod
    def _find(keys: np.ndarray, cols: np.ndarray, u: np.ndarray, out: np.ndarray, todo: np.ndarray) -> np.ndarray:
        """Fill ``out[todo]`` from the table where found; return the positions still not found."""
        if not len(keys) or not len(todo):
            return todo
        at = np.minimum(np.searchsorted(keys, u[todo]), len(keys) - 1)
        hit = keys[at] == u[todo]
        out[todo[hit]] = cols[at[hit]]
        return todo[~hit]

    def columns(
        self, tokens: Tokens, vocab: Vocabulary, distinct: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> np.ndarray:
        """The column of every token of ``tokens`` (int32), new words numbered in ``vocab``
        (``distinct``: :func:`_distinct` of the tokens' hashes, when made already)."""
        if not len(tokens.hashes):
            return np.zeros(0, dtype=np.int32)
        u, first, inv = _distinct(tokens.hashes) if distinct is None else distinct
        out = np.empty(len(u), dtype=np.int32)
        todo = self._find(self.keys, self.cols, u, out, np.arange(len(u)))
        new = self._find(self.new_keys, self.new_cols, u, out, todo)
        if len(new):
            text, stop = tokens.text, vocab._stop
            at = first[new]
            ws = [text[a:b] for a, b in zip(tokens.start[at].tolist(), tokens.end[at].tolist())]
            if tokens.lower:
                ws = [w.lower() for w in ws]
            if "’" in text:
                ws = [w.replace("’", "'") for w in ws]
            columns = vocab.columns
            number = columns.setdefault  # a new term gets the next column
            # stem() returns a lower-case word as it is unless it ends in s, g, d or y (str.lower
            # gives a lower-case text again: the words are lower-case whatever their letters)
            fresh = np.array([-1 if w in stop or (len(w) < 2 and not w.isdigit())
                              else number(w if len(w) <= 3 or w[-1] not in "sgdy" else _stem(w), len(columns))
                              for w in ws], dtype=np.int32)
            out[new] = fresh
            pos = np.searchsorted(self.new_keys, u[new])  # u is sorted: so are u[new]
            self.new_keys = np.insert(self.new_keys, pos, u[new])
            self.new_cols = np.insert(self.new_cols, pos, fresh)
            if len(self.new_keys) > 32768:  # both sorted: inserted in place, no sort
                pos = np.searchsorted(self.keys, self.new_keys)
                self.keys = np.insert(self.keys, pos, self.new_keys)
                self.cols = np.insert(self.cols, pos, self.new_cols)
                self.new_keys = np.zeros(0, dtype=np.uint64)
                self.new_cols = np.zeros(0, dtype=np.int32)
        return out[inv.reshape(-1)]


def _run_starts(ordered: np.ndarray) -> np.ndarray:
    """Where each run of equal values of the sorted array ``ordered`` starts (a mask)."""
    new = np.empty(len(ordered), dtype=bool)
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    return new


def _distinct(h: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct values of ``h`` (sorted), the first position of each in ``h``, and the place of
    every item of ``h`` among them: ``np.unique(h, return_index=True, return_inverse=True)`` in
    fewer passes. (The stable sort takes a third of the time of numpy's default one on the hashes
    of a text's words, which repeat: 5 against 16 ms for 100,000.)"""
    perm = np.argsort(h, kind="stable")
    ordered = h[perm]
    new = _run_starts(ordered)
    at = np.flatnonzero(new)
    inv = np.empty(len(h), dtype=np.int64)
    inv[perm] = np.cumsum(new) - 1
    return ordered[at], perm[at], inv


_stem = getattr(stem, "__wrapped__", stem)  # each distinct word is stemmed once: no LRU cache needed


class Vocabulary:
    """Columns of the term matrix: a stemmed word or a ``k:``/``e:``/``t:`` key → column number.

    Numbers are given in order of first appearance (words, then keyphrases, entities and tags, a
    chunk of articles at a time), so the same articles in the same order always get the same
    columns. ``table`` maps the hash of a lower-case word as written to its column (-1 for a
    stop word); ``fields`` maps each of :data:`KINDS` to a table of the phrases, entity names or
    tags as written → their column (-1 when :func:`key` is empty).
    """

    __slots__ = ("columns", "table", "powers", "fields", "_stop")

    def __init__(self, columns: dict[str, int] | None = None) -> None:
        self.columns: dict[str, int] = {} if columns is None else columns
        self._stop = stopwords()
        self.table = _WordTable()
        self.powers = _Powers()
        self.fields: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}

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
        if w in self._stop or (len(w) < 2 and not w.isdigit()):
            return -1
        return self.term(_stem(w))

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
    articles: Sequence[Article], vocab: Vocabulary, title_weight: float, chunk: int = 4096, plain: bool = False,
) -> sp.csr_matrix:
    """Raw weighted counts (documents × vocabulary columns, float32).

    A headline word counts ``title_weight``, a word of the standfirst or body 1, a keyphrase or
    tag 1, an entity its count (at least 1). New terms get new columns in ``vocab``. With
    ``plain``, a :class:`Csr` (the same values, made with numpy when they are whole numbers).
    """
    if plain:
        width_parts = [_count_chunk(articles[a : a + chunk], vocab, title_weight, -1, plain=True)
                       for a in range(0, len(articles), chunk)]
        width = len(vocab)
        datas, inds, ptrs, at = [], [], [np.zeros(1, np.int64)], 0
        for d, i, ptr, *_ in width_parts:
            datas.append(d)
            inds.append(i)
            ptrs.append(np.asarray(ptr[1:], dtype=np.int64) + at)
            at += len(d)
        return Csr(np.concatenate(datas) if datas else np.zeros(0, np.float32),
                   np.concatenate(inds).astype(np.int32) if inds else np.zeros(0, np.int32),
                   np.concatenate(ptrs), (len(articles), width), True)
    parts, *_ = _count_parts(articles, vocab, title_weight, chunk)
    if not parts:
        return sp.csr_matrix((0, len(vocab)), dtype=np.float32)
    return sp.vstack(parts, format="csr") if len(parts) > 1 else parts[0]


def _count_parts(
    articles: Sequence[Article], vocab: Vocabulary, title_weight: float, chunk: int, end_words: int = -1,
    shingle: int = 0,
) -> tuple[list[sp.csr_matrix], np.ndarray | None, TextShingles | None]:
    parts = [_count_chunk(articles[start : start + chunk], vocab, title_weight, end_words, shingle=shingle)
             for start in range(0, len(articles), chunk)]
    width = len(vocab)
    ends = None
    if end_words >= 0:
        ends = np.concatenate([p[3] for p in parts]) if parts else np.zeros((0, 3), dtype=np.int64)
    shingles = TextShingles([p[4] for p in parts], shingle) if shingle > 0 else None
    return [sp.csr_matrix((d, i, p), shape=(len(p) - 1, width)) for d, i, p, *_ in parts], ends, shingles


def _count_share(
    articles: Sequence[Article], start: int, stop: int, title_weight: float, chunk: int, end_words: int = -1,
    shingle: int = 0,
) -> tuple[list[sp.csr_matrix], list[str], np.ndarray | None, TextShingles | None]:
    """Counts of ``articles[start:stop]`` with a vocabulary of their own, whose columns are its
    terms in sorted order (the terms, sorted), (with ``end_words`` ≥ 0) the articles'
    :func:`end_keys`, and (with ``shingle`` > 0) their texts' shingles of that many words.
    Sorting here lets each process sort its own terms, so that the merge of the shares is a
    merge of sorted runs."""
    vocab = Vocabulary()
    parts, ends, shingles = _count_parts(articles[start:stop], vocab, title_weight, chunk, end_words, shingle)
    vocab.table = _WordTable()  # caches only: free them before the terms are sorted
    vocab.fields.clear()
    terms = list(vocab.columns)
    vocab.columns.clear()
    order = sorted_order(terms)
    rank = np.empty(len(terms), dtype=np.int32)
    rank[order] = np.arange(len(terms), dtype=np.int32)
    ordered = [terms[i] for i in order.tolist()]
    del terms, order
    parts = [_remap(part, rank) for part in parts]
    return parts, ordered, ends, shingles


def sorted_order(terms: Sequence[str]) -> np.ndarray:
    """The positions of ``terms`` in sorted order (``sorted(range(n), key=terms.__getitem__)``,
    as int64), by one numpy sort of their first 16 bytes of UTF-8 (whose order is the order of
    the code points); terms that share those bytes are put in order by Python."""
    n = len(terms)
    if n < 2:
        return np.arange(n, dtype=np.int64)
    # a shorter text is padded with NUL bytes: it sorts first, and a tie with a text that has
    # NUL bytes there is put in order by Python
    raw = np.array([t.encode("utf-8", "surrogatepass") for t in terms], dtype="S16")
    if raw.dtype.itemsize != 16:
        return np.asarray(sorted(range(n), key=terms.__getitem__), dtype=np.int64)
    v = raw.view(">u8").reshape(n, 2)
    order = np.lexsort((v[:, 1], v[:, 0]))
    sv = v[order]
    same = np.flatnonzero((sv[1:] == sv[:-1]).all(axis=1))  # order[k] and order[k + 1] share their prefix
    del raw, v, sv
    if len(same):
        # runs of terms with one prefix: sorted by their whole text
        starts = same[np.concatenate(([True], np.diff(same) > 1))]
        ends = same[np.concatenate((np.diff(same) > 1, [True]))] + 2
        for a, b in zip(starts.tolist(), ends.tolist()):
            order[a:b] = sorted(order[a:b].tolist(), key=terms.__getitem__)
    return order


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


def started(func, args: tuple):  # type: ignore[no-untyped-def]
    """``func(*args)`` started now in a forked child process (arguments inherited, not copied);
    returns a function that waits for its result (pickled back through a pipe) and raises what
    failed. Where no child can be started (no fork, other threads in this process, a daemonic
    process), the work is done here when its result is asked for."""
    def here():  # type: ignore[no-untyped-def]
        return func(*args)

    if threading.active_count() > 1:
        return here
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:
        return here
    recv, send = ctx.Pipe(duplex=False)
    try:
        proc = ctx.Process(target=_child, args=(func, args, send))
        proc.start()
    except (AssertionError, OSError) as exc:
        log.debug("relate: no child process (%s); this one", exc)
        recv.close()
        send.close()
        return here
    send.close()

    def result():  # type: ignore[no-untyped-def]
        try:
            ok, value = recv.recv()
        except EOFError:
            ok, value = False, "child process ended without a result"
        finally:
            recv.close()
            proc.join()
        if not ok:
            raise RuntimeError(f"relate child process failed: {value}")
        return value

    return result


def _child(func, args: tuple, conn) -> None:  # type: ignore[no-untyped-def]
    try:
        conn.send((True, func(*args)))
    except BaseException as exc:  # reported to the parent, which raises
        conn.send((False, f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def give_back_memory() -> None:
    """Return the C heap's free pages to the system (glibc's ``malloc_trim``), so that memory
    freed by one step (and kept by the allocator, in pieces too small to unmap) does not count
    in the process's size while later steps run. Nothing where the C library has no
    ``malloc_trim``."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@lru_cache(maxsize=1)
def _malloc_trim():  # type: ignore[no-untyped-def]
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


def shares_of(n: int, workers: int) -> list[tuple[int, int]]:
    """``workers`` contiguous (start, stop) ranges covering ``range(n)``."""
    step = -(-n // max(1, workers)) if n else 0
    return [(a, min(n, a + step)) for a in range(0, n, step)] if n else [(0, 0)]


def _count_all(
    articles: Sequence[Article], title_weight: float, chunk: int, workers: int, end_words: int = -1,
    shingle: int = 0,
) -> tuple[list[sp.csr_matrix], TermList, np.ndarray | None, TextShingles | None]:
    """Counts of every article, in shares: each share numbers its own terms in sorted order, then
    the shares' sorted terms are merged and every share's columns are renumbered to the terms'
    places in the merged order (the columns of the result; a renumbering that keeps the order).
    With ``shingle`` > 0, also the texts' shingles (:class:`TextShingles`; with one share only:
    they would come back from the other processes through a pipe)."""
    shares = [(articles, a, b, title_weight, chunk, end_words, shingle if workers <= 1 else 0)
              for a, b in shares_of(len(articles), workers)]
    results = run_shares(_count_share, shares, workers)
    ends_parts = [r[2] for r in results]
    ends = np.concatenate(ends_parts) if end_words >= 0 and ends_parts else None
    del ends_parts
    if len(results) == 1:
        return results[0][0], TermList(results[0][1]), ends, results[0][3]
    terms, remaps = merge_terms([r[1] for r in results])
    width = len(terms)
    out: list[sp.csr_matrix] = []
    for (parts, *_), remap in zip(results, remaps):
        for part in parts:
            m = sp.csr_matrix((part.data, remap[part.indices], part.indptr), shape=(part.shape[0], width))
            m.has_sorted_indices = True  # the renumbering keeps the order
            out.append(m)
        parts.clear()
    return out, terms, ends, None


def merge_terms(runs: Sequence[Sequence[str]]) -> tuple[TermList, list[np.ndarray]]:
    """The sorted union of sorted, duplicate-free ``runs`` of terms, and for each run the place
    of each of its terms in the union (int32, increasing)."""
    joined: list[str] = []
    for run in runs:
        joined.extend(run)
    # sorted runs end to end: Python's sort merges them in one pass
    order = sorted(range(len(joined)), key=joined.__getitem__)
    ordered = [joined[i] for i in order]
    del joined
    new = np.ones(len(ordered), dtype=bool)
    if len(ordered) > 1:
        new[1:] = np.fromiter(map(str.__ne__, ordered[1:], ordered[:-1]), dtype=bool, count=len(ordered) - 1)
    place = np.empty(len(ordered), dtype=np.int32)
    place[np.asarray(order, dtype=np.int64)] = np.cumsum(new, dtype=np.int64) - 1
    del order
    terms = TermList(list(itertools.compress(ordered, new.tolist())))
    del ordered
    remaps, at = [], 0
    for run in runs:
        remaps.append(place[at : at + len(run)])
        at += len(run)
    return terms, remaps


class TermList(Sequence[str]):
    """A sorted sequence of terms kept as one string and the offsets of its terms (about a tenth
    of the memory of a tuple of strings; a term is made again when it is read)."""

    __slots__ = ("text", "offsets")

    def __init__(self, terms: Sequence[str]) -> None:
        self.text = "".join(terms)
        self.offsets = np.zeros(len(terms) + 1, dtype=np.int32 if len(self.text) < 1 << 31 else np.int64)
        if len(terms):
            np.cumsum(np.fromiter(map(len, terms), dtype=np.int64, count=len(terms)), out=self.offsets[1:])

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i):  # type: ignore[no-untyped-def]
        if isinstance(i, slice):
            lo, hi, step = i.indices(len(self))
            if step != 1:
                return [self[j] for j in range(lo, hi, step)]
            off = self.offsets[lo : max(lo, hi) + 1].tolist()
            text = self.text
            return [text[a:b] for a, b in zip(off, off[1:])]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.text[int(self.offsets[i]) : int(self.offsets[i + 1])]

    def __iter__(self):  # type: ignore[no-untyped-def]
        text, offsets, step = self.text, self.offsets, 1 << 16
        for at in range(0, len(self), step):  # offsets made into Python ints a slice at a time
            off = offsets[at : at + step + 1].tolist()
            yield from (text[a:b] for a, b in zip(off, off[1:]))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TermList):
            return self.text == other.text and np.array_equal(self.offsets, other.offsets)
        if isinstance(other, (tuple, list)):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_term_list, (self.text, self.offsets))


def _term_list(text: str, offsets: np.ndarray) -> TermList:
    out = TermList.__new__(TermList)
    out.text, out.offsets = text, offsets
    return out


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
    counts: sp.csr_matrix | None  #: the raw counts the matrix was weighed from (same columns; None unless kept; uint8 or uint16 when exact)
    terms: Sequence[str]  #: the terms, sorted (column ``c`` is ``terms[c]``; a :class:`TermList`)
    ends: np.ndarray | None = None  #: per article: :func:`end_keys` (None unless asked for)
    shingles: TextShingles | None = None  #: the articles' texts' shingles (None unless asked for)


def build_vectors(
    articles: Sequence[Article], title_weight: float, max_df: float, min_docs: int,
    keyphrase: float, entity: float, tag: float, chunk: int = 256, workers: int = 1,
    idf_step: float = 0.0, keep_counts: bool = True, end_words: int = -1, shingle: int = 0,
) -> Vectors:
    """Count, weigh and normalise every article's terms, keeping in the weighed matrix the terms
    that can link two documents (in at least two, and not too common). Works chunk by chunk.

    Columns are the terms in sorted order, so that every sum over a row's terms runs in an order
    that depends on that row only (not on which other articles brought which words first): a row
    weighs, and scores against another, the same bit for bit in any corpus with the same weights.

    With ``end_words`` ≥ 0, the articles' :func:`end_keys` are computed in the same pass, and with
    ``shingle`` > 0 (and one worker) the shingles of that many words of their texts
    (:class:`TextShingles`, from the words' hashes this pass makes anyway)."""
    parts, terms, ends, shingles = _count_all(articles, title_weight, chunk, workers, end_words, shingle)
    give_back_memory()  # the shares' vocabularies and the merge's lists
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
        # counts are whole numbers when the headline weight is: then 8 or 16 bits hold them exactly
        kind: type = np.float32
        for small in (np.uint16, np.uint8):
            if all(np.array_equal(p.data.astype(small).astype(p.data.dtype), p.data) for p in parts):
                kind = small
        parts.reverse()
        counts = _stack(_drain(parts), sizes, len(articles), width, kind)
    del parts
    return Vectors(matrix=matrix, columns=SortedColumns(terms), weights=w, common=common, counts=counts, terms=terms,
                   ends=ends, shingles=shingles)


def _drain(items: list) -> Iterable:
    """The items of a reversed list, last first, each removed from the list as it is given."""
    while items:
        yield items.pop()


def _stack(
    parts: Iterable[sp.csr_matrix], sizes: Sequence[int], rows: int, width: int, dtype: type = np.float32,
) -> sp.csr_matrix:
    """``sp.vstack(parts)`` (CSR, ``dtype``, sorted indices) written into arrays of the final size
    (``sizes``: each part's number of entries), so each part can be freed once copied (and the
    memory of the parts freed is given back every few million entries)."""
    total = int(sum(sizes))
    data = np.empty(total, dtype=dtype)
    indices = np.empty(total, dtype=np.int32)
    indptr = np.zeros(rows + 1, dtype=np.int64 if total > np.iinfo(np.int32).max else np.int32)
    at, row, given = 0, 0, 0
    for part, size in zip(parts, sizes):
        if at - given >= 1 << 22:
            give_back_memory()
            given = at
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

    def __init__(self, terms: Sequence[str]) -> None:
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
    if isinstance(terms, TermList):  # sorted: each common stem is looked up
        flags = np.zeros(len(terms), dtype=bool)
        for word in common:
            c = bisect.bisect_left(terms, word)
            if c < len(terms) and terms[c] == word:
                flags[c] = True
        return flags
    return np.fromiter((t in common for t in terms), dtype=bool, count=len(terms))


def kind_flags(terms: Sequence[str], keyphrase: float, entity: float, tag: float) -> np.ndarray:
    """For each term, the weight of its kind (1 for a word)."""
    by = {"k:": keyphrase, "e:": entity, "t:": tag}
    if isinstance(terms, TermList):  # sorted: the terms of a kind are one run of them
        out = np.ones(len(terms), dtype=np.float64)
        for prefix, weight in by.items():
            lo = bisect.bisect_left(terms, prefix)
            hi = bisect.bisect_left(terms, prefix[0] + chr(ord(":") + 1), lo)
            out[lo:hi] = weight
        return out
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
    """The hashes of the first and of the last ``n_words`` words of ``text`` (as
    :func:`digest.text.words`; 0 when it is shorter than twice that), and its number of words."""
    tk = tokenize([text])
    return tuple(_ends_of_tokens(tk.hashes, tk.counts, n_words)[0].tolist())  # type: ignore[return-value]


def _ends_of_tokens(hashes: np.ndarray, counts: np.ndarray, n_words: int) -> np.ndarray:
    """:func:`end_keys` of texts whose tokens are ``hashes`` end to end (``counts`` per text):
    an n × 3 int64 array."""
    out = np.zeros((len(counts), 3), dtype=np.int64)
    out[:, 2] = counts
    if n_words <= 0 or not len(counts):
        return out
    offs = np.cumsum(counts) - counts
    ok = np.flatnonzero(counts >= 2 * n_words)
    if not len(ok):
        return out
    with np.errstate(over="ignore"):
        for col, base in ((0, offs[ok]), (1, offs[ok] + counts[ok] - n_words)):
            acc = np.full(len(ok), np.uint64(n_words), dtype=np.uint64)
            for i in range(n_words):
                acc = (acc ^ hashes[base + i]) * _MIX[i % len(_MIX)]
                acc ^= acc >> np.uint64(29)
            out[ok, col] = ((acc >> np.uint64(1)) | np.uint64(1)).astype(np.int64)
    return out


def _count_chunk(
    articles: Sequence[Article], vocab: Vocabulary, title_weight: float, end_words: int = -1, plain: bool = False,
    shingle: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, tuple[np.ndarray, np.ndarray, np.ndarray] | None]:
    """Counts of ``articles`` (CSR arrays), with ``end_words`` ≥ 0 their :func:`end_keys`, and with
    ``shingle`` > 0 their texts' words end to end (the distinct hashes, sorted, and each word as
    a position among them, 16 bits when that is enough) with each text's number of words.

    Headlines and texts are tokenised in one pass (:func:`tokenize`); tokens are mapped to
    columns by their hashes (:class:`_WordTable`, stop words left out)."""
    m = len(articles)
    texts: list[str] = []
    for a in articles:
        texts.append(a.title)
        texts.append(doc_text(a))
    tk = tokenize(texts, vocab.powers)
    distinct = _distinct(tk.hashes)
    col = vocab.table.columns(tk, vocab, distinct)
    text_of = np.repeat(np.arange(2 * m, dtype=np.int64), tk.counts)
    ends = shingles = None
    if end_words >= 0 or shingle > 0:
        body = np.repeat(np.arange(2 * m) % 2 == 1, tk.counts)
        if end_words >= 0:
            ends = _ends_of_tokens(tk.hashes[body], tk.counts[1::2], end_words)
        if shingle > 0:
            u, _, inv = distinct
            shingles = u, inv[body].astype(np.uint16 if len(u) <= 1 << 16 else np.uint32), tk.counts[1::2]
        del body
    del tk, distinct
    keep = col >= 0
    text_of = text_of[keep]
    rows = [(text_of >> 1).astype(np.int32)]
    vals = [np.where(text_of & 1 == 0, np.float32(title_weight), np.float32(1.0))]
    cols = [col[keep]]
    del text_of, col, keep
    # keyphrases, entities and tags: a keyphrase or tag counts 1, an entity its count (at least 1)
    # (each name as written is keyed once: Python works once per field, in C, to look it up)
    entities = [[e.name for e in a.entities] for a in articles]
    counts = np.fromiter((e.count for a in articles for e in a.entities), dtype=np.float64)
    for kind, names, value in (("k:", [a.keyphrases for a in articles], None), ("e:", entities, counts),
                               ("t:", [a.tags for a in articles], None)):
        flat = list(itertools.chain.from_iterable(names))
        if not flat:
            continue
        table = vocab.fields[kind]
        new = [name for name in dict.fromkeys(flat) if name not in table]  # in order of first appearance
        if new:
            term = vocab.term
            for name, k in zip(new, map(" ".join, words_of(new))):
                table[name] = term(kind + k) if k else -1
        c = np.fromiter(map(table.__getitem__, flat), dtype=np.int32, count=len(flat))
        r = np.repeat(np.arange(m, dtype=np.int32), np.fromiter(map(len, names), dtype=np.int64, count=m))
        v = np.ones(len(flat), dtype=np.float32) if value is None else np.maximum(value, 1.0).astype(np.float32)
        ok = c >= 0
        rows.append(r[ok])
        cols.append(c[ok])
        vals.append(v[ok])
    rows, col, vals = np.concatenate(rows), np.concatenate(cols), np.concatenate(vals)
    if plain:  # (a few articles: numpy, when the sums are exact in any order)
        summed = _sum_repeats(rows, col, vals, (m, len(vocab)))
        if summed is not None:
            return summed.data, summed.indices, summed.indptr, ends, shingles
    mat = sp.coo_matrix((vals, (rows, col)), shape=(m, len(vocab))).tocsr()  # sums repeats
    mat.sort_indices()
    return mat.data, mat.indices, mat.indptr, ends, shingles


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


def weigh(counts: sp.csr_matrix, w: Weights, plain: bool = False) -> sp.csr_matrix:
    """Unit-length rows of sub-linear tf × IDF, keeping only the linking columns (float32).

    The norm covers every term of the row (words of no other document included), so two short
    texts sharing one word are not "similar". The caller's arrays are never changed. With
    ``plain`` (and ``counts`` sorted) the result is a :class:`Csr`, made without scipy."""
    n = counts.shape[0]
    width = max(len(w.idf), counts.shape[1])
    nnz = counts.nnz
    indptr = np.asarray(counts.indptr)
    indices = counts.indices[:nnz]
    tf = counts.data[:nnz].astype(np.float64)
    val = np.where(tf >= 1.0, 1.0 + np.log(np.maximum(tf, 1.0)), tf) * w.idf[indices]
    del tf
    lens = np.diff(indptr)
    rows = np.repeat(np.arange(n), lens)
    norms = np.sqrt(np.bincount(rows, weights=val * val, minlength=n))
    del rows
    norms[norms == 0] = 1.0
    val /= np.repeat(norms, lens)
    keep = (w.links[indices] if nnz else np.zeros(0, bool)) & (val != 0.0)
    kept = np.zeros(n + 1, dtype=np.int64)
    kept[1:] = _row_sums(keep, indptr)
    np.cumsum(kept, out=kept)
    if plain and counts.has_sorted_indices:
        return Csr(val[keep].astype(np.float32), indices[keep].astype(np.int32, copy=False), kept, (n, width), True)
    out = sp.csr_matrix((val[keep].astype(np.float32), indices[keep], kept), shape=(n, width))
    out.sort_indices()
    return out


def cap_postings(x: sp.csr_matrix, cap: int, group: int = 1 << 18) -> sp.csr_matrix:
    """``x`` with, in every column, only its ``cap`` heaviest entries (ties: lower row first).

    Works on the CSR arrays, never on a column-major copy: the columns with more than ``cap``
    entries are taken in groups of about ``group`` entries; in each, one sort of (column, weight)
    keys gives every column's threshold."""
    x = x.tocsr()
    x.sort_indices()
    nnz = x.nnz
    indices = x.indices[:nnz]
    df = column_counts(indices, x.shape[1])
    big_cols = np.flatnonzero(df > cap)
    if not len(big_cols):
        return x
    group_ids = (np.cumsum(df[big_cols]) - 1) // group  # consecutive big columns, about ``group`` entries each
    del df
    groups = int(group_ids[-1]) + 1
    kind = np.int16 if groups < np.iinfo(np.int16).max else np.int32
    group_of_col = np.full(x.shape[1], -1, dtype=kind)
    group_of_col[big_cols] = group_ids
    group_start = np.searchsorted(group_ids, np.arange(groups + 1))
    slot_of_col = np.zeros(x.shape[1], dtype=np.int32)  # a big column's place among its group's
    slot_of_col[big_cols] = np.arange(len(big_cols), dtype=np.int32) - group_start[group_ids].astype(np.int32)
    gid = np.empty(nnz, dtype=kind)  # each entry's group (-1: a column kept whole)
    for a in range(0, nnz, 1 << 20):
        gid[a : a + (1 << 20)] = group_of_col[indices[a : a + (1 << 20)]]
    del group_of_col
    keep = np.ones(nnz, dtype=bool)
    top = np.uint64(32)
    for g in range(groups):
        cols = big_cols[group_start[g] : group_start[g + 1]]
        if not len(cols):  # no column in this group (a column larger than a group skips a number)
            continue
        at = np.flatnonzero(gid == g)
        c = indices[at]
        # one sort key: column, then weight heaviest first (the bits of a float32 ≥ 0 sort as
        # the value); the cap-th key of each column is its threshold
        w = np.ascontiguousarray(x.data[at], dtype=np.float32).view(np.uint32)
        key = (c.astype(np.uint64) << top) | (np.uint32(0xFFFFFFFF) - w).astype(np.uint64)
        del w
        ordered = np.sort(key)
        starts = np.searchsorted(ordered, cols.astype(np.uint64) << top)
        thr = ordered[starts + cap - 1]
        less = np.searchsorted(ordered, thr, side="left") - starts  # strictly above the threshold
        del ordered
        slot = slot_of_col[c]  # each entry's column, as a position in ``cols``
        t = thr[slot]
        keep[at[key > t]] = False
        tie = np.flatnonzero(key == t)  # ties at the threshold: the lower rows (positions) first
        if len(tie):
            ts = slot[tie]
            o = np.argsort(ts, kind="stable")
            ts = ts[o]
            rank = np.arange(len(ts)) - np.searchsorted(ts, ts, side="left")
            keep[at[tie[o[rank >= cap - less[ts]]]]] = False
        del key, t, slot, c, at
    del gid, slot_of_col
    kept = _row_sums(keep, x.indptr)
    indptr = np.zeros(x.shape[0] + 1, dtype=np.int64 if nnz > np.iinfo(np.int32).max else np.int32)
    np.cumsum(kept, out=indptr[1:])
    out = sp.csr_matrix((x.data[:nnz][keep], indices[keep], indptr), shape=x.shape)
    out.has_sorted_indices = True
    del keep
    give_back_memory()  # the groups' arrays
    return out


def _row_sums(flags: np.ndarray, indptr: np.ndarray, step: int = 1 << 14) -> np.ndarray:
    """Number of True ``flags`` in each row of a CSR layout (``step`` rows at a time: the sum
    works on a 64-bit copy of its slice)."""
    rows = len(indptr) - 1
    out = np.zeros(rows, dtype=np.int64)
    for r0 in range(0, rows, step):
        ip = np.asarray(indptr[r0 : min(rows, r0 + step) + 1], dtype=np.int64)
        lens = np.diff(ip)
        full = np.flatnonzero(lens > 0)
        if len(full):
            part = flags[ip[0] : ip[-1]].view(np.int8)
            out[r0 + full] = np.add.reduceat(part, ip[:-1][full] - ip[0], dtype=np.int64)
    return out


def column_counts(indices: np.ndarray, width: int, step: int = 1 << 20) -> np.ndarray:
    """``np.bincount(indices, minlength=width)`` a slice at a time (bincount makes a 64-bit copy
    of its input: 8 bytes per entry at once otherwise)."""
    out = np.zeros(width, dtype=np.int64)
    for a in range(0, len(indices), step):
        out += np.bincount(indices[a : a + step], minlength=width)
    return out


def cap_terms(x: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    """``x`` with, in every row, only its ``keep`` heaviest entries (ties: lower column first).

    Rows longer than ``keep`` are taken in groups of similar length, as the rows of a 2-d array
    of keys (weight, heaviest first, then column), and each row's ``keep``-th key is found with
    one partition of the array: no sort of the entries."""
    lens = np.diff(x.indptr)
    if not len(lens) or keep <= 0 or lens.max() <= keep:
        return x
    if x.nnz and x.data.min() < 0:
        return _cap_terms_sorted(x, keep)
    cut = np.zeros(x.nnz, dtype=bool)
    long_rows = np.flatnonzero(lens > keep)
    # groups of rows whose lengths round up to the same power of two: at most half is padding
    size = np.left_shift(1, np.ceil(np.log2(lens[long_rows])).astype(np.int64))
    for width in np.unique(size).tolist():
        rows = long_rows[size == width]
        n_ent = lens[rows]
        start = np.asarray(x.indptr[rows], dtype=np.int64)
        pos = np.repeat(start - np.cumsum(n_ent) + n_ent, n_ent) + np.arange(int(n_ent.sum()))
        slot = np.repeat(np.arange(len(rows)), n_ent)
        col = pos - np.repeat(start, n_ent)
        bits = np.ascontiguousarray(x.data[pos], dtype=np.float32).view(np.uint32)
        key = ((np.uint32(0xFFFFFFFF) - bits).astype(np.uint64) << np.uint64(32)) | x.indices[pos].astype(np.uint64)
        grid = np.full((len(rows), width), np.iinfo(np.uint64).max, dtype=np.uint64)
        grid[slot, col] = key
        thr = np.partition(grid, keep - 1, axis=1)[:, keep - 1]
        cut[pos[key > thr[slot]]] = True
    data = x.data.copy()
    data[cut] = 0.0
    out = sp.csr_matrix((data, x.indices.copy(), x.indptr.copy()), shape=x.shape)  # never x's own arrays
    out.eliminate_zeros()
    return out


def _cap_terms_sorted(x: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    """:func:`cap_terms` by one sort of all entries (any sign of weights)."""
    lens = np.diff(x.indptr)
    rows = np.repeat(np.arange(x.shape[0]), lens)
    order = np.lexsort((x.indices, -x.data, rows))
    rank = np.empty(x.nnz, dtype=np.int64)
    rank[order] = np.arange(x.nnz) - np.repeat(x.indptr[:-1], lens)
    data = x.data.copy()
    data[rank >= keep] = 0.0
    out = sp.csr_matrix((data, x.indices.copy(), x.indptr.copy()), shape=x.shape)  # never x's own arrays
    out.eliminate_zeros()
    return out


def _int32_csr(m: sp.csr_matrix) -> sp.csr_matrix:
    """``m`` with int32 index arrays when they fit (a copy of the indices only when they differ)."""
    if isinstance(m, Csr):
        if m.nnz < np.iinfo(np.int32).max and max(m.shape) < np.iinfo(np.int32).max:
            if m.indptr.dtype != np.int32 or m.indices.dtype != np.int32:
                m = Csr(m.data, m.indices.astype(np.int32), m.indptr.astype(np.int32), m.shape, m.has_sorted_indices)
        return m
    if m.nnz < np.iinfo(np.int32).max and m.shape[0] < np.iinfo(np.int32).max and m.shape[1] < np.iinfo(np.int32).max:
        if m.indptr.dtype != np.int32 or m.indices.dtype != np.int32:
            m = sp.csr_matrix((m.data, m.indices.astype(np.int32), m.indptr.astype(np.int32)), shape=m.shape)
    return m


def _product(a: sp.csr_matrix, b: sp.csr_matrix, b_lens: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays (indptr, indices, data) of ``a @ b``: scipy's own product kernel, the same
    entries in the same order as ``(a @ b).tocsr()``, with the output sized by the number of
    multiplications (``b_lens``: entries of each row of ``b``) instead of by a first counting pass
    over the product (about a third of the product's time)."""
    if isinstance(b, Csr) or isinstance(a, Csr):
        found = None if scipy_loaded() else _numpy_product(Csr.of(a), Csr.of(b))
        if found is not None:
            return found
        a, b = (a.tosp() if isinstance(a, Csr) else a), (b.tosp() if isinstance(b, Csr) else b)
    m, n = a.shape[0], b.shape[1]
    # at most every pair once (when that is no more than ``a``'s entries, without looking at them)
    bound = m * n if m * n <= a.nnz else min(int(b_lens[a.indices[: a.nnz]].sum()), m * n) if a.nnz else 0
    _csr_matmat = _matmat()
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
    x: sp.csr_matrix, postings_t: sp.csr_matrix, count: int, block: int, workers: int, query_terms: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`top_neighbours` of every row, the rows shared among ``workers`` processes (the same
    result: a row's neighbours depend on that row only). Each process takes the next
    :data:`_SHARE_ROWS` rows not yet taken until none is left, so a process slowed by others
    (another program, the build's cache being saved) takes fewer of them."""
    n = x.shape[0]
    if workers <= 1 or n <= _SHARE_ROWS:
        return top_neighbours(x, postings_t, count, None, block, query_terms)
    # every share writes its rows into arrays the processes share: nothing comes back through a
    # pipe, and no second copy of the result is made (the peak of the stage at 100,000 articles)
    try:
        taken = multiprocessing.Value("q", 0)  # the first row no process has taken yet
    except (OSError, ImportError) as exc:  # no shared semaphore here (e.g. no /dev/shm)
        log.debug("relate: no shared counter (%s); one process", exc)
        return top_neighbours(x, postings_t, count, None, block, query_terms)
    docs = _shared_array((n, count), np.int32)
    scores = _shared_array((n, count), np.float32)
    run_shares(_top_neighbours_taken, [(x, postings_t, count, block, query_terms, (docs, scores), taken)] * workers, workers)
    return docs, scores


_SHARE_ROWS = 512
"""Rows a process of :func:`top_neighbours_parallel` takes at a time (results do not depend on
it): 20 takes at 10,000 articles, so the processes end within about a twentieth of the product
of each other."""


def _top_neighbours_taken(
    x: sp.csr_matrix, postings_t: sp.csr_matrix, count: int, block: int, query_terms: int,
    out: tuple[np.ndarray, np.ndarray], taken,  # type: ignore[no-untyped-def]
) -> None:
    """:func:`top_neighbours` of the rows this process takes from ``taken`` (the first row no
    process has taken yet, shared) into their rows of ``out``."""
    n = x.shape[0]
    while True:
        with taken.get_lock():
            a = taken.value
            taken.value = a + _SHARE_ROWS
        if a >= n:
            return
        b = min(n, a + _SHARE_ROWS)
        top_neighbours(x, postings_t, count, range(a, b), block, query_terms, (out[0][a:b], out[1][a:b]))


def _shared_array(shape: tuple[int, int], dtype: type) -> np.ndarray:
    """A zeroed array in anonymous shared memory: what a forked child writes into it, this
    process sees (freed with the array)."""
    size = int(np.prod(shape))
    buffer = mmap.mmap(-1, max(1, size * np.dtype(dtype).itemsize))
    return np.frombuffer(buffer, dtype=dtype, count=size).reshape(shape)


def top_neighbours(
    x: sp.csr_matrix, postings_t: sp.csr_matrix, count: int, rows: Iterable[int] | None = None,
    block: int = 1024, query_terms: int = 0, out: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's best ``count`` other documents by ``x[row] · postings[doc]``, with only the
    row's ``query_terms`` heaviest terms (:func:`cap_terms`; 0: all of them).

    ``postings_t`` is the transposed postings matrix (terms × documents, CSR). Returns documents
    (int32, -1 where fewer were found) and scores (float32, 0 there), each row best first, ties
    by document number; a row never lists itself. Rows are scored in blocks of ``block`` rows.
    With ``out``, the results are written into those two arrays (one row per row scored).
    """
    all_rows = np.arange(x.shape[0]) if rows is None else np.asarray(list(rows), dtype=np.int64)
    n_out = len(all_rows)
    if out is None:
        docs = np.full((n_out, count), -1, dtype=np.int32)
        scores = np.zeros((n_out, count), dtype=np.float32)
    else:
        docs, scores = out
        if docs.shape != (n_out, count) or scores.shape != (n_out, count):
            raise ValueError("top_neighbours: the output arrays do not fit the rows")
        docs[:] = -1
        scores[:] = 0.0
    postings_t = _int32_csr(postings_t)
    lens = np.diff(postings_t.indptr)
    step = block * max(1, 4096 // max(1, block))  # rows taken from ``x`` (and capped) at once
    for s0 in range(0, n_out, step):
        rows_s = all_rows[s0 : s0 + step]
        q_all = x.rows(rows_s) if isinstance(x, Csr) else x[rows_s]
        if query_terms > 0:
            q_all = cap_terms(q_all, query_terms)
        for b0 in range(s0, s0 + len(rows_s), block):
            sel = all_rows[b0 : min(b0 + block, s0 + len(rows_s))]
            q = q_all.rows(np.arange(b0 - s0, b0 - s0 + len(sel))) if isinstance(q_all, Csr) else q_all[b0 - s0 : b0 - s0 + len(sel)]
            ip, ind, dat = _product(q, postings_t, lens)
            del q
            _select(ip, ind, dat, sel, b0, count, docs, scores)
    return docs, scores


def hits_at_least(
    x, postings, docs: np.ndarray, floor: np.ndarray, cells: int = 4_000_000,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    """The entries (row, position in ``docs``, value) of ``x @ postings[docs].T`` whose value is at
    least ``floor[row]`` (float32; every row of ``x``, none of a row whose floor is infinite), with
    the sums of :func:`top_neighbours` (each score's products in the row's column order, added in
    float32). Computed for blocks of rows of about ``cells`` scores, each block's scores dropped
    below the floors as soon as they are made (so the many low scores never make arrays of their
    own)."""
    floor = np.asarray(floor, dtype=np.float32)
    live = np.flatnonzero(floor < np.inf)
    xc = Csr.of(x)
    if len(live) < 0.9 * xc.shape[0]:  # only the rows that can have a hit are multiplied (a copy of them)
        r, c, v = hits_at_least(xc.rows(live), postings, docs, floor[live], cells)
        return live[r], c, v
    docs = np.asarray(docs, dtype=np.int64)
    none = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32))
    n = xc.shape[0]
    if not len(docs) or not n:
        return none
    pt = _int32_csr(transpose(Csr.of(postings).rows(docs)))  # terms × the documents asked
    lens = np.diff(pt.indptr)
    step = max(1, cells // len(docs))
    found_r, found_c, found_v = [], [], []
    for b0 in range(0, n, step):
        b1 = min(n, b0 + step)
        lo, hi = int(xc.indptr[b0]), int(xc.indptr[b1])
        block = xc if b1 - b0 == n else Csr(xc.data[lo:hi], xc.indices[lo:hi], xc.indptr[b0 : b1 + 1] - lo,
                                            (b1 - b0, xc.shape[1]), xc.has_sorted_indices)
        ip, ind, dat = _product(block, pt, lens)
        at = np.flatnonzero(dat >= np.repeat(floor[b0:b1], np.diff(ip)))
        if len(at):
            found_r.append(b0 + np.searchsorted(ip, at, side="right") - 1)
            found_c.append(ind[at].astype(np.int64))
            found_v.append(dat[at].astype(np.float32, copy=False))
    if not found_r:
        return none
    return np.concatenate(found_r).astype(np.int64), np.concatenate(found_c), np.concatenate(found_v)


_SAMPLE = 8
"""Step of the sample of a long row of scores (every ``_SAMPLE``-th) whose k-th largest value is
a lower bound of the row's own (:func:`_select`; results do not depend on it)."""


def _select(ip: np.ndarray, ind: np.ndarray, dat: np.ndarray, sel: np.ndarray, b0: int, count: int,
            docs: np.ndarray, scores: np.ndarray) -> None:
    """Each row's best ``count`` of a block's product (CSR arrays) into ``docs``/``scores`` from
    row ``b0`` on (see :func:`top_neighbours`). A row never lists itself: its best ``count + 1``
    are chosen, then itself (if there) is left out."""
    take = count + 1
    starts = ip.tolist()
    for r, me in enumerate(sel.tolist()):
        a, b = starts[r], starts[r + 1]
        m = b - a
        if m == 0:
            continue
        vals = dat[a:b]
        cand = ind[a:b]
        if m >= 2 * _SAMPLE * take:
            # at least ``take`` values reach the sample's take-th largest: the row's take-th
            # largest is among them (about _SAMPLE × take), found by a shorter partition
            sample = vals[::_SAMPLE]
            part = np.flatnonzero(vals >= np.partition(sample, len(sample) - take)[len(sample) - take])
            cand, vals = cand[part], vals[part]
            m = len(vals)
        if m > take:
            # every document tied with the take-th enters the sort, so ties go to the lower number
            part = np.flatnonzero(vals >= np.partition(vals, m - take)[m - take])
            cand, vals = cand[part], vals[part]
        order = np.lexsort((cand, -vals))[:take]
        cand, vals = cand[order], vals[order]
        keep = (cand != me) & (vals > 0)
        cand, vals = cand[keep][:count], vals[keep][:count]
        docs[b0 + r, : len(cand)] = cand
        scores[b0 + r, : len(cand)] = vals


# -- shingles for near-duplicate text -------------------------------------------------------------

_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                 0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53], dtype=np.uint64)


class WordHashes:
    """Cache for :func:`shingle_batch` (the powers of the word hash; results never depend on it)."""

    __slots__ = ("powers",)

    def __init__(self) -> None:
        self.powers = _Powers()


def shingle_hashes(text: str, size: int, memo: WordHashes) -> np.ndarray:
    """Sorted distinct 64-bit hashes of the word ``size``-grams of ``text`` (as :func:`digest.text.words`).

    Equal shingles always give equal hashes; different ones collide with negligible probability."""
    return shingle_batch([text], size, memo)[0]


def shingle_batch(texts: Sequence[str], size: int, memo: WordHashes) -> list[np.ndarray]:
    """:func:`shingle_hashes` of each of ``texts`` (the same arrays), computed for all of them at
    once: one pass of tokenising and hashing over the texts' words end to end (a shingle that
    would span two texts is left out), then each text's shingles sorted (one plain sort each:
    half the time of one sort of all by (text, hash), a two-key stable sort)."""
    tk = tokenize(texts, memo.powers)
    lens = tk.counts
    ids = tk.hashes
    del tk
    empty = np.zeros(0, dtype=np.uint64)
    if len(ids) < size:
        return [empty] * len(texts)
    h = shingle_run(ids, size)
    del ids
    # shingle k of a text starts at its word k; it is whole when k + size <= the text's words
    out = []
    for end, n in zip(np.cumsum(lens).tolist(), lens.tolist()):
        if n < size:
            out.append(empty)
            continue
        found = np.sort(h[end - n : end - size + 1])
        out.append(found[_run_starts(found)])
    return out


def shingle_run(ids: np.ndarray, size: int) -> np.ndarray:
    """The hash of the ``size`` words from each position of ``ids`` (word hashes, end to end) on:
    as many as ``ids``, the last ``size - 1`` (which would run past the end) 0."""
    out = np.zeros(len(ids), dtype=np.uint64)
    m = len(ids) - size + 1
    if m <= 0:
        return out
    h = out[:m]
    with np.errstate(over="ignore"):
        for i in range(size):
            h ^= ids[i : i + m]
            h *= _MIX[i % len(_MIX)]
            h ^= h >> np.uint64(29)
    return out


_SHINGLE_GROUP = 8
"""Texts of a batch of :class:`TextShingles` whose shingles are made at once (memory only)."""


class TextShingles:
    """:func:`shingle_hashes` of many texts, kept in a few arrays. ``runs`` holds, for consecutive
    batches of texts, their words end to end (the distinct hashes, and each word as a position
    among them: a fraction of the hashes' memory while the other steps run) and each text's
    number of words. When a text is first asked for, the words of its group (its batch's
    :data:`_SHINGLE_GROUP` texts around it) become the :func:`shingle_run` of their hashes, one
    array for the group (a group no text is asked from never takes that memory), and the text's
    shingles are sorted and made distinct in place, in its own part of that array."""

    __slots__ = ("words", "made", "size", "group", "batch", "bounds", "start", "stop", "ready")

    def __init__(self, runs: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], size: int) -> None:
        self.words = [(u, ids) for u, ids, _ in runs]
        self.made: dict[int, tuple[int, np.ndarray]] = {}  # group -> its first word in its batch, its shingles
        self.size = size
        lens = [len(c) for *_, c in runs]
        counts = np.concatenate([c for *_, c in runs]) if runs else np.zeros(0, dtype=np.int64)
        ends = np.concatenate([np.cumsum(c, dtype=np.int64) for *_, c in runs]) if runs else counts
        starts = ends - counts  # in its batch's words
        # groups numbered across batches: a batch of n texts has ceil(n / _SHINGLE_GROUP) of them
        place = np.concatenate([np.arange(n) for n in lens]) if runs else counts
        first_group = np.cumsum([0] + [-(-n // _SHINGLE_GROUP) for n in lens])
        batch = np.repeat(np.arange(len(runs)), lens)
        group = first_group[batch] + place // _SHINGLE_GROUP
        head = np.flatnonzero(np.diff(group, prepend=-1) != 0)  # each group's first text
        tail = np.append(head[1:], len(group)) - 1
        self.group = group.tolist()
        self.batch = batch[head].tolist()
        self.bounds = list(zip(starts[head].tolist(), ends[tail].tolist()))
        self.start = starts.tolist()
        self.stop = np.where(counts >= size, ends - size + 1, starts).tolist()  # past its last whole shingle
        self.ready = [False] * len(counts)

    def __len__(self) -> int:
        return len(self.start)

    def of(self, d: int) -> np.ndarray:
        """The sorted, distinct shingle hashes of text ``d`` (a view of its group's array)."""
        g = self.group[d]
        found = self.made.get(g)
        if found is None:
            lo, hi = self.bounds[g]
            u, ids = self.words[self.batch[g]]
            found = self.made[g] = lo, shingle_run(u[ids[lo:hi]], self.size)
        lo, flat = found
        a = self.start[d] - lo
        if not self.ready[d]:
            part = flat[a : self.stop[d] - lo]
            part.sort()
            kept = part[_run_starts(part)]
            part[: len(kept)] = kept
            self.stop[d] = self.start[d] + len(kept)
            self.ready[d] = True
        return flat[a : self.stop[d] - lo]

    def release(self) -> None:
        """Let the arrays go (no text is asked for again)."""
        self.words, self.made = [], {}


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
        fresh = Csr.empty(0, width, m.data.dtype)
    # runs: maximal stretches of rows taken from consecutive rows of the same matrix
    kind = source >= 0
    row = np.where(kind, source, -1 - source)
    cut = np.ones(n, dtype=bool)
    if n > 1:
        cut[1:] = (kind[1:] != kind[:-1]) | (row[1:] != row[:-1] + 1)
    starts = np.flatnonzero(cut)
    stops = np.append(starts[1:], n)
    if columns is not None:
        columns = np.asarray(columns)
        if np.array_equal(columns, np.arange(len(columns))):
            columns = None  # the identity
    # the old rows' columns renumbered all at once (when any is kept)
    m_ind = columns[m.indices[: m.nnz]].astype(np.int32) if columns is not None and kind.any() else m.indices
    m_ptr, f_ptr = np.asarray(m.indptr, dtype=np.int64), np.asarray(fresh.indptr, dtype=np.int64)
    # each row's length, and each run's stretch of its matrix's arrays (found for all at once:
    # the loop below only takes the slices)
    lens = np.empty(n, dtype=np.int64)
    lens[kind] = m_ptr[row[kind] + 1] - m_ptr[row[kind]]
    lens[~kind] = f_ptr[row[~kind] + 1] - f_ptr[row[~kind]]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lens, out=indptr[1:])
    of_m = kind[starts]
    first, last = row[starts], row[starts] + (stops - starts)
    lo, hi = np.empty(len(starts), dtype=np.int64), np.empty(len(starts), dtype=np.int64)
    lo[of_m], hi[of_m] = m_ptr[first[of_m]], m_ptr[last[of_m]]
    lo[~of_m], hi[~of_m] = f_ptr[first[~of_m]], f_ptr[last[~of_m]]
    data, indices = [], []
    for mine, a, b in zip(of_m.tolist(), lo.tolist(), hi.tolist()):
        if mine:
            data.append(m.data[a:b])
            indices.append(m_ind[a:b])
        else:
            data.append(fresh.data[a:b])
            indices.append(fresh.indices[a:b])
    return Csr(np.concatenate(data) if data else np.zeros(0, m.data.dtype),
               (np.concatenate(indices) if indices else np.zeros(0, np.int32)).astype(np.int32, copy=False), indptr,
               (n, width), True)


# -- CSR arrays without scipy (the incremental relate) ---------------------------------------------


class Csr:
    """A CSR matrix as its three arrays, with no scipy object: what the incremental relate keeps
    and works on, so that a new process that relates after one edit never imports scipy.

    ``data``, ``indices``, ``indptr`` and ``shape`` mean what they mean for
    ``scipy.sparse.csr_matrix``; indices are sorted within each row when ``has_sorted_indices``.
    Any other attribute or operator is the one of the equal scipy matrix (made, and scipy
    imported, when first asked for). Pickles as the arrays only."""

    __slots__ = ("data", "indices", "indptr", "shape", "has_sorted_indices", "_sp")

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, shape: tuple[int, int],
                 has_sorted_indices: bool = True) -> None:
        self.data, self.indices, self.indptr = data, indices, indptr
        self.shape = (int(shape[0]), int(shape[1]))
        self.has_sorted_indices = bool(has_sorted_indices)
        self._sp = None

    @classmethod
    def of(cls, m) -> "Csr":  # type: ignore[no-untyped-def]
        """``m`` (a scipy CSR matrix or a :class:`Csr`) as a :class:`Csr` (its arrays, not copied)."""
        if isinstance(m, Csr):
            return m
        return cls(m.data, m.indices, m.indptr, m.shape, bool(m.has_sorted_indices))

    @classmethod
    def empty(cls, rows: int, width: int, dtype: type = np.float32) -> "Csr":
        return cls(np.zeros(0, dtype), np.zeros(0, np.int32), np.zeros(rows + 1, np.int64), (rows, width))

    @property
    def nnz(self) -> int:
        return int(self.indptr[-1]) if len(self.indptr) else 0

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def tosp(self):  # type: ignore[no-untyped-def]
        """The equal ``scipy.sparse.csr_matrix`` (sharing the arrays; made once)."""
        if self._sp is None:
            m = sp.csr_matrix((self.data, self.indices, self.indptr), shape=self.shape)
            if self.has_sorted_indices:
                m.has_sorted_indices = True
            self._sp = m
        return self._sp

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        if name.startswith("__") or name == "_sp":
            raise AttributeError(name)
        return getattr(self.tosp(), name)

    def __getitem__(self, key):  # type: ignore[no-untyped-def]
        return self.tosp()[key]

    def __matmul__(self, other):  # type: ignore[no-untyped-def]
        return self.tosp() @ (other.tosp() if isinstance(other, Csr) else other)

    def __rmatmul__(self, other):  # type: ignore[no-untyped-def]
        return other @ self.tosp()

    def __add__(self, other):  # type: ignore[no-untyped-def]
        return self.tosp() + (other.tosp() if isinstance(other, Csr) else other)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Csr, (self.data, self.indices, self.indptr, self.shape, self.has_sorted_indices))

    def rows(self, sel: np.ndarray) -> "Csr":
        """The rows ``sel`` (in that order), as :class:`Csr`."""
        sel = np.asarray(sel, dtype=np.int64)
        starts = self.indptr[sel].astype(np.int64)
        lens = self.indptr[sel + 1].astype(np.int64) - starts
        indptr = np.zeros(len(sel) + 1, dtype=np.int64)
        np.cumsum(lens, out=indptr[1:])
        at = np.repeat(starts - indptr[:-1], lens) + np.arange(int(indptr[-1]))
        return Csr(self.data[at], self.indices[at], indptr, (len(sel), self.shape[1]), self.has_sorted_indices)

    def entries(self, sel: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, value) of every entry (of the rows ``sel`` only, numbered as in ``self``), row by row."""
        if sel is None:
            rows = np.repeat(np.arange(self.shape[0], dtype=np.int64), np.diff(self.indptr))
            return rows, self.indices[: self.nnz], self.data[: self.nnz]
        part = self.rows(sel)
        sel = np.asarray(sel, dtype=np.int64)
        return np.repeat(sel, np.diff(part.indptr)), part.indices, part.data

    def sorted(self) -> "Csr":
        """The same matrix with the indices of each row sorted."""
        if self.has_sorted_indices:
            return self
        rows = np.repeat(np.arange(self.shape[0], dtype=np.int64), np.diff(self.indptr))
        order = np.lexsort((self.indices[: self.nnz], rows))
        return Csr(self.data[order], self.indices[order], self.indptr, self.shape, True)


def csr_of_entries(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, shape: tuple[int, int]) -> Csr:
    """A :class:`Csr` of distinct entries (row, column, value), given in any order (sorted here)."""
    rows = np.asarray(rows, dtype=np.int64)
    order = np.lexsort((cols, rows))
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    return Csr(np.asarray(vals)[order], np.asarray(cols)[order].astype(np.int32), indptr, shape, True)


def _sum_repeats(rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, shape: tuple[int, int]) -> Csr | None:
    """``coo_matrix((vals, (rows, cols))).tocsr()`` with sorted indices, when every value is a whole
    number (sums are then exact in any order, as scipy's are); None otherwise."""
    if len(vals) and not np.array_equal(vals, np.round(vals)):
        return None
    key = rows.astype(np.int64) * max(shape[1], 1) + cols
    order = np.argsort(key, kind="stable")
    key = key[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    starts = np.flatnonzero(first)
    sums = np.add.reduceat(vals[order], starts) if len(starts) else vals[:0]
    r = key[starts] // max(shape[1], 1)
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(r, minlength=shape[0]), out=indptr[1:])
    return Csr(sums.astype(vals.dtype, copy=False), (key[starts] % max(shape[1], 1)).astype(np.int32), indptr, shape, True)


def transpose(m) -> Csr:  # type: ignore[no-untyped-def]
    """``m.T.tocsr()`` as :class:`Csr` (each new row's entries by old row, as scipy makes them)."""
    m = Csr.of(m)
    rows, cols, vals = m.entries()
    order = np.argsort(cols, kind="stable")
    indptr = np.zeros(m.shape[1] + 1, dtype=np.int64)
    np.cumsum(np.bincount(cols, minlength=m.shape[1]), out=indptr[1:])
    return Csr(vals[order], rows[order].astype(np.int32), indptr, (m.shape[1], m.shape[0]), True)


_DENSE_AT_ONCE = 8_000_000
"""Largest number of products (or of dense cells) the numpy products below make at once; beyond
it scipy's kernels are used (the same sums)."""


def row_products(x, rows: np.ndarray | None, p, docs: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    """``(x[rows] @ p[docs].T).toarray()`` (``rows`` None: every row of ``x``), float32, with the
    very sums scipy's ``csr_matmat`` makes: for each pair, the products of the row's terms in
    the row's column order, added one by one in float32 (both matrices sorted by column).
    numpy only, unless the block is large."""
    docs = np.asarray(docs, dtype=np.int64)
    if len(np.unique(docs)) < len(docs):  # a document asked twice: its column repeated
        distinct, again = np.unique(docs, return_inverse=True)
        return row_products(x, rows, p, distinct)[:, again.ravel()]
    n_rows = x.shape[0] if rows is None else len(rows)
    out = np.zeros((n_rows, len(docs)), dtype=np.float32)
    if not n_rows or not len(docs):
        return out
    xc, pc = Csr.of(x), Csr.of(p)
    if scipy_loaded() or not (xc.has_sorted_indices and xc.data.dtype == np.float32 and pc.data.dtype == np.float32):
        return _scipy_products(x, rows, p, docs)
    pr, pj, pv = pc.entries(docs)  # pr: documents (as numbers in ``p``)
    if not len(pj):
        return out
    slot = np.empty(pc.shape[0] + 1, dtype=np.int64)
    slot[docs] = np.arange(len(docs))
    terms, where = np.unique(pj, return_inverse=True)
    lookup = np.zeros((len(terms), len(docs)), dtype=np.float32)
    lookup[where, slot[pr]] = pv
    term_at = np.full(xc.shape[1] + 1, -1, dtype=np.int64)
    term_at[terms] = np.arange(len(terms))
    if rows is None:
        hit = np.flatnonzero(term_at[xc.indices[: xc.nnz]] >= 0)
        r = np.searchsorted(xc.indptr, hit, side="right") - 1
        j, v = xc.indices[hit], xc.data[hit]
    else:
        rows = np.asarray(rows, dtype=np.int64)
        slot_of = np.full(xc.shape[0] + 1, -1, dtype=np.int64)
        slot_of[rows] = np.arange(n_rows)
        many = 4 * int((xc.indptr[rows + 1] - xc.indptr[rows]).sum()) > xc.nnz
        if many and (slot_of[rows] == np.arange(n_rows)).all():  # rows holding a good share of the entries: one pass
            hit = np.flatnonzero(term_at[xc.indices[: xc.nnz]] >= 0)
            r = slot_of[np.searchsorted(xc.indptr, hit, side="right") - 1]
            mine = r >= 0
            hit, r = hit[mine], r[mine]
            order = np.argsort(r, kind="stable")  # row by row, each row's in column order
            hit, r = hit[order], r[order]
            j, v = xc.indices[hit], xc.data[hit]
        else:
            part = xc.rows(rows)
            keep = term_at[part.indices] >= 0
            r = np.repeat(np.arange(n_rows), np.diff(part.indptr))[keep]
            j, v = part.indices[keep], part.data[keep]
    if len(r) * len(docs) > _DENSE_AT_ONCE:
        return _scipy_products(x, rows, p, docs)
    # a term's product with a document not listing it is 0: adding it changes no sum
    # (hits come row by row, each row's in column order)
    _add_in_order(out, (r,), v[:, None] * lookup[term_at[j]], np.arange(len(r)) - np.searchsorted(r, r, side="left"))
    return out


def _add_in_order(out: np.ndarray, at: tuple[np.ndarray, ...], vals: np.ndarray, rank: np.ndarray | None = None) -> None:
    """``out[at] += vals`` with repeated places summed one value at a time in float32, in the order
    the values come, as scipy's kernels add them: ``np.add.at`` on the flat array (unbuffered, in
    order), or with ``rank`` (each value's position in its place's sum, no two values of one
    place sharing one) one vectorised step per rank (``vals`` may then hold a row per place)."""
    if not len(at[0]):
        return
    if rank is None:
        np.add.at(out.reshape(-1), np.ravel_multi_index(at, out.shape), vals)
        return
    top = int(rank.max())
    order = np.argsort(rank.astype(np.int16 if top < 32767 else np.int64), kind="stable")
    bounds = np.cumsum(np.bincount(rank, minlength=top + 1)).tolist()
    start = 0
    for stop in bounds:
        sel = order[start:stop]
        out[tuple(a[sel] for a in at)] += vals[sel]
        start = stop


def _scipy_products(x, rows, p, docs):  # type: ignore[no-untyped-def]
    xs = x.tosp() if isinstance(x, Csr) else x
    ps = p.tosp() if isinstance(p, Csr) else p
    return np.asarray(((xs if rows is None else xs[np.asarray(rows)]) @ ps[np.asarray(docs)].T).toarray(), dtype=np.float32)


def _numpy_product(a: Csr, b: Csr) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """CSR arrays of ``a @ b`` with :func:`_product`'s sums (each entry's products in ``a``'s column
    order, added in float32), for a few rows; None when the block is too large for numpy."""
    n = b.shape[1]
    m = a.shape[0]
    if m * n > _DENSE_AT_ONCE or not (a.has_sorted_indices and a.data.dtype == np.float32 == b.data.dtype):
        return None
    ar, aj, av = a.entries()
    starts = b.indptr[aj].astype(np.int64)
    lens = b.indptr[aj + 1].astype(np.int64) - starts
    total = int(lens.sum())
    if total > _DENSE_AT_ONCE:
        return None
    at = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(total)
    dense = np.zeros((m, n), dtype=np.float32)
    _add_in_order(dense, (np.repeat(ar, lens), b.indices[at]), np.repeat(av, lens) * b.data[at])  # row by row, in column order
    r, c = np.nonzero(dense)
    indptr = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(np.bincount(r, minlength=m), out=indptr[1:])
    return indptr, c.astype(np.int32), dense[r, c]


def pair_dots(x, i: np.ndarray, j: np.ndarray, step: int = 4096) -> np.ndarray:  # type: ignore[no-untyped-def]
    """``x[i[k]].multiply(x[j[k]]).sum(axis=1)`` for every ``k``, with numpy only and the same
    numbers: the products of the terms the two rows share (float32, in column order) summed by
    ``np.add.reduceat``, as scipy sums the rows of a CSR matrix (``step`` pairs at once; ``x``:
    CSR with sorted indices)."""
    xc = Csr.of(x)
    if not xc.has_sorted_indices:
        xc = xc.sorted()
    i, j = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
    out = np.zeros(len(i), dtype=np.float64)
    width = max(xc.shape[1], 1)
    for a in range(0, len(i), step):
        pi, pj = xc.rows(i[a : a + step]), xc.rows(j[a : a + step])
        ki = np.repeat(np.arange(len(pi.indptr) - 1, dtype=np.int64), np.diff(pi.indptr)) * width + pi.indices
        kj = np.repeat(np.arange(len(pj.indptr) - 1, dtype=np.int64), np.diff(pj.indptr)) * width + pj.indices
        at = np.searchsorted(kj, ki)  # both sorted by pair, then column
        at_ok = np.minimum(at, max(len(kj) - 1, 0))
        both = (at < len(kj)) & (kj[at_ok] == ki) if len(kj) else np.zeros(len(ki), dtype=bool)
        pair = ki[both] // width
        prod = pi.data[both] * pj.data[at[both]]  # pair by pair, in column order
        if len(pair):
            starts = np.flatnonzero(np.r_[True, pair[1:] != pair[:-1]])
            out[a + pair[starts]] = np.add.reduceat(prod, starts)
    return out
