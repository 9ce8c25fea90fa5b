"""The build, in pipeline order. This is the only module that combines the stages.

Two phases: **load** (discover → read → clean → summarise → tag, giving a
:class:`Corpus`) and **emit** (relate → render → write). Related headlines and tag
pages need the whole corpus, so nothing is rendered until loading is done.
"""
from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Sequence

from . import clean, readers, relate, render, summarize, tag, text, write
from .config import Config
from .discover import SUFFIXES, discover
from .errors import DigestError, SourceError
from .model import Article, BuildResult, Corpus, Problem, SourceFile

log = logging.getLogger(__name__)


def build(config: Config, sentences: int | None = None) -> BuildResult:
    """Build the site from ``config.paths.content`` into ``config.paths.output``.

    A file that cannot be used is reported in ``BuildResult.errors`` and skipped;
    the rest of the site is still built. ``site/`` is replaced only when complete.
    """
    started = time.perf_counter()
    # Phase 1: load — read, clean, summarise and tag every article.
    sources, warnings = discover(config.paths.content)
    corpus = load(sources, config, sentences)
    # Phase 2: emit — relate across the corpus, render every page, swap the site in.
    articles = relate.relate(corpus.articles, config.related)
    pages = render.render_site(articles, config)
    written = write.write_site(pages, config.paths.output)
    return BuildResult(
        out_dir=config.paths.output,
        articles=len(articles),
        written=tuple(written),
        errors=corpus.errors,
        warnings=tuple(sorted(warnings + list(corpus.warnings), key=_problem_key)),
        seconds=time.perf_counter() - started,
    )


def load(sources: Sequence[SourceFile], config: Config, sentences: int | None = None) -> Corpus:
    """Read, clean, summarise and tag ``sources``; one broken file never stops the others."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    articles: list[Article] = []
    mtimes: dict[str, float] = {}
    for source in sources:
        try:
            article, note = readers.read(source)
        except DigestError as exc:
            errors.append(_problem(source.rel, exc))
            continue
        if note:
            warnings.append(Problem(source.rel, note))
        articles.append(article)
        mtimes[article.source] = source.mtime
    articles = _unique_slugs(articles, warnings)

    context = clean.build_context(articles)
    articles = _each(articles, lambda a: clean.clean(a, context), "clean", errors)
    articles = _each(articles, lambda a: _fill_defaults(a, mtimes[a.source], warnings), "read", errors)
    stats = text.corpus_stats(a.body_text for a in articles)
    n = sentences or config.summary.sentences
    articles = _each(articles, lambda a: summarize.summarize(a, stats, n), "summarise", errors)
    articles = _each(articles, lambda a: tag.tag(a, stats, config.tags), "tag", errors)
    return Corpus(
        articles=tuple(articles),
        errors=tuple(sorted(errors, key=_problem_key)),
        warnings=tuple(sorted(warnings, key=_problem_key)),
    )


def inspect(paths: Sequence[Path], config: Config, sentences: int | None = None) -> tuple[tuple[Article, ...], Corpus]:
    """Run the pipeline (all but render and write) on the given files, together."""
    sources: list[SourceFile] = []
    problems: list[Problem] = []
    for path in paths:
        path = Path(path)
        suffix = path.suffix.lower().lstrip(".")
        if suffix not in SUFFIXES:
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


def _each(articles: Iterable[Article], stage: Callable[[Article], Article], name: str, errors: list[Problem]) -> list[Article]:
    """Apply one stage to each article; an article the stage fails on is reported and dropped."""
    out: list[Article] = []
    for article in articles:
        try:
            out.append(stage(article))
        except DigestError as exc:
            errors.append(_problem(article.source, exc))
        except Exception as exc:  # a bug must not cost the user the rest of the site
            log.debug("%s failed on %s", name, article.source, exc_info=True)
            errors.append(Problem(article.source, f"{name} failed: {type(exc).__name__}: {exc}"))
    return out


def _fill_defaults(article: Article, mtime: float, warnings: list[Problem]) -> Article:
    """The file-name layer and last resorts: a title, a date, a non-empty body."""
    if not article.body:
        raise DigestError("no article text found (nothing left after cleaning)")
    changes: dict = {}
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
    return replace(article, **changes) if changes else article


def _unique_slugs(articles: list[Article], warnings: list[Problem]) -> list[Article]:
    """Give every article its own slug: a later file (by path) that repeats one gets ``-2``, ``-3``…"""
    taken: set[str] = set()
    out: list[Article] = []
    for article in articles:
        slug = article.slug
        if slug in taken:
            n = 2
            while f"{slug}-{n}" in taken:
                n += 1
            warnings.append(Problem(article.source, f"slug '{slug}' is already used by another file; using '{slug}-{n}'"))
            slug = f"{slug}-{n}"
            article = replace(article, slug=slug)
        taken.add(slug)
        out.append(article)
    return out


def _problem(path: str, exc: DigestError) -> Problem:
    if isinstance(exc, SourceError):
        return Problem(exc.path, exc.message, exc.line)
    return Problem(path, str(exc))


def _problem_key(p: Problem) -> tuple:
    return (p.path, p.line or 0, p.message)
