"""relate_with: exact incremental related lists.

Property: whatever the previous state, ``relate_with`` returns exactly what ``relate`` computes
from scratch. Random sequences of edits, additions, deletions and renames run on a small synthetic
corpus (sections with their own words, same-story copies, shared entities, headline lists), with
the state chained from step to step and compared with a run from scratch at every step.
"""
from __future__ import annotations

import hashlib
import pickle
import random
import sys
from dataclasses import fields, replace
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from digest import relate as relate_mod
from digest.config import RelatedConfig
from digest.model import Article, Block, Entity, Related, Removed
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
    assert got.rank is not None and (got.rank == fresh.rank).all()
    df_got = {t: int(d) for t, d in zip(got.terms, a.weights.df) if d}
    assert df_got == {t: int(d) for t, d in zip(fresh.terms, b.weights.df) if d}


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
# fine weights and very short postings: an addition or deletion moves the weights of many rows, and
# many postings lists lose or take in rows whose vector is the same
FINE = Tuning(candidates=6, max_postings=4, section_neighbours=3, idf_step=0.1, dup_words=6)


@pytest.mark.parametrize("seed, tuning, words", [
    (1, SPARSE, 300), (3, COARSE, 300), (4, COARSE, 150), (6, Tuning(), 300), (8, QUERY, 300), (9, FINE, 300),
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


def test_a_pickled_state_keeps_only_the_vectors_values_and_reads_them_back_alike() -> None:
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
    pickled = state.__getstate__()
    pickled_index = pickled[[f.name for f in fields(RelateState)].index("index")]
    assert pickled_index.vectors is None and state.index.vectors is not None  # left out, kept in memory
    assert pickled[-1] is not None  # their values, with a bit per entry of the counts
    weighed = relate_mod.rm.weigh(back.counts, back.index.weights)  # what reading used to do
    assert (weighed.indptr == y.indptr).all() and (weighed.indices == y.indices).all()
    assert weighed.data.tobytes() == y.data.tobytes()
    older = list(pickled)
    older[-1] = None  # a state pickled without the values: weighed again when read
    blank = object.__new__(RelateState)
    blank.__setstate__(tuple(older))
    assert blank.index.vectors.data.tobytes() == x.data.tobytes()


def _token(article: Article) -> bytes:
    return hashlib.blake2b(pickle.dumps(article), digest_size=16).digest()


@pytest.mark.parametrize("seed, tuning", [(21, SPARSE), (22, COARSE), (23, Tuning())])
def test_tokens_spare_the_fingerprints_of_unchanged_articles_and_change_nothing(
    seed: int, tuning: Tuning, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each step runs as a new process would: equal articles that are other objects, the state read
    from its pickle, and a token per article (the caller's hash of its contents)."""
    cfg = RelatedConfig(count=4, min_score=0.02)
    gen, articles = _start(seed, words=300)
    out, state = relate_with(articles, cfg, None, tuning, tokens=[_token(a) for a in articles])
    assert state.tokens == tuple(_token(a) for a in articles)
    printed: list[str] = []
    real = relate_mod._fingerprint

    def counted(article: Article) -> bytes:
        printed.append(article.slug)
        return real(article)

    monkeypatch.setattr(relate_mod, "_fingerprint", counted)
    for _ in range(6):
        before = {a.slug: _token(a) for a in articles}
        articles = _step(gen, articles)
        copies = [replace(a) for a in articles]
        printed.clear()
        out, state = relate_with(copies, cfg, pickle.loads(pickle.dumps(state)), tuning,
                                 tokens=[_token(a) for a in copies])
        hashed = list(printed)  # (the run from scratch below hashes every article again)
        expected, fresh = relate_with(articles, cfg, None, tuning)
        assert out == expected
        assert_same_state(state, fresh)
        if len(state.index.slugs) and state.tokens:  # an incremental step: only new or changed articles hashed
            changed = {a.slug for a in articles if before.get(a.slug) != _token(a)}
            assert set(hashed[: len(changed)]) == changed
            assert len(hashed) in (len(changed), len(changed) + len(articles))  # (+ all of them: a full run)


def test_an_article_remade_the_same_gets_its_new_token_kept_and_is_not_hashed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = RelatedConfig(count=3, min_score=0.0)
    _, articles = _start(5, 40)
    tokens = [bytes([i]) * 4 for i in range(len(articles))]
    out, state = relate_with(articles, cfg, None, tokens=tokens)
    again = list(tokens)
    again[3] = b"new!"  # its cache entry was remade (a new token) with the same contents
    out2, state2 = relate_with(articles, cfg, pickle.loads(pickle.dumps(state)), tokens=again)
    assert out2 == out and state2.tokens == tuple(again)
    printed: list[str] = []
    real = relate_mod._fingerprint
    monkeypatch.setattr(relate_mod, "_fingerprint", lambda a: printed.append(a.slug) or real(a))
    relate_with(articles, cfg, pickle.loads(pickle.dumps(state2)), tokens=again)
    assert printed == []


def test_tokens_must_match_the_articles() -> None:
    cfg = RelatedConfig(count=3, min_score=0.0)
    _, articles = _start(2, 30)
    with pytest.raises(ValueError):
        relate_with(articles, cfg, None, tokens=[b"x"])
    # unknown tokens (None) are fingerprinted: the same result
    out, state = relate_with(articles, cfg, None, tokens=[None] * len(articles))
    edited = [replace(articles[0], title=articles[0].title + " Now")] + articles[1:]
    again, _ = relate_with(edited, cfg, state, tokens=[None] * len(edited))
    assert again == relate(edited, cfg)


@pytest.mark.parametrize("seed", [31, 32])
def test_same_story_groups_made_again_only_where_an_edit_reaches(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many copies (groups of several members): edits, additions and deletions of members and of
    their neighbours keep the groups of a run from scratch (only the groups an edit reaches are
    joined again)."""
    cfg = RelatedConfig(count=4, min_score=0.02)
    gen = Corpus(seed, 200)
    articles: list[Article] = []
    for _ in range(120):
        if articles and gen.rng.random() < 0.45:
            articles.insert(gen.rng.randrange(len(articles) + 1), gen.copy_of(gen.rng.choice(articles)))
        else:
            articles.append(gen.article())
    out, state = relate_with(articles, cfg, None, SPARSE)
    joined: list[int] = []  # pairs looked at by each join
    real_join = relate_mod._join
    monkeypatch.setattr(relate_mod, "_join", lambda articles, index, pairs, *rest: joined.append(len(pairs)) or real_join(articles, index, pairs, *rest))
    again = everything = 0
    for step in range(10):
        rng = gen.rng
        i = rng.randrange(len(articles))
        op = step % 4
        if op == 0:  # a member's text changes enough to leave its group, or not
            articles[i] = gen.edit(gen.edit(articles[i]))
        elif op == 1:
            articles.insert(rng.randrange(len(articles) + 1), gen.copy_of(articles[i]))
        elif op == 2:
            del articles[i]
        else:
            articles[i] = replace(articles[i], date=(articles[i].date or BASE) - timedelta(days=2))  # canonical moves
        joined.clear()
        out, state = relate_with(articles, cfg, pickle.loads(pickle.dumps(state)), SPARSE)
        again += sum(joined)
        joined.clear()
        expected, fresh = relate_with(articles, cfg, None, SPARSE)
        everything += sum(joined)
        assert out == expected
        assert (state.canonical == fresh.canonical).all()
        assert_same_state(state, fresh)
    assert again < everything / 2  # the edits' pairs, not every pair of the corpus


def test_terms_spliced_into_a_term_list() -> None:
    import bisect

    import numpy as np

    rm = relate_mod.rm
    rng = random.Random(4)
    for _ in range(100):
        base = sorted({"".join(rng.choice("abcé") for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(0, 30))})
        extra = sorted({"".join(rng.choice("abcéd") for _ in range(rng.randint(1, 5))) for _ in range(rng.randint(1, 6))} - set(base))
        if not extra:
            continue
        ins = np.asarray([bisect.bisect_left(base, x) for x in extra], dtype=np.int64)
        colmap = np.arange(len(base)) + np.searchsorted(ins, np.arange(len(base)), side="right")
        new_pos = ins + np.arange(len(extra))
        for terms in (rm.TermList(base), tuple(base)):
            got = relate_mod._with_terms(terms, ins, extra, colmap, new_pos)
            assert list(got) == sorted(base + extra)


def test_tie_rank_is_date_then_slug_order() -> None:
    import math

    import numpy as np

    _, articles = _start(3, 40)
    articles[5] = replace(articles[5], date=None)
    articles[6] = replace(articles[6], date=None)
    articles[7] = replace(articles[7], date=articles[8].date)
    index = relate_mod.build_index(articles)
    rank = relate_mod._tie_rank(index)
    expected = sorted(range(len(articles)), key=lambda i: (-index.times[i], index.slugs[i]))
    assert rank[expected].tolist() == list(range(len(articles)))
    assert math.isinf(index.times[5]) and np.argsort(rank)[-2:].tolist() == sorted([5, 6], key=lambda i: index.slugs[i])


def test_output_articles_are_made_as_replace_makes_them() -> None:
    cfg = RelatedConfig(count=4, min_score=0.0)
    gen, articles = _start(12, 60)
    out = relate(articles, cfg)
    for a, o in zip(articles, out):
        assert o == replace(a, related=o.related, duplicate_of=o.duplicate_of, duplicates=o.duplicates)
        assert all(type(r) is Related for r in o.related) and type(o) is Article


# longer neighbour lists than SPARSE (as a real corpus has): most rows keep enough of their list
WIDER = Tuning(candidates=12, max_postings=8, section_neighbours=3, idf_step=0.5, dup_words=6)


@pytest.mark.parametrize("seed", [41, 42])
def test_an_edit_scores_again_only_the_neighbour_lists_it_cannot_merge(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """After a one-article edit the other rows' neighbour lists are merged from their old lists and
    the changed documents' new scores: a row is scored again from scratch only when a document it
    listed lost its place (the old rule scored again every row that listed the edited article).
    Lists and state are those of a run from scratch."""
    cfg = RelatedConfig(count=4, min_score=0.02)
    gen, articles = _start(seed, n=160, words=300)
    _, state = relate_with(articles, cfg, None, WIDER)
    scored: list[int] = []
    real = relate_mod.rm.top_neighbours

    def counted(x, postings_t, count, rows=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        rows = list(rows) if rows is not None else None
        if sys._getframe(1).f_code.co_name == "_incremental":  # (not the wider lists of step 7)
            scored.append(x.shape[0] if rows is None else len(rows))
        return real(x, postings_t, count, rows, *args, **kwargs)

    monkeypatch.setattr(relate_mod.rm, "top_neighbours", counted)
    def rows_of(st: RelateState) -> dict[str, set]:  # each article's vector, by term
        by_row: dict[str, set] = {}
        for r, term, v in _by_term(st.index.vectors, st.terms):
            by_row.setdefault(st.index.slugs[r], set()).add((term, v))
        return by_row

    listing = beyond = 0
    for _ in range(8):
        i = gen.rng.randrange(len(articles))
        paras = [b.text for b in articles[i].body]
        paras[-1] += " " + gen.sentence(articles[i].section or "World")
        articles[i] = replace(articles[i], body=tuple(Block("p", p) for p in paras))
        listing += int((state.index.neighbours == i).any(axis=1).sum())
        before = rows_of(state)
        scored.clear()
        out, state = relate_with(articles, cfg, pickle.loads(pickle.dumps(state)), WIDER)
        after = rows_of(state)
        weighed_again = sum(before.get(slug) != after.get(slug) for slug in state.index.slugs)
        beyond += sum(scored) - weighed_again  # rows scored again whose vector is the same
        expected, fresh = relate_with(articles, cfg, None, WIDER)
        assert out == expected
        assert_same_state(state, fresh)
    assert listing > 40 and 0 <= beyond < listing / 3


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_tie_rank_after_changes_is_the_one_from_scratch(seed: int) -> None:
    """The tie order (-date, slug) is carried over from the run before, with the changed and new
    articles put in their places: it equals the order made from scratch, unknown and equal dates too."""
    cfg = RelatedConfig(count=4, min_score=0.02)
    gen, articles = _start(seed, 80)
    articles[4] = replace(articles[4], date=None)
    articles[9] = replace(articles[9], date=articles[10].date)
    _, state = relate_with(articles, cfg, None, SPARSE)
    for step in range(6):
        articles = _step(gen, articles)
        if step == 2:  # an article loses its date, another takes the date of a third
            articles[1] = replace(articles[1], date=None)
            articles[2] = replace(articles[2], date=articles[3].date)
        out, state = relate_with(articles, cfg, state, SPARSE)
        fresh = relate_mod._tie_rank(relate_mod.build_index(articles, SPARSE))
        assert state.rank is not None and state.rank.tolist() == fresh.tolist()
        assert out == relate(articles, cfg, SPARSE)


def test_places_in_a_term_list_are_bisects() -> None:
    import bisect

    from digest import relate_matrix as rm

    terms = sorted({"a", "ab", "abc", "b", "ba", "e:x y", "k:z", "zz", "\u00e9t\u00e9"})
    queries = ["", "a", "aa", "abc", "abd", "b", "c", "e:x", "e:x y", "zz", "zzz", "\u00e9t\u00e9", "a"]
    for seq in (rm.TermList(terms), terms):
        at, new = relate_mod._places(seq, queries)
        assert at == [bisect.bisect_left(terms, q) for q in queries]
        assert new == [q not in terms for q in queries]


def test_union_find_roots_all_at_once() -> None:
    import random as rnd

    rng = rnd.Random(5)
    parent = list(range(200))
    for _ in range(150):
        i, j = rng.randrange(200), rng.randrange(200)
        parent[relate_mod._root(parent, j)] = relate_mod._root(parent, i)
    expected = [relate_mod._root(list(parent), i) for i in range(200)]
    assert relate_mod._roots(parent).tolist() == expected


@pytest.mark.parametrize("op", ["add", "delete", "copy"])
def test_an_addition_or_deletion_makes_again_only_the_outputs_it_reaches(op: str) -> None:
    """Articles added or deleted (rows renumbered): the output of a row whose list, input and
    group are unchanged is the earlier output object itself; every output equals a run from scratch."""
    cfg = RelatedConfig(count=4, min_score=0.02)
    gen, articles = _start(31, 160, words=300)
    before, state = relate_with(articles, cfg, None, WIDER)
    if op == "add":
        changed = articles[:40] + [gen.article()] + articles[40:]
    elif op == "copy":
        changed = articles + [gen.copy_of(articles[7])]
    else:
        changed = articles[:40] + articles[41:]
    out, _ = relate_with(changed, cfg, state, WIDER)
    assert out == relate(changed, cfg, WIDER)
    earlier = {a.slug: a for a in before}
    kept = [o for o in out if o is earlier.get(o.slug)]
    assert len(kept) > len(out) // 3
    # members of same-story groups the change does not reach keep their outputs too; the
    # group a copy joins is made again (its members' ``duplicates`` gain the copy)
    grouped = [o for o in before if o.duplicates]
    assert grouped and any(o.duplicates for o in kept)
    if op == "copy":
        group = {articles[7].slug, *earlier[articles[7].slug].duplicates}
        assert not any(o.slug in group for o in kept)
        assert changed[-1].slug in next(o for o in out if o.slug == articles[7].slug).duplicates


def test_the_first_wider_lists_come_from_the_first_product(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run from scratch keeps each row's best 4 × candidates from its first product: the rows
    whose list its candidates cannot complete need no second product for that round, and the
    articles and state are those of a run that scores them again."""
    cfg = RelatedConfig(count=4, min_score=0.02)
    _, articles = _start(5, n=160, words=300)
    articles += [replace(a, slug=a.slug + f"-copy{k}") for a in articles[:4] for k in range(WIDER.candidates)]
    counts: list[int] = []
    real = relate_mod.rm.top_neighbours

    def counted(x, postings_t, count, *args, **kwargs):  # type: ignore[no-untyped-def]
        counts.append(count)
        return real(x, postings_t, count, *args, **kwargs)

    monkeypatch.setattr(relate_mod.rm, "top_neighbours", counted)
    out, state = relate_with(articles, cfg, None, WIDER)
    assert counts == [4 * WIDER.candidates] and state.wide.any()
    monkeypatch.setattr(relate_mod, "_WIDER_BELOW", 0)
    counts.clear()
    again, scored = relate_with(articles, cfg, None, WIDER)
    assert counts[0] == WIDER.candidates and 4 * WIDER.candidates in counts
    assert out == again
    assert_same_state(state, scored)
    assert state.index.entities == scored.index.entities and any(state.index.entities)
    columns = relate_mod._Columns(state.terms)
    assert state.index.entities == tuple(
        relate_mod._rare_entities(a, columns, state.index.weights.df, WIDER.event_entity_df) for a in articles)


def test_a_wide_row_scored_again_takes_its_wider_round_from_that_product(monkeypatch: pytest.MonkeyPatch) -> None:
    """A row scored again after a change whose list was looked for beyond its neighbours gets its
    4 × candidates in the same product (its neighbours are their first ones): the wider lists
    of step 7 score only the other rows. Articles and state are those of a run from scratch."""
    cfg = RelatedConfig(count=4, min_score=0.02)
    gen, articles = _start(7, n=160, words=300)
    articles += [replace(a, slug=a.slug + f"-copy{k}") for a in articles[:6] for k in range(WIDER.candidates)]
    _, state = relate_with(articles, cfg, None, WIDER)
    real = relate_mod.rm.top_neighbours
    calls: list[tuple[str, int, list[int]]] = []

    def counted(x, postings_t, count, rows=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        rows = list(rows) if rows is not None else list(range(x.shape[0]))
        calls.append((sys._getframe(1).f_code.co_name, count, rows))
        return real(x, postings_t, count, rows, *args, **kwargs)

    monkeypatch.setattr(relate_mod.rm, "top_neighbours", counted)
    taken = 0
    for step in range(10):
        i = gen.rng.randrange(len(articles))
        if step % 2:
            articles.append(replace(articles[i], slug=f"{articles[i].slug}-more{step}"))
        else:
            paras = [b.text for b in articles[i].body]
            paras[-1] += " " + gen.sentence(articles[i].section or "World")
            articles[i] = replace(articles[i], body=tuple(Block("p", p) for p in paras))
        calls.clear()
        out, got = relate_with(articles, cfg, state, WIDER)
        wide_first = {r for who, count, rows in calls if who == "_incremental" and count == 4 * WIDER.candidates for r in rows}
        again = {r for who, count, rows in calls if who != "_incremental" and count == 4 * WIDER.candidates for r in rows}
        assert not wide_first & again
        assert wide_first <= {r for r, wide in enumerate(state.wide.tolist()) if wide}  # (rows appended last)
        taken += len(wide_first)
        expected, fresh = relate_with(articles, cfg, None, WIDER)
        assert out == expected
        assert_same_state(got, fresh)
        state = got
    assert taken > 0


@pytest.mark.parametrize("seed", [8, 9])
def test_the_wide_rows_first_round_is_merged_as_the_neighbours_are(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run keeps (in memory) the first wider round of the wide rows; the next run merges those
    of the rows whose vector is the same with the changed documents' scores, as it merges their
    neighbours: each kept list is the one a product makes, and the wider lists of step 7 need no
    product for a row whose list was merged. Articles and state are those of a run from scratch."""
    cfg = RelatedConfig(count=4, min_score=0.02)
    gen, articles = _start(seed, n=160, words=300)
    articles += [replace(a, slug=a.slug + f"-copy{k}") for a in articles[:6] for k in range(WIDER.candidates)]
    _, state = relate_with(articles, cfg, None, WIDER)
    real = relate_mod.rm.top_neighbours
    from_lists: list[int] = []

    def counted(x, postings_t, count, rows=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        rows = list(rows) if rows is not None else list(range(x.shape[0]))
        if sys._getframe(1).f_code.co_name == "candidates":
            from_lists.extend(rows)
        return real(x, postings_t, count, rows, *args, **kwargs)

    monkeypatch.setattr(relate_mod.rm, "top_neighbours", counted)
    merged = 0
    for step in range(12):
        i = gen.rng.randrange(len(articles))
        if step % 3 == 1:
            articles.append(replace(articles[i], slug=f"{articles[i].slug}-more{step}"))
        elif step % 3 == 2:
            del articles[i]
        else:
            paras = [b.text for b in articles[i].body]
            paras[-1] += " " + gen.sentence(articles[i].section or "World")
            articles[i] = replace(articles[i], body=tuple(Block("p", p) for p in paras))
        kept = state.memo["wider"]
        from_lists.clear()
        out, got = relate_with(articles, cfg, state, WIDER)
        expected, fresh = relate_with(articles, cfg, None, WIDER)
        assert out == expected
        assert_same_state(got, fresh)
        docs, scores, rows = got.memo["wider"]
        assert len(rows) and got.wide[rows].all()
        want_docs, want_scores = real(got.index.vectors, got.postings_t, docs.shape[1], rows.tolist())
        assert (docs == want_docs).all() and (scores == want_scores).all()
        # the rows kept before whose vector is the same: none was scored again for step 7
        same = {got.index.slugs.index(state.index.slugs[r]) for r in kept[2].tolist()
                if state.index.slugs[r] in got.index.slugs
                and _by_term(got.index.vectors[got.index.slugs.index(state.index.slugs[r])], got.terms)
                == _by_term(state.index.vectors[r], state.terms)}
        assert len(same & set(from_lists)) <= len(same) // 10
        merged += len(same)
        state = got
    assert merged > 0


@pytest.mark.parametrize("seed", [1, 2])
def test_a_wide_row_whose_neighbours_cannot_be_merged_takes_them_from_its_merged_wider_round(
    seed: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A row whose neighbours cannot be merged (a listed document lost its place) but whose first
    wider round can be is not scored again: its neighbours are that round's first ones. Articles
    and state are those of a run from scratch."""
    cfg = RelatedConfig(count=4, min_score=0.02)
    gen, articles = _start(seed, n=160, words=300)
    articles += [replace(a, slug=a.slug + f"-copy{k}") for a in articles[:6] for k in range(WIDER.candidates)]
    _, state = relate_with(articles, cfg, None, WIDER)
    real_top, real_merge = relate_mod.rm.top_neighbours, relate_mod._merge_neighbours
    scored: set[int] = set()
    merges: list[tuple[tuple, np.ndarray]] = []

    def counted(x, postings_t, count, rows=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        rows = list(rows) if rows is not None else list(range(x.shape[0]))
        if sys._getframe(1).f_code.co_name == "_incremental":
            scored.update(rows)
        return real_top(x, postings_t, count, rows, *args, **kwargs)

    def merge(*args, **kwargs):  # type: ignore[no-untyped-def]
        out = real_merge(*args, **kwargs)
        merges.append((args, out.copy()))
        return out

    monkeypatch.setattr(relate_mod.rm, "top_neighbours", counted)
    monkeypatch.setattr(relate_mod, "_merge_neighbours", merge)
    taken = 0
    for step in range(12):
        i = gen.rng.randrange(len(articles))
        if step % 3 == 1:
            articles.append(replace(articles[i], slug=f"{articles[i].slug}-more{step}"))
        else:
            del articles[i]
        scored.clear()
        merges.clear()
        out, got = relate_with(articles, cfg, state, WIDER)
        expected, fresh = relate_with(articles, cfg, None, WIDER)
        assert out == expected
        assert_same_state(got, fresh)
        if len(merges) == 2:  # the neighbours' merge, then the wider rounds' (of rows ``ids``)
            (_, short), (args, unproven) = merges
            w_rows = args[9]
            took = w_rows[~unproven & short[w_rows]]
            assert not set(took.tolist()) & scored
            taken += len(took)
        state = got
    assert taken > 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_wide_rows_read_from_their_rounds_are_dirty_as_the_products_say(seed: int) -> None:
    """Step 7's checks of a wide list read from its first wider round before and now decide what
    the products of every document say: a changed document (section profile, group or date) that
    can reach the list now, a document whose postings changed that scores otherwise and can reach
    it, a deleted or changed one that could reach it before."""
    rng = np.random.default_rng(seed)
    n0, width = 60, 8
    new_of_old = np.arange(n0, dtype=np.int64)
    new_of_old[[5, 17]] = -1  # deleted
    new_of_old[18:] -= 2
    n = n0 - 2 + 3  # three new articles at the end
    src = np.full(n, -1, dtype=np.int64)
    src[new_of_old[new_of_old >= 0]] = np.flatnonzero(new_of_old >= 0)
    src[[3, 30]] = -1  # changed
    rows = np.arange(0, n, 2)
    was = np.round(rng.random((len(rows), n0)) ** 3, 2).astype(np.float32)  # (ties)
    now = was[:, np.maximum(src, 0)].copy()
    now[:, src < 0] = np.round(rng.random((len(rows), int((src < 0).sum()))) ** 3, 2)
    moved_p = np.sort(rng.choice(np.flatnonzero(src >= 0), 12, replace=False))
    now[:, moved_p] = np.where(rng.random((len(rows), len(moved_p))) < 0.5, now[:, moved_p],
                               np.round(rng.random((len(rows), len(moved_p))) ** 3, 2))
    now[np.arange(len(rows)), rows] = 0.0  # a row never lists itself
    was[np.arange(len(rows)), np.maximum(src[rows], 0)] = 0.0

    def rounds(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        order = np.lexsort((np.broadcast_to(np.arange(scores.shape[1]), scores.shape), -scores), axis=1)[:, :width]
        top = np.take_along_axis(scores, order, axis=1)
        return np.where(top > 0, order, -1).astype(np.int32), np.where(top > 0, top, 0).astype(np.float32)

    docs, scores = rounds(now)
    docs0, scores0 = rounds(was)
    best = 1.0 / (1.0 + rng.random(n))
    kth = rng.choice([0.1, 0.3, 0.5, 0.7, -np.inf], n)
    attr_docs = np.unique(np.r_[np.flatnonzero(src < 0), rng.choice(n, 5, replace=False)])
    gone_old = np.flatnonzero((new_of_old < 0) | (src[np.maximum(new_of_old, 0)] < 0))  # deleted or changed
    both = (rows, docs, scores, docs0, scores0)
    check = np.arange(n)
    decided, dirty = relate_mod._wide_rows_dirty(both, check, n, new_of_old, best, kth, attr_docs, moved_p, gone_old)
    assert 0 < len(decided) < len(rows) and 0 < dirty.sum() < len(decided)
    for r, d in zip(decided.tolist(), dirty.tolist()):
        i = int(np.searchsorted(rows, r))
        reach_now = now[i].astype(np.float64) * best[r] + 1e-4 >= kth[r]
        reach_was = was[i].astype(np.float64) * best[r] + 1e-4 >= kth[r]
        moved_src = src[moved_p]
        expect = bool(reach_now[attr_docs].any() or reach_was[gone_old].any()
                      or ((now[i, moved_p] != was[i, moved_src]) & (reach_now[moved_p] | reach_was[moved_src])).any())
        assert d == expect, r
