"""Watch mode rebuilds after changes and survives errors; the preview server is safe."""
from __future__ import annotations

import http.client
import threading
import time
from pathlib import Path

import pytest

from digest import load_config
from digest.serve import RELOAD_SCRIPT, VERSION_PATH, make_server
from digest.watch import kind_of, watch

from .test_build import MD
from ..helpers import read_or_empty, wait_until


@pytest.fixture
def watching(make_project):
    root = make_project({"content/2024-07-17-northwind.md": MD, "digest.yaml": "site:\n  title: First Title\n"})
    config = load_config(root / "digest.yaml")
    builds: list = []
    stop = threading.Event()
    thread = threading.Thread(
        target=watch,
        args=(config,),
        kwargs={"stop": stop, "on_build": builds.append, "reload_config": lambda: load_config(root / "digest.yaml"), "debounce": 0.1},
        daemon=True,
    )
    thread.start()
    assert wait_until(lambda: len(builds) == 1)
    time.sleep(0.3)  # let the observer start
    yield root, builds
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_edit_triggers_one_rebuild(watching) -> None:
    root, builds = watching
    page = root / "site/articles/northwind/index.html"
    for i in range(5):  # a burst of saves is one rebuild
        (root / "content/2024-07-17-northwind.md").write_text(MD.replace("Tom Hale", f"Editor Number{i}"))
        time.sleep(0.01)
    assert wait_until(lambda: "Editor Number4" in read_or_empty(page))
    time.sleep(0.5)
    assert len(builds) == 2


def test_an_edit_is_previewed_before_the_rebuild(watching, caplog) -> None:
    root, builds = watching
    caplog.set_level("INFO", logger="digest.watch")
    (root / "content/2024-07-17-northwind.md").write_text(MD.replace("Tom Hale", "Editor Preview"))
    assert wait_until(lambda: len(builds) == 2)
    messages = [r.getMessage() for r in caplog.records if r.name == "digest.watch"]
    previewed = [i for i, m in enumerate(messages) if m.startswith("previewed articles/northwind/index.html")]
    rebuilt = [i for i, m in enumerate(messages) if "rebuilt" in m]
    assert previewed and rebuilt and previewed[0] < rebuilt[-1]
    assert "Editor Preview" in read_or_empty(root / "site/articles/northwind/index.html")


def test_new_file_and_config_change(watching) -> None:
    root, builds = watching
    (root / "content/2024-07-18-second.md").write_text(MD.replace("Northwind Batteries to supply", "Second story about"))
    assert wait_until(lambda: (root / "site/articles/second/index.html").is_file())
    (root / "digest.yaml").write_text("site:\n  title: Changed Title\n")
    assert wait_until(lambda: "Changed Title" in read_or_empty(root / "site/index.html"))


def test_bad_config_keeps_watching(watching) -> None:
    root, builds = watching
    n = len(builds)
    (root / "digest.yaml").write_text("site:\n  titel: oops\n")
    time.sleep(0.6)
    assert len(builds) == n  # not rebuilt with a broken config
    (root / "content/2024-07-17-northwind.md").write_text(MD.replace("Tom Hale", "Still Watching"))
    assert wait_until(lambda: "Still Watching" in read_or_empty(root / "site/articles/northwind/index.html"))


def test_kind_of_ignores_output_and_temp_files(make_project) -> None:
    root = make_project({"digest.yaml": "", "content/a.md": "x"})
    config = load_config(root / "digest.yaml")
    assert kind_of(root / "content/a.md", config) == "content"
    assert kind_of(root / "content/.a.md.swp", config) is None
    assert kind_of(root / "content/a.md~", config) is None
    assert kind_of(root / "site/index.html", config) is None
    assert kind_of(root / "templates/base.html", config) == "templates"
    assert kind_of((root / "digest.yaml").resolve(), config) == "config"
    assert kind_of(root / "README.md", config) is None


@pytest.fixture
def server(tmp_path: Path):
    site = tmp_path / "site"
    (site / "articles/a").mkdir(parents=True)
    (site / "index.html").write_text("<html><body><h1>Front</h1></body></html>")
    (site / "articles/a/index.html").write_text("<html><body>Article</body></html>")
    (site / "404.html").write_text("<html><body>Our 404 page</body></html>")
    (site / "style.css").write_text("body{}")
    (tmp_path / "secret.txt").write_text("do not serve")
    httpd, state = make_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1], state
    httpd.shutdown()
    httpd.server_close()


def _get(port: int, path: str) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("GET", path)
    resp = conn.getresponse()
    return resp.status, dict(resp.getheaders()), resp.read()


def test_server_pages_types_and_reload_script(server) -> None:
    port, state = server
    status, headers, body = _get(port, "/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert RELOAD_SCRIPT.encode() in body and body.index(RELOAD_SCRIPT.encode()) < body.index(b"</body>")
    assert _get(port, "/style.css")[1]["Content-Type"].startswith("text/css")
    assert _get(port, "/articles/a")[0] == 301
    assert _get(port, "/articles/a/")[2].startswith(b"<html><body>Article")
    before = _get(port, VERSION_PATH)[2]
    state.bump()
    assert _get(port, VERSION_PATH)[2] != before


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/articles/../../secret.txt", "//secret.txt", "/nope.html"])
def test_server_no_traversal_and_site_404(server, path: str) -> None:
    port, _ = server
    status, _, body = _get(port, path)
    assert status == 404
    assert b"do not serve" not in body
    assert b"Our 404 page" in body


def test_templates_folder_created_while_watching(watching) -> None:
    root, builds = watching
    (root / "templates").mkdir()
    assert wait_until(lambda: len(builds) >= 2)
    time.sleep(0.3)
    (root / "templates/robots.txt").write_text("User-agent: *\nDisallow: /private-test/\n")
    assert wait_until(lambda: "private-test" in read_or_empty(root / "site/robots.txt"))
