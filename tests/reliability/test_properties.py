"""Properties over arbitrary text (Hypothesis): the stages never crash, summaries quote the
body, cleaning is idempotent, builds are reproducible."""
from __future__ import annotations

from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="hypothesis is not installed (see notes/requests-reliability.md)")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from digest import build, clean, load_config, readers, relate, summarize, tag, text  # noqa: E402
from digest.config import with_overrides  # noqa: E402
from digest.errors import DigestError  # noqa: E402
from digest.model import Article  # noqa: E402

from .test_crash import tree  # noqa: E402

WORDS = ["council", "harbour", "buses", "Mayor", "Varga", "said", "the", "voted", "Tuesday", "electric", "plan",
         "Northwind", "Batteries", "factory", "Lowmere", "2024", "July", "million", "percent", "\u00e9t\u00e9", "\u4e2d\u6587"]
PUNCT = [". ", "! ", "? ", ", ", " \u2014 ", "\n", "\n\n", " ", " (", ") ", "\"", "'", ": ", "; ", "...", "\t", "#", "- ", "* ", "<p>", "</p>", "&amp;"]

newsy = st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(PUNCT)), min_size=0, max_size=200).map("".join)
anything = st.one_of(st.text(max_size=400), newsy)
SETTINGS = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def _config(tmp_path: Path):
    (tmp_path / "digest.yaml").write_text("")
    return load_config(tmp_path / "digest.yaml")


CONFIG = None


def _cfg():
    global CONFIG
    if CONFIG is None:
        CONFIG = load_config(None)
    return CONFIG


def _run(raw: str, fmt: str = "text") -> list[Article]:
    """Every stage after reading, on one article (plus a fixed neighbour so relate has work)."""
    cfg = _cfg()
    try:  # what a reader would hand on: decoded, line endings and control characters normalised
        raw, _ = readers.decode(raw.encode("utf-8", "surrogatepass"), "a.txt")
    except DigestError:
        return []
    articles = [Article(source="a.txt", format=fmt, slug="a", raw=raw),
                Article(source="b.txt", format="text", slug="b", raw="Harbour plan\nThe council voted on the harbour plan on Tuesday.\n")]
    ctx = clean.build_context(articles)
    out = []
    for a in articles:
        try:
            out.append(clean.clean(a, ctx))
        except DigestError:
            continue  # a clear, user-facing "nothing left" is allowed; anything else is a bug
    stats = text.corpus_stats(a.body_text for a in out)
    out = [tag.tag(summarize.summarize(a, stats, 3), stats, cfg.tags) for a in out]
    return list(relate.relate(out, cfg.related))


@SETTINGS
@given(anything)
def test_stages_never_raise_on_text(raw: str) -> None:
    _run(raw)


@SETTINGS
@given(anything)
def test_stages_never_raise_on_html(raw: str) -> None:
    _run(f"<html><head><title>{raw[:40]}</title></head><body><article><p>{raw}</p></article></body></html>", "html")


@SETTINGS
@given(anything)
def test_every_summary_sentence_is_in_the_cleaned_body(raw: str) -> None:
    for article in _run(raw):
        body = " ".join(article.body_text.split())
        for sentence in article.summary:
            assert sentence in article.sentences
            assert " ".join(sentence.split()) in body


@SETTINGS
@example("council\ncouncil\ncouncil")
@given(anything)
def test_cleaning_is_idempotent(raw: str) -> None:
    try:
        raw, _ = readers.decode(raw.encode("utf-8", "surrogatepass"), "a.txt")
    except DigestError:
        return
    article = Article(source="a.txt", format="text", slug="a", raw=raw)
    ctx = clean.build_context([article])
    try:
        once = clean.clean(article, ctx)
    except DigestError:
        return
    assert clean.clean(once, ctx) == once


@SETTINGS
@given(st.binary(max_size=300) | anything.map(lambda s: s.encode("utf-8")) | anything.map(lambda s: s.encode("utf-16")))
def test_decode_never_raises_anything_but_a_source_error(data: bytes) -> None:
    try:
        decoded, _ = readers.decode(data, "x.txt")
    except DigestError:
        return
    assert decoded.strip() and "\r" not in decoded


@settings(max_examples=3, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.lists(newsy.map(lambda s: "The council met on Tuesday. " + s), min_size=2, max_size=4))
def test_building_twice_gives_byte_identical_sites(tmp_path_factory, bodies: list[str]) -> None:
    root = tmp_path_factory.mktemp("twice")
    (root / "content").mkdir()
    for i, body in enumerate(bodies):
        (root / f"content/2024-01-0{i + 1}-story-{i}.txt").write_text(f"Story number {i} headline\n{body}\n", encoding="utf-8")
    config = _config(root)
    build(config)
    build(with_overrides(config, output=root / "again"))
    assert tree(root / "site") == tree(root / "again")
