"""Stage 8: write the rendered pages into a folder beside the output, then swap it in.

``site/`` is never half-written: pages go to a temporary sibling folder, and only
when every page is written does that folder replace ``site/`` (one atomic exchange
of the two folders on Linux, two renames elsewhere). A
crash leaves the old ``site/`` in place and, at worst, a stale temporary folder
that the next build removes.
"""
from __future__ import annotations

import ctypes
import functools
import logging
import os
import shutil
import sys
from pathlib import Path, PurePosixPath
from typing import Iterable

from .errors import DigestError

log = logging.getLogger(__name__)

_TMP_PREFIX = ".digest-tmp-"
_OLD_PREFIX = ".digest-old-"


def safe_relpath(rel: str) -> PurePosixPath:
    """Check that ``rel`` stays inside the output folder; return it as a path.

    Refuses absolute paths, ``..`` parts, empty parts, NUL bytes and backslashes.
    """
    if not rel or "\x00" in rel or "\\" in rel:
        raise DigestError(f"refusing to write unsafe output path {rel!r}")
    path = PurePosixPath(rel)
    if rel.startswith("/") or any(part in ("", ".", "..") for part in rel.split("/")):
        raise DigestError(f"refusing to write output path outside the site: {rel!r}")
    return path


def write_site(pages: Iterable[tuple[str, bytes]], out_dir: Path) -> list[str]:
    """Write every ``(relative path, bytes)`` page, then atomically replace ``out_dir``.

    Returns the relative paths written, sorted. Two pages with one path is an error;
    so is a path that would leave the output folder. On any error the temporary
    folder is removed and ``out_dir`` is left as it was.
    """
    out_dir = Path(out_dir)
    parent = out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(parent, out_dir.name)
    tmp = parent / f"{_TMP_PREFIX}{out_dir.name}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    written: set[str] = set()
    folders: set[str] = {""}  # created already: one mkdir per folder, not per page
    root = str(tmp)
    try:
        for rel, data in pages:
            key = safe_relpath(rel).as_posix()
            if key in written:
                raise DigestError(f"two pages want the same output path {key!r}")
            written.add(key)
            folder = key.rpartition("/")[0]
            if folder not in folders:
                os.makedirs(os.path.join(root, folder), exist_ok=True)
                while folder and folder not in folders:
                    folders.add(folder)
                    folder = folder.rpartition("/")[0]
            with open(os.path.join(root, key), "wb") as handle:
                handle.write(data)
        _swap(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return sorted(written)


def _swap(new: Path, out_dir: Path) -> None:
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise DigestError(f"{out_dir}: output path exists and is not a folder")
    if not out_dir.exists():
        os.replace(new, out_dir)
        return
    if _exchange(new, out_dir):  # one atomic step: out_dir is never missing
        shutil.rmtree(new, ignore_errors=True)  # now holds the previous site
        return
    old = out_dir.parent / f"{_OLD_PREFIX}{out_dir.name}-{os.getpid()}"
    if old.exists():
        shutil.rmtree(old)
    os.replace(out_dir, old)
    try:
        os.replace(new, out_dir)
    except BaseException:
        os.replace(old, out_dir)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    libc = _libc()
    if libc is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


@functools.lru_cache(maxsize=1)
def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        libc.renameat2.restype = ctypes.c_int
    except (OSError, AttributeError):
        return None
    return libc


def _remove_leftovers(parent: Path, name: str) -> None:
    """Remove temporary folders that a killed build left behind."""
    for prefix in (_TMP_PREFIX, _OLD_PREFIX):
        for path in parent.glob(f"{prefix}{name}-*"):
            log.debug("removing leftover %s", path)
            shutil.rmtree(path, ignore_errors=True)
