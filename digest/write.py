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
import json
import logging
import os
import shutil
import sys
from pathlib import Path, PurePosixPath
from contextlib import contextmanager, suppress
from typing import Iterable, Iterator

from .errors import DigestError

log = logging.getLogger(__name__)

_TMP_PREFIX = ".digest-tmp-"
_OLD_PREFIX = ".digest-old-"


def _checked(rel: str) -> str:
    """``rel`` itself once :func:`safe_relpath` accepts it (the fast form, for every page)."""
    if not rel or "\x00" in rel or "\\" in rel or rel[0] in "/." or rel[-1] == "/" or "//" in rel or "/." in rel:
        return safe_relpath(rel).as_posix()  # raises with the right message (or accepts a part like ".well-known")
    return rel


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
    with staging(out_dir) as folder:
        for rel, data in pages:
            folder.put(rel, data)
        written = folder.written
    return sorted(written)


def replace_page(out_dir: Path, rel: str, data: bytes) -> bool:
    """Replace one page of a built site in place, atomically (a reader sees the old file or the
    new one, never part of one); only a page that exists already, so no folder is made.
    Returns whether it was written. A build after it sees a file that is not the one it
    wrote (its :data:`Stamp` differs) and makes the page again."""
    target = os.path.join(out_dir, _checked(rel))
    if not os.path.isfile(target) or os.path.islink(target):
        return False
    folder, name = os.path.split(target)
    tmp = os.path.join(folder, f"{_TMP_PREFIX}{name}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except OSError:
        with suppress(OSError):
            os.unlink(tmp)
        return False
    return True


class Staging:
    """The folder a new site is written into, beside the output (see :func:`staging`)."""

    def __init__(self, root: Path, previous: Path, update: bool = False):
        self.root = root
        self.previous = previous  #: the site being replaced (unchanged pages are linked from it)
        self._previous = os.path.join(previous, "")  # with a trailing separator: a page's path is appended
        self.update = update  #: True: only changed pages are written here, then moved into the site
        self.deletes: list[str] = []  #: (update) pages of the previous site that are gone
        self.written: set[str] = set()
        self._folders: set[str] = {""}  # created already: one mkdir per folder, not per page

    def _claim(self, rel: str) -> str:
        """The checked path, refused if another page of this build has it already."""
        key = _checked(rel)
        if key in self.written:
            raise DigestError(f"two pages want the same output path {key!r}")
        self.written.add(key)
        return key

    def _target(self, rel: str) -> str:
        key = self._claim(rel)
        folder = key.rpartition("/")[0]
        if folder not in self._folders:
            parent = folder.rpartition("/")[0]
            if parent in self._folders:  # the usual case (a page's own folder): one mkdir, no look first
                try:
                    os.mkdir(os.path.join(self.root, folder))
                except FileExistsError:
                    pass
            else:
                os.makedirs(os.path.join(self.root, folder), exist_ok=True)
            while folder and folder not in self._folders:
                self._folders.add(folder)
                folder = folder.rpartition("/")[0]
        return os.path.join(self.root, key)

    def put(self, rel: str, data: bytes) -> Stamp:
        """Write one page; returns its :data:`Stamp`."""
        # os.open and os.write: no buffered file object (and its own fstat and isatty calls) per page
        fd = os.open(self._target(rel), _WRITE_FLAGS, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            return _stamp(os.fstat(fd))
        finally:
            os.close(fd)

    def keep(self, rel: str, stamp: Stamp) -> bool:
        """Take the page unchanged from the previous site (a hard link, no copy) if the file
        there is still the one ``stamp`` describes; False (nothing done) otherwise."""
        key = _checked(rel)
        old = self._previous + key
        try:
            st = os.stat(old, follow_symlinks=False)
            if (st.st_size, st.st_ino, st.st_mtime_ns) != stamp:  # see _stamp
                return False
            if self.update:  # the file stays where it is
                if key in self.written:
                    raise DigestError(f"two pages want the same output path {key!r}")
                self.written.add(key)
                return True
            os.link(old, self._target(key), follow_symlinks=False)
        except OSError:
            self.written.discard(key)
            return False
        return True


#: How :meth:`Staging.put` opens a page (as ``open(path, "wb")`` does).
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)

#: What identifies one written file: (size, inode, modification time in ns). A hard link keeps
#: it; writing the file anew, by us or anyone, changes it.
Stamp = tuple[int, int, int]


def _stamp(st: os.stat_result) -> Stamp:
    return (st.st_size, st.st_ino, st.st_mtime_ns)


@contextmanager
def staging(out_dir: Path, update: bool = False) -> Iterator[Staging]:
    """A temporary folder beside ``out_dir`` to write the new site into.

    When the block ends without an error, the new site takes the place of ``out_dir``:
    by default the folder holds the whole site and replaces ``out_dir`` in one step. With
    ``update`` (an incremental build) it holds only the pages that changed: a journal
    is written, then each page is moved into ``out_dir`` (one rename each, so no page is
    ever half-written) and the pages in ``Staging.deletes`` are removed. A build killed
    during those moves leaves the journal, and the next build finishes the moves before
    anything else. On an error the folder is removed and ``out_dir`` is left as it was.
    """
    out_dir = Path(out_dir)
    parent = out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(parent, out_dir.name)
    update = update and out_dir.is_dir() and not out_dir.is_symlink()
    tmp = parent / f"{_TMP_PREFIX}{out_dir.name}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        folder = Staging(tmp, out_dir, update)
        yield folder
        if update:
            _write_journal(tmp, folder.deletes)
        else:
            _swap(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if update:
        _finish_update(tmp, out_dir)


_JOURNAL = ".digest-journal"
_move = os.replace  # one page into the site: atomic, so a reader sees the old file or the new one


def _write_journal(tmp: Path, deletes: list[str]) -> None:
    """Mark the staged pages complete: from here on they are moved in, even after a crash."""
    for rel in deletes:
        safe_relpath(rel)
    part = tmp / (_JOURNAL + ".part")
    part.write_text(json.dumps({"delete": sorted(deletes)}), encoding="utf-8")
    os.replace(part, tmp / _JOURNAL)


def _finish_update(tmp: Path, out_dir: Path) -> None:
    """Move every staged page into ``out_dir``, remove the deleted ones, drop ``tmp``."""
    journal = json.loads((tmp / _JOURNAL).read_text(encoding="utf-8"))
    made: set[str] = set()
    for folder, _, files in os.walk(tmp):
        rel_folder = os.path.relpath(folder, tmp)
        rel_folder = "" if rel_folder == "." else rel_folder
        for name in files:
            if not rel_folder and name.startswith(_JOURNAL):
                continue
            target_folder = os.path.join(out_dir, rel_folder)
            if rel_folder not in made:
                os.makedirs(target_folder, exist_ok=True)
                made.add(rel_folder)
            _move(os.path.join(folder, name), os.path.join(target_folder, name))
    for rel in journal.get("delete", []):
        path = out_dir / safe_relpath(rel)
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        parent = path.parent
        while parent != out_dir:  # drop folders left empty
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
    shutil.rmtree(tmp, ignore_errors=True)


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
    """Remove temporary folders that a killed build left behind (not those of a build of the
    same site running in another process at this moment: its folders end with its pid)."""
    for prefix in (_TMP_PREFIX, _OLD_PREFIX):
        for path in parent.glob(f"{prefix}{name}-*"):
            if _running(path.name.rpartition("-")[2]):
                log.info("leaving %s: the build writing it is still running", path)
                continue
            if prefix == _TMP_PREFIX and (path / _JOURNAL).is_file():
                log.info("finishing the update of %s that a killed build left", parent / name)
                _finish_update(path, parent / name)
                continue
            log.debug("removing leftover %s", path)
            shutil.rmtree(path, ignore_errors=True)


def _running(pid: str) -> bool:
    """Whether ``pid`` (a folder name's suffix) is another process that is alive."""
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (OverflowError, OSError):  # e.g. PermissionError: alive, someone else's process
        return True
    return True
