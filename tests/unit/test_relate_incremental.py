"""relate_with: exact incremental related lists.

Property: whatever the previous state, ``relate_with`` returns exactly what ``relate`` computes
from scratch. Random sequences of edits, additions, deletions and renames run on a small synthetic
corpus (sections with their own words, same-story copies, shared entities, headline lists), with
the state chained from step to step and compared with a run from scratch at every step.
"""
from __future__ import annotations

import pickle
import random
from dataclasses import fields, replace
from datetime import datetime, timedelta, timezone

import pytest

from digest import relate as relate_mod
from digest.config import RelatedConfig
from digest.model import Article, Block, Entity, Removed
from digest.relate import RelateState, Tuning, relate, relate_with

SECTIONS = ("World", "Business", "Sport", "Science", "Health", "Culture")
BASE = datetime(2024, 3, 1, tzinfo=timezone.utc)
COMMON = ("people", "year", "time", "week", "government", "report", "plan", "group", "city", "number",
          "public", "months", "second", "major", "early", "local", "latest", "future", "country", "change")


def _topic_words(rng: random.Random, count: int) -> list[str]:
    letters = "bcdfghjklmnprstvz"
    vowels = "aeiou"
    out = set()
    while len(out) < count:
        out.add("".join(rng.choice(letters) + rng.choice(vowels) for _ in range(rng.randint(2, 4))))
    return sorted(out)


class Corpus:
    """A generator of synthetic articles, deterministic for a seed."""

    def __init__(self, seed: int, words: int = 60) -> None:
        self.rng = random.Random(seed)
        self.words = {s: _topic_words(self.rng, words) for s in SECTIONS}
        self.counter = 0

    def sentence(self, section: str) -> str:
        rng = self.rng
        ws = [rng.choice(self.words[section]) if rng.random() < 0.7 else rng.choice(COMMON) for _ in range(rng.randint(7, 12))]
        return " ".join(ws).capitalize() + "."

    def article(self, section: str | None = None, titles: list[str] | None = None) -> Article:
        rng = self.rng
        self.counter += 1
        section = section or rng.choice(SECTIONS)
        topic = self.words[section]
        paras = tuple(" ".join(self.sentence(section) for _ in range(rng.randint(3, 6))) for _ in range(rng.randint(2, 4)))
        title = " ".join(rng.choice(topic) for _ in range(4)).title()
        removed: tuple[Removed, ...] = ()
        if titles and rng.random() < 0.2:
            removed = tuple(Removed(text=rng.choice(titles), reason="headline list") for _ in range(2))
        return Article(
            source=f"a{self.counter}.md", format="markdown", slug=f"story-{self.counter:04d}", title=title,
            date=BASE + timedelta(days=rng.randint(0, 30), hours=rng.randint(0, 23)),
            body=tuple(Block("p", p) for p in paras),
            keyphrases=tuple(f"{rng.choice(topic)} {rng.choice(topic)}" for _ in range(3)),
            entities=tuple(Entity(name=f"{rng.choice(topic).title()} {rng.choice(topic).title()}", kind="person",
                                  count=rng.randint(1, 3)) for _ in range(rng.randint(0, 3))),
            tags=(section.lower(), rng.choice(topic)),
            section=section if rng.random() < 0.9 else "",
            removed=removed,
        )

    def copy_of(self, a: Article) -> Article:
        """Another source's version of the same story: same text but one word, a day apart."""
        self.counter += 1
        paras = [b.text for b in a.body]
        paras[0] = paras[0].replace(" ", " also ", 1)
        return replace(a, source=f"a{self.counter}.md", slug=f"story-{self.counter:04d}",
                       title=a.title + " Again", body=tuple(Block("p", p) for p in paras),
                       date=(a.date or BASE) + timedelta(hours=self.rng.randint(1, 30)))

    def edit(self, a: Article) -> Article:
        rng = self.rng
        kind = rng.choice(["sentence", "word", "title", "section", "date", "tags", "entities", "removed"])
        section = a.section or rng.choice(SECTIONS)
        if kind == "sentence":
            paras = [b.text for b in a.body]
            paras[rng.randrange(len(paras))] += " " + self.sentence(section)
            return replace(a, body=tuple(Block("p", p) for p in paras))
        if kind == "word":
            paras = [b.text for b in a.body]
            at = rng.randrange(len(paras))
            ws = paras[at].split(" ")
            ws[rng.randrange(len(ws))] = rng.choice(self.words[rng.choice(SECTIONS)])
            paras[at] = " ".join(ws)
            return replace(a, body=tuple(Block("p", p) for p in paras))
        if kind == "title":
            return replace(a, title=a.title + " " + rng.choice(self.words[section]).title())
        if kind == "section":
            return replace(a, section=rng.choice(SECTIONS))
        if kind == "date":
            return replace(a, date=(a.date or BASE) + timedelta(days=rng.choice([-3, 2, 40])))
        if kind == "tags":
            return replace(a, tags=(*a.tags, rng.choice(self.words[section])))
        if kind == "entities":
            return replace(a, entities=(*a.entities, Entity(name=rng.choice(self.words[section]).title(), kind="place")))
        return replace(a, removed=())


def _start(seed: int, n: int = 110, words: int = 60) -> tuple[Corpus, list[Article]]:
    gen = Corpus(seed, words)
    articles: list[Article] = []
    for i in range(n):
        if articles and gen.rng.random() < 0.15:
            articles.append(gen.copy_of(gen.rng.choice(articles)))
        else:
            articles.append(gen.article(titles=[a.title for a in articles]))
    return gen, articles


def _step(gen: Corpus, articles: list[Article]) -> list[Article]:
    rng = gen.rng
    out = list(articles)
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        op = rng.choice(["edit", "edit", "edit", "add", "delete", "rename", "copy"])
        i = rng.randrange(len(out))
        if op == "edit":
            out[i] = gen.edit(out[i])
        elif op == "add":
            out.insert(rng.randrange(len(out) + 1), gen.article(titles=[a.title for a in out]))
        elif op == "copy":
            out.insert(rng.randrange(len(out) + 1), gen.copy_of(out[i]))
        elif op == "delete" and len(out) > 102:
            del out[i]
        elif op == "rename":
            gen.counter += 1
            moved = replace(out.pop(i), slug=f"story-{gen.counter:04d}")
            out.insert(rng.randrange(len(out) + 1), moved)
    return out


def _by_term(m, terms) -> set:  # type: ignore[no-untyped-def]
    coo = m.tocoo()
    return {(int(r), terms[int(c)], float(v)) for r, c, v in zip(coo.row, coo.col, coo.data)}


def assert_same_state(got: RelateState, fresh: RelateState) -> None:
    """A chained state holds what a state made from scratch holds (terms no article has any more
    may stay in its vocabulary, with no entries)."""
    a, b = got.index, fresh.index
    assert got.prints == fresh.prints and a.slugs == b.slugs
    assert _by_term(a.vectors, got.terms) == _by_term(b.vectors, fresh.terms)
    assert _by_term(a.postings, got.terms) == _by_term(b.postings, fresh.terms)
    assert _by_term(got.counts, got.terms) == _by_term(fresh.counts, fresh.terms)
    assert (a.neighbours == b.neighbours).all() and (a.scores == b.scores).all()
    assert (a.profiles is None and b.profiles is None) or (a.profiles == b.profiles).all()
    assert a.entities == b.entities and (a.times == b.times).all() and (a.sections == b.sections).all()
    assert (got.canonical == fresh.canonical).all() and got.named == fresh.named
    assert (got.chosen == fresh.chosen).all() and (got.chosen_scores == fresh.chosen_scores).all()
    assert (got.wide == fresh.wide).all() and (got.ends == fresh.ends).all()


@pytest.fixture
def count_full(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    real = relate_mod._full

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(relate_mod, "_full", counted)
    return calls


# Small lists, few postings and coarse weights make every rule of the incremental path matter in a
# corpus this small (a wrong rule shows as a difference from the state made from scratch).
SPARSE = Tuning(candidates=6, max_postings=8, section_neighbours=3, idf_step=0.5, dup_words=6)
COARSE = Tuning(candidates=5, max_postings=6, section_neighbours=3, idf_step=2.0, dup_words=6)
# rows scored with their heaviest terms only (as a large corpus is)
QUERY = Tuning(candidates=6, max_postings=8, section_neighbours=3, idf_step=0.5, dup_words=6, query_terms=10, query_from=1)


@pytest.mark.parametrize("seed, tuning, words", [
    (1, SPARSE, 300), (3, COARSE, 300), (4, COARSE, 150), (6, Tuning(), 300), (8, QUERY, 300),
])
def test_chained_states_give_what_a_run_from_scratch_gives(
    seed: int, tuning: Tuning, words: int, count_full: list[int]
) -> None:
    cfg = RelatedConfig(count=4, min_score=0.02)
    gen, articles = _start(seed, words=words)
    out, state = relate_with(articles, cfg, None, tuning)
    assert out == relate(articles, cfg, tuning)
    full_before = count_full[0]
    steps = 8
    for step in range(steps):
        articles = _step(gen, articles)
        out, state = relate_with(articles, cfg, state, tuning)
        expected, fresh = relate_with(articles, cfg, None, tuning)  # what relate() computes
        assert out == expected
        assert_same_state(state, fresh)
        if step % 2:  # the pipeline keeps it on disk (watch keeps it in memory)
            state = pickle.loads(pickle.dumps(state))
    # relate_with(None) above is a full run; the chained calls went the incremental way mostly
    incremental_full_runs = count_full[0] - full_before - steps
    assert incremental_full_runs <= steps // 3
    assert out == relate(articles, cfg, tuning)


def test_same_story_groups_and_named_headlines_follow_an_edit() -> None:
    cfg = RelatedConfig(count=5, min_score=0.0)
    gen, articles = _start(11)
    _, state = relate_with(articles, cfg, None)
    # a copy of article 3 appears: it joins article 3's group, and both lists change
    articles = articles[:50] + [gen.copy_of(articles[3])] + articles[50:]
    out, state = relate_with(articles, cfg, state)
    assert out == relate(articles, cfg)
    assert out[50].duplicate_of is not None or out[50].duplicates
    # an article's page names the headline of article 7
    articles[20] = replace(articles[20], removed=(Removed(text=articles[7].title, reason="headline list"),))
    out, state = relate_with(articles, cfg, state)
    assert out == relate(articles, cfg)
    assert out[20].related[0].slug == articles[7].slug


@pytest.mark.parametrize("change", ["other corpus", "other settings", "reordered", "many edits", "emptied", "damaged", "no links"])
def test_any_previous_state_gives_the_exact_result(change: str) -> None:
    cfg = RelatedConfig(count=5, min_score=0.05)
    gen, articles = _start(5)
    _, state = relate_with(articles, cfg, None)
    if change == "other corpus":
        _, articles = _start(6, 105)
    elif change == "other settings":
        cfg = RelatedConfig(count=3, min_score=0.1)
    elif change == "reordered":
        articles = articles[::-1]
    elif change == "many edits":
        articles = [gen.edit(a) for a in articles]
    elif change == "emptied":
        _, state = relate_with([], cfg, state)
    elif change == "damaged":
        state = replace(state, chosen=state.chosen[:3], prints=state.prints[:-1] + (b"x",))
    elif change == "no links":
        cfg = RelatedConfig(count=0, min_score=0.05)
        _, state = relate_with(articles, cfg, None)
        articles = [gen.edit(articles[0])] + articles[1:]
    out, state = relate_with(articles, cfg, state)
    assert out == relate(articles, cfg)
    assert isinstance(state, RelateState)
    again, kept = relate_with(articles, cfg, state)  # nothing changed: the same result, the same state
    assert again == out and kept is state
    copies = [replace(a) for a in articles]  # equal articles, other objects (a new process)
    again, kept = relate_with(copies, cfg, pickle.loads(pickle.dumps(state)))
    assert again == out and kept.prints == state.prints


def test_a_tiny_corpus_and_one_article() -> None:
    cfg = RelatedConfig(count=5, min_score=0.0)
    gen = Corpus(9)
    one = [gen.article()]
    out, state = relate_with(one, cfg, None)
    assert out == relate(one, cfg) and out[0].related == ()
    two = one + [gen.copy_of(one[0])]
    out, state = relate_with(two, cfg, state)
    assert out == relate(two, cfg)


def test_a_pickled_state_leaves_the_vectors_out_and_weighs_them_again_alike() -> None:
    cfg = RelatedConfig(count=4, min_score=0.02)
    gen, articles = _start(8)
    _, state = relate_with(articles, cfg, None)
    for _ in range(3):  # also after incremental steps, whose vectors are spliced from old ones
        articles = _step(gen, articles)
        _, state = relate_with(articles, cfg, state)
    blob = pickle.dumps(state)
    back = pickle.loads(blob)
    x, y = state.index.vectors, back.index.vectors
    assert x.shape == y.shape and (x.indptr == y.indptr).all() and (x.indices == y.indices).all()
    assert x.data.tobytes() == y.data.tobytes()  # bit for bit
    pickled_index = state.__getstate__()[[f.name for f in fields(RelateState)].index("index")]
    assert pickled_index.vectors is None and state.index.vectors is not None  # left out, kept in memory
