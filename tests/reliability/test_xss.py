"""Untrusted HTML: content can never run script in a reader's browser, and template
syntax in content is printed literally."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from digest import build, load_config
from digest.readers.sanitize import sanitize_html

PAYLOADS = [
    "<script>window.__xss=1</script>",
    "<img src=x onerror=\"window.__xss=1\">",
    "<svg onload=\"window.__xss=1\"><script>window.__xss=1</script></svg>",
    "<a href=\"javascript:window.__xss=1\">click</a>",
    "<a href=\"JaVaScRiPt:window.__xss=1\">click</a>",
    "<a href=\"data:text/html,<script>window.__xss=1</script>\">d</a>",
    "<iframe src=\"javascript:window.__xss=1\"></iframe>",
    "<object data=\"javascript:window.__xss=1\"></object>",
    "<base href=\"javascript:window.__xss=1//\">",
    "<div style=\"background:url(javascript:window.__xss=1);width:expression(window.__xss=1)\">css</div>",
    "<body onload=\"window.__xss=1\">",
    "\"><script>window.__xss=1</script>",
    "'><img src=x onerror=window.__xss=1>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
    "<details open ontoggle=\"window.__xss=1\">",
    "[link](javascript:window.__xss=1)",
    "[link](<javascript:window.__xss=1>)",
    "![img](x\" onerror=\"window.__xss=1)",
    "<noscript><p title=\"</noscript><img src=x onerror=window.__xss=1>\">",
    "{{ 7*7 }} {% include 'base.html' %} {{ config }}",
]


def _md(i: int, payload: str, field: str = "") -> str:
    front = f"---\ntitle: 'Payload {i} {payload.replace(chr(39), chr(39) * 2)}'\ndate: 2024-05-01T10:00:00Z\n"
    front += f"tags: ['{payload.replace(chr(39), chr(39) * 2)}']\n" if field else ""
    return front + f"---\nThe council met on Monday {payload} and voted on the plan.\n\nResidents said {payload} was fine.\n"


def _html(i: int, payload: str) -> str:
    return (f"<html><head><title>Page {i} {payload}</title></head><body><article><h1>Page {i}</h1>"
            f"<p>The council met on Monday and voted on the plan for the harbour buses. {payload}</p>"
            f"<p>Residents said the new timetable was fine {payload} and would help commuters.</p></article></body></html>")


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("xss")
    (root / "content").mkdir()
    (root / "digest.yaml").write_text("")
    for i, payload in enumerate(PAYLOADS):
        (root / f"content/md-{i}.md").write_text(_md(i, payload, field="tags"), encoding="utf-8")
        (root / f"content/page-{i}.html").write_text(_html(i, payload), encoding="utf-8")
        (root / f"content/text-{i}.txt").write_text(f"Text {i} headline\nThe council met on Monday {payload} and voted.\n", encoding="utf-8")
    result = build(load_config(root / "digest.yaml"))
    assert result.articles >= len(PAYLOADS)
    return root / "site"


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if "<" in p])
def test_sanitizer_removes_active_content(payload: str) -> None:
    out = sanitize_html(payload).lower()
    for bad in ("<script", "onerror", "onload", "ontoggle", "javascript:", "data:", "<iframe", "<object", "<base", "expression(", "<svg", "style="):
        assert bad not in out
    assert sanitize_html(sanitize_html(payload)) == sanitize_html(payload)


def test_no_active_content_in_built_pages(xss_site: Path) -> None:
    from bs4 import BeautifulSoup

    pages = [xss_site / "index.html", xss_site / "tags/index.html", *sorted(xss_site.glob("articles/*/index.html"))]
    for page in pages:
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        for tag in soup.find_all(True):
            assert tag.name not in ("iframe", "object", "embed", "base", "svg", "math"), page
            for attr, value in tag.attrs.items():
                assert not attr.lower().startswith("on"), (page, tag)
                text = " ".join(value) if isinstance(value, list) else str(value)
                if attr in ("href", "src", "action", "formaction", "data") and text != "data:,":  # the theme's empty favicon
                    assert not text.strip().lower().startswith(("javascript:", "data:", "vbscript:")), (page, tag)
        for script in soup.find_all("script"):
            if script.get("type") == "application/ld+json":  # data, not code: "<" must be escaped
                assert "<" not in script.get_text(), page
                continue
            assert "__xss" not in script.get_text(), page


def test_template_syntax_printed_literally(xss_site: Path) -> None:
    page = (xss_site / f"articles/md-{len(PAYLOADS) - 1}/index.html").read_text("utf-8")
    assert "{{ 7*7 }}" in page and "{% include" in page
    assert " 49 " not in page


@pytest.mark.browser
def test_payloads_do_not_execute_in_a_browser(xss_site: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("no Chromium at /usr/bin/chromium")
    # the Markdown articles carry each payload in title, tags and body; the front page and the
    # tag list show titles and tags of every article
    pages = [xss_site / "index.html", xss_site / "tags/index.html"] + sorted(xss_site.glob("articles/md-*/index.html"))
    executed: list[str] = []
    with playwright.sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        except Exception as exc:  # pragma: no cover - depends on the machine
            pytest.skip(f"Chromium did not start: {exc}")
        try:
            page = browser.new_page()
            page.set_default_timeout(5000)
            # only the built files: no network, so a payload cannot phone home and nothing waits on DNS
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
            page.on("dialog", lambda d: (executed.append(f"dialog {d.message}"), d.dismiss()))
            for path in pages:
                page.goto(path.as_uri(), wait_until="domcontentloaded")
                hrefs = page.evaluate("() => Array.from(document.querySelectorAll('a[href]'), a => a.href)")
                for href in hrefs:  # a javascript: link would run on click
                    if href.strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                        executed.append(f"{path.name}: link {href}")
                if page.evaluate("() => window.__xss === 1"):
                    executed.append(str(path.relative_to(xss_site)))
        finally:
            browser.close()
    assert executed == []
