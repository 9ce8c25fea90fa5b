"""Tests for digest.render: pages, links, escaping, feed, overrides, errors, determinism."""
from __future__ import annotations

import dataclasses
import json
import posixpath
from xml.etree import ElementTree
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from digest import render
from digest.config import Config
from digest.errors import TemplateError
from digest.model import Article, Block, Related

XSS = "<script>alert(1)</script>"
UTC = timezone.utc


# -- builders ---------------------------------------------------------------------------------


def make_article(slug: str, title: str, when: datetime, **changes) -> Article:
    base = Article(source=f"{slug}.txt", format="text", slug=slug)
    return dataclasses.replace(base, title=title, date=when, **changes)


def make_config(tmp_path: Path, **site) -> Config:
    config = Config()
    templates = tmp_path / "templates"
    return dataclasses.replace(
        config,
        root=tmp_path,
        site=dataclasses.replace(config.site, **site),
        paths=dataclasses.replace(config.paths, templates=templates, output=tmp_path / "site"),
        tags=dataclasses.replace(config.tags, min_articles=1),  # every tag its page (the default 2 is tested below)
    )


def corpus() -> list[Article]:
    day = datetime(2025, 3, 7, 9, 30, tzinfo=UTC)
    body = (
        Block("p", "The central bank raised its main rate by a quarter point on Friday."),
        Block("h", "What happens next"),
        Block("p", "Economists expect <b>one more</b> rise."),
        Block("li", "Mortgages cost more"),
        Block("li", "Savers earn more"),
        Block("quote", "We will do what it takes."),
        Block("pre", "rate = 5.25%"),
        Block("p", "ignored", html="Read the <em>full statement</em>."),
    )
    return [
        make_article(
            "rates-rise", "Central bank raises rates", day,
            standfirst="Borrowing costs climb again.", byline="Jane Doe", url="https://www.example.com/rates",
            body=body, summary=("The central bank raised rates.", "Markets fell after the decision."),
            tags=("Interest rates", "Economy"), section="Business",
            related=(Related("storm", "Storm hits the coast", 0.4), Related("ghost", "Not on the site", 0.3)),
            duplicates=("rates-rise-wire",),
        ),
        make_article(
            "rates-rise-wire", "Rates go up, says wire service", day - timedelta(hours=1),
            url="javascript:alert(1)", body=(Block("p", "Rates went up."),), summary=("Rates went up, the wire says.",),
            tags=("Economy",), section="Business", duplicate_of="rates-rise", duplicates=("rates-rise",),
        ),
        make_article(
            "storm", f"Storm {XSS} hits the coast", day - timedelta(days=1),
            byline=f"Reporter {XSS}", body=(Block("p", f"Wind and rain. {XSS}"),), summary=(f"A storm {XSS} hit.",),
            tags=("Weather", f"Odd {XSS}"), section="World",
            related=(Related("rates-rise", "Central bank raises rates", 0.4),),
        ),
        make_article(
            "old-news", "Something from last month", datetime(2025, 2, 3, tzinfo=UTC),
            body=(Block("p", "Older."),), summary=("An older story.",), tags=("Economy",), section="Business",
        ),
        make_article(
            "secret-draft", "Unpublished scoop", day + timedelta(days=1), draft=True,
            body=(Block("p", "Not yet."),), summary=("Draft summary.",), tags=("Drafty",), section="Health",
        ),
    ]


def build(articles, config) -> dict[str, bytes]:
    pages = dict(render.render_site(articles, config))
    return pages


def html(pages: dict[str, bytes], path: str) -> BeautifulSoup:
    return BeautifulSoup(pages[path].decode("utf-8"), "html.parser")


# -- tests ------------------------------------------------------------------------------------


def test_every_page_is_produced(tmp_path):
    pages = build(corpus(), make_config(tmp_path))
    tag_slug = render.make_site([], make_config(tmp_path)).tag_slug
    expected = {
        "index.html", "tags/index.html", "archive/index.html", "feed.xml", "sitemap.xml", "robots.txt",
        "404.html", "style.css", "rss.xml", "feed.json", "search/index.html", "search-index.js", "search.js",
        "archive/2025/03/index.html", "archive/2025/03/07/index.html", "archive/2025/03/06/index.html",
        "archive/2025/02/index.html", "archive/2025/02/03/index.html",
        "articles/rates-rise/index.html", "articles/rates-rise-wire/index.html",
        "articles/storm/index.html", "articles/old-news/index.html",
        "sections/business/index.html", "sections/world/index.html",
        "tags/interest-rates/index.html", "tags/economy/index.html", "tags/weather/index.html",
        f"tags/{tag_slug('Odd ' + XSS)}/index.html",
    }
    for tag in ("interest-rates", "economy", "weather", tag_slug("Odd " + XSS)):
        expected.add(f"tags/{tag}/feed.xml")  # a tag's feed: Atom only
    assert set(pages) == expected
    assert all(isinstance(v, bytes) and v for v in pages.values())


def test_drafts_are_skipped_everywhere(tmp_path):
    pages = build(corpus(), make_config(tmp_path))
    assert not any("secret-draft" in p or "drafty" in p or "health" in p for p in pages)
    for path, content in pages.items():
        assert b"Unpublished scoop" not in content, path
        assert b"Draft summary" not in content, path


def test_relative_links_resolve_to_produced_files(tmp_path):
    pages = build(corpus(), make_config(tmp_path))
    checked = 0
    for path, content in pages.items():
        if not path.endswith(".html"):
            continue
        soup = BeautifulSoup(content.decode("utf-8"), "html.parser")
        for tag in soup.find_all(["a", "link"]):
            href = tag.get("href")
            if not href or href.startswith("#") or ":" in href.split("/")[0]:
                continue  # fragment or absolute (https:, mailto:)
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), href.split("#")[0]))
            if href.endswith("/"):
                target += "/index.html"
            assert target in pages, f"{path}: broken link {href!r} -> {target}"
            checked += 1
    assert checked > 50


def test_html_pages_are_accessible(tmp_path):
    pages = build(corpus(), make_config(tmp_path, language="en-GB"))
    for path in (p for p in pages if p.endswith(".html")):
        soup = html(pages, path)
        assert soup.html["lang"] == "en-GB", path
        assert soup.title and soup.title.string.strip(), path
        assert soup.find("meta", attrs={"name": "description"})["content"].strip(), path
        for landmark in ("header", "nav", "main", "footer"):
            assert soup.find(landmark), (path, landmark)
        assert len(soup.find_all("h1")) == 1, path
        levels = [int(h.name[1]) for h in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
        assert levels[0] == 1, path
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), (path, levels)
    assert b":focus-visible" in pages["style.css"]
    assert b"prefers-color-scheme: dark" in pages["style.css"]
    assert len(pages["style.css"]) < 20_000
    assert b"@import" not in pages["style.css"] and b"http" not in pages["style.css"]


def test_untrusted_text_is_escaped_everywhere(tmp_path):
    pages = build(corpus(), make_config(tmp_path, base_url="https://example.org/news"))
    for path, content in pages.items():
        assert XSS.encode() not in content, path
        if path.endswith((".html", ".xml")):
            assert b"alert(1)" not in content or b"&lt;script&gt;" in content, path
    storm = html(pages, "articles/storm/index.html")
    assert storm.h1.get_text() == f"Storm {XSS} hits the coast"
    scripts = storm.find_all("script")
    assert [s["type"] for s in scripts] == ["application/ld+json"]  # no script from the content
    ld = json.loads(scripts[0].string)
    assert ld["headline"] == f"Storm {XSS} hits the coast" and "<" not in scripts[0].string
    # A javascript: source address never becomes a link.
    assert b"javascript:" not in pages["articles/rates-rise-wire/index.html"]


def test_article_page(tmp_path):
    pages = build(corpus(), make_config(tmp_path))
    soup = html(pages, "articles/rates-rise/index.html")
    main = soup.main
    assert main.h1.get_text() == "Central bank raises rates"
    assert "Borrowing costs climb again." in main.get_text()
    assert "Jane Doe" in main.get_text()
    assert main.find("time")["datetime"] == "2025-03-07T09:30:00+00:00"
    source = main.find("a", href="https://www.example.com/rates")
    assert source is not None and set(source["rel"]) == {"nofollow", "noopener"}
    brief = main.find("aside")
    assert "In brief" in brief.get_text() and "Markets fell after the decision." in brief.get_text()
    body = main.find(class_="body")
    assert body.find("h2").get_text() == "What happens next"
    assert [li.get_text() for li in body.find("ul").find_all("li")] == ["Mortgages cost more", "Savers earn more"]
    assert body.find("blockquote").get_text(strip=True) == "We will do what it takes."
    assert body.find("pre").get_text() == "rate = 5.25%"
    assert body.find("em").get_text() == "full statement"  # Block.html is used as is
    assert "<b>" in body.get_text()  # Block.text is escaped
    chips = [a.get_text() for a in main.select(".chips a")]
    assert chips == ["Interest rates", "Economy"]
    text = main.get_text()
    assert "Related headlines" in text and "Storm" in text and "Not on the site" not in text
    assert "Same story elsewhere" in text and "Rates go up, says wire service" in text
    assert main.find("a", rel="prev")["href"] == "../../articles/rates-rise-wire/index.html"
    assert main.find("a", rel="next") is None  # the newest article (the draft does not count)


def test_duplicates_collapse_on_front_page(tmp_path):
    pages = build(corpus(), make_config(tmp_path))
    soup = html(pages, "index.html")
    headlines = [h.get_text(strip=True) for h in soup.select(".story-headline")]
    assert "Rates go up, says wire service" not in headlines
    assert headlines[0] == "Central bank raises rates"
    story = soup.select(".story")[0]
    assert "2 sources" in story.get_text()
    assert story.find("a", href="articles/rates-rise-wire/index.html")
    # Newest first, grouped by day; section navigation at the top.
    assert [g.get_text() for g in soup.select(".group-title")] == [
        "Friday 7 March 2025", "Thursday 6 March 2025", "Monday 3 February 2025",
    ]
    nav = [a.get_text() for a in soup.select("header nav a")]
    assert nav == ["Front page", "World", "Business", "Tags", "Archive", "Search"]  # newspaper order; no draft-only section


def test_front_page_limit_and_section_grouping(tmp_path):
    config = make_config(tmp_path)
    config = dataclasses.replace(config, front=dataclasses.replace(config.front, stories=2, group_by="section"))
    soup = html(build(corpus(), config), "index.html")
    assert len(soup.select(".story")) == 2
    assert [g.get_text() for g in soup.select(".group-title")] == ["World", "Business"]
    assert soup.find("a", href="archive/index.html", string=lambda s: s and "Older" in s)


def test_tag_index_archive_and_section_pages(tmp_path):
    pages = build(corpus(), make_config(tmp_path))
    tags = html(pages, "tags/index.html")
    names = [a.contents[0].strip() for a in tags.select("main .tag-cloud a")]
    counts = [int(a.find(class_="chip-count").get_text()) for a in tags.select("main .tag-cloud a")]
    assert names[0] == "Economy" and counts[0] == 2  # rates story (with its wire copy) + old news
    assert counts == sorted(counts, reverse=True)
    archive = html(pages, "archive/index.html")
    assert [h.a.get_text() for h in archive.main.find_all("h2")] == ["March 2025", "February 2025"]
    assert [a["href"] for a in archive.select(".day-list a")] == [
        "../archive/2025/03/07/index.html", "../archive/2025/03/06/index.html", "../archive/2025/02/03/index.html",
    ]
    month = html(pages, "archive/2025/03/index.html")
    assert month.h1.get_text() == "March 2025"
    assert len(month.select(".archive-list li")) == 3  # every published article, duplicates too
    assert [h.get_text() for h in month.main.find_all("h2")] == ["Friday 7 March 2025", "Thursday 6 March 2025"]
    day = html(pages, "archive/2025/03/07/index.html")
    assert day.h1.get_text() == "Friday 7 March 2025"
    assert [h.get_text(strip=True) for h in day.select(".story-headline")] == ["Central bank raises rates"]
    business = html(pages, "sections/business/index.html")
    assert business.h1.get_text() == "Business"
    assert len(business.select(".story")) == 2


def test_feed_parses_and_has_summaries(tmp_path):
    feedparser = pytest.importorskip("feedparser")
    for base_url in ("", "https://example.org/news"):
        pages = build(corpus(), make_config(tmp_path, base_url=base_url))
        feed = feedparser.parse(pages["feed.xml"])
        assert not feed.bozo, feed.get("bozo_exception")
        assert len(feed.entries) == 4
        entry = feed.entries[0]
        assert entry.title == "Central bank raises rates"
        assert entry.summary == "The central bank raised rates. Markets fell after the decision."
        assert feed.feed.updated == "2025-03-07T09:30:00+00:00"
        storm = next(e for e in feed.entries if "Storm" in e.title)
        assert storm.title == f"Storm {XSS} hits the coast"  # text, not markup
        if base_url:
            assert entry.link == "https://example.org/news/articles/rates-rise/"
            assert entry.id == entry.link


def test_absolute_urls_with_base_url(tmp_path):
    pages = build(corpus(), make_config(tmp_path, base_url="https://example.org/news"))
    soup = html(pages, "articles/storm/index.html")
    assert soup.find("link", rel="canonical")["href"] == "https://example.org/news/articles/storm/"
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [loc.text for loc in ElementTree.fromstring(pages["sitemap.xml"]).findall("s:url/s:loc", ns)]
    assert "https://example.org/news/" in locs and "https://example.org/news/articles/storm/" in locs
    assert all(loc.startswith("https://example.org/news/") for loc in locs)
    assert b"Sitemap: https://example.org/news/sitemap.xml" in pages["robots.txt"]
    assert html(pages, "404.html").find("a", string="Go to the front page")["href"] == "https://example.org/news/index.html"


def test_without_base_url_no_absolute_urls(tmp_path):
    pages = build(corpus(), make_config(tmp_path))
    assert html(pages, "index.html").find("link", rel="canonical") is None
    sitemap = ElementTree.fromstring(pages["sitemap.xml"])
    assert sitemap.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset" and len(sitemap) == 0
    assert b"Sitemap:" not in pages["robots.txt"]


def test_user_template_overrides_and_extends_default(tmp_path):
    config = make_config(tmp_path, title="My Digest")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "article.html").write_text(
        '{% extends "default/article.html" %}'
        '{% block footer %}<p class="custom">Custom footer for {{ article.headline }}</p>{% endblock %}',
        encoding="utf-8",
    )
    (templates / "base.html").write_text(  # an override that extends the file it replaces
        '{% extends "default/base.html" %}{% block head %}<meta name="x-theme" content="mine">{% endblock %}',
        encoding="utf-8",
    )
    (templates / "404.html").write_text(
        '{% extends "default/base.html" %}{% block main %}<h1>Lost? {{ site.title }}</h1>{% endblock %}',
        encoding="utf-8",
    )
    pages = build(corpus(), config)
    storm = html(pages, "articles/storm/index.html")
    assert storm.find(class_="custom").get_text() == f"Custom footer for Storm {XSS} hits the coast"
    assert storm.find(class_="brief")  # the rest of the default article page is kept
    missing = html(pages, "404.html")
    assert missing.h1.get_text() == "Lost? My Digest"
    assert missing.find("link", rel="stylesheet")  # from the default base
    assert b"Lost?" not in pages["index.html"]
    for path in ("index.html", "articles/storm/index.html", "archive/index.html"):  # not 404: it extends default/base
        assert html(pages, path).find("meta", attrs={"name": "x-theme"}), path


def test_template_syntax_error_names_file_and_line(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "tag.html").write_text('{% extends "base.html" %}\n{% block main %}\n{% if %}\n{% endblock %}\n')
    with pytest.raises(TemplateError) as info:
        build(corpus(), make_config(tmp_path))
    assert info.value.name == "templates/tag.html"
    assert info.value.line == 3
    assert str(info.value).startswith("templates/tag.html:3: ")


def test_undefined_variable_names_file_and_line(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "archive.html").write_text("<p>ok</p>\n<p>{{ no_such_thing.title }}</p>\n")
    with pytest.raises(TemplateError) as info:
        build(corpus(), make_config(tmp_path))
    assert info.value.name == "templates/archive.html"
    assert info.value.line == 2
    assert "no_such_thing" in info.value.message


def test_output_is_deterministic(tmp_path):
    config = make_config(tmp_path, base_url="https://example.org/")
    first = list(render.render_site(corpus(), config))
    second = list(render.render_site(list(reversed(corpus())), config))
    assert first == second


def test_empty_site_renders(tmp_path):
    pages = build([], make_config(tmp_path))
    assert {"index.html", "feed.xml", "archive/index.html", "tags/index.html", "404.html"} <= set(pages)
    feedparser = pytest.importorskip("feedparser")
    assert not feedparser.parse(pages["feed.xml"]).bozo


def test_view_models_are_plain_data(tmp_path):
    site = render.make_site(corpus(), make_config(tmp_path))
    view = render.article_context(site.by_slug["rates-rise"], site)
    assert view["url"] == "articles/rates-rise/index.html"
    assert view["date"] == "2025-03-07T09:30:00+00:00" and view["date_human"] == "7 March 2025"
    assert view["summary"] == ["The central bank raised rates.", "Markets fell after the decision."]
    assert view["tags"][0] == {"name": "Interest rates", "slug": "interest-rates", "url": "tags/interest-rates/index.html"}
    assert view["related"] == [{"slug": "storm", "title": f"Storm {XSS} hits the coast", "url": "articles/storm/index.html"}]
    assert view["section"] == {"name": "Business", "slug": "business", "url": "sections/business/index.html"}
    assert view["source"] == {"url": "https://www.example.com/rates", "host": "example.com"}
    assert [b["kind"] for b in view["body"]] == ["p", "h", "p", "ul", "quote", "pre", "p"]
    assert view["sources"] == 2 and view["is_duplicate"] is False
    wire = render.article_context(site.by_slug["rates-rise-wire"], site)
    assert wire["is_duplicate"] is True and wire["source"] is None
    assert view["brief"] == view["summary"]
    repeated = dataclasses.replace(site.by_slug["rates-rise"], standfirst=" The central bank  raised rates.")
    assert render.article_context(repeated, site)["brief"] == ["Markets fell after the decision."]
    index = render.index_context(list(site.by_slug.values()), site)
    assert [s["slug"] for s in index["stories"]] == ["rates-rise", "storm", "old-news"]


def test_default_theme_dir_has_the_templates():
    theme = render.default_theme_dir()
    for name in ("base.html", "index.html", "article.html", "tag.html", "tags.html", "section.html",
                 "archive.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt", "style.css"):
        assert (theme / name).is_file(), name


def test_missing_include_and_python_error_name_file_and_line(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "tags.html").write_text("<p>\n{% include 'nowhere.html' %}\n</p>\n")
    with pytest.raises(TemplateError) as info:
        build(corpus(), make_config(tmp_path))
    assert (info.value.name, info.value.line) == ("templates/tags.html", 2)
    assert "nowhere.html" in info.value.message
    (templates / "tags.html").write_text("<p>{{ tags|length }}</p>\n<p>{{ 1 // 0 }}</p>\n")
    with pytest.raises(TemplateError) as info:
        build(corpus(), make_config(tmp_path))
    assert (info.value.name, info.value.line) == ("templates/tags.html", 2)
    assert "ZeroDivisionError" in info.value.message


def test_days_are_not_split_by_time_zones(tmp_path):
    east = timezone(timedelta(hours=-5))
    articles = [
        make_article("a", "Late evening in New York", datetime(2025, 3, 7, 23, 0, tzinfo=east)),  # 04:00Z on the 8th
        make_article("b", "Early on the eighth", datetime(2025, 3, 8, 1, 0, tzinfo=UTC)),
        make_article("c", "Evening of the seventh", datetime(2025, 3, 7, 20, 0, tzinfo=UTC)),
    ]
    index = render.index_context(articles, render.make_site(articles, make_config(tmp_path)))
    assert [(g["id"], [s["slug"] for s in g["stories"]]) for g in index["groups"]] == [
        ("2025-03-08", ["b"]), ("2025-03-07", ["a", "c"]),
    ]


def test_standfirst_used_as_headline_is_shown_once(tmp_path: Path) -> None:
    lead = "Harbour council votes to replace every diesel bus by 2026, ending a long debate."
    article = make_article(
        "buses", lead, datetime(2025, 3, 7, tzinfo=UTC), standfirst=lead,
        body=(Block("p", lead), Block("p", "The vote was seven to two."), Block("p", "Critics asked for the contract.")),
        summary=(lead, "The vote was seven to two."),
    )
    pages = dict(render.render_site([article], make_config(tmp_path)))
    main = BeautifulSoup(pages["articles/buses/index.html"], "html.parser").find("main")
    assert main.get_text().count(lead) == 1  # the headline only: not again as standfirst, body or brief
    assert "The vote was seven to two." in main.get_text()


# -- pagination, feeds, structured data, search -------------------------------------------------


def many(n: int, tag: str = "Economy") -> list[Article]:
    start = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    return [
        make_article(f"story-{i:03d}", f"Story number {i}", start + timedelta(hours=5 * i),
                     body=(Block("p", f"Body {i}."),), summary=(f"Summary {i}.",), tags=(tag,), section="Business")
        for i in range(n)
    ]


def test_every_list_is_paginated(tmp_path):
    config = make_config(tmp_path)
    config = dataclasses.replace(config, front=dataclasses.replace(config.front, stories=10, page_size=4))
    pages = build(many(11), config)
    # Front page: 10 stories (front.stories) in pages of 4.
    assert {"index.html", "page/2/index.html", "page/3/index.html"} <= set(pages) and "page/4/index.html" not in pages
    first, last = html(pages, "index.html"), html(pages, "page/3/index.html")
    assert len(first.select(".story")) == 4 and len(last.select(".story")) == 2
    assert first.select_one(".pagination a[rel=next]")["href"] == "page/2/index.html"
    assert last.select_one(".pagination a[rel=prev]")["href"] == "../../page/2/index.html"
    assert last.find("a", href="../../archive/index.html", string=lambda s: s and "Older" in s)
    assert last.title.string == "Digest, page 3 — Digest" or "page 3" in last.title.string
    # Tag, section, month and day lists: 11 stories in pages of 4.
    for first_page in ("tags/economy/index.html", "sections/business/index.html"):
        folder = first_page[: -len("index.html")]
        assert {f"{folder}page/2/index.html", f"{folder}page/3/index.html"} <= set(pages), folder
        assert f"{folder}page/4/index.html" not in pages
        seen = [h.get_text(strip=True) for p in ("index.html", "page/2/index.html", "page/3/index.html")
                for h in html(pages, folder + p).select(".story-headline")]
        assert seen == [f"Story number {i}" for i in range(10, -1, -1)], folder  # each once, newest first
    assert "archive/2025/03/page/3/index.html" in pages and "archive/2025/03/page/4/index.html" not in pages
    current = html(pages, "tags/economy/page/2/index.html").select_one(".pagination [aria-current=page]")
    assert current.get_text() == "2"


def test_pagination_window():
    p = render.pagination("tags/x/index.html", 6, 12)
    numbers = [n["number"] if n else None for n in p["pages"]]
    assert numbers == [1, None, 4, 5, 6, 7, 8, None, 12]
    assert p["previous"] == "tags/x/page/5/index.html" and p["next"] == "tags/x/page/7/index.html"
    assert render.pagination("index.html", 1, 1)["pages"] == []
    assert render.pagination("index.html", 2, 2)["previous"] == "index.html"


@pytest.mark.parametrize("base_url", ["", "https://example.org/news"])
def test_three_feed_formats_site_wide_and_per_tag(tmp_path, base_url):
    """The site has Atom, RSS and JSON Feed; each tag has an Atom feed."""
    feedparser = pytest.importorskip("feedparser")
    pages = build(corpus(), make_config(tmp_path, base_url=base_url, author="Desk"))
    assert "tags/economy/rss.xml" not in pages and "tags/economy/feed.json" not in pages
    for folder, count, every_format in (("", 4, True), ("tags/economy/", 3, False)):
        atom = feedparser.parse(pages[folder + "feed.xml"])
        parsed_feeds = [(atom, "atom10")]
        if every_format:
            parsed_feeds.append((feedparser.parse(pages[folder + "rss.xml"]), "rss20"))
        for parsed, version in parsed_feeds:
            assert not parsed.bozo, (folder, version, parsed.get("bozo_exception"))
            assert parsed.version == version
            assert len(parsed.entries) == count
            assert parsed.feed.title and parsed.feed.link
            for entry in parsed.entries:
                assert entry.title and entry.id and entry.link and entry.summary and entry.published_parsed
        # Required fields of each spec.
        root = ElementTree.fromstring(pages[folder + "feed.xml"])
        a = "{http://www.w3.org/2005/Atom}"
        assert all(root.find(a + f) is not None for f in ("id", "title", "updated", "author"))
        for entry in root.findall(a + "entry"):
            assert all(entry.find(a + f) is not None for f in ("id", "title", "updated", "summary", "link"))
        if every_format:
            # feedparser 6.0.x (the released line) has no JSON Feed reader: check JSON Feed 1.1 by its spec.
            jsonfeed = json.loads(pages[folder + "feed.json"])
            assert len(jsonfeed["items"]) == count
            assert all(isinstance(jsonfeed.get(k, ""), str) for k in ("home_page_url", "feed_url", "description", "language"))
            for item in jsonfeed["items"]:
                assert set(item) <= {"id", "url", "external_url", "title", "content_text", "summary", "date_published",
                                     "authors", "tags"}
                datetime.fromisoformat(item["date_published"])  # RFC 3339
            channel = ElementTree.fromstring(pages[folder + "rss.xml"]).find("channel")
            assert all(channel.find(f) is not None for f in ("title", "link", "description"))
            assert jsonfeed["version"] == "https://jsonfeed.org/version/1.1" and jsonfeed["title"]
            assert all(isinstance(i["id"], str) and i["content_text"] and i["summary"] for i in jsonfeed["items"])
            if base_url:
                assert jsonfeed["feed_url"].startswith(base_url)
        # Links resolve: relative to the feed file without base_url, absolute with it.
        link = atom.entries[0].link
        if base_url:
            assert link == "https://example.org/news/articles/rates-rise/"
        else:
            target = posixpath.normpath(posixpath.join(folder, link))
            assert target == "articles/rates-rise/index.html", (folder, link)
    rates = json.loads(pages["feed.json"])["items"][0]
    assert rates["summary"] == "The central bank raised rates. Markets fell after the decision."
    assert rates["tags"] == ["Interest rates", "Economy"] and rates["authors"] == [{"name": "Jane Doe"}]
    tag_page = html(pages, "tags/economy/index.html")
    types = [l["type"] for l in tag_page.find_all("link", rel="alternate")]
    assert types == ["application/atom+xml", "application/atom+xml", "application/rss+xml", "application/feed+json"]


def test_feed_length_is_capped(tmp_path):
    config = make_config(tmp_path)
    pages = build(many(5), dataclasses.replace(config, front=dataclasses.replace(config.front, feed_entries=3)))
    assert len(json.loads(pages["feed.json"])["items"]) == 3
    assert pages["rss.xml"].count(b"<item>") == 3 and pages["feed.xml"].count(b"<entry>") == 3


def test_open_graph_and_news_article_json_ld(tmp_path):
    pages = build(corpus(), make_config(tmp_path, base_url="https://example.org/news", title="The Digest"))
    soup = html(pages, "articles/rates-rise/index.html")
    og = {m["property"]: m["content"] for m in soup.find_all("meta", property=True)}
    assert og["og:type"] == "article" and og["og:title"] == "Central bank raises rates"
    assert og["og:url"] == "https://example.org/news/articles/rates-rise/" and og["og:site_name"] == "The Digest"
    assert og["og:description"] == "Borrowing costs climb again."
    assert og["article:published_time"] == "2025-03-07T09:30:00+00:00" and og["article:section"] == "Business"
    ld = json.loads(soup.find("script", type="application/ld+json").string)
    assert ld["@context"] == "https://schema.org" and ld["@type"] == "NewsArticle"
    assert ld["headline"] == "Central bank raises rates" and ld["datePublished"] == "2025-03-07T09:30:00+00:00"
    assert ld["author"] == [{"@type": "Person", "name": "Jane Doe"}] and ld["publisher"]["name"] == "The Digest"
    assert ld["mainEntityOfPage"]["@id"] == "https://example.org/news/articles/rates-rise/"
    assert ld["keywords"] == ["Interest rates", "Economy"] and ld["isBasedOn"] == "https://www.example.com/rates"
    assert html(pages, "index.html").find("meta", property="og:type")["content"] == "website"


def test_json_ld_cannot_break_out_of_its_script(tmp_path):
    evil = "Headline </script><script>alert(2)</script> <!-- &"
    article = make_article("evil", evil, datetime(2025, 3, 7, tzinfo=UTC), byline="</SCRIPT >x\u2028",
                           body=(Block("p", "Text."),), summary=("Text.",), tags=("</script>",))
    page = dict(render.render_site([article], make_config(tmp_path)))["articles/evil/index.html"].decode()
    soup = BeautifulSoup(page, "html.parser")
    scripts = soup.find_all("script")
    assert len(scripts) == 1
    raw = scripts[0].string
    assert "<" not in raw and ">" not in raw and "&" not in raw and "\u2028" not in raw
    data = json.loads(raw)
    assert data["headline"] == evil and data["author"][0]["name"] == "</SCRIPT >x\u2028"
    assert page.count("<script") == 1


def test_search_index_and_ranking(tmp_path):
    from digest import search

    pages = build(corpus(), make_config(tmp_path))
    js = pages["search-index.js"].decode()
    assert js.startswith("window.DIGEST_SEARCH=") and js.rstrip().endswith(";")
    index = json.loads(js[len("window.DIGEST_SEARCH="):].rstrip().rstrip(";"))
    slugs = [d[1] for d in index["docs"]]
    assert slugs == ["rates-rise", "rates-rise-wire", "storm", "old-news"]  # drafts are not searchable
    assert "<" not in js  # safe to inline

    def found(query):
        return [slugs[i] for i in search.search(index, query)]

    assert found("central bank")[0] == "rates-rise"  # headline
    assert found("interest")[:1] == ["rates-rise"]  # tag
    assert found("markets fell") == ["rates-rise"]  # summary
    assert found("ECONOM")[:3] == ["rates-rise", "rates-rise-wire", "old-news"]  # prefix, case-folded
    assert found("bank nothing-like-this") == []  # every term must match
    assert found("the") == found("THE") and found("") == []
    assert found("Storm coast")[0] == "storm"
    assert search.fold("Café  Zürich—2025!") == "cafe zurich 2025"
    search_page = html(pages, "search/index.html")
    assert [s["src"] for s in search_page.find_all("script")] == ["../search-index.js", "../search.js"]
    assert search_page.find("form", role="search").find("input", attrs={"name": "q"})
    assert "search-index.js" not in pages["index.html"].decode()  # only the search page loads the index


def test_block_html_is_sanitised_again_when_rendered(tmp_path):
    # a reader bug must not reach the page: Block.html goes through the allow-list at render time too
    article = make_article(
        "x", "Headline", datetime(2025, 3, 7, tzinfo=UTC),
        body=(Block("p", "t", html='ok <a href="javascript:alert(1)" onclick="alert(2)">link</a><script>alert(3)</script>'),),
        summary=("Summary sentence here.",),
    )
    page = dict(render.render_site([article], make_config(tmp_path)))["articles/x/index.html"].decode()
    assert "javascript:" not in page and "onclick" not in page and "alert(3)" not in page
    assert ">link</a>" in page


def test_a_tag_gets_a_page_only_from_min_articles_stories(tmp_path):
    config = make_config(tmp_path)
    config = dataclasses.replace(config, tags=dataclasses.replace(config.tags, min_articles=2))
    pages = build(corpus(), config)
    site = render.make_site(corpus(), config)
    published = [a for a in corpus() if not a.draft]
    carried = {site.tag_slug(t) for a in published for t in a.tags}
    with_page = {p.split("/")[1] for p in pages if p.startswith("tags/") and p.endswith("/index.html") and p != "tags/index.html"}
    assert with_page and with_page < carried
    for slug in carried:
        stories = {site.canonical[a.slug] for a in published if slug in {site.tag_slug(t) for t in a.tags}}
        assert (slug in with_page) == (len(stories) >= 2), slug
    # on an article page, a tag without a page is shown, but not as a link
    lone = sorted(carried - with_page)[0]
    article = next(a for a in published if lone in {site.tag_slug(t) for t in a.tags})
    page = html(pages, f"articles/{article.slug}/index.html")
    chips = {c.get_text(strip=True): c.name for c in page.select(".chips .chip")}
    assert chips[site.tag_names[lone]] == "span"
    assert not page.select(f'a[href$="tags/{lone}/index.html"]')


# -- the render memo (digest watch) -----------------------------------------------------------


def _keyed(renderer: render.Renderer) -> dict[str, tuple[str, None]]:
    return {page.path: (renderer.key(page), None) for page in renderer.pages()}


@pytest.mark.parametrize("slug, changes", [
    ("storm", {"title": "Storm leaves the coast"}),  # a related link and the next/previous links of its neighbours
    ("rates-rise-wire", {"byline": "Wire desk"}),  # shown as another telling on its story's page
    ("rates-rise-wire", {"url": "https://wire.example.org/rates"}),
    ("old-news", {"summary": ("A changed summary.",)}),
    ("old-news", {"tags": ("Economy", "Weather")}),  # joins a tag: that tag's pages, the tag index
    ("old-news", {"tags": ("Weather",)}),  # leaves a tag, joins another
    ("rates-rise", {"related": ()}),
])
def test_with_the_memo_every_page_whose_key_changed_is_looked_at(tmp_path, slug, changes):
    config = make_config(tmp_path)
    before = corpus()
    first = render.Renderer(before, config)
    old = _keyed(first)
    memo = first.memo(old, config.paths.output)
    assert memo is not None
    after = [dataclasses.replace(a, **changes) if a.slug == slug else a for a in before]
    again = render.Renderer(after, config, memo)
    fresh = render.Renderer(after, config)
    assert again.dirty is not None  # same shape: the memo was used
    assert again.views == fresh.views
    new = _keyed(fresh)
    for path in set(old) | set(new):
        if old.get(path) != new.get(path):
            assert again.wants(path), path
    assert not all(again.wants(path) for path in new)  # and not simply every page


def test_another_shape_means_no_memo_but_tag_pages_may_come_and_go(tmp_path):
    config = make_config(tmp_path)
    before = corpus()
    first = render.Renderer(before, config)
    memo = first.memo(_keyed(first), config.paths.output)
    later = [dataclasses.replace(a, date=a.date - timedelta(days=40)) if a.slug == "storm" else a for a in before]
    assert render.Renderer(later, config, memo).dirty is None
    # A tag page that goes (its last article leaves it) keeps the memo: the folders of the tags
    # the article left and the pages of the views that showed them are made again.
    untagged = [dataclasses.replace(a, tags=("Weather",)) if a.slug == "storm" else a for a in before]
    again = render.Renderer(untagged, config, memo)
    left = set(first.site.tag_slugs["storm"]) - set(again.site.tag_slugs["storm"])
    assert again.dirty is not None and "articles/storm/index.html" in again.dirty
    assert left & set(first.site.tag_pages) - set(again.site.tag_pages)  # a tag page does go
    assert all(render.tag_path(t)[: -len("index.html")] in again.dirty_folders for t in left)
    assert render.Renderer(before, dataclasses.replace(config, site=dataclasses.replace(config.site, title="Other")), memo).dirty is None
    assert render.Renderer(before, config, memo).dirty == set()


def test_the_search_listing_is_the_same_part_of_every_view(tmp_path):
    # The search index reads listings (made without the body) where a view is not at hand.
    site = render.make_site(corpus(), make_config(tmp_path))
    for article in site.articles:
        listing = render._listing(article, site)
        view = render.article_context(article, site)
        assert tuple(listing) == render._LISTING
        assert {key: view[key] for key in render._LISTING} == listing


# -- the fast paths give the same bytes ---------------------------------------------------------


class _Html:
    def __html__(self) -> str:
        return "<b>safe</b>"


def test_the_environment_writes_what_plain_jinja_writes(tmp_path):
    # _Environment reads dict items before attributes and writes {{ … }} without a Markup copy:
    # the text must be Jinja's own, item/attribute precedence included (b.items is the method).
    import jinja2
    from markupsafe import Markup

    source = (
        "{{ v.name }}|{{ v['name'] }}|{{ v.items is callable }}|{{ v.get('n') }}|{{ m }}|{{ h }}|{{ n }}|{{ none }}"
        "|{{ f }}|{% for k, x in v.items() %}{{ k }}={{ x }};{% endfor %}|{{ v.name ~ m }}|{{ v.missing is defined }}"
        "|{% macro mm(a) %}<i>{{ a }}</i>{% endmacro %}{{ mm(v.name) }}|{% set s %}{{ v.name }}{% endset %}{{ s }}"
        "|{{ view.headline }}|{{ view.body[0].content }}|{{ entry.id }}/{{ entry.headline }}"
    )
    site = render.make_site(corpus(), make_config(tmp_path))
    view = render._list_view(site.by_slug["storm"], site)
    context = {
        "v": {"name": XSS, "n": 3, "items": "not the method"}, "m": Markup("<em>m</em>"), "h": _Html(), "n": 1.5,
        "none": None, "f": 7, "view": view, "entry": render._FeedEntry(view, {"id": "urn:x"}),
    }
    options = dict(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    plain = jinja2.Environment(**options).from_string(source).render(context)
    ours = render.make_environment(make_config(tmp_path))
    assert ours.from_string(source).render(context) == plain
    assert "&lt;script&gt;" in plain and "<b>safe</b>" in plain and "True" in plain
    with pytest.raises(jinja2.UndefinedError):
        ours.from_string("{{ v.nothing }}").render(context)
    # Not autoescaped (a .txt template): str(), as before.
    text = jinja2.Environment(**{**options, "autoescape": False}).from_string(source).render(context)
    assert render._Environment(**{**options, "autoescape": False}).from_string(source).render(context) == text


def test_list_views_leave_the_body_out_but_a_template_can_still_read_it(tmp_path):
    site = render.make_site(corpus(), make_config(tmp_path))
    renderer = render.Renderer(corpus(), make_config(tmp_path))
    for article in site.articles:
        lite = renderer.views[article.slug]
        full = render.article_context(article, site)
        assert "body" not in lite and lite["body"] == full["body"] and lite["reading_minutes"] == full["reading_minutes"]  # made on demand
        assert list(full).index("body") == list(full).index("source") + 1  # the documented order
        assert list(lite) == [k for k in full if k not in ("body", "words", "reading_minutes")]
        assert {k: v for k, v in full.items() if k in lite} == dict(lite)
        other = render.Renderer(corpus(), make_config(tmp_path))
        assert renderer.view_key(lite) == other.view_key(full)  # one key for both: pages name the view by it
    page = renderer.article_page(site.by_slug["rates-rise"], renderer.views["rates-rise"])
    assert "body" in page.context["article"]
    # A user's list template may show the body of each story.
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "tag.html").write_text(
        "{% for s in index.stories %}{{ s.headline }}:{{ s.body|length }};{% endfor %}", encoding="utf-8")
    pages = build(corpus(), make_config(tmp_path))
    assert pages["tags/economy/index.html"].decode() == "Central bank raises rates:7;Something from last month:1;"


def test_a_changed_body_changes_the_view_key_and_the_article_page_key(tmp_path):
    config = make_config(tmp_path)
    before = render.Renderer(corpus(), config)
    after_corpus = [dataclasses.replace(a, body=a.body + (Block("p", "One more line."),)) if a.slug == "storm" else a
                    for a in corpus()]
    after = render.Renderer(after_corpus, config)
    assert before.view_key(before.views["storm"]) != after.view_key(after.views["storm"])
    assert before.view_key(before.views["old-news"]) == after.view_key(after.views["old-news"])
    keys = [{p.path: r.key(p) for p in r.pages()} for r in (before, after)]
    assert keys[0]["articles/storm/index.html"] != keys[1]["articles/storm/index.html"]
    assert keys[0]["articles/old-news/index.html"] == keys[1]["articles/old-news/index.html"]


def test_the_search_index_from_rows_is_the_index_from_views(tmp_path):
    from digest import search

    site = render.make_site(corpus(), make_config(tmp_path))
    views = [render.article_context(a, site) for a in site.articles]
    rows = [search.search_row(render._listing(a, site)) for a in site.articles]
    assert search.index_from_rows(rows) == search.build_search_index(views)


def test_a_feed_entry_has_the_keys_of_a_list_view(tmp_path):
    # As the module's docs say of story lists and feed entries: ``entry.body`` is made when asked
    # for, but ``"body" in entry`` is false and a loop over the entry does not meet it.
    site = render.make_site(corpus(), make_config(tmp_path))
    view = render._list_view(site.by_slug["storm"], site)
    entry = render._FeedEntry(view, {"id": "urn:x"})
    assert entry["body"] and entry["words"] > 0
    assert "body" not in entry and "words" not in entry and "body" not in list(entry)
    assert "id" in entry and "headline" in entry


def story_corpus(**titles: str) -> list[Article]:
    """A story told four times ("a" the canonical one; "d" also names "lone", outside it), an
    article alone with the same tags, and a draft telling (``titles``: headlines by slug)."""
    day = datetime(2025, 3, 7, 9, 30, tzinfo=UTC)
    tags = ("Economy", "Interest rates")

    def telling(slug: str, hours: int, **changes) -> Article:
        return make_article(slug, titles.get(slug, f"Telling {slug}"), day - timedelta(hours=hours), tags=tags,
                            section="Business", url=f"https://{slug}.example.com/x",
                            duplicate_of="" if slug == "a" else "a", **changes)

    return [telling("a", 2), telling("b", 0), telling("c", 1), telling("d", 3, duplicates=("a", "lone")),
            make_article("lone", titles.get("lone", "A story alone"), day - timedelta(days=1), tags=tags),
            make_article("e", "Draft telling", day, tags=tags, duplicate_of="a", draft=True)]


def test_a_storys_tellings_each_list_the_others_newest_first(tmp_path):
    site = render.make_site(story_corpus(), make_config(tmp_path))
    views = {a.slug: render._list_view(a, site) for a in site.articles}
    for slug in "abcd":
        expected = [s for s in ("b", "c", "a", "d", "lone" if slug == "d" else "") if s and s != slug]
        assert [d["slug"] for d in views[slug]["duplicates"]] == expected
        assert views[slug]["duplicates"] == [render._duplicate_ref(o, site) for o in render._others(site.by_slug[slug], site)]
        assert views[slug]["sources"] == len(expected) + 1
    assert views["lone"]["duplicates"] == []
    # one list of tag refs for every article with the same tags, as each would make it
    assert views["a"]["tags"] is views["lone"]["tags"]
    assert views["a"]["tags"] == [{"name": "Economy", "slug": "economy", "url": "tags/economy/index.html"},
                                  {"name": "Interest rates", "slug": "interest-rates", "url": "tags/interest-rates/index.html"}]


def test_view_keys_follow_the_shared_links_they_show(tmp_path):
    config = make_config(tmp_path)

    def keys(articles, config=config) -> dict[str, str]:
        renderer = render.Renderer(articles, config)
        return {slug: renderer.view_key(view) for slug, view in renderer.views.items()}

    before = keys(story_corpus())
    assert keys(story_corpus()) == before  # a key is made from values: another renderer, the same keys
    # another headline for "c": its own view's key changes, and that of every view listing it (the
    # other tellings, "b" and "a" its neighbours too), not that of "lone"
    after = keys(story_corpus(c="A new headline"))
    assert {slug for slug in before if before[slug] != after[slug]} == {"a", "b", "c", "d"}
    after = keys(story_corpus(d="A new headline"))  # "d": listed by its story, and the neighbour of "lone"
    assert {slug for slug in before if before[slug] != after[slug]} == {"a", "b", "c", "d", "lone"}
    # the tags' links change when the tags lose their pages: the key of every view showing them too
    fewer = dataclasses.replace(config, tags=dataclasses.replace(config.tags, min_articles=9))
    assert all(before[slug] != key for slug, key in keys(story_corpus(), fewer).items())


def test_feed_dates_and_ids_are_what_the_standard_library_writes():
    import uuid
    from email.utils import format_datetime
    from zoneinfo import ZoneInfo

    zones = [None, UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=8)),
             timezone(timedelta(seconds=3723)), ZoneInfo("Europe/London"), ZoneInfo("America/New_York")]
    for i, zone in enumerate(zones):
        for when in (datetime(2025, 3, 30, 0, 59, 7, tzinfo=zone), datetime(999, 12, 31, 23, 0, 0, 5, tzinfo=zone),
                     datetime(2024, 2, 29, 12, i, tzinfo=zone)):
            iso = when.isoformat()
            assert render._rfc822(iso) == format_datetime(datetime.fromisoformat(iso))
    for name in ("digest:Site:slug", "digest:", "digest:Ünïcode € title:😀-story", "x" * 300):
        assert render._uuid5(name) == str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def test_a_feed_entry_is_read_inline_and_keyed_by_its_view(tmp_path):
    renderer = render.Renderer(corpus(), make_config(tmp_path))
    view = renderer.views["storm"]
    entry = render._FeedEntry(view, {"id": "urn:x", "headline": "Feed's own"})
    assert type(entry) in renderer.env.item_types  # compiled templates read its items without a call into Python
    assert list(entry) == [*view, "id"] and entry["headline"] == "Feed's own" and entry["slug"] == "storm"
    page = render.Page("feed.xml", "feed.xml", {"entries": [entry]})
    key = renderer.key(page)
    assert renderer.members["feed.xml"] == ("storm",)  # the view named by its key
    other = render.Renderer(corpus(), make_config(tmp_path))
    assert other.key(render.Page("feed.xml", "feed.xml", {"entries": [render._FeedEntry(other.views["storm"], {"id": "urn:x", "headline": "Feed's own"})]})) == key
    assert other.key(render.Page("feed.xml", "feed.xml", {"entries": [render._FeedEntry(other.views["storm"], {"id": "urn:y", "headline": "Feed's own"})]})) != key


def test_a_page_key_offers_only_the_views_to_the_pickler_not_the_names_it_writes_them_by(tmp_path, monkeypatch):
    # Each view is written as a call of _view_ref; written out in full (module and name), that
    # function was offered to reducer_override and looked up by importing its module for every view.
    renderer = render.Renderer(corpus(), make_config(tmp_path))
    offered: list[type] = []
    override = render._KeyPickler.reducer_override

    def counting(self, obj):
        offered.append(type(obj))
        return override(self, obj)

    monkeypatch.setattr(render._KeyPickler, "reducer_override", counting)
    views = [renderer.views[slug] for slug in ("storm", "rates-rise", "old-news")]
    page = render.Page("tags/x/index.html", "tag.html", {"index": {"stories": views, "groups": [{"stories": views}]}})
    key = renderer.key(page)
    assert offered == [render._ListView] * 6
    assert renderer.key(page) == key and renderer.members[page.path] == ("storm", "rates-rise", "old-news")
    swapped = render.Page(page.path, page.template, {"index": {"stories": views[::-1], "groups": [{"stories": views}]}})
    assert renderer.key(swapped) != key
