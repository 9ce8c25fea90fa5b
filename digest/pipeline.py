"""The build, in pipeline order. This is the only module that combines the stages.

Two phases: **load** (discover → read → clean → summarise → tag, giving a
:class:`Corpus`) and **emit** (relate → render → write). Related headlines and tag
pages need the whole corpus, so nothing is rendered until loading is done.
"""
from __future__ import annotations

import gc
import hashlib
import logging
import multiprocessing as mp
import os
import pickle
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import closing, contextmanager, nullcontext
from dataclasses import replace
from functools import lru_cache, partial
from itertools import compress, islice
from operator import attrgetter, is_not
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from . import cache, clean, readers, relate, render, stages, tag, text, write
from .config import Config, TagsConfig
from .discover import discover
from .errors import ConfigError, DigestError
from .model import Article, BuildResult, Corpus, Entity, Problem, SourceFile
from .relate_matrix import give_back_memory

log = logging.getLogger(__name__)


#: ``progress(step, count, seconds)``: called as each step of a build ends (files read,
#: articles cleaned, …, pages written) with how many items it handled and how long it took.
Progress = Callable[[str, int, float], None]


def build(
    config: Config, sentences: int | None = None, jobs: int | None = None, progress: Progress | None = None,
    use_cache: bool = True, store: cache.Store | None = None, release: bool | None = None,
) -> BuildResult:
    """Build the site from ``config.paths.content`` into ``config.paths.output``.

    A file that cannot be used is reported in ``BuildResult.errors`` and skipped;
    the rest of the site is still built. ``site/`` is replaced only when complete.
    With ``use_cache``, per-article results are kept in ``config.paths.cache`` (or in
    ``store``, which a long-running caller such as ``watch`` keeps in memory).
    ``release``: let go of what only a next build in this process could use (the relate
    state, once saved) before rendering; by default, when the store is the build's own.
    """
    with _fewer_collections():
        return _build(config, sentences, jobs, progress, use_cache, store, release)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cyclic garbage collector, run less often while a build runs. A build makes
    millions of objects that live to its end (articles, the cache) and few cycles; at the
    default threshold the collector went over them about 850 times after a one-article edit
    of a 10,000-article site: 1.0-1.4 CPU s of 7-9, against 0.35-0.45 at this threshold."""
    before = gc.get_threshold()
    gc.set_threshold(_GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


#: Allocations between two collections of the youngest generation during a build (default 700).
_GC_THRESHOLD = 50_000


def _build(
    config: Config, sentences: int | None, jobs: int | None, progress: Progress | None,
    use_cache: bool, store: cache.Store | None, release: bool | None,
) -> BuildResult:
    started = time.perf_counter()
    step = _Stepper(progress)
    # A store of our own (or the program's, dropped at its exit) lives for this build only;
    # one that digest watch gives is kept in memory for the next build.
    if release is None:
        release = store is None
    if use_cache and store is None:
        store = open_cache(config, sentences)
    # Phase 1: load — read, clean, summarise and tag every article.
    sources, warnings = discover(config.paths.content)
    step("found", len(sources))
    corpus, save, origins = _load(sources, config, sentences, jobs, step, store if use_cache else None)
    del sources  # one object and path per file (some 50 MB at 100,000 files): not needed past loading
    # Phase 2: emit — relate across the corpus, render every page, swap the site in.
    # A store kept for the next build (watch) is saved once the pages are out, not before, so
    # that an edit shows sooner; also when rendering fails (a template error does not throw
    # away the articles' work). A build that lets its store go saves it first, and with it
    # what only the cache needs (each article's words, the corpus statistics: about 250 MB at
    # 100,000 articles), before relate and the render workers start.
    saved = False
    saving: Callable[[], str | None] | None = None
    try:
        if release and store is not None and use_cache:
            saved = True  # once, even if it fails
            if sum(fresh for _, _, fresh, _ in origins) >= SAVE_ASIDE_FROM:
                saving = _aside(save)  # relate runs on one core meanwhile
            else:
                save()
            store.forget_articles()
            del save  # the last reference to the words and statistics
        give_back_memory()  # the files' text, read and cleaned, is gone: relate starts from less
        tokens = [made + b"/" + a.slug.encode() if made else None for a, (*_, made) in zip(corpus.articles, origins)] if use_cache else None
        # A build whose articles die with it keeps relate's output (some 40,000 objects at 10,000
        # articles) out of later collections; not digest watch's builds (given a store): each
        # would freeze the last build's garbage.
        with cache.frozen_after() if release else nullcontext():
            articles, relate_state = related(corpus.articles, config, store if use_cache else None, tokens)
            prints = _prints(articles, origins)
            if release:
                articles = _for_render(articles)
        # The articles as they were before relate are not needed past this point (nor what
        # stood for them): only those relate gave, and of those, a build that lets its store
        # go keeps only what the pages show (see _for_render).
        corpus, origins, tokens = replace(corpus, articles=()), [], None
        if release and store is not None and use_cache:
            # Not needed again in this process: on disk now, and out of memory before the render
            # workers fork (it is a third of the main process at 10,000 articles).
            if relate_state is not None:
                store.save_part(_RELATE_STATE, relate_state)
            store.release_part(_RELATE_STATE)
            relate_state = None
            give_back_memory()
        step("related", len(articles))
        written = emit(articles, config, jobs, store if use_cache else None, prints, keep=not release)
        step("rendered and written", len(written))
    finally:
        if not saved:
            save()
        failed = saving() if saving is not None else None
    if failed is not None:
        warnings.append(Problem(str(store.folder if store is not None else ".digest-cache"), f"cache not saved: {failed}"))
    if store is not None and use_cache:
        if relate_state is not None:  # tens of MB at 10k
            store.save_part(_RELATE_STATE, relate_state)
        # A build that lets its store go lets go of the memo's views and site (hundreds of MB at
        # 100,000 articles) before the memo is written: its peak is not views and pickler at once.
        memo = store.memory.pop(_RENDER_MEMO, None) if release else store.memory.get(_RENDER_MEMO)
        if memo is not None:  # saved last: it describes articles as the cache now has them
            memo = memo.on_disk()
            store.save_part(_RENDER_MEMO, memo)
    return BuildResult(
        out_dir=config.paths.output,
        articles=len(articles),
        written=tuple(written),
        errors=corpus.errors,
        warnings=tuple(sorted(warnings + list(corpus.warnings), key=_problem_key)),
        seconds=time.perf_counter() - started,
    )


def related(
    articles: Sequence[Article], config: Config, store: cache.Store | None = None,
    tokens: Sequence[bytes | None] | None = None,
) -> tuple[tuple[Article, ...], "relate.RelateState | None"]:
    """The relate stage; with a cache ``store``, only the lists an edit can change are worked
    out again (the result is the same as from scratch, see :func:`digest.relate.relate_with`).
    ``tokens``: one per article, equal for two articles only when they are equal (the article's
    cache entry's :attr:`~digest.cache.Entry.made` and its slug), so that relate need not hash
    every article to find the changed ones. Returns the articles and the relate state to keep
    in ``store`` (None: nothing new to keep)."""
    if store is None:
        return relate.relate(articles, config.related), None
    previous = store.part(_RELATE_STATE)
    articles, state = relate.relate_with(articles, config.related, previous, tokens=tokens)
    return articles, (None if state is previous else state)


#: The name the relate stage's state is kept under in the cache.
_RELATE_STATE = "relate"


def cache_store(config: Config, sentences: int | None = None) -> cache.Store:
    """The cache store for ``config``, not yet loaded (refused inside the output folder, which builds replace)."""
    folder, output = config.paths.cache, config.paths.output
    if folder == output or output in folder.parents:
        raise DigestError(f"paths.cache ({folder}) must not be inside paths.output ({output})")
    settings = (sentences or config.summary.sentences, config.summary.ratio, replace(config.tags, min_articles=0))
    cues = section_cues(config)
    return cache.Store.open(folder, settings if cues is None else (*settings, cues))


def section_cues(config: Config) -> tag.SectionCues | None:
    """The section cues of ``config.tags.sections``, or None for the built-in ones. Raises
    :class:`ConfigError` naming the file when it cannot be used."""
    if not config.tags.sections:
        return None
    path = Path(config.tags.sections)
    try:
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
    except OSError:
        stamp = None  # (reading it says why)
    try:
        return _read_cues(path, stamp)
    except ValueError as exc:
        raise ConfigError([f"{path}: tags.sections: {exc}"]) from None


@lru_cache(maxsize=4)
def _read_cues(path: Path, stamp: tuple[int, int, int] | None) -> tag.SectionCues:
    """:func:`digest.tag.read_section_cues`, once for each version of the file (its size, time and
    inode, as the cache stamps content files): a build asks for the cues to key its cache and to
    tag, and watch for every preview; the same object also keeps the tagger's cue index made once."""
    return tag.read_section_cues(path)


def open_cache(config: Config, sentences: int | None = None) -> cache.Store:
    """:func:`cache_store`, loaded from disk."""
    store = cache_store(config, sentences)
    store.load()
    return store


def load(
    sources: Sequence[SourceFile], config: Config, sentences: int | None = None, jobs: int | None = None,
    step: "_Stepper | None" = None, store: cache.Store | None = None,
) -> Corpus:
    """Read, clean, summarise and tag ``sources``; one broken file never stops the others.

    With a cache ``store``, an unchanged file whose recorded dependencies still hold is
    taken from it instead (the result is the same either way), and the store is updated.
    The per-article steps run in ``jobs`` worker processes (default: one per core when
    :data:`PARALLEL_FROM` files or more need work); the result is the same either way.
    """
    corpus, save, _ = _load(sources, config, sentences, jobs, step, store)
    save()
    return corpus


def _load(
    sources: Sequence[SourceFile], config: Config, sentences: int | None, jobs: int | None,
    step: "_Stepper | None", store: cache.Store | None,
) -> tuple[Corpus, Callable[[], None], list[tuple[str, Article, bool]]]:
    """:func:`load`, the function that updates ``store`` with what it made (or does nothing),
    and for each article the key and article of its cache entry, whether that entry was
    made (or redone) in this build, and the entry's :attr:`~digest.cache.Entry.made`."""
    step = step or _Stepper(None)
    n = sentences or config.summary.sentences
    cues = section_cues(config)
    errors: list[Problem] = []
    # Which files changed: each file's key is a hash of its bytes; an entry of the same key is a candidate.
    # A file whose stamp (size, times, inode) is as recorded keeps its key without being read.
    known = store.entries if store is not None else {}
    stamps = store.stamps if store is not None else {}
    new_stamps: dict[str, tuple[int, int, int, int, str]] = {}
    now = time.time_ns()
    keyed: list[tuple[SourceFile, str]] = []
    kept: dict[str, cache.Entry] = {}
    todo: list[tuple[SourceFile, str, bytes | None]] = []
    unkeyed: dict[str, tuple[int, int, int, int] | None] = {}  # files left for the workers to read and key, and their stamps
    for source in sources:
        st = source.stamp  # taken by discover, before the file is read
        if st is None:
            try:
                st = cache.stamp(os.stat(source.path))
            except OSError:
                pass  # reported by read_bytes below
        was = stamps.get(source.rel) if st is not None else None
        data: bytes | None = None
        if was is not None and was[:4] == st and was[4] in known:
            key = was[4]
            new_stamps[source.rel] = was
        elif not known:
            # Nothing to keep (a cold build): the workers read and key the files, not this process.
            keyed.append((source, ""))
            todo.append((source, "", None))
            unkeyed[source.rel] = st
            continue
        else:
            try:
                data = readers.read_bytes(source)
            except DigestError as exc:
                errors.append(stages.problem(source.rel, exc))
                continue
            key = cache.content_key(source.rel, data)
            if st is not None and cache.settled(st, now):
                new_stamps[source.rel] = (*st, key)
        keyed.append((source, key))
        entry = known.get(key)
        if entry is not None and entry.mtime in (None, source.mtime):
            kept[source.rel] = entry  # its bytes are not needed again
        else:
            todo.append((source, key, data))
    step("checked", len(keyed))

    fresh: dict[str, stages.Fresh] = {}
    with closing(_Runner(jobs)) as pool:
        # Read what changed; then the clean context from every file, kept or fresh.
        read_at: dict[str, int] = {}
        cleaned = _read_into(pool, todo, fresh, errors, read_at)
        del todo  # the files' bytes (tens of MB at 10,000 files) are not needed past reading
        for rel, st in unkeyed.items():  # keyed by the worker that read them
            # a stamp taken before the reading began holds for what was read if the file had
            # settled by then (not only by the start of the build: a file written a moment
            # before a cold build is still stamped, when the build reads it later)
            if rel in fresh and st is not None and cache.settled(st, read_at.get(rel, now)):
                new_stamps[rel] = (*st, fresh[rel].key)
        context = clean.context_from(
            [(e.article.source, e.title, e.lines) for e in kept.values()] + [(f.article.source, f.title, f.lines) for f in fresh.values()]
        )
        # A kept entry whose cleaning read a line or title count that has changed is redone.
        again = [(s, k, None) for s, k in keyed if s.rel in kept and cache.stale_clean(kept[s.rel], context)]
        for source, _, _ in again:
            del kept[source.rel]
        cleaned |= _read_into(pool, again, fresh, errors)
        step("read", len(fresh))

        _clean_into(pool, fresh, context, errors, cleaned)
        step("cleaned", len(fresh))
        by_rel = {s.rel: s for s, _ in keyed}
        for rel in list(fresh):
            try:
                stages.fill_defaults(fresh[rel], by_rel[rel].mtime)
            except DigestError as exc:
                errors.append(stages.problem(rel, exc))
                del fresh[rel]

        # Summarise and tag what is fresh, and every kept entry that read an IDF that has changed.
        # The corpus statistics: the last build's, corrected for what changed, when they are known to be exact.
        if store is not None and store.stats is not None and store.stats_exact:
            still = {e.key for e in kept.values()}
            stats = text.updated_stats(
                store.stats, [cache.vocab_words(e.vocab) for k, e in store.entries.items() if k not in still],
                [f.vocab for f in fresh.values()])
        else:
            stats = text.stats_from([cache.vocab_words(e.vocab) for e in kept.values()] + [f.vocab for f in fresh.values()])
        counted = {e.key for e in kept.values()} | {f.key for f in fresh.values()}
        changed = cache.changed_words(store.stats if store is not None else None, stats)
        for rel, entry in list(kept.items()):
            if cache.stale_stats(entry, changed):
                del kept[rel]
                fresh[rel] = stages.Fresh.again(entry)
        _summarise_into(pool, fresh, stats, n, config.summary.ratio, config.tags, cues, errors)
        step("summarised and tagged", len(fresh))

    entries = dict(kept)
    entries.update((rel, f.entry()) for rel, f in fresh.items())
    articles: list[Article] = []
    origins: list[tuple[str, Article, bool, bytes]] = []
    warnings: list[Problem] = []
    for source, _ in keyed:
        entry = entries.get(source.rel)
        if entry is not None:
            articles.append(entry.article)
            origins.append((entry.key, entry.article, source.rel not in kept, entry.made))
            warnings.extend(Problem(source.rel, note) for note in entry.notes)
    articles = _unique_slugs(articles, warnings)

    def save() -> None:
        if store is not None:
            store.save({e.key: e for e in entries.values()}, stats, new_stamps, counted)

    corpus = Corpus(
        articles=tuple(articles),
        errors=tuple(sorted(errors, key=_problem_key)),
        warnings=tuple(sorted(warnings, key=_problem_key)),
    )
    return corpus, save, origins


def _read_into(
    pool, todo: Sequence[tuple[SourceFile, str, bytes | None]], fresh: dict[str, stages.Fresh], errors: list[Problem],
    read_at: dict[str, int] | None = None,
) -> set[str]:
    """Read ``todo`` into ``fresh``; the paths of the articles already cleaned as they were read.
    ``read_at`` gets the time (ns) the reading of each file began that was read in a worker."""
    cleaned: set[str] = set()
    for (source, key, _), (read, problem) in zip(todo, pool.map(stages.read_and_clean, [(s, d) for s, _, d in todo])):
        if read is None:
            errors.append(problem)
            continue
        if read.key is not None:
            key = key or read.key[0]
            if read_at is not None:
                read_at[source.rel] = read.key[1]
        entry = fresh[source.rel] = stages.Fresh(key, read.article, [read.note] if read.note else [], title=read.title, lines=read.lines)
        if read.cleaned is not None:
            entry.looked_up, vocab = read.cleaned
            entry.vocab = tuple(map(sys.intern, vocab))
            cleaned.add(source.rel)
    return cleaned


def _clean_into(pool, fresh: dict[str, stages.Fresh], context: clean.CleanContext, errors: list[Problem], done: set[str]) -> None:
    todo = [rel for rel in fresh if rel not in done]
    results = pool.map(stages.Guarded(partial(stages.clean_one, ctx=context), "clean"), [fresh[rel].article for rel in todo])
    for rel, (result, problem) in zip(todo, results):
        if problem is not None:
            errors.append(problem)
            del fresh[rel]
            continue
        changes, looked_up, vocab = result
        # One shared string per word: 10,000 articles' own copies of their words were 300 MB.
        fresh[rel].article = replace(fresh[rel].article, **changes)
        fresh[rel].looked_up, fresh[rel].vocab = looked_up, tuple(map(sys.intern, vocab))


def _summarise_into(pool, fresh: dict[str, stages.Fresh], stats: text.Stats, n: int, ratio: float, tags: TagsConfig,
                    cues: tag.SectionCues | None, errors: list[Problem]) -> None:
    todo = list(fresh)
    stage = stages.Guarded(partial(stages.summarise_and_tag, stats=stats, n=n, tags=tags, ratio=ratio, cues=cues), "summarise")
    # One object for equal tags, keyphrases and entities across the corpus (names and tags recur
    # from article to article; each came back from a worker as its own copy): these are a third
    # of an article in memory, and the build holds every article until its pages are written.
    shared: dict = {}
    # Each article's words go with it, so that the worker sends back only the other words it read.
    for rel, (result, problem) in zip(todo, pool.map(stage, [(fresh[rel].article, fresh[rel].vocab) for rel in todo])):
        if problem is not None:
            errors.append(problem)
            del fresh[rel]
            continue
        changes, words = result
        for name in _SHARED_FIELDS:
            values = changes.get(name)
            if values:
                changes[name] = tuple(map(shared.setdefault, map(_KEY_OF[name], values), values))
        fresh[rel].article = replace(fresh[rel].article, **changes)
        fresh[rel].idf_words = None if words is None else tuple(map(sys.intern, words))


#: The fields that summarise and tag set whose values :func:`_summarise_into` shares, and the key
#: each value is shared by (an entity by its fields: a tuple hashes in C).
_SHARED_FIELDS = ("tags", "keyphrases", "entities")
_KEY_OF: dict[str, Callable] = {"tags": str, "keyphrases": str, "entities": Entity.state_of}  # type: ignore[attr-defined]


def emit(
    articles: Sequence[Article], config: Config, jobs: int | None = None, store: cache.Store | None = None,
    prints: Mapping[str, tuple[bytes, bool]] | None = None, keep: bool = True,
) -> list[str]:
    """Render every page into a folder beside the output and swap it in; returns the paths.

    With a cache ``store``, a page whose key (template set, code and context) is the same as
    in the last build is not rendered again, and only the changed pages are moved into the
    site (see :func:`digest.write.staging`). The store also keeps the last build's
    :class:`~digest.render.RenderMemo` (in memory under ``digest watch``, else on disk):
    with it, and ``prints`` saying which articles are made from what they were made from
    last time (see :func:`_prints`), only the pages an edit can reach are looked at. Large
    sites are otherwise rendered by ``jobs`` processes, each taking the pages whose path
    hashes to its share. ``keep``: whether the memo kept in ``store``'s memory keeps the article
    views too (for a next build in this process); else they are let go of once the render
    workers have them.
    """
    output = config.paths.output
    memo = None
    if store is not None:
        memo = store.memory.pop(_RENDER_MEMO, None) or store.part(_RENDER_MEMO)
        store.drop_part(_RENDER_MEMO)  # the site is about to change: a build stopped from here on leaves none
    previous = store.pages(output) if store is not None else None
    if memo is not None and (
        not isinstance(memo, render.RenderMemo) or memo.output != str(output) or memo.members.keys() != previous.keys()
    ):
        memo = None  # not the memo of the pages on record: every page is looked at
    with write.staging(output, update=bool(previous)) as folder:
        parts = _render_parts(jobs, len(articles))
        # Every article's list view made here, once, not in each worker (each shows nearly every
        # article in its lists): the workers inherit this renderer.
        renderer = render.Renderer(articles, config, memo, prints)
        if parts == 1 or renderer.dirty is not None:
            made = _emit_share(renderer, (0, 1), folder, previous)
        else:
            made = {}
            renderer.compile()  # here, once: not in each worker
            if previous is not None:  # pages are keyed: each worker would key nearly every view
                renderer.key_views()
            _EMIT_STATE[:] = [folder.root, folder.previous, folder.update, previous, renderer]
            try:
                with ProcessPoolExecutor(max_workers=parts, mp_context=mp.get_context("fork")) as pool:
                    shares = pool.map(_emit_worker, [(k, parts) for k in range(parts)])  # forked here, each worker at once
                    if not keep:  # the workers have their copy; what they send back takes the room
                        renderer.views = {}
                    for share, members, view_keys, listings in shares:
                        made.update(share)
                        renderer.members.update(members)
                        renderer.view_keys.update(view_keys)
                        renderer.listings.update(listings)  # search-index rows, kept in the memo for the next build
            finally:
                _EMIT_STATE.clear()
        written = sorted(made)
        if folder.update:
            folder.deletes = [rel for rel in previous or () if rel not in made]
    if store is not None:
        store.save_pages(output, made)
        memo = renderer.memo(made, output)
        if memo is not None:
            store.memory[_RENDER_MEMO] = memo
    return written


def preview(config: Config, paths: Iterable[Path], store: cache.Store, sentences: int | None = None) -> list[str]:
    """For ``digest watch``: at once, the pages of the edited files among ``paths`` that the
    last build in this process published, made from their new text on that build's site
    with its corpus statistics (see :func:`digest.render.preview`), written into the site
    in place. Returns their site-relative paths. The build that must follow replaces them
    with the pages of the new corpus (a page can differ: related links, tags and summaries
    across the corpus move with an edit). A file this cannot preview quickly (new, renamed,
    unreadable, a draft) is left to that build; nothing here raises."""
    memo = store.memory.get(_RENDER_MEMO)
    if not isinstance(memo, render.RenderMemo) or memo.site is None or store.stats is None:
        return []
    collecting = gc.isenabled()
    gc.disable()  # a full collection over a large corpus in memory takes longer than the preview
    try:
        return _preview(config, paths, store, memo, sentences)
    finally:
        if collecting:
            gc.enable()


def _preview(config: Config, paths: Iterable[Path], store: cache.Store, memo: render.RenderMemo, sentences: int | None) -> list[str]:
    by_source = {a.source: a for a in memo.site.articles}  # type: ignore[union-attr]
    context: clean.CleanContext | None = None
    written: list[str] = []
    for path in paths:
        rel = _inside(path, config.paths.content)
        old = by_source.get(rel) if rel is not None else None
        if old is None:
            continue
        try:
            source = SourceFile(path=path, rel=rel, suffix=path.suffix[1:].lower(), mtime=path.stat().st_mtime)
            article, _ = readers.read(source)
            if context is None:
                context = clean.context_from([(e.article.source, e.title, e.lines) for e in store.entries.values()])
            fresh = stages.Fresh("", replace(article, **stages.clean_one(article, context)[0]), [])
            stages.fill_defaults(fresh, source.mtime)
            done = replace(fresh.article, **stages.summarise_and_tag(fresh.article, stats=store.stats, n=sentences or config.summary.sentences,
                                                                      tags=config.tags, ratio=config.summary.ratio, cues=section_cues(config))[0])
            made = render.preview(memo, replace(done, slug=old.slug, related=old.related, duplicate_of=old.duplicate_of,
                                                duplicates=old.duplicates), config)
            if made is not None and write.replace_page(config.paths.output, *made):
                written.append(made[0])
        except Exception:  # the build that follows reports what is wrong with the file
            log.debug("no preview of %s", rel, exc_info=True)
    return written


def _inside(path: Path, folder: Path) -> str | None:
    """``path`` relative to ``folder`` ("/" separators), also through symbolic links; None if outside."""
    for p, f in ((path, folder), (path.resolve(), folder.resolve())):
        try:
            return p.relative_to(f).as_posix()
        except ValueError:
            pass
    return None


#: A build that lets its store go saves it in a forked process while it relates when at least
#: this many articles were made (a cold build of 10,000: about 1 CPU s and 2 s of writing, while
#: relate keeps one core busy); fewer are saved in this process, sooner than a fork pays off.
SAVE_ASIDE_FROM = 1000


def _aside(work: Callable[[], None]) -> Callable[[], str | None]:
    """Start ``work`` in a forked copy of this process (or do it here, where forking is unsafe:
    other threads, or no fork). Returns a function that waits for it to end and gives what went
    wrong (None when it was done)."""
    if threading.active_count() > 1 or not hasattr(os, "fork"):
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - reported like the child's failure
            message = f"{type(exc).__name__}: {exc}"
            return lambda: message
        return lambda: None
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: do the work, say what failed, and leave without any clean-up of the parent's
        code = 0
        try:
            os.close(read_end)
            work()
        except BaseException as exc:  # noqa: BLE001
            code = 1
            try:
                os.write(write_end, f"{type(exc).__name__}: {exc}".encode("utf-8", "replace")[:4000])
            except OSError:
                pass
        finally:
            os._exit(code)
    os.close(write_end)

    def wait() -> str | None:
        with os.fdopen(read_end, "rb") as pipe:
            said = pipe.read().decode("utf-8", "replace")
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        return None if code == 0 else (said or f"the process saving it ended with status {code}")

    return wait


#: The fields of an article that no step after relate reads: what tagging found (relate's
#: entities and keyphrases), the lines cleaning dropped (relate's named headlines) and the front
#: matter's tags and summary (already the article's own). Pages never show them.
_PAST_RELATE = {"keyphrases": (), "entities": (), "removed": (), "meta_tags": (), "meta_summary": ()}


def _for_render(articles: Sequence[Article]) -> tuple[Article, ...]:
    """``articles`` without :data:`_PAST_RELATE`, for a build whose articles die with it: some
    25 strings and entities an article (a quarter of one, as the tag stage sends it back), which
    render and its forked workers need not hold."""
    strip = attrgetter(*_PAST_RELATE)
    return tuple(replace(a, **_PAST_RELATE) if any(strip(a)) else a for a in articles)


def _prints(articles: Sequence[Article], origins: Sequence[tuple[str, Article, bool, bytes]]) -> dict[str, tuple[bytes, bool]]:
    """For each article, a hash of what it is made from: the key of its cache entry (which
    stands for the entry's content once saved) and the fields set since (slug, related links,
    duplicates); and whether the entry was made in this build. A made entry can have the key
    of one the last build had, with other contents (a summary redone), so its print is only
    good for the next build."""
    prints: dict[str, tuple[bytes, bool]] = {}
    names = stages.ARTICLE_FIELDS
    values = attrgetter(*names)
    for article, (key, made, fresh, _) in zip(articles, origins):
        now = values(article)
        since = [(name, _plain(value)) for name, value in compress(zip(names, now), map(is_not, now, values(made)))]
        prints[article.slug] = (hashlib.blake2b(key.encode() + pickle.dumps(since, protocol=5), digest_size=16).digest(), fresh)
    return prints


def _plain(value: object) -> object:
    """A field's value for :func:`_prints` to pickle: records (the related links) as tuples of
    their fields, which pickle writes without calling back into Python for each record."""
    if type(value) is tuple and value:
        state_of = getattr(type(value[0]), "state_of", None)  # see digest.model.plain_state
        if state_of is not None:
            return tuple(map(state_of, value))
    return value


#: What forked render workers inherit: (staging root, previous site, update?, page stamps, the build's
#: :class:`~digest.render.Renderer`, with its site, templates, article views and their keys made).
_EMIT_STATE: list = []
#: The name the render memo is kept under in a store's memory.
_RENDER_MEMO = "render"


def _render_parts(jobs: int | None, size: int) -> int:
    """How many processes render: forked workers only (they inherit the corpus without copying)."""
    if jobs is None:
        jobs = (os.cpu_count() or 1) if size >= PARALLEL_FROM else 1
    if jobs <= 1 or threading.active_count() > 1 or "fork" not in mp.get_all_start_methods():
        return 1
    return jobs


def _emit_worker(share: tuple[int, int]) -> tuple[dict, dict, dict, dict]:
    # Everything this process inherited lives until it exits: the collector need not look at it
    # again (a full collection would walk the whole corpus, and write into every object it
    # walks, so that the memory pages the parent shares with this process get copied).
    gc.freeze()
    root, previous_site, update, previous, renderer = _EMIT_STATE  # the build's renderer, as it was at the fork
    known = len(renderer.view_keys)  # the build's process has these (keyed before the fork)
    made = _emit_share(renderer, share, write.Staging(root, previous_site, update), previous)
    return made, renderer.members, dict(islice(renderer.view_keys.items(), known, None)), renderer.listings


def _emit_share(
    renderer: render.Renderer, share: tuple[int, int], folder: write.Staging,
    previous: Mapping[str, tuple[str, write.Stamp]] | None,
) -> dict[str, tuple[str, write.Stamp]]:
    """Render and write one share of the pages; an unchanged page is linked from the previous
    site. With :attr:`~digest.render.Renderer.dirty` known, only those pages (and any whose
    file is no longer as it was written) are made; the others are kept without a look."""
    made: dict[str, tuple[str, write.Stamp]] = {}
    kept = 0
    only: Callable[[str], bool] | None = None
    if renderer.dirty is not None and previous is not None:
        again: set[str] = set()  # kept pages whose file is not as it was written
        for path, old in previous.items():
            if not renderer.wants(path):
                if folder.keep(path, old[1]):
                    made[path] = old
                    kept += 1
                else:
                    again.add(path)

        def wanted(path: str) -> bool:
            return path in again or renderer.wants(path)
        only = wanted if again else renderer.wants  # asked of every page: no wrapper when none is needed
    for page in renderer.pages(share, only=only):
        key = renderer.key(page) if previous is not None else ""
        old = previous.get(page.path) if previous else None
        if old is not None and old[0] == key and folder.keep(page.path, old[1]):
            made[page.path] = old
            kept += 1
            continue
        made[page.path] = (key, folder.put(page.path, renderer.render(page)))
    log.debug("share %d/%d: %d pages, %d unchanged", share[0], share[1], len(made), kept)
    return made


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
#: Tasks go to the pool in chunks of at most this many items, and each at most a quarter of
#: a worker's share of the items still left: the chunks get smaller towards the end, so that
#: the worker that finishes first waits for the other's last chunk only a moment. A chunk of
#: 128 articles is about 0.3 s of summarising (~2.2 ms an article); a sixteenth of the items,
#: as chunks once were, would be about 1.4 s at 10,000 articles and 14 s at 100,000.
_CHUNK = 128


class _Runner:
    """Runs a step over many items, in order: here, or in ``jobs`` worker processes (default:
    one per core when :data:`PARALLEL_FROM` items or more). Workers forked for the step inherit
    its items and function, so only the results travel back (pickled); when this process has
    other threads (watch, serve), forking is unsafe and one pool of spawned workers, made when
    first needed, is sent the items too. The result is the same either way."""

    def __init__(self, jobs: int | None):
        self.jobs = jobs
        self._spawned: ProcessPoolExecutor | None = None

    def map(self, fn: Callable, items: Sequence) -> Iterator:
        jobs = self.jobs if self.jobs is not None else ((os.cpu_count() or 1) if len(items) >= PARALLEL_FROM else 1)
        jobs = min(jobs, len(items))
        if jobs <= 1:
            return map(fn, items)
        if threading.active_count() == 1 and "fork" in mp.get_all_start_methods():
            return self._forked(fn, items, jobs)
        if self._spawned is None:
            self._spawned = ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn"))
        return self._spawned.map(fn, items, chunksize=max(1, min(_CHUNK, len(items) // (4 * jobs))))

    @staticmethod
    def _forked(fn: Callable, items: Sequence, jobs: int) -> Iterator:
        _FORKED[:] = [fn, items]
        try:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("fork")) as pool:
                for results in pool.map(_forked_chunk, _chunks(len(items), jobs)):
                    yield from results
        finally:
            _FORKED.clear()

    def close(self) -> None:
        if self._spawned is not None:
            self._spawned.shutdown()
            self._spawned = None


#: What forked workers of :meth:`_Runner.map` inherit: the function and the items.
_FORKED: list = []


def _chunks(n: int, jobs: int) -> list[tuple[int, int]]:
    """The (start, end) of each chunk of ``n`` items for ``jobs`` workers (see :data:`_CHUNK`)."""
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < n:
        end = start + max(1, min(_CHUNK, (n - start) // (4 * jobs)))
        bounds.append((start, end))
        start = end
    return bounds


def _forked_chunk(bounds: tuple[int, int]) -> list:
    fn, items = _FORKED
    return [fn(items[i]) for i in range(*bounds)]


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


def _problem_key(p: Problem) -> tuple:
    return (p.path, p.line or 0, p.message)
