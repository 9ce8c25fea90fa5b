"""``digest serve``: build, serve ``site/`` on loopback, rebuild on change, reload the open page.

Only for previewing: it binds 127.0.0.1 unless told otherwise. HTML responses get a
tiny script that polls ``/__digest__/version`` and reloads the page after a rebuild;
the files in ``site/`` are never changed by it.
"""
from __future__ import annotations

import http.server
import logging
import posixpath
import threading
import urllib.parse
from functools import partial
from pathlib import Path

from .config import Config

log = logging.getLogger(__name__)

VERSION_PATH = "/__digest__/version"
RELOAD_SCRIPT = (
    "<script>(function(){var v=null;function poll(){fetch('" + VERSION_PATH + "',{cache:'no-store'})"
    ".then(function(r){return r.text()}).then(function(t){if(v!==null&&t!==v){location.reload()}v=t})"
    ".catch(function(){}).finally(function(){setTimeout(poll,1000)})}poll()})();</script>"
)


class _State:
    def __init__(self) -> None:
        self.version = 0
        self.lock = threading.Lock()

    def bump(self) -> None:
        with self.lock:
            self.version += 1


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site; injects the reload script; answers misses with the site's 404 page."""

    state: _State
    root: Path

    def __init__(self, *args, root: Path, state: _State, **kwargs):
        self.root = root
        self.state = state
        super().__init__(*args, directory=str(root), **kwargs)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s %s", self.address_string(), format % args)

    def translate_path(self, path: str) -> str:
        # The stdlib version drops '..' and absolute parts; we also refuse encoded traversal
        # outright and keep the result inside the root.
        clean = urllib.parse.unquote(urllib.parse.urlsplit(path).path)
        parts = [p for p in posixpath.normpath(clean).split("/") if p and p not in (".", "..")]
        target = self.root.joinpath(*parts) if parts else self.root
        try:
            target.resolve().relative_to(self.root.resolve())
        except ValueError:
            return str(self.root / "__outside__")
        return str(target)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        if self.path.split("?", 1)[0] == VERSION_PATH:
            body = str(self.state.version).encode()
            self._send(200, "text/plain; charset=utf-8", body)
            return
        # A rebuild swaps site/ in one step and then deletes the previous tree; a request that
        # had already entered the previous tree may find its file gone. Looking up again then
        # finds the new tree, so every answer is a complete old or new page.
        for _attempt in range(3):
            found = self._lookup()
            if found is not None:
                break
        if found is None:
            not_found = self.root / "404.html"
            try:
                body = not_found.read_bytes()
            except OSError:
                body = b"<h1>Not found</h1>"
            self._send(404, "text/html; charset=utf-8", self._inject(body))
            return
        if isinstance(found, str):  # a folder asked for without its slash
            self.send_response(301)
            self.send_header("Location", found)
            self.end_headers()
            return
        path, body = found
        ctype = self.guess_type(str(path))
        if ctype == "text/html":
            body = self._inject(body)
            ctype = "text/html; charset=utf-8"
        elif ctype in ("text/css", "application/javascript", "text/javascript", "application/xml", "text/xml", "text/plain"):
            ctype += "; charset=utf-8"
        self._send(200, ctype, body)

    def _lookup(self) -> tuple[Path, bytes] | str | None:
        """The file for this request and its bytes; a redirect target (str); or None (missing)."""
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                return self.path.split("?", 1)[0] + "/"
            path = path / "index.html"
        try:
            if not path.is_file():
                return None
            return path, path.read_bytes()
        except OSError:
            return None

    def do_HEAD(self) -> None:  # noqa: N802
        self.do_GET()

    def _inject(self, body: bytes) -> bytes:
        marker = b"</body>"
        index = body.rfind(marker)
        script = RELOAD_SCRIPT.encode()
        return body[:index] + script + body[index:] if index >= 0 else body + script

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8000) -> tuple[http.server.ThreadingHTTPServer, _State]:
    """A threading HTTP server for ``root`` (not started). Port 0 picks a free port."""
    state = _State()
    handler = partial(PreviewHandler, root=Path(root), state=state)
    server = http.server.ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server, state


def serve(config: Config, host: str = "127.0.0.1", port: int = 8000, sentences: int | None = None, reload_config=None) -> None:
    """Build, then serve the site and rebuild on every change until Ctrl-C."""
    from .watch import watch

    server, state = make_server(config.paths.output, host, port)
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("warning: serving on %s: anyone who can reach this machine can read the preview", host)
    stop = threading.Event()
    ready = threading.Event()

    def on_build(result) -> None:
        state.bump()
        ready.set()

    watcher = threading.Thread(
        target=watch, args=(config, sentences), kwargs={"stop": stop, "on_build": on_build, "reload_config": reload_config}, daemon=True
    )
    watcher.start()
    ready.wait()
    address = server.server_address
    log.info("serving %s at http://%s:%d/ (Ctrl-C to stop)", config.paths.output, address[0], address[1])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        watcher.join(timeout=5)
