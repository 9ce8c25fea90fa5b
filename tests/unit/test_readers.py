from __future__ import annotations

import codecs
from datetime import datetime, timezone
from pathlib import Path

import pytest

from digest import readers
from digest.discover import discover
from digest.errors import SourceError
from digest.model import SourceFile


def _source(path: Path, root: Path) -> SourceFile:
    return SourceFile(path=path, rel=path.relative_to(root).as_posix(), suffix=path.suffix.lstrip(".").lower(), mtime=0.0)


def _read(root: Path, rel: str):
    return readers.read(_source(root / rel, root))


MD = """---
title: "Harbour <b>buses</b> go electric"
date: 2024-07-18T09:30:00Z
tags: [transport, Port Avalen]
author: Ana Ruiz
source: https://example.org/buses
summary: The city will replace its buses.
---
## The plan

The city will *replace* 40 buses. See [the report](https://example.org/r).

- first item
- second item

> A quote from someone.

<script>alert(1)</script>

[bad](javascript:alert(1))
"""


def test_markdown_front_matter_and_blocks(make_project) -> None:
    root = make_project({"content/2024-07-01-buses.md": MD})
    article, note = _read(root, "content/2024-07-01-buses.md")
    assert note is None
    assert article.title == "Harbour <b>buses</b> go electric"
    assert article.date == datetime(2024, 7, 18, 9, 30, tzinfo=timezone.utc)
    assert article.meta_tags == ("transport", "Port Avalen")
    assert article.byline == "Ana Ruiz"
    assert article.url == "https://example.org/buses"
    assert article.meta_summary == ("The city will replace its buses.",)
    assert article.slug == "buses"
    kinds = [b.kind for b in article.body]
    assert kinds == ["h", "p", "li", "li", "quote", "p", "p"]
    assert article.body[1].html == 'The city will <em>replace</em> 40 buses. See <a href="https://example.org/r">the report</a>.'
    # raw HTML is shown as text, never passed through; javascript: links are not made links
    assert "<script>" not in (article.body[5].html or "")
    assert "&lt;script&gt;" in (article.body[5].html or "")
    assert "href" not in (article.body[6].html or "")
    # a block of plain words keeps one string for its text and its HTML (half the body's memory)
    plain = [b for b in article.body if b.html == b.text]
    assert [b.text for b in plain] == ["The plan", "first item", "second item", "A quote from someone.", "[bad](javascript:alert(1))"]
    assert all(b.html is b.text for b in plain)


def test_markdown_title_from_first_h1_and_slug_from_front_matter(make_project) -> None:
    root = make_project({"content/x.md": "---\nslug: ../../Etc Passwd\n---\n# A Heading\n\nText here.\n"})
    article, _ = _read(root, "content/x.md")
    assert article.title == "A Heading"
    assert [b.text for b in article.body] == ["Text here."]
    assert article.slug == "etc-passwd"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("---\ntitle: ok\ndate: [1, 2\n---\nbody\n", 4, "invalid YAML in front matter"),
        ("---\n- a\n- b\n---\nbody\n", 2, "front matter must be a mapping of keys to values ('key: value' lines), got a list"),
        ("---\ntitle: x\nbody without end\n", 1, "front matter opened with '---' is never closed"),
        ("---\ntitle: x\n\ndate: tomorrow\n---\nbody\n", 4, "front matter 'date': expected a date"),
        ("---\ntags: 5\n---\nbody\n", 2, "front matter 'tags': expected a list of strings, got 5"),
        ("---\ndraft: maybe\n---\nbody\n", 2, "front matter 'draft': expected true or false"),
        # a timestamp YAML reads but that names no real time, in the plain and the full YAML reader
        ("---\ntitle: x\ndate: 2024-07-11T14:00:80Z\n---\nbody\n", 3, "front matter 'date': expected a date"),
        ("---\ntitle: x\ndate: 2024-13-45\n---\nbody\n", 3, "front matter 'date': expected a date"),
        ("---\ntags:\n  - buses\ndate: 2024-02-30\n---\nbody\n", 4, "front matter 'date': expected a date"),
    ],
)
def test_markdown_front_matter_errors_name_file_and_line(make_project, text: str, line: int, message: str) -> None:
    root = make_project({"content/bad.md": text})
    with pytest.raises(SourceError) as info:
        _read(root, "content/bad.md")
    assert info.value.path == "content/bad.md"
    assert info.value.line == line
    assert message in info.value.message
    assert str(info.value).startswith(f"content/bad.md:{line}: ")


def test_text_reader_keeps_raw(make_project) -> None:
    root = make_project({"content/a.txt": "Headline here\nBody line one.\n"})
    article, _ = _read(root, "content/a.txt")
    assert article.format == "text" and article.raw == "Headline here\nBody line one.\n"


def test_decoding(make_project) -> None:
    root = make_project(
        {
            "content/bom.txt": codecs.BOM_UTF8 + "Caf\u00e9 story.\n".encode(),
            "content/u16.txt": codecs.BOM_UTF16_LE + "Caf\u00e9 story.\n".encode("utf-16-le"),
            "content/latin.txt": "Caf\u00e9 story \u2014 \u20ac5.\n".encode("cp1252"),
            "content/crlf.txt": b"One.\r\nTwo.\r\n",
        }
    )
    assert _read(root, "content/bom.txt")[0].raw == "Caf\u00e9 story.\n"
    article, note = _read(root, "content/u16.txt")
    assert article.raw == "Caf\u00e9 story.\n" and "UTF-16" in note
    article, note = _read(root, "content/latin.txt")
    assert article.raw == "Caf\u00e9 story \u2014 \u20ac5.\n" and "Windows-1252" in note
    assert _read(root, "content/crlf.txt")[0].raw == "One.\nTwo.\n"


@pytest.mark.parametrize(("data", "message"), [(b"", "empty file"), (b"  \n\t\n", "empty file"), (b"\x00\x01\x02binary", "binary file")])
def test_unusable_files(make_project, data: bytes, message: str) -> None:
    root = make_project({"content/x.txt": data})
    with pytest.raises(SourceError, match=message):
        _read(root, "content/x.txt")


def test_slug_and_date_from_path() -> None:
    assert readers.slug_from_path("news/2024-07-18-Big Story!.md") == "big-story"
    assert readers.slug_from_path("2024-07-18.md") == "2024-07-18"
    assert readers.date_from_path("a/2024-07-18-x.txt") == datetime(2024, 7, 18, tzinfo=timezone.utc)
    assert readers.date_from_path("2024-13-45-x.txt") is None
    assert readers.date_from_path("story.txt") is None


@pytest.mark.parametrize("url, day", [
    ("https://example.org/2019/11/19/ferries-return.html", datetime(2019, 11, 19, tzinfo=timezone.utc)),
    ("https://example.org/news/2019-11-19/ferries", datetime(2019, 11, 19, tzinfo=timezone.utc)),
    ("https://example.org/2019/1/9/ferries", datetime(2019, 1, 9, tzinfo=timezone.utc)),
    ("https://example.org/2019/11/19", datetime(2019, 11, 19, tzinfo=timezone.utc)),
    ("https://example.org/2019/13/19/ferries", None),  # no month 13
    ("https://example.org/2019/11-19/ferries", None),  # mixed separators
    ("https://example.org/story?from=/2019/11/19/", None),  # the query is not the address's path
    ("https://example.org/2019/11/1999/", None),
    ("https://example.org/ferries", None),
    ("", None),
])
def test_date_from_url(url, day) -> None:
    assert readers.date_from_url(url) == day


def test_discover_sorted_recursive_and_warns(make_project) -> None:
    root = make_project(
        {
            "content/b.md": "x",
            "content/a/z.txt": "x",
            "content/a/.hidden.txt": "x",
            "content/notes.docx": "x",
            "content/draft.md~": "x",
            "content/page.HTM": "x",
        }
    )
    files, warnings = discover(root / "content")
    assert [f.rel for f in files] == ["a/z.txt", "b.md", "page.HTM"]
    assert files[2].suffix == "htm"
    assert [str(w) for w in warnings] == ["notes.docx: skipped: unknown file type '.docx' (expected .txt, .md, .html or .htm)"]


def test_discover_stamps_files_only_once_they_have_settled(make_project) -> None:
    import os

    root = make_project({"content/old.md": "x", "content/new.md": "y"})
    old = root / "content" / "old.md"
    os.utime(old, ns=(10**18, 10**18))  # an mtime long past (its ctime is now: see below)
    files = {f.rel: f for f in discover(root / "content")[0]}
    assert files["new.md"].stamp is None  # written a moment ago: the build stamps it itself
    assert files["old.md"].stamp is None  # utime just changed its ctime
    from digest import cache

    real = cache.STAMP_SETTLE_NS
    cache.STAMP_SETTLE_NS = -10**12
    try:
        files = {f.rel: f for f in discover(root / "content")[0]}
    finally:
        cache.STAMP_SETTLE_NS = real
    info = old.stat()
    assert files["old.md"].stamp == (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def test_discover_missing_folder(tmp_path: Path) -> None:
    files, warnings = discover(tmp_path / "nope")
    assert files == [] and "content folder not found" in warnings[0].message


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc (Linux)")
def test_reading_many_small_files_keeps_no_memory_mapping_each(tmp_path: Path) -> None:
    # A read buffer the size of the limit is a memory mapping of its own, kept after the bytes
    # shrink: at 100,000 files that passed the kernel's ~65,000 mappings and the build died.
    sources = []
    for i in range(400):
        path = tmp_path / f"a{i}.txt"
        path.write_bytes(b"Headline\n\nSome body text. " * 20)
        sources.append(SourceFile(path=path, rel=path.name, suffix="txt", mtime=0.0))

    def mappings() -> int:
        with open("/proc/self/maps", encoding="utf-8") as handle:
            return sum(1 for _ in handle)

    before = mappings()
    kept = [readers.read_bytes(s) for s in sources]
    assert all(len(data) == len(b"Headline\n\nSome body text. " * 20) for data in kept)
    assert mappings() - before < 100


def test_read_bytes_reads_to_the_end_and_never_past_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    data = bytes(range(256)) * 40
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    source = SourceFile(path=path, rel="a.txt", suffix="txt", mtime=0.0)
    assert readers.read_bytes(source) == data
    real_fstat = os.fstat

    def smaller(fd: int) -> os.stat_result:  # the file grew after it was looked at
        info = real_fstat(fd)
        return os.stat_result((info.st_mode, info.st_ino, info.st_dev, info.st_nlink, info.st_uid, info.st_gid, 100,
                               info.st_atime, info.st_mtime, info.st_ctime))

    monkeypatch.setattr(os, "fstat", smaller)
    assert readers.read_bytes(source) == data
    monkeypatch.setattr(readers, "MAX_BYTES", len(data) - 1)
    with pytest.raises(SourceError, match="file too large"):
        readers.read_bytes(source)
    monkeypatch.setattr(readers, "MAX_BYTES", len(data))
    assert readers.read_bytes(source) == data


def test_read_bytes_of_a_folder_says_so(tmp_path: Path) -> None:
    (tmp_path / "x.md").mkdir()
    with pytest.raises(SourceError, match="cannot read: it is a folder, not a file"):
        readers.read_bytes(SourceFile(path=tmp_path / "x.md", rel="x.md", suffix="md", mtime=0.0))


def test_read_bytes_reads_on_after_short_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    data = bytes(range(256)) * 4
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    source = SourceFile(path=path, rel="a.txt", suffix="txt", mtime=0.0)
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: real_read(fd, min(n, 100)))  # at most 100 bytes a call
    assert readers.read_bytes(source) == data
    monkeypatch.setattr(readers, "MAX_BYTES", 400)  # reached exactly by a short read: there is more
    with pytest.raises(SourceError, match="file too large"):
        readers.read_bytes(source)


def test_stem_is_the_path_object_s() -> None:
    import random
    from pathlib import PurePosixPath

    from digest.readers import _stem

    rnd = random.Random(2)
    pieces = ["a", "b", ".", "..", "/", "//", "x.md", ".md", "2024-07-18-", "é", " "]
    for _ in range(5000):
        rel = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 6)))
        if not PurePosixPath(rel).name.endswith("."):  # a name ending in '.': its stem differs between Python versions
            assert _stem(rel) == PurePosixPath(rel).stem, rel
    assert _stem("news/a.b.") == "a.b."  # as Python 3.11: a final '.' is no suffix


def test_slugify_folds_ascii_as_it_folds_any_text() -> None:
    import random
    import re
    import unicodedata

    from digest.slugs import slugify

    def folded(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()).strip("-")

    rnd = random.Random(6)
    for _ in range(3000):
        text = "".join(rnd.choice("aZ9 -_.!\u00e9\u212aK\ufb01") for _ in range(rnd.randint(1, 12)))
        if folded(text) and len(folded(text)) <= 80:
            assert slugify(text) in (folded(text), folded(text) + "-1"), text
