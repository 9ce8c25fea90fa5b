"""Reader for saved web pages (``.html``/``.htm``): metadata from the page's head.

The body is left to ``clean`` (``raw`` keeps the whole page). Here we read, in order of
preference:

* title: ``og:title`` / ``twitter:title``, then ``<title>``, then JSON-LD ``headline``,
  then the first ``<h1>``; a trailing " | Site" / " - Site" part is cut;
* date: ``article:published_time`` and similar meta, ``itemprop=datePublished``,
  JSON-LD ``datePublished``, then the first ``<time datetime>``; ISO dates become aware
  datetimes (UTC when no zone is given);
* byline: ``author`` meta, JSON-LD ``author``, ``rel=author`` links;
* url: ``<link rel=canonical>``, then ``og:url``.

Only the ``<head>`` (and a few small fragments of the body found by pattern) is given
to BeautifulSoup, so a large page is read quickly.
"""
from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timezone
from typing import Any, Iterable

from bs4 import BeautifulSoup

from ..clean import parse_date_text
from ..model import Article, SourceFile
from ..text import normalize

log = logging.getLogger(__name__)

_HEAD_RE = re.compile(r"<head\b.*?(?:</head\s*>|<body\b)", re.I | re.S)
_NOISE_RE = re.compile(r"<style\b.*?</style\s*>|<!--.*?-->|<script\b(?![^>]*ld\+json)[^>]*>.*?</script\s*>", re.I | re.S)
_LDJSON_RE = re.compile(r"<script\b[^>]*application/ld\+json[^>]*>(.*?)</script\s*>", re.I | re.S)
_H1_RE = re.compile(r"<h1\b[^>]*>(.*?)</h1\s*>", re.I | re.S)
_TIME_RE = re.compile(r"<time\b[^>]*\bdatetime\s*=\s*[\"']([^\"']+)[\"']", re.I)
_ITEMPROP_DATE_RE = re.compile(
    r"<[a-z]+\b[^>]*\bitemprop\s*=\s*[\"']datePublished[\"'][^>]*>", re.I
)
_REL_AUTHOR_RE = re.compile(r"<a\b[^>]*\brel\s*=\s*[\"']?author\b[^>]*>(.*?)</a\s*>", re.I | re.S)
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
    "og:published_time",
    "published_time",
    "article:modified_time",
)
_AUTHOR_META = ("author", "article:author", "byl", "dc.creator", "parsely-author", "sailthru.author", "twitter:creator")


def read_html(source: SourceFile, text: str, slug: str) -> Article:
    """Read title, date, byline and url from the page's head; ``raw`` keeps the page."""
    head_match = _HEAD_RE.search(text)
    head_html = _NOISE_RE.sub(" ", head_match.group(0)) if head_match else ""
    soup = BeautifulSoup(head_html, "html.parser") if head_html else None
    meta = _meta(soup) if soup is not None else {}
    ld = list(_json_ld(text))

    site = meta.get("og:site_name", "") or _first(_ld_values(ld, "publisher", "name"))
    title = meta.get("og:title") or meta.get("twitter:title") or ""
    if not title and soup is not None and soup.title is not None:
        title = soup.title.get_text(" ")
    if not title:
        title = _first(_ld_values(ld, "headline"))
    if not title:
        m = _H1_RE.search(text)
        if m:
            title = BeautifulSoup(m.group(1), "html.parser").get_text(" ")
    title = _cut_site(normalize(title), site)

    date = None
    for key in _DATE_META:
        if meta.get(key):
            date = _parse_date(meta[key])
            if date:
                break
    if date is None:
        m = _ITEMPROP_DATE_RE.search(text)
        if m:
            attr = re.search(r"\b(?:content|datetime)\s*=\s*[\"']([^\"']+)[\"']", m.group(0), re.I)
            if attr:
                date = _parse_date(attr.group(1))
    if date is None:
        for value in _ld_values(ld, "datePublished"):
            date = _parse_date(value)
            if date:
                break
    if date is None:
        m = _TIME_RE.search(text)
        if m:
            date = _parse_date(m.group(1))

    byline = ""
    for key in _AUTHOR_META:
        value = meta.get(key, "")
        if value and not value.startswith(("http://", "https://")) and not (key == "twitter:creator" and byline):
            byline = value
            break
    if not byline:
        byline = _first(_ld_values(ld, "author", "name")) or _first(
            v for v in _ld_values(ld, "author") if isinstance(v, str)
        )
    if not byline:
        m = _REL_AUTHOR_RE.search(text)
        if m:
            byline = BeautifulSoup(m.group(1), "html.parser").get_text(" ")
    byline = normalize(byline)

    url = ""
    if soup is not None:
        link = soup.find("link", rel=lambda v: v and "canonical" in (v if isinstance(v, list) else [v]))
        if link is not None and link.get("href"):
            url = str(link["href"]).strip()
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


def _meta(soup: BeautifulSoup) -> dict[str, str]:
    """``<meta>`` values by lower-case property/name/itemprop (the first one wins)."""
    out: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = tag.get("property") or tag.get("name") or tag.get("itemprop")
        value = tag.get("content")
        if not key or value is None:
            continue
        key = str(key).strip().lower()
        if key not in out and str(value).strip():
            out[key] = normalize(str(value))
    return out


def _json_ld(page: str) -> Iterable[dict[str, Any]]:
    """Every JSON-LD object of the page (``@graph`` members and lists flattened)."""
    for m in _LDJSON_RE.finditer(page):
        try:
            data = json.loads(m.group(1).strip().rstrip(";"))
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
            return head.strip()
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
