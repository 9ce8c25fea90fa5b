"""Tests for digest.write.Staging.put: bytes, folders and stamps."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from digest import write
from digest.errors import DigestError


def test_put_writes_bytes_makes_folders_and_returns_the_stamp(tmp_path: Path):
    folder = write.Staging(tmp_path / "new", tmp_path / "old")
    (tmp_path / "new").mkdir()
    data = b"<p>\xc3\xa9</p>\n" * 5000  # larger than one write buffer
    stamps = {rel: folder.put(rel, data + rel.encode()) for rel in
              ("index.html", "articles/a/index.html", "articles/b/index.html", "tags/x/page/2/index.html")}
    for rel, stamp in stamps.items():
        path = tmp_path / "new" / rel
        assert path.read_bytes() == data + rel.encode()
        st = os.stat(path)
        assert stamp == (st.st_size, st.st_ino, st.st_mtime_ns)
    with pytest.raises(DigestError, match="same output path"):
        folder.put("articles/a/index.html", b"again")


def test_put_into_a_folder_that_exists_already(tmp_path: Path):
    (tmp_path / "new" / "articles" / "a").mkdir(parents=True)
    folder = write.Staging(tmp_path / "new", tmp_path / "old")
    folder.put("articles/a/index.html", b"x")
    folder.put("articles/b/c/index.html", b"y")
    assert (tmp_path / "new" / "articles" / "a" / "index.html").read_bytes() == b"x"
    assert (tmp_path / "new" / "articles" / "b" / "c" / "index.html").read_bytes() == b"y"
