"""The per-article stages as a build runs them in its workers (digest/stages.py)."""
from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path

import pytest

from digest import cache, clean, stages
from digest.model import Article, SourceFile

MARKDOWN = """---
title: "Harbour  reopens"
date: 2024-03-01
---

The  harbour reopened on Monday after the storm.  Boats returned by noon.

- Ferries run again.
"""

TEXT = """Harbour reopens

The harbour reopened on Monday after the storm. Boats returned by noon.

Ferries run again from the north quay, the port said.
"""


def source(tmp_path: Path, name: str, body: str) -> SourceFile:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return SourceFile(path=path, rel=name, suffix=path.suffix[1:], mtime=path.stat().st_mtime)


def cleaned_as_read(src: SourceFile) -> tuple[stages.Read, Article]:
    """``src`` read and cleaned in one step, checked against what the build would have made in two
    steps with the whole corpus's context (another file's title and lines included)."""
    read, failed = stages.read_and_clean((src, None))
    assert failed is None and read is not None and read.cleaned is not None
    article, _, _, _ = stages.read_one((src, None))
    assert not clean.needs_context(article)
    ctx = clean.context_from([(article.source, read.title, read.lines), ("other.txt", "harbour reopens", frozenset({"boats"})),
                              ("third.txt", "boats returned by noon", frozenset())])
    fields, looked_up, vocab = stages.clean_one(article, ctx)
    assert read.article == replace(article, **fields, raw="")
    assert read.cleaned == (looked_up, vocab) and looked_up == ()
    return read, article


def test_markdown_is_cleaned_as_it_is_read_the_same_as_by_the_clean_stage(tmp_path: Path) -> None:
    src = source(tmp_path, "harbour.md", MARKDOWN)
    read, article = cleaned_as_read(src)
    assert "harbour" in read.cleaned[1] and read.article.raw == ""
    assert (read.title, read.lines) == clean.context_parts(article)
    # read here, so keyed here: the key a build would make of the file's bytes
    assert read.key is not None and read.key[0] == cache.content_key(src.rel, src.path.read_bytes())
    assert stages.read_and_clean((src, src.path.read_bytes()))[0].key is None  # given its bytes: keyed already


def test_a_saved_page_is_cleaned_as_it_is_read_the_same_as_by_the_clean_stage(tmp_path: Path) -> None:
    page = ("<html><head><title>Harbour reopens after the storm</title></head><body><nav><a href='/'>Home</a></nav>"
            "<article><h1>Harbour reopens after the storm</h1><p>The harbour reopened on Monday after the storm.</p>"
            "<p>Boats returned by noon, and the ferry ran to time.</p></article></body></html>")
    read, _ = cleaned_as_read(source(tmp_path, "harbour.html", page))
    assert [b.text for b in read.article.body] == ["The harbour reopened on Monday after the storm.",
                                                    "Boats returned by noon, and the ferry ran to time."]


def test_scraped_text_waits_for_the_corpus_context(tmp_path: Path) -> None:
    src = source(tmp_path, "harbour.txt", TEXT)
    read, failed = stages.read_and_clean((src, None))
    assert failed is None and read is not None
    assert read.cleaned is None and read.article.raw == TEXT and read.article.body == ()
    assert clean.needs_context(read.article)
    assert read.lines == clean.context_parts(read.article)[1] and "boats returned by noon" not in read.lines
    assert "harbour reopens" in read.lines


def test_a_failure_while_cleaning_is_reported_against_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = source(tmp_path, "harbour.md", MARKDOWN)

    def broken(article, ctx, **options):  # type: ignore[no-untyped-def]
        raise ValueError("boom")

    monkeypatch.setattr(clean, "clean", broken)
    read, failed = stages.read_and_clean((src, None))
    assert read is None and failed is not None
    assert failed.path == "harbour.md" and "clean failed" in failed.message and "boom" in failed.message


def test_an_unreadable_file_is_reported_not_raised(tmp_path: Path) -> None:
    src = source(tmp_path, "broken.md", "---\ntitle: [unclosed\n---\nBody.\n")
    read, failed = stages.read_and_clean((src, None))
    assert read is None and failed is not None and failed.path == "broken.md"


def test_summarise_and_tag_sends_back_only_the_words_read_outside_the_body(tmp_path: Path) -> None:
    from digest import text
    from digest.config import TagsConfig

    read, _ = stages.read_and_clean((source(tmp_path, "harbour.md", MARKDOWN), None))
    assert read is not None and read.cleaned is not None
    vocab = read.cleaned[1]
    stats = text.stats_from([vocab, ("storm", "ferries", "council")])
    guarded = stages.Guarded(partial(stages.summarise_and_tag, stats=stats, n=2, tags=TagsConfig()), "summarise")
    (fields_all, read_all), _ = guarded(read.article)  # no words given: every word read comes back
    (fields, outside), problem = guarded((read.article, vocab))
    assert problem is None and fields == fields_all and fields["summary"]
    assert read_all is not None and outside is not None and set(vocab) & set(read_all)
    assert list(outside) == sorted(set(read_all) - set(vocab)) and not set(outside) & set(vocab)
    failed, problem = guarded((replace(read.article, body=None), vocab))  # a failure names the file
    assert failed is None and problem is not None and problem.path == "harbour.md"


def test_the_clean_stage_leaves_the_sentences_out_and_keeps_the_rest_of_clean(tmp_path: Path) -> None:
    """The build drops an article's sentences after cleaning (they are made again from the body
    where needed): the clean stage does not make them, and everything else is clean()'s."""
    article, _, _, _ = stages.read_one((source(tmp_path, "harbour.txt", TEXT), None))
    ctx = clean.context_from([(article.source, *clean.context_parts(article))])
    full = clean.clean(article, ctx)
    assert full.sentences == clean.sentences_of(full.body) and len(full.sentences) == 3
    assert clean.clean(article, ctx, with_sentences=False) == replace(full, sentences=())
    fields, _, vocab = stages.clean_one(article, ctx)
    assert "sentences" not in fields and replace(article, **fields) == replace(full, sentences=())
    assert "ferries" in vocab


def test_summarise_and_tag_sends_back_no_sentences_and_drops_given_ones(tmp_path: Path) -> None:
    """The sentences are made for summarise and tag only: the fields sent back never carry
    them, and an article that came with sentences gets them dropped, as the build drops them."""
    from digest import text
    from digest.config import TagsConfig

    read, _ = stages.read_and_clean((source(tmp_path, "harbour.md", MARKDOWN), None))
    assert read is not None and not read.article.sentences
    stats = text.stats_from([read.cleaned[1]])
    run = partial(stages.summarise_and_tag, stats=stats, n=2, tags=TagsConfig())
    fields, _ = run(read.article)
    assert "sentences" not in fields and fields["summary"]
    given = replace(read.article, sentences=clean.sentences_of(read.article.body))
    fields_given, _ = run(given)
    assert fields_given.pop("sentences") == () and fields_given == fields
    assert list(run(given)[0]) == [f for f in stages.ARTICLE_FIELDS if f in fields_given or f == "sentences"]


def test_fill_defaults_makes_no_new_article_when_it_has_nothing_to_change(tmp_path: Path) -> None:
    from datetime import datetime, timezone

    from digest.model import Article, Block

    done = Article(source="a.md", format="markdown", slug="a", title="Harbour reopens",
                   date=datetime(2024, 3, 1, tzinfo=timezone.utc), body=(Block("p", "The harbour reopened."),))
    fresh = stages.Fresh("k", done, [])
    stages.fill_defaults(fresh, 0.0)
    assert fresh.article is done and not fresh.notes
    # the source text still goes, and a missing title is still made
    fresh = stages.Fresh("k", replace(done, raw="The harbour reopened.", title=""), [])
    stages.fill_defaults(fresh, 0.0)
    assert fresh.article == replace(done, title="The harbour reopened.")
