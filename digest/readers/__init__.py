"""Stage 2: read a content file into an :class:`Article`, choosing the reader by suffix.

Metadata comes in layers, lowest first: defaults < file name (date prefix, slug) <
the file's own metadata (front matter, HTML meta, a dateline). The file-name layer
is applied by :func:`digest.pipeline.load` after cleaning, once the file's own
metadata is known.
"""
from __future__ import annotations

import codecs
import logging
import os
import re
import stat
import unicodedata
from datetime import datetime, timezone
from pathlib import PurePosixPath
from typing import Callable
from urllib.parse import urlsplit

from ..errors import SourceError
from ..model import Article, SourceFile
from ..slugs import slugify
from .markdown import read_markdown
from .text import read_text

log = logging.getLogger(__name__)

_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[-_ ]+|$)")
#: A day in an address's path: "/2019/11/19/" or "/2019-11-19/" (the year 19xx or 20xx).
_URL_DATE = re.compile(r"/((?:19|20)\d\d)([/-])(\d\d?)\2(\d\d?)(?=[/._-]|$)")


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


#: Files larger than this are refused before they are read: a news article is tens of
#: kilobytes, and the stages after reading grow with the article's length.
MAX_BYTES = 5 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", None),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
#: Control characters that never occur in text (tab, newlines and form feed are allowed).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
#: Other line and page breaks become a plain newline, so every later stage sees one kind.
_LINE_BREAKS = str.maketrans({"\r": "\n", "\x0b": "\n", "\x0c": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"})
_OTHER_BREAK = re.compile("[\r\x0b\x0c\x85\u2028\u2029]")
#: Any character :func:`decode` removes or translates (those of the two patterns above).
_ANY_ODD = re.compile("[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
def decode(data: bytes, path: str) -> tuple[str, str | None]:
    """Bytes → text, and a note naming the encoding when it was not plain UTF-8.

    In order: a byte-order mark (UTF-8, UTF-16, UTF-32); strict UTF-8; the ``<meta charset>``
    of a saved page; mostly-UTF-8 with a few bad bytes (replaced by U+FFFD, the first bad
    line is named); otherwise the encoding charset-normalizer detects (Windows-1252 among
    look-alike Latin code pages). Empty files and binary data are a :class:`SourceError`.
    Line endings become ``\\n``; stray control characters are removed.
    """
    text, note = _decode(data, path)
    if _ANY_ODD.search(text):  # most files have nothing to remove or translate: one scan
        text = _tidy(text, path)
    if not text or text.isspace():
        raise SourceError(path, "empty file" if not data else "empty file (only whitespace)")
    return text, note


def _tidy(text: str, path: str) -> str:
    """``text`` with ``\\n`` line endings and without stray control characters; binary data is a
    :class:`SourceError`."""
    sample = text[:65536]
    controls = len(_CONTROL.findall(sample))
    if controls > max(8, len(sample) // 100):
        raise SourceError(path, f"binary file, not text ({controls} control characters in the first {len(sample)} characters)")
    text = text.replace("\r\n", "\n")
    if _OTHER_BREAK.search(text):  # translate() looks up every character: only when needed
        text = text.translate(_LINE_BREAKS)
    if controls or _CONTROL.search(text):  # a few stray control characters (not binary): never text
        text = _CONTROL.sub("", text)
    return text


def _decode(data: bytes, path: str) -> tuple[str, str | None]:
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), (f"decoded as {name} (byte-order mark)" if name else None)
            except UnicodeDecodeError as exc:
                raise SourceError(path, f"invalid {name or 'UTF-8'} text at byte {exc.start}: {exc.reason}") from exc
    if b"\x00" in data[:8192]:
        raise SourceError(path, "binary file, not text (NUL bytes)")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    declared = _declared_charset(data, path)
    if declared:
        try:
            return data.decode(declared), f"not UTF-8; decoded as {_display(declared)} (declared by the page)"
        except (UnicodeDecodeError, LookupError):
            pass
    line = data.count(b"\n", 0, first_bad) + 1
    replaced = data.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    multibyte = sum(1 for ch in replaced if ord(ch) > 0x7F and ch != "\ufffd")
    if multibyte >= bad:  # mostly UTF-8: keep it, mark the few bad bytes
        return replaced, f"invalid UTF-8 at line {line} ({bad} bad byte sequence{'s' if bad != 1 else ''} replaced with U+FFFD)"
    encoding = _detect(data)
    if encoding is None:
        raise SourceError(path, "binary file, not text (no text encoding fits)")
    return data.decode(encoding, errors="replace"), f"not valid UTF-8 (line {line}); decoded as {_display(encoding)} (detected)"


def _declared_charset(data: bytes, path: str) -> str | None:
    if not path.lower().endswith((".html", ".htm")):
        return None
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    name = match[1].decode("ascii", "ignore").lower()
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # the web reads a "latin-1" label as windows-1252; a "utf-8" label on non-UTF-8 bytes is wrong
    return {"iso8859-1": "cp1252", "latin-1": "cp1252", "iso-8859-1": "cp1252"}.get(codec, codec) if codec != "utf-8" else None


def _detect(data: bytes) -> str | None:
    """The encoding charset-normalizer finds for ``data`` (None: no encoding fits)."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000]).best()
    if best is None:
        return None
    encoding = best.encoding
    # Detectors confuse the single-byte Latin code pages on short texts (and guess UTF-16
    # without a BOM); when the guess reads as Latin script, Windows-1252 (the web's
    # default for unlabelled Western text) wins if it fits.
    if encoding.startswith(("utf_16", "utf_32")) or _latin_script(str(best)):
        try:
            data.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            pass
    return encoding


def _latin_script(text: str) -> bool:
    letters = [c for c in text if ord(c) > 0x7F and c.isalpha()]
    latin = sum(1 for c in letters if unicodedata.name(c, "").startswith("LATIN"))
    return latin >= 0.8 * len(letters)


def _display(codec: str) -> str:
    names = {"cp1252": "Windows-1252", "cp1250": "Windows-1250", "cp1251": "Windows-1251", "latin_1": "ISO-8859-1"}
    return names.get(codec.replace("-", "_"), codec.replace("_", "-").upper())


def slug_from_path(rel: str) -> str:
    """``news/2024-07-18-big-story.md`` → ``big-story``."""
    stem = _stem(rel)
    return slugify(_DATE_PREFIX.sub("", stem) or stem)


def _stem(rel: str) -> str:
    """``PurePosixPath(rel).stem`` (as Python 3.11 has it), by string methods for a path
    whose last part is a name, as every path found in ``content/`` is (a path object for
    every file read took as long as the rest of the slug)."""
    name = rel.rpartition("/")[2]
    if name in ("", "."):
        return PurePosixPath(rel).stem
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def date_from_path(rel: str) -> datetime | None:
    """The ``YYYY-MM-DD`` prefix of the file name, if any, as midnight UTC."""
    match = _DATE_PREFIX.match(_stem(rel))
    return _midnight(match[1], match[2], match[3]) if match else None


def date_from_url(url: str) -> datetime | None:
    """The day a news address carries in its path ("/2019/11/19/story", "/2019-11-19/story"),
    if any, as midnight UTC."""
    match = _URL_DATE.search(urlsplit(url).path) if url else None
    return _midnight(match[1], match[3], match[4]) if match else None


def _midnight(year: str, month: str, day: str) -> datetime | None:
    """Midnight UTC of the day, or None for a day that does not exist ("2024-02-30")."""
    try:
        return datetime(int(year), int(month), int(day), tzinfo=timezone.utc)
    except ValueError:
        return None


def read(source: SourceFile, data: bytes | None = None) -> tuple[Article, str | None]:
    """Read one file (or its ``data``, already read by :func:`read_bytes`). Returns the
    article and a note for the build log (or None).

    Raises :class:`SourceError` naming the file (and line) when it cannot be used.
    """
    if data is None:
        data = read_bytes(source)
    text, note = decode(data, source.rel)
    reader = READERS.get(source.suffix)
    if reader is None:
        raise SourceError(source.rel, f"no reader for '.{source.suffix}' files")
    article = reader(source, text, slug_from_path(source.rel))
    return article, note


def read_bytes(source: SourceFile) -> bytes:
    """The file's bytes, at most :data:`MAX_BYTES` (a bigger file is refused, never read whole)."""
    try:
        # non-blocking, so a FIFO put in place of a file cannot hang the build
        fd = os.open(source.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        try:  # os.read on the descriptor: no file object to make and close for each file
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise IsADirectoryError
            if not stat.S_ISREG(info.st_mode):
                raise SourceError(source.rel, "cannot read: not a regular file")
            # Ask for the size the file has (+1 to see it grow), not for MAX_BYTES: a buffer that
            # big is its own memory mapping, shrunk but kept, and a process may only have ~65,000
            # (100,000 files failed with MemoryError).
            want = min(info.st_size, MAX_BYTES) + 1
            data = os.read(fd, want)
            while len(data) <= MAX_BYTES:  # until the end of the file, never past the limit
                more = os.read(fd, (want if len(data) < want else MAX_BYTES + 1) - len(data))
                if not more:
                    break
                data += more
        finally:
            os.close(fd)
    except FileNotFoundError as exc:
        raise SourceError(source.rel, "cannot read: the file was removed during the build") from exc
    except IsADirectoryError as exc:
        raise SourceError(source.rel, "cannot read: it is a folder, not a file") from exc
    except OSError as exc:
        raise SourceError(source.rel, f"cannot read: {exc.strerror or exc}") from exc
    if len(data) > MAX_BYTES:
        raise SourceError(source.rel, f"file too large (over {MAX_BYTES // (1024 * 1024)} MB); not read")
    return data
