"""Sentence and word splitting, stop words and corpus word statistics.

Shared by ``clean``, ``summarize``, ``tag`` and ``relate``; pure functions only.
The word lists live in ``digest/data/`` (``stopwords.txt``, ``common_words.txt``).
"""
from __future__ import annotations

import math
import re
import unicodedata
import weakref
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import chain
from typing import Any, Callable, Iterable, Mapping, Protocol, Sequence

# Possessive quantifiers: the same tokens as ``[^\W_]+(?:[’'.\-&][^\W_]+)*`` (nothing after
# the last run could make it give characters back), found about three times faster.
_WORD = re.compile(r"[^\W_]++(?:[’'.\-&][^\W_]++)*+", re.UNICODE)

# -- abbreviations (lower case, without the final dot) --------------------------------------
# A full stop after one of these never ends a sentence ("Mr. Smith", "e.g. Paris").
_NEVER_END = frozenset(
    """mr mrs ms messrs mme dr prof rev hon gen col lt sgt capt cmdr cdr adm gov sen rep reps pres
    supt insp det cpl pte maj brig e.g i.e cf viz vs v ca approx""".split()
)
# Before a number only ("No. 10", "Vol. 3", "pp. 12", "Jan. 5"); elsewhere a full stop ends.
_BEFORE_NUMBER = frozenset(
    """no nos vol vols pp p fig figs ch sec art para op ed nr tel
    jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
# Usually inside a sentence, but they also end one ("... owned by Acme Inc. The firm ...",
# "... in the U.S. He said ..."): a break needs a clear sentence opener after them.
_AMBIGUOUS = frozenset(
    """inc ltd co corp plc llc bros dept est etc al jr sr st mt ft ave blvd rd
    a.m p.m tue tues thu thur thurs fri""".split()
)

# US states as news agencies abbreviate them: capitalised and before a bracket, the dateline goes
# on ("KEY BISCAYNE, Fla. (AP) - ..."); elsewhere a full stop after them ends a sentence as usual.
STATE_ABBREVIATIONS = frozenset(
    """ala ariz ark calif colo conn del fla ga ill ind kan ky la md mass mich minn miss mo mont neb nev
    okla ore pa tenn tex vt va wash wis wyo""".split()
)

#: A dateline in capitals that opens a story: the place (perhaps after a byline in capitals), then
#: perhaps a region, a date and the agency, then a dash or a colon: "OSLO - ", "RAPID CITY, S.D. - ",
#: "WASHINGTON, April 1 (UPI) - ", "TAIPEI, Taiwan (AP) — ", "BY JANE ROE TALLORN—", "LONDON: ".
#: Groups: the byline's "BY", the place, the region, and the separator (``colon`` when it is one).
#: ("IN BLOOD-RED letters" has none; whether "THREE-MINUTE AWAKENING:" is a place is for the caller.)
DATELINE = re.compile(
    r"(BY\s+)?([A-Z][A-Z.'’-]*(?:\s+[A-Z][A-Z.'’-]*){0,5})"
    r"(?:,\s*([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,2}))?(?:,\s*[A-Z][a-z]+\.?\s+\d{1,2})?\s*(?:\([^()]{1,40}\))?"
    r"(\s*(?:—|–|--)\s*|\s+-\s+|(?P<colon>:)\s+)"
)
#: Words in capitals before a dash that label a story rather than say where it was filed:
#: "UPDATE - ", "EXCLUSIVE - ", "ANALYSIS — " are no datelines.
KICKERS = frozenset(
    """update updated breaking exclusive analysis opinion comment editorial video watch live photos
    pictures review interview correction clarification listen sponsored advertisement feature
    explainer factbox focus insight preview recap obituary""".split()
)
#: An agency's credit that opens a story, glued to its first word or before a dash, perhaps after
#: the place: "(CNN)Share ...", "Tokyo (CNN)Police ...", "LONDON (Reuters) - ...". ("Apple (AAPL)
#: Chief Executive ..." is no credit: a space and no dash after the bracket.)
_LEAD_CREDIT = re.compile(r"(?:[A-Z][\w.'’-]*,?\s+){0,5}?\([A-Z][\w&.' /-]{0,30}?\)(?:(?=[A-Z\"“‘])|\s*(?:—|–|--|-)\s+)")


def dateline_end(sentence: str) -> int:
    """Where the story's own words begin in ``sentence`` after a dateline or an agency's credit
    that opens it ("OSLO - EU President ..." -> the index of "EU"); 0 when nothing opens it.

    Words in capitals before a colon end here too when a sentence follows (a capital, a digit or
    a quotation mark), be they a place or a kicker ("LONDON: Wayne Rooney ...", "BREAKING NEWS:
    Two ...", "THREE-MINUTE AWAKENING: The day after ..."): the two look alike, and either labels
    the story (where it was filed, what kind of piece it is) without telling it."""
    m = _LEAD_CREDIT.match(sentence) or _PLACE_AND_STATE.match(sentence)
    if m is not None:
        return m.end()
    m = DATELINE.match(sentence)
    if m is None:
        return 0
    if m.group("colon"):
        after = sentence[m.end() : m.end() + 1]
        opens = after != "" and (after.isupper() or after.isdigit() or after in "\"“‘'")
        return m.end() if opens and not m.group(1) and sum(map(str.isalpha, m.group(2))) >= 3 else 0
    return m.end() if could_be_place(m.group(2).split()) else 0


#: A US state's short form as written after a place: "Ill.", "Tex", "NY", "S.C.".
STATE_SHORT = r"(?:(?i:" + "|".join(sorted(STATE_ABBREVIATIONS)) + r")\.?|[A-Z]{2}|[A-Z]\.[A-Z]\.)"
_STATE_SHORT = re.compile(STATE_SHORT)
#: A dateline in mixed case that a US state's short form marks as one: "Dekalb, Ill. — ",
#: "New York, NY – ", "Columbia, S.C. - ".
_PLACE_AND_STATE = re.compile(r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2},\s*" + STATE_SHORT + r"\s*(?:—|–|--|\s-)\s*(?=\S)")


def is_state_short(word: str) -> bool:
    """Whether ``word`` is a US state's short form (:data:`STATE_SHORT`)."""
    return _STATE_SHORT.fullmatch(word) is not None


def could_be_place(words: Sequence[str]) -> bool:
    """Whether the words in capitals of a :data:`DATELINE` can name a place: three letters or more,
    no stop word ("FOR THE RECORD - "), no kicker ("UPDATE - ")."""
    return sum(c.isalpha() for w in words for c in w) >= 3 and not any(
        w.lower() in stopwords() or w.lower() in KICKERS for w in words)


# End punctuation, closing quotes/brackets (also a detached one: 'world. " Next'), white space
# (after any invisible marks, see _INVISIBLE).
_SENT_END = re.compile(r"""([.!?…]+)(["'”’»)\]]*(?:\s+["”](?=\s))?)([\u200b-\u200f\u2060\ufeff]*\s+)""")
# What the next sentence may start with: opening quotes/brackets, then this character.
_OPENERS = "\"'“‘«(["
_NEXT_WORD = re.compile(r"""[^\W_]+""", re.UNICODE)
# A list marker at the start of a piece: "1.", "a.", "iv.", "(2."
_LIST_MARKER = re.compile(r"^[(\[]?(?:\d{1,3}|[A-Za-z]|[ivxlcIVXLC]{1,5})$")
# A line that starts a list item: "- ", "* ", "• ", "1. ", "2) ".
_LIST_LINE = re.compile(r"\n[ \t]*(?=(?:[-*•–]|\d{1,3}[.)])[ \t]+\S)")
# A bullet inside a line also starts an item ("Three points: • Tax rises. • Spending falls."),
# as when a page's list is flattened into one paragraph.
_INLINE_BULLET = re.compile(r"[ \t]+(?=[•▪◦‣][ \t]*\S)")
# Invisible format marks (direction marks, zero-width spaces, word joiner, BOM) that web text
# leaves between sentences: skipped when looking for the next sentence, never kept at its ends.
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """English stop words, from ``digest/data/stopwords.txt``."""
    return _word_list("stopwords.txt")


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Very common English (news) content words, from ``digest/data/common_words.txt``.

    They seed the background document frequencies that :meth:`Stats.idf` blends in,
    so a corpus of one or two articles still gets sensible weights.
    """
    return _word_list("common_words.txt")


def _word_list(name: str) -> frozenset[str]:
    text = resources.files("digest").joinpath("data", name).read_text(encoding="utf-8")
    out: set[str] = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        out.update(w.lower() for w in line.split())
    return frozenset(out)


_INVISIBLE_CHARS = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_ODD_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE_RUNS = re.compile(r" {2,}")
#: Any character one of the three patterns above would remove or replace.
_ANY_ODD = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad\u00a0\u2000-\u200a\u202f\u205f\u3000\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalize(text: str) -> str:
    """NFC, no zero-width or control characters, typographic spaces folded, runs of spaces collapsed."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    if _ANY_ODD.search(text):  # most text has none: one scan instead of three substitutions
        text = _INVISIBLE_CHARS.sub("", text)
        text = _ODD_SPACES.sub(" ", text)
        text = _CONTROLS.sub("", text)
    if "  " in text:
        text = _SPACE_RUNS.sub(" ", text)
    return text.strip()


def _opens_sentence(word: str) -> bool:
    """A capitalised function word ("The", "He", "But") clearly starts a new sentence."""
    return word[:1].isupper() and word.lower() in stopwords()


def _is_break(text: str, start: int, end: int, m: re.Match[str]) -> bool:
    """Decide whether the end-punctuation match ``m`` ends the sentence in ``text[start:end]``."""
    after = m.end(3)
    j = after
    while j < end and text[j] in _INVISIBLE:
        j += 1
    opened = j
    while j < end and text[j] in _OPENERS:
        j += 1
    if j >= end:
        return True
    first = text[j]
    quoted = j > opened
    if not (first.isupper() or first.isdigit() or first in "£$€¥" or (first.isalpha() and not first.islower())):
        return False  # (a letter neither upper nor lower case: a script without capitals, as Korean)
    punct = m.group(1)
    if punct != "." or m.group(2):
        # "!", "?", "...", "…" or a closing quote/bracket after the stop: a real end.
        return True
    before = text[start : m.start(1)]
    # the word before the stop: the run of non-space characters that ends ``before``
    last = before.rsplit(None, 1)[-1] if before and not before[-1].isspace() else ""
    prev = last.lstrip(_OPENERS)
    low = prev.lower()
    if not prev:
        return True
    if len(last) == len(before) and _LIST_MARKER.match(prev):
        return False  # "1. First item", "b. Second item"
    if low in _NEVER_END:
        return False
    if low in _BEFORE_NUMBER:
        return not first.isdigit()
    dotted = "." in low and all(0 < len(p) <= 2 and p.isalpha() for p in low.split("."))  # U.S, a.m, Ph.D
    initial = len(prev) == 1 and prev.isalpha() and prev.isupper()  # "John F. Kennedy"
    if low in STATE_ABBREVIATIONS and prev[0].isupper() and text[opened:j] == "(":
        return False
    if low in _AMBIGUOUS or dotted or initial:
        if quoted:
            return True
        nxt = _NEXT_WORD.match(text, j, end)
        return _opens_sentence(nxt.group(0) if nxt else "")
    return True


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, keeping each sentence verbatim.

    Every returned sentence is an exact substring of ``text`` (stripped of white space
    at both ends). A break needs end punctuation (``.`` ``!`` ``?`` ``…``), optional
    closing quotes/brackets, white space and then a capital, digit, currency sign,
    opening quote or a letter of a script without capitals (Korean, Chinese, Arabic). A
    full stop does not end a sentence after a title ("Mr.", "Dr."),
    "e.g."/"i.e.", a list marker ("1."), "No."/"Jan." before a number, nor after an
    initial, a dotted acronym ("U.S.") or "Inc."/"Ltd." unless a function word such as
    "The" or "He" follows. Decimals ("$1.13bn") never break, since no space follows the
    dot. A new line that starts a list item ("- ", "2. ") is a break too.
    """
    out: list[str] = []
    start = 0
    for chunk in _chunks(text):
        a, b = chunk
        start = a
        for m in _sentence_ends(text, a, b):
            if m.start(1) <= start or not _is_break(text, start, b, m):
                continue
            piece = _trim(text[start : m.end(2)])
            if piece:
                out.append(piece)
            start = m.end(3)
        tail = _trim(text[start:b])
        if tail:
            out.append(tail)
    return out


def _sentence_ends(text: str, a: int, b: int) -> Iterable[re.Match[str]]:
    """The matches of ``_SENT_END.finditer(text, a, b)``. Every match starts at an end mark, and
    when the only end mark in ``text`` is the full stop, the pattern is tried only where one
    stands, as ``finditer`` would try it there (``str.find`` skips the rest several times faster
    than the pattern's own scan)."""
    if "!" in text or "?" in text or "…" in text:
        return _SENT_END.finditer(text, a, b)
    match = _SENT_END.match
    out = []
    i = text.find(".", a, b)
    while i >= 0:
        m = match(text, i, b)
        if m:
            out.append(m)
            i = m.end()
        else:
            i += 1
        i = text.find(".", i, b)
    return out


def _trim(piece: str) -> str:
    """``piece`` without white space or invisible marks at either end."""
    piece = piece.strip()
    if piece[:1] in _INVISIBLE or piece[-1:] in _INVISIBLE:
        piece = piece.strip(_INVISIBLE).strip()
    return piece


def _chunks(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` separated by new lines that open a list item, or by inline bullets."""
    spans: list[tuple[int, int]] = []
    a = 0
    if "\n" in text:  # a list line starts after one (most paragraphs have none)
        for m in _LIST_LINE.finditer(text):
            spans.append((a, m.start()))
            a = m.end()
    spans.append((a, len(text)))
    if "•" in text or "▪" in text or "◦" in text or "‣" in text:
        spans = [piece for span in spans for piece in _bullet_spans(text, *span)]
    return spans


def _bullet_spans(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Split the span ``a:b`` before each bullet that follows white space."""
    spans: list[tuple[int, int]] = []
    for m in _INLINE_BULLET.finditer(text, a, b):
        if m.start() > a:
            spans.append((a, m.start()))
        a = m.end()
    spans.append((a, b))
    return spans


def words(text: str) -> list[str]:
    """Lower-case word tokens (letters and digits, inner apostrophes and hyphens kept).

    Text that is ASCII once lower-cased (or once the typographic apostrophe is made plain
    and :data:`_NOT_IN_WORDS` are spaces, which end words just as well) is read by
    :data:`_ASCII_WORD`, the same tokens in about 30% less time."""
    low = text.lower()
    if not low.isascii():
        if "’" in low:
            low = low.replace("’", "'")
        for mark in _NOT_IN_WORDS:
            if mark in low:
                low = low.replace(mark, " ")
        if not low.isascii():
            return _WORD.findall(low)
    return _ASCII_WORD.findall(low)


#: :data:`_WORD` for text known to be ASCII and lower case: the same tokens, found faster.
_ASCII_WORD = re.compile(r"[a-z0-9]++(?:['.\-&][a-z0-9]++)*+")
#: The non-ASCII characters of news text that are neither in a word nor join two (currency,
#: quotation marks, dashes): a third of articles have no other, and once they are spaces
#: :data:`_ASCII_WORD` reads the text, in about a quarter less time than :data:`_WORD`.
_NOT_IN_WORDS = "£“”‘—–€©…•"


def words_of(texts: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """``words(t)`` of each of ``texts``, as tuples: the texts lower-cased in one piece (a NUL
    between two, never inside a word, so casing is as text by text) and, for ASCII text (or
    text that is ASCII but for :data:`_NOT_IN_WORDS`), a simpler pattern that finds the same words."""
    joined = "\x00".join(texts)
    if joined.count("\x00") != len(texts) - 1:  # a NUL inside a text: one at a time
        return tuple([tuple(words(t)) for t in texts])
    low = joined.lower()
    if not low.isascii():
        if "’" in low:  # the same words, with the typographic apostrophe made plain
            low = low.replace("’", "'")
        for mark in _NOT_IN_WORDS:  # as spaces they end words just as well; then perhaps it is ASCII
            if mark in low:
                low = low.replace(mark, " ")
        if not low.isascii():
            return tuple(map(tuple, map(_WORD.findall, low.split("\x00"))))
    return tuple(map(tuple, map(_ASCII_WORD.findall, low.split("\x00"))))


def tokens(text: str) -> list[str]:
    """Word tokens as written (case kept)."""
    return _WORD.findall(text)


def content_words(text: str) -> list[str]:
    """Lower-case words that are not stop words and not pure punctuation."""
    stop = stopwords()
    return [w for w in words(text) if w not in stop and (len(w) > 1 or w.isdigit())]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English suffix stripper (plural and common inflections) for matching words."""
    w = word.lower()
    # every suffix below ends in one of these (relate_matrix._WordTable.columns repeats this test
    # for its fast path: change both together)
    if len(w) <= 3 or w[-1] not in "sgdy":
        return w
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ness", ""), ("ing", ""), ("edly", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            if suffix == "s" and w.endswith(("ss", "us", "is")):
                return w
            return w[: len(w) - len(suffix)] + repl
    return w


# Background corpus blended into every Stats: this many pseudo-documents, in which a stop
# word occurs in 80% of documents, a common word in 25% and any other word in 0.5%.
# With a real corpus of hundreds of articles it barely matters; with one article it
# keeps "the" and "year" below "tobacco".
_BACKGROUND_DOCS = 20.0
_BACKGROUND_STOP, _BACKGROUND_COMMON, _BACKGROUND_OTHER = 0.8, 0.25, 0.005


@dataclass(frozen=True, slots=True)
class Stats:
    """Document frequencies of lower-case words over a corpus, for IDF weights.

    ``stats.idf(word)`` is the smoothed inverse document frequency of ``word``; unseen
    words get the highest weight. The counts are blended with a small built-in background
    corpus (stop words and very common words are frequent there), so tiny corpora still
    rank "the" < "year" < "tobacco". Each word's IDF is worked out once per ``Stats``:
    ``idf`` is the look-up of a memo (a C-level call, as it runs for every word of every
    article), not a method.
    """

    docs: int = 0
    df: Mapping[str, int] = field(default_factory=dict)
    #: ``idf(word) -> float``: see the class docstring (not pickled, compared or shown)
    idf: Callable[[str], float] = field(init=False, repr=False, compare=False)
    _memo: dict[str, float] = field(init=False, repr=False, compare=False)  #: word -> IDF, as looked up

    def __post_init__(self) -> None:
        memo = _IdfMemo(self._idf)
        object.__setattr__(self, "_memo", memo)
        object.__setattr__(self, "idf", memo.__getitem__)

    def __reduce__(self) -> tuple[type[Stats], tuple[int, Mapping[str, int]]]:
        return (Stats, (self.docs, self.df))

    def _idf(self, word: str) -> float:
        df = self.df.get(word, 0)
        table = _idf_table(self.docs)
        key = (df, word)
        value = table.get(key)
        if value is None:
            value = table[key] = _idf(_coarse(self.docs), df, word)
        return value

    @property
    def idf_docs(self) -> int:
        """The corpus size that :meth:`idf` uses (rounded, see :data:`IDF_STEP`)."""
        return _coarse(self.docs)


class _IdfMemo(dict):  # type: ignore[type-arg]
    """``word -> idf(word)``, each word's IDF asked for once: a hit is one dict look-up."""

    __slots__ = ("_lookup",)

    def __init__(self, lookup: Callable[[str], float]):
        super().__init__()
        self._lookup = lookup

    def __missing__(self, word: str) -> float:
        value = self[word] = self._lookup(word)
        return value


class SupportsIdf(Protocol):
    """Anything with :meth:`Stats.idf` (a :class:`Stats`, or a wrapper that records look-ups)."""

    def idf(self, word: str) -> float: ...


# The memo of the last non-Stats IDF source (such as the build's per-article recording
# wrapper), weakly held: summarise and tag of one article then look each word up once.
_last_memo: list[Any] = [None, None]


def idf_memo(stats: SupportsIdf) -> Mapping[str, float]:
    """A mapping ``word -> stats.idf(word)`` that asks ``stats`` about each word once.

    For a :class:`Stats` it is the object's own memo. For another source (e.g. a wrapper
    that records which IDFs were read), the memo of the last such source is reused while
    that very object is alive, so the stages that run one after the other on one article
    share their look-ups; ``stats`` still sees every distinct word the callers ask for.
    """
    if isinstance(stats, Stats):
        return stats._memo
    ref, memo = _last_memo
    if ref is not None and ref() is stats:
        return memo
    memo = _IdfMemo(stats.idf)
    try:
        _last_memo[:] = [weakref.ref(stats), memo]
    except TypeError:  # no weak references to it: a memo of its own, not shared
        pass
    return memo


def idfs(stats: SupportsIdf, words: Sequence[str]) -> list[float]:
    """``[stats.idf(w) for w in words]`` for distinct ``words``, through :func:`idf_memo`:
    each word is asked of ``stats`` once, and later look-ups of these words are dict hits.
    A source with an ``idfs(words)`` method (the same values, e.g. a recording wrapper that
    notes them all at once) is asked through it when its memo is empty."""
    memo = idf_memo(stats)
    if memo:
        return list(map(memo.__getitem__, words))
    many = getattr(stats, "idfs", None)  # a source that answers many words in one call
    values = list(many(words)) if many is not None else list(map(stats.idf, words))
    memo.update(zip(words, values))  # type: ignore[attr-defined]
    return values


#: IDF values are rounded to this step, and corpus sizes above 100 to two significant digits:
#: far below what changes a ranking, and it lets one edited or added article leave the IDF of
#: almost every word as it was, so the build cache keeps the other articles' results.
IDF_STEP = 1 / 20


@lru_cache(maxsize=64)
def _coarse(docs: int) -> int:
    return docs if docs < 100 else int(float(f"{docs:.2g}"))


@lru_cache(maxsize=4)
def _idf_table(docs: int) -> dict[tuple[int, str], float]:
    """The memo of :meth:`Stats.idf` for corpora of ``docs`` documents: ``(df, word) -> IDF``.

    A plain dict per corpus size (the last few sizes kept), so a look-up is one dict
    access rather than a bounded LRU cache's bookkeeping.
    """
    return {}


def _idf(docs: int, df: int, word: str) -> float:
    if word in stopwords():
        rate = _BACKGROUND_STOP
    elif word in common_words():
        rate = _BACKGROUND_COMMON
    else:
        rate = _BACKGROUND_OTHER
    return round(_blend(docs, df, rate) / IDF_STEP) * IDF_STEP


def _blend(docs: int, df: int, rate: float) -> float:
    n = docs + _BACKGROUND_DOCS
    return math.log((1.0 + n) / (1.0 + df + rate * _BACKGROUND_DOCS)) + 1.0


@lru_cache(maxsize=1)
def common_stems() -> frozenset[str]:
    """Stems (:func:`stem`) of the built-in very common words."""
    return frozenset(stem(w) for w in common_words())


def stem_idf(docs: int, df: int, term: str) -> float:
    """:meth:`Stats.idf` for a stemmed term (no stop words): blended with the same background,
    so that in a corpus of a few articles "year" still weighs less than "tobacco"."""
    return _blend(docs, df, _BACKGROUND_COMMON if term in common_stems() else _BACKGROUND_OTHER)


def corpus_stats(texts: Iterable[str]) -> Stats:
    """Count, for every word, the number of texts it occurs in."""
    return stats_from(set(words(text)) for text in texts)


def stats_from(vocabularies: Iterable[Iterable[str]]) -> Stats:
    """:class:`Stats` from each document's distinct words (kept by the build cache, so a
    rebuild need not tokenise every article again). The words are counted by ``Counter``,
    in C: a Python loop over the 2 million words of 10,000 articles was 0.2 s of a cold
    build, with the other core idle (the workers start once the statistics are known)."""
    vocabularies = list(vocabularies)
    return Stats(docs=len(vocabularies), df=dict(Counter(chain.from_iterable(vocabularies))))


def updated_stats(old: Stats, gone: Iterable[Iterable[str]], added: Iterable[Iterable[str]]) -> Stats:
    """``old`` with the distinct words of the ``gone`` documents taken out and of the ``added``
    ones put in: what :func:`stats_from` gives from scratch, at the cost of the change only."""
    df = dict(old.df)
    docs = old.docs - _count(df, gone, -1)
    docs += _count(df, added, 1)
    return Stats(docs=docs, df=df)


def _count(df: dict[str, int], vocabularies: Iterable[Iterable[str]], step: int) -> int:
    """Add ``step`` to ``df`` for every word of every vocabulary (a count of 0 is removed);
    returns how many vocabularies there were."""
    docs = 0
    get = df.get
    for vocab in vocabularies:
        docs += 1
        for word in vocab:
            n = get(word, 0) + step
            if n:
                df[word] = n
            else:
                del df[word]
    return docs
