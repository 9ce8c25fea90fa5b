"""Shared fixtures: scratch projects written from strings, and the shared data folder."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "000_9072c0f759936b0b.txt"


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """Write ``{relative path: text or bytes}`` under a temp folder and return the folder."""

    def make(files: dict[str, str | bytes]) -> Path:
        for rel, data in files.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, bytes):
                path.write_bytes(data)
            else:
                path.write_text(data, encoding="utf-8")
        return tmp_path

    return make


@pytest.fixture
def seed_text() -> str:
    """The user's example article (the copy in content/ is byte-identical)."""
    path = REPO / "content" / "2024-07-19-xiaomi-ev-sanctions.txt"
    if not path.exists():
        path = SEED
    return path.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _restore_digest_logger():
    """The CLI installs its own handler on the 'digest' logger; undo it after each test."""
    import logging

    logger = logging.getLogger("digest")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved
