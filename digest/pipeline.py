"""The build, in pipeline order. This is the only module that combines the stages.

Two phases: **load** (discover → read → clean → summarise → tag, giving a
:class:`Corpus`) and **emit** (relate → render → write). Related headlines and tag
pages need the whole corpus, so nothing is rendered until loading is done.
"""
from __future__ import annotations

import logging
import multiprocessing as mp
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Callable, Iterator, Sequence

from . import clean, readers, relate, render, summarize, tag, text, write
from .config import Config, TagsConfig
from .discover import discover
from .errors import DigestError, SourceError
from .model import Article, BuildResult, Corpus, Problem, SourceFile

log = logging.getLogger(__name__)


#: ``progress(step, count, seconds)``: called as each step of a build ends (files read,
#: articles cleaned, …, pages written) with how many items it handled and how long it took.
Progress = Callable[[str, int, float], None]


def build(config: Config, sentences: int | None = None, jobs: int | None = None, progress: Progress | None = None) -> BuildResult:
    """Build the site from ``config.paths.content`` into ``config.paths.output``.

    A file that cannot be used is reported in ``BuildResult.errors`` and skipped;
    the rest of the site is still built. ``site/`` is replaced only when complete.
    """
    started = time.perf_counter()
    step = _Stepper(progress)
    # Phase 1: load — read, clean, summarise and tag every article.
    sources, warnings = discover(config.paths.content)
    step("found", len(sources))
    corpus = load(sources, config, sentences, jobs, step)
    # Phase 2: emit — relate across the corpus, render every page, swap the site in.
    articles = relate.relate(corpus.articles, config.related)
    step("related", len(articles))
    pages = render.render_site(articles, config)
    written = write.write_site(pages, config.paths.output)
    step("rendered and written", len(written))
    return BuildResult(
        out_dir=config.paths.output,
        articles=len(articles),
        written=tuple(written),
        errors=corpus.errors,
        warnings=tuple(sorted(warnings + list(corpus.warnings), key=_problem_key)),
        seconds=time.perf_counter() - started,
    )


def load(
    sources: Sequence[SourceFile], config: Config, sentences: int | None = None, jobs: int | None = None, step: "_Stepper | None" = None
) -> Corpus:
    """Read, clean, summarise and tag ``sources``; one broken file never stops the others.

    The per-article steps run in ``jobs`` worker processes (default: one per core for a
    corpus of more than :data:`PARALLEL_FROM` files); the result is the same either way.
    """
    errors: list[Problem] = []
    warnings: list[Problem] = []
    step = step or _Stepper(None)
    with _workers(jobs, len(sources)) as pool:
        articles: list[Article] = []
        mtimes: dict[str, float] = {}
        for source, (article, note, problem) in zip(sources, _map(pool, _read_one, sources)):
            if problem is not None:
                errors.append(problem)
                continue
            if note:
                warnings.append(Problem(source.rel, note))
            articles.append(article)
            mtimes[article.source] = source.mtime
        articles = _unique_slugs(articles, warnings)
        step("read", len(articles))

        context = clean.build_context(articles)
        articles = _each(pool, articles, partial(clean.clean, ctx=context), "clean", errors)
        articles = _each(None, articles, lambda a: _fill_defaults(a, mtimes[a.source], warnings), "read", errors)
        step("cleaned", len(articles))
        stats = text.corpus_stats(a.body_text for a in articles)
        n = sentences or config.summary.sentences
        articles = _each(pool, articles, partial(_summarise_and_tag, stats=stats, n=n, tags=config.tags), "summarise", errors)
        step("summarised and tagged", len(articles))
    return Corpus(
        articles=tuple(articles),
        errors=tuple(sorted(errors, key=_problem_key)),
        warnings=tuple(sorted(warnings, key=_problem_key)),
    )


def _summarise_and_tag(article: Article, stats: text.Stats, n: int, tags: TagsConfig) -> Article:
    """Stages 4 and 5 for one article (one task per article in a worker)."""
    return tag.tag(summarize.summarize(article, stats, n), stats, tags)


def inspect(paths: Sequence[Path], config: Config, sentences: int | None = None) -> tuple[tuple[Article, ...], Corpus]:
    """Run the pipeline (all but render and write) on the given files, together."""
    sources: list[SourceFile] = []
    problems: list[Problem] = []
    for path in paths:
        path = Path(path)
        suffix = path.suffix.lower().lstrip(".")
        if suffix not in readers.READERS:
            problems.append(Problem(str(path), f"unknown file type '.{suffix}' (expected .txt, .md, .html or .htm)"))
            continue
        try:
            mtime = path.stat().st_mtime
        except OSError as exc:
            problems.append(Problem(str(path), f"cannot read: {exc.strerror or exc}"))
            continue
        sources.append(SourceFile(path=path, rel=str(path), suffix=suffix, mtime=mtime))
    corpus = load(sources, config, sentences)
    corpus = replace(corpus, errors=tuple(sorted(problems + list(corpus.errors), key=_problem_key)))
    return relate.relate(corpus.articles, config.related), corpus


# -- helpers -------------------------------------------------------------------


class _Stepper:
    """Calls ``progress`` with each step's count and duration (no-op without one)."""

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.last = time.perf_counter()

    def __call__(self, name: str, count: int) -> None:
        now = time.perf_counter()
        if self.progress is not None:
            self.progress(name, count, now - self.last)
        self.last = now


#: Corpora with at least this many files are processed by a pool of worker processes.
PARALLEL_FROM = 200
#: Tasks are sent to the pool in about this many chunks (few enough to keep pickling cheap,
#: enough to keep both workers busy to the end).
_CHUNKS = 16


@contextmanager
def _workers(jobs: int | None, size: int) -> Iterator[ProcessPoolExecutor | None]:
    """A process pool for the per-article steps, or None to run them here."""
    if jobs is None:
        jobs = (os.cpu_count() or 1) if size >= PARALLEL_FROM else 1
    jobs = min(jobs, size)
    if jobs <= 1:
        yield None
        return
    # fork is fastest, but only safe while this process has no other threads (watch/serve have)
    method = "fork" if threading.active_count() == 1 and "fork" in mp.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context(method)) as pool:
        yield pool


def _map(pool: ProcessPoolExecutor | None, fn: Callable, items: Sequence) -> Iterator:
    """``map`` in the pool (order kept, in about :data:`_CHUNKS` chunks) or here."""
    if pool is None:
        return map(fn, items)
    return pool.map(fn, items, chunksize=max(1, len(items) // _CHUNKS))


def _read_one(source: SourceFile) -> tuple[Article | None, str | None, Problem | None]:
    try:
        article, note = readers.read(source)
    except DigestError as exc:
        return None, None, _problem(source.rel, exc)
    return article, note, None


@dataclass(frozen=True)
class _Guarded:
    """Runs one stage on one article; a failure becomes a Problem instead of an exception."""

    stage: Callable[[Article], Article]
    name: str

    def __call__(self, article: Article) -> tuple[Article | None, Problem | None]:
        try:
            return self.stage(article), None
        except DigestError as exc:
            return None, _problem(article.source, exc)
        except Exception as exc:  # a bug must not cost the user the rest of the site
            log.debug("%s failed on %s", self.name, article.source, exc_info=True)
            return None, Problem(article.source, f"{self.name} failed: {type(exc).__name__}: {exc}")


def _each(
    pool: ProcessPoolExecutor | None, articles: Sequence[Article], stage: Callable[[Article], Article], name: str, errors: list[Problem]
) -> list[Article]:
    """Apply one stage to each article; an article the stage fails on is reported and dropped."""
    out: list[Article] = []
    for article, problem in _map(pool, _Guarded(stage, name), articles):
        if problem is not None:
            errors.append(problem)
        else:
            out.append(article)
    return out


def _fill_defaults(article: Article, mtime: float, warnings: list[Problem]) -> Article:
    """The file-name layer and last resorts: a title, a date, a non-empty body."""
    if not article.body:
        raise DigestError("no article text found (nothing left after cleaning)")
    changes: dict = {"raw": ""}  # the source text is not needed past cleaning: keep memory flat
    if not article.title:
        first = article.standfirst or (article.sentences[0] if article.sentences else article.body[0].text)
        changes["title"] = first if len(first) <= 160 else first[:157].rsplit(" ", 1)[0] + "…"
    if article.date is None:
        from_name = readers.date_from_path(article.source)
        if from_name is not None:
            changes["date"] = from_name
        else:
            changes["date"] = datetime.fromtimestamp(mtime, tz=timezone.utc).replace(microsecond=0)
            changes["date_from_mtime"] = True
            warnings.append(Problem(article.source, "no date found; using the file's modification time"))
    return replace(article, **changes)


def _unique_slugs(articles: list[Article], warnings: list[Problem]) -> list[Article]:
    """Give every article its own slug: a later file (by path) that repeats one gets ``-2``, ``-3``…"""
    owner: dict[str, str] = {}
    out: list[Article] = []
    for article in articles:
        slug = article.slug
        if slug in owner:
            n = 2
            while f"{slug}-{n}" in owner:
                n += 1
            warnings.append(Problem(article.source, f"slug '{slug}' is already used by {owner[slug]}; using '{slug}-{n}'"))
            slug = f"{slug}-{n}"
            article = replace(article, slug=slug)
        owner[slug] = article.source
        out.append(article)
    return out


def _problem(path: str, exc: DigestError) -> Problem:
    if isinstance(exc, SourceError):
        return Problem(exc.path, exc.message, exc.line)
    return Problem(path, str(exc))


def _problem_key(p: Problem) -> tuple:
    return (p.path, p.line or 0, p.message)
