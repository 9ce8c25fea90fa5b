"""The render memo as a new process reads it from disk: the search rows stay pickled until a
row changes, and what an edit makes is what a fresh renderer makes."""
from __future__ import annotations

import dataclasses
import pickle

import pytest

from digest import render

from .test_render import corpus, make_config
from .test_render_memo import _first, _prints


def _from_disk(memo: render.RenderMemo) -> render.RenderMemo:
    """The memo as a new process loads it."""
    return pickle.loads(pickle.dumps(memo.on_disk(), protocol=pickle.HIGHEST_PROTOCOL))


def _edit(config, memo, before, slug, changes):
    after = [dataclasses.replace(a, **changes) if a.slug == slug else a for a in before]
    again = render.Renderer(after, config, _from_disk(memo), _prints(after, {slug}))
    assert again.dirty is not None  # the memo was used
    return again, after


def _made(renderer: render.Renderer, wanted=None) -> dict[str, tuple[str, bytes]]:
    return {page.path: (renderer.key(page), renderer.render(page)) for page in renderer.pages(only=wanted)}


def test_on_disk_the_search_rows_are_one_pickle(tmp_path):
    config = make_config(tmp_path)
    _, memo = _first(config, corpus())
    assert isinstance(memo.listings, bytes)
    assert set(pickle.loads(memo.listings)) == set(memo.row_keys) == {a.slug for a in corpus() if not a.draft}


def test_an_edit_that_changes_no_search_row_leaves_the_rows_unread(tmp_path, monkeypatch):
    config = make_config(tmp_path)
    before = corpus()
    pages, memo = _first(config, before)
    body = before[3].body
    again, after = _edit(config, memo, before, "old-news", {"body": body + body})
    assert render._SEARCH_PATH not in again.dirty

    def unread(*args, **kwargs):
        raise AssertionError("the last build's rows were read")

    made = _made(again, again.wants)
    monkeypatch.setattr(render.pickle, "loads", unread)
    later = again.memo({path: (key, None) for path, (key, _) in {**pages, **made}.items()}, config.paths.output)
    monkeypatch.undo()
    assert later is not None and later.listings == memo.listings  # passed on as it was read
    fresh = render.Renderer(after, config)
    assert {path: page for path, (_, page) in made.items()} == {path: fresh.render(page) for page in fresh.pages()
                                                                if (path := page.path) in made}


@pytest.mark.parametrize("changes", [{"summary": ("A changed summary.",)}, {"tags": ("Economy", "Zeppelin")},
                                     {"title": "Something else from last month"}])
def test_an_edit_that_changes_a_search_row_makes_the_index_again_from_every_row(tmp_path, changes):
    config = make_config(tmp_path)
    before = corpus()
    pages, memo = _first(config, before)
    again, after = _edit(config, memo, before, "old-news", changes)
    assert render._SEARCH_PATH in again.dirty
    made = _made(again, again.wants)
    fresh = render.Renderer(after, config)
    everything = _made(fresh)
    assert made[render._SEARCH_PATH] == everything[render._SEARCH_PATH]
    for path, (key, page) in made.items():
        assert page == everything[path][1], path
    # The next memo holds every row, as a fresh build's does.
    later = again.memo({path: (key, None) for path, (key, _) in {**pages, **made}.items()}, config.paths.output)
    assert later is not None and later.row_keys == fresh.memo(
        {path: (key, None) for path, (key, _) in everything.items()}, config.paths.output).row_keys
    assert pickle.loads(later.on_disk().listings) == {a.slug: fresh.listing(a) for a in fresh.site.articles}
