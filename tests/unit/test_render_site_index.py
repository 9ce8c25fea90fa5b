"""The site index kept in the render memo: a site made from the last one's index after edits is
the site made from every article."""
from __future__ import annotations

import dataclasses
import pickle
import random
from datetime import datetime, timedelta, timezone

import pytest

from digest import render
from digest.model import Article

from .test_render import make_article, make_config

_SPELLINGS = ("Economy", "economy", "ECONOMY", "Weather", "Storms", "storms", "Rates", "Élan", "elan", "Zeppelin", "Quay")


def _corpus(rng: random.Random, n: int = 40) -> list[Article]:
    start = datetime(2025, 3, 7, 9, 30, tzinfo=timezone.utc)
    articles = []
    for i in range(n):
        articles.append(make_article(
            f"a-{i:02d}", f"Story {i}", start - timedelta(hours=rng.randrange(0, 200)),
            tags=tuple(rng.sample(_SPELLINGS, rng.randrange(0, 4))), section=rng.choice(("Business", "World", "")),
            draft=rng.random() < 0.05,
        ))
    # a few stories told twice or three times
    for head, other in ((0, 1), (0, 2), (5, 6), (9, 10)):
        articles[other] = dataclasses.replace(articles[other], duplicate_of=articles[head].slug)
    return articles


def _by_slug(articles: list[Article]) -> dict[str, Article]:
    return {a.slug: a for a in articles}


def _same_site(made: render.Site, fresh: render.Site) -> None:
    assert made.index is not None and fresh.index is not None
    for name in ("articles", "by_slug", "position", "canonical", "members", "tag_names", "tag_pages", "tag_slugs", "base_url"):
        assert getattr(made, name) == getattr(fresh, name), name
    assert dict(made.tagged) == dict(fresh.tagged)
    for name in ("order", "days", "by_section", "by_month", "by_day", "canonical", "members", "sections", "slug_of", "spelled",
                 "tag_names", "tagged", "stories", "tag_pages", "frames", "digest"):
        assert getattr(made.index, name) == getattr(fresh.index, name), name
    assert pickle.loads(made.index.tags) == pickle.loads(fresh.index.tags)


@pytest.mark.parametrize("least", [1, 2, 3])
def test_a_site_made_from_the_last_index_after_tag_edits_is_the_site_made_afresh(tmp_path, least):
    config = make_config(tmp_path)
    config = dataclasses.replace(config, tags=dataclasses.replace(config.tags, min_articles=least))
    rng = random.Random(least)
    articles = _corpus(rng)
    index = render.make_site(articles, config).index
    for _ in range(60):
        edited = set()
        for _ in range(rng.randrange(1, 4)):
            i = rng.randrange(len(articles))
            tags = tuple(rng.sample(_SPELLINGS, rng.randrange(0, 5)))
            if rng.random() < 0.2:
                tags += tags[:1]  # a spelling twice
            articles[i] = dataclasses.replace(articles[i], tags=tags, title=f"Edited {rng.random()}")
            edited.add(articles[i].slug)
        made = render._site_since(_by_slug(articles), config, index, edited)
        assert made is not None
        _same_site(made, render.make_site(articles, config))
        index = made.index


@pytest.mark.parametrize("change", [
    {"date": datetime(2020, 1, 1, tzinfo=timezone.utc)},
    {"section": "Sport"},
    {"draft": True},
    {"duplicate_of": "a-03"},
])
def test_an_edit_that_moves_an_article_on_the_site_makes_the_site_afresh(tmp_path, change):
    config = make_config(tmp_path)
    articles = _corpus(random.Random(7))
    index = render.make_site(articles, config).index
    i = next(i for i, a in enumerate(articles) if not a.draft and a.slug != "a-03" and not a.duplicate_of)
    articles[i] = dataclasses.replace(articles[i], **change)
    assert render._site_since(_by_slug(articles), config, index, {articles[i].slug}) is None
    # also when another article is added or one is gone
    assert render._site_since(_by_slug(articles[:-1]), config, index, set()) is None
    renamed = articles[:-1] + [dataclasses.replace(articles[-1], slug="a-new")]
    assert render._site_since(_by_slug(renamed), config, index, {"a-new"}) is None


def test_a_renderer_with_the_memo_makes_its_site_from_the_index(tmp_path, monkeypatch):
    config = make_config(tmp_path)
    articles = _corpus(random.Random(3))
    first = render.Renderer(articles, config, prints={a.slug: (a.slug.encode(), False) for a in articles})
    memo = first.memo({page.path: (first.key(page), None) for page in first.pages()}, config.paths.output)
    assert memo is not None and memo.on_disk().index is memo.index
    i = next(i for i, a in enumerate(articles) if not a.draft)
    articles[i] = dataclasses.replace(articles[i], tags=("Zeppelin", "Quay"))
    prints = {a.slug: (a.slug.encode() + (b"!" if j == i else b""), False) for j, a in enumerate(articles)}

    def no_full_site(*args, **kwargs):
        raise AssertionError("made from every article")

    monkeypatch.setattr(render, "make_site", no_full_site)
    again = render.Renderer(articles, config, memo.on_disk(), prints)
    monkeypatch.undo()
    assert again.dirty is not None
    _same_site(again.site, render.make_site(articles, config))


def test_a_site_without_its_index_gives_the_same_pages(tmp_path):
    config = make_config(tmp_path)
    articles = _corpus(random.Random(5))
    site = render.make_site(articles, config)
    made = render.Renderer(articles, config, site=site)
    bare = render.Renderer(articles, config, site=dataclasses.replace(site, index=None))
    pages = {page.path: made.render(page) for page in made.pages()}
    assert {page.path: bare.render(page) for page in bare.pages()} == pages
    assert any(path.startswith("archive/") for path in pages) and any(path.startswith("sections/") for path in pages)
