"""Small helpers shared by tests that wait on a background build (watch, serve)."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable


def read_or_empty(path: Path) -> str:
    """A page's text, or "" while it is missing (a build may be swapping it)."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Poll ``predicate`` until it holds (True) or ``timeout`` seconds pass (False)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.03)
    return False
