"""Tests for digest.readers.html: metadata from a saved page's head."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from digest.model import SourceFile
from digest.readers.html import read_html


def read(page: str):
    src = SourceFile(path=Path("/c/news/p.html"), rel="news/p.html", suffix="html", mtime=0.0)
    return read_html(src, page, "p")


def test_open_graph_and_article_meta():
    page = """<html><head>
    <meta property="og:title" content="Ferry Timetable Changes | Island Gazette">
    <meta property="og:site_name" content="Island Gazette">
    <meta property="article:published_time" content="2024-03-05T08:30:00+01:00">
    <meta name="author" content="Morgan Ellery">
    <meta property="og:url" content="https://example.org/og">
    <link rel="canonical" href="https://example.org/ferry">
    <title>Something else - Island Gazette</title></head><body><h1>Body heading</h1></body></html>"""
    art = read(page)
    assert art.format == "html"
    assert art.source == "news/p.html"
    assert art.slug == "p"
    assert art.raw == page
    assert art.title == "Ferry Timetable Changes"
    assert art.date == datetime(2024, 3, 5, 8, 30, tzinfo=timezone(timedelta(hours=1)))
    assert art.byline == "Morgan Ellery"
    assert art.url == "https://example.org/ferry"
    assert art.body == ()  # the body is clean's job


def test_title_tag_less_site_suffix():
    assert read("<html><head><title>Council backs new ferry plan – The Coast Times</title></head></html>").title == (
        "Council backs new ferry plan"
    )
    assert read("<html><head><title>Council backs new ferry plan | Coast</title></head></html>").title == (
        "Council backs new ferry plan"
    )


@pytest.mark.parametrize(("title", "expected"), [
    ("Opinion | Council backs new ferry plan - The Coast Times", "Council backs new ferry plan"),
    ("Live | Council backs new ferry plan", "Council backs new ferry plan"),
    # a headline before the bar is no section label
    ("Council backs new ferry plan | Coast", "Council backs new ferry plan"),
    ("Ferry plan: what it means | Q&A", "Ferry plan: what it means"),
])
def test_title_tag_less_section_label(title: str, expected: str) -> None:
    assert read(f"<html><head><title>{title}</title></head></html>").title == expected


def test_title_falls_back_to_first_h1():
    page = "<html><head></head><body><nav>Menu</nav><h1>Harbour <em>ferries</em> return</h1><h1>Second</h1></body></html>"
    assert read(page).title == "Harbour ferries return"


def test_json_ld_date_author_and_headline():
    page = """<html><head><script type="application/ld+json">
    {"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "Gazette"},
     {"@type": "NewsArticle", "headline": "Tolls to rise", "datePublished": "2023-11-18T09:00:00Z",
      "author": [{"@type": "Person", "name": "Priya Nandakumar"}]}]}
    </script></head><body></body></html>"""
    art = read(page)
    assert art.title == "Tolls to rise"
    assert art.date == datetime(2023, 11, 18, 9, 0, tzinfo=timezone.utc)
    assert art.byline == "Priya Nandakumar"


def test_naive_dates_are_utc_and_time_element_is_used():
    page = '<html><head><title>A story about tides</title></head><body><time datetime="2022-06-01 07:15">1 June</time></body></html>'
    assert read(page).date == datetime(2022, 6, 1, 7, 15, tzinfo=timezone.utc)


def test_itemprop_date_and_rel_author():
    page = ('<html><head><title>A story about tides</title></head><body>'
            '<span itemprop="datePublished" content="2021-02-03">3 Feb</span>'
            '<a rel="author" href="/people/jo">Jo March</a></body></html>')
    art = read(page)
    assert art.date == datetime(2021, 2, 3, tzinfo=timezone.utc)
    assert art.byline == "Jo March"


def test_itemprop_among_several_and_article_published_meta():
    page = ('<html><head><title>A story about tides</title>'
            '<meta property="article:published" itemprop="datePublished dateCreated" content="2021-02-03T11:00:09.000Z">'
            '</head><body><p>Text.</p></body></html>')
    assert read(page).date == datetime(2021, 2, 3, 11, 0, 9, tzinfo=timezone.utc)
    body_only = ('<html><head><title>A story about tides</title></head><body>'
                 '<span itemprop="dateCreated datePublished" content="2021-02-04">4 Feb</span></body></html>')
    assert read(body_only).date == datetime(2021, 2, 4, tzinfo=timezone.utc)


def test_time_element_text_is_the_date_without_a_datetime():
    page = ('<html><head><title>A story about tides</title></head><body><time class="x">Updated</time>'
            '<time class="pub-date">November 18, 2019</time></body></html>')
    assert read(page).date == datetime(2019, 11, 18, tzinfo=timezone.utc)
    assert read(page.replace("November 18, 2019", "Yesterday")).date is None


@pytest.mark.parametrize("head, body, byline", [
    # a social-media handle is the last resort: a name anywhere else wins
    ('<meta name="twitter:creator" content="@islandgazette">'
     '<script type="application/ld+json">{"@type": "NewsArticle", "author": {"name": "Priya Nandakumar"}}</script>',
     "", "Priya Nandakumar"),
    ('<meta name="twitter:creator" content="@islandgazette">', '<a rel="author" href="/p/jo">Jo March</a>', "Jo March"),
    ('<meta name="twitter:creator" content="@jomarch">', '<a rel="author" href="/p/jo"> </a>', "@jomarch"),
    ('<meta name="twitter:creator" content="@https://twitter.com/jomarch">', "", ""),  # an address, not a name
    ('<meta name="author" content="https://example.org/people/jo">', '<a rel="author" href="/p/jo">Jo March</a>', "Jo March"),
    # "By" is the page's wording, not part of the name
    ('<meta name="author" content="By Jo March, Staff writer">', "", "Jo March, Staff writer"),
    ('<meta name="author" content="by ANA RUIZ and JO MARCH">', "", "ANA RUIZ and JO MARCH"),
    ('<meta name="author" content="Byron Ellery">', "", "Byron Ellery"),
])
def test_byline_sources_in_order(head, body, byline):
    page = f"<html><head><title>A story about tides</title>{head}</head><body>{body}<p>Text.</p></body></html>"
    assert read(page).byline == byline


def test_no_metadata_gives_empty_fields():
    art = read("<html><body><p>Just text.</p></body></html>")
    assert (art.title, art.date, art.byline, art.url) == ("", None, "", "")


def test_bad_json_ld_and_bad_dates_are_ignored():
    page = """<html><head><meta property="article:published_time" content="yesterday">
    <script type="application/ld+json">{not json</script><title>Tide tables for the week</title></head></html>"""
    art = read(page)
    assert art.date is None
    assert art.title == "Tide tables for the week"


def test_malformed_page_with_xml_declaration():
    page = ('<?xml version="1.0" encoding="iso-8859-1"?>\n<html><head>'
            '<!-- <title>Commented title</title> -->'
            '<meta property="og:title" content="Caf\u00e9 owners win &amp; celebrate">'
            '<link rel="Canonical" href=" https://example.org/cafe ">'
            '<title>Ignored</title></div><body><p>Unclosed <time datetime="2020-01-02T03:04:05Z">then</body>')
    art = read(page)
    assert art.title == "Caf\u00e9 owners win & celebrate"
    assert art.url == "https://example.org/cafe"
    assert art.date == datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def test_empty_and_garbage_pages_give_empty_fields():
    for page in ("", "   ", "<", "\x00garbage<<>>", '<?xml version="1.0"?>'):
        art = read(page)
        assert (art.title, art.date, art.byline, art.url) == ("", None, "", ""), page
        assert art.raw == page


def test_comment_in_head_does_not_give_a_title():
    assert read("<html><head><!-- <title>Hidden</title> --></head><body><h1>Shown <b>here</b></h1></body></html>").title == (
        "Shown here"
    )
