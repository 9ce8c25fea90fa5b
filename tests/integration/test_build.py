"""End to end: a scratch project built into a temp dir through the library API."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup

from digest import build, load_config
from digest.cli import main

TXT = """Harbour council approves electric bus fleet for Port Avalen after long debate
By Ana Ruiz
July 16, 2024
The Port Avalen city council voted on Tuesday to replace the harbour district's forty diesel buses with electric buses by 2026.
Mayor Ilse Varga said the Harrowgate Transit Authority would order the first twelve buses from Northwind Batteries this autumn.
The council approved the plan by seven votes to two after a debate that lasted more than four hours.
Charging Depots Planned
The transit authority will build two charging depots near the ferry terminal, according to the plan.
Critics said the cost of the batteries could rise, and asked the council to publish the contract.
"We have waited long enough for cleaner air in the harbour," Varga said after the vote.
Share this article


Northwind Batteries Opens Second Factory in Lowmere
Lowmere Marathon Draws Record Field of Runners
Council Budget Talks Stall Over Library Funding
Tech Firm Delays Chip Launch Amid Shortage
"""

MD = """---
title: Northwind Batteries to supply Port Avalen's electric buses
date: 2024-06-20T08:00:00Z
tags: [Port Avalen, electric buses]
author: Tom Hale
source: https://example.org/northwind
---
Northwind Batteries will build the battery packs for the twelve electric buses that the Harrowgate Transit Authority ordered for Port Avalen.

## Factory in Lowmere

The company said the packs would be made at its Lowmere factory, which opened last year. Mayor Ilse Varga welcomed the order.

The transit authority expects the first buses to run on the harbour routes next spring, with charging depots near the ferry terminal.
"""

HTML = """<!doctype html><html><head><title>Lowmere Marathon draws record field | Lowmere Gazette</title>
<meta name="author" content="Priya Shah"><meta property="article:published_time" content="2024-07-14T07:00:00Z">
<link rel="canonical" href="https://example.org/marathon"><script>track()</script></head>
<body><nav><a href="/">Home</a> <a href="/sport">Sport</a></nav>
<article><h1>Lowmere Marathon draws record field</h1>
<p>More than nine thousand runners started the Lowmere Marathon on Sunday, the largest field in the race's history.</p>
<p>The winner, local teacher Marta Okafor, finished in two hours and thirty-one minutes, a course record.</p>
<h2>Road closures</h2>
<p>Organisers said the roads around the harbour would reopen by early afternoon after the final runners finished.</p>
</article><aside><h3>Related stories</h3><ul><li><a href="/a">Other story one</a></li><li><a href="/b">Other story two</a></li></ul></aside>
<footer>Copyright 2024 Lowmere Gazette</footer></body></html>
"""

EVIL_MD = """---
title: "<script>alert('title')</script> Harbour test"
date: 2024-07-10
tags: ["<img src=x onerror=alert(1)>"]
---
A paragraph with <script>alert('body')</script> inside it, and {{ 7*7 }} and {% include 'x' %} written in it.

Another sentence follows here to give the summariser something to choose from today.
"""


@pytest.fixture
def project(make_project) -> Path:
    return make_project(
        {
            "content/2024-07-16-harbour-buses.txt": TXT,
            "content/city/2024-06-20-northwind.md": MD,
            "content/sport/marathon.html": HTML,
            "content/evil.md": EVIL_MD,
            "content/broken.md": "---\ntitle: ok\ndate: [unclosed\n---\nBody.\n",
            "content/empty.txt": "",
        }
    )


def _internal_links(site: Path) -> list[tuple[Path, str]]:
    links = []
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.find_all(["a", "link", "script", "img"]):
            ref = tag.get("href") or tag.get("src")
            if not ref or urlsplit(ref).scheme or ref.startswith(("//", "#", "mailto:")):
                continue
            links.append((page, urldefrag(ref)[0]))
    return links


def test_build_produces_site(project: Path) -> None:
    config = load_config(root=project)
    result = build(config)
    site = project / "site"
    assert result.articles == 4
    assert [str(e) for e in result.errors] == [
        "broken.md:4: invalid YAML in front matter: expected ',' or ']', but got '<stream end>'",
        "empty.txt: empty file",
    ]
    for rel in ["index.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt", "tags/index.html", "archive/index.html"]:
        assert (site / rel).is_file(), rel
    assert (site / "articles" / "harbour-buses" / "index.html").is_file()
    assert (site / "articles" / "northwind" / "index.html").is_file()
    assert (site / "articles" / "marathon" / "index.html").is_file()
    assert any(site.glob("*.css")) or any(site.rglob("*.css"))
    # every internal link resolves to a file inside site/
    for page, ref in _internal_links(site):
        if not ref:
            continue
        target = (page.parent / ref).resolve()
        if target.is_dir():
            target = target / "index.html"
        assert target.is_file(), f"{page.relative_to(site)} links to missing {ref}"
        assert site.resolve() in target.parents, f"{ref} escapes site/"


def test_trailing_headlines_and_furniture_not_in_article(project: Path) -> None:
    build(load_config(root=project))
    page = (project / "site/articles/harbour-buses/index.html").read_text(encoding="utf-8")
    assert "Charging Depots Planned" in page
    assert "Lowmere Marathon Draws Record Field" not in page
    assert "Share this article" not in page
    html_page = (project / "site/articles/marathon/index.html").read_text(encoding="utf-8")
    assert "Marta Okafor" in html_page
    assert "Other story one" not in html_page and "track()" not in html_page


def test_content_is_escaped(project: Path) -> None:
    build(load_config(root=project))
    site = project / "site"
    for page in list(site.rglob("*.html")) + list(site.rglob("*.xml")):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert(" not in text, page
        assert "<img src=x" not in text, page
    evil = (site / "articles/evil/index.html").read_text(encoding="utf-8")
    assert "{{ 7*7 }}" in evil and "49" not in evil
    assert "{% include &#39;x&#39; %}" in evil or "{% include 'x' %}" in evil


def test_feed_parses(project: Path) -> None:
    build(load_config(root=project))
    feed = feedparser.parse((project / "site/feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    titles = [e.title for e in feed.entries]
    assert "Northwind Batteries to supply Port Avalen's electric buses" in titles
    assert all(e.get("summary") for e in feed.entries)


def test_related_links_between_overlapping_stories(project: Path) -> None:
    from digest import inspect

    articles, _ = inspect(sorted((project / "content").rglob("*.*")), load_config(root=project))
    by_slug = {a.slug: a for a in articles}
    # a headline the scraped page listed under the story is an article here: linked first
    assert by_slug["harbour-buses"].related[0].slug == "marathon"
    # the supplier story of a month earlier is related by content, not the same story
    assert by_slug["harbour-buses"].related[1].slug == "northwind"
    assert by_slug["northwind"].related[0].slug == "harbour-buses"
    assert by_slug["harbour-buses"].duplicate_of is None and by_slug["northwind"].duplicate_of is None
    # the marathon report itself names no bus story and shares nothing with it
    assert "harbour-buses" not in [r.slug for r in by_slug["marathon"].related]


def test_build_is_reproducible(project: Path) -> None:
    config = load_config(root=project)
    build(config)
    first = {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    build(config)
    second = {p.relative_to(project / "site"): p.read_bytes() for p in (project / "site").rglob("*") if p.is_file()}
    assert first == second


def test_cli_build_strict_and_exit_codes(project: Path, capsys) -> None:
    config = project / "digest.yaml"
    config.write_text("site:\n  title: Harbour Digest\n")
    assert main(["build", "--config", str(config), "-q"]) == 0
    assert main(["build", "--config", str(config), "--strict", "-q"]) == 1
    err = capsys.readouterr().err
    assert "broken.md:4: invalid YAML in front matter" in err
    assert "Harbour Digest" in (project / "site/index.html").read_text(encoding="utf-8")
    config.write_text("site:\n  titel: X\n")
    assert main(["build", "--config", str(config)]) == 2
    assert f"error: {config}:2: site.titel: unknown key (did you mean 'title'?)" in capsys.readouterr().err


def test_empty_content_builds_empty_site(tmp_path: Path) -> None:
    result = build(load_config(root=tmp_path))
    assert result.articles == 0
    assert (tmp_path / "site/index.html").is_file()
    assert "content folder not found" in result.warnings[0].message


def test_undated_article_uses_mtime_and_says_so(make_project) -> None:
    root = make_project({"content/story.txt": TXT.replace("July 16, 2024\n", "")})
    result = build(load_config(root=root))
    assert any("no date found; using the file's modification time" in w.message for w in result.warnings)


def test_undated_page_takes_the_day_in_its_address(make_project) -> None:
    page = ("<html><head><title>Ferries return to the island</title>"
            '<link rel="canonical" href="https://example.org/2019/11/19/ferries-return"></head><body><article>'
            + "".join(f"<p>{line}</p>" for line in TXT.splitlines()[3:] if line.strip()) + "</article></body></html>")
    root = make_project({"content/story.html": page})
    result = build(load_config(root=root))
    assert not any("no date found" in w.message for w in result.warnings)
    assert "19 November 2019" in (root / "site/index.html").read_text(encoding="utf-8")


def test_worker_processes_give_the_same_site(project: Path, tmp_path: Path) -> None:
    _forks_only_alone()  # else jobs=2 runs in this process too, and the test compares nothing new
    from dataclasses import replace

    config = load_config(root=project)
    one = replace(config, paths=replace(config.paths, output=tmp_path / "one"))
    two = replace(config, paths=replace(config.paths, output=tmp_path / "two"))
    build(one, jobs=1)
    build(two, jobs=2)
    files = lambda root: {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}  # noqa: E731
    assert files(tmp_path / "one") == files(tmp_path / "two")


def test_render_workers_inherit_the_article_views(project: Path, tmp_path: Path, monkeypatch) -> None:
    """The build's renderer makes every article's list view before the workers fork: a worker
    that made one again (each would make nearly all of them) fails this build."""
    _forks_only_alone()
    from dataclasses import replace

    from digest import render

    config = load_config(root=project)
    one = replace(config, paths=replace(config.paths, output=tmp_path / "one"))
    two = replace(config, paths=replace(config.paths, output=tmp_path / "two"))
    build(one, jobs=1)
    made = render.Renderer.__init__

    def init(self, *args, **kwargs) -> None:
        made(self, *args, **kwargs)
        monkeypatch.setattr(render, "_list_view", _no_view)  # from the build's own renderer on

    monkeypatch.setattr(render.Renderer, "__init__", init)
    build(two, jobs=2)
    files = lambda root: {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}  # noqa: E731
    assert files(tmp_path / "one") == files(tmp_path / "two")


def test_render_workers_inherit_the_view_keys(project: Path, tmp_path: Path, monkeypatch) -> None:
    """With a cache, pages are keyed by their views' keys: worked out once, before the workers
    fork; a worker that keys a view again fails this build."""
    _forks_only_alone()
    from dataclasses import replace

    from digest import render

    config = load_config(root=project)
    one = replace(config, paths=replace(config.paths, output=tmp_path / "one", cache=tmp_path / "cache-one"))
    two = replace(config, paths=replace(config.paths, output=tmp_path / "two", cache=tmp_path / "cache-two"))
    build(one, jobs=1)
    key_views, view_key = render.Renderer.key_views, render.Renderer.view_key
    before_fork: list[bool] = []

    def known_only(self, view):
        assert view["slug"] in self.view_keys, "a view keyed again in a render worker"
        return view_key(self, view)

    def keyed(self) -> None:
        key_views(self)
        before_fork.append(True)
        monkeypatch.setattr(render.Renderer, "view_key", known_only)

    monkeypatch.setattr(render.Renderer, "key_views", keyed)
    build(two, jobs=2)
    assert before_fork == [True]
    files = lambda root: {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}  # noqa: E731
    assert files(tmp_path / "one") == files(tmp_path / "two")


def _forks_only_alone() -> None:
    import threading

    if threading.active_count() > 1:  # e.g. the browser tests' server
        pytest.skip("render workers are forked only when no other thread runs")


def _no_view(*args, **kwargs):
    raise AssertionError("a list view made again in a render worker")


def test_same_slug_twice_names_both_files(make_project) -> None:
    root = make_project({"content/a/story.md": MD, "content/b/story.md": MD.replace("Tom Hale", "Other Writer")})
    result = build(load_config(root=root))
    assert "b/story.md: slug 'story' is already used by a/story.md; using 'story-2'" in [str(w) for w in result.warnings]
    assert (root / "site/articles/story-2/index.html").is_file()


def test_progress_reports_each_step_in_order(project: Path) -> None:
    steps: list[tuple[str, int]] = []
    result = build(load_config(root=project), progress=lambda step, count, seconds: steps.append((step, count)))
    assert [s for s, _ in steps] == ["found", "checked", "read", "cleaned", "summarised and tagged", "related", "rendered and written"]
    assert dict(steps)["found"] == 6 and dict(steps)["read"] == 4 and dict(steps)["related"] == result.articles
    assert dict(steps)["rendered and written"] == len(result.written)


def test_the_collector_runs_less_often_during_a_build_only(project: Path, monkeypatch) -> None:
    import gc

    from digest import pipeline

    seen = []
    real = pipeline.related

    def related(*args, **kwargs):
        seen.append(gc.get_threshold())
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "related", related)
    before = gc.get_threshold()
    build(load_config(root=project))
    assert seen and seen[0][0] == pipeline._GC_THRESHOLD != before[0] and seen[0][1:] == before[1:]
    assert gc.get_threshold() == before


def test_the_program_flushes_its_output_and_exit_code_before_ending(project: Path) -> None:
    """``python -m digest`` ends with os._exit: what it printed and its exit code must survive that."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # stdout to a pipe is block-buffered
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    command = [sys.executable, "-m", "digest", "build", "--strict"]
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "broken.md:4: invalid YAML in front matter" in done.stderr
    assert (project / "site/index.html").is_file()
    again = subprocess.run(command[:-1] + ["-v"], cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "built" in again.stderr
    shown = subprocess.run([sys.executable, "-m", "digest", "inspect", "content/2024-07-16-harbour-buses.txt"], cwd=project, env=env,
                           capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0 and "Harbour council approves electric bus fleet" in shown.stdout


def test_a_one_off_build_freezes_the_related_articles_and_watch_builds_do_not(project: Path, monkeypatch) -> None:
    """A build with a store of its own keeps relate's output out of later collections; a build
    given a store (digest watch) must not, or every rebuild would freeze the last one's garbage."""
    import gc

    from digest import pipeline

    made = []
    real = pipeline.related

    def related(*args, **kwargs):
        out = real(*args, **kwargs)
        made.append(out[0])
        return out

    monkeypatch.setattr(pipeline, "related", related)
    config = load_config(root=project)
    try:
        build(config)
        tracked = {id(o) for o in gc.get_objects()}
        assert made[0] and all(id(a) not in tracked for a in made[0])
        gc.unfreeze()
        store = pipeline.open_cache(config)
        build(config, store=store)  # as digest watch does: its first build loads the store (and freezes what it loads)
        edited = project / "content" / "city" / "2024-06-20-northwind.md"
        edited.write_text(edited.read_text(encoding="utf-8") + "\n\nA further paragraph about the harbour.\n", encoding="utf-8")
        build(config, store=store)  # the next build, with the store in memory
        tracked = {id(o) for o in gc.get_objects()}
        assert any(id(a) in tracked for a in made[2])  # made by relate in this build, not frozen
    finally:
        gc.unfreeze()


def test_pages_need_nothing_that_only_the_steps_before_render_read(project: Path, tmp_path: Path, monkeypatch) -> None:
    """A build that lets its store go renders its articles without their entities, keyphrases,
    removed lines and front-matter tags and summary (read by the steps before render only); its
    pages are those of a build that keeps them (as digest watch's builds do)."""
    from dataclasses import replace

    from digest import pipeline

    config = load_config(root=project)
    one = replace(config, paths=replace(config.paths, output=tmp_path / "one", cache=tmp_path / "cache-one"))
    two = replace(config, paths=replace(config.paths, output=tmp_path / "two", cache=tmp_path / "cache-two"))
    given = []
    real = pipeline.emit

    def emit(articles, *args, **kwargs):
        given.append(articles)
        return real(articles, *args, **kwargs)

    monkeypatch.setattr(pipeline, "emit", emit)
    build(one)
    build(two, store=pipeline.open_cache(two))
    stripped, kept = given
    for name in pipeline._PAST_RELATE:
        assert not any(getattr(a, name) for a in stripped), name
    for name in ("entities", "keyphrases", "removed", "meta_tags"):
        assert any(getattr(a, name) for a in kept), name
    files = lambda root: {p.relative_to(root): p.read_bytes() for p in root.rglob("*") if p.is_file()}  # noqa: E731
    assert files(tmp_path / "one") == files(tmp_path / "two")


def test_equal_tags_keyphrases_and_entities_are_one_object(make_project) -> None:
    """Each article's tags, keyphrases and entities come back from the tag stage as its own
    copies; the corpus keeps one object for equal ones."""
    from digest import pipeline
    from digest.discover import discover

    root = make_project({"content/a.md": MD, "content/b.md": MD.replace("Tom Hale", "Other Writer")})
    config = load_config(root=root)
    a, b = pipeline.load(discover(config.paths.content)[0], config, jobs=1).articles
    for name in pipeline._SHARED_FIELDS:
        mine, theirs = getattr(a, name), getattr(b, name)
        assert mine and mine == theirs, name
        assert all(x is y for x, y in zip(mine, theirs)), name


def test_the_render_memo_keys_every_view_when_workers_render(project: Path) -> None:
    """The render workers send back only the view keys the build's process lacks; the memo it
    saves still keys every published article's view (else the next build looks at every page)."""
    _forks_only_alone()
    from digest import pipeline, render

    config = load_config(root=project)
    result = build(config, jobs=2)
    memo = pipeline.cache_store(config).part(pipeline._RENDER_MEMO)
    assert isinstance(memo, render.RenderMemo) and memo.views == {}
    assert memo.view_keys.keys() == memo.prints.keys() and len(memo.view_keys) == result.articles
