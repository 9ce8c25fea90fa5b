"""Link checker: every internal href/src of every built page resolves to a file inside site/.

No browser needed. Builds the repository's content/ with a tiny page size, so the
paginated pages of every list are checked too; fragments (``#main``) must name an id
on the target page; feeds' relative links must resolve from the feed's folder.
"""
from __future__ import annotations

from dataclasses import replace

import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup


REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def small_pages_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from digest.config import load_config, with_overrides
    from digest.pipeline import build

    out = tmp_path_factory.mktemp("links") / "site"
    config = with_overrides(load_config(root=REPO), output=out)
    result = build(replace(config, front=replace(config.front, page_size=2)))
    assert result.articles > 5
    return out


def _resolve(site: Path, page: Path, ref: str) -> tuple[Path, str] | None:
    """The file (and fragment) an internal reference points to; ``None`` for external ones."""
    parts = urlsplit(ref)
    if parts.scheme or parts.netloc or ref.startswith(("data:", "mailto:", "javascript:")):
        return None
    if not parts.path:
        return page, parts.fragment
    target = Path(posixpath.normpath(str(page.parent / unquote(parts.path))))
    if ref.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target, parts.fragment


def _ids(path: Path, cache: dict[Path, set[str]]) -> set[str]:
    if path not in cache:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        cache[path] = {tag["id"] for tag in soup.find_all(id=True)}
    return cache[path]


def _check(site: Path) -> int:
    checked = 0
    ids: dict[Path, set[str]] = {}
    problems: list[str] = []
    root = site.resolve()
    for page in sorted(site.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(href=True) + soup.find_all(src=True):
            for attr in ("href", "src"):
                ref = tag.get(attr)
                if not ref or (tag.name == "form"):
                    continue
                found = _resolve(site, page, ref)
                if found is None:
                    continue
                target, fragment = found
                checked += 1
                where = f"{page.relative_to(site)}: {attr}={ref!r}"
                if root not in target.resolve().parents:
                    problems.append(f"{where} leaves site/")
                elif not target.is_file():
                    problems.append(f"{where} -> missing {target.relative_to(site)}")
                elif fragment and target.suffix == ".html" and fragment not in _ids(target, ids):
                    problems.append(f"{where} -> no id {fragment!r}")
        form = soup.find("form", action=True)
        if form is not None:
            found = _resolve(site, page, form["action"])
            assert found is None or found[0].is_file(), f"{page.relative_to(site)}: form action {form['action']!r}"
    for feed in sorted(site.rglob("*.xml")):
        if feed.name == "sitemap.xml":
            continue
        tree = ElementTree.parse(feed)
        refs = [e.get("href") for e in tree.iter("{http://www.w3.org/2005/Atom}link")]
        refs += [e.text for e in tree.iter("link")]
        for ref in filter(None, refs):
            found = _resolve(site, feed, ref)
            if found is not None:
                checked += 1
                if not found[0].is_file():
                    problems.append(f"{feed.relative_to(site)}: {ref!r} -> missing")
    assert problems == [], "\n".join(problems[:40])
    return checked


def test_every_internal_link_resolves(small_pages_site: Path) -> None:
    site = small_pages_site
    assert (site / "page" / "2" / "index.html").is_file()  # pagination is exercised
    assert any(site.glob("tags/*/page/2/index.html"))
    checked = _check(site)
    assert checked > 1000


def test_link_checker_catches_a_broken_link(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text('<a href="a/index.html#nope">x</a><a id="top" href="#top">t</a>', encoding="utf-8")
    (site / "a" / "index.html").write_text('<img src="../missing.png"><a href="../../outside.html">o</a>', encoding="utf-8")
    with pytest.raises(AssertionError) as info:
        _check(site)
    message = str(info.value)
    assert "no id 'nope'" in message and "missing missing.png" in message and "leaves site/" in message
