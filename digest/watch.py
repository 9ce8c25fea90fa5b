"""``digest watch``: rebuild on every change to content, templates or the config.

Events are collected until they have been quiet for ``debounce`` seconds, then one
build runs for the whole batch. Events that arrive during a build start another
build afterwards, so no change is lost. A failing build is logged and watching goes
on. The output folder, hidden files and editor temporary files are ignored.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .config import Config

if TYPE_CHECKING:
    from .cache import Store
from .discover import is_ignored
from .errors import ConfigError, DigestError
from .model import BuildResult

log = logging.getLogger(__name__)


class _Collector(FileSystemEventHandler):
    """Puts every relevant changed path on a queue."""

    def __init__(self, relevant: Callable[[Path], bool], sink: "queue.Queue[Path]"):
        self.relevant = relevant
        self.sink = sink

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if raw:
                path = Path(raw if isinstance(raw, str) else raw.decode())
                if self.relevant(path):
                    self.sink.put(path)


def kind_of(path: Path, config: Config) -> str | None:
    """``"content"``, ``"templates"``, ``"config"`` or None for a path we do not care about."""
    if is_ignored(path.name):
        return None
    if _inside(path, config.paths.output):
        return None
    if config.source and path == Path(config.source).resolve():
        return "config"
    if config.tags.sections and path == Path(config.tags.sections):  # the section cues: read with the config
        return "config"
    if _inside(path, config.paths.content):
        return "content"
    if _inside(path, config.paths.templates):
        return "templates"
    return None


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def watch(
    config: Config,
    sentences: int | None = None,
    *,
    reload_config: Callable[[], Config] | None = None,
    debounce: float = 0.15,
    stop: threading.Event | None = None,
    on_build: Callable[[BuildResult | None], None] | None = None,
    initial_build: bool = True,
) -> None:
    """Build once, then rebuild after every batch of changes until ``stop`` is set (or Ctrl-C)."""
    from .pipeline import build, cache_store

    stop = stop or threading.Event()
    current = {"config": config}
    stores: dict[Path, Store] = {}  # the cache stays in memory between rebuilds

    def current_store() -> Store:
        store = cache_store(current["config"], sentences)  # its folder names the code version and settings
        return stores.setdefault(store.folder, store)

    def run_build(reason: str) -> None:
        started = time.perf_counter()
        try:
            config = current["config"]
            store = current_store()
            store.load()  # from disk the first time only
            result = build(config, sentences=sentences, store=store)
        except DigestError as exc:
            log.error("build failed (%s): %s — still watching", reason, exc)
            if on_build:
                on_build(None)
            return
        for problem in result.errors:
            log.error("error: %s (skipped)", problem)
        log.info("%s: rebuilt %d articles in %.2f s", reason, result.articles, time.perf_counter() - started)
        if on_build:
            on_build(result)

    if initial_build:
        run_build("initial build")

    events: queue.Queue[Path] = queue.Queue()
    observer = Observer()
    collector = _Collector(lambda p: kind_of(p.resolve() if p.exists() else p, current["config"]) is not None, events)
    roots = _watch_roots(current["config"])
    _schedule(observer, collector, roots)
    observer.start()
    log.info("watching %s (Ctrl-C to stop)", ", ".join(str(f) for f, _ in roots))
    try:
        while not stop.is_set():
            try:
                first = events.get(timeout=0.2)
            except queue.Empty:
                continue
            changed = {first}
            while True:
                try:
                    changed.add(events.get(timeout=debounce))
                except queue.Empty:
                    break
            kinds = sorted({k for p in changed if (k := kind_of(p, current["config"]))})
            if "config" in kinds and reload_config is not None:
                try:
                    current["config"] = reload_config()
                except ConfigError as exc:
                    for line in exc.problems:
                        log.error("error: %s", line)
                    log.error("config not reloaded — still watching")
                    continue
            if kinds == ["content"]:
                _preview(current["config"], changed, current_store, sentences)
            names = ", ".join(sorted(_short(p, current["config"]) for p in changed)[:5])
            more = f" and {len(changed) - 5} more" if len(changed) > 5 else ""
            run_build(f"{'/'.join(kinds)} changed ({names}{more})")
            if _watch_roots(current["config"]) != roots:  # a watched folder appeared or moved
                roots = _watch_roots(current["config"])
                _schedule(observer, collector, roots)
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        observer.join(timeout=5)


def _preview(config: Config, changed: set[Path], store: Callable[[], "Store"], sentences: int | None) -> None:
    """Write the edited articles' own pages before the build that follows (see
    :func:`digest.pipeline.preview`): the page being edited shows the edit at once. ``store``
    gives the cache (opening it can fail on a bad setting, which the build then reports)."""
    from .pipeline import preview

    started = time.perf_counter()
    try:
        written = preview(config, sorted(p for p in changed if p.is_file()), store(), sentences)
    except DigestError as exc:  # pragma: no cover - preview reports nothing itself; the build will
        log.debug("no preview: %s", exc)
        return
    if written:
        log.info("previewed %s in %.2f s; rebuilding", ", ".join(written[:3]) + (" …" if len(written) > 3 else ""),
                 time.perf_counter() - started)


def _watch_roots(config: Config) -> list[tuple[Path, bool]]:
    """The folders to watch and whether recursively: content and templates (recursively), and the
    config file's folder (only its own entries, so the output folder is never watched). A folder
    that does not exist yet is watched through its nearest existing parent, non-recursively, so
    that creating it is seen; the watches are then renewed. The folder of a section cues file
    (``tags.sections``) is watched like the config file's."""
    wanted: list[tuple[Path, bool]] = [(config.paths.content, True), (config.paths.templates, True)]
    if config.source:
        wanted.append((Path(config.source).resolve().parent, False))
    if config.tags.sections:
        wanted.append((Path(config.tags.sections).parent, False))
    roots: dict[Path, bool] = {}
    for folder, recursive in wanted:
        if not folder.is_dir():
            while not folder.is_dir() and folder.parent != folder:
                folder = folder.parent
            recursive = False
        roots[folder] = roots.get(folder, False) or recursive
    # a recursive watch covers the folders below it
    return sorted(
        (f, r) for f, r in roots.items() if not any(r2 and f != f2 and _inside(f, f2) for f2, r2 in roots.items())
    )


def _schedule(observer: Observer, handler: FileSystemEventHandler, roots: list[tuple[Path, bool]]) -> None:
    observer.unschedule_all()
    for folder, recursive in roots:
        observer.schedule(handler, str(folder), recursive=recursive)


def _short(path: Path, config: Config) -> str:
    for base in (config.paths.content, config.paths.templates, config.root):
        if _inside(path, base):
            return path.relative_to(base).as_posix()
    return str(path)
