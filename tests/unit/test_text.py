"""Sentence splitting, words and IDF statistics (digest.text)."""
from __future__ import annotations

import pytest

from digest import text

# (paragraph, expected sentences)
HARD_CASES = [
    ("Mr. Smith went to Washington. He said so.", ["Mr. Smith went to Washington.", "He said so."]),
    ("Dr. Jones and Mrs. Lee met Prof. Black.", ["Dr. Jones and Mrs. Lee met Prof. Black."]),
    ("The U.S. economy grew. Exports fell.", ["The U.S. economy grew.", "Exports fell."]),
    ("Troops left the U.S. He was not among them.", ["Troops left the U.S.", "He was not among them."]),
    ("Profits rose to $1.13bn (£600m) in 2004. Sales were up 2.5%.",
     ["Profits rose to $1.13bn (£600m) in 2004.", "Sales were up 2.5%."]),
    ("The deal closed on Jan. 5 after talks. It was signed.", ["The deal closed on Jan. 5 after talks.", "It was signed."]),
    ('"We won," he said. "It was hard." Then he left.', ['"We won," he said.', '"It was hard."', "Then he left."]),
    ('"Is it over?" she asked. Nobody knew.', ['"Is it over?" she asked.', "Nobody knew."]),
    ("He paused... Then he spoke. Silence… Nobody moved!", ["He paused...", "Then he spoke.", "Silence…", "Nobody moved!"]),
    ("J. K. Rowling wrote it. John F. Kennedy read it.", ["J. K. Rowling wrote it.", "John F. Kennedy read it."]),
    ("They chose Plan B. The plan failed.", ["They chose Plan B.", "The plan failed."]),
    ("1. Buy milk today. 2. Sell the car.", ["1. Buy milk today.", "2. Sell the car."]),
    ("Bring these:\n- a tent\n- a stove", ["Bring these:", "- a tent", "- a stove"]),
    ("Shares in Acme Inc. rose. Acme Inc. The firm said so.", ["Shares in Acme Inc. rose.", "Acme Inc.", "The firm said so."]),
    ("It opens at 5 p.m. Tuesday. At 6 p.m. The doors close.", ["It opens at 5 p.m. Tuesday.", "At 6 p.m.", "The doors close."]),
    ("See e.g. Paris and London. Both are big.", ["See e.g. Paris and London.", "Both are big."]),
    ("He lives at No. 10 Downing Street. It is old.", ["He lives at No. 10 Downing Street.", "It is old."]),
    ("The vote (held on Friday.) Results follow.", ["The vote (held on Friday.)", "Results follow."]),
    ("It was 3.30pm. Fans cheered in the 90th minute.", ["It was 3.30pm.", "Fans cheered in the 90th minute."]),
    ("Sales grew. 2005 will be better.", ["Sales grew.", "2005 will be better."]),
    ("He owns 28.1%. Joe Bloggs owns the rest.", ["He owns 28.1%.", "Joe Bloggs owns the rest."]),
    ("It adapts the game Rising Sun. Call of Duty follows.", ["It adapts the game Rising Sun.", "Call of Duty follows."]),
    ('"We all understand each other. " England trained later.', ['"We all understand each other. "', "England trained later."]),
    ("He loves modern art. Picasso is his hero.", ["He loves modern art.", "Picasso is his hero."]),
    ("The U.N. Security Council met. It voted.", ["The U.N. Security Council met.", "It voted."]),
    ("He moved to St. Louis in 2001. The team won.", ["He moved to St. Louis in 2001.", "The team won."]),
    ("They arrived at 5 a.m. The shop was shut.", ["They arrived at 5 a.m.", "The shop was shut."]),
    ('Debt was "not... in the best interests" of the firm. Shares fell.',
     ['Debt was "not... in the best interests" of the firm.', "Shares fell."]),
    ("His days in Wham! ended in 1986. He went solo.", ["His days in Wham! ended in 1986.", "He went solo."]),
    ('He said: "It is over." Then he left.', ['He said: "It is over."', "Then he left."]),
    ('"Why?" he asked. Nobody answered.', ['"Why?" he asked.', "Nobody answered."]),
    ("Oil rose 1.5% to $50.25 a barrel. Gold fell 0.3%.", ["Oil rose 1.5% to $50.25 a barrel.", "Gold fell 0.3%."]),
    ("George W. Bush met Tony Blair. They talked.", ["George W. Bush met Tony Blair.", "They talked."]),
    ("Mr. T. Smith resigned. Mrs. Smith stayed.", ["Mr. T. Smith resigned.", "Mrs. Smith stayed."]),
    ("The U.S. and the U.K. agreed. Talks end on Sept. 12.", ["The U.S. and the U.K. agreed.", "Talks end on Sept. 12."]),
    ("Prices rose 3%. (That was expected.) Analysts shrugged.", ["Prices rose 3%.", "(That was expected.)", "Analysts shrugged."]),
    ("KEY BISCAYNE, Fla. (AP) - Serena won. She smiled.", ["KEY BISCAYNE, Fla. (AP) - Serena won.", "She smiled."]),
    ("He moved to Jackson, Miss. Police said so. She was ill. (Doctors agreed.)",
     ["He moved to Jackson, Miss.", "Police said so.", "She was ill.", "(Doctors agreed.)"]),
    ("The score was 2-1 at half-time... United then scored twice.",
     ["The score was 2-1 at half-time...", "United then scored twice."]),
    ("* First point\n* Second point", ["* First point", "* Second point"]),
    ("He earned £1.2m in 2004-05. That was a record.", ["He earned £1.2m in 2004-05.", "That was a record."]),
    ("no full stop at the end", ["no full stop at the end"]),
    ("Glued.Together stays one.", ["Glued.Together stays one."]),
    # scripts without capitals: any of their letters may open the next sentence
    ("경우가 흔하다. 현재 MBC는 있다. Then it ends.", ["경우가 흔하다.", "현재 MBC는 있다.", "Then it ends."]),
    ("Mr. 김 arrived. The U.S. 中国 talks ended.", ["Mr. 김 arrived.", "The U.S. 中国 talks ended."]),
    ("", []),
    ("   ", []),
]


@pytest.mark.parametrize(("paragraph", "expected"), HARD_CASES)
def test_split_sentences_hard_cases(paragraph: str, expected: list[str]) -> None:
    assert text.split_sentences(paragraph) == expected


@pytest.mark.parametrize(("paragraph", "_"), HARD_CASES)
def test_sentences_are_verbatim_substrings(paragraph: str, _: list[str]) -> None:
    pos = 0
    for sentence in text.split_sentences(paragraph):
        found = paragraph.find(sentence, pos)
        assert found >= 0, sentence
        pos = found + len(sentence)


def test_split_sentences_keeps_newlines_inside_a_hard_wrapped_sentence() -> None:
    para = "The committee met on\nFriday to vote. It agreed."
    assert text.split_sentences(para) == ["The committee met on\nFriday to vote.", "It agreed."]


def test_words_and_content_words() -> None:
    assert text.words("Time Warner's $1.13bn deal, up 76%") == ["time", "warner's", "1.13bn", "deal", "up", "76"]
    assert "the" not in text.content_words("The cat sat on the mat")
    assert text.content_words("The cat sat on the mat") == ["cat", "sat", "mat"]


def test_stem_leaves_words_without_a_known_suffix() -> None:
    for w in ("council", "harbour", "flood", "bank", "bus", "crisis", "was", "the"):
        assert text.stem(w) == w
    assert text.stem("Libraries") == "library" and text.stem("closes") == "close"


def test_stem_folds_plurals_and_inflections() -> None:
    assert text.stem("companies") == text.stem("company")
    assert text.stem("profits") == text.stem("profit")
    assert text.stem("bus") == "bus"


def test_stopwords_and_common_words_load() -> None:
    assert {"the", "and", "he"} <= text.stopwords()
    assert "year" in text.common_words()
    assert not text.common_words() & {"tobacco", "warner"}


def test_corpus_stats_counts_documents_not_occurrences() -> None:
    stats = text.corpus_stats(["cat cat dog", "dog bird", "fish"])
    assert stats.docs == 3
    assert stats.df["cat"] == 1 and stats.df["dog"] == 2
    assert stats.idf("cat") > stats.idf("dog")
    assert stats.idf("unseen") > stats.idf("cat")


def test_background_idf_orders_words_in_a_tiny_corpus() -> None:
    stats = text.corpus_stats(["The tobacco firms said the year was hard."])
    assert stats.idf("the") < stats.idf("year") < stats.idf("tobacco")
    empty = text.Stats()
    assert empty.idf("the") < empty.idf("year") < empty.idf("tobacco")


def test_normalize_folds_spaces_and_drops_invisibles() -> None:
    assert text.normalize("a\u00a0 b\u200bc\t d ") == "a bc d"


def test_updated_stats_equal_counting_afresh():
    from digest.text import stats_from, updated_stats

    docs = [("ferry", "harbour", "quay"), ("ferry", "gale", "storm"), ("budget", "vote")]
    old = stats_from(docs)
    new = updated_stats(old, gone=[docs[1]], added=[("storm", "vote", "zeppelin")])
    assert new == stats_from([docs[0], docs[2], ("storm", "vote", "zeppelin")])
    assert new.df["ferry"] == 1 and "gale" not in new.df and new.docs == 3


def test_stats_from_counts_every_document_from_any_iterable_into_a_plain_dict() -> None:
    stats = text.stats_from(iter([("ferry", "quay"), ("gale", "ferry"), ()]))
    assert stats.docs == 3
    # a plain dict (what the build cache pickles), its words in the order first seen
    assert type(stats.df) is dict and list(stats.df.items()) == [("ferry", 2), ("quay", 1), ("gale", 1)]


def test_stats_idf_is_memoised_and_pickles_without_its_memo() -> None:
    import copy
    import pickle

    stats = text.stats_from([["ferry", "gale"], ["ferry"], ["port"]])
    first = stats.idf("ferry")
    assert stats.idf("ferry") == first and stats.idf("gale") > first  # rarer word, higher IDF
    assert "ferry" in stats._memo
    again = pickle.loads(pickle.dumps(stats))
    assert again == stats and again._memo == {}  # the memo is not part of the value
    assert again.idf("gale") == stats.idf("gale")
    assert copy.deepcopy(stats).idf("port") == stats.idf("port")
    # a fresh Stats with other counts does not see the first one's memo
    other = text.stats_from([["ferry"], ["ferry"], ["ferry"]])
    assert other.idf("ferry") < first


class _Recording:
    """Counts IDF look-ups, as the build's recording wrapper notes the words it is asked for."""

    def __init__(self, stats: text.Stats) -> None:
        self.stats = stats
        self.asked: list[str] = []

    def idf(self, word: str) -> float:
        self.asked.append(word)
        return self.stats.idf(word)


def test_idf_memo_asks_a_wrapper_once_per_word_and_only_while_it_is_the_same_object() -> None:
    stats = text.stats_from([["ferry", "gale"], ["ferry"]])
    rec = _Recording(stats)
    assert text.idfs(rec, ["ferry", "gale"]) == [stats.idf("ferry"), stats.idf("gale")]
    memo = text.idf_memo(rec)
    assert memo["ferry"] == stats.idf("ferry") and memo["port"] == stats.idf("port")
    assert text.idfs(rec, ["gale", "port", "quay"])[2] == stats.idf("quay")
    assert rec.asked == ["ferry", "gale", "port", "quay"]  # every distinct word once, none left out
    fresh = _Recording(stats)
    text.idfs(fresh, ["ferry"])
    assert fresh.asked == ["ferry"]  # another wrapper is asked itself
    assert text.idf_memo(stats)["gale"] == stats.idf("gale")


def test_words_before_a_full_stop_decide_breaks_as_written() -> None:
    # the word before the stop: a list marker only at the start of the piece; white space before the stop
    assert text.split_sentences("2. Buy bread. 3. Buy milk.") == ["2. Buy bread.", "3. Buy milk."]
    assert text.split_sentences("We chose option 2. The rest failed.") == ["We chose option 2.", "The rest failed."]
    assert text.split_sentences("It ended . The end came.") == ["It ended .", "The end came."]
    assert text.split_sentences("Call Mr.\u00a0Smith now. He waits.") == ["Call Mr.\u00a0Smith now.", "He waits."]


def test_marks_read_as_spaces_are_neither_in_words_nor_between_them() -> None:
    import re

    assert text._NOT_IN_WORDS and all(not re.match(r"[^\W_]|[’'.\-&\x00]", m) and not m.isascii() for m in text._NOT_IN_WORDS)


def test_words_of_many_texts_equal_words_of_each() -> None:
    import random

    cases = [
        "The U.S. economy grew 2.5% to $1,000bn.", "Xiaomi’s CEO Lei Jun said: “It’s ours.”", "ΣΊΣΥΦΟΣ ΟΔΟΣ Σ",
        "Café Ünïcödé naïve", "\u212a Kelvin sign", "İstanbul", "tab\there", "", "a\x00b nul inside", "R&D co-op rock'n'roll",
        "ends with sigma ΟΔΟΣ", "ΣΑΣ", "_under_score_", "１２３ ｆｕｌｌ", "x’y ’quoted’",
        "£1.5bn—up from £1bn… “a–b” ‘c’ €2 © • x", "£5 café", "a£b 3€4 e—f", "a£-b c.£d",
    ]
    assert text.words_of(()) == ()
    for k in range(len(cases)):
        group = cases[k:] + cases[:k]
        assert text.words_of(group) == tuple(tuple(text.words(t)) for t in group)
    rnd = random.Random(5)
    alphabet = "aZ9 .’'-&_ΣσςİΚ\u00e9\u0301\n\x00,;\"“”£—–€©…•‘"
    for _ in range(400):
        group = ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 30))) for _ in range(rnd.randint(0, 5))]
        assert text.words_of(group) == tuple(tuple(text.words(t)) for t in group), group


def test_idfs_asks_a_source_with_many_at_once_through_it() -> None:
    stats = text.corpus_stats(["Tobacco sales fell.", "The year was good."])

    class Batch:
        def __init__(self) -> None:
            self.asked: list[tuple[str, ...]] = []

        def idf(self, word: str) -> float:  # pragma: no cover - must not be used while the memo is empty
            raise AssertionError(word)

        def idfs(self, words):
            self.asked.append(tuple(words))
            return [stats.idf(w) for w in words]

    source = Batch()
    words = ["tobacco", "year", "the"]
    assert text.idfs(source, words) == [stats.idf(w) for w in words]
    assert source.asked == [("tobacco", "year", "the")]
    assert text.idf_memo(source)["year"] == stats.idf("year")  # later look-ups hit the memo


@pytest.mark.parametrize(
    "paragraph",
    [p for p, _ in HARD_CASES]
    + ["It ended.. Then... More.x. Done.", "A.\u200b B. C .D. E", 'Said. " Next. ”Ok. Fine.', "x." * 40 + " Y.", "Trailing dots...", "."],
)
def test_sentence_ends_are_the_pattern_s_matches(paragraph: str) -> None:
    """Where the full stop is the only end mark, the pattern is tried at each one only: the
    matches must be those ``finditer`` finds, in every span."""
    for a, b in [(0, len(paragraph)), (1, len(paragraph)), (0, max(0, len(paragraph) - 3))]:
        want = [m.span(0) + m.span(3) for m in text._SENT_END.finditer(paragraph, a, b)]
        assert [m.span(0) + m.span(3) for m in text._sentence_ends(paragraph, a, b)] == want


def test_words_are_the_pattern_s_tokens_on_every_path() -> None:
    """:func:`text.words` reads ASCII text (and text that is ASCII once the marks that end
    words are spaces) with the ASCII pattern: the same tokens as the general pattern, with
    the typographic apostrophe made plain."""
    import random

    def expected(t: str) -> list[str]:
        return [w.replace("’", "'") for w in text._WORD.findall(t.lower())]

    cases = ["Time Warner's $1.13bn deal", "U.S.-based A&B co-op -- 1...2 'quoted'.", "Xiaomi’s “deal” — £5bn…", "caf\u00e9 ’ x",
             "\u212a Kelvin", "İstanbul", "a_b", "", "  ", "\x00a\x7fb\tc"]
    for case in cases:
        assert text.words(case) == expected(case), case
    rnd = random.Random(9)
    alphabet = "aZ9 .’'-&_,\n\x00\"“”£—–€©…•‘\u00e9\u212aİ"
    for _ in range(3000):
        t = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 16)))
        assert text.words(t) == expected(t), t


@pytest.mark.parametrize("sentence, story", [
    ("(CNN)Share, and your gift will be multiplied.", "Share, and your gift will be multiplied."),
    ("Tokyo (CNN)Police in Japan say they have arrested a man.", "Police in Japan say they have arrested a man."),
    ("New Delhi, India (CNN)The ambassador issued an apology.", "The ambassador issued an apology."),
    ("WASHINGTON (Reuters) - Republicans in the House voted.", "Republicans in the House voted."),
    ("RAPID CITY, S.D. - Leadership changes were announced.", "Leadership changes were announced."),
    ("WASHINGTON, April 1 (UPI) - It is surprisingly common.", "It is surprisingly common."),
    ("BY JANE ROE TALLORN—A group of moderates met.", "A group of moderates met."),
    ("JEZERSKO, Yugoslavia -- On Wednesday, soldiers raised a flag.", "On Wednesday, soldiers raised a flag."),
    # in mixed case, a US state's short form marks the dateline
    ("Dekalb, Ill. — Mike Glass threw for three touchdowns.", "Mike Glass threw for three touchdowns."),
    ("New York, NY – With content moving to phones, firms adapt.", "With content moving to phones, firms adapt."),
    ("Paris, France — Talks resumed on Monday.", None),
    ("Smith, Jones - and Brown all voted against it.", None),
    # before a colon, a place and a kicker alike, when a sentence follows
    ("LONDON: Wayne Rooney scored a hat-trick.", "Wayne Rooney scored a hat-trick."),
    ("NEW DELHI, India: Indian authorities charged a former minister.", "Indian authorities charged a former minister."),
    ("THREE-MINUTE AWAKENING: The day after, a nurse came in.", "The day after, a nurse came in."),
    ("BREAKING NEWS: “We are safe,” the crew said.", "“We are safe,” the crew said."),
    ("NOTE: the figures exclude VAT.", None),
    ("AA: Yes, we go in and find them.", None),
    # no dateline: a company's ticker, a kicker, a word in capitals
    ("Apple (AAPL) Chief Executive Tim Cook said sales rose.", None),
    ("IN BLOOD-RED letters, the sign declared a sale.", None),
    ("FOR THE RECORD - the minutes were approved.", None),
    ("EXCLUSIVE - The minister will resign on Friday.", None),
    ("The U.S. economy grew 2.5% last year.", None),
])
def test_dateline_end(sentence: str, story: str | None) -> None:
    from digest.text import dateline_end

    assert sentence[dateline_end(sentence):] == (story or sentence)

