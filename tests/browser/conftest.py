"""Fixtures for the browser and link tests: a site built from the repository's content/, served.

Browser tests need Playwright (PyPI ``playwright``) and a Chromium binary (Debian's
``chromium`` package: ``/usr/bin/chromium``); without either they are skipped, never failed.
Screenshots go to ``tests/artifacts/`` (git-ignored).
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def chromium_path() -> str | None:
    """Debian's Chromium, or ``$DIGEST_CHROMIUM``; ``None`` when there is none."""
    for candidate in (os.environ.get("DIGEST_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``site/`` built from the repository's own content/ (the sample articles)."""
    from digest.config import load_config, with_overrides
    from digest.pipeline import build

    out = tmp_path_factory.mktemp("browser") / "site"
    config = with_overrides(load_config(root=REPO), output=out)
    result = build(config)
    assert result.articles > 5 and not result.errors, result.errors
    return out


@pytest.fixture(scope="module")
def served_site(built_site: Path) -> Iterator[str]:
    """Base URL (``http://127.0.0.1:<port>/``) of ``built_site`` served by ``digest.serve``."""
    from digest.serve import make_server

    server, _state = make_server(built_site, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    yield f"http://{host}:{port}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A headless Chromium driven by Playwright; skips when either is missing.

    Module-scoped: Playwright's sync API allows one running instance per thread, so it
    must be stopped before another test module starts its own."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium binary (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        try:
            instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as exc:  # a broken or incompatible binary: skip, with the reason
            pytest.skip(f"cannot launch {executable}: {exc}")
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives headless Chromium (skipped without playwright or chromium)")
