"""How a cache entry keeps its article on disk (digest/cache.py): the blocks and entities stay
pickled until read, and read back equal to what was kept."""
from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import datetime, timezone

from digest import cache
from digest.model import Article, Block, Entity


def _entry() -> cache.Entry:
    article = Article(
        source="a.md", format="markdown", slug="a", title="Harbour reopens",
        date=datetime(2024, 3, 1, tzinfo=timezone.utc),
        body=(Block("p", "The harbour reopened."), Block("li", "Ferries run.", "Ferries <em>run</em>.")),
        summary=("The harbour reopened.",), entities=(Entity("Harbour Board", "organisation", 2),), tags=("Harbour",),
    )
    return cache.Entry("k1", article, notes=("a note",), vocab="ferries\nharbour", made=b"0123456789abcdef")


def test_an_entry_reads_back_equal_with_its_blocks_and_entities_unread_until_asked() -> None:
    entry = _entry()
    back = pickle.loads(pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
    assert isinstance(back.article.body, cache.Deferred) and isinstance(back.article.entities, cache.Deferred)
    assert back.article.body._items is None  # still bytes
    assert back == entry and hash(back.article) == hash(entry.article)
    assert back.article.body == entry.article.body and entry.article.body == back.article.body
    assert list(back.article.body) == list(entry.article.body) and len(back.article.body) == 2
    assert back.article.body[1].html == "Ferries <em>run</em>." and back.article.body[1:] == entry.article.body[1:]
    assert back.article.body_text == entry.article.body_text
    assert back.article.entities[0] == Entity("Harbour Board", "organisation", 2)


def test_empty_fields_stay_tuples_and_a_kept_entry_is_saved_again_without_reading_it() -> None:
    entry = cache.Entry("k2", Article(source="b.md", format="markdown", slug="b", body=(Block("p", "One."),)))
    back = pickle.loads(pickle.dumps(entry))
    assert back.article.entities == () and type(back.article.entities) is tuple
    again = pickle.loads(pickle.dumps(back))  # a loaded entry saved again: its bytes are reused as they are
    assert back.article.body._items is None and again.article.body._data == back.article.body._data
    assert again == entry


def test_a_deferred_tuple_compares_like_the_tuple_it_holds() -> None:
    items = (Block("p", "One."), Block("p", "Two."))
    lazy = cache.Deferred.of(items)
    fresh = cache.Deferred(lazy._data)
    assert fresh == items and items == fresh and fresh == lazy and fresh != items[:1]
    assert (fresh == ["not", "a", "tuple"]) is False
    assert hash(fresh) == hash(items) and Block("p", "Two.") in fresh and bool(fresh)
    assert fresh + (Block("p", "Three."),) == items + (Block("p", "Three."),) and () + fresh == items
    assert cache.Deferred.of(fresh) is fresh


def test_what_a_store_loads_is_left_out_of_the_collectors_generations(tmp_path) -> None:
    import gc

    from digest.text import Stats

    store = cache.Store(tmp_path / "cache")
    key = "ab" * 20  # keys are hex digests (see content_key)
    entry = replace(_entry(), key=key)
    store.save({key: entry}, Stats(docs=1, df={}))
    again = cache.Store(tmp_path / "cache")
    try:
        again.load()
        loaded = again.entries[key]
        assert loaded == entry
        tracked = {id(o) for o in gc.get_objects()}
        assert id(loaded) not in tracked and id(loaded.article) not in tracked  # frozen: not walked by each collection
    finally:
        gc.unfreeze()
