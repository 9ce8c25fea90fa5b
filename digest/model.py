"""Plain frozen records passed between the stages.

A stage takes these values and returns new ones (``dataclasses.replace``); nothing
here is mutated after it is made. The order of the fields of :class:`Article`
follows the pipeline: what the reader finds, what ``clean`` finds, what
``summarize``, ``tag`` and ``relate`` add.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from operator import attrgetter
from pathlib import Path


def plain_state(cls: type) -> type:
    """Give a frozen slotted dataclass a pickled state that is a plain tuple of its fields.

    The state methods ``dataclasses`` adds call ``fields()`` for every object unpickled,
    which was 60% of the time to open a build cache of 10,000 articles.
    """
    names = tuple(f.name for f in fields(cls))
    get = attrgetter(*names)
    setters = tuple(getattr(cls, name).__set__ for name in names)  # the slots' own setters: no name look-up

    def __getstate__(self: object) -> tuple:
        return get(self)

    def __setstate__(self: object, state: tuple) -> None:
        for put, value in zip(setters, state):
            put(self, value)

    cls.__getstate__ = __getstate__  # type: ignore[attr-defined]
    cls.__setstate__ = __setstate__  # type: ignore[attr-defined]
    cls.state_of = staticmethod(get)  # type: ignore[attr-defined]  # the same tuple, called from C (e.g. by map)
    return cls


@plain_state
@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file found in ``content/``."""

    path: Path  #: absolute path
    rel: str  #: path relative to the content folder, with "/" separators
    suffix: str  #: lower-case suffix without the dot: "txt", "md", "html"
    mtime: float  #: modification time (seconds since the epoch)
    #: (size, mtime_ns, ctime_ns, inode) when the file was found (see :func:`digest.cache.stamp`),
    #: so that the build need not ask the file system again; None: not known, or the file changed
    #: too recently for its stamp to be trusted (see :func:`digest.cache.settled`)
    stamp: tuple[int, int, int, int] | None = None


@plain_state
@dataclass(frozen=True, slots=True)
class Block:
    """One unit of an article's body.

    ``kind`` is ``"p"`` (paragraph), ``"h"`` (subheading), ``"li"`` (list item),
    ``"quote"`` or ``"pre"``. ``text`` is plain text; ``html`` is optional inline
    HTML that is already safe (made by our Markdown renderer with raw HTML off),
    used instead of ``text`` when rendering.
    """

    kind: str
    text: str
    html: str | None = None


@plain_state
@dataclass(frozen=True, slots=True)
class Removed:
    """A line that cleaning dropped, and why (shown by ``digest inspect``)."""

    text: str
    reason: str


@plain_state
@dataclass(frozen=True, slots=True)
class Entity:
    """A named entity: ``kind`` is ``"person"``, ``"organisation"`` or ``"place"``."""

    name: str
    kind: str
    count: int = 1


@plain_state
@dataclass(frozen=True, slots=True)
class Related:
    """A link to another article, best first."""

    slug: str
    title: str
    score: float


@plain_state
@dataclass(frozen=True, slots=True)
class Article:
    """One article, from reading to rendering."""

    # -- read ------------------------------------------------------------------
    source: str  #: path relative to content/ (what errors and ``inspect`` show)
    format: str  #: "text", "markdown" or "html"
    slug: str
    raw: str = ""  #: the decoded file (text) or page (html) that ``clean`` works on
    title: str = ""
    standfirst: str = ""
    date: datetime | None = None
    date_from_mtime: bool = False  #: True when no date was given and the file's mtime was used
    byline: str = ""
    url: str = ""  #: the original article's address, if known
    meta_tags: tuple[str, ...] = ()  #: tags given in front matter
    meta_summary: tuple[str, ...] = ()  #: summary given in front matter (wins over ours)
    meta_section: str = ""  #: section given in front matter
    draft: bool = False
    # -- clean -----------------------------------------------------------------
    body: tuple[Block, ...] = ()
    removed: tuple[Removed, ...] = ()
    sentences: tuple[str, ...] = ()
    # -- summarise -------------------------------------------------------------
    summary: tuple[str, ...] = ()
    # -- tag -------------------------------------------------------------------
    keyphrases: tuple[str, ...] = ()
    entities: tuple[Entity, ...] = ()
    tags: tuple[str, ...] = ()
    section: str = ""
    # -- relate ----------------------------------------------------------------
    related: tuple[Related, ...] = ()
    duplicate_of: str | None = None
    duplicates: tuple[str, ...] = ()  #: slugs of the other articles telling the same story

    @property
    def body_text(self) -> str:
        """The clean body: paragraphs and subheadings separated by blank lines."""
        return "\n\n".join(b.text for b in self.body)


@plain_state
@dataclass(frozen=True, slots=True)
class Problem:
    """A file that could not be used, or a warning about one."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


@plain_state
@dataclass(frozen=True, slots=True)
class Corpus:
    """Every article that loaded, in a stable order, plus what went wrong."""

    articles: tuple[Article, ...]
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()


@plain_state
@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build did: pages written, and the problems it met."""

    out_dir: Path
    articles: int
    written: tuple[str, ...] = ()
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    seconds: float = 0.0
