"""The configuration schema and ``load_config``.

``digest.yaml`` is optional; every key has a default. The file is checked once,
here: every problem is collected and reported as ``file:line: key: message``, an
unknown key suggests the nearest valid one, and relative paths are resolved
against the folder holding the config file. Code downstream never re-checks.
"""
from __future__ import annotations

import difflib
import typing
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

CONFIG_NAME = "digest.yaml"


@dataclass(frozen=True, slots=True)
class SiteConfig:
    title: str = "Digest"
    """Site name, shown in the header, page titles and feeds."""
    description: str = "The news, cleaned, summarised and cross-linked."
    """One sentence for the front page, feeds and meta descriptions."""
    base_url: str = ""
    """Absolute address the site is served from (``https://example.org/news/``).
    Empty: every link is relative, so ``site/`` works from any host, sub-path or file://."""
    language: str = "en"
    """``lang`` of every page and the feeds."""
    author: str = ""
    """Default author for feeds when an article has no byline."""


@dataclass(frozen=True, slots=True)
class PathsConfig:
    content: Path = Path("content")
    """Folder of articles (.txt, .md, .html/.htm), read recursively."""
    output: Path = Path("site")
    """Build output; replaced as a whole only once a build is complete."""
    templates: Path = Path("templates")
    """User templates; each file overrides the built-in theme's file of that name."""
    cache: Path = Path(".digest-cache")
    """Per-article results kept between builds, so a rebuild redoes only what changed.
    Safe to delete at any time; must not be inside ``output``."""


@dataclass(frozen=True, slots=True)
class SummaryConfig:
    sentences: int = 3
    """How many sentences a generated summary holds (at most, with :attr:`ratio`)."""
    ratio: float = 0.0
    """Share of the article's sentences a summary holds, rounded, at least one and at most
    :attr:`sentences` (0: always :attr:`sentences`). ``ratio: 0.2`` gives a 10-sentence brief a
    two-sentence summary and a 30-sentence story three."""


@dataclass(frozen=True, slots=True)
class TagsConfig:
    count: int = 8
    """How many tags an article shows at most."""
    aliases: dict[str, str] = field(default_factory=dict)
    """Map of tag spellings to the one to use, e.g. ``{"EV": "electric vehicles"}``."""
    min_articles: int = 2
    """A tag gets its own page (and feed) once this many stories carry it; a rarer tag is
    shown on its article without a link (a page listing one story adds nothing)."""
    sections: str = ""
    """A YAML file of section cue words, relative to the config file, laid out as the built-in
    ``digest/data/sections.yaml`` (copy it and edit: add, rename or drop sections, move words);
    empty: the built-in sections (World, Politics, Business, Technology, Science, Health, Sport,
    Entertainment, Culture). Front matter's ``section:`` wins either way."""


@dataclass(frozen=True, slots=True)
class RelatedConfig:
    count: int = 5
    """How many related headlines an article shows at most."""
    min_score: float = 0.08
    """Relatedness (0–1) below which no link is made: no noise for a lone story. On the BBC dev
    set (benchmarks/related.py prints precision by score range) links scoring 0.08 or more share
    the article's section 97.7% of the time, with 4.1 links an article on average."""


@dataclass(frozen=True, slots=True)
class FrontConfig:
    stories: int = 50
    """How many stories the front page lists (older ones are in the archive)."""
    group_by: str = "day"
    """Group front-page stories under ``day`` headings or ``section`` headings."""
    page_size: int = 20
    """Stories per page on every list: the front page (up to ``stories``), tag, section and
    archive pages. Older ones are on ``page/2/index.html``, ``page/3/index.html``…"""
    feed_entries: int = 50
    """Entries in each feed (Atom, RSS 2.0, JSON Feed; the site's and each tag's), newest first."""


@dataclass(frozen=True, slots=True)
class Config:
    site: SiteConfig = field(default_factory=SiteConfig)
    paths: PathsConfig = field(default_factory=PathsConfig)
    summary: SummaryConfig = field(default_factory=SummaryConfig)
    tags: TagsConfig = field(default_factory=TagsConfig)
    related: RelatedConfig = field(default_factory=RelatedConfig)
    front: FrontConfig = field(default_factory=FrontConfig)
    root: Path = Path(".")
    """Folder the config file is in (not a key of the file)."""
    source: str = ""
    """Path of the config file that was read, or "" for defaults (not a key of the file)."""


_INTERNAL = {"root", "source"}
_CHOICES = {("front", "group_by"): ("day", "section")}
_SHARES = {("related", "min_score"), ("summary", "ratio")}  # numbers from 0 to 1
_POSITIVE = {
    ("summary", "sentences"), ("tags", "count"), ("related", "count"),
    ("front", "stories"), ("front", "page_size"), ("front", "feed_entries"),
}


def _describe(tp: Any) -> str:
    if tp is int:
        return "an integer"
    if tp is float:
        return "a number"
    if tp is str:
        return "a string"
    if tp is Path:
        return "a path (string)"
    if typing.get_origin(tp) is dict:
        return "a mapping of strings to strings"
    return str(tp)


def _line_map(node: yaml.Node, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], int]:
    """Line (1-based) of every key in a composed YAML document."""
    lines: dict[tuple[str, ...], int] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = prefix + (str(key_node.value),)
            lines[key] = key_node.start_mark.line + 1
            lines.update(_line_map(value_node, key))
    return lines


def _check_value(tp: Any, value: Any) -> tuple[bool, Any]:
    if tp is bool:
        return isinstance(value, bool), value
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool), value
    if tp is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return ok, float(value) if ok else value
    if tp is str:
        return isinstance(value, str), value
    if tp is Path:
        return isinstance(value, str) and value.strip() != "", Path(value) if isinstance(value, str) else value
    if typing.get_origin(tp) is dict:
        ok = isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
        return ok, dict(value) if ok else value
    raise TypeError(tp)  # pragma: no cover - schema error


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def load_config(path: str | Path | None = None, root: str | Path | None = None) -> Config:
    """Read ``path`` (or ``root/digest.yaml`` if it exists) into a checked :class:`Config`.

    Raises :class:`ConfigError` listing every problem as ``file:line: key: message``.
    """
    if path is None:
        base = Path(root or ".").resolve()
        candidate = base / CONFIG_NAME
        if not candidate.is_file():
            return _resolve(Config(root=base))
        path = candidate
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{name}: config file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{name}: cannot read config file: {exc}"]) from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError([f"{where}: invalid YAML: {problem}"]) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([f"{name}:1: expected a mapping of settings at the top level, got {type(data).__name__}"])
    lines = _line_map(node) if node is not None else {}
    problems: list[str] = []
    sections: dict[str, Any] = {}
    top_hints = _hints(Config)
    top_names = [f.name for f in fields(Config) if f.name not in _INTERNAL]
    for key, value in data.items():
        key_s = str(key)
        where = f"{name}:{lines.get((key_s,), 1)}"
        if key_s not in top_names:
            problems.append(f"{where}: {key_s}: unknown key{_suggest(key_s, top_names)}")
            continue
        cls = top_hints[key_s]
        if value is None:
            continue
        if not isinstance(value, dict):
            problems.append(f"{where}: {key_s}: expected a mapping, got {_show(value)}")
            continue
        hints = _hints(cls)
        names = [f.name for f in fields(cls)]
        values: dict[str, Any] = {}
        for sub, subvalue in value.items():
            sub_s = str(sub)
            sub_where = f"{name}:{lines.get((key_s, sub_s), lines.get((key_s,), 1))}"
            dotted = f"{key_s}.{sub_s}"
            if sub_s not in names:
                problems.append(f"{sub_where}: {dotted}: unknown key{_suggest(sub_s, names)}")
                continue
            tp = hints[sub_s]
            ok, converted = _check_value(tp, subvalue)
            if not ok:
                problems.append(f"{sub_where}: {dotted}: expected {_describe(tp)}, got {_show(subvalue)}")
                continue
            if (key_s, sub_s) in _POSITIVE and converted < 1:
                problems.append(f"{sub_where}: {dotted}: expected a positive integer, got {_show(subvalue)}")
                continue
            choices = _CHOICES.get((key_s, sub_s))
            if choices and converted not in choices:
                problems.append(f"{sub_where}: {dotted}: expected one of {', '.join(choices)}, got {_show(subvalue)}")
                continue
            if (key_s, sub_s) in _SHARES and not 0 <= converted <= 1:
                problems.append(f"{sub_where}: {dotted}: expected a number from 0 to 1, got {_show(subvalue)}")
                continue
            values[sub_s] = converted
        sections[key_s] = cls(**values)
    if problems:
        raise ConfigError(problems)
    return _resolve(Config(**sections, root=path.resolve().parent, source=name))


def _resolve(config: Config) -> Config:
    """Make the paths absolute, relative to the config file's folder."""
    p = config.paths
    resolved = PathsConfig(
        content=(config.root / p.content).resolve(),
        output=(config.root / p.output).resolve(),
        templates=(config.root / p.templates).resolve(),
        cache=(config.root / p.cache).resolve(),
    )
    tags = config.tags
    if tags.sections:
        tags = replace(tags, sections=str((config.root / tags.sections).resolve()))
    return replace(config, paths=resolved, tags=tags)


def _suggest(key: str, names: list[str]) -> str:
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else f" (expected one of: {', '.join(names)})"


def _show(value: Any) -> str:
    return f"{value!r} ({type(value).__name__})" if not isinstance(value, str) else repr(value)


def with_overrides(config: Config, **paths: Path | None) -> Config:
    """Return ``config`` with command-line path overrides (absolute or relative to cwd)."""
    changes = {k: Path(v).resolve() for k, v in paths.items() if v is not None}
    return replace(config, paths=replace(config.paths, **changes)) if changes else config

