"""The build cache: per-article results on disk, so a rebuild redoes only what changed.

The per-article stages (read, clean, summarise, tag) are the costly part of a build.
Their results are kept in ``paths.cache`` (default ``.digest-cache/``, never inside
``site/``), one :class:`Entry` per source file, keyed by a hash of the file's path and
bytes. Entries live in a folder named after the code of those stages and the settings
they read, so a new release or a changed ``summary``/``tags`` setting starts afresh (a
change to the render or relate code does not: pages and the relate state have keys of
their own).

Two stages also read the whole corpus: cleaning looks up how many files share a line
or a title, and summarising and tagging weigh words by their document frequency. An
entry therefore records what it looked up (:class:`RecordingContext`,
:class:`RecordingStats`) and is reused only while every one of those values is still
the same (:func:`stale_clean`, :func:`changed_words`). A reused entry is then exactly
what a fresh build would compute. A shard that cannot be read is ignored and rebuilt,
never trusted.
"""
from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import shutil
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

from . import __version__
from .clean import CleanContext
from .model import Article, plain_state
from .text import Stats

log = logging.getLogger(__name__)

#: Bumped when the layout of the cache changes.
FORMAT = 5
_SHARD_PREFIX = "shard-"
_STATE = "state.pickle"
_PAGES = "pages.pickle"


@plain_state
@dataclass(frozen=True, slots=True)
class Entry:
    """What the per-article stages made of one source file, and what they depended on."""

    key: str  #: :func:`content_key` of the source file
    article: Article  #: after clean, summarise and tag; ``raw`` dropped, the reader's slug
    notes: tuple[str, ...] = ()  #: warnings about the file (reported again on reuse)
    lines: frozenset[str] = frozenset()  #: the file's lines as the clean context counts them
    title: str | None = None  #: the reader's title, as the clean context counts it (None: no title)
    mtime: float | None = None  #: the file time the date was taken from, if it was
    looked_up: tuple[tuple[str, str, int], ...] = ()  #: (mapping, key, value) read by clean
    #: the body's distinct words (document frequencies), sorted, one a line: one string, not
    #: hundreds (they were most of the objects a 10,000-article cache is made of); see :func:`vocab_words`
    vocab: str = ""
    #: words outside ``vocab`` whose IDF summarise and tag read (None: any word). The entry
    #: depends on the IDF of every word in both: a superset of what was read, never less.
    idf_words: tuple[str, ...] | None = ()
    #: random, drawn each time an entry is made or remade: two entries with the same ``made`` hold
    #: the same article, so a later stage can tell an article is unchanged without comparing it
    made: bytes = b""


class Deferred(Sequence):
    """A tuple kept pickled until it is first read: how an :class:`Entry` keeps the fields of
    its article that are many small objects (the body's blocks, the entities, the keyphrases
    and the summary).

    Opening the cache of a 10,000-article site made some 195,000 objects, most of them blocks
    and entities, and took 1.1-1.5 CPU s; with these two fields kept as bytes it takes 0.55-0.6.
    Unpickling the shards took 0.35 CPU s with the keyphrases and summary as tuples of strings
    and 0.17-0.20 with them kept as bytes too. A build after an edit reads these fields only
    for the articles it makes again and for the list views it remakes (a few dozen).
    It compares, hashes and iterates as the tuple it holds."""

    __slots__ = ("_data", "_items")

    def __init__(self, data: bytes, items: tuple | None = None):
        self._data = data
        self._items = items

    @classmethod
    def of(cls, items: Sequence) -> "Deferred":
        if isinstance(items, Deferred):
            return items
        items = tuple(items)
        return cls(pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL), items)

    def _get(self) -> tuple:
        items = self._items
        if items is None:
            items = self._items = pickle.loads(self._data)
        return items

    def __getitem__(self, index):  # type: ignore[override]
        return self._get()[index]

    def __len__(self) -> int:
        return len(self._get())

    def __iter__(self) -> Iterator:
        return iter(self._get())

    def __contains__(self, item: object) -> bool:
        return item in self._get()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Deferred):
            other = other._get()
        return self._get() == other if isinstance(other, tuple) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._get())

    def __add__(self, other: tuple) -> tuple:
        return self._get() + other

    def __radd__(self, other: tuple) -> tuple:
        return other + self._get()

    def __repr__(self) -> str:
        return repr(self._get())

    def __reduce__(self) -> tuple:
        return (Deferred, (self._data,))


_ARTICLE_FIELDS = tuple(Article.__dataclass_fields__)
#: The fields of an article an entry keeps pickled until read (see :class:`Deferred`).
_DEFERRED = tuple(_ARTICLE_FIELDS.index(name) for name in ("body", "entities", "keyphrases", "summary"))
_entry_state, _set_entry_state = Entry.__getstate__, Entry.__setstate__  # type: ignore[attr-defined]
_article_state = Article.__getstate__  # type: ignore[attr-defined]


def _entry_getstate(self: Entry) -> tuple:
    state = _entry_state(self)
    article = list(_article_state(self.article))
    for i in _DEFERRED:
        if type(article[i]) is not Deferred and article[i]:  # one kept as bytes is saved as it is, unread
            article[i] = Deferred.of(article[i])
    return (state[0], tuple(article)) + state[2:]


def _entry_setstate(self: Entry, state: tuple) -> None:
    article = Article.__new__(Article)
    article.__setstate__(state[1])  # type: ignore[attr-defined]
    _set_entry_state(self, (state[0], article) + state[2:])


Entry.__getstate__ = _entry_getstate  # type: ignore[method-assign]
Entry.__setstate__ = _entry_setstate  # type: ignore[method-assign]


def content_key(rel: str, data: bytes) -> str:
    """The cache key of a source file: its path in ``content/`` and its bytes."""
    digest = hashlib.blake2b(rel.encode("utf-8", "surrogateescape") + b"\x00" + data, digest_size=20)
    return digest.hexdigest()


#: Modules that only orchestrate the build, relate, render, write or serve: they cannot change
#: what the per-article stages (:mod:`digest.stages`) make, so editing them keeps the article
#: cache (pages and the relate state are keyed by :func:`code_version` of the whole package).
#: tests/unit/test_cache_version.py checks that no article-stage module imports one of them.
AFTER_ARTICLES = frozenset({
    "__main__.py", "cli.py", "pipeline.py", "relate.py", "relate_matrix.py", "render.py", "search.py", "serve.py", "watch.py", "write.py",
})


@lru_cache(maxsize=None)
def code_version(articles_only: bool = False) -> str:
    """A hash of the package's own files (code and data): any change starts a new cache.
    With ``articles_only``, only the files the per-article stages run (not :data:`AFTER_ARTICLES`)."""
    root = Path(__file__).resolve().parent
    digest = hashlib.blake2b(f"{__version__}:{FORMAT}".encode(), digest_size=16)
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".txt", ".yaml", ".json") and "__pycache__" not in path.parts:
            rel = path.relative_to(root).as_posix()
            if articles_only and rel in AFTER_ARTICLES:
                continue
            digest.update(rel.encode() + b"\x00")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def namespace(settings: Any) -> str:
    """The cache folder for the per-article stages' code and these stage settings (their ``repr``)."""
    digest = hashlib.blake2b(f"{code_version(articles_only=True)}:{settings!r}".encode(), digest_size=12)
    return digest.hexdigest()


# -- recording what a stage read -------------------------------------------------------------


class _Recorder(Mapping):
    """A read-only view of a mapping that notes every key looked up (with the value seen)."""

    def __init__(self, name: str, data: Mapping[str, int], seen: dict[tuple[str, str], int]):
        self._name, self._data, self._seen = name, data, seen

    def get(self, key: str, default: Any = None) -> Any:
        value = self._data.get(key, 0)
        self._seen[(self._name, key)] = value
        return self._data.get(key, default)

    def __getitem__(self, key: str) -> int:
        self._seen[(self._name, key)] = self._data.get(key, 0)
        return self._data[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self._seen[(self._name, key)] = self._data.get(key, 0)
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        raise TypeError("a recorded clean context cannot be iterated (its dependencies would be lost)")

    def __len__(self) -> int:
        return len(self._data)


class RecordingContext:
    """Wraps a :class:`CleanContext` for one article; :attr:`looked_up` lists what it read."""

    def __init__(self, ctx: CleanContext):
        self._seen: dict[tuple[str, str], int] = {}
        self.context = CleanContext(
            files=ctx.files,
            line_files=_Recorder("line_files", ctx.line_files, self._seen),
            titles=_Recorder("titles", ctx.titles, self._seen),
            sources=ctx.sources,
        )

    @property
    def looked_up(self) -> tuple[tuple[str, str, int], ...]:
        return tuple(sorted((name, key, value) for (name, key), value in self._seen.items()))


def stale_clean(entry: Entry, ctx: CleanContext) -> bool:
    """True if ``ctx`` now gives any value ``entry``'s cleaning read differently."""
    for name, key, value in entry.looked_up:
        if getattr(ctx, name).get(key, 0) != value:
            return True
    return False


class RecordingStats:
    """Wraps :class:`~digest.text.Stats` for one article and notes every word whose IDF is read.

    Reading ``docs`` or ``df`` directly makes the result depend on everything
    (:attr:`words` becomes None), which is safe, only slower to keep.
    """

    def __init__(self, stats: Stats):
        self._stats = stats
        self._words: set[str] | None = set()

    def idf(self, word: str) -> float:
        if self._words is not None:
            self._words.add(word)
        return self._stats.idf(word)

    def idfs(self, words: Sequence[str]) -> list[float]:
        """``[self.idf(w) for w in words]``, noting all of them at once (see :func:`digest.text.idfs`)."""
        if self._words is not None:
            self._words.update(words)
        return list(map(self._stats.idf, words))

    @property
    def docs(self) -> int:
        self._words = None
        return self._stats.docs

    @property
    def df(self) -> Mapping[str, int]:
        self._words = None
        return self._stats.df

    @property
    def words(self) -> frozenset[str] | None:
        return None if self._words is None else frozenset(self._words)


def changed_words(old: Stats | None, new: Stats) -> frozenset[str] | None:
    """The words whose IDF differs between ``old`` and ``new``; None when it may be any word
    (no previous statistics, or a corpus size that moved the IDF of every word)."""
    if old is None or old.idf_docs != new.idf_docs:
        return None
    candidates = {w for w, _ in old.df.items() ^ new.df.items()}
    return frozenset(w for w in candidates if old.idf(w) != new.idf(w))


def stale_stats(entry: Entry, changed: frozenset[str] | None) -> bool:
    """True if an IDF that ``entry``'s summary or tags read has changed."""
    if changed is None or entry.idf_words is None:
        return True
    if not changed.isdisjoint(entry.idf_words):
        return True
    if not changed or not entry.vocab:
        return False
    if len(changed) > _FEW_CHANGED:
        return not changed.isdisjoint(vocab_words(entry.vocab))
    padded = f"\n{entry.vocab}\n"
    return any(needle in padded for needle in _needles(changed))


#: Up to this many changed words, :func:`stale_stats` looks for each in an entry's words as
#: they are kept (one string); beyond, it splits them into a list.
_FEW_CHANGED = 32


@lru_cache(maxsize=4)
def _needles(words: frozenset[str]) -> tuple[str, ...]:
    return tuple(f"\n{w}\n" for w in sorted(words))


def vocab_words(vocab: str) -> list[str]:
    """The distinct words of an :attr:`Entry.vocab`."""
    return vocab.split("\n") if vocab else []


def joined(words: Iterable[str]) -> str:
    """Distinct words as :attr:`Entry.vocab` keeps them: sorted, one a line (a word never holds a line break)."""
    return "\n".join(sorted(words))


# -- the store --------------------------------------------------------------------------------


@dataclass
class Store:
    """The cache folder of one namespace: entries by key, loaded once, saved by shard."""

    folder: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    stats: Stats | None = None  #: the corpus statistics of the last build
    #: True when :attr:`stats` counts exactly the words of :attr:`entries` (none lost since)
    stats_exact: bool = False
    #: rel → (size, mtime_ns, ctime_ns, inode, key): files whose key can be trusted unread
    stamps: dict[str, tuple[int, int, int, int, str]] = field(default_factory=dict)
    _loaded: bool = False
    _shards: dict[str, frozenset[str]] = field(default_factory=dict)  #: shard → keys as saved
    _parts: dict[str, Any] = field(default_factory=dict)  #: name → a stage's own saved state
    #: what a stage keeps for the next build in this process only (never saved), e.g. the render memo
    memory: dict[str, Any] = field(default_factory=dict)
    _pages: tuple[str, dict] | None = None  #: (output, pages) as last saved by this process

    @classmethod
    def open(cls, root: Path, settings: Any) -> "Store":
        return cls(Path(root) / namespace(settings))

    def load(self) -> None:
        """Read every shard (once per process); unreadable ones are dropped and rebuilt."""
        if self._loaded:
            return
        self._loaded = True
        if not self.folder.is_dir():
            return
        for path in self.folder.glob(".*.tmp"):  # left by a build that was killed while saving
            path.unlink(missing_ok=True)
        with frozen_after():
            self._load_shards()
        try:
            with (self.folder / _STATE).open("rb") as handle:
                state = pickle.load(handle)
            stats = state.get("stats") if isinstance(state, dict) else None
            self.stats = stats if isinstance(stats, Stats) else None
            self.stats_exact = self.stats is not None and state.get("keys") == _keys_digest(self.entries)
            stamps = state.get("stamps")
            self.stamps = stamps if isinstance(stamps, dict) else {}
        except Exception:  # noqa: BLE001
            self.stats, self.stats_exact, self.stamps = None, False, {}

    def _load_shards(self) -> None:
        for path in sorted(self.folder.glob(f"{_SHARD_PREFIX}*.pickle")):
            shard = path.stem[len(_SHARD_PREFIX):]
            try:
                with path.open("rb") as handle:
                    entries = pickle.load(handle)
                if not isinstance(entries, dict) or not all(
                    isinstance(e, Entry) and e.key == k and k.startswith(shard) for k, e in entries.items()
                ):
                    raise ValueError("unexpected content")
            except Exception as exc:  # noqa: BLE001 - a damaged cache is rebuilt, never trusted
                log.warning("cache: ignoring %s (%s)", path, exc)
                continue
            self.entries.update(entries)
            self._shards[shard] = frozenset(entries)

    def save(
        self, entries: Mapping[str, Entry], stats: Stats, stamps: Mapping[str, tuple] | None = None,
        counted: Mapping[str, Any] | None = None,
    ) -> None:
        """Keep exactly ``entries`` and the ``stats`` they were made with: rewrite only the
        shards whose keys or entries changed. ``counted`` are the keys whose words ``stats``
        counts, when not exactly ``entries`` (an article that failed after counting);
        ``stamps`` are file stamps (see :func:`stamp`) whose key need not be read again."""
        self.folder.mkdir(parents=True, exist_ok=True)
        by_shard: dict[str, dict[str, Entry]] = {}
        for key, entry in entries.items():
            by_shard.setdefault(_shard(key), {})[key] = entry
        for shard in set(self._shards) | set(by_shard):
            new = by_shard.get(shard, {})
            unchanged = self._shards.get(shard) == frozenset(new) and all(self.entries.get(k) is e for k, e in new.items())
            if unchanged:
                continue
            path = self.folder / f"{_SHARD_PREFIX}{shard}.pickle"
            if new:
                _dump(path, new)
            else:
                path.unlink(missing_ok=True)
        stamps = dict(stamps or {})
        keys = _keys_digest(entries if counted is None else counted)
        _dump(self.folder / _STATE, {"stats": stats, "keys": keys, "stamps": stamps})
        self.entries = dict(entries)
        self.stats, self.stamps = stats, stamps
        _prune(self.folder)
        self.stats_exact = counted is None or keys == _keys_digest(entries)
        self._shards = {shard: frozenset(v) for shard, v in by_shard.items()}
        self._loaded = True


    def forget_articles(self) -> None:
        """Let go of the entries and statistics held in memory (for a build that saved them
        and needs only its articles from here on); the store reads them again if asked."""
        self.entries, self.stats, self.stats_exact, self.stamps = {}, None, False, {}
        self._shards = {}
        self._loaded = False

    def part(self, name: str) -> Any:
        """What :meth:`save_part` last kept under ``name`` with this code version (None if
        nothing, if it was kept by other code, or if it cannot be read)."""
        if name not in self._parts:
            value = None
            try:
                with (self.folder / f"{name}.pickle").open("rb") as handle, frozen_after():
                    saved = pickle.load(handle)
                if isinstance(saved, tuple) and len(saved) == 2 and saved[0] == code_version():
                    value = saved[1]
            except Exception:  # noqa: BLE001 - missing or damaged: the caller starts afresh
                pass
            self._parts[name] = value
        return self._parts[name]

    def save_part(self, name: str, value: Any) -> None:
        """Keep ``value`` (a stage's own state, e.g. the relate index) under ``name``, for this
        code version only (the folder outlives edits to the modules after the article stages);
        also in memory for :meth:`part` until :meth:`release_part`."""
        self.folder.mkdir(parents=True, exist_ok=True)
        _dump(self.folder / f"{name}.pickle", (code_version(), value))
        self._parts[name] = value

    def release_part(self, name: str) -> None:
        """Let go of what :meth:`part` holds in memory under ``name`` (read again if asked)."""
        self._parts.pop(name, None)

    def drop_part(self, name: str) -> None:
        """Forget what :meth:`save_part` kept under ``name`` (before the thing it describes changes)."""
        self._parts.pop(name, None)
        (self.folder / f"{name}.pickle").unlink(missing_ok=True)

    def pages(self, output: Path) -> dict[str, tuple[str, tuple[int, int, int]]]:
        """The pages of the last site built into ``output``: path → (page key, file stamp)
        (read once per process: later builds in it get what :meth:`save_pages` kept)."""
        if self._pages is not None:
            return self._pages[1] if self._pages[0] == str(output) else {}
        try:
            with (self.folder / _PAGES).open("rb") as handle:
                saved = pickle.load(handle)
            if isinstance(saved, dict) and saved.get("output") == str(output) and isinstance(saved.get("pages"), dict):
                return saved["pages"]
        except Exception:  # noqa: BLE001 - missing or damaged: every page is made again
            pass
        return {}

    def save_pages(self, output: Path, pages: Mapping[str, tuple[str, tuple[int, int, int]]]) -> None:
        """Remember the pages just written into ``output`` (call after the new site is in place)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._pages = (str(output), dict(pages))
        _dump(self.folder / _PAGES, {"output": self._pages[0], "pages": self._pages[1]})


#: Caches of other code versions or settings kept beside the one in use (switching a
#: setting back and forth stays warm; older ones are removed, not left to grow).
KEEP_OTHERS = 1


def _prune(folder: Path) -> None:
    """Remove all but the :data:`KEEP_OTHERS` most recently saved other namespaces."""
    others = []
    for sibling in folder.parent.iterdir():
        state = sibling / _STATE
        if sibling != folder and len(sibling.name) == 24 and state.is_file():
            try:
                others.append((state.stat().st_mtime_ns, sibling))
            except OSError:
                continue
    for _, old in sorted(others, reverse=True)[KEEP_OTHERS:]:
        log.debug("cache: removing %s (an older code version or settings)", old)
        shutil.rmtree(old, ignore_errors=True)


def _keys_digest(entries: Mapping[str, Entry]) -> tuple[int, int]:
    """A fingerprint of a set of keys (count and XOR): says whether statistics saved with one
    set of entries still describe the entries loaded (a damaged shard loses some)."""
    x = 0
    for key in entries:
        x ^= int(key[:16], 16)
    return len(entries), x


#: A file changed less than this long (ns) before it was stamped may change again within the
#: same clock tick without its stamp showing it, so such a stamp is not kept.
STAMP_SETTLE_NS = 2_000_000_000


def stamp(st: os.stat_result) -> tuple[int, int, int, int]:
    """What says a file is unchanged without reading it: size, mtime, ctime and inode.

    ctime cannot be set by tools that restore an mtime, so an edit always shows in it."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def settled(stamped: tuple[int, int, int, int], now_ns: int) -> bool:
    """True if a :func:`stamp` taken at ``now_ns`` can be trusted next time (see :data:`STAMP_SETTLE_NS`)."""
    return now_ns - max(stamped[1], stamped[2]) > STAMP_SETTLE_NS


@contextmanager
def frozen_after() -> Iterator[None]:
    """The cycle collector paused, then what was made meanwhile frozen (moved out of the
    collector's generations) for objects that live on and hold no garbage: else the next
    collections walk all of them again. Unpickling a cache makes hundreds of thousands of
    objects and none of them garbage: collecting as they appear was a quarter of the load
    time, and the collections after it walked every loaded entry again, 0.2-0.25 CPU s of a
    build after one edit of a 10,000-article site. Frozen objects are still freed when no
    longer referenced; only a cycle among them would stay until the process ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def _shard(key: str) -> str:
    return key[:2]


def _dump(path: Path, value: Any) -> None:
    """Write atomically: a killed build leaves the old file or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)
