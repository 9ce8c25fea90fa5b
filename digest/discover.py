"""Stage 1: find the content files, in a stable order."""
from __future__ import annotations

import logging
import os
import stat
import time
from pathlib import Path

from .cache import settled, stamp
from .model import Problem, SourceFile
from .readers import READERS

log = logging.getLogger(__name__)



def is_ignored(name: str) -> bool:
    """Hidden files, editor backups and swap files are never content."""
    return (
        name.startswith((".", "#", "~"))
        or name.endswith(("~", ".swp", ".swx", ".tmp", ".part", ".crdownload"))
        or name == "4913"  # vim's write test file
    )


def _settled_stamp(info: os.stat_result, now_ns: int) -> tuple[int, int, int, int] | None:
    """The file's stamp for :attr:`SourceFile.stamp`; None for a file changed so recently that
    its stamp could miss a change (the build then takes its own, see :func:`digest.cache.settled`)."""
    stamped = stamp(info)
    return stamped if settled(stamped, now_ns) else None


def discover(content_dir: Path) -> tuple[list[SourceFile], list[Problem]]:
    """Walk ``content_dir`` recursively (sorted, symlinked folders not followed) for content files.

    Returns the files and the warnings (unknown suffix, unreadable file). A missing
    content folder is an empty site, reported as a warning.
    """
    files: list[SourceFile] = []
    warnings: list[Problem] = []
    if not content_dir.is_dir():
        warnings.append(Problem(str(content_dir), "content folder not found; building an empty site"))
        return files, warnings
    top = os.fspath(content_dir)
    started = time.time_ns()
    for dirpath, dirnames, filenames in os.walk(content_dir, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not is_ignored(d))
        folder = Path(dirpath)
        inside = os.path.relpath(dirpath, top)
        prefix = "" if inside == "." else inside.replace(os.sep, "/") + "/"
        for name in sorted(filenames):
            if is_ignored(name):
                continue
            rel = prefix + name  # string work, not pathlib: this loop runs once per file of the site
            dot = name.rfind(".")
            suffix = name[dot + 1:].lower() if dot > 0 else ""
            if suffix not in READERS:
                warnings.append(Problem(rel, f"skipped: unknown file type '.{suffix}' (expected .txt, .md, .html or .htm)" if suffix else "skipped: no file suffix"))
                continue
            try:
                info = os.stat(os.path.join(dirpath, name))
            except OSError as exc:
                warnings.append(Problem(rel, f"skipped: cannot read: {exc.strerror or exc}"))
                continue
            if not stat.S_ISREG(info.st_mode):
                warnings.append(Problem(rel, "skipped: not a regular file"))
                continue
            files.append(SourceFile(path=folder / name, rel=rel, suffix=suffix, mtime=info.st_mtime, stamp=_settled_stamp(info, started)))
    files.sort(key=lambda f: f.rel)
    return files, warnings
