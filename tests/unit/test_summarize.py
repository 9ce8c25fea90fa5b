"""The summarise stage: scorers, selection, readability rules and the stage entry point."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from digest import summarize as summ
from digest import text
from digest.model import Article, Block

DEV = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "summaries" / "dev.jsonl"

TITLE = "Storm floods coastal town of Eastham"
SENTENCES = (
    "A powerful storm flooded the coastal town of Eastham on Monday, forcing hundreds of residents from their homes.",
    "Rescue teams used boats to reach families trapped by the rising water in the old harbour district.",
    "The storm flooded the coastal town of Eastham on Monday, forcing hundreds of residents from homes.",
    "Officials said the flood defences built in 1990 had failed after three days of heavy rain.",
    "Will it happen again?",
    "He said so.",
    "But the council said it had warned residents about the risk to the harbour district for years.",
    "The town's football club postponed its weekend match against a local rival.",
)


def make_article(sentences=SENTENCES, title=TITLE, **kw) -> Article:
    body = tuple(Block("p", s) for s in sentences)
    return Article(source="x.txt", format="text", slug="x", title=title, body=body, sentences=tuple(sentences), **kw)


def stats_for(*articles: Article) -> text.Stats:
    return text.corpus_stats(a.body_text for a in articles)


# -- select ---------------------------------------------------------------------------------


def test_select_returns_top_n_in_document_order() -> None:
    assert summ.select({0: 0.1, 1: 0.9, 2: 0.5, 3: 0.7}, 2) == [1, 3]


def test_select_breaks_ties_by_position() -> None:
    assert summ.select({0: 0.5, 1: 0.5, 2: 0.5, 3: 0.5}, 2) == [0, 1]
    assert summ.select({3: 1.0, 2: 1.0, 1: 0.0}, 1) == [2]


def test_select_skips_near_duplicates() -> None:
    sim = [[0, 0.9, 0.1], [0.9, 0, 0.1], [0.1, 0.1, 0]]
    assert summ.select({0: 1.0, 1: 0.95, 2: 0.2}, 2, similarity=sim) == [0, 2]
    assert summ.select({0: 1.0, 1: 0.95, 2: 0.2}, 2, similarity=sim, max_similarity=0.95) == [0, 1]


def test_select_never_takes_excluded_even_if_short_of_n() -> None:
    assert summ.select({0: 1.0, 1: 0.9, 2: 0.8}, 3, excluded={1}) == [0, 2]


def test_select_penalises_dependent_sentence_without_antecedent() -> None:
    scores = {0: 0.2, 1: 0.3, 2: 1.0, 3: 0.6}
    assert summ.select(scores, 1, dependent={2}, dependent_penalty=0.5) == [3]
    # with its antecedent taken, the dependent sentence keeps its full score
    assert summ.select({0: 0.2, 1: 2.0, 2: 1.0, 3: 0.6}, 2, dependent={2}, dependent_penalty=0.5) == [1, 2]


def test_select_loose_penalty_applies_once_the_summary_has_opened() -> None:
    scores = {0: 2.0, 1: 0.1, 2: 1.0, 3: 0.8}
    # 2 leans on 1, which is not taken; 0 is, so the summary does not open with it
    assert summ.select(scores, 2, dependent={2}, dependent_penalty=0.1, loose_penalty=1.0) == [0, 2]
    assert summ.select(scores, 2, dependent={2}, dependent_penalty=0.1, loose_penalty=0.5) == [0, 3]
    # it never opens the summary while the penalty holds it below another sentence
    assert summ.select({0: 0.1, 1: 0.3, 2: 1.0}, 1, dependent={2}, dependent_penalty=0.2, loose_penalty=1.0) == [1]


def test_select_pointing_sentence_keeps_its_score_only_after_the_one_before_it() -> None:
    scores = {0: 2.0, 1: 0.1, 2: 1.0, 3: 0.8}
    # 2 leans on 1, which is not taken: as a connective it reads on after 0, pointing it does not
    assert summ.select(scores, 2, dependent={2}, dependent_penalty=0.5) == [0, 2]
    assert summ.select(scores, 2, dependent={2}, dependent_penalty=0.5, pointing={2}) == [0, 3]
    # after 1 it keeps its full score
    assert summ.select({0: 0.2, 1: 2.0, 2: 1.0, 3: 0.8}, 2, dependent={2}, dependent_penalty=0.5, pointing={2}) == [1, 2]


def test_select_takes_an_attached_sentence_only_after_the_one_before_it() -> None:
    scores = {0: 0.1, 1: 0.2, 2: 1.0, 3: 0.6}
    assert summ.select(scores, 1, attached={2}) == [3]
    assert summ.select(scores, 2, attached={2}) == [1, 3]
    # once its antecedent is taken, it competes with its full score
    assert summ.select({0: 0.1, 1: 0.9, 2: 1.0, 3: 0.6}, 2, attached={2}) == [1, 2]
    # nothing else left: the summary is shorter rather than holding it alone
    assert summ.select({0: 0.5, 1: 1.0}, 2, excluded={0}, attached={1}) == []


STADIUM = (
    "The town council has approved a plan for a new stadium by the river.",
    "The old ground was sold to a supermarket chain for four million pounds last year.",
    None,  # the sentence under test
    "Building work is expected to begin in the spring and last about two years.",
    "Local residents have raised concerns about parking on match days near the site.",
)


@pytest.mark.parametrize(
    ("sentence", "points_back"),
    [
        # "This", "That", "These", "Those" point at what the sentence before says: not after another
        ("That would cut the cost of the new stadium by a third.", True),
        ("These include two schools and a new hospital in the north.", True),
        ("This makes her the first woman to hold the post in the county.", True),
        ("That museum held hundreds of pieces of ancient pottery.", True),
        ("Those were the words of the club's coach before the final in May.", True),
        # defined where they stand, or speech, or not dependent: read on after any summary sentence
        ("Those affected will be offered new homes by the council.", False),
        ("Those who bought tickets will get their money back next week.", False),
        ('"This is a great day for the town and its people," the mayor said.', False),
        ("This year the festival will run for three weeks in August.", False),
        # connectives and personal pronouns join on to the story told so far
        ("But the council said the plan would go ahead in the spring.", False),
        ("However, the club remained optimistic about the new ground.", False),
        ("He said the money would be spent on the town's schools.", False),
    ],
)
def test_summary_takes_a_pointing_sentence_only_after_the_one_it_points_at(
    monkeypatch: pytest.MonkeyPatch, sentence: str, points_back: bool
) -> None:
    sentences = tuple(sentence if s is None else s for s in STADIUM)
    stats = text.corpus_stats(sentences)
    # the sentence under test is second best; the one before it, its antecedent, is not worth taking
    scores = {0: 1.0, 1: 0.1, 2: 0.9, 3: 0.7, 4: 0.2}
    monkeypatch.setattr(summ, "score_sentences", lambda doc, scorers=summ.DEFAULT_SCORERS: scores)
    summary = summ.summarize_sentences(sentences, "", stats, 2)
    assert summary == ((STADIUM[0], STADIUM[3]) if points_back else (STADIUM[0], sentence))
    # after the sentence it points at, it reads as meant and keeps its score
    scores = {0: 0.2, 1: 1.0, 2: 0.9, 3: 0.7, 4: 0.1}
    assert summ.summarize_sentences(sentences, "", stats, 2) == (STADIUM[1], sentence)


def test_select_scores_down_a_surname_opener_until_a_sentence_naming_the_person_is_taken() -> None:
    scores = {0: 2.0, 1: 0.1, 2: 1.0, 3: 0.8}
    # 2 opens with a surname that only 1 gives in full: after 0 alone the reader does not know who it is
    assert summ.select(scores, 2, introduced={2: frozenset({1})}, dependent_penalty=0.5) == [0, 3]
    # after 1 it keeps its full score
    assert summ.select({0: 0.2, 1: 2.0, 2: 1.0, 3: 0.8}, 2, introduced={2: frozenset({1})}, dependent_penalty=0.5) == [1, 2]


FOUNDRY = (
    "Kestrel Foundry said its Ridgeway plant was running at about 60 percent of normal capacity.",
    "The plant is expected to return to full production by the middle of August, the company said.",
    None,  # introduces the person in full, or not
    "Varnum added that the shortage was unlikely to spread far beyond the foundry's own customers.",
    "The foundry will install a second power connection at the plant by the end of the year.",
)


@pytest.mark.parametrize(
    ("introduction", "title", "scored_down"),
    [
        ("The outage ruined thousands of wafers, said Anna Varnum, the plant's manager.", "Kestrel plant back at 60%", True),
        ("The outage ruined thousands of wafers, said Kestrel's Anna Varnum on Friday.", "Kestrel plant back at 60%", True),
        # the headline names her, or the article never gave her in full
        ("The outage ruined thousands of wafers, said Anna Varnum, the plant's manager.", "Varnum: plant back at 60%", False),
        ("The outage ruined thousands of wafers, said Mr Varnum, the plant's manager.", "Kestrel plant back at 60%", False),
    ],
)
def test_summary_takes_a_surname_opener_only_after_the_sentence_that_names_the_person(
    monkeypatch: pytest.MonkeyPatch, introduction: str, title: str, scored_down: bool
) -> None:
    sentences = tuple(introduction if s is None else s for s in FOUNDRY)
    stats = text.corpus_stats(sentences)
    # the surname opener is second best; the sentence that introduces her is not worth taking
    scores = {0: 1.0, 1: 0.2, 2: 0.1, 3: 0.9, 4: 0.7}
    monkeypatch.setattr(summ, "score_sentences", lambda doc, scorers=summ.DEFAULT_SCORERS: scores)
    summary = summ.summarize_sentences(sentences, title, stats, 2)
    assert summary == ((FOUNDRY[0], FOUNDRY[4]) if scored_down else (FOUNDRY[0], FOUNDRY[3]))
    # after the sentence that names her, it keeps its score
    scores = {0: 0.2, 1: 0.1, 2: 1.0, 3: 0.9, 4: 0.7}
    assert summ.summarize_sentences(sentences, title, stats, 2) == (sentences[2], FOUNDRY[3])


@pytest.mark.parametrize(
    ("sentences", "openers"),
    [
        (("Ossie Davis was found dead in Miami.", "Davis, who was 87, had made films for 50 years."), {1: {0}}),
        (("Fans cheered Sonia O'Sullivan on.", "O'Sullivan's coach said she would run."), {1: {0}}),
        (("Ruby Dee met Ossie Davis in 1946.", "They married.", "Davis later directed five films of his own."), {2: {0}}),
        # a longer name, a word also written in lower case, a name the sentence itself gives in full
        (("The Orange British Academy Film Awards are on Sunday.", "British hopes rest on Imelda Staunton."), {}),
        (("Thames Valley Police were called.", "Police said the police station was shut."), {}),
        (("Director Mike Leigh won in 2004.", "Mike Leigh will compete for the prize."), {}),
        (("Ossie Davis was found dead.", "DAVIS said so.", "Mr Davis said so."), {}),
    ],
)
def test_surname_openers(sentences: tuple[str, ...], openers: dict[int, set[int]]) -> None:
    assert summ.surname_openers(sentences) == openers


@pytest.mark.parametrize(
    ("count", "n", "ratio", "length"),
    [(10, 3, 0.2, 2), (12, 3, 0.2, 2), (13, 3, 0.2, 3), (30, 3, 0.2, 3), (30, 10, 0.2, 6), (2, 3, 0.2, 1),
     (5, 3, 0.5, 3), (1, 3, 1.0, 1), (40, 3, 0.01, 1)],
)
def test_summary_length_from_a_ratio(count: int, n: int, ratio: float, length: int) -> None:
    assert summ.length(count, n, ratio) == length


def test_a_ratio_shortens_the_summary_of_a_short_story() -> None:
    art = make_article()  # 8 sentences
    stats = stats_for(art)
    full = summ.summarize(art, stats, 3).summary
    assert len(full) == 3
    for ratio, want in ((0.1, 1), (0.25, 2), (0.5, 3), (0.0, 3)):
        summary = summ.summarize(art, stats, 3, ratio=ratio).summary
        assert len(summary) == want and set(summary) <= set(full)


# -- readability ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "fragment", "question", "heading", "dependent"),
    [
        ("He said so.", True, False, False, True),
        ("Will the storm come back to the town?", False, True, False, False),
        ('"Will the storm come back to the town?"', False, True, False, False),
        ("Storm damage in the old harbour district", False, False, True, False),
        ("But the council had warned residents about it for years.", False, False, False, True),
        ("He said the flood defences had failed after heavy rain.", False, False, False, True),
        ("This was the worst flood the town had seen.", False, False, False, True),
        ("This year the town spent more on flood defences.", False, False, False, False),
        ("The council had warned residents about it for years.", False, False, False, False),
        ("There were 30 people in the harbour at the time.", False, False, False, False),
        ("There, the council had warned residents for years.", False, False, False, True),
        ("So-called experts had warned the council for years.", False, False, False, False),
        ("It said the flood defences had failed after heavy rain.", False, False, False, True),
        ("However, the council said the risk was low.", False, False, False, True),
        ("That day the harbour flooded for the first time.", False, False, False, False),
    ],
)
def test_readability_rules(sentence: str, fragment: bool, question: bool, heading: bool, dependent: bool) -> None:
    assert summ.is_fragment(sentence) is fragment
    assert summ.is_question(sentence) is question
    assert summ.is_heading(sentence) is heading
    assert summ.is_dependent(sentence) is dependent


@pytest.mark.parametrize(
    ("sentence", "tail"),
    [
        ('We will rebuild the harbour," the mayor said on Monday.', True),
        ("We will rebuild the harbour,” the mayor said on Monday.", True),
        ('I am only the messenger for the council and its engineers."', True),
        ('It was a disaster," she said, "and it will happen again."', True),
        ("“We will rebuild the harbour,” the mayor said on Monday.", False),
        ('"We will rebuild the harbour," the mayor said on Monday.', False),
        ('He called it "a disaster" and left the harbour.', False),
        ('The mayor said: "We will rebuild the harbour."', False),
        ('The report ("Flood risk") was published on Monday.', False),
        ("The mayor said the town would rebuild the harbour.", False),
    ],
)
def test_the_tail_of_a_quotation_is_never_taken(sentence: str, tail: bool) -> None:
    assert summ.continues_quote(sentence) is tail
    assert (0 in summ.readability([sentence]).excluded) is tail


@pytest.mark.parametrize(
    ("sentence", "unattributed"),
    [
        ('"But we need a clear rule, agreed in advance, before race morning."', True),
        ("“But we need a clear rule, agreed in advance, before race morning.”", True),
        ('"We need a clear rule before race morning".', True),
        ('"We need a clear rule, agreed in advance, before race morning.', True),  # runs on
        ('"We planned for a warm day, and we got a hot one," Ashworth said.', False),
        ("“We planned for a warm day,” Ashworth said on Tuesday.", False),
        ('"Bolt from the blue" is how the chief executive described the news.', False),
        ('Ashworth said: "We need a clear rule before race morning."', False),
        ("We need a clear rule before race morning, Ashworth said.", False),
    ],
)
def test_a_quotation_that_does_not_name_its_speaker_needs_the_sentence_before(sentence: str, unattributed: bool) -> None:
    assert summ.is_unattributed_quote(sentence) is unattributed
    lead = "The race director said the marathon may start an hour earlier next year."
    rules = summ.readability([lead, sentence])
    assert (1 in rules.attached) is unattributed
    assert summ.readability([sentence]).attached == frozenset()  # nothing before it to lean on


class FixedScores:
    """A scorer that rates the sentences as given."""

    def __init__(self, *values: float) -> None:
        self.values = values

    def score(self, doc: summ.Doc) -> dict[int, float]:
        return dict(enumerate(self.values))


QUOTED = ("Organisers of the marathon may move the start of the race an hour earlier next year, the director said.",
          "Forty runners of the marathon were treated for heat exhaustion at the race on Sunday.",
          '"Nobody wants to cancel a race that runners have trained for," the director of the marathon said.',
          '"But the marathon race needs a clear rule for the heat of race morning."',
          "A survey of the marathon runners found two thirds in favour of an earlier start to the race.")


def test_an_unattributed_quotation_is_taken_only_with_its_speaker() -> None:
    def summary(*scores: float, n: int = 2) -> tuple[str, ...]:
        return summ.summarize_sentences(QUOTED, "Marathon may start earlier", stats, n, scorers=((FixedScores(*scores), 1.0),))

    stats = text.corpus_stats(QUOTED)
    assert summary(0.9, 0.2, 0.3, 1.0, 0.5) == (QUOTED[0], QUOTED[4])
    assert summary(0.9, 0.2, 0.8, 1.0, 0.5, n=3) == QUOTED[:1] + QUOTED[2:4]


def test_block_quote_sentences_are_taken_only_after_the_sentence_before(monkeypatch: pytest.MonkeyPatch) -> None:
    from digest import clean

    lead = "The men's winner of the marathon said he would welcome an earlier start to the race."
    quote = ("The heat made the marathon a race of survival, not of speed for the runners.",
             "An hour earlier and the marathon course record would have gone in the race.")
    rest = ("Organisers of the marathon may move the start of the race an hour earlier next year.",
            "A survey of the marathon runners found two thirds in favour of an earlier start.")
    body = (Block("p", rest[0]), Block("p", lead), Block("quote", " ".join(quote)), Block("p", rest[1]))
    sents = (rest[0], lead) + quote + rest[1:]
    assert clean.sentences_of(body) == sents
    assert clean.split_blocks(body) == (sents, {2, 3})
    stats = text.corpus_stats(sents)

    def pick(n: int, quoted: frozenset[int] = frozenset()) -> tuple[str, ...]:
        return summ.summarize_sentences(sents, "Marathon may start earlier", stats, n, scorers=((FixedScores(0.9, 0.5, 1.0, 0.3, 0.2), 1.0),), quoted=quoted)

    assert pick(2) == (rest[0], quote[0])
    assert pick(2, frozenset({2, 3})) == (rest[0], lead)
    assert pick(3, frozenset({2, 3})) == (rest[0], lead, quote[0])
    # an article that is all quotation still has a summary: its first sentence has none before it
    assert summ.summarize_sentences(quote + rest, "Marathon", stats, 3, quoted=frozenset(range(4))) == quote + rest[:1]
    # the stage finds the quote blocks of the article's body itself
    seen = []
    monkeypatch.setattr(summ, "summarize_sentences", lambda *a, **kw: seen.append(kw.get("quoted")) or ())
    art = Article(source="x.md", format="markdown", slug="x", title="Marathon may start earlier", body=body, sentences=sents)
    summ.summary_of(art, stats, 3)
    assert seen == [frozenset({2, 3})]
    # and the build's stage passes them from the one split of the body it makes
    from digest import stages
    from digest.config import TagsConfig

    monkeypatch.setattr(summ, "summary_of", lambda *a, **kw: seen.append(a[5]) or ())
    stages.summarise_and_tag(dataclasses.replace(art, sentences=()), stats=stats, n=3, tags=TagsConfig())
    assert seen[-1] == frozenset({2, 3})


@pytest.mark.parametrize(
    ("sentence", "clause"),
    [
        ("an earlier start, which would need the approval of the transit authority;", True),
        (", who broke onto the scene last season, set a personal best in Ghent.", True),
        ('"we will rebuild," the mayor said on Monday.', True),
        ("The review, which reports in October, will look at:", True),
        ("more shade and water along the exposed coast road;", True),
        ("iPhone sales rose by a third in the last quarter of the year.", False),
        ("eBay said on Monday that it would cut a thousand jobs.", False),
        ("42 people were taken to hospital after the storm on Monday.", False),
        ('The mayor said: "We will rebuild the harbour."', False),
        ("The council approved the budget by seven votes to three.", False),
    ],
)
def test_a_clause_or_list_item_is_never_taken(sentence: str, clause: bool) -> None:
    assert summ.is_clause(sentence) is clause
    assert (0 in summ.readability([sentence]).excluded) is clause


def test_a_list_item_is_left_out_of_the_summary() -> None:
    sents = ("The marathon may start an hour earlier next year after a heat scare, organisers said.",
             "The race director said the review of the marathon would look at:",
             "an earlier start for the marathon, which would need the approval of the transit authority;",
             "Forty runners of the marathon were treated for heat exhaustion on Sunday.",
             "A survey of the marathon runners found two thirds in favour of an earlier start.")
    art = make_article(sents, title="Marathon may start earlier after heat scare")
    summary = summ.summarize(art, stats_for(art), 3).summary
    assert len(summary) == 3 and sents[1] not in summary and sents[2] not in summary


def test_a_quotation_tail_is_left_out_of_the_summary() -> None:
    sents = ('The storm flooded the coastal town of Eastham on Monday, officials said.',
             '"The storm flooded the coastal town of Eastham on Monday and it will come back.',
             'It flooded the coastal town of Eastham before," the mayor of Eastham said.',
             "Council workers cleared the roads of the town on Tuesday morning.",
             "Schools in the town of Eastham stayed shut for the rest of the week.")
    art = make_article(sents, title="Storm floods Eastham")
    summary = summ.summarize(art, stats_for(art), 3).summary
    assert len(summary) == 3 and sents[2] not in summary


def test_readability_marks_indices() -> None:
    rules = summ.readability(SENTENCES)
    assert rules.excluded == {4, 5}
    assert rules.dependent == {6}
    assert summ.readability(SENTENCES, words=[text.words(s) for s in SENTENCES]) == rules


@pytest.mark.parametrize(
    "sentence",
    [
        "CNN's Jane Doe contributed to this report from the harbour.",
        "See the original story at Example.com. ©2015 Example.",
        "Copyright 2015 The Example Company. All rights reserved.",
        "Additional reporting by Jane Doe in Eastham and London.",
        "Follow us on Twitter for the latest news from the town.",
        "Full results and photos from Sunday's race are on the Herald's race page.",
        "More pictures of the flood can be found at www.example.org/eastham.",
        "For more information on the closures, visit the council's website.",
        "The latest updates on the storm are on our live page.",
    ],
)
def test_credits_and_copyright_lines_are_furniture(sentence: str) -> None:
    assert summ.is_furniture(sentence)
    assert summ.readability([sentence]).excluded == {0}


def test_ordinary_sentences_are_not_furniture() -> None:
    for s in SENTENCES:
        assert not summ.is_furniture(s)
    assert not summ.is_furniture("The bridge was built by the council in 1990.")
    assert not summ.is_furniture("More details of the plan are on the way, the council said.")
    assert not summ.is_furniture("Full results are due on Monday, when the council meets at the town hall.")
    assert not summ.is_furniture("The latest figures show more people are on the waiting list.")


# -- scorers --------------------------------------------------------------------------------


def test_scorers_return_one_score_per_sentence() -> None:
    doc = summ.make_doc(SENTENCES, TITLE, stats_for(make_article()))
    for scorer in (summ.Centrality(), summ.Centrality(beta=0.1, backward=-0.5), summ.TextRank(), summ.Position(),
                   summ.Headline(), summ.Length(), summ.Frequency(), summ.Overlap(), summ.LeadPrior()):
        scores = scorer.score(doc)
        assert set(scores) == set(range(len(SENTENCES))), scorer


def test_position_and_headline_scorers() -> None:
    doc = summ.make_doc(SENTENCES, TITLE, stats_for(make_article()))
    pos = summ.Position().score(doc)
    assert pos[0] == 1.0 and pos[0] > pos[1] > pos[7]
    head = summ.Headline().score(doc)
    assert head[0] == pytest.approx(1.0)
    assert head[7] < head[0]
    assert set(summ.Headline().score(summ.make_doc(SENTENCES, "", text.Stats())).values()) == {0.0}


def test_centrality_prefers_the_sentence_others_repeat() -> None:
    sents = ("Oil prices rose sharply on Monday.", "Oil prices rose again on Tuesday.", "Oil prices fell on Wednesday.",
             "A cat sat on a mat.")
    doc = summ.make_doc(sents, "", text.corpus_stats(sents))
    cent = summ.Centrality().score(doc)
    assert cent[3] == 0.0 and min(cent[0], cent[1], cent[2]) > 0


def test_similarity_matrix_is_symmetric_with_zero_diagonal() -> None:
    doc = summ.make_doc(SENTENCES, TITLE, stats_for(make_article()))
    n = len(SENTENCES)
    for i in range(n):
        assert doc.similarity[i][i] == 0.0
        for j in range(n):
            assert doc.similarity[i][j] == pytest.approx(doc.similarity[j][i])
    assert doc.similarity[0][2] > 0.7  # near-duplicate pair


# -- the stage ------------------------------------------------------------------------------


def test_summarize_takes_verbatim_sentences_in_order_without_duplicates_or_fragments() -> None:
    article = make_article()
    out = summ.summarize(article, stats_for(article), 3)
    assert len(out.summary) == 3
    idx = [SENTENCES.index(s) for s in out.summary]
    assert idx == sorted(idx)
    assert not {0, 2} <= set(idx)  # near-duplicates never both
    assert not set(idx) & {4, 5}  # no question teaser, no fragment
    assert set(idx) & {0, 2}  # the headline's point is carried
    assert dataclasses.replace(out, summary=()) == article


@pytest.mark.parametrize("dateline", ["(CNN)", "EASTHAM, Maine (AP) - ", "EASTHAM — ", "Eastham (Reuters) -- "])
def test_the_summary_leaves_out_the_dateline_that_opens_the_story(dateline: str) -> None:
    article = make_article(sentences=(dateline + SENTENCES[0], *SENTENCES[1:]))
    out = summ.summarize(article, stats_for(article), 3)
    assert SENTENCES[0] in out.summary  # the story's first sentence, without where and by whom it was filed
    assert not any(dateline.strip() in s for s in out.summary)
    assert out.body == article.body  # the article itself keeps it
    short = make_article(sentences=(dateline + SENTENCES[0], SENTENCES[1]))
    assert summ.summarize(short, stats_for(short), 3).summary == SENTENCES[:2]


def test_the_summary_leaves_out_a_label_before_a_colon_unless_it_lays_out_the_article() -> None:
    for label in ("EASTHAM: ", "BREAKING NEWS: "):
        article = make_article(sentences=(label + SENTENCES[0], *SENTENCES[1:]))
        assert SENTENCES[0] in summ.summarize(article, stats_for(article), 3).summary
    # a label that opens other sentences too (an advice column's letters, an interview's speakers) stays
    letters = ("DEAR ABBY: " + SENTENCES[0], *SENTENCES[1:3], "DEAR ABBY: " + SENTENCES[3], *SENTENCES[4:])
    article = make_article(sentences=letters)
    assert letters[0] in summ.summarize(article, stats_for(article), 3).summary


def test_front_matter_summary_wins() -> None:
    article = make_article(meta_summary=("Our own summary.",))
    assert summ.summarize(article, stats_for(article), 3).summary == ("Our own summary.",)


def test_summary_of_given_sentences_is_the_summary_of_the_article_that_carries_them() -> None:
    article = make_article()
    bare = dataclasses.replace(article, sentences=())
    stats = stats_for(article)
    assert summ.summary_of(bare, stats, 3, SENTENCES) == summ.summarize(article, stats, 3).summary
    assert summ.summary_of(bare, stats, 3, SENTENCES) != summ.summary_of(bare, stats, 3)
    own = dataclasses.replace(bare, meta_summary=("Our own summary.",))
    assert summ.summary_of(own, stats, 3, SENTENCES) == ("Our own summary.",)


def test_empty_article_gives_empty_summary() -> None:
    article = make_article(sentences=(), title="")
    assert summ.summarize(article, text.Stats(), 3).summary == ()


def test_short_article_gives_all_sentences() -> None:
    one = make_article(sentences=("Only one sentence here.",))
    assert summ.summarize(one, text.Stats(), 3).summary == ("Only one sentence here.",)
    two = make_article(sentences=SENTENCES[:2])
    assert summ.summarize(two, text.Stats(), 3).summary == SENTENCES[:2]


def test_n_zero_gives_empty_summary() -> None:
    assert summ.summarize(make_article(), text.Stats(), 0).summary == ()


def test_all_fragments_still_give_a_summary() -> None:
    article = make_article(sentences=("Rain.", "More rain.", "Wind too.", "Then sun."))
    assert len(summ.summarize(article, text.Stats(), 2).summary) == 2


def test_summarize_is_deterministic() -> None:
    article = make_article()
    stats = stats_for(article)
    first = summ.summarize(article, stats, 3).summary
    for _ in range(3):
        assert summ.summarize(article, stats, 3).summary == first
    shuffled = dict(reversed(list(summ.score_sentences(summ.make_doc(SENTENCES, TITLE, stats)).items())))
    assert summ.select(shuffled, 3) == summ.select(dict(sorted(shuffled.items())), 3)


def test_custom_scorers_change_the_choice() -> None:
    article = make_article()
    stats = stats_for(article)
    lead = summ.summarize_sentences(article.sentences, TITLE, stats, 2, scorers=((summ.Position(), 1.0),))
    assert lead == SENTENCES[:2]


def test_dev_set_beats_lead_on_bigram_overlap() -> None:
    """On 150 BBC dev articles our summaries share more reference bigrams than Lead-3 (needs the shared data)."""
    if not DEV.exists():
        pytest.skip("shared summaries data not present")
    with DEV.open(encoding="utf-8") as fh:
        records = [json.loads(line) for _, line in zip(range(150), fh)]
    articles = []
    for r in records:
        paras = [p for p in r["text"].split("\n\n") if p.strip()]
        sents = tuple(s for p in paras for s in text.split_sentences(p))
        articles.append(make_article(sentences=sents, title=r["title"]))
    stats = stats_for(*articles)

    def bigrams(sentences) -> set[tuple[str, str]]:
        ws = [w for s in sentences for w in text.words(s)]
        return set(zip(ws, ws[1:]))

    ours = lead = 0.0
    for a, r in zip(articles, records):
        ref = bigrams(r["summary"])
        ours += len(bigrams(summ.summarize(a, stats, 3).summary) & ref) / max(len(ref), 1)
        lead += len(bigrams(a.sentences[:3]) & ref) / max(len(ref), 1)
    assert ours > 1.1 * lead


def test_overlap_matrix_counts_shared_words_normalised_by_length() -> None:
    sents = ("Oil prices rose sharply on Monday.", "Oil prices rose again on Tuesday.", "A cat sat on a mat.")
    doc = summ.make_doc(sents, "", text.corpus_stats(sents))
    assert doc.overlap[0][1] == doc.overlap[1][0] > 0
    assert doc.overlap[0][2] == doc.overlap[2][0] == 0.0 and doc.overlap[0][0] == 0.0
    # shared content words {oil, prices, rose} over ln(len) + ln(len) of the content-word counts
    import math

    lens = [len(text.content_words(s)) for s in sents[:2]]
    assert doc.overlap[0][1] == pytest.approx(3 / (math.log(lens[0]) + math.log(lens[1])))
    ov = summ.Overlap().score(doc)
    assert ov[2] == 0.0 and ov[0] > 0


def test_overlap_uses_words_as_written_and_cosine_uses_stems() -> None:
    sents = ("The council closes libraries today.", "The council closed a library yesterday.")
    doc = summ.make_doc(sents, "", text.corpus_stats(sents))
    assert doc.overlap[0][1] > 0  # "council"
    import math

    lens = [len(text.content_words(s)) for s in sents]
    assert doc.overlap[0][1] == pytest.approx(1 / (math.log(lens[0]) + math.log(lens[1])))
    # the TF-IDF cosine also matches libraries/library through their stem
    assert set(doc.terms[0]) & set(doc.terms[1]) == {"council", "library"}
    assert doc.similarity[0][1] > 0


def test_gram_matrix_paths_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    rows = np.array([[0.5, 0.5, 0, 0, 0], [1.0, 0, 0, 0, 0], [0, 2.0, 1.0, 0, 0], [0, 0, 3.0, 1.0, 0], [0, 0, 0, 0, 1.0]])
    dense = summ._gram(rows)
    wide = np.random.default_rng(1).random((5, 40)) * (np.random.default_rng(2).random((5, 40)) > 0.6)
    whole = summ._gram(wide)
    monkeypatch.setattr(summ, "_PRODUCT_LIMIT", 16 * 25)  # column blocks of 16
    assert summ._gram(wide) == pytest.approx(whole)
    monkeypatch.setattr(summ, "_PRODUCT_LIMIT", 1)  # the sparse path
    walked = summ._gram(rows)
    assert [pytest.approx(r) for r in walked.tolist()] == dense.tolist()
    assert dense[0][1] == pytest.approx(0.5) and dense[0][2] == pytest.approx(1.0) and dense[2][3] == pytest.approx(3.0)
    assert dense[4].tolist() == [0.0] * 5 and all(dense[i][i] == 0 for i in range(5))
    assert summ._gram(np.eye(5)).tolist() == [[0.0] * 5] * 5


def test_textrank_solve_and_iteration_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = summ.make_doc(SENTENCES, TITLE, stats_for(make_article()))
    solved = summ.TextRank().rate(doc)
    monkeypatch.setattr(summ, "_SOLVE_LIMIT", 0)
    iterated = summ.TextRank(iterations=500, tolerance=1e-12).rate(doc)
    assert iterated.tolist() == pytest.approx(solved.tolist(), rel=1e-6)
    longer = summ.TextRank(length_power=0.5).rate(doc)
    assert longer[0] / solved[0] == pytest.approx(len(doc.words[0]) ** 0.5)


@pytest.mark.parametrize(
    ("sentence", "share"),
    [
        ("The council met on Monday.", 0.0),
        ('"We will rebuild," the mayor said.', 16 / 32),  # characters inside / all but the marks
        ("“We will rebuild,” the mayor said.", 16 / 32),
        ('"We will rebuild the harbour and the school.', 1.0),  # a quote that runs on
        ('He called it "a disaster" and left.', 10 / 33),
    ],
)
def test_quote_share(sentence: str, share: float) -> None:
    assert summ.quote_share(sentence) == pytest.approx(share)


def test_quoted_speech_is_discounted() -> None:
    sents = ('"The storm flooded the coastal town of Eastham," a resident said on Monday.',
             "The storm flooded the coastal town of Eastham on Monday, officials said.",
             "Council workers cleared the roads of the town on Tuesday morning.",
             "Schools in the town of Eastham stayed shut for the rest of the week.")
    doc = summ.make_doc(sents, "", text.corpus_stats(sents))
    quotes = summ.Quotes().score(doc)
    assert quotes[0] > 0.5 and quotes[1] == 0.0
    best = summ.score_sentences(doc, ((summ.Overlap(), 1.0), (summ.Quotes(), -0.5)))
    assert best[1] > best[0]


def test_lead_prior_grows_with_article_length_and_is_not_rescaled() -> None:
    prior = summ.LeadPrior(per_log=2.0, from_sentences=20.0)
    short = summ.make_doc(SENTENCES, TITLE, stats_for(make_article()))
    assert set(prior.score(short).values()) == {0.0}  # 8 sentences: centrality alone decides
    long_sents = tuple(f"Sentence number {i} says the council met residents about item {i}." for i in range(40))
    long_doc = summ.make_doc(long_sents, "", text.corpus_stats(long_sents))
    scores = prior.score(long_doc)
    import math

    assert scores[0] == pytest.approx(2.0 * math.log(2.0))
    assert scores[0] > scores[1] > scores[39] > 0
    # combined without min-max scaling: the lead bonus keeps its absolute size
    total = summ.score_sentences(long_doc, ((prior, 1.0),))
    assert total[0] == pytest.approx(scores[0])


def test_default_configuration_mixes_centrality_position_and_headline() -> None:
    kinds = {type(s) for s, w in summ.DEFAULT_SCORERS if w}
    assert {summ.Overlap, summ.TextRank, summ.Centrality, summ.Headline, summ.LeadPrior, summ.Quotes} <= kinds
    weights = {type(s): w for s, w in summ.DEFAULT_SCORERS}
    assert weights[summ.Quotes] < 0 < weights[summ.Headline]


# -- sentence splitting of flattened web text -------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        # a bulleted list flattened into one paragraph: each bullet starts an item
        (
            "The plan has three parts: • Taxes rise in April. • Spending falls by 2%. • Debt is capped.",
            ["The plan has three parts:", "• Taxes rise in April.", "• Spending falls by 2%.", "• Debt is capped."],
        ),
        ("Talks stalled on two points: . •How fast sanctions end. •Who checks the sites.",
         ["Talks stalled on two points: .", "•How fast sanctions end.", "•Who checks the sites."]),
        ("News • Sport • Weather", ["News", "• Sport", "• Weather"]),
        # a bullet glued to a word is not an item
        ("The A•B ratio fell. It was low.", ["The A•B ratio fell.", "It was low."]),
        # invisible direction marks or zero-width spaces between sentences do not glue them
        ("Troops moved to the border. \u200e\"They left in a convoy,\" he said. Then it rained.",
         ["Troops moved to the border.", '"They left in a convoy," he said.', "Then it rained."]),
        ("The vote was close.\u200b The motion failed.", ["The vote was close.", "The motion failed."]),
        ("\ufeffFirst line here. Second line here.\u200f", ["First line here.", "Second line here."]),
    ],
)
def test_split_sentences_of_flattened_lists_and_invisible_marks(paragraph: str, expected: list[str]) -> None:
    got = text.split_sentences(paragraph)
    assert got == expected
    pos = 0
    for sentence in got:  # still verbatim, in order
        pos = paragraph.index(sentence, pos) + len(sentence)


CNN = DEV.parent / "cnndm-dev.jsonl"


def _rouge2(records, key):
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge2"], use_stemmer=True)
    articles = []
    for r in records:
        paras = [p for p in r["text"].split("\n\n") if p.strip()]
        sents = tuple(s for p in paras for s in text.split_sentences(p))
        articles.append(make_article(sentences=sents, title=r.get("title") or ""))
    stats = stats_for(*articles)
    ours = lead = 0.0
    for a, r in zip(articles, records):
        ref = "\n".join(r[key])
        ours += scorer.score(ref, "\n".join(summ.summarize(a, stats, 3).summary))["rouge2"].fmeasure
        lead += scorer.score(ref, "\n".join(a.sentences[:3]))["rouge2"].fmeasure
    return 100 * ours / len(records), 100 * lead / len(records)


@pytest.mark.parametrize(("path", "key", "limit", "floor"), [(DEV, "summary", 300, 61.5), (CNN, "highlights", 200, 10.8)])
def test_rouge2_floors_on_dev_data(path: Path, key: str, limit: int, floor: float) -> None:
    """Pinned a little below what the first ``limit`` dev articles measure (needs the shared data).

    Measured: BBC first 300, 62.6 (Lead-3 41.0); CNN first 200, 11.2 (Lead-3 11.7).
    """
    pytest.importorskip("rouge_score")
    if not path.exists():
        pytest.skip("shared summaries data not present")
    with path.open(encoding="utf-8") as fh:
        records = [json.loads(line) for _, line in zip(range(limit), fh)]
    ours, lead = _rouge2(records, key)
    assert ours >= floor, (ours, lead)


def test_a_sentence_that_repeats_the_headline_is_not_taken() -> None:
    sents = (TITLE + ".", *SENTENCES)
    art = make_article(sentences=sents)
    summary = summ.summarize(art, stats_for(art), 3).summary
    assert sents[0] not in summary and len(summary) == 3
    doc = summ.make_doc(sents, TITLE, stats_for(art))
    assert summ.restates_headline(doc) == frozenset({0})
    assert summ.restates_headline(summ.make_doc(sents, "", stats_for(art))) == frozenset()


def test_very_long_article_is_summarised_in_bounded_time():
    import time

    from digest.model import Article
    from digest.summarize import MAX_SENTENCES, summarize
    from digest.text import corpus_stats

    import random

    rng = random.Random(4)
    vocab = "harbour buses council budget ferry library river bridge school market festival storm rail port mayor union".split()
    sentences = tuple(
        " ".join(["The"] + rng.sample(vocab, 8)) + f" changed on day {i}." for i in range(20 * MAX_SENTENCES)
    )
    article = Article(source="long.txt", format="text", slug="long", title="Harbour buses", sentences=sentences)
    start = time.process_time()
    out = summarize(article, corpus_stats([" ".join(sentences[:50])]), 3)
    assert time.process_time() - start < 20  # quadratic in 6,000 sentences would take minutes
    assert len(out.summary) == 3 and all(s in sentences[:MAX_SENTENCES] for s in out.summary)


# -- the vectorised document model and the faster text helpers ------------------------------


def _naive_doc(sentences, title, stats):
    """The per-pair reference computation that :func:`summ.make_doc` vectorises."""
    import math

    stop = text.stopwords()
    content = [[w for w in text.words(s) if w not in stop and (len(w) > 1 or w.isdigit())] for s in sentences]
    idf: dict[str, float] = {}
    for w in {w for c in content for w in c} | set(text.content_words(title)):
        if len(w) > 1 or w.isdigit():
            idf[text.stem(w)] = max(idf.get(text.stem(w), 0.0), stats.idf(w))
    vecs = []
    for c in content:
        v: dict[str, float] = {}
        for w in c:
            v[text.stem(w)] = v.get(text.stem(w), 0.0) + idf[text.stem(w)]
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vecs.append({k: x / norm for k, x in v.items()})
    n = len(sentences)
    sim = [[0.0] * n for _ in range(n)]
    ov = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            sim[i][j] = sum(x * vecs[j].get(k, 0.0) for k, x in vecs[i].items())
            if len(content[i]) > 1 and len(content[j]) > 1:
                ov[i][j] = len(set(content[i]) & set(content[j])) / (math.log(len(content[i])) + math.log(len(content[j])))
    return idf, sim, ov


@pytest.mark.parametrize("title", [TITLE, "", "Library closures"])
def test_make_doc_matches_the_per_pair_definition(title: str) -> None:
    sents = SENTENCES + ("The council closed a library; libraries close as councils cut budgets.", "Eastham, Eastham, Eastham.")
    stats = stats_for(make_article(sents))
    doc = summ.make_doc(sents, title, stats)
    idf, sim, ov = _naive_doc(sents, title, stats)
    assert dict(doc.idf) == idf
    assert doc.similarity.tolist() == [pytest.approx(r) for r in sim]
    assert doc.overlap.tolist() == [pytest.approx(r) for r in ov]
    assert doc.terms == tuple(tuple(text.stem(w) for w in text.content_words(s) if len(w) > 1 or w.isdigit()) for s in sents)
    assert doc.word_counts.tolist() == [len(text.words(s)) for s in sents]


def test_make_doc_reads_the_idf_of_every_content_word_and_title_word() -> None:
    """The build cache records the words whose IDF a stage reads: the same set as before."""
    from digest.cache import RecordingStats

    recording = RecordingStats(stats_for(make_article()))
    summ.make_doc(SENTENCES, "Harbour floods: Eastham waits", recording)  # type: ignore[arg-type]
    expected = {w for s in (*SENTENCES, "Harbour floods: Eastham waits") for w in text.content_words(s) if len(w) > 1 or w.isdigit()}
    assert recording.words == expected


def test_headline_and_restatement_use_the_matrices_like_the_sets() -> None:
    sents = (TITLE + ".", *SENTENCES)
    doc = summ.make_doc(sents, TITLE, stats_for(make_article(sents)))
    total = sum(doc.idf[t] for t in doc.title_terms)
    want = [sum(doc.idf[t] for t in doc.title_terms & set(ts)) / total for ts in doc.terms]
    assert summ.Headline().rate(doc).tolist() == pytest.approx(want)
    head = set(text.words(TITLE))
    jaccard = [len(set(w) & head) / len(set(w) | head) for w in doc.words]
    assert summ.restates_headline(doc, 0.5) == frozenset(i for i, j in enumerate(jaccard) if j >= 0.5)


HARD_TOKENS = [
    "U.S. and Mr. O’Neil’s $1.13bn deal - rock-'n'-roll AT&T e.g. 3.5%",
    "snake_case __init__ a--b a..b 'quoted' don't — em–dash",
    "İstanbul ΣΑΣ naïve café 東京 2024/25 x",
    "",
]


@pytest.mark.parametrize("sample", HARD_TOKENS)
def test_word_tokens_are_those_of_the_plain_pattern(sample: str) -> None:
    """``text._WORD`` uses possessive quantifiers for speed; the tokens must not change."""
    import re

    plain = re.compile(r"[^\W_]+(?:[’'.\-&][^\W_]+)*", re.UNICODE)
    assert text.tokens(sample) == plain.findall(sample)
    assert text.words(sample) == [w.replace("’", "'") for w in plain.findall(sample.lower())]


@pytest.mark.parametrize("docs", [1, 57, 99, 100, 1234, 98765])
def test_idf_is_the_rounded_blend_of_the_rounded_corpus_size(docs: int) -> None:
    """The cached look-up gives exactly the rounded IDF of the coarse corpus size."""
    import math

    stats = text.Stats(docs=docs, df={"tobacco": 3, "year": docs // 2, "the": docs})
    coarse = docs if docs < 100 else int(float(f"{docs:.2g}"))
    assert stats.idf_docs == coarse
    for word, df in (("tobacco", 3), ("year", docs // 2), ("the", docs), ("unseen", 0)):
        rate = 0.8 if word in text.stopwords() else 0.25 if word in text.common_words() else 0.005
        raw = math.log((1.0 + coarse + 20.0) / (1.0 + df + rate * 20.0)) + 1.0
        assert stats.idf(word) == round(raw / text.IDF_STEP) * text.IDF_STEP


def test_furniture_hint_covers_every_furniture_pattern() -> None:
    lines = (
        "Reporting by Jane Doe; editing by John Smith.",
        "Additional reporting by Ann Lee in Paris.",
        "Writing by Tom Jones for the wire service.",
        "© 2024 Example News Ltd, all rights reserved.",
    )
    assert all(summ.is_furniture(s) for s in lines)
    rules = summ.readability(lines + ("The storm flooded the harbour district on Monday night.",))
    assert rules.excluded == frozenset(range(4))


def test_textrank_solver_gives_numpy_solve_bit_for_bit() -> None:
    import numpy as np

    from digest.summarize import _solve

    rng = np.random.default_rng(3)
    for n in (1, 2, 5, 17, 60, 120):
        w = rng.random((n, n))
        np.fill_diagonal(w, 0.0)
        out = w.sum(axis=1)
        out[out == 0] = 1.0
        a = np.eye(n) - 0.85 * (w / out[:, None]).T
        b = np.full(n, 0.15 / n)
        assert np.array_equal(_solve(a, b), np.linalg.solve(a, b))
    with pytest.raises(np.linalg.LinAlgError), np.errstate(invalid="ignore"):
        _solve(np.zeros((3, 3)), np.ones(3))  # singular (never so in TextRank): fails as np.linalg.solve does


def test_cached_identity_is_read_only_and_degrees_match_the_plain_formula() -> None:
    eye = summ._identity(5)
    assert np.array_equal(eye, np.eye(5)) and not eye.flags.writeable
    m = np.random.default_rng(3).random((6, 6))
    np.fill_diagonal(m, 0.0)  # as in every similarity matrix
    for forward, backward in ((1.0, 0.6), (0.7, 0.6), (0.5, 0.5)):
        want = forward * (np.triu(m, 1)).sum(axis=1) + backward * (np.tril(m, -1)).sum(axis=1)
        assert summ._directed_degree(m, forward, backward).tolist() == pytest.approx(want.tolist())


def test_lead_prior_is_kept_per_length_and_read_only() -> None:
    import math

    import numpy as np

    from digest.summarize import LeadPrior, make_doc

    prior = LeadPrior(base=-0.6, per_log=2.2, from_sentences=12.0, decay=0.6)
    sentences = [f"Sentence number {i} says something about the budget today." for i in range(30)]
    doc = make_doc(sentences, "Budget", text.corpus_stats(sentences))
    rate = prior.rate(doc)
    strength = max(0.0, -0.6 + 2.2 * math.log(30 / 12.0))
    assert np.array_equal(rate, strength / (1.0 + np.arange(30)) ** 0.6)
    assert prior.rate(doc) is rate and not rate.flags.writeable


def test_quotes_rate_is_zero_without_quote_marks_and_shares_with_them() -> None:
    from digest.summarize import Quotes, make_doc

    plain = ["The council met on Monday to vote.", "It approved the budget for the year."]
    stats = text.corpus_stats(plain)
    assert Quotes().rate(make_doc(plain, "Budget", stats)).tolist() == [0.0, 0.0]
    quoted = plain + ['"We are pleased," the mayor said after the vote.']
    rates = Quotes().rate(make_doc(quoted, "Budget", stats)).tolist()
    assert rates[:2] == [0.0, 0.0] and 0.0 < rates[2] < 1.0


def test_a_stem_weighs_as_its_heaviest_word_and_never_below_zero() -> None:
    class Fixed:
        def __init__(self, weights: dict[str, float]):
            self.weights = weights

        def idf(self, word: str) -> float:
            return self.weights.get(word, 1.0)

    sents = ("The council closes a library today.", "Libraries close as councils cut budgets again.")
    doc = summ.make_doc(sents, "", Fixed({"library": 2.0, "libraries": 3.5, "council": -1.0, "councils": float("nan")}))  # type: ignore[arg-type]
    assert doc.idf["library"] == 3.5
    assert doc.idf["council"] == 0.0
    assert doc.idf["budget"] == 1.0


def test_restatement_threshold_of_zero_takes_every_sentence_with_words() -> None:
    sents = ("Storm hits the coast.", "Nothing in common here at all.", "...")
    doc = summ.make_doc(sents, "Storm hits coast", text.corpus_stats(sents))
    assert summ.restates_headline(doc, 0.0) == frozenset({0, 1})
    assert summ.restates_headline(doc, 0.75) == frozenset({0})
    assert summ.restates_headline(doc, 0.8) == frozenset()


def test_length_score_of_short_and_overlong_sentences() -> None:
    short = ("One two three four five six.", "One two three.")
    assert summ.Length(ideal=4, too_long=8).rate(summ.make_doc(short, "", text.Stats())).tolist() == [1.0, 0.75]
    long = (" ".join(["word"] * 16) + ".", "One two.")
    assert summ.Length(ideal=4, too_long=8).rate(summ.make_doc(long, "", text.Stats())).tolist() == [0.5, 0.5]


def test_select_gives_the_same_choice_for_a_matrix_and_nested_lists() -> None:
    scores = {0: 0.9, 1: 0.8, 2: 0.7, 3: 0.1}
    sim = np.array([[0.0, 0.9, 0.1, 0.0], [0.9, 0.0, 0.2, 0.0], [0.1, 0.2, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    assert summ.select(scores, 3, similarity=sim) == summ.select(scores, 3, similarity=sim.tolist()) == [0, 2, 3]


def test_headline_scores_do_not_depend_on_the_hash_seed():
    # The headline's words are a set, whose order changes with PYTHONHASHSEED; sums taken in that
    # order differ in their last bits from one process to the next, and a near-tie between two
    # sentences could then go either way in two builds of the same content.
    import os
    import subprocess
    import sys

    code = (
        "from digest import summarize as s, text\n"
        "sents = ['Harbour buses return after the flood damaged seven depots in March.',\n"
        "         'The council said electric ferries, trams and night buses resume on Monday.',\n"
        "         'Drivers welcomed the harbour depots reopening after months of repairs.']\n"
        "title = 'Harbour council reopens flooded depots as ferries, trams and night buses resume'\n"
        "stats = text.corpus_stats(sents + [title, 'The council met.', 'Trams resume.', 'Night buses.'])\n"
        "print([x.hex() for x in s.Headline().rate(s.make_doc(sents, title, stats)).tolist()])\n"
    )
    root = Path(__file__).resolve().parents[2]
    seen = set()
    for seed in range(8):
        env = {**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": str(root)}
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
        assert done.returncode == 0, done.stderr
        seen.add(done.stdout)
    assert len(seen) == 1, seen
