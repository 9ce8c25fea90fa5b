"""Stage 7: turn the finished articles into the pages of the site.

``render_site(articles, config)`` yields ``(relative path, bytes)`` for every page; it
never touches the filesystem except to read templates. Templates come from one
:class:`jinja2.Environment` (:func:`make_environment`): the user's ``templates/``
folder first, then the built-in theme; ``{% extends "default/base.html" %}`` always
reaches the built-in file, so an override can extend what it replaces.

Templates get *view models*: plain dicts made by :func:`article_context`,
:func:`index_context` and :func:`site_context`. Their keys are the theming API and are
documented below. Templates never call pipeline code; everything is computed here.

Pages (``url`` values below are these paths)::

    index.html                      front page: newest stories, grouped by day or section
    articles/<slug>/index.html      one article
    tags/index.html                 every tag, most used first, with counts
    tags/<tag-slug>/index.html      stories with that tag (+ its Atom feed.xml); only tags carried by
                                    ``tags.min_articles`` stories or more get a page
    sections/<section-slug>/index.html
    archive/index.html              months, each with its days
    archive/YYYY/MM/index.html      every article of a month (compact list, by day)
    archive/YYYY/MM/DD/index.html   the digest of one day
    search/index.html               client-side search (search-index.js + search.js)
    feed.xml  rss.xml  feed.json    Atom, RSS 2.0, JSON Feed 1.1 (newest ``front.feed_entries``)
    sitemap.xml  robots.txt  404.html  style.css  search.js  search-index.js

Every list (front page, tag, section, archive month and day) is cut into pages of
``front.page_size`` entries: page *n* of ``<folder>/index.html`` is ``<folder>/page/<n>/index.html``.

Links
-----
Every link between pages is *relative*: each template gets ``root`` ("" on the front
page, "../../" on an article page) and writes ``{{ root }}{{ thing.url }}``. Every
``url`` in a view model is relative to the site root and names the file itself
(``articles/<slug>/index.html``, not ``articles/<slug>/``), so the site works from any
host, any sub-path and straight from disk (``file://``), where a folder link would
show a directory listing.

When ``site.base_url`` is set, ``abs_url``/``canonical`` hold absolute "pretty" URLs
(``https://example.org/news/articles/<slug>/``): pages get ``<link rel="canonical">``,
the feed uses absolute links and ids, the sitemap lists every page and ``robots.txt``
points to it, and ``404.html`` (served at arbitrary paths) links absolutely.
When it is empty: no canonical links; the feed uses links relative to ``feed.xml``
(which sits at the root, so they resolve) and ``urn:uuid:`` ids derived from the site
title and slug; ``sitemap.xml`` is a valid but empty ``<urlset>`` with a comment (the
sitemap protocol only allows absolute URLs) and ``robots.txt`` has no ``Sitemap:``
line; ``404.html`` links relative to the site root, so it is right at the top level.

Output is deterministic: stable sort keys ``(-date, slug)``, no wall-clock time (the
feed's ``updated`` is the newest article's date).

Context keys (the theming API)
------------------------------
Every template gets:

``root``
    Relative prefix from this page to the site root ("" / "../" / "../../").
``site``
    ``title``, ``description``, ``language``, ``author``, ``base_url`` (with a
    trailing "/" or ""), ``sections`` (list of ``{name, slug, url, count}`` in the
    usual newspaper order, then alphabetical), ``article_count``.
``page``
    ``kind`` ("index", "article", "tag", "tags", "section", "archive", "404", "feed",
    "sitemap", "robots", "css"), ``title`` (for ``<title>``; "" on the front page),
    ``description`` (for ``<meta name="description">``), ``url`` (this page's path),
    ``canonical`` (absolute URL or ""), ``feeds`` (``[{type, title, url}]``: this page's
    own feeds first, e.g. a tag's, then the site's; ``url`` site-relative).
``pagination``
    ``{number, count, previous, next, pages}``: ``previous``/``next`` are site-relative
    paths or ``None``; ``pages`` is ``[{number, url, current}]`` with ``None`` for a gap,
    empty when there is one page (every template gets it; one page outside lists).

An *article* (from :func:`article_context`) is a dict with:

``slug``, ``headline``, ``standfirst``, ``byline`` (str, may be "")
``url`` / ``abs_url``
    Its page (site-relative) / absolute URL or "".
``date`` / ``date_human`` / ``day`` / ``day_human`` / ``month`` / ``time``
    ISO 8601 (``2025-03-07T09:30:00+00:00``) / "7 March 2025" / "2025-03-07" /
    "Friday 7 March 2025" / "March 2025" / "09:30" ("" when the time is midnight,
    which usually means "unknown").
``summary`` / ``summary_text``
    List of sentences / the sentences joined by spaces.
``brief``
    The summary for the "In brief" box: without a sentence equal to the standfirst
    (shown just above it), unless that would leave nothing.
``description``
    Standfirst, else summary, cut to about 160 characters (for meta tags).
``tags``
    ``[{name, slug, url}]``.
``section``
    ``{name, slug, url}`` or ``None``.
``source``
    ``{url, host}`` of the original article, or ``None``; only http(s) URLs are kept
    (the address is untrusted: no ``javascript:`` links).
``body``
    List of ``{kind, content, list_items}``: ``kind`` is "h", "p", "ul", "quote"
    or "pre"; ``content`` is the text (escaped on output) or, for blocks with
    pre-sanitised HTML, :class:`markupsafe.Markup`; ``list_items`` is the list of
    ``content`` values of a "ul" (consecutive "li" blocks), else ``[]``. (Not
    ``items``: in Jinja ``b.items`` would be the dict method.)
``related``
    ``[{slug, title, url}]`` best first (only articles that are on the site).
``duplicates``
    Other articles telling the same story: ``[{slug, headline, url, source, byline,
    date_human}]``. ``sources`` is ``1 + len(duplicates)``.
``is_duplicate``
    True when another article is the canonical one of its story.
``previous`` / ``next``
    The next older / next newer article ``{slug, headline, url}``, or ``None``.
``words`` / ``reading_minutes``
    Body length and a reading-time estimate (230 words a minute, at least 1).

A *story list* (from :func:`index_context`) is a dict with ``stories`` (articles,
newest first, one per story: an article whose canonical story is in the same list is
folded into it), ``groups`` (``[{title, id, stories}]``, by day or by section),
``count`` (number of stories) and ``total`` (number before ``limit``).

In story lists, archive lists and feed entries an article is its view without the keys
made from its body (``body``, ``words``, ``reading_minutes``): ``story.body`` (or
``story["body"]``) still gives the body, made when a template asks for it and not kept,
but ``"body" in story`` is false and a loop over the dict does not meet it. A renderer
keeps one such view per article, not the whole view.

Page-specific keys:

- ``index.html``: ``index`` (a story list: one page of the newest ``front.stories``), ``more``
  (True when the archive holds more) and ``top_tags`` (the 12 most used tags, as in ``tags``);
- ``article.html``: ``article`` and ``jsonld`` (schema.org ``NewsArticle`` as JSON, escaped
  so that no text can close its ``<script>``: see :func:`json_ld`);
- ``tag.html``: ``tag`` (``{name, slug, url, count}``) and ``index``;
- ``section.html``: ``section`` (``{name, slug, url, count}``) and ``index``;
- ``tags.html``: ``tags`` (``[{name, slug, url, count}]``, most used first);
- ``archive.html``: ``months`` (``[{id, title, url, count, days}]``, newest first; a day is
  ``{id, title, number, url, count}``);
- ``archive_month.html``: ``month`` and ``days`` (this page's articles: ``[{id, title, url,
  articles}]``);
- ``archive_day.html``: ``day``, ``month`` and ``index``;
- ``search.html``: nothing more (the page loads ``search-index.js``, see :mod:`digest.search`);
- ``feed.xml`` / ``rss.xml``: ``feed`` (``{id, title, description, language, updated,
  updated_rfc822, self_url, rss_url, json_url, home_url, home_path, author}``) and ``entries``
  (articles, each with ``id`` and ``date_rfc822``); links use ``root`` (relative to the
  feed's folder) when there is no ``base_url``. ``feed.json`` is written by :func:`_json_feed`;
- ``sitemap.xml``: ``urls`` (``[{loc, lastmod}]``, empty without ``base_url``).
"""
from __future__ import annotations

import bisect
import functools
import hashlib
import io
import json
import logging
import pickle
import re
import unicodedata
import uuid
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from itertools import chain, compress
from operator import itemgetter, not_
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, NamedTuple, Sequence
from urllib.parse import urlsplit

import jinja2
import jinja2.meta
import jinja2.nodes
from jinja2.compiler import CodeGenerator, optimizeconst
from markupsafe import Markup

from .errors import TemplateError
from .readers.sanitize import sanitize_html
from .search import encode_row, index_script, search_row

if TYPE_CHECKING:
    from .config import Config
    from .model import Article

log = logging.getLogger(__name__)

#: Sections in the usual order of a newspaper; any other section follows alphabetically.
SECTION_ORDER = (
    "World", "Politics", "Business", "Technology", "Science", "Health", "Sport", "Entertainment", "Culture",
)
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_WORDS_PER_MINUTE = 230
_DESCRIPTION_CHARS = 160
_OTHER_SECTION = "Other"
_TOP_TAGS = 12

#: The feeds written for the site and for every tag: (file name, MIME type, label).
_FEEDS = (
    ("feed.xml", "application/atom+xml", "Atom"),
    ("rss.xml", "application/rss+xml", "RSS"),
    ("feed.json", "application/feed+json", "JSON Feed"),
)
#: Page kinds that are not HTML pages (no canonical link).
_NOT_HTML = ("404", "feed", "sitemap", "robots", "css", "js")

#: Every template :meth:`Renderer.pages` makes pages with (the JSON feed and the search index are made in Python).
_PAGE_TEMPLATES = (
    "index.html", "article.html", "tag.html", "tags.html", "section.html", "archive.html", "archive_month.html",
    "archive_day.html", "404.html", "search.html", "feed.xml", "rss.xml", "sitemap.xml", "robots.txt", "style.css",
    "search.js",
)


# -- environment ----------------------------------------------------------------------------


def default_theme_dir() -> Path:
    """The built-in theme: ``digest/theme`` in a wheel, else the repository's ``templates/``."""
    package = Path(__file__).resolve().parent
    installed = package / "theme"
    return installed if installed.is_dir() else package.parent / "templates"


def make_environment(config: Config) -> jinja2.Environment:
    """One Jinja environment: user ``templates/`` first, built-in theme second.

    ``default/<name>`` always loads the built-in ``<name>``. Autoescaping is on for
    ``.html``/``.xml``; undefined variables are errors.
    """
    theme = jinja2.FileSystemLoader(str(default_theme_dir()))
    # The prefix loader comes first so that "default/<name>" always means the built-in file.
    loaders: list[jinja2.BaseLoader] = [jinja2.PrefixLoader({"default": theme})]
    user_dir = Path(config.paths.templates)
    if user_dir.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(user_dir)))
    loaders.append(theme)
    return _Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm", "xml"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,  # one environment per build: templates do not change under it
        cache_size=-1,  # a dict of every template loaded (a build loads a few dozen), without an LRU's lock and bookkeeping
        trim_blocks=True,
        lstrip_blocks=True,
    )


try:  # MarkupSafe 3: the C function behind escape(), which returns a str, not a Markup copy
    from markupsafe._speedups import _escape_inner
except ImportError:  # pragma: no cover - pure-Python MarkupSafe, or another version
    _escape_inner = None


def _escape_output(value: Any) -> str:
    """What ``{{ value }}`` writes into an autoescaped page: the same text as
    :func:`markupsafe.escape`, as a plain ``str``. Jinja only joins what an output
    expression gives, so the ``Markup`` that ``escape`` makes (a copy of every string written)
    is not needed; making it was a fifth of the time spent rendering."""
    if type(value) is str:
        return _escape_inner(value)
    if hasattr(value, "__html__"):
        html = value.__html__()
        return html if isinstance(html, str) else str(html)
    return _escape_inner(str(value))


class _CodeGenerator(CodeGenerator):
    """Jinja's code generator, with ``{{ … }}`` in autoescaped templates written through
    :func:`_escape_output` (the same text) instead of ``escape`` (as Jinja's own
    ``NativeCodeGenerator`` changes what this hook writes). Three changes make the same text
    with less work (templates do these millions of times at 10,000 articles): ``x.name`` on a
    view model's dict and the escaping of a ``str`` are done inline, without a call into Python
    (:meth:`visit_Getattr`, :meth:`_output_child_pre`), and the parts of one output node are
    yielded once, joined (:meth:`visit_Output`). About 10% less CPU per page (measured per
    template, min of 7 runs of 300 renders: article 133 → 114-122 µs, tag 200 → 175 µs)."""

    def _output_child_pre(self, node: Any, frame: Any, finalize: Any) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape or _escape_inner is None:
            super()._output_child_pre(node, frame, finalize)
            return
        if finalize.src is None:
            # A str is escaped by the C function itself; anything else by _escape_output.
            self.write("(environment.escape_inner(_eo) if type(_eo := ")
            return
        self.write("environment.escape_output(")
        self.write(finalize.src)

    def _output_child_post(self, node: Any, frame: Any, finalize: Any) -> None:
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape or _escape_inner is None or finalize.src is not None:
            super()._output_child_post(node, frame, finalize)
            return
        self.write(") is str else environment.escape_output(_eo))")

    def visit_Output(self, node: Any, frame: Any) -> None:
        """Jinja's ``visit_Output`` (Jinja 3.1), but the parts of one output node joined and yielded
        once, not yielded one by one: a page passes each yield up through its blocks and the
        templates it extends, and the joined text is the same."""
        if frame.buffer is not None or not hasattr(self, "_output_child_to_const"):
            super().visit_Output(node, frame)
            return
        if frame.require_output_check:
            if self.has_known_extends:
                return
            self.writeline("if parent_template is None:")
            self.indent()
        finalize = self._make_finalize()
        body: list[Any] = []  # lists of constant text, and nodes to evaluate (as in Jinja's)
        for child in node.nodes:
            try:
                if not (finalize.const or isinstance(child, jinja2.nodes.TemplateData)):
                    raise jinja2.nodes.Impossible()
                const = self._output_child_to_const(child, frame, finalize)
            except (jinja2.nodes.Impossible, Exception):
                body.append(child)
                continue
            if body and isinstance(body[-1], list):
                body[-1].append(const)
            else:
                body.append([const])
        if len(body) > 1:
            self.writeline("yield ''.join((")
            self.indent()
        for item in body:
            if isinstance(item, list):
                self.writeline(("yield " if len(body) == 1 else "") + self._output_const_repr(item) + ("," if len(body) > 1 else ""))
                continue
            if len(body) == 1:
                self.writeline("yield ", item)
            else:
                self.newline(item)
            self._output_child_pre(item, frame, finalize)
            self.visit(item, frame)
            self._output_child_post(item, frame, finalize)
            if len(body) > 1:
                self.write(",")
        if len(body) > 1:
            self.outdent()
            self.writeline("))")
        if frame.require_output_check:
            self.outdent()

    @optimizeconst
    def visit_Getattr(self, node: Any, frame: Any) -> None:
        """``x.name``: the item ``x["name"]`` when ``x`` is one of the view model's dict types
        that holds it and ``name`` is no attribute of that type (what
        :meth:`_Environment.getattr` returns then), else :meth:`_Environment.getattr`."""
        attr = node.attr
        if self.environment.is_async or not isinstance(self.environment, _Environment) or attr in _DICT_NAMES:
            CodeGenerator.visit_Getattr(self, node, frame)
            return
        # Evaluated once, into _ga, before the test reads it; a nested x.a.b is done before its outer part.
        self.write("(_ga[%r] if type(_ga := " % attr)
        self.visit(node.node, frame)
        self.write(") in environment.item_types and %r in _ga else environment.getattr(_ga, %r))" % (attr, attr))


class _Environment(jinja2.Environment):
    """A :class:`jinja2.Environment` that reads ``a.headline`` on a view model's dict without
    first failing to find an attribute ``headline`` (Jinja tries the attribute, then the item;
    the failed attribute lookup raises and catches an ``AttributeError`` every time, which cost
    more than half of the time spent in templates). Same result: the item is only taken
    first when the object's type has no attribute of that name."""

    code_generator_class = _CodeGenerator

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.escape_output = _escape_output  # an instance attribute: found at once by compiled templates
        #: template name → the templates it extends, imports or includes (those compiled here, see _parse)
        self.references: dict[str, tuple[str, ...]] = {}
        self.escape_inner = _escape_inner
        #: the types whose items the compiled ``x.name`` reads directly (see _CodeGenerator.visit_Getattr)
        self.item_types = _ITEM_TYPES

    def _parse(self, source: str, name: str | None, filename: str | None) -> Any:
        """Jinja's, noting the templates ``name`` extends, imports or includes (as far as their
        names are plain strings: see :meth:`Renderer.compile`)."""
        tree = super()._parse(source, name, filename)
        if name is not None:
            self.references[name] = tuple(n for n in jinja2.meta.find_referenced_templates(tree) if n is not None)
        return tree

    def make_globals(self, d: Any) -> dict[str, Any]:
        """A template's globals: the environment's, with the template's own over them, in a plain
        dict, not Jinja's ``ChainMap`` (the same names and values, as nothing changes the
        environment's globals once templates are loaded). Jinja reads a template's globals at
        each render (into the new context, and to check an imported template's) and a
        ``ChainMap`` does that in Python: a tenth of the time of a small page."""
        return {**self.globals, **(d or {})}

    def getattr(self, obj: Any, attribute: str) -> Any:
        names = _ITEM_FIRST.get(type(obj))
        if names is not None and attribute not in names:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return jinja2.Environment.getattr(self, obj, attribute)


def _template_error(exc: BaseException, name: str, root: Path) -> TemplateError:
    """A :class:`TemplateError` naming the template file and line that failed."""

    def shown(filename: str | None) -> str:
        if not filename:
            return name
        path = Path(filename)
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return str(path)

    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateError(shown(exc.filename or exc.name), exc.message or str(exc), exc.lineno)
    # Runtime error: Jinja rewrites the traceback so that template frames carry the
    # template's file name and line; the innermost one is where it failed.
    where: tuple[str, int] | None = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and not (filename.startswith("<") and filename != "<template>"):
            where = (filename, tb.tb_lineno)
        tb = tb.tb_next
    if isinstance(exc, jinja2.TemplateNotFound):
        message = f"template not found: {exc.message or exc.name}"
    elif isinstance(exc, jinja2.TemplateError):
        message = str(exc)
    else:
        message = f"{type(exc).__name__}: {exc}"
    if where is None:
        return TemplateError(name, message)
    return TemplateError(shown(where[0]), message, where[1])


def _render(env: jinja2.Environment, name: str, context: Mapping[str, Any], root: Path) -> bytes:
    try:
        text = env.get_template(name).render(context)
    except jinja2.TemplateError as exc:
        raise _template_error(exc, name, root) from exc
    except Exception as exc:  # an error inside a template expression, e.g. {{ 1 / 0 }}
        error = _template_error(exc, name, root)
        if error.line is None:
            raise
        raise error from exc
    return text.encode("utf-8")


# -- slugs, dates, URLs -----------------------------------------------------------------------


def _slug(name: str) -> str:
    """Fallback tag slug (used only if ``digest.tag.tag_slug`` is missing): ascii ``[a-z0-9-]``."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text or "tag"


def _tag_slug_function() -> Callable[[str], str]:
    try:
        from .tag import tag_slug  # written by the tag stage
    except ImportError:
        log.debug("digest.tag.tag_slug not available; using the fallback slug")
        return _slug
    return tag_slug


def _safe_slugs(slug: Callable[[str], str], known: dict[str, str] | None = None) -> Callable[[str], str]:
    """``slug`` guarded so that a page path never gets an empty or unsafe segment (``known``:
    names slugged already, as this gives them)."""

    known = {} if known is None else known  # one site has a few thousand tag names, each met many times

    def safe(name: str) -> str:
        value = known.get(name)
        if value is None:
            value = slug(name)
            value = known[name] = value if _SAFE_SLUG.fullmatch(value or "") else _slug(value or name)
        return value

    return safe


_SAFE_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


def _date(article: Article) -> datetime:
    date = article.date or _EPOCH
    return date if date.tzinfo is not None else date.replace(tzinfo=timezone.utc)


def _newest_first(article: Article) -> tuple[float, str]:
    return (-_date(article).timestamp(), article.slug)


def _human(date: datetime) -> str:
    return f"{date.day} {_MONTHS[date.month - 1]} {date.year}"


def _month(date: datetime) -> str:
    return f"{_MONTHS[date.month - 1]} {date.year}"


def _day_human(date: datetime) -> str:
    return f"{_WEEKDAYS[date.weekday()]} {_human(date)}"


def _iso(date: datetime) -> str:
    return date.isoformat(timespec="seconds")


def _root(path: str) -> str:
    """Relative prefix from the page at ``path`` to the site root."""
    return "../" * path.count("/")


def _base_url(config: Config) -> str:
    base = config.site.base_url.strip()
    return base if not base or base.endswith("/") else base + "/"


def _pretty(path: str) -> str:
    return path[: -len("index.html")] if path.endswith("index.html") else path


def _safe_source(url: str) -> dict[str, str] | None:
    """``{url, host}`` for an http(s) address, else ``None`` (never a ``javascript:`` link)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    host = parts.hostname or parts.netloc
    return {"url": url, "host": host[4:] if host.startswith("www.") else host}


def _cut(text: str, limit: int = _DESCRIPTION_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-–— ")
    return cut + "…"


def _section_key(name: str) -> tuple[int, str]:
    try:
        return (SECTION_ORDER.index(name), "")
    except ValueError:
        return (len(SECTION_ORDER), name.casefold())


# -- the site ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Site:
    """What view models need to know about the whole site (made by :func:`make_site`)."""

    config: Config
    articles: tuple[Article, ...]  #: published articles, newest first ``(-date, slug)``
    by_slug: Mapping[str, Article]
    position: Mapping[str, int]  #: slug → index in ``articles``
    canonical: Mapping[str, str]  #: slug → slug of the canonical article of its story
    members: Mapping[str, tuple[str, ...]]  #: canonical slug → the other articles of its story
    tag_slug: Callable[[str], str]
    tag_names: Mapping[str, str]  #: tag slug → display name (the most used spelling)
    tag_pages: frozenset[str]  #: slugs of the tags that get a page (``tags.min_articles`` stories or more)
    base_url: str
    #: article slug → the slugs of its tags, each once, in the article's order
    tag_slugs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: tag slug → the published articles with that tag, newest first
    tagged: Mapping[str, Sequence[Article]] = field(default_factory=dict)
    #: what it was made from, as plain values (see :class:`SiteIndex`); None for a site made otherwise
    index: "SiteIndex | None" = field(default=None, compare=False, repr=False)
    #: slug → its entry in other articles' ``duplicates`` (made once: a story told nine times
    #: lists each telling on eight other pages)
    duplicate_refs: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False, repr=False)
    #: small dicts that many views show, made once: tags, sections, related and neighbour links
    #: (and lists of them: an article's tags, a story's tellings)
    refs: dict[tuple, Any] = field(default_factory=dict, compare=False, repr=False)
    #: short strings that many views show (see :func:`_once`)
    strings: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def url(self, path: str) -> str:
        """Absolute pretty URL of a page, or "" without ``base_url``."""
        return self.base_url + _pretty(path) if self.base_url else ""


def make_site(articles: Sequence[Article], config: Config) -> Site:
    """Index the published articles (drafts left out) for the view models."""
    published = sorted((a for a in articles if not a.draft), key=_newest_first)
    by_slug = {a.slug: a for a in published}
    canonical: dict[str, str] = {}
    for a in published:
        target = a.duplicate_of
        canonical[a.slug] = target if target and target in by_slug and target != a.slug else a.slug
    # A canonical article that is itself marked a duplicate of another: follow one step more.
    for slug, target in list(canonical.items()):
        if canonical.get(target, target) != target:
            canonical[slug] = canonical[target]
    groups: dict[str, list[str]] = defaultdict(list)
    for a in published:
        if canonical[a.slug] != a.slug:
            groups[canonical[a.slug]].append(a.slug)
    tag_slug = _safe_slugs(_tag_slug_function())
    # Each spelling counted (repeats included) and slugged once; the most used spelling names the tag.
    spelled = Counter(chain.from_iterable(a.tags for a in published))
    slug_of = {name: tag_slug(name) for name in spelled}
    spellings: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for name, count in spelled.items():
        spellings[slug_of[name]].append((name, count))
    tag_names = {slug: min(counts, key=lambda kv: (-kv[1], kv[0]))[0] for slug, counts in spellings.items()}
    to_slug = slug_of.__getitem__
    tag_slugs = {a.slug: tuple(dict.fromkeys(map(to_slug, a.tags))) for a in published}
    tagged: dict[str, list[str]] = defaultdict(list)
    for a in published:
        for slug in tag_slugs[a.slug]:
            tagged[slug].append(a.slug)
    position = {a.slug: i for i, a in enumerate(published)}
    # Stories, not articles: the copies of one story count once.
    stories = {slug: _story_count(members, canonical) for slug, members in tagged.items()}
    least = max(1, config.tags.min_articles)
    frames = {a.slug: _frame(a) for a in articles}
    members = {k: tuple(sorted(v, key=position.__getitem__)) for k, v in groups.items()}
    days = list(map(_day_of, published))
    index = SiteIndex(
        order="\n".join(by_slug), days="\n".join(days), **_calendar(published, days),
        canonical={s: c for s, c in canonical.items() if s != c}, members={k: "\n".join(v) for k, v in members.items()},
        sections=Counter(a.section for a in published if a.section and canonical[a.slug] == a.slug),
        tags=_pack({a.slug: a.tags for a in published}), slug_of=slug_of, spelled=dict(spelled), tag_names=tag_names,
        tagged={slug: "\n".join(members) for slug, members in tagged.items()}, stories=stories,
        tag_pages=frozenset(slug for slug, count in stories.items() if count >= least),
        frames=frames, digest=_digest(by_slug, frames),
    )
    return _site_of(index, by_slug, config, tag_slug, position, canonical, members, tag_slugs)


def _calendar(published: Sequence[Article], days: Sequence[str]) -> dict[str, dict[str, str]]:
    """The published articles (newest first) by section, month and day, as :class:`SiteIndex` keeps them."""
    lists: dict[str, dict[str, list[str]]] = {name: defaultdict(list) for name in ("by_section", "by_month", "by_day")}
    by_section, by_month, by_day = lists.values()
    for a, day in zip(published, days):
        if a.section:
            by_section[a.section].append(a.slug)
        by_month[day[:7]].append(a.slug)
        by_day[day].append(a.slug)
    return {name: {key: "\n".join(slugs) for key, slugs in found.items()} for name, found in lists.items()}


def _story_count(members: Iterable[str], canonical: Mapping[str, str]) -> int:
    """How many stories the articles ``members`` (slugs) tell: the tellings of one story count once."""
    return len({canonical.get(s, s) for s in members})


@dataclass(frozen=True, slots=True)
class SiteIndex:
    """What :func:`make_site` works out from the whole corpus, as plain values by slug: kept in
    the :class:`RenderMemo`, so that the next build, when its articles are those of the last
    one but for a few edits that move none of them in date order, section or story, makes its
    :class:`Site` from this one (see :func:`_site_since`) instead of from every article. Lists
    of slugs are kept as one string, a slug a line (slugs have no line breaks): a memo is read
    in a few milliseconds."""

    order: str  #: published slugs, newest first
    days: str  #: their calendar days (``YYYY-MM-DD``), a line each, in the same order
    by_section: Mapping[str, str]  #: section → its articles, newest first
    by_month: Mapping[str, str]  #: ``YYYY-MM`` → its articles, newest first
    by_day: Mapping[str, str]  #: ``YYYY-MM-DD`` → its articles, newest first
    canonical: Mapping[str, str]  #: slug → the canonical article of its story (only where another)
    members: Mapping[str, str]  #: canonical slug → the other articles of its story, newest first
    sections: Mapping[str, int]  #: section → how many stories it has
    tags: bytes  #: published slug → its article's tags as spelled (pickled: read only after a tag edit)
    slug_of: Mapping[str, str]  #: tag spelling → tag slug
    spelled: Mapping[str, int]  #: tag spelling → how often published articles carry it
    tag_names: Mapping[str, str]  #: tag slug → display name
    tagged: Mapping[str, str]  #: tag slug → its published articles' slugs, newest first
    stories: Mapping[str, int]  #: tag slug → how many stories carry it
    tag_pages: frozenset[str]
    frames: Mapping[str, bytes]  #: slug (drafts too) → :func:`_frame` of its article
    digest: bytes  #: a hash of the published slugs in order with their frames (see :func:`_shape`)


def _pack(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _lines(text: str) -> list[str]:
    return text.split("\n") if text else []


def _frame(article: Article) -> bytes:
    """A hash of what places an article on the site (draft or not, its date, section and the
    story it belongs to: what :func:`_shape` reads of it; :data:`_PLACE` bytes), then a hash of its tags."""
    date = article.date.isoformat() if article.date is not None else ""
    text = f"{article.draft}\x00{date}\x00{article.duplicate_of}\x00{article.section}"
    return (hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
            + hashlib.blake2b("\x00".join(article.tags).encode("utf-8", "surrogatepass"), digest_size=8).digest())


_PLACE = 8  #: the bytes of a :func:`_frame` that place the article (the rest are of its tags)


def _digest(order: Iterable[str], frames: Mapping[str, bytes]) -> bytes:
    digest = hashlib.blake2b(digest_size=16)
    for slug in order:
        digest.update(slug.encode("utf-8", "surrogatepass") + b"\x00" + frames[slug][:_PLACE])
    return digest.digest()


def _site_of(
    index: SiteIndex, by_slug: Mapping[str, Article], config: Config, tag_slug: Callable[[str], str],
    position: Mapping[str, int] | None = None, canonical: Mapping[str, str] | None = None,
    members: Mapping[str, tuple[str, ...]] | None = None, tag_slugs: Mapping[str, tuple[str, ...]] | None = None,
) -> Site:
    """The :class:`Site` that ``index`` describes, on the articles ``by_slug`` (published ones
    in site order)."""
    order = list(by_slug)
    if position is None:
        position = dict(zip(order, range(len(order))))
    if canonical is None:
        canonical = dict(zip(order, order))
        canonical.update(index.canonical)
    if members is None:
        members = {k: tuple(_lines(v)) for k, v in index.members.items()}
    return Site(
        config=config,
        articles=tuple(by_slug.values()),
        by_slug=MappingProxyType(by_slug),
        position=MappingProxyType(position),
        canonical=MappingProxyType(canonical),
        members=MappingProxyType(members),
        tag_slug=tag_slug,
        tag_names=MappingProxyType(index.tag_names),  # type: ignore[arg-type]
        tag_pages=index.tag_pages,
        base_url=_base_url(config),
        tag_slugs=MappingProxyType(tag_slugs) if tag_slugs is not None else _tag_slugs(by_slug, index.slug_of),
        tagged=_Lists(index.tagged, by_slug),
        index=index,
    )


class _Memoised(Mapping):
    """A mapping over the keys of ``keys`` whose value for a key is ``make(key)``, made when
    first asked for and kept."""

    def __init__(self, keys: Mapping[str, Any], make: Callable[[str], Any]):
        self._keys, self._make = keys, make
        self._made: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = self._make(key)
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys


class _Lists(_Memoised):
    """Key → a list of published articles, newest first (e.g. a tag's, :attr:`Site.tagged`): each
    list made from the slugs in a :class:`SiteIndex` when first asked for."""

    def __init__(self, slugs: Mapping[str, str], by_slug: Mapping[str, Article]):
        super().__init__(slugs, lambda key: list(map(by_slug.__getitem__, _lines(slugs[key]))))
        self._slugs, self._by_slug = slugs, by_slug

    def size(self, key: str) -> int:
        """``len(self[key])``, without making the list."""
        return self._slugs[key].count("\n") + 1

    def first(self, key: str) -> Article:
        """``self[key][0]``, without making the list."""
        return self._by_slug[self._slugs[key].partition("\n")[0]]


def _tag_slugs(by_slug: Mapping[str, Article], slug_of: Mapping[str, str]) -> _Memoised:
    """Published slug → the slugs of its article's tags, each once, in the article's order
    (:attr:`Site.tag_slugs`), worked out when first asked for."""
    return _Memoised(by_slug, lambda slug: tuple(dict.fromkeys(map(slug_of.__getitem__, by_slug[slug].tags))))


def _site_since(current: Mapping[str, Article], config: Config, old: SiteIndex, changed: set[str]) -> Site | None:
    """The :class:`Site` of the articles ``current`` (by slug) made from the index of the last
    build's site, where the articles are the same but for those in ``changed`` (slugs); None
    when one of those moved on the site (another date, section or story, a draft now or no
    longer) or the articles are not the same ones (see :func:`make_site`, which this gives
    the same site as)."""
    frames = old.frames
    if current.keys() != frames.keys():
        return None
    retagged, drafts = [], {}
    for slug in changed:
        frame, was = _frame(current[slug]), frames[slug]
        if frame[:_PLACE] != was[:_PLACE]:
            return None
        if frame != was:
            if current[slug].draft:
                drafts[slug] = frame  # not on the site: only its frame changes
            else:
                retagged.append(current[slug])
    tag_slug = _safe_slugs(_tag_slug_function(), dict(old.slug_of))
    index = _retagged(old, retagged, tag_slug, max(1, config.tags.min_articles)) if retagged else old
    if drafts:
        index = replace(index, frames={**index.frames, **drafts})
    order = _lines(index.order)
    by_slug = dict(zip(order, map(current.__getitem__, order)))
    return _site_of(index, by_slug, config, tag_slug)


def _old_tag_slugs(index: SiteIndex, slugs: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The tag slugs that the articles ``slugs`` had in the site of ``index``."""
    tags, slug_of = pickle.loads(index.tags), index.slug_of
    return {slug: tuple(dict.fromkeys(map(slug_of.__getitem__, tags[slug]))) for slug in slugs if slug in tags}


def _retagged(old: SiteIndex, articles: Sequence[Article], tag_slug: Callable[[str], str], least: int) -> SiteIndex:
    """``old`` with the tags of ``articles`` (published ones of its site) as they are now."""
    tags: dict[str, tuple[str, ...]] = pickle.loads(old.tags)
    spelled, slug_of, tagged = dict(old.spelled), dict(old.slug_of), dict(old.tagged)
    position: dict[str, int] | None = None
    touched: set[str] = set()  # tag slugs whose members or spellings changed
    frames = dict(old.frames)
    for a in articles:
        before = tuple(dict.fromkeys(map(slug_of.__getitem__, tags[a.slug])))
        for name in tags[a.slug]:
            left = spelled[name] - 1
            if left:
                spelled[name] = left
            else:
                del spelled[name]
            touched.add(slug_of[name])
        for name in a.tags:
            spelled[name] = spelled.get(name, 0) + 1
            if name not in slug_of:
                slug_of[name] = tag_slug(name)
            touched.add(slug_of[name])
        tags[a.slug] = a.tags
        frames[a.slug] = _frame(a)
        now = tuple(dict.fromkeys(map(slug_of.__getitem__, a.tags)))
        for t in set(before) - set(now):
            members = [s for s in _lines(tagged[t]) if s != a.slug]
            if members:
                tagged[t] = "\n".join(members)
            else:
                del tagged[t]
        for t in set(now) - set(before):
            if position is None:
                position = {slug: i for i, slug in enumerate(_lines(old.order))}
            members = _lines(tagged.get(t, ""))
            bisect.insort(members, a.slug, key=position.__getitem__)
            tagged[t] = "\n".join(members)
    for name in [n for n in slug_of if n not in spelled]:
        del slug_of[name]
    names: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for name, slug in slug_of.items():
        if slug in touched:
            names[slug].append((name, spelled[name]))
    tag_names, stories = dict(old.tag_names), dict(old.stories)
    pages = set(old.tag_pages)
    for t in touched:
        if t in tagged:
            tag_names[t] = min(names[t], key=lambda kv: (-kv[1], kv[0]))[0]
            stories[t] = _story_count(_lines(tagged[t]), old.canonical)
        else:
            tag_names.pop(t, None)
            stories.pop(t, None)
        if stories.get(t, 0) >= least:
            pages.add(t)
        else:
            pages.discard(t)
    return replace(old, tags=_pack(tags), spelled=spelled, slug_of=slug_of, tag_names=tag_names, tagged=tagged,
                   stories=stories, tag_pages=frozenset(pages), frames=frames)


def article_path(slug: str) -> str:
    """Site-relative path of an article's page."""
    return f"articles/{slug}/index.html"


def tag_path(slug: str) -> str:
    """Site-relative path of a tag's page (``slug`` is a tag slug)."""
    return f"tags/{slug}/index.html"


def archive_path(key: str) -> str:
    """Site-relative path of a month's (``YYYY-MM``) or a day's (``YYYY-MM-DD``) archive page."""
    return f"archive/{key.replace('-', '/')}/index.html"


def section_path(slug: str) -> str:
    """Site-relative path of a section's page."""
    return f"sections/{slug}/index.html"


def _section_ref(name: str, site: Site) -> dict[str, str] | None:
    if not name:
        return None
    slug = site.tag_slug(name)
    return {"name": name, "slug": slug, "url": section_path(slug)}


def _same(a: str, b: str) -> bool:
    return _folded(a) == _folded(b)


def _folded(text: str) -> str:
    """``text`` as :func:`_same` compares it: spaces collapsed, case folded."""
    return " ".join(text.split()).casefold()


def _standfirst(article: Article) -> str:
    """The standfirst to show under the headline: none when it only repeats the headline."""
    return "" if _same(article.standfirst, article.title) else article.standfirst


def _body(article: Article) -> list[dict[str, Any]]:
    """Body blocks for the template. Cleaned scraped text keeps its standfirst as the first
    paragraph; the page shows it once, above the body (or as the headline)."""
    body = article.body
    if body and article.standfirst and _same(body[0].text, article.standfirst):
        body = body[1:]
    blocks: list[dict[str, Any]] = []
    for block in body:
        if block.html is not None:
            safe = sanitize_html(block.html)  # sanitised by the reader too: defence in depth
            if not safe.strip():
                continue
            content: str = Markup(safe)
        else:
            content = block.text
            if not content.strip():
                continue
        if block.kind == "li":
            if blocks and blocks[-1]["kind"] == "ul":
                blocks[-1]["list_items"].append(content)
            else:
                blocks.append({"kind": "ul", "content": "", "list_items": [content]})
            continue
        kind = block.kind if block.kind in ("h", "p", "quote", "pre") else "p"
        blocks.append({"kind": kind, "content": content, "list_items": []})
    return blocks


def _brief(summary: list[str], shown: tuple[str, ...]) -> list[str]:
    """The summary without sentences the headline or standfirst already show (unless nothing is left)."""
    if not summary:
        return summary
    folded = {_folded(text) for text in shown if text}  # each text folded once, not once a sentence
    rest = [s for s in summary if _folded(s) not in folded]
    return summary if not rest or len(rest) == len(summary) else rest  # the same list when nothing is left out


def _ref(article: Article, site: Site | None = None) -> dict[str, str]:
    path = article_path(article.slug) if site is None else _once(site, article_path(article.slug))
    return {"slug": article.slug, "headline": article.title or article.slug, "url": path}


def _shared(site: Site, key: tuple, make: Callable[[], Any]) -> Any:
    """``site.refs[key]``, made by ``make`` the first time: one object for what many views
    show (it must not be changed)."""
    ref = site.refs.get(key)
    if ref is None:
        ref = site.refs[key] = make()
    return ref


def _once(site: Site, text: str) -> str:
    """One object for equal strings that many views hold (days, months, times, an article's
    path): every render worker keeps a view of each article, so each object a view need not
    have counts at 100,000 articles."""
    return site.strings.setdefault(text, text)


def _shared_ref(article: Article, site: Site) -> dict[str, str]:
    """:func:`_ref`, one object per article and headline."""
    return _shared(site, ("ref", article.slug, article.title), lambda: _ref(article, site))


def _has_others(article: Article, site: Site) -> bool:
    """Whether :func:`_others` is not empty (cheap: most articles tell their story alone)."""
    head = site.canonical.get(article.slug, article.slug)
    return head != article.slug or head in site.members or any(s in site.by_slug and s != article.slug for s in article.duplicates)


def _others(article: Article, site: Site) -> list[Article]:
    """The other published articles of ``article``'s story, newest first."""
    head = site.canonical.get(article.slug, article.slug)
    slugs = {head, *site.members.get(head, ())}
    slugs.update(s for s in article.duplicates if s in site.by_slug)
    slugs.discard(article.slug)
    by_slug = site.by_slug
    return [by_slug[s] for s in sorted(slugs, key=site.position.__getitem__)]  # newest first


def _duplicates(article: Article, site: Site) -> list[dict[str, Any]]:
    """:func:`_duplicate_ref` of each of :func:`_others`. The refs of a story's tellings are
    listed once per story, newest first, and each telling takes the list without itself (a
    story told nine times lists eight refs on each of nine pages); an article that names a
    duplicate outside its story is worked out on its own."""
    head = site.canonical.get(article.slug, article.slug)
    story = site.refs.get(("story", head))
    if story is None:
        slugs = sorted({head, *site.members.get(head, ())}, key=site.position.__getitem__)
        story = site.refs["story", head] = (slugs, _Links([_duplicate_ref(site.by_slug[s], site) for s in slugs]), frozenset(slugs))
    slugs, refs, members = story
    if article.slug in members and members.issuperset(article.duplicates):
        i = slugs.index(article.slug)
        return _Links(refs[:i] + refs[i + 1:], refs, i)
    return [_duplicate_ref(other, site) for other in _others(article, site)]


class _Links(list):
    """Link dicts that views share (an article's tags: one list for every article with the same
    tags), or one story's tellings but one (made from the list of all of them). A view's key
    (:meth:`Renderer.view_key`) writes it as :meth:`code`, made once per shared list, instead
    of pickling every link again in every view that shows it: at 10,000 articles those links
    were two thirds of what the keys pickled. It must not be changed."""

    __slots__ = ("_code", "_whole", "_without")

    def __init__(self, links: Iterable[dict[str, Any]], whole: "_Links | None" = None, without: int = -1):
        super().__init__(links)
        self._code: bytes | None = None
        self._whole, self._without = whole, without  # this list is ``whole`` without its item ``without``

    def code(self) -> bytes:
        """A hash of the links, or that of the whole list and which one this list leaves out."""
        if self._code is None:
            if self._whole is not None:
                self._code = self._whole.code() + b"%d" % self._without
            else:
                self._code = hashlib.blake2b(_pickled(list(self)), digest_size=16).digest()
        return self._code


def _duplicate_ref(other: Article, site: Site) -> dict[str, Any]:
    ref = site.duplicate_refs.get(other.slug)
    if ref is None:
        ref = site.duplicate_refs[other.slug] = {
            **_ref(other, site), "source": _safe_source(other.url), "byline": other.byline, "date_human": _once(site, _human(_date(other))),
        }
    return ref


class ArticleView(dict):
    """The view model of one article: a plain dict to templates; its own type lets a page key
    name it by its hash instead of repeating it (see :meth:`Renderer.key`)."""

    __slots__ = ()


class _ListView(ArticleView):
    """An article's view model as story lists hold it: every key but those made from the body
    (``body``, ``words``, ``reading_minutes``), which are made when a template asks for one
    (``story.body``) and not kept. Lists show headlines, dates and summaries; keeping every
    article's body in a view for them would cost a render worker the size of the corpus again."""

    __slots__ = ("_article",)

    def __missing__(self, key: str) -> Any:
        if key in _FROM_BODY:
            return _from_body(self._article)[key]
        raise KeyError(key)


#: The keys of an article's view made from its body alone (left out of list views).
_FROM_BODY = ("body", "words", "reading_minutes")


def _from_body(article: Article) -> dict[str, Any]:
    """The :data:`_FROM_BODY` keys of an article's view."""
    words = 0
    for b in article.body:
        words += len(b.text.split())
    return {"body": _body(article), "words": words, "reading_minutes": max(1, round(words / _WORDS_PER_MINUTE))}


def _day_of(article: Article) -> str:
    """The article's calendar day, ``YYYY-MM-DD`` (its view's ``day``)."""
    return _date(article).date().isoformat()


def _tag_refs(article: Article, site: Site) -> list[dict[str, str]]:
    """The article's ``tags``: ``{name, slug, url}`` each, shared by every article with that
    spelling (a site has a few thousand, met many times); the list itself is shared by every
    article with the same tags (the tellings of one story, mostly), so it must not be changed."""
    refs = site.refs  # as _shared, without a function made and called for every article
    tags = refs.get(("tags", article.tags))
    if tags is None:
        tags = refs["tags", article.tags] = _Links(_tag_list(article.tags, site))
    return tags


def _tag_list(names: Sequence[str], site: Site) -> list[dict[str, str]]:
    """The refs of the tags ``names``, one per tag slug (the first name that gives it)."""
    tags = []
    seen: set[str] = set()
    refs = site.refs
    for name in names:
        ref = refs.get(("tag", name))
        if ref is None:
            ref = refs["tag", name] = _tag_ref(name, site)
        slug = ref["slug"]
        if slug in seen:
            continue
        seen.add(slug)
        tags.append(ref)
    return tags


def _tag_ref(name: str, site: Site) -> dict[str, str]:
    slug = site.tag_slug(name)
    return {"name": name, "slug": slug, "url": tag_path(slug) if slug in site.tag_pages else ""}


def _shared_section(name: str, site: Site) -> dict[str, str] | None:
    """:func:`_section_ref`, one object per section."""
    return _shared(site, ("section", name), lambda: _section_ref(name, site)) if name else None


def _listing(article: Article, site: Site) -> dict[str, Any]:
    """The part of an article's view model that the search index reads (cheap to make: no body)."""
    summary = [s for s in article.summary if s.strip()]
    return {
        "slug": article.slug,
        "headline": article.title or article.slug,
        "standfirst": _standfirst(article),
        "day": _day_of(article),
        "summary": summary,
        "summary_text": " ".join(summary),
        "tags": _tag_refs(article, site),
        "section": _shared_section(article.section, site),
    }


#: The keys of :func:`_listing` (every one also a key of the article's view, with the same value).
_LISTING = ("slug", "headline", "standfirst", "day", "summary", "summary_text", "tags", "section")


def _list_view(article: Article, site: Site) -> _ListView:
    """The view model of one article without its ``body`` (made on demand; see :class:`_ListView`)."""
    listing = _listing(article, site)
    date = _date(article)
    summary, headline, summary_text = listing["summary"], listing["headline"], listing["summary_text"]
    index = site.position.get(article.slug)
    older = site.articles[index + 1] if index is not None and index + 1 < len(site.articles) else None
    newer = site.articles[index - 1] if index is not None and index > 0 else None
    related = []
    refs, by_slug = site.refs, site.by_slug
    for r in article.related:
        target = by_slug.get(r.slug)
        if target is None or r.slug == article.slug:
            continue
        title = target.title or r.title or r.slug
        ref = refs.get(("related", r.slug, title))  # as _shared, without a function made for every link
        if ref is None:
            ref = refs["related", r.slug, title] = {"slug": r.slug, "title": title, "url": _once(site, article_path(r.slug))}
        related.append(ref)
    duplicates = _duplicates(article, site) if _has_others(article, site) else []
    path = _once(site, article_path(article.slug))
    view = _ListView({
        "slug": article.slug,
        "headline": headline,
        "standfirst": listing["standfirst"],
        "byline": article.byline,
        "url": path,
        "abs_url": site.url(path),
        "date": _iso(date),
        "date_human": _once(site, _human(date)),
        "day": _once(site, listing["day"]),
        "day_human": _once(site, _day_human(date)),
        "month": _once(site, _month(date)),
        "time": "" if (date.hour, date.minute) == (0, 0) else _once(site, f"{date.hour:02d}:{date.minute:02d}"),
        "summary": summary,
        "summary_text": summary_text,
        "brief": _brief(summary, (headline, article.standfirst)),
        "description": _cut(article.standfirst or summary_text or headline),
        "tags": listing["tags"],
        "section": listing["section"],
        "source": _safe_source(article.url),
        "related": related,
        "duplicates": duplicates,
        "sources": 1 + len(duplicates),
        "is_duplicate": site.canonical.get(article.slug, article.slug) != article.slug,
        "previous": _shared_ref(older, site) if older is not None else None,
        "next": _shared_ref(newer, site) if newer is not None else None,
    })
    view._article = article
    return view


def _full_view(view: Mapping[str, Any], article: Article) -> ArticleView:
    """The whole view model from a list view (``body``, ``words`` and ``reading_minutes``
    made, keys in the documented order)."""
    made = _from_body(article)
    full = ArticleView()
    for key, value in view.items():
        full[key] = value
        if key == "source":
            full["body"] = made["body"]
    full["words"] = made["words"]
    full["reading_minutes"] = made["reading_minutes"]
    return full


def article_context(article: Article, site: Site) -> dict[str, Any]:
    """The view model of one article (keys documented in the module docstring)."""
    return _full_view(_list_view(article, site), article)


def index_context(
    articles: Sequence[Article],
    site: Site,
    *,
    group_by: str = "day",
    offset: int = 0,
    limit: int | None = None,
    contexts: Mapping[str, dict[str, Any]] | None = None,
    stories: Sequence[Article] | None = None,
) -> dict[str, Any]:
    """A story list: ``articles`` newest first, one entry per story, grouped by day or section.

    An article whose canonical story is also in ``articles`` is folded into it (the
    canonical entry shows ``sources`` and ``duplicates``); one whose canonical is not
    in the list stands for the story. ``contexts`` reuses article view models by slug;
    ``stories``, when given, is ``_stories(articles, site)`` already worked out (a long
    list shown a page at a time needs it once, not once a page).
    """
    stories = _stories(articles, site) if stories is None else stories
    total = len(stories)
    stories = stories[offset:] if limit is None else stories[offset: offset + limit]
    views = [_view_of(a, site, contexts) for a in stories]
    groups: list[dict[str, Any]] = []
    if group_by == "section":
        by_section: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for view in views:
            by_section[view["section"]["name"] if view["section"] else ""].append(view)
        for name in sorted(by_section, key=lambda n: (n == "", _section_key(n))):
            title = name or _OTHER_SECTION
            groups.append({"title": title, "id": site.tag_slug(title), "stories": by_section[name]})
    else:
        # Keyed by each article's own calendar day, newest day first: with mixed time zones
        # an article can be newer than one dated a day later, and must not split a day in two.
        by_day: dict[str, dict[str, Any]] = {}
        for view in views:
            group = by_day.setdefault(view["day"], {"title": view["day_human"], "id": view["day"], "stories": []})
            group["stories"].append(view)
        groups = [by_day[day] for day in sorted(by_day, reverse=True)]
    return {"stories": views, "groups": groups, "count": len(views), "total": total}


def _view_of(article: Article, site: Site, contexts: Mapping[str, dict[str, Any]] | None) -> dict[str, Any]:
    """The article's view from ``contexts`` (which may make it on demand), else a new one."""
    if contexts is not None:
        try:
            return contexts[article.slug]
        except KeyError:
            pass
    return article_context(article, site)


def site_context(site: Site) -> dict[str, Any]:
    """The ``site`` key every template gets."""
    if site.index is not None:
        counts: Mapping[str, int] = site.index.sections
    else:
        counts = Counter(a.section for a in site.articles if a.section and site.canonical[a.slug] == a.slug)
    sections = [
        {**_section_ref(name, site), "count": counts[name]}  # type: ignore[dict-item]
        for name in sorted(counts, key=_section_key)
    ]
    config = site.config.site
    return {
        "title": config.title,
        "description": config.description,
        "language": config.language or "en",
        "author": config.author,
        "base_url": site.base_url,
        "sections": sections,
        "article_count": len(site.articles),
    }


# -- rendering --------------------------------------------------------------------------------


def _page_path(first: str, number: int) -> str:
    """Path of page ``number`` of a list whose first page is ``first`` (``…/index.html``)."""
    if number == 1:
        return first
    folder = first[: -len("index.html")]
    return f"{folder}page/{number}/index.html"


def pagination(first: str, number: int, count: int, window: int = 2) -> dict[str, Any]:
    """The ``pagination`` view model of page ``number`` (1-based) of ``count`` pages.

    ``pages`` lists the first, the last and ``window`` pages either side of this one;
    ``None`` marks a gap (shown as "…").
    """
    if count == 1 and number == 1:  # most pages (every article's): what the general case gives, sooner
        return {"number": 1, "count": 1, "previous": None, "next": None, "pages": []}
    shown = sorted({1, count, *range(max(1, number - window), min(count, number + window) + 1)})
    pages: list[dict[str, Any] | None] = []
    for i, n in enumerate(shown):
        if i and n - shown[i - 1] > 1:
            pages.append(None)
        pages.append({"number": n, "url": _page_path(first, n), "current": n == number})
    return {
        "number": number,
        "count": count,
        "previous": _page_path(first, number - 1) if number > 1 else None,
        "next": _page_path(first, number + 1) if number < count else None,
        "pages": pages if count > 1 else [],
    }


def _pages_of(total: int, size: int) -> int:
    return max(1, -(-total // size))


def _stories(articles: Sequence[Article], site: Site, in_order: bool = False) -> list[Article]:
    """One article per story, newest first (see :func:`index_context`). ``in_order``: the
    articles are published ones of ``site``, already in its order (a list taken from
    ``site.articles``), so they need no sorting."""
    members = {a.slug for a in articles}
    position = site.position
    # Published articles are already numbered newest first: sorting by that number is the
    # same order as _newest_first, without working out a timestamp per comparison key.
    if in_order:
        ordered = articles
    elif all(a.slug in position and site.by_slug[a.slug] is a for a in articles):
        ordered = sorted(articles, key=lambda a: position[a.slug])
    else:
        ordered = sorted(articles, key=_newest_first)
    canonical = site.canonical
    return [a for a in ordered if canonical.get(a.slug, a.slug) == a.slug or canonical[a.slug] not in members]


def json_ld(data: Any) -> Markup:
    """``data`` as JSON that is safe inside ``<script type="application/ld+json">``.

    ``<``, ``>`` and ``&`` are written as ``\\u003c``… so no text can close the script
    element or open a comment; U+2028/U+2029 are escaped for old JavaScript parsers.
    """
    return json_ld_text(_JSON_LD.encode(data))


#: What :func:`json_ld` writes JSON with (``json.dumps(data, ensure_ascii=False, separators=(",", ":"))``,
#: without making an encoder for every page).
_JSON_LD = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def json_ld_text(text: str) -> Markup:
    """JSON text with ``<``, ``>``, ``&``, U+2028 and U+2029 as ``\\u`` escapes (same JSON value)."""
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return Markup(text)


def _news_article(view: Mapping[str, Any], site: Site) -> dict[str, Any]:
    """schema.org ``NewsArticle`` for an article page (absolute URLs only when ``base_url`` is set)."""
    config = site.config.site
    publisher = {"@type": "Organization", "name": config.title}
    if site.base_url:
        publisher["url"] = site.base_url
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": _cut(view["headline"], 110),
        "datePublished": view["date"],
        "dateModified": view["date"],
        "description": view["description"],
        "author": [{"@type": "Person", "name": view["byline"]}] if view["byline"] else [publisher],
        "publisher": publisher,
        "inLanguage": config.language or "en",
    }
    if view["abs_url"]:
        data["url"] = view["abs_url"]
        data["mainEntityOfPage"] = {"@type": "WebPage", "@id": view["abs_url"]}
    if view["section"]:
        data["articleSection"] = view["section"]["name"]
    if view["tags"]:
        data["keywords"] = [t["name"] for t in view["tags"]]
    if view["source"]:
        data["isBasedOn"] = view["source"]["url"]
    return data


def _rfc822(iso: str) -> str:
    """:func:`email.utils.format_datetime` of the ISO date ``iso`` (the same text), with the zone
    written once per UTC offset (a site has few): it was half of the time of every feed entry."""
    date = datetime.fromisoformat(iso)
    zone = "-0000" if date.tzinfo is None else _zone(date.utcoffset())
    return "%s, %02d %s %04d %02d:%02d:%02d %s" % (
        _DAYS_SHORT[date.weekday()], date.day, _MONTHS_SHORT[date.month - 1], date.year, date.hour, date.minute, date.second, zone,
    )


_DAYS_SHORT = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@functools.lru_cache(maxsize=256)
def _zone(offset: timedelta | None) -> str:
    """What ``strftime("%z")`` writes for a date ``offset`` from UTC."""
    return "" if offset is None else datetime(2000, 1, 1, tzinfo=timezone(offset)).strftime("%z")


def _uuid5(name: str) -> str:
    """``str(uuid.uuid5(uuid.NAMESPACE_URL, name))``, made without a :class:`uuid.UUID` (three
    times as fast: one per feed entry)."""
    digest = bytearray(hashlib.sha1(_URL_NAMESPACE + name.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


_URL_NAMESPACE = uuid.NAMESPACE_URL.bytes


def _json_feed(feed: Mapping[str, Any], entries: Sequence[Mapping[str, Any]], root: str) -> bytes:
    """A JSON Feed 1.1 document (https://jsonfeed.org/version/1.1)."""
    doc: dict[str, Any] = {"version": "https://jsonfeed.org/version/1.1", "title": feed["title"]}
    if feed["home_url"]:
        doc["home_page_url"] = feed["home_url"]
    if feed["json_url"]:
        doc["feed_url"] = feed["json_url"]
    doc["description"] = feed["description"]
    doc["language"] = feed["language"]
    doc["authors"] = [{"name": feed["author"]}]
    items = []
    for e in entries:
        text = e["summary_text"] or e["standfirst"] or e["headline"]
        item: dict[str, Any] = {"id": e["id"], "url": e["abs_url"] or root + e["url"], "title": e["headline"]}
        if e["source"]:
            item["external_url"] = e["source"]["url"]
        item["content_text"] = text
        item["summary"] = text
        item["date_published"] = e["date"]
        if e["byline"]:
            item["authors"] = [{"name": e["byline"]}]
        if e["tags"]:
            item["tags"] = [t["name"] for t in e["tags"]]
        items.append(item)
    doc["items"] = items
    return (str(json_ld_text(json.dumps(doc, ensure_ascii=False, indent=1))) + "\n").encode("utf-8")


def render_site(articles: Sequence[Article], config: Config) -> Iterator[tuple[str, bytes]]:
    """Yield ``(relative path, bytes)`` for every page of the site; drafts are skipped.

    Raises :class:`~digest.errors.TemplateError` (template file and line) when a
    template cannot be parsed or rendered.
    """
    renderer = Renderer(articles, config)
    for page in renderer.pages():
        yield page.path, renderer.render(page)


class Page(NamedTuple):
    """One output file, not yet rendered: its path, its template and the template's context."""

    path: str
    template: str | None  #: None: ``context`` is already the file's bytes
    context: Any


@dataclass
class RenderMemo:
    """What one build's :class:`Renderer` leaves for the next: with it, an edit that leaves the
    site's shape alone redoes only the article views it can reach and the pages that show one
    of those views. Kept in memory by ``digest watch`` (with the views and the compiled
    templates) and in the cache on disk (without them: views are then made when a page asks)."""

    shape: tuple  #: :func:`_shape` of the site it was made for
    prints: dict[str, bytes]  #: slug → what its article was made from (see :func:`digest.pipeline._prints`)
    index: SiteIndex | None  #: the site's :class:`SiteIndex`, for the next site to be made from
    view_keys: dict[str, str]  #: slug → :meth:`Renderer.view_key` of its view
    members: dict[str, tuple[str, ...]]  #: page path → slugs of the article views its context holds (each once)
    output: str  #: the folder its pages were written into (their keys and stamps: ``Store.pages``)
    #: in memory only: slug → the article its view was made from (compared by identity), the views,
    #: and the templates, compiled (reused while they are the same)
    articles: dict[str, Article] = field(default_factory=dict)
    views: dict[str, "ArticleView"] = field(default_factory=dict)
    env: jinja2.Environment | None = None
    site: Site | None = None  #: in memory only: the site it was made for (see :func:`preview`)
    #: slug → its row of the search index (:meth:`Renderer.listing`); on disk, that mapping pickled
    #: (read only when the index is made again: a build that changes no row does not need it)
    listings: dict[str, tuple] | bytes = field(default_factory=dict)
    #: slug → :func:`_row_key` of its row of the search index
    row_keys: dict[str, bytes] = field(default_factory=dict)
    #: slug → :func:`_shown` of its article: what other articles' views show of it
    shown: dict[str, bytes] = field(default_factory=dict)
    #: the templates as compiled (see :class:`_MemoBytecode`), for a new process with the same templates and code
    bytecode: dict[str, bytes] = field(default_factory=dict)

    def on_disk(self) -> "RenderMemo":
        """This memo without what only makes sense in this process."""
        listings = self.listings if isinstance(self.listings, bytes) else _pack(self.listings)
        return replace(self, articles={}, views={}, env=None, site=None, listings=listings)


def preview(memo: RenderMemo, article: Article, config: Config) -> tuple[str, bytes] | None:
    """The path and bytes of the page of ``article``, an edited version of a published article of the last build
    in this process, on that build's site (its neighbours, related links and tag pages as
    they were) with the templates compiled then; None when the memo cannot tell (no site in
    memory, another configuration, an article that is new, renamed or now a draft).
    ``digest watch`` writes it first so that the page being edited shows the edit at once; the
    build that follows makes every page from the new corpus and replaces it."""
    site = memo.site
    if site is None or memo.env is None or site.config != config or article.draft or article.slug not in site.by_slug:
        return None
    site = replace(site, by_slug=MappingProxyType({**site.by_slug, article.slug: article}))
    renderer = Renderer((), config, eager=False, site=site, env=memo.env)
    page = renderer.article_page(article)
    return page.path, renderer.render(page)


class _MemoBytecode(jinja2.BytecodeCache):
    """Templates compiled by one build, handed to the next process through the render memo
    (which is only used with the same templates and code, see :func:`_shape`; Jinja checks each
    template's source and its own version besides), so that it need not compile them again."""

    def __init__(self, saved: Mapping[str, bytes] | None = None):
        self.saved = dict(saved or {})  #: Jinja's key of a template → its code (``bytecode_to_string``)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.saved.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.saved[bucket.key] = bucket.bytecode_to_string()


class _Views(dict):
    """Article list views (:func:`_list_view`) by slug, each made when first asked for (a page
    that shows it is made)."""

    def __init__(self, site: Site):
        super().__init__()
        self.site = site

    def __missing__(self, slug: str) -> _ListView:
        view = self[slug] = _list_view(self.site.by_slug[slug], self.site)
        return view


def _shape(site: Site, env_key: str) -> tuple:
    """Everything the list of pages and their contexts read besides article views and the
    articles' tags: which articles are published, in what order, with which date, section
    and story, which tags have a page and under what name, plus the configuration and the
    templates. Two sites of equal shape have the same pages except under the folders of tags
    that an article joined or left, and a page's context differs only where one of the
    article views it holds differs (or, for the tag index, the front page and the sitemap,
    where an article's tags did). Sites whose shapes differ only in the tags that have a page
    are treated alike, with the views that show such a tag made again (see :func:`_same_but_tags`)."""
    index = site.index
    return (
        env_key, site.config, site.base_url, tuple((t, site.tag_names[t]) for t in sorted(site.tag_pages)),
        index.digest if index is not None else tuple((a.slug, a.date, a.section, site.canonical[a.slug]) for a in site.articles),
    )


#: Where :func:`_shape` holds the tags that have a page (slug, display name).
_TAG_PAGES = 3


def _same_but_tags(old: tuple, new: tuple) -> bool:
    """Whether two :func:`_shape` values differ at most in which tags have a page, or under
    what name (:meth:`Renderer._views_since` redoes the views of the articles with such a tag)."""
    return len(old) == len(new) and all(a == b for i, (a, b) in enumerate(zip(old, new)) if i != _TAG_PAGES)


def _row_key(row: tuple) -> bytes:
    """A hash of a row of the search index (:func:`digest.search.encode_row`)."""
    text = repr(row[1:]).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(row[0] + b"\x00" + text, digest_size=8).digest()


def _shown(article: Article) -> bytes:
    """A hash of what other articles' views show of ``article`` (besides its slug, date, section
    and story, which :func:`_shape` holds): its headline (previous/next and related links, other
    tellings) and its byline and source (other tellings of its story)."""
    text = f"{article.title}\x00{article.url}\x00{article.byline}"
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()


def _changed(current: Mapping[str, Article], memo: RenderMemo, prints: Mapping[str, tuple[bytes, bool]]) -> set[str]:
    """The slugs of the articles ``current`` (by slug) that may not be as the memo's build had
    them. An article is unchanged when it is the one the memo's view was made from (in this
    process), or when it is made from what that one was (its print, not made in this build)."""
    same, old_prints = memo.articles, memo.prints
    if same:
        return {
            slug for slug, a in current.items()
            if same.get(slug) is not a and ((mine := prints.get(slug)) is None or mine[1] or mine[0] != old_prints.get(slug))
        }
    # A new process: no article is the memo's own; each is told by its print.
    changed = {slug for slug, (mine, made) in prints.items() if made or mine != old_prints.get(slug)}
    changed.intersection_update(current.keys())
    changed.update(current.keys() - prints.keys())  # no print: not known to be the same
    return changed


def _reaches(site: Site, changed: set[str], shown: set[str]) -> set[str]:
    """The published articles whose view can differ after an edit: the ``changed`` articles
    themselves and, for those of them whose headline, byline or source changed (``shown``),
    the articles whose view shows one of those: their neighbours in date order (previous/next
    links), the articles that link to one as related, and the other tellings of the same story."""
    reached = {s for s in changed if s in site.position}
    shown = {s for s in shown if s in site.position}
    if not shown:
        return reached
    for slug in shown:
        i = site.position[slug]
        reached.update(a.slug for a in site.articles[max(0, i - 1): i + 2])
        head = site.canonical.get(slug, slug)
        reached.add(head)
        reached.update(site.members.get(head, ()))
    for a in site.articles:
        if a.slug not in reached and (
            any(r.slug in shown for r in a.related) or any(d in shown for d in a.duplicates)
        ):
            reached.add(a.slug)
    return reached


class Renderer:
    """The pages of one site. :meth:`pages` lists them (all, or one share of them, so that
    several processes can split the work), :meth:`render` makes one, and :meth:`key` gives a
    hash of everything a page is made from, so an unchanged page need not be made again.

    Given the :class:`RenderMemo` of the last build in this process (:meth:`memo`) and a site
    of the same shape, only the views an edit can reach are made again, and :attr:`dirty` holds
    the paths of the pages that show a changed view, :attr:`dirty_folders` the folders whose
    pages must all be made again (a tag an article joined or left); :meth:`wants` says whether
    a page is one of those. :attr:`dirty` None: every page must be looked at."""

    def __init__(
        self, articles: Sequence[Article], config: Config, memo: RenderMemo | None = None,
        prints: Mapping[str, tuple[bytes, bool]] | None = None, eager: bool = True, site: Site | None = None,
        env: jinja2.Environment | None = None,
    ):
        self.config = config
        self.env = env if env is not None else make_environment(config)
        self.root_dir = Path(config.root)
        #: slug → (what its article was made from, whether that was made in this build)
        self.prints = dict(prints or {})
        changed: set[str] | None = None  # slugs of the articles not as the memo's site had them
        if site is None and memo is not None and memo.index is not None and memo.shape[1] == config:
            current = {a.slug: a for a in articles}
            changed = _changed(current, memo, self.prints)
            site = _site_since(current, config, memo.index, changed)
        #: the memo's prints and the slugs whose print may differ from them (see :meth:`memo`)
        self._since: tuple[Mapping[str, bytes], set[str]] | None = (memo.prints, changed) if changed is not None else None
        self.site = site if site is not None else make_site(articles, config)
        self.view_keys: dict[str, str] = {}  #: slug → key of its view, once known
        self._env_key = ""
        self.members: dict[str, tuple[str, ...]] = {}  #: page path → view slugs in its key (see :meth:`key`)
        self.dirty: set[str] | None = None
        self.dirty_folders: tuple[str, ...] = ()
        #: slug → its row of the search index (:func:`digest.search.search_row`, as :func:`~digest.search.encode_row` writes it)
        self.listings: dict[str, tuple] = {}
        self._old_listings: bytes | None = None  # the last build's rows, pickled, until needed (see _all_listings)
        self.row_keys: dict[str, bytes] = {}  #: slug → :func:`_row_key` of its row, once known
        self.shown: dict[str, bytes] = {}  #: slug → :func:`_shown` of its article, once known
        self._common: tuple[dict[str, Any], list[dict[str, str]]] | None = None  # see page_context
        self._site_key: str | None = None
        self._pickler: _KeyPickler | None = None  # see key
        self._shape = _shape(self.site, self.env_key) if memo is not None else None
        same_templates = memo is not None and memo.shape[:2] == self._shape[:2]  # type: ignore[index]
        if same_templates and memo.env is not None:  # type: ignore[union-attr]
            self.env = memo.env  # same templates, same configuration: compiled already
        elif env is None:  # compiled templates are kept in the memo for the next process
            self.env.bytecode_cache = _MemoBytecode(memo.bytecode if same_templates else None)  # type: ignore[union-attr]
        self.views: dict[str, ArticleView]
        if memo is not None and _same_but_tags(memo.shape, self._shape):  # type: ignore[arg-type]
            self.views, self.dirty = self._views_since(memo, changed)
            if not self.dirty_folders:  # asked of every page: a set's own test, called from C
                self.wants = self.dirty.__contains__  # type: ignore[method-assign]
        elif eager:
            self.views = {a.slug: _list_view(a, self.site) for a in self.site.articles}
        else:  # made when a page asks (a renderer that may hand the pages to other processes)
            self.views = _Views(self.site)

    def key_views(self) -> None:
        """Work out the key of every article view made (:meth:`view_key`) now: processes forked
        afterwards to make pages with their keys, each meeting nearly every view in its lists,
        inherit them instead of each working them all out."""
        for view in dict.values(self.views):
            self.view_key(view)

    def compile(self) -> None:
        """Load every template that pages are made with (:data:`_PAGE_TEMPLATES`) and those they
        extend, import or include: processes forked afterwards share them compiled, instead of
        each compiling its own (and they are kept for the memo, see :class:`_MemoBytecode`). A
        template that does not load is left for the page that uses it to report."""
        env = self.env
        todo, seen = list(_PAGE_TEMPLATES), set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            try:
                env.get_template(name)
            except Exception:  # noqa: BLE001 - e.g. a syntax error or an undecodable file: reported by its page, as before
                continue
            todo.extend(getattr(env, "references", {}).get(name, ()))

    @property
    def env_key(self) -> str:
        if not self._env_key:
            self._env_key = _environment_key(self.env)
        return self._env_key

    def wants(self, path: str) -> bool:
        """Whether the page at ``path`` must be looked at (always, without a memo)."""
        return self.dirty is None or path in self.dirty or path.startswith(self.dirty_folders)

    def _views_since(self, memo: RenderMemo, changed: set[str] | None = None) -> tuple[dict[str, "ArticleView"], set[str]]:
        """The views of a site shaped like ``memo``'s, and the pages holding one that changed
        (setting :attr:`dirty_folders` for the tags that an article joined or left).
        ``changed``: :func:`_changed`, if known."""
        site = self.site
        if changed is None:
            changed = _changed(site.by_slug, memo, self.prints)
        changed = {slug for slug in changed if slug in site.position}
        shown = set()  # changed articles that other views show differently
        old_shown = memo.shown
        self.shown = dict(old_shown)
        for slug in changed:
            mine = self.shown[slug] = _shown(site.by_slug[slug])
            if old_shown.get(slug) != mine:
                shown.add(slug)
        # A tag that gained or lost its page, or another name: every view showing it links it differently.
        paged = set(memo.shape[_TAG_PAGES]) ^ set(self._shape[_TAG_PAGES])  # type: ignore[index]
        moved_tags = {slug for slug, _ in paged}
        retagged: set[str] = set(moved_tags)
        index, old_index = site.index, memo.index
        if index is not None and old_index is not None:
            # the articles whose tags changed (see _frame); the others kept them
            again = [slug for slug in changed if index.frames.get(slug) != old_index.frames.get(slug)]
        else:
            again = list(changed)
        if again:
            old_tags = _old_tag_slugs(old_index, again) if old_index is not None else {}
            for slug in again:
                retagged.update(set(old_tags.get(slug, ())) ^ set(site.tag_slugs[slug]))
        if moved_tags:
            changed |= {slug for slug, tags in site.tag_slugs.items() if not moved_tags.isdisjoint(tags)}
        reached = _reaches(site, changed, shown)
        self.view_keys.update(memo.view_keys)
        views = _Views(site)
        for slug, old in memo.views.items():
            if slug not in reached:
                views[slug] = old
        if isinstance(memo.listings, bytes):
            self._old_listings = memo.listings
        else:
            self.listings = dict(memo.listings)
        self.row_keys = dict(memo.row_keys)
        moved: set[str] = set()
        search = False  # whether a row of the search index changed
        for slug in reached:
            view = views[slug] = _list_view(site.by_slug[slug], site)
            self.view_keys.pop(slug, None)
            if self.view_key(view) != memo.view_keys.get(slug):
                moved.add(slug)
                row = encode_row(search_row(view))
                key = _row_key(row)
                if self.row_keys.get(slug) != key:
                    self.listings[slug] = row
                    self.row_keys[slug] = key
                    search = True
        dirty: set[str] = set()
        if moved:
            # the pages whose views meet a moved one (a filter run in C: every page is looked at)
            dirty = set(compress(memo.members.keys(), map(not_, map(moved.isdisjoint, memo.members.values()))))
        if search:
            dirty.add(_SEARCH_PATH)  # made from a part of every view (see _listing), not from the views
        if retagged:
            # Counts and lists by tag: the tag index, the front page's top tags and the sitemap.
            dirty.update(p for p in memo.members if p in ("tags/index.html", "sitemap.xml", "index.html") or p.startswith("page/"))
            self.dirty_folders = tuple(sorted(tag_path(t)[: -len("index.html")] for t in retagged))
        self.members = dict(memo.members)
        return views, dirty

    def memo(self, pages: Mapping[str, tuple[str, Any]], output: Path) -> RenderMemo | None:
        """What the next build can start from, once ``pages`` (every page of this build:
        path → (key, stamp)) are written; None when a page has no key."""
        # After an edit, most of what the memo holds is what this renderer took from the last
        # one, with the same keys: taken as it is, not copied key by key.
        members = self.members
        if members.keys() == pages.keys():
            if not all(map(itemgetter(0), pages.values())):
                return None
        elif any(not key or path not in members for path, (key, _) in pages.items()):
            return None
        else:
            members = {path: members[path] for path in pages}
        site = self.site
        view_keys = self.view_keys
        if view_keys.keys() != site.by_slug.keys():
            if any(slug not in view_keys for slug in site.by_slug):
                return None
            view_keys = {slug: view_keys[slug] for slug in site.by_slug}
        if self.listings or self._old_listings is None:
            listings: dict[str, tuple] | bytes = self._all_listings()
            row_keys = self.row_keys
            if row_keys.keys() != site.by_slug.keys():
                if any(slug not in listings for slug in site.by_slug):
                    return None
                row_keys = {slug: row_keys.get(slug) or _row_key(listings[slug]) for slug in site.by_slug}  # type: ignore[index]
        else:  # no row read or made: the last build's, as they were
            listings, row_keys = self._old_listings, self.row_keys
        known = self.shown
        if known.keys() != site.by_slug.keys():
            known = {slug: known.get(slug) or _shown(a) for slug, a in site.by_slug.items()}
        if self._since is not None and self._since[0].keys() == self.prints.keys():
            prints = dict(self._since[0])  # the others' prints are the same
            prints.update((slug, self.prints[slug][0]) for slug in self._since[1] if slug in self.prints)
        else:
            prints = {slug: p for slug, (p, _) in self.prints.items()}
        return RenderMemo(
            shape=self._shape if self._shape is not None else _shape(site, self.env_key),
            prints=prints,
            index=site.index,
            view_keys=view_keys, members=members,
            output=str(output), articles=dict(site.by_slug), views=dict(dict.items(self.views)), env=self.env,
            listings=listings, row_keys=row_keys, site=site,
            bytecode=dict(cache.saved) if isinstance(cache := self.env.bytecode_cache, _MemoBytecode) else {},
            shown=known,
        )

    def listing(self, article: Article) -> tuple:
        """The row of a published article in the search index, as :func:`digest.search.encode_row`
        writes it (made once; see :func:`digest.search.search_row`)."""
        found = self.listings.get(article.slug)
        if found is None and self._old_listings is not None:
            found = self._all_listings().get(article.slug)
        if found is None:
            view = dict.get(self.views, article.slug)  # made already: its listing is part of it
            found = self.listings[article.slug] = encode_row(search_row(view if view is not None else _listing(article, self.site)))
        return found

    def _all_listings(self) -> dict[str, tuple]:
        """:attr:`listings` with the last build's rows read in (those made since win)."""
        if self._old_listings is not None:
            rows = pickle.loads(self._old_listings)
            rows.update(self.listings)
            self.listings, self._old_listings = rows, None
        return self.listings

    def render(self, page: Page) -> bytes:
        """The page's bytes (raises :class:`TemplateError` naming the template file and line)."""
        if page.template is None:
            return page.context
        if page.template == _JSON_FEED:
            return _json_feed(**page.context)
        if page.template == _SEARCH_INDEX:
            return _search_script(page.context)
        log.debug("render %s with %s", page.path, page.template)
        context = page.context
        later = context.get("jsonld")
        if type(later) is _JsonLd:  # made only now: an unchanged page is not rendered at all
            context = {**context, "jsonld": later.make(self.site)}
        return _render(self.env, page.template, context, self.root_dir)

    def key(self, page: Page) -> str:
        """A hash of the page's template set, code version, template name and context
        (the slugs of the article views in the context are kept in :attr:`members`)."""
        if page.template == _SEARCH_INDEX:  # made from its rows alone: the key is a hash of the script
            digest = hashlib.blake2b(self.env_key.encode() + page.template.encode(), digest_size=16)
            digest.update(_search_script(page.context))
            self.members[page.path] = ()
            return digest.hexdigest()
        pickler = self._pickler
        if pickler is None:  # one for every page: a pickler costs more to make than a page's key
            pickler = self._pickler = _KeyPickler(io.BytesIO(), self)
        buffer = pickler.buffer
        buffer.seek(0)
        buffer.truncate()
        buffer.write(self.env_key.encode())
        pickler.slugs = []
        pickler.dump((page.template, page.context))
        self.members[page.path] = tuple(dict.fromkeys(pickler.slugs))
        return hashlib.blake2b(buffer.getbuffer(), digest_size=16).hexdigest()

    def view_key(self, view: Mapping[str, Any]) -> str:
        """A hash of one article's view model (computed once per article): of every key but
        those made from the body (:data:`_FROM_BODY`) and of what they are made from (the
        article's blocks and standfirst), so the list view and the whole view of an article
        have the same key."""
        slug = view["slug"]
        key = self.view_keys.get(slug)
        if key is None:
            article = self.site.by_slug.get(slug)
            if article is None:  # not an article of this site (a view made outside it)
                article = view._article if type(view) is _ListView else None  # type: ignore[attr-defined]
            made_from = (
                (article.standfirst, [(b.kind, b.text, b.html) for b in article.body]) if article is not None else view.get("body")
            )
            key = self.view_keys[slug] = _hash(([(k, v) for k, v in view.items() if k not in _FROM_BODY], made_from))
        return key

    def site_key(self, context: Mapping[str, Any]) -> str:
        """A hash of the ``site`` context (computed once)."""
        if self._site_key is None:
            self._site_key = "site:" + _hash(dict(context))
        return self._site_key

    def page_context(self, path: str, kind: str, title: str, description: str = "", **extra: Any) -> dict[str, Any]:
        """The context every page's template gets (``site``, ``root``, ``page``, ``pagination``),
        with ``extra`` (a page's own ``feeds`` and ``pagination`` taken from it)."""
        config, site = self.config, self.site
        if self._common is None:
            self._common = (
                {"site": _SiteContext(site_context(site))},
                [{"type": kind, "title": f"{config.site.title} ({label})", "url": name} for name, kind, label in _FEEDS],
            )
        common, site_feeds = self._common
        root = _root(path)
        if kind == "404" and site.base_url:
            root = site.base_url
        feeds = extra.pop("feeds", None)
        return {
            **common,
            "root": root,
            "page": {
                "kind": kind,
                "title": title,
                "description": description or config.site.description,
                "url": path,
                "canonical": site.url(path) if kind not in _NOT_HTML else "",
                "feeds": (feeds or []) + site_feeds,
            },
            "pagination": extra.pop("pagination", None) or pagination(path, 1, 1),
            **extra,
        }

    def article_page(self, article: Article, view: Mapping[str, Any] | None = None) -> Page:
        """The page of one published article (its view made here unless given)."""
        path = article_path(article.slug)
        if view is None:
            view = article_context(article, self.site)
        elif "body" not in view:
            view = _full_view(view, article)
        return Page(path, "article.html", self.page_context(path, "article", view["headline"], view["description"],
                                                             article=view, jsonld=_JsonLd(view)))

    def pages(self, share: tuple[int, int] = (0, 1), only: Callable[[str], bool] | None = None) -> Iterator[Page]:
        """Every page of the site in a stable order, or only share ``(k, n)``: the pages whose
        path hashes to ``k`` modulo ``n``, or only the paths ``only`` accepts (the context of a
        page, and what only its list needs, is worked out only for the pages asked for)."""
        part, parts = share
        config, site, views = self.config, self.site, self.views

        def share_of(path: str) -> bool:
            return parts == 1 or zlib.crc32(path.encode("utf-8")) % parts == part

        mine = only if only is not None else share_of

        page = self.page_context
        size = config.front.page_size

        def emit(path: str, template: str, context: Mapping[str, Any]) -> Page:
            return Page(path, template, context)

        def wanted(first: str, most: int) -> bool:
            """Whether a page of the list whose first page is ``first`` is asked for, the list
            having at most ``most`` entries (so without working out its stories)."""
            if mine(first):
                return True
            return most > size and any(mine(_page_path(first, number)) for number in range(2, _pages_of(most, size) + 1))

        def story_pages(
            first: str, members: Sequence[Article], title: str, description: str, template: str, kind: str,
            limit: int | None = None, group_by: str = "day", **extra: Any,
        ) -> Iterator[Page]:
            """Every page of one paginated story list."""
            stories = stories_of(members)
            total = min(len(stories), limit) if limit is not None else len(stories)
            count = _pages_of(total, size)
            for number in range(1, count + 1):
                path = _page_path(first, number)
                if not mine(path):
                    continue
                index = index_context(members, site, group_by=group_by, offset=(number - 1) * size,
                                      limit=min(size, total - (number - 1) * size), contexts=views, stories=stories)
                shown = title if number == 1 else f"{title or config.site.title}, page {number}"
                yield emit(path, template, page(path, kind, shown, description, index=index,
                                                pagination=pagination(first, number, count), **extra))

        worked_out: dict[int, list[Article]] = {}  # id of a member list (alive while pages() runs) → its stories

        def stories_of(members: Sequence[Article]) -> list[Article]:
            found = worked_out.get(id(members))
            if found is None:
                found = worked_out[id(members)] = _stories(members, site, in_order=True)  # every list below is in site order
            return found

        # Tags: one story list per tag slug; the tag index lists them most used first.
        tagged = site.tagged
        tag_size = tagged.size if isinstance(tagged, _Lists) else lambda slug: len(tagged[slug])
        paged = sorted(slug for slug in tagged if slug in site.tag_pages)

        def tag_of(slug: str) -> dict[str, Any]:
            return {"name": site.tag_names[slug], "slug": slug, "url": tag_path(slug), "count": len(stories_of(tagged[slug]))}

        by_use: list[dict[str, Any]] = []

        def tags_by_use() -> list[dict[str, Any]]:
            if not by_use and paged:
                by_use.extend(sorted(map(tag_of, paged), key=lambda t: (-t["count"], t["name"].casefold(), t["slug"])))
            return by_use

        # Front page: the newest front.stories stories, a page at a time.
        if wanted("index.html", min(len(site.articles), config.front.stories)):
            front_total = len(stories_of(site.articles))
            yield from story_pages("index.html", site.articles, "", config.site.description, "index.html", "index",
                                   limit=config.front.stories, group_by=config.front.group_by,
                                   more=front_total > config.front.stories, top_tags=tags_by_use()[:_TOP_TAGS])

        # Article pages.
        for a in site.articles:
            path = article_path(a.slug)
            if not mine(path):
                continue
            yield self.article_page(a, views[a.slug])

        # Tag pages (each with its own feeds) and the tag index.
        for slug in paged:
            url = tag_path(slug)
            if not wanted(url, tag_size(slug)):
                continue
            tag = tag_of(slug)
            folder = url[: -len("index.html")]
            feeds = [{"type": kind, "title": f"{tag['name']} ({label})", "url": folder + name} for name, kind, label in _FEEDS[:1]]
            yield from story_pages(url, tagged[slug], tag["name"], f"Stories tagged “{tag['name']}”.", "tag.html", "tag",
                                   tag=tag, feeds=feeds)
        if mine("tags/index.html"):
            yield emit("tags/index.html", "tags.html",
                       page("tags/index.html", "tags", "Tags", "Every tag on the site, most used first.", tags=tags_by_use()))

        # Section pages.
        index = site.index
        if index is None:  # a site not made by make_site
            day_of = list(map(_day_of, site.articles))
            index = replace(make_site((), config).index, days="\n".join(day_of), **_calendar(site.articles, day_of))
        by_section, by_month, by_day = (_Lists(found, site.by_slug) for found in (index.by_section, index.by_month, index.by_day))
        for name in sorted(by_section, key=_section_key):
            section = {**_section_ref(name, site)}  # type: ignore[arg-type]
            if not wanted(section["url"], by_section.size(name)):
                continue
            section["count"] = len(stories_of(by_section[name]))
            yield from story_pages(section["url"], by_section[name], name, f"{name}: the latest stories.",
                                   "section.html", "section", section=section)

        # Archive: an index of months and days; a page per month (every article, compact) and per day (the digest).
        days_of: dict[str, list[str]] = defaultdict(list)  # month → its days
        for day in by_day:
            days_of[day[:7]].append(day)
        months = []
        for month_id in sorted(by_month, reverse=True):
            days = [
                {"id": d, "title": _day_human(_date(by_day.first(d))), "number": int(d[8:]),
                 "url": archive_path(d), "count": by_day.size(d)}
                for d in sorted(days_of[month_id], reverse=True)
            ]
            months.append({"id": month_id, "title": _month(_date(by_month.first(month_id))), "url": archive_path(month_id),
                           "count": by_month.size(month_id), "days": days})
        if mine("archive/index.html"):
            yield emit("archive/index.html", "archive.html",
                       page("archive/index.html", "archive", "Archive", "Every article, by month and by day.", months=months))
        for month in months:
            count = _pages_of(month["count"], size)
            for number in range(1, count + 1):
                path = _page_path(month["url"], number)
                if not mine(path):
                    continue
                members = by_month[month["id"]]
                groups: dict[str, dict[str, Any]] = {}
                for a in members[(number - 1) * size: number * size]:
                    view = views[a.slug]
                    groups.setdefault(view["day"], {"id": view["day"], "title": view["day_human"],
                                                    "url": archive_path(view["day"]), "articles": []})["articles"].append(view)
                title = f"Archive: {month['title']}" + (f", page {number}" if number > 1 else "")
                yield emit(path, "archive_month.html", page(
                    path, "archive-month", title, f"Every article from {month['title']}.",
                    month=month, days=[groups[d] for d in sorted(groups, reverse=True)],
                    pagination=pagination(month["url"], number, count)))
            for day in month["days"]:
                if wanted(day["url"], day["count"]):
                    yield from story_pages(day["url"], by_day[day["id"]], day["title"], f"The digest for {day['title']}.",
                                           "archive_day.html", "archive-day", day=day, month=month)

        # Not found, search, feeds, sitemap, robots, stylesheet and scripts.
        if mine("404.html"):
            yield emit("404.html", "404.html", page("404.html", "404", "Page not found"))
        if mine("search/index.html"):
            yield emit("search/index.html", "search.html",
                       page("search/index.html", "search", "Search", "Search the headlines, summaries and tags."))
        if mine(_SEARCH_PATH):
            yield Page(_SEARCH_PATH, _SEARCH_INDEX, {"rows": [self.listing(a) for a in site.articles]})
        entries: dict[str, _FeedEntry] = {}
        yield from _feeds(site, views, site.articles, "", config.site.title, config.site.description,
                          "index.html", emit, page, mine, memo=entries)
        for slug in paged:
            url = tag_path(slug)
            if not mine(url[: -len("index.html")] + "feed.xml"):  # its only feed (see _feeds' atom_only)
                continue
            name = site.tag_names[slug]
            yield from _feeds(site, views, tagged[slug], url[: -len("index.html")],
                              f"{config.site.title}: {name}", f"Stories tagged “{name}”.",
                              url, emit, page, mine, tag_slug=slug, atom_only=True, memo=entries)
        if mine("sitemap.xml"):
            updated = _iso(_date(site.articles[0])) if site.articles else _iso(_EPOCH)
            urls: list[dict[str, str]] = []
            if site.base_url:
                urls.append({"loc": site.url("index.html"), "lastmod": updated[:10] if site.articles else ""})
                urls += [{"loc": site.url(article_path(a.slug)), "lastmod": day} for a, day in zip(site.articles, _lines(index.days))]
                for slug in paged:
                    urls.append({"loc": site.url(tag_path(slug)), "lastmod": _date(tagged[slug][0]).date().isoformat()})
                for name in sorted(by_section, key=_section_key):
                    slug = site.tag_slug(name)
                    urls.append({"loc": site.url(section_path(slug)), "lastmod": _date(by_section.first(name)).date().isoformat()})
                for month in months:
                    urls.append({"loc": site.url(month["url"]), "lastmod": month["days"][0]["id"]})
                    urls += [{"loc": site.url(d["url"]), "lastmod": d["id"]} for d in month["days"]]
                urls.append({"loc": site.url("tags/index.html"), "lastmod": ""})
                urls.append({"loc": site.url("archive/index.html"), "lastmod": ""})
            yield emit("sitemap.xml", "sitemap.xml", page("sitemap.xml", "sitemap", "", urls=urls))
        for path, template, kind in (("robots.txt", "robots.txt", "robots"), ("style.css", "style.css", "css"), ("search.js", "search.js", "js")):
            if mine(path):
                yield emit(path, template, page(path, kind, ""))


def _search_script(context: dict[str, Any]) -> bytes:
    """The search index script of a :data:`_SEARCH_INDEX` page (made once: its key is a hash of it)."""
    script = context.get("script")
    if script is None:
        script = context["script"] = index_script(context.pop("rows"))
    return script


#: The template name of a JSON feed, which is made in Python, not by a template.
_JSON_FEED = "<json feed>"
#: Likewise the search index.
_SEARCH_INDEX = "<search index>"
_SEARCH_PATH = "search-index.js"


class _FeedEntry(dict):
    """A feed entry: an article's view model plus the feed's own keys (``id``, ``date_rfc822``).
    A dict of the view's items and those (a template reads its items as it reads a view's,
    inline: see :meth:`_CodeGenerator.visit_Getattr`), which also keeps the view and the feed's
    keys, so that a page key names the view by its key instead of repeating it. The keys a
    list view makes when asked (``body``…) are the view's, made by it, and not among the entry's."""

    __slots__ = ("view", "extra")

    def __init__(self, view: Mapping[str, Any], extra: Mapping[str, Any]):
        super().__init__(view)
        self.update(extra)
        self.view, self.extra = view, extra

    def __missing__(self, key: str) -> Any:
        return self.view[key]

    def __reduce__(self) -> tuple:
        return (_FeedEntry, (self.view, self.extra))


class _KeyPickler(pickle.Pickler):
    """Pickles a page's context for its key, naming each article view model by its own hash."""

    def __init__(self, file: io.BytesIO, renderer: "Renderer"):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.buffer = file
        self.renderer = renderer
        self.keys = renderer.view_keys
        self.slugs: list[str] = []  #: the article views met, by slug
        # No memo: an object seen twice is written twice, so equal contexts give equal bytes
        # whether or not their equal strings happen to be one object (as after unpickling).
        # Only the functions that name views and feed entries are in it, always the same (see _NAMES).
        self.fast = True
        self.memo = _NAMES

    def reducer_override(self, obj: Any) -> Any:
        # Called only for objects that are not plain str/int/dict/list/tuple…, so it is cheap.
        kind = type(obj)
        if kind is _ListView or kind is ArticleView:
            slug = obj["slug"]
            self.slugs.append(slug)
            return _view_ref, (self.keys.get(slug) or self.renderer.view_key(obj),)
        if kind is _FeedEntry:
            return _FeedEntry, (obj.view, obj.extra)
        if kind is _SiteContext:  # the same in every page: named by its hash
            return _view_ref, (self.renderer.site_key(obj),)
        if kind is _JsonLd:  # made from the page's article view and site context, both in the key
            return _view_ref, ("jsonld",)
        if kind is _Links:
            return _view_ref, (obj.code(),)
        return NotImplemented


class _ValuePickler(pickle.Pickler):
    """Pickles a plain value for its hash (:func:`_hash`): no memo, and lists of links by their
    own hash (see :class:`_Links`)."""

    def __init__(self, file: io.BytesIO):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        # No memo: an object seen twice is written twice, so equal values give equal bytes
        # whether or not their equal strings happen to be one object.
        self.fast = True
        self.memo = _NAMES

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is _Links:
            return _view_ref, (obj.code(),)
        return NotImplemented


class _SiteContext(dict):
    """The ``site`` key of every page (see :func:`site_context`); its own type lets a page key
    name it by its hash instead of repeating it."""

    __slots__ = ()


class _JsonLd:
    """The ``jsonld`` of an article page, made when the page is rendered (see :func:`json_ld`)."""

    __slots__ = ("view",)

    def __init__(self, view: Mapping[str, Any]):
        self.view = view

    def make(self, site: Site) -> Markup:
        return json_ld(_news_article(self.view, site))


def _hash(value: Any) -> str:
    """A hash of a plain value (equal values, equal hashes: see :func:`_pickled`)."""
    return hashlib.blake2b(_pickled(value), digest_size=16).hexdigest()


def _pickled(value: Any) -> bytes:
    """A plain value pickled without memo (equal values, equal bytes)."""
    buffer = io.BytesIO()
    _ValuePickler(buffer).dump(value)
    return buffer.getvalue()


def _view_ref(key: str) -> str:  # pragma: no cover - only named in page keys, never called
    return key


#: The pickle memo that :class:`_KeyPickler` and :class:`_ValuePickler` start from: the functions
#: a key names things by, each written as a reference to its memo entry. Written in full
#: (module and name, looked up by importing the module, and each first offered to
#: ``reducer_override``), they were two thirds of the time spent keying a page that lists 20
#: stories. The pickles are never loaded; the same memo for every key keeps keys comparable.
_NAMES = {id(f): (i, f) for i, f in enumerate((_view_ref, _FeedEntry))}


def _environment_key(env: jinja2.Environment) -> str:
    """A hash of every template the environment can load and of the code that renders them."""
    from .cache import code_version

    digest = hashlib.blake2b(code_version().encode(), digest_size=16)
    for name in sorted(env.list_templates()):
        source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        digest.update(f"{name}\x00{filename}\x00".encode() + source.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _feeds(
    site: Site,
    views: Mapping[str, dict[str, Any]],
    members: Sequence[Article],
    folder: str,
    title: str,
    description: str,
    home: str,
    emit: Callable[[str, str, Mapping[str, Any]], Page],
    page: Callable[..., dict[str, Any]],
    mine: Callable[[str], bool],
    memo: dict[str, _FeedEntry],
    tag_slug: str = "",
    atom_only: bool = False,
) -> Iterator[Page]:
    """Atom (``feed.xml``), RSS 2.0 (``rss.xml``) and JSON Feed 1.1 (``feed.json``) in ``folder``
    (only Atom with ``atom_only``: a tag's feed, where one format is enough for every reader).
    ``memo`` keeps each article's feed entry for the next feed that lists it."""
    names = ("feed.xml", "rss.xml", "feed.json")[: 1 if atom_only else 3]
    if not any(mine(folder + name) for name in names):
        return
    config = site.config.site
    chosen = [a.slug for a in members[: site.config.front.feed_entries]]
    updated = _iso(_date(site.by_slug[chosen[0]])) if chosen else _iso(_EPOCH)
    key = "digest:" + config.title + (":tag:" + tag_slug if tag_slug else "")
    feed = {
        "id": site.url(home) or f"urn:uuid:{_uuid5(key)}",
        "title": title,
        "description": description or title,
        "language": config.language or "en",
        "updated": updated,
        "updated_rfc822": _rfc822(updated),
        "self_url": site.url(folder + "feed.xml"),
        "rss_url": site.url(folder + "rss.xml"),
        "json_url": site.url(folder + "feed.json"),
        "home_url": site.url(home),
        "home_path": home,
        "author": config.author or config.title,
    }
    entries = []
    for s in chosen:
        entry = memo.get(s)
        if entry is None:
            entry = memo[s] = _FeedEntry(views[s], {
                "id": views[s]["abs_url"] or f"urn:uuid:{_uuid5('digest:' + config.title + ':' + s)}",
                "date_rfc822": _rfc822(views[s]["date"]),
            })
        entries.append(entry)
    for name, template in (("feed.xml", "feed.xml"), ("rss.xml", "rss.xml"))[: 1 if atom_only else 2]:
        path = folder + name
        if mine(path):
            yield emit(path, template, page(path, "feed", title, description, feed=feed, entries=entries))
    if not atom_only and mine(folder + "feed.json"):
        yield Page(folder + "feed.json", _JSON_FEED, {"feed": feed, "entries": entries, "root": _root(folder + "feed.json")})


#: Types whose instances have no attributes of their own: an attribute of one is an attribute of
#: its type (named here), so for any other name :meth:`_Environment.getattr` goes straight to the item.
_ITEM_FIRST: dict[type, frozenset[str]] = {t: frozenset(dir(t)) for t in (dict, ArticleView, _ListView, _SiteContext, _FeedEntry)}
#: The dict types among those, whose items compiled templates read inline (``in`` and ``[]`` are
#: the dict's own: a _ListView's __missing__ is not met when the key is there)
_ITEM_TYPES = frozenset((dict, ArticleView, _ListView, _SiteContext, _FeedEntry))
#: Every attribute name of those types: ``x.name`` with such a name always goes through getattr
_DICT_NAMES = frozenset().union(*(_ITEM_FIRST[t] for t in _ITEM_TYPES))

__all__ = [
    "SECTION_ORDER",
    "RenderMemo",
    "Renderer",
    "Site",
    "article_context",
    "article_path",
    "default_theme_dir",
    "index_context",
    "make_environment",
    "make_site",
    "render_site",
    "archive_path",
    "json_ld",
    "pagination",
    "section_path",
    "site_context",
    "tag_path",
]
