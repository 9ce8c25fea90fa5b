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
    tags/<tag-slug>/index.html      stories with that tag
    sections/<section-slug>/index.html
    archive/index.html              every article, by month
    feed.xml  sitemap.xml  robots.txt  404.html  style.css

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
    ``canonical`` (absolute URL or "").

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

Page-specific keys:

- ``index.html``: ``index`` (a story list, at most ``front.stories``), ``more`` (True
  when the archive holds more) and ``top_tags`` (the 12 most used tags, as in ``tags``);
- ``article.html``: ``article``;
- ``tag.html``: ``tag`` (``{name, slug, url, count}``) and ``index``;
- ``section.html``: ``section`` (``{name, slug, url, count}``) and ``index``;
- ``tags.html``: ``tags`` (``[{name, slug, url, count}]``, most used first);
- ``archive.html``: ``months`` (``[{title, id, articles}]``, newest first);
- ``feed.xml``: ``feed`` (``{id, title, updated, self_url, home_url, author}``) and
  ``entries`` (articles, each with an ``id``);
- ``sitemap.xml``: ``urls`` (``[{loc, lastmod}]``, empty without ``base_url``).
"""
from __future__ import annotations

import logging
import re
import unicodedata
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Sequence
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from .errors import TemplateError

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

#: Templates of the theme and the pages they make (besides the per-article/tag/section pages).
_SINGLE_PAGES = (
    ("index.html", "index.html", "index"),
    ("tags/index.html", "tags.html", "tags"),
    ("archive/index.html", "archive.html", "archive"),
    ("404.html", "404.html", "404"),
    ("feed.xml", "feed.xml", "feed"),
    ("sitemap.xml", "sitemap.xml", "sitemap"),
    ("robots.txt", "robots.txt", "robots"),
    ("style.css", "style.css", "css"),
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
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm", "xml"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,  # one environment per build: templates do not change under it
        trim_blocks=True,
        lstrip_blocks=True,
    )


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


def _safe_slugs(slug: Callable[[str], str]) -> Callable[[str], str]:
    """``slug`` guarded so that a page path never gets an empty or unsafe segment."""

    def safe(name: str) -> str:
        value = slug(name)
        return value if re.fullmatch(r"[a-z0-9][a-z0-9-]*", value or "") else _slug(value or name)

    return safe


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
    base_url: str

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
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for a in published:
        for name in a.tags:
            spellings[tag_slug(name)][name] += 1
    tag_names = {slug: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for slug, c in spellings.items()}
    position = {a.slug: i for i, a in enumerate(published)}
    return Site(
        config=config,
        articles=tuple(published),
        by_slug=MappingProxyType(by_slug),
        position=MappingProxyType(position),
        canonical=MappingProxyType(canonical),
        members=MappingProxyType({k: tuple(sorted(v, key=position.__getitem__)) for k, v in groups.items()}),
        tag_slug=tag_slug,
        tag_names=MappingProxyType(tag_names),
        base_url=_base_url(config),
    )


def article_path(slug: str) -> str:
    """Site-relative path of an article's page."""
    return f"articles/{slug}/index.html"


def tag_path(slug: str) -> str:
    """Site-relative path of a tag's page (``slug`` is a tag slug)."""
    return f"tags/{slug}/index.html"


def section_path(slug: str) -> str:
    """Site-relative path of a section's page."""
    return f"sections/{slug}/index.html"


def _section_ref(name: str, site: Site) -> dict[str, str] | None:
    if not name:
        return None
    slug = site.tag_slug(name)
    return {"name": name, "slug": slug, "url": section_path(slug)}


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


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
            content: str = Markup(block.html)  # pre-sanitised by our Markdown renderer
        else:
            content = block.text
        if not str(content).strip():
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
    rest = [s for s in summary if not any(_same(s, text) for text in shown if text)]
    return rest or summary


def _ref(article: Article) -> dict[str, str]:
    return {"slug": article.slug, "headline": article.title or article.slug, "url": article_path(article.slug)}


def _others(article: Article, site: Site) -> list[Article]:
    """The other published articles of ``article``'s story, newest first."""
    head = site.canonical.get(article.slug, article.slug)
    slugs = {head, *site.members.get(head, ())}
    slugs.update(s for s in article.duplicates if s in site.by_slug)
    slugs.discard(article.slug)
    return sorted((site.by_slug[s] for s in slugs), key=_newest_first)


def article_context(article: Article, site: Site) -> dict[str, Any]:
    """The view model of one article (keys documented in the module docstring)."""
    date = _date(article)
    words = sum(len(b.text.split()) for b in article.body)
    summary = [s for s in article.summary if s.strip()]
    headline = article.title or article.slug
    index = site.position.get(article.slug)
    older = site.articles[index + 1] if index is not None and index + 1 < len(site.articles) else None
    newer = site.articles[index - 1] if index is not None and index > 0 else None
    related = []
    for r in article.related:
        target = site.by_slug.get(r.slug)
        if target is None or r.slug == article.slug:
            continue
        related.append({"slug": r.slug, "title": target.title or r.title or r.slug, "url": article_path(r.slug)})
    tags = []
    seen: set[str] = set()
    for name in article.tags:
        slug = site.tag_slug(name)
        if slug in seen:
            continue
        seen.add(slug)
        tags.append({"name": name, "slug": slug, "url": tag_path(slug)})
    duplicates = [
        {**_ref(other), "source": _safe_source(other.url), "byline": other.byline, "date_human": _human(_date(other))}
        for other in _others(article, site)
    ]
    path = article_path(article.slug)
    return {
        "slug": article.slug,
        "headline": headline,
        "standfirst": _standfirst(article),
        "byline": article.byline,
        "url": path,
        "abs_url": site.url(path),
        "date": _iso(date),
        "date_human": _human(date),
        "day": date.date().isoformat(),
        "day_human": _day_human(date),
        "month": _month(date),
        "time": "" if (date.hour, date.minute) == (0, 0) else f"{date.hour:02d}:{date.minute:02d}",
        "summary": summary,
        "summary_text": " ".join(summary),
        "brief": _brief(summary, (headline, article.standfirst)),
        "description": _cut(article.standfirst or " ".join(summary) or headline),
        "tags": tags,
        "section": _section_ref(article.section, site),
        "source": _safe_source(article.url),
        "body": _body(article),
        "related": related,
        "duplicates": duplicates,
        "sources": 1 + len(duplicates),
        "is_duplicate": site.canonical.get(article.slug, article.slug) != article.slug,
        "previous": _ref(older) if older is not None else None,
        "next": _ref(newer) if newer is not None else None,
        "words": words,
        "reading_minutes": max(1, round(words / _WORDS_PER_MINUTE)),
    }


def index_context(
    articles: Sequence[Article],
    site: Site,
    *,
    group_by: str = "day",
    limit: int | None = None,
    contexts: Mapping[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A story list: ``articles`` newest first, one entry per story, grouped by day or section.

    An article whose canonical story is also in ``articles`` is folded into it (the
    canonical entry shows ``sources`` and ``duplicates``); one whose canonical is not
    in the list stands for the story. ``contexts`` reuses article view models by slug.
    """
    members = {a.slug for a in articles}
    stories = [
        a for a in sorted(articles, key=_newest_first)
        if site.canonical.get(a.slug, a.slug) == a.slug or site.canonical[a.slug] not in members
    ]
    total = len(stories)
    if limit is not None:
        stories = stories[:limit]
    views = [contexts[a.slug] if contexts and a.slug in contexts else article_context(a, site) for a in stories]
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


def site_context(site: Site) -> dict[str, Any]:
    """The ``site`` key every template gets."""
    counts: Counter[str] = Counter()
    for a in site.articles:
        if a.section and site.canonical[a.slug] == a.slug:
            counts[a.section] += 1
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


def render_site(articles: Sequence[Article], config: Config) -> Iterator[tuple[str, bytes]]:
    """Yield ``(relative path, bytes)`` for every page of the site; drafts are skipped.

    Raises :class:`~digest.errors.TemplateError` (template file and line) when a
    template cannot be parsed or rendered.
    """
    env = make_environment(config)
    site = make_site(articles, config)
    common = {"site": site_context(site)}
    views = {a.slug: article_context(a, site) for a in site.articles}
    root_dir = Path(config.root)

    def page(path: str, kind: str, title: str, description: str = "", **extra: Any) -> dict[str, Any]:
        root = _root(path)
        if kind == "404" and site.base_url:
            root = site.base_url
        return {
            **common,
            "root": root,
            "page": {
                "kind": kind,
                "title": title,
                "description": description or config.site.description,
                "url": path,
                "canonical": site.url(path) if kind not in ("404", "feed", "sitemap", "robots", "css") else "",
            },
            **extra,
        }

    def emit(path: str, template: str, context: Mapping[str, Any]) -> tuple[str, bytes]:
        log.debug("render %s with %s", path, template)
        return path, _render(env, template, context, root_dir)

    # Tags: one story list per tag slug; the tag index lists them most used first.
    tagged: dict[str, list[Article]] = defaultdict(list)
    for a in site.articles:
        for slug in dict.fromkeys(site.tag_slug(t) for t in a.tags):
            tagged[slug].append(a)
    tag_indexes = {slug: index_context(tagged[slug], site, group_by="day", contexts=views) for slug in sorted(tagged)}
    tags = [
        {"name": site.tag_names[slug], "slug": slug, "url": tag_path(slug), "count": index["total"]}
        for slug, index in tag_indexes.items()
    ]
    by_use = sorted(tags, key=lambda t: (-t["count"], t["name"].casefold(), t["slug"]))

    # Front page.
    front = index_context(
        site.articles, site, group_by=config.front.group_by, limit=config.front.stories, contexts=views
    )
    yield emit("index.html", "index.html", page("index.html", "index", "", index=front,
                                                 more=front["total"] > front["count"], top_tags=by_use[:_TOP_TAGS]))

    # Article pages.
    for a in site.articles:
        view = views[a.slug]
        path = view["url"]
        yield emit(path, "article.html", page(path, "article", view["headline"], view["description"], article=view))

    # Tag pages and the tag index.
    for tag in tags:
        path = tag["url"]
        description = f"Stories tagged “{tag['name']}”."
        yield emit(path, "tag.html", page(path, "tag", tag["name"], description, tag=tag, index=tag_indexes[tag["slug"]]))
    yield emit("tags/index.html", "tags.html",
               page("tags/index.html", "tags", "Tags", "Every tag on the site, most used first.", tags=by_use))

    # Section pages.
    by_section: dict[str, list[Article]] = defaultdict(list)
    for a in site.articles:
        if a.section:
            by_section[a.section].append(a)
    for name in sorted(by_section, key=_section_key):
        section = {**_section_ref(name, site)}  # type: ignore[arg-type]
        index = index_context(by_section[name], site, group_by="day", contexts=views)
        section["count"] = index["total"]
        path = section["url"]
        yield emit(path, "section.html",
                   page(path, "section", name, f"{name}: the latest stories.", section=section, index=index))

    # Archive: every article by month.
    by_month: dict[str, dict[str, Any]] = {}
    for a in site.articles:
        view = views[a.slug]
        month = by_month.setdefault(view["day"][:7], {"title": view["month"], "id": view["day"][:7], "articles": []})
        month["articles"].append(view)
    months = [by_month[m] for m in sorted(by_month, reverse=True)]
    yield emit("archive/index.html", "archive.html",
               page("archive/index.html", "archive", "Archive", "Every article, by month.", months=months))

    # Not found, feed, sitemap, robots, stylesheet.
    yield emit("404.html", "404.html", page("404.html", "404", "Page not found"))
    updated = _iso(_date(site.articles[0])) if site.articles else _iso(_EPOCH)
    feed = {
        "id": site.base_url or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'digest:' + config.site.title)}",
        "title": config.site.title,
        "updated": updated,
        "self_url": site.url("feed.xml"),
        "home_url": site.base_url,
        "author": config.site.author or config.site.title,
    }
    entries = [
        {**views[a.slug], "id": views[a.slug]["abs_url"]
         or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'digest:' + config.site.title + ':' + a.slug)}"}
        for a in site.articles
    ]
    yield emit("feed.xml", "feed.xml", page("feed.xml", "feed", config.site.title, feed=feed, entries=entries))
    urls: list[dict[str, str]] = []
    if site.base_url:
        urls.append({"loc": site.url("index.html"), "lastmod": updated[:10] if site.articles else ""})
        urls += [{"loc": v["abs_url"], "lastmod": v["day"]} for v in views.values()]
        for tag in sorted(tags, key=lambda t: t["slug"]):
            urls.append({"loc": site.url(tag["url"]), "lastmod": _date(tagged[tag["slug"]][0]).date().isoformat()})
        for name in sorted(by_section, key=_section_key):
            slug = site.tag_slug(name)
            urls.append({"loc": site.url(section_path(slug)), "lastmod": _date(by_section[name][0]).date().isoformat()})
        urls.append({"loc": site.url("tags/index.html"), "lastmod": ""})
        urls.append({"loc": site.url("archive/index.html"), "lastmod": ""})
    yield emit("sitemap.xml", "sitemap.xml", page("sitemap.xml", "sitemap", "", urls=urls))
    yield emit("robots.txt", "robots.txt", page("robots.txt", "robots", ""))
    yield emit("style.css", "style.css", page("style.css", "css", ""))


__all__ = [
    "SECTION_ORDER",
    "Site",
    "article_context",
    "article_path",
    "default_theme_dir",
    "index_context",
    "make_environment",
    "make_site",
    "render_site",
    "section_path",
    "site_context",
    "tag_path",
]
