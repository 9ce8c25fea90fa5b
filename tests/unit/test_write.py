from __future__ import annotations

import os
from pathlib import Path

import pytest

from digest.errors import DigestError
from digest.slugs import slugify
from digest.write import safe_relpath, write_site


def test_writes_and_replaces_whole_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site([("index.html", b"one"), ("a/b/index.html", b"two")], out)
    assert (out / "a/b/index.html").read_bytes() == b"two"
    write_site([("index.html", b"new")], out)
    assert (out / "index.html").read_bytes() == b"new"
    assert not (out / "a").exists()  # stale pages do not survive
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temporary folders left


@pytest.mark.parametrize("rel", ["../x.html", "/etc/passwd", "a/../../x", "a\\..\\x", "a/\x00b", "", "a//b", "./a", "a/", "a/."])
def test_unsafe_paths_refused(rel: str) -> None:
    from digest.write import _checked

    with pytest.raises(DigestError):
        safe_relpath(rel)
    with pytest.raises(DigestError):
        _checked(rel)  # the fast check used for every page refuses the same paths


def test_failure_leaves_previous_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site([("index.html", b"old")], out)

    def pages():
        yield "index.html", b"half"
        raise RuntimeError("render crashed")

    with pytest.raises(RuntimeError):
        write_site(pages(), out)
    assert (out / "index.html").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_duplicate_output_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(DigestError, match="same output path"):
        write_site([("a.html", b"1"), ("a.html", b"2")], tmp_path / "site")
    assert not (tmp_path / "site").exists()


def test_leftovers_of_killed_build_removed(tmp_path: Path) -> None:
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    (tmp_path / f".digest-tmp-site-{int(gone.stdout)}").mkdir()  # a build that was killed
    (tmp_path / f".digest-old-site-{os.getpid()}").mkdir()  # this process's own, from an earlier build
    write_site([("index.html", b"x")], tmp_path / "site")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_the_folder_of_a_build_still_running_is_left_alone(tmp_path: Path) -> None:
    import subprocess
    import sys

    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / f".digest-tmp-site-{other.pid}").mkdir()
        (tmp_path / f".digest-tmp-site-{other.pid}" / "index.html").write_bytes(b"being written")
        write_site([("index.html", b"x")], tmp_path / "site")
        assert sorted(p.name for p in tmp_path.iterdir()) == [f".digest-tmp-site-{other.pid}", "site"]
    finally:
        other.kill()
        other.wait()


@pytest.mark.parametrize(
    ("text", "slug"),
    [("Hello, World!", "hello-world"), ("Café Crème", "cafe-creme"), ("../../etc/passwd", "etc-passwd"), ("CON", "con-1"), ("NUL", "nul-1")],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_slugify_never_empty_and_bounded() -> None:
    assert slugify("日本語").startswith("x-")
    assert slugify("!!!") != ""
    assert len(slugify("word " * 100)) <= 80


def test_site_folder_never_missing_during_swap(tmp_path: Path) -> None:
    import threading

    out = tmp_path / "site"
    write_site([("index.html", b"0")], out)
    missing = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if not (out / "index.html").exists():
                missing.append(1)

    thread = threading.Thread(target=watch)
    thread.start()
    for i in range(30):
        write_site([("index.html", str(i).encode())], out)
    stop.set()
    thread.join()
    assert missing == []
