"""The client-side search index: headlines, summaries and tags, inlined as a ``.js`` file.

The site's search page loads ``search-index.js`` with a ``<script>`` tag (not ``fetch``),
so search works with no server and no network, straight from disk (``file://``)
included. The index is one assignment::

    window.DIGEST_SEARCH = {"v": 1, "tags": [...], "sections": [...], "docs": [
        [headline, slug, "YYYY-MM-DD", summary, [tag ids], section id or -1], ...]}

``docs`` are newest first. ``search.js`` (in the theme) ranks them with the same rules
as :func:`search` below, which exists so the ranking can be tested and measured in
Python; keep the two in step.

Ranking: the query is folded (lower case, accents removed, anything but letters and
digits is a space) and split into terms; stop words are dropped unless nothing else is
left. Every term must match a headline, tag or summary word (as the whole word or its
start); each term scores its best field (headline word 10, headline word start 7, tag
word 8, tag word start 5, summary word 3, summary word start 2), and a headline that
contains the whole query gets 5 more. Ties go to the newer article.
"""
from __future__ import annotations

import json
import logging
import re
import unicodedata
from typing import Any, Iterable, Mapping

log = logging.getLogger(__name__)

#: Characters of each summary kept in the index (whole words; "…" marks a cut).
SUMMARY_CHARS = 320
#: Words that only match when the query has nothing else (same list as ``search.js``).
STOP_WORDS = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the to was were will with".split()
)
_SCORES = {"title": (10, 7), "tags": (8, 5), "summary": (3, 2)}
_PHRASE_BONUS = 5


def fold(text: str) -> str:
    """Lower case, no accents, only ``[a-z0-9]`` words separated by single spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:.-–— ") + "…"


def search_row(view: Mapping[str, Any], summary_chars: int = SUMMARY_CHARS) -> tuple:
    """What the index keeps of one article view model (``render.article_context``, or any
    mapping with its ``headline``, ``slug``, ``day``, ``summary_text``, ``standfirst``,
    ``tags`` and ``section``): ``(headline, slug, day, summary cut to summary_chars,
    tag names, section name or None)``. Small, so a build can keep one per article."""
    section = view["section"]
    return (
        view["headline"], view["slug"], view["day"], _cut(view["summary_text"] or view["standfirst"], summary_chars),
        tuple(t["name"] for t in view["tags"]), section["name"] if section else None,
    )


def index_from_rows(rows: Iterable[tuple]) -> dict[str, Any]:
    """The index from :func:`search_row` rows, newest first (tags and sections numbered as met)."""
    tags: dict[str, int] = {}
    sections: dict[str, int] = {}
    docs: list[list[Any]] = []
    for headline, slug, day, summary, tag_names, section in rows:
        tag_ids = [tags.setdefault(name, len(tags)) for name in tag_names]
        section_id = sections.setdefault(section, len(sections)) if section else -1
        docs.append([headline, slug, day, summary, tag_ids, section_id])
    return {"v": 1, "tags": list(tags), "sections": list(sections), "docs": docs}


def build_search_index(views: Iterable[Mapping[str, Any]], summary_chars: int = SUMMARY_CHARS) -> dict[str, Any]:
    """The index from article view models (``render.article_context``), newest first.

    Duplicates stay in: a reader may search for the wording of any source.
    """
    return index_from_rows(search_row(view, summary_chars) for view in views)


def _json(value: Any) -> str:
    """``value`` as compact JSON with ``<``, ``>``, ``&``, U+2028 and U+2029 written as ``\\u`` escapes."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        if raw in text:
            text = text.replace(raw, escaped)
    return text


def search_index_js(index: Mapping[str, Any]) -> bytes:
    """``index`` as a script that sets ``window.DIGEST_SEARCH``.

    ``<``, ``>`` and ``&`` are escaped (``\\u003c``…), so the text is safe even inlined in a page.
    """
    return ("window.DIGEST_SEARCH=" + _json(index) + ";\n").encode("utf-8")


def encode_row(row: tuple) -> tuple[bytes, tuple[str, ...], str | None]:
    """A :func:`search_row` with its headline, slug, day and summary already written as the
    UTF-8 JSON that :func:`search_index_js` gives them (``["headline","slug","day","summary"``,
    escaped alike): :func:`index_script` joins such rows without encoding each one again, so a
    build that changes a few rows of a large index encodes only those, and a row takes a byte
    per ASCII character. ``(json, tag names, section)``."""
    headline, slug, day, summary, tag_names, section = row
    return _json([headline, slug, day, summary])[:-1].encode("utf-8"), tuple(tag_names), section


class _Numbers(dict):
    """Name → its number as written (``b"0"``, ``b"1"``…), numbered in the order first asked for."""

    def __missing__(self, name: Any) -> bytes:
        number = self[name] = b"%d" % len(self)
        return number


def index_script(rows: Iterable[tuple[bytes, tuple[str, ...], str | None]]) -> bytes:
    """``search_index_js(index_from_rows(rows))`` from the same rows made by :func:`encode_row`:
    the same bytes, made as bytes (no text copy of the whole index on the way)."""
    tags, sections = _Numbers(), _Numbers()  # name → its number, as written
    tag_number, section_number = tags.__getitem__, sections.__getitem__
    docs = [b"%s,[%s],%s]" % (head, b",".join(map(tag_number, tag_names)), section_number(section) if section else b"-1")
            for head, tag_names, section in rows]
    start = b"window.DIGEST_SEARCH=" + _json({"v": 1, "tags": list(tags), "sections": list(sections)})[:-1].encode("utf-8")
    start += b',"docs":['
    if not docs:
        return start + b"]};\n"
    docs[0] = start + docs[0]  # one join makes the script: no second copy of the whole index
    docs[-1] += b"]};\n"
    return b",".join(docs)


def _terms(query: str) -> list[str]:
    words = fold(query).split()
    content = [w for w in words if w not in STOP_WORDS]
    return list(dict.fromkeys(content or words))


def _field_score(haystack: str, term: str, whole: int, start: int) -> int:
    if f" {term} " in haystack:
        return whole
    if f" {term}" in haystack:
        return start
    return 0


def search(index: Mapping[str, Any], query: str, limit: int = 20) -> list[int]:
    """Positions in ``index["docs"]`` of the best matches for ``query``, best first."""
    terms = _terms(query)
    if not terms:
        return []
    phrase = " ".join(fold(query).split())
    tag_names = index["tags"]
    scored: list[tuple[int, int]] = []
    for position, doc in enumerate(index["docs"]):
        title = f" {fold(doc[0])} "
        fields = {"title": title, "tags": f" {fold(' '.join(tag_names[t] for t in doc[4]))} ", "summary": f" {fold(doc[3])} "}
        total = 0
        for term in terms:
            best = max(_field_score(fields[name], term, *_SCORES[name]) for name in _SCORES)
            if not best:
                break
            total += best
        else:
            if len(terms) > 1 and f" {phrase} " in title:
                total += _PHRASE_BONUS
            scored.append((total, position))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [position for _, position in scored[:limit]]


__all__ = [
    "STOP_WORDS", "SUMMARY_CHARS", "build_search_index", "encode_row", "fold", "index_from_rows", "index_script", "search",
    "search_index_js", "search_row",
]

