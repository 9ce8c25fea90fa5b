"""The preview server under attack and under rebuilds; watch mode under editor save patterns."""
from __future__ import annotations

import http.client
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from digest import build, load_config
from digest.config import with_overrides
from digest.serve import RELOAD_SCRIPT, make_server
from digest.watch import watch
from digest.write import write_site

from ..integration.test_build import MD, TXT
from .test_crash import tree


def _get(port: int, path: str, method: str = "GET") -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path)
    resp = conn.getresponse()
    return resp.status, dict(resp.getheaders()), resp.read()


@pytest.fixture
def site_server(tmp_path: Path):
    site = tmp_path / "site"
    pages = {"index.html": b"<html><body>front</body></html>", "404.html": b"<html><body>Our own 404</body></html>",
             "style.css": b"body{}", "feed.xml": b"<?xml version='1.0'?><feed/>", "robots.txt": b"User-agent: *\n",
             "search-index.js": b"var x=1;", "articles/a/index.html": b"<html><body>A</body></html>"}
    write_site(pages.items(), site)
    (tmp_path / "secret.txt").write_text("top secret")
    os.symlink(tmp_path / "secret.txt", site / "link.txt")
    httpd, state = make_server(site, "127.0.0.1", 0)
    assert httpd.server_address[0] == "127.0.0.1"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1], site, tmp_path
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    ("path", "ctype"),
    [("/", "text/html; charset=utf-8"), ("/style.css", "text/css; charset=utf-8"), ("/feed.xml", "application/xml; charset=utf-8"),
     ("/robots.txt", "text/plain; charset=utf-8"), ("/search-index.js", "text/javascript; charset=utf-8"),
     ("/articles/a/", "text/html; charset=utf-8"), ("/articles/a/index.html?x=1", "text/html; charset=utf-8")],
)
def test_content_types(site_server, path: str, ctype: str) -> None:
    port, _, _ = site_server
    status, headers, _ = _get(port, path)
    assert status == 200 and headers["Content-Type"] == ctype
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    ["/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/secret.txt", "/articles/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt",
     "/%2e%2e%2fsecret.txt", "//secret.txt", "/" + "/tmp/secret.txt", "/link.txt", "/%00", "/nothing-here", "/articles/zz/"],
)
def test_traversal_and_misses_get_the_sites_404(site_server, path: str) -> None:
    port, _, _ = site_server
    status, headers, body = _get(port, path)
    assert status == 404
    assert b"top secret" not in body
    assert b"Our own 404" in body and RELOAD_SCRIPT.encode() in body


def test_concurrent_requests_during_rebuilds_get_whole_pages(site_server) -> None:
    port, site, _ = site_server
    versions = [(f"<html><body>{'v%d ' % i * 5000}</body></html>").encode() for i in range(2)]
    stop = threading.Event()

    def rebuild() -> None:
        i = 0
        while not stop.is_set():
            write_site([("index.html", versions[i % 2]), ("404.html", b"<html><body>Our own 404</body></html>")], site)
            i += 1

    write_site([("index.html", versions[1]), ("404.html", b"<html><body>Our own 404</body></html>")], site)
    writer = threading.Thread(target=rebuild)
    writer.start()
    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(lambda _: _get(port, "/"), range(200)))
    finally:
        stop.set()
        writer.join()
    whole = {v.replace(b"</body>", RELOAD_SCRIPT.encode() + b"</body>") for v in versions}
    bad = [(status, body[:60], len(body)) for status, _, body in results if status != 200 or body not in whole]
    assert bad == [], "a response held a missing or half-written page"


# -- watch mode under editor save patterns --------------------------------------------------------


def _settle(root: Path, builds: list, quiet: float = 0.8, timeout: float = 15.0) -> None:
    """Wait until no build has happened for ``quiet`` seconds."""
    end = time.monotonic() + timeout
    count, since = len(builds), time.monotonic()
    while time.monotonic() < end:
        time.sleep(0.05)
        if len(builds) != count:
            count, since = len(builds), time.monotonic()
        elif time.monotonic() - since > quiet:
            return


def test_editor_save_patterns_never_lose_a_change(make_project) -> None:
    root = make_project({"content/2024-06-20-northwind.md": MD, "content/buses.txt": TXT, "digest.yaml": "", "elsewhere/.keep": ""})
    config = load_config(root / "digest.yaml")
    builds: list = []
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(config,), kwargs={"stop": stop, "on_build": builds.append, "debounce": 0.1}, daemon=True)
    thread.start()
    try:
        end = time.monotonic() + 10
        while not builds and time.monotonic() < end:
            time.sleep(0.05)
        time.sleep(0.3)
        content = root / "content"
        # 1. write to a temp file, then rename over the original (most editors)
        tmp = content / ".buses.txt.tmp"
        tmp.write_text(TXT.replace("forty diesel buses", "forty-one diesel buses"))
        os.replace(tmp, content / "buses.txt")
        # 2. vim: swap file, backup rename, write new, remove backup
        (content / ".2024-06-20-northwind.md.swp").write_bytes(b"swap")
        os.rename(content / "2024-06-20-northwind.md", content / "2024-06-20-northwind.md~")
        (content / "2024-06-20-northwind.md").write_text(MD.replace("Tom Hale", "Vim Saver"))
        os.unlink(content / "2024-06-20-northwind.md~")
        os.unlink(content / ".2024-06-20-northwind.md.swp")
        # 3. many saves within 100 ms: only the last may count
        for i in range(10):
            (content / "burst.md").write_text(MD.replace("Tom Hale", f"Burst Number{i}").replace("Northwind Batteries to supply", f"Burst {i} about"))
            time.sleep(0.01)
        # 4. a folder moved in, and one moved out
        (root / "elsewhere/2024-06-21-moved.md").write_text(MD.replace("Northwind Batteries to supply", "Moved in story about"))
        os.rename(root / "elsewhere", content / "moved-in")
        _settle(root, builds)
        (content / "old").mkdir()
        (content / "old/2024-06-22-leaving.md").write_text(MD.replace("Northwind Batteries to supply", "Leaving story about"))
        _settle(root, builds)
        os.rename(content / "old", root / "moved-out")
        _settle(root, builds)
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()
    assert builds and builds[-1] is not None
    clean = build(with_overrides(config, output=root / "clean-site"))
    assert clean.errors == ()
    watched, expected = tree(root / "site"), tree(root / "clean-site")
    assert sorted(watched) == sorted(expected)
    assert watched == expected
