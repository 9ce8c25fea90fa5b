"""Hostile and broken content: every case gives a clear message naming the file (and line),
and the rest of the site is still built.

One scratch project holds three good articles and every bad file, and is built once;
each case then checks its exact message and its page (or its absence). Cases that need
their own build (a file deleted mid-build, a template error, huge files) follow.
"""
from __future__ import annotations

import codecs
import logging
import os
import threading
import time
import tracemalloc
from pathlib import Path, PurePosixPath

import pytest

from digest import build, load_config, readers
from digest.errors import DigestError, TemplateError
from digest.model import SourceFile

from ..integration.test_build import HTML, MD, TXT
from ..helpers import read_or_empty, wait_until

GOOD = {
    "content/2024-06-20-northwind.md": MD,
    "content/harbour-buses.txt": TXT,
    "content/marathon.html": HTML,
}
GOOD_PAGES = ("articles/northwind/index.html", "articles/harbour-buses/index.html", "articles/marathon/index.html")
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def _md(title: str, extra: str = "", body: str = "") -> str:
    """A valid Markdown article with front matter; ``extra`` adds front-matter lines."""
    body = body or (
        f"{title} was announced on Monday by the regional council after a long meeting.\n\n"
        "Officials said the plan would be reviewed again next year, and residents were invited to comment.\n"
    )
    return f"---\ntitle: {title}\ndate: 2024-05-01T10:00:00Z\n{extra}---\n{body}"


CAFE_TXT = TXT.replace("Mayor Ilse Varga said", "Mayor Ilse Varga, speaking at the Café Brûlé, said")

# rel path → bytes or text. Every file here is broken or hostile in one way.
BAD: dict[str, str | bytes] = {
    # empty, blank, binary
    "content/bad/empty.md": b"",
    "content/bad/blank.txt": b"  \n\t\n   \n",
    "content/bad/image.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)),
    "content/bad/controls.md": bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 100,
    # encodings
    "content/enc/broken-utf8.txt": CAFE_TXT.encode("utf-8").replace(b"forty diesel", b"forty \xff diesel"),
    "content/enc/windows-1252.txt": TXT.replace("Mayor Ilse Varga said", "Mayor Ilse Varga \u2014 at the Caf\u00e9 \u2014 said").encode("cp1252"),
    "content/enc/latin-1.txt": TXT.replace("Mayor Ilse Varga said", "Mayor Ilse Varga, a na\u00efve caf\u00e9 owner, said").encode("latin-1"),
    "content/enc/utf-16.md": codecs.BOM_UTF16_LE + _md("Sixteen bit harbour plan").encode("utf-16-le"),
    "content/enc/utf-8-bom.md": codecs.BOM_UTF8 + _md("Byte order mark harbour plan").encode("utf-8"),
    # front matter
    "content/fm/unclosed-list.md": "---\ntitle: ok\ndate: [1, 2\n---\nbody\n",
    "content/fm/colon.md": "---\ntitle: ok\nauthor: Ana: Ruiz\n---\nSome body text here.\n",
    "content/fm/bad-indent.md": "---\ntitle: ok\ntags:\n  - a\n - b\n---\nbody\n",
    "content/fm/list.md": "---\n- a\n- b\n---\nbody\n",
    "content/fm/scalar.md": "---\njust a string\n---\nbody\n",
    "content/fm/tomorrow.md": "---\ntitle: ok\n\ndate: tomorrow\n---\nbody\n",
    "content/fm/tags-number.md": "---\ntags: 5\n---\nbody\n",
    "content/fm/title-mapping.md": "---\ntitle: {a: 1}\n---\nbody\n",
    "content/fm/never-closed.md": "---\ntitle: x\nbody without end\n",
    # duplicates
    "content/dup/a/story.md": _md("Harbour ferry timetable changes"),
    "content/dup/b/story.md": _md("Ferry operator adds night crossings"),
    "content/dup/same-title-1.md": _md("Library opening hours extended"),
    "content/dup/same-title-2.md": _md("Library opening hours extended"),
    # escaping site/
    "content/esc/dotdot.md": _md("Dot dot slug", "slug: ../../x\n"),
    "content/esc/absolute.md": _md("Absolute slug", "slug: /etc/passwd\n"),
    "content/esc/reserved.md": _md("Reserved slug", "slug: CON\n"),
    "content/esc/nul.md": _md("Nul byte slug", 'slug: "evil\\0name"\n'),
    "content/esc/only-dots.md": _md("Only dots slug", "slug: ..\n"),
    "content/esc/backslash.md": _md("Backslash slug", 'slug: "..\\\\..\\\\win"\n'),
    "content/esc/fields.md": _md(
        "Hostile fields",
        'section: ../../sections-escape\ntags: ["../../evil", "/abs/tag", "a\\0b", "..", "C:\\\\Windows"]\n'
        "source: javascript:alert(1)\n",
    ),
}

CASES = [
    # (rel, kind, exact message, expected page or None)
    ("bad/empty.md", "error", "bad/empty.md: empty file", None),
    ("bad/blank.txt", "error", "bad/blank.txt: empty file (only whitespace)", None),
    ("bad/image.txt", "error", "bad/image.txt: binary file, not text (NUL bytes)", None),
    ("bad/controls.md", "error", "bad/controls.md: binary file, not text (800 control characters in the first 800 characters)", None),
    ("enc/broken-utf8.txt", "warning", "enc/broken-utf8.txt: invalid UTF-8 at line 4 (1 bad byte sequence replaced with U+FFFD)", "articles/broken-utf8/index.html"),
    ("enc/windows-1252.txt", "warning", "enc/windows-1252.txt: not valid UTF-8 (line 5); decoded as Windows-1252 (detected)", "articles/windows-1252/index.html"),
    ("enc/latin-1.txt", "warning", "enc/latin-1.txt: not valid UTF-8 (line 5); decoded as Windows-1252 (detected)", "articles/latin-1/index.html"),
    ("enc/utf-16.md", "warning", "enc/utf-16.md: decoded as UTF-16 (byte-order mark)", "articles/utf-16/index.html"),
    ("fm/unclosed-list.md", "error", "fm/unclosed-list.md:4: invalid YAML in front matter: expected ',' or ']', but got '<stream end>'", None),
    ("fm/colon.md", "error", "fm/colon.md:3: invalid YAML in front matter: mapping values are not allowed here", None),
    ("fm/bad-indent.md", "error", "fm/bad-indent.md:5: invalid YAML in front matter: expected <block end>, but found '<block sequence start>'", None),
    ("fm/list.md", "error", "fm/list.md:2: front matter must be a mapping of keys to values ('key: value' lines), got a list", None),
    ("fm/scalar.md", "error", "fm/scalar.md:2: front matter must be a mapping of keys to values ('key: value' lines), got the single value 'just a string'", None),
    ("fm/tomorrow.md", "error", "fm/tomorrow.md:4: front matter 'date': expected a date such as 2024-07-18 or 2024-07-18T09:30:00Z, got 'tomorrow'", None),
    ("fm/tags-number.md", "error", "fm/tags-number.md:2: front matter 'tags': expected a list of strings, got 5", None),
    ("fm/title-mapping.md", "error", "fm/title-mapping.md:2: front matter 'title': expected a string, got {'a': 1}", None),
    ("fm/never-closed.md", "error", "fm/never-closed.md:1: front matter opened with '---' is never closed (add a line '---' after it)", None),
    ("dup/b/story.md", "warning", "dup/b/story.md: slug 'story' is already used by dup/a/story.md; using 'story-2'", "articles/story-2/index.html"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Build the project of good and bad files once; yield (root, result, output paths)."""
    root = tmp_path_factory.mktemp("hostile")
    for rel, data in {**GOOD, **BAD, "digest.yaml": "site:\n  title: Hostile\n"}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    # a symlink loop, a link to itself, a folder link back up, and a FIFO
    os.symlink("loop-b.md", root / "content/loop-a.md")
    os.symlink("loop-a.md", root / "content/loop-b.md")
    os.symlink("self.txt", root / "content/self.txt")
    os.symlink("..", root / "content/up")
    os.mkfifo(root / "content/fifo.md")
    result = build(load_config(root / "digest.yaml"))
    site = root / "site"
    outputs = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    return root, result, outputs


def _messages(problems) -> list[str]:
    return [str(p) for p in problems]


@pytest.mark.parametrize(("rel", "kind", "message", "page"), CASES, ids=[c[0] for c in CASES])
def test_bad_file_named_with_exact_message(built, rel: str, kind: str, message: str, page: str | None) -> None:
    root, result, outputs = built
    problems = result.errors if kind == "error" else result.warnings
    assert message in _messages(problems)
    if page is not None:
        assert page in outputs
    # the rest of the site is built whatever this file did
    for good in GOOD_PAGES:
        assert good in outputs


def test_errors_are_exactly_the_bad_files(built) -> None:
    _, result, _ = built
    expected = sorted(c[2] for c in CASES if c[1] == "error")
    assert _messages(result.errors) == expected


def test_decoded_text_is_right(built) -> None:
    root, _, _ = built
    site = root / "site"
    assert "Caf\u00e9 Br\u00fbl\u00e9" in (site / "articles/broken-utf8/index.html").read_text("utf-8")
    assert "Caf\u00e9 \u2014 said" in (site / "articles/windows-1252/index.html").read_text("utf-8")
    assert "na\u00efve caf\u00e9" in (site / "articles/latin-1/index.html").read_text("utf-8")
    assert "Sixteen bit harbour plan" in (site / "articles/utf-16/index.html").read_text("utf-8")
    assert "Byte order mark harbour plan" in (site / "articles/utf-8-bom/index.html").read_text("utf-8")


def test_links_loops_and_fifos_are_skipped_with_a_warning(built) -> None:
    _, result, _ = built
    warnings = _messages(result.warnings)
    assert "loop-a.md: skipped: cannot read: Too many levels of symbolic links" in warnings
    assert "loop-b.md: skipped: cannot read: Too many levels of symbolic links" in warnings
    assert "self.txt: skipped: cannot read: Too many levels of symbolic links" in warnings
    assert "fifo.md: skipped: not a regular file" in warnings
    assert not any(w.startswith("up/") for w in warnings)  # the folder link is not followed


def test_duplicate_slugs_and_titles_all_built(built) -> None:
    _, _, outputs = built
    for page in ("story", "story-2", "same-title-1", "same-title-2"):
        assert f"articles/{page}/index.html" in outputs


def test_nothing_escapes_the_site(built) -> None:
    root, _, outputs = built
    site = root / "site"
    # every file is inside site/, and no path part is '..', empty, absolute or holds NUL/backslash
    for rel in outputs:
        parts = PurePosixPath(rel).parts
        assert all(p not in ("", ".", "..") and "\x00" not in p and "\\" not in p and ":" not in p for p in parts), rel
    for name in ("x", "etc-passwd", "con-1", "evil-name"):
        assert f"articles/{name}/index.html" in outputs
    assert not any(part in WINDOWS_RESERVED for rel in outputs if rel.startswith("articles/") for part in PurePosixPath(rel).parts)
    assert "sections/sections-escape/index.html" in outputs
    assert not (root / "x").exists() and not (root.parent / "x").exists()
    assert sorted(p.name for p in root.iterdir()) == [".digest-cache", "content", "digest.yaml", "site"]
    page = (site / "articles/fields/index.html").read_text("utf-8")
    assert "javascript:" not in page


# -- cases that need their own build ------------------------------------------------------------


def _project(make_project, extra: dict[str, str | bytes] | None = None) -> Path:
    return make_project({**GOOD, "digest.yaml": "", **(extra or {})})


def test_file_deleted_while_the_build_runs(make_project, monkeypatch) -> None:
    root = _project(make_project, {"content/going.md": _md("Soon gone")})
    from digest import pipeline

    found = pipeline.discover

    def discover_then_delete(content):
        result = found(content)
        (root / "content/going.md").unlink()  # gone between discovery and reading
        return result

    monkeypatch.setattr(pipeline, "discover", discover_then_delete)
    result = build(load_config(root / "digest.yaml"))
    assert _messages(result.errors) == ["going.md: cannot read: the file was removed during the build"]
    for page in GOOD_PAGES:
        assert (root / "site" / page).is_file()


def test_unreadable_file(make_project, monkeypatch) -> None:
    root = _project(make_project, {"content/secret.md": _md("Locked away")})
    secret = root / "content/secret.md"
    if os.geteuid() != 0:
        secret.chmod(0)
    else:  # root reads anything: make opening this one path fail as it would for a user
        real_open = os.open

        def deny(path, *args, **kwargs):
            if Path(path) == secret:
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(readers.os, "open", deny)
    try:
        result = build(load_config(root / "digest.yaml"))
    finally:
        secret.chmod(0o644)
    assert _messages(result.errors) == ["secret.md: cannot read: Permission denied"]
    for page in GOOD_PAGES:
        assert (root / "site" / page).is_file()


def test_fifo_swapped_in_after_discovery_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "late.md"
    os.mkfifo(fifo)
    source = SourceFile(path=fifo, rel="late.md", suffix="md", mtime=0.0)
    done: list[BaseException] = []
    thread = threading.Thread(target=lambda: _catch(done, lambda: readers.read(source)), daemon=True)
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive(), "reading a FIFO blocked"
    assert [str(e) for e in done] == ["late.md: cannot read: not a regular file"]


def _catch(sink: list, fn) -> None:
    try:
        fn()
    except DigestError as exc:
        sink.append(exc)


def test_fifty_megabyte_article_refused_quickly_in_bounded_memory(make_project) -> None:
    root = _project(make_project)
    big = root / "content/huge.txt"
    line = b"The harbour council met again on Tuesday to discuss the new buses. " * 100 + b"\n"
    with big.open("wb") as handle:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            handle.write(line)
    assert big.stat().st_size >= 50 * 1024 * 1024
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = build(load_config(root / "digest.yaml"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    seconds = time.perf_counter() - started
    assert _messages(result.errors) == ["huge.txt: file too large (over 5 MB); not read"]
    assert seconds < 20, seconds
    assert peak < 6 * 1024 * 1024 + 40 * 1024 * 1024, peak  # at most one capped read, never the 50 MB
    for page in GOOD_PAGES:
        assert (root / "site" / page).is_file()


def test_jinja_syntax_error_in_user_template_fails_clearly(make_project) -> None:
    root = _project(make_project, {"templates/article.html": '{% extends "default/article.html" %}\n\n{% block content %}\n{% for x in %}\n{% endfor %}{% endblock %}\n'})
    site_before = root / "site"
    with pytest.raises(TemplateError) as info:
        build(load_config(root / "digest.yaml"))
    assert info.value.name == "templates/article.html"
    assert str(info.value) == "templates/article.html:4: Expected an expression, got 'end of statement block'"
    assert not site_before.exists()  # nothing half-written


def test_watch_keeps_watching_after_a_template_error(make_project, caplog) -> None:
    from digest.watch import watch

    root = _project(make_project, {"templates/robots.txt": "User-agent: *\nDisallow: /first/\n"})
    config = load_config(root / "digest.yaml")
    builds: list = []
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(config,), kwargs={"stop": stop, "on_build": builds.append, "debounce": 0.05}, daemon=True)
    caplog.set_level(logging.ERROR, logger="digest")
    thread.start()
    try:
        assert wait_until(lambda: len(builds) == 1)
        time.sleep(0.3)
        (root / "templates/article.html").write_text("{% if %}\n")
        assert wait_until(lambda: len(builds) == 2)
        assert builds[1] is None  # the failed build is reported, not raised
        assert any("templates/article.html:1: " in r.getMessage() and "still watching" in r.getMessage() for r in caplog.records)
        (root / "templates/article.html").unlink()
        (root / "templates/robots.txt").write_text("User-agent: *\nDisallow: /second/\n")
        assert wait_until(lambda: "second" in read_or_empty(root / "site/robots.txt"))
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()


def test_one_megabyte_line_reads_and_cleans_in_linear_time(make_project) -> None:
    """Reading and cleaning a 1 MB single line is bounded (the later stages: see
    /work/notes/requests-reliability.md — the summariser's similarity matrix is quadratic)."""
    from digest import clean

    sentence = "The harbour council voted on Tuesday to replace forty diesel buses with electric ones. "
    root = make_project({"content/line.txt": "Headline of a very long line\n" + sentence * (1024 * 1024 // len(sentence)) + "\n"})
    source = SourceFile(path=root / "content/line.txt", rel="line.txt", suffix="txt", mtime=0.0)
    started = time.perf_counter()
    article, note = readers.read(source)
    article = clean.clean(article, clean.build_context([article]))
    seconds = time.perf_counter() - started
    assert note is None and article.body
    assert seconds < 10, seconds
