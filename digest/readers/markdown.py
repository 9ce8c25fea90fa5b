"""Reader for Markdown with optional YAML front matter (``.md``), via markdown-it-py.

Raw HTML in Markdown is not rendered (it is shown as text), and markdown-it's link
validation refuses ``javascript:``, ``vbscript:``, ``file:`` and most ``data:`` URLs.
As defence in depth, the inline HTML kept in :class:`Block` is also passed through the
nh3 allow-list (:func:`digest.readers.sanitize.sanitize_html`) before it is stored.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

from ..errors import SourceError
from ..model import Article, Block, SourceFile
from ..slugs import slugify
from . import frontmatter
from .sanitize import sanitize_html

KNOWN_KEYS = ("title", "date", "tags", "author", "source", "url", "summary", "draft", "slug", "section", "standfirst")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # The raw-HTML rules only return False while "html" is off: not asked at all, the tokens are the same.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("strikethrough")
    return md.disable(["html_block", "html_inline"])


#: Characters that the HTML of a run of text escapes (but '"') or the sanitiser would change.
_NOT_PLAIN = re.compile("[&<>\u00a0\ufeff\x00\r]")


def _text_html(text: str) -> str:
    """The sanitised HTML of a run of plain text (markdown-it's rendering of one text token):
    the text itself unless it holds a character that escaping or the sanitiser changes (the
    escaped '"' is turned back by the sanitiser)."""
    return sanitize_html(escapeHtml(text)) if _NOT_PLAIN.search(text) else text


def read_markdown(source: SourceFile, text: str, slug: str) -> Article:
    """Front matter → metadata (checked types, file-line errors); Markdown → body blocks."""
    meta, body, body_line = frontmatter.split(text, source.rel)
    fields = _check_meta(meta, text, source.rel)
    blocks = _blocks(body)
    title = fields.pop("title", "")
    slug = fields.pop("slug", slug)
    if not title and blocks and blocks[0][0] == 1:
        title = blocks[0][1].text
        blocks = blocks[1:]
    return Article(
        source=source.rel,
        format="markdown",
        slug=slug,
        raw=body,
        title=title,
        body=tuple(b for _, b in blocks),
        **fields,
    )


def _check_meta(meta: dict[str, Any], text: str, path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}

    def fail(key: str, expected: str) -> SourceError:
        value = meta[key]
        return SourceError(path, f"front matter '{key}': expected {expected}, got {value!r}", line=frontmatter.key_line(text, key))

    for key in ("title", "author", "source", "url", "section", "standfirst", "slug"):
        if key in meta and meta[key] is not None:
            if not isinstance(meta[key], (str, int, float)) or isinstance(meta[key], bool):
                raise fail(key, "a string")
    if meta.get("title") is not None:
        out["title"] = str(meta["title"]).strip()
    if meta.get("author") is not None:
        out["byline"] = str(meta["author"]).strip()
    url = meta.get("source") if meta.get("source") is not None else meta.get("url")
    if url is not None:
        out["url"] = str(url).strip()
    if meta.get("slug") is not None:
        out["slug"] = slugify(str(meta["slug"]))
    if meta.get("section") is not None:
        out["meta_section"] = str(meta["section"]).strip()
    if meta.get("standfirst") is not None:
        out["standfirst"] = str(meta["standfirst"]).strip()
    if "date" in meta and meta["date"] is not None:
        parsed = frontmatter.parse_date(meta["date"])
        if parsed is None:
            raise fail("date", "a date such as 2024-07-18 or 2024-07-18T09:30:00Z")
        out["date"] = parsed
    if "tags" in meta and meta["tags"] is not None:
        tags = meta["tags"]
        if isinstance(tags, str):
            tags = [t for t in (p.strip() for p in tags.split(",")) if t]
        if not isinstance(tags, list) or not all(isinstance(t, (str, int, float)) and not isinstance(t, bool) for t in tags):
            raise fail("tags", "a list of strings")
        out["meta_tags"] = tuple(str(t).strip() for t in tags if str(t).strip())
    if "summary" in meta and meta["summary"] is not None:
        summary = meta["summary"]
        if isinstance(summary, str):
            summary = [summary]
        if not isinstance(summary, list) or not all(isinstance(s, str) for s in summary):
            raise fail("summary", "a string or a list of sentences")
        out["meta_summary"] = tuple(" ".join(s.split()) for s in summary if s.strip())
    if "draft" in meta and meta["draft"] is not None:
        if not isinstance(meta["draft"], bool):
            raise fail("draft", "true or false")
        out["draft"] = meta["draft"]
    return out


def _plain(inline: Token) -> str:
    parts: list[str] = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)
    return " ".join("".join(parts).split())


def _blocks(body: str) -> list[tuple[int, Block]]:
    """Markdown → (heading level or 0, Block) pairs in document order."""
    plain = _plain_paragraphs(body)
    return plain if plain is not None else _parsed_blocks(body)


#: White space other than the space (every other character :meth:`str.isspace` accepts), as
#: the inside of a character class: a line with one is not kept as it is.
_ODD_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: A character that keeps a line from being a paragraph markdown-it reads as one run of text:
#: one an inline rule starts at (escape, code, strike-through, emphasis, autolink; a link
#: needs '](' as well, see :func:`_plain_paragraphs`), white space but the space, or one
#: :data:`_NOT_PLAIN` names but '&'. One character class: a scan as fast as a search for one
#: character, where splitting the line at white space to compare took longer than it.
_NOT_RUN = re.compile(f"[\\\\`*_~<>\ufeff\x00{_ODD_SPACE}]")
#: An entity ('&amp;', '&#38;') needs a ';' after the '&'.
_ENTITY = re.compile(r"&[^;]*;")
#: The start of an ordered list item.
_LIST_NUMBER = re.compile(r"\d{1,9}[.)]")
#: First characters that start no block (heading, list, quote, fence, rule, code, reference).
_PLAIN_START = "\"'(“‘£$€"


def _plain_paragraphs(body: str) -> list[tuple[int, Block]] | None:
    """The blocks of a body that is only one-line paragraphs of plain text between blank lines
    (most articles), found without markdown-it: each is what :func:`_parsed_blocks` makes of
    it. None for any other body.

    Brackets are plain text here: no line starts with '[', so the body defines no link
    reference and '[a]' links nowhere; only '[a](b)' (and '![a](b)') would be a link."""
    out: list[tuple[int, Block]] = []
    previous = ""
    for line in body.split("\n"):
        if line:
            if (previous or not (line[0].isalnum() or line[0] in _PLAIN_START) or line[-1] == " " or "  " in line
                    or _NOT_RUN.search(line) or "](" in line or (line[0].isdigit() and _LIST_NUMBER.match(line))
                    or ("&" in line and _ENTITY.search(line))):
                return None
            # only '&' of :data:`_NOT_PLAIN` can be left in the line
            out.append((0, Block("p", line, _text_html(line) if "&" in line else line)))
        previous = line
    return out


def _parsed_blocks(body: str) -> list[tuple[int, Block]]:
    """:func:`_blocks` by markdown-it's tokens."""
    md = _parser()
    tokens = md.parse(body)
    out: list[tuple[int, Block]] = []
    context: list[str] = []  # enclosing containers: "li", "quote"
    heading_level = 0
    for index, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            continue
        if token.type == "list_item_open":
            context.append("li")
        elif token.type == "blockquote_open":
            context.append("quote")
        elif token.type in ("list_item_close", "blockquote_close"):
            if context:
                context.pop()
        elif token.type == "heading_open":
            heading_level = int(token.tag[1])
        elif token.type == "inline":
            children = token.children or []
            if len(children) == 1 and children[0].type == "text":  # one run of text (most paragraphs)
                text = " ".join(children[0].content.split())
                html = _text_html(children[0].content.strip()) if text else ""
            else:
                text = _plain(token)
                html = sanitize_html(md.renderer.renderInline(children, md.options, {}).strip()) if text else ""
            if not text:
                continue
            if html == text:  # plain words (most paragraphs): one string kept, not two equal ones
                html = text
            previous = tokens[index - 1].type if index else ""
            if previous == "heading_open":
                out.append((heading_level, Block("h", text, html)))
            elif previous == "th_open" or previous == "td_open":
                out.append((0, Block("p", text, html)))
            else:
                kind = context[-1] if context else "p"
                out.append((0, Block(kind, text, html)))
        elif token.type in ("fence", "code_block"):
            code = token.content.rstrip("\n")
            if code.strip():
                out.append((0, Block("pre", code)))
    return out


__all__ = ["read_markdown", "KNOWN_KEYS", "SourceError"]
