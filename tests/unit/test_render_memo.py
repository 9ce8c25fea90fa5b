"""The render memo across processes: what an edit makes again, and what a new process need not redo."""
from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from digest import render

from .test_render import corpus, make_config


def _prints(articles, changed=()):
    """What the pipeline tells the renderer: each article's print, a new one for the ``changed`` slugs."""
    return {a.slug: ((b"new-" if a.slug in changed else b"old-") + a.slug.encode(), False) for a in articles}


def _first(config, articles):
    """A renderer that made every page, and the memo it leaves on disk."""
    first = render.Renderer(articles, config, prints=_prints(articles))
    pages = {page.path: (first.key(page), first.render(page)) for page in first.pages()}
    memo = first.memo({path: (key, None) for path, (key, _) in pages.items()}, config.paths.output)
    assert memo is not None
    return pages, memo.on_disk()


def _views_made(monkeypatch) -> list[str]:
    made: list[str] = []
    real = render._list_view
    monkeypatch.setattr(render, "_list_view", lambda article, site: made.append(article.slug) or real(article, site))
    return made


def _again(config, memo, before, slug, changes, monkeypatch):
    after = [dataclasses.replace(a, **changes) if a.slug == slug else a for a in before]
    made = _views_made(monkeypatch)
    again = render.Renderer(after, config, memo, _prints(after, {slug}))
    assert again.dirty is not None  # the memo was used
    return again, after, made


def test_an_edit_that_no_other_view_shows_makes_only_its_own_view_again(tmp_path, monkeypatch):
    config = make_config(tmp_path)
    before = corpus()
    _, memo = _first(config, before)
    again, _, made = _again(config, memo, before, "old-news", {"summary": ("A changed summary.",)}, monkeypatch)
    assert made == ["old-news"]
    assert "articles/old-news/index.html" in again.dirty and render._SEARCH_PATH in again.dirty


def test_a_new_headline_reaches_the_views_that_show_it(tmp_path, monkeypatch):
    config = make_config(tmp_path)
    before = corpus()
    _, memo = _first(config, before)
    again, _, made = _again(config, memo, before, "storm", {"title": "Storm leaves the coast"}, monkeypatch)
    # itself, its neighbours in date order (previous/next) and the article that lists it as related
    assert set(made) == {"storm", "rates-rise-wire", "old-news", "rates-rise"}
    assert {"articles/storm/index.html", "articles/rates-rise/index.html", "articles/old-news/index.html"} <= again.dirty


def test_the_search_index_is_made_again_only_when_one_of_its_rows_changes(tmp_path, monkeypatch):
    config = make_config(tmp_path)
    before = corpus()
    pages, memo = _first(config, before)
    again, after, _ = _again(config, memo, before, "old-news", {"body": (before[3].body[0], before[3].body[0])}, monkeypatch)
    assert "articles/old-news/index.html" in again.dirty and render._SEARCH_PATH not in again.dirty
    fresh = render.Renderer(after, config)
    made = {page.path: fresh.render(page) for page in fresh.pages()}
    assert made[render._SEARCH_PATH] == pages[render._SEARCH_PATH][1]
    assert made["articles/old-news/index.html"] != pages["articles/old-news/index.html"][1]


def test_a_new_process_takes_the_compiled_templates_from_the_memo(tmp_path, monkeypatch):
    config = make_config(tmp_path)
    before = corpus()
    pages, memo = _first(config, before)
    assert memo.bytecode  # kept on disk with the memo
    again = render.Renderer(before, config, memo, _prints(before))
    assert again.dirty == set()

    def no_compile(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(again.env, "compile", no_compile)
    for page in again.pages():
        assert again.render(page) == pages[page.path][1], page.path


def test_other_templates_are_compiled_afresh(tmp_path):
    config = make_config(tmp_path)
    before = corpus()
    pages, memo = _first(config, before)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "article.html").write_text(
        '{% extends "default/article.html" %}{% block main %}<p>override</p>{{ super() }}{% endblock %}', encoding="utf-8")
    again = render.Renderer(before, config, memo, _prints(before))
    assert again.dirty is None  # another template set: every page is looked at
    page = next(p for p in again.pages() if p.path == "articles/storm/index.html")
    assert b"<p>override</p>" in again.render(page)


@pytest.mark.parametrize("least", [1, 2])
def test_the_site_index_counts_stories_and_lists_each_tag(tmp_path, least):
    config = make_config(tmp_path)
    config = dataclasses.replace(config, tags=dataclasses.replace(config.tags, min_articles=least))
    site = render.make_site(corpus(), config)
    for slug, members in site.tagged.items():
        assert list(members) == [a for a in site.articles if slug in site.tag_slugs[a.slug]]
        stories = {site.canonical[a.slug] for a in members}
        assert (slug in site.tag_pages) == (len(stories) >= least)
    spellings = Counter((site.tag_slug(name), name) for a in site.articles for name in a.tags)
    for slug, name in site.tag_names.items():
        assert spellings[(slug, name)] == max(n for (s, _), n in spellings.items() if s == slug)  # the most used spelling
