"""The per-article stages as a build runs them on one article: read, clean, fill defaults,
summarise and tag, each returning only what it made (workers send that back, not the
article), and the record a cache entry keeps of it.

What these functions make is what the article cache holds, so this module is part of that
cache's key (see :func:`digest.cache.code_version`); the orchestration in
:mod:`digest.pipeline`, which decides what to remake, is not.
"""
from __future__ import annotations

import logging
import os
import sys
import time
from dataclasses import dataclass, fields, replace
from datetime import datetime, timezone
from functools import partial
from typing import Callable, Iterable

from . import cache, clean, readers, summarize, tag, text
from .config import TagsConfig
from .errors import DigestError, SourceError
from .model import Article, Problem, SourceFile

log = logging.getLogger(__name__)

#: The names of an article's fields, in order.
ARTICLE_FIELDS = tuple(f.name for f in fields(Article))


@dataclass
class Fresh:
    """One article being (re)made in this build, with what its entry will record."""

    key: str
    article: Article
    notes: list[str]
    data: bytes | None = None
    title: str | None = None
    lines: frozenset[str] = frozenset()
    mtime: float | None = None
    looked_up: tuple[tuple[str, str, int], ...] = ()
    vocab: tuple[str, ...] = ()  #: the body's distinct words, sorted, each interned (see :func:`cache.joined`)
    idf_words: tuple[str, ...] | None = ()

    @classmethod
    def again(cls, entry: cache.Entry) -> "Fresh":
        """A kept entry whose summary and tags must be redone (its cleaning still holds)."""
        article = replace(entry.article, summary=(), keyphrases=(), entities=(), tags=(), section="")
        return cls(entry.key, article, list(entry.notes), None, entry.title, entry.lines, entry.mtime, entry.looked_up,
                   tuple(map(sys.intern, cache.vocab_words(entry.vocab))))

    def entry(self) -> cache.Entry:
        """The cache entry that records this article and what it was made from."""
        return cache.Entry(self.key, self.article, tuple(self.notes), self.lines, self.title, self.mtime,
                           self.looked_up, cache.joined(self.vocab), self.idf_words, os.urandom(16))


def clean_one(article: Article, ctx: clean.CleanContext) -> tuple[dict[str, object], tuple, tuple[str, ...]]:
    """Stage 2 for one article: the fields cleaning changed (see :func:`changes`), what it
    read of the corpus, and the distinct words of its body (sorted: a tuple is a fraction of a
    set's memory). Its sentences are left out: they are the body's again
    (:func:`digest.clean.sentences_of`), made where summarise and tag need them, not carried
    through the build and the cache (30 MB at 10,000 articles)."""
    recording = cache.RecordingContext(ctx)
    cleaned = clean.clean(article, recording.context, with_sentences=False)
    return changes(article, cleaned), recording.looked_up, tuple(sorted(set(text.words(cleaned.body_text))))


def summarise_and_tag(
    article: Article, vocab: Iterable[str] = (), *, stats: text.Stats, n: int, tags: TagsConfig, ratio: float = 0.0,
    cues: tag.SectionCues | None = None,
) -> tuple[dict[str, object], tuple[str, ...] | None]:
    """Stages 4 and 5 for one article (in a worker): the fields they set (see :func:`changes`),
    and the words whose IDF they read, sorted, but for those of ``vocab`` (the body's words, on
    which the entry depends anyway); None when they read the whole statistics."""
    recording = cache.RecordingStats(stats)
    sentences, quoted = clean.split_blocks(article.body)
    summary = summarize.summary_of(article, recording, n, sentences, ratio, quoted)  # type: ignore[arg-type]
    done = tag.tag(replace(article, sentences=sentences, summary=summary), recording, tags, cues)  # type: ignore[arg-type]
    fields = changes(article, done)
    if "sentences" in fields:  # made here for the two stages only: dropped again, as the build drops them
        if article.sentences:
            fields["sentences"] = ()
        else:
            del fields["sentences"]
    words = recording.words
    return fields, None if words is None else tuple(sorted(words.difference(vocab)))


def changes(before: Article, after: Article) -> dict[str, object]:
    """The fields of ``after`` that are not those of ``before`` (by identity: a stage keeps
    what it does not set), so that a worker sends back only what its stage made, never the
    body or the source text it was given."""
    return {name: value for name in ARTICLE_FIELDS if (value := getattr(after, name)) is not getattr(before, name)}


def read_one(item: tuple[SourceFile, bytes | None]) -> tuple[Article | None, str | None, Problem | None, tuple[str, int] | None]:
    """Stage 1 for one file (its bytes, if already read): the article and the reader's note,
    or the problem that stopped it; and when the bytes were read here rather than given, the
    file's cache key (:func:`digest.cache.content_key`) and the time (ns) the reading began."""
    source, data = item
    key = None
    try:
        if data is None:
            started = time.time_ns()
            data = readers.read_bytes(source)
            key = (cache.content_key(source.rel, data), started)
        article, note = readers.read(source, data)
    except DigestError as exc:
        return None, None, problem(source.rel, exc), key
    return article, note, None, key


@dataclass(frozen=True, slots=True)
class Read:
    """What :func:`read_and_clean` made of one file."""

    article: Article  #: as read, or as cleaned when :attr:`cleaned` is set
    note: str | None  #: the reader's note
    title: str | None  #: what the file adds to the clean context (:func:`digest.clean.context_parts`)
    lines: frozenset[str]
    #: ``(looked_up, vocab)`` of :func:`clean_one` when the article needed no corpus context
    #: and was cleaned here (``article`` is then the cleaned one, without its source text)
    cleaned: tuple[tuple, tuple[str, ...]] | None = None
    #: the file's cache key and the time (ns) its reading began, when its bytes were read in
    #: this step (not given to it)
    key: tuple[str, int] | None = None


def read_and_clean(item: tuple[SourceFile, bytes | None]) -> tuple[Read | None, Problem | None]:
    """Stage 1 for one file, and stage 2 too when cleaning it needs nothing of the other files
    (:func:`digest.clean.needs_context`): one trip to a worker and back instead of two, and the
    source text and the uncleaned body never reach the build's process."""
    article, note, failed, key = read_one(item)
    if article is None:
        return None, failed
    title, lines = clean.context_parts(article)
    if clean.needs_context(article):
        return Read(article, note, title, lines, key=key), None
    done, failed = Guarded(partial(clean_one, ctx=clean.CleanContext()), "clean")(article)
    if done is None:
        return None, failed
    fields_, looked_up, vocab = done
    return Read(replace(article, **{**fields_, "raw": ""}), note, title, lines, (looked_up, vocab), key), None


@dataclass(frozen=True)
class Guarded:
    """Runs one stage on one article; a failure becomes a Problem instead of an exception."""

    stage: Callable[[Article], Article]
    name: str

    def __call__(self, item: Article | tuple) -> tuple[Article | None, Problem | None]:
        """``item``: the article, or a tuple of the article and more arguments for the stage."""
        article = item[0] if isinstance(item, tuple) else item
        try:
            return (self.stage(*item) if isinstance(item, tuple) else self.stage(item)), None
        except DigestError as exc:
            return None, problem(article.source, exc)
        except Exception as exc:  # a bug must not cost the user the rest of the site
            log.debug("%s failed on %s", self.name, article.source, exc_info=True)
            return None, Problem(article.source, f"{self.name} failed: {type(exc).__name__}: {exc}")


def fill_defaults(fresh: "Fresh", mtime: float) -> None:
    """The file-name layer and last resorts: a title, a date, a non-empty body."""
    article = fresh.article
    if not article.body:
        raise DigestError("no article text found (nothing left after cleaning)")
    # the source text is not needed past cleaning: keep memory flat (an article cleaned as it
    # was read has none left, and most articles need nothing else: no new Article for them)
    changes: dict = {"raw": ""} if article.raw else {}
    if not article.title:
        first = article.standfirst or (clean.sentences_of(article.body) or (article.body[0].text,))[0]
        changes["title"] = first if len(first) <= 160 else first[:157].rsplit(" ", 1)[0] + "…"
    if article.date is None:
        from_name = readers.date_from_path(article.source) or readers.date_from_url(article.url)
        if from_name is not None:
            changes["date"] = from_name
        else:
            changes["date"] = datetime.fromtimestamp(mtime, tz=timezone.utc).replace(microsecond=0)
            changes["date_from_mtime"] = True
            fresh.mtime = mtime
            fresh.notes.append("no date found; using the file's modification time")
    if changes:
        fresh.article = replace(article, **changes)


def problem(path: str, exc: DigestError) -> Problem:
    """The report of ``exc`` against ``path`` (a source error names its own file and line)."""
    if isinstance(exc, SourceError):
        return Problem(exc.path, exc.message, exc.line)
    return Problem(path, str(exc))
