"""Stage 2: read a content file into an :class:`Article`, choosing the reader by suffix.

Metadata comes in layers, lowest first: defaults < file name (date prefix, slug) <
the file's own metadata (front matter, HTML meta, a dateline). The file-name layer
is applied by :func:`digest.pipeline.load` after cleaning, once the file's own
metadata is known.
"""
from __future__ import annotations

import codecs
import logging
import re
from datetime import datetime, timezone
from pathlib import PurePosixPath
from typing import Callable

from ..errors import SourceError
from ..model import Article, SourceFile
from ..slugs import slugify
from .markdown import read_markdown
from .text import read_text

log = logging.getLogger(__name__)

_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[-_ ]+|$)")


def _read_html(source: SourceFile, text: str, slug: str) -> Article:
    from .html import read_html  # lxml is only imported when a page is read

    return read_html(source, text, slug)


READERS: dict[str, Callable[[SourceFile, str, str], Article]] = {
    "txt": read_text,
    "md": read_markdown,
    "markdown": read_markdown,
    "html": _read_html,
    "htm": _read_html,
}


def decode(data: bytes, path: str) -> tuple[str, str | None]:
    """Bytes → text. UTF-8 (with or without BOM) and UTF-16 with a BOM are read as such;
    other bytes that are not UTF-8 are read as Windows-1252 and a note says so.
    Binary data and empty files are a :class:`SourceError`.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "decoded as UTF-16 (byte-order mark)"
        except UnicodeDecodeError as exc:
            raise SourceError(path, f"invalid UTF-16 text: {exc.reason}") from exc
    if b"\x00" in data[:8192]:
        raise SourceError(path, "binary file (NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
        note = None
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        note = "not valid UTF-8; decoded as Windows-1252"
    if not text.strip():
        raise SourceError(path, "empty file")
    return text.replace("\r\n", "\n").replace("\r", "\n"), note


def slug_from_path(rel: str) -> str:
    """``news/2024-07-18-big-story.md`` → ``big-story``."""
    stem = PurePosixPath(rel).stem
    return slugify(_DATE_PREFIX.sub("", stem) or stem)


def date_from_path(rel: str) -> datetime | None:
    """The ``YYYY-MM-DD`` prefix of the file name, if any, as midnight UTC."""
    match = _DATE_PREFIX.match(PurePosixPath(rel).stem)
    if not match:
        return None
    try:
        return datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=timezone.utc)
    except ValueError:
        return None


def read(source: SourceFile) -> tuple[Article, str | None]:
    """Read one file. Returns the article and a note for the build log (or None).

    Raises :class:`SourceError` naming the file (and line) when it cannot be used.
    """
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        raise SourceError(source.rel, f"cannot read: {exc.strerror or exc}") from exc
    text, note = decode(data, source.rel)
    reader = READERS.get(source.suffix)
    if reader is None:
        raise SourceError(source.rel, f"no reader for '.{source.suffix}' files")
    article = reader(source, text, slug_from_path(source.rel))
    return article, note
