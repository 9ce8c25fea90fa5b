"""Reader for saved web pages (``.html``/``.htm``): metadata from the page's head.

The body is left to ``clean`` (``raw`` keeps the whole page). The page is parsed with
lxml (:func:`digest.clean.parse_page`), and we read, in order of preference:

* title: ``og:title`` / ``twitter:title``, then ``<title>``, then JSON-LD ``headline``,
  then the first ``<h1>``; a trailing " | Site" / " - Site" part is cut;
* date: ``article:published_time`` and similar meta, ``itemprop=datePublished``,
  JSON-LD ``datePublished``, then the first ``<time datetime>``, then the first ``<time>``
  whose text is a date; ISO dates become aware datetimes (UTC when no zone is given). (With
  none, the build takes a day from the file's name or the page's address: see
  :func:`digest.stages.fill_defaults`.)
* byline: ``author`` meta, JSON-LD ``author``, ``rel=author`` links;
* url: ``<link rel=canonical>``, then ``og:url``.
"""
from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Iterable

from ..clean import parse_date_text, parse_page
from ..model import Article, SourceFile
from ..text import normalize

if TYPE_CHECKING:
    from lxml import etree

log = logging.getLogger(__name__)

_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|·|::|»|:)\s+")

_DATE_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "pubdate",
    "publishdate",
    "publish-date",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "article:published",
    "og:published_time",
    "published_time",
    "article:modified_time",
)
_AUTHOR_META = ("author", "article:author", "byl", "dc.creator", "parsely-author", "sailthru.author")
#: "By " before a byline's names: the page's wording, not part of them.
_BY = re.compile(r"^by\s+(?=\S)", re.I)


def _is_name(value: str) -> bool:
    """A byline value that is not an address (some pages give a profile's URL as the author)."""
    return bool(value) and "://" not in value and not value.startswith("www.")


def read_html(source: SourceFile, text: str, slug: str) -> Article:
    """Read title, date, byline and url from the page's head; ``raw`` keeps the page."""
    root = parse_page(text)
    head = root.find("head") if root is not None else None
    meta = _meta(head) if head is not None else {}
    ld = list(_json_ld(root)) if root is not None else []

    site = meta.get("og:site_name", "") or _first(_ld_values(ld, "publisher", "name"))
    title = meta.get("og:title") or meta.get("twitter:title") or ""
    if not title and head is not None:
        element = head.find("title")
        if element is not None:
            title = _text(element)
    if not title:
        title = _first(_ld_values(ld, "headline"))
    if not title and root is not None:
        element = next(root.iter("h1"), None)
        if element is not None:
            title = _text(element)
    title = _cut_site(normalize(title), site)

    date = None
    for key in _DATE_META:
        if meta.get(key):
            date = _parse_date(meta[key])
            if date:
                break
    if date is None and root is not None:
        element = next((e for e in root.iterfind(".//*[@itemprop]") if "datePublished" in e.get("itemprop", "").split()), None)
        if element is not None:
            date = _parse_date(element.get("content") or element.get("datetime"))
    if date is None:
        for value in _ld_values(ld, "datePublished"):
            date = _parse_date(value)
            if date:
                break
    if date is None and root is not None:
        element = next((t for t in root.iter("time") if t.get("datetime")), None)
        if element is not None:
            date = _parse_date(element.get("datetime"))
    if date is None and root is not None:
        # a <time> without a machine-readable value: its text ("November 18, 2019")
        date = next(filter(None, (parse_date_text(_text(t)) for t in root.iter("time"))), None)

    byline = next((meta[key] for key in _AUTHOR_META if _is_name(meta.get(key, ""))), "")
    if not byline:
        byline = _first(_ld_values(ld, "author", "name")) or _first(
            v for v in _ld_values(ld, "author") if isinstance(v, str)
        )
    if not byline and root is not None:
        element = next((a for a in root.iterfind(".//a[@rel]") if "author" in _rel(a)), None)
        if element is not None:
            byline = normalize(_text(element))
    if not byline and _is_name(meta.get("twitter:creator", "").lstrip("@")):
        byline = meta["twitter:creator"]  # a handle: the last resort
    byline = _BY.sub("", normalize(byline))

    url = ""
    if head is not None:
        link = next((lk for lk in head.iter("link") if "canonical" in _rel(lk) and lk.get("href")), None)
        if link is not None:
            url = link.get("href", "").strip()
    url = url or meta.get("og:url", "")

    return Article(
        source=source.rel,
        format="html",
        slug=slug,
        raw=text,
        title=title,
        date=date,
        byline=byline,
        url=url,
    )


def _text(element: etree._Element) -> str:
    """The text of ``element`` and its descendants, parts joined by spaces."""
    return " ".join(element.itertext())


def _rel(element: etree._Element) -> list[str]:
    return (element.get("rel") or "").lower().split()


def _meta(head: etree._Element) -> dict[str, str]:
    """``<meta>`` values by lower-case property/name/itemprop (the first one wins)."""
    out: dict[str, str] = {}
    for tag in head.iter("meta"):
        key = tag.get("property") or tag.get("name") or tag.get("itemprop")
        value = tag.get("content")
        if not key or value is None:
            continue
        key = key.strip().lower()
        if key not in out and value.strip():
            out[key] = normalize(value)
    return out


def _json_ld(root: etree._Element) -> Iterable[dict[str, Any]]:
    """Every JSON-LD object of the page (``@graph`` members and lists flattened)."""
    for script in root.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower() or not script.text:
            continue
        try:
            data = json.loads(script.text.strip().rstrip(";"))
        except ValueError:
            continue
        todo = [data]
        while todo:
            item = todo.pop(0)
            if isinstance(item, list):
                todo.extend(item)
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    todo.extend(item["@graph"])



def _ld_values(objects: list[dict[str, Any]], key: str, sub: str | None = None) -> Iterable[Any]:
    for obj in objects:
        value = obj.get(key)
        values = value if isinstance(value, list) else [value]
        for v in values:
            if v is None:
                continue
            if sub is None:
                yield v
            elif isinstance(v, dict) and isinstance(v.get(sub), str):
                yield v[sub]


def _first(values: Iterable[Any]) -> str:
    for v in values:
        if isinstance(v, str) and v.strip():
            return v.strip()
    return ""


def _cut_site(title: str, site: str) -> str:
    """"Headline | Site" → "Headline" (also " - Site", " — Site"; the site part is the short end)."""
    if not title:
        return title
    if site:
        for sep in (" | ", " - ", " – ", " — ", " · ", " :: ", " » "):
            if title.endswith(sep + site):
                return title[: -len(sep + site)].strip()
            if title.startswith(site + sep):
                return title[len(site + sep) :].strip()
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) >= 2:
        last = parts[-1]
        head = title[: title.rfind(last)].rstrip(" |-–—·:»")
        if len(last.split()) <= 4 and len(head.split()) >= 3 and not re.search(r"\s:\s", title[-len(last) - 3 :]):
            title = head.strip()
    kicker, bar, rest = title.partition(" | ")
    if bar and len(kicker.split()) <= 2 and len(rest.split()) >= 3:
        return rest.strip()  # "Opinion | Republicans Are ...": the section's label before a bar
    return title


def _parse_date(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    except ValueError:
        return parse_date_text(value)
