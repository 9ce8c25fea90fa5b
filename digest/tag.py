"""Stage 5: keyphrases, named entities, tags and a section for each article.

Everything here is rule-based and deterministic: no model and no training. The word
lists it leans on live in ``digest/data/tag_*.txt`` and ``digest/data/sections.yaml``
and may be edited freely.

How an article is read:

1. *Units.* The title, the standfirst, the sentences and any subheadings become units of
   tokens. A unit written in Title Case (most headlines and subheadings) tells nothing
   about which words are names, so its capitals are only trusted for words that are
   capitalised elsewhere in the running text.
2. *Candidates.* Keyphrase candidates are the 1-3 word n-grams inside runs of words that
   are neither stop words nor "breakers" (verbs, adverbs), never crossing punctuation
   and never cutting a capitalised name in two; a past form ("damaged") may open a phrase
   but not continue one, and irregular past forms ("shook", ``digest/tag_verbs.py``) break
   phrases like other verbs. A past form is also a candidate alone ("arrested"), apart from
   the noun of its stem ("arrest") and at a lower weight. Each is scored by frequency (occurrences near the top weigh
   more, the headline most), mean IDF of its words, spread over the text, length and
   capitalisation; a phrase said once, or ending in a verb in "-ing" ("earthquake
   measuring 6.9"), weighs less. In the keyphrase list an acronym the article spells out
   is given once, as its expansion, and words that mean nothing alone ("year") never make
   the first five.
3. *Entities.* Capitalised runs (with "of", "de", "&" inside) become mentions, sorted
   into people, organisations and places by cues (titles such as "Mr" or "CEO",
   organisation suffixes, the built-in list of places, "said", prepositions of place),
   then merged ("Lei" and "Mr Lei" into "Lei Jun"; "U.S." and "United States"; "SEC" into
   the "Securities and Exchange Commission" when both occur).
4. *Tags.* Front-matter tags first, then the best-ranked entities and keyphrases,
   normalised to one display form per meaning (names as written, common nouns lower case
   and singular, acronym and expansion folded, aliases applied), without repeats and
   without words that mean nothing alone. A word the article writes in lower case is a
   common noun where a capital opens a sentence or a name too ("Consumers are ..."), and so
   is a capitalised phrase it also writes in lower case ("Drug Use" of a survey's title). A
   word in capitals proves nothing where the article writes it in lower case as often ("A
   HUNTER who ..."). By their form, verbs, comparatives and superlatives are no tags alone
   ("Got" of "'We Got Her!'", "Latest", "lower", "I feel"), nor are two words glued together
   ("HomeLatest"), a name cut after its initial ("John M" of "John M. Ford") or an acronym
   written only as a post before a name ("Browns DL Sheldon Richardson"). A
   common noun that the article uses for a body it names at the top ("the authority" for
   the "Harrowgate Transit Authority") is that body.
5. *Section.* The section whose cue words the article uses most; front matter wins.

The word lists are English: an article in another language (few English stop words) gets no
keyphrases, entities or section of its own, and only its front matter's tags and section.
"""
from __future__ import annotations

import hashlib
import logging
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from itertools import chain, compress, count, islice
from operator import itemgetter, not_
from bisect import bisect_left
from functools import lru_cache, partial
from importlib import resources
from typing import TYPE_CHECKING, Any, Iterable, Mapping, NamedTuple, Sequence

import numpy as np
import yaml

from .model import Article, Entity
from .slugs import not_reserved
from .tag_verbs import IRREGULAR_PAST
from .text import (
    DATELINE, STATE_ABBREVIATIONS, common_words, could_be_place, idf_memo, is_state_short, split_sentences, stem, stopwords,
)

if TYPE_CHECKING:
    from pathlib import Path

    from .config import TagsConfig
    from .text import Stats

log = logging.getLogger(__name__)

MAX_KEYPHRASES = 20
_ALL_CANDIDATES = 60  #: articles with more candidates (past forms alone aside) than this skip those said once after the lead
_LEAD_UNITS = 3  #: headline and the first sentences
_GENERIC_AFTER = 5  #: words that mean nothing alone ("year") never rank among the first this many keyphrases
_SHORTLIST = 40  #: candidates given a display form and merged into entities (the rest cannot rank)
TAG_NAME_BONUS = 2.0  #: names' scores are multiplied by this when choosing tags (names make the best tag pages)
SECTIONS = ("World", "Politics", "Business", "Technology", "Science", "Health", "Sport", "Entertainment", "Culture")

# One pass over a unit finds its words and its punctuation marks: dotted abbreviations keep their
# final dot ("U.S.", "Ph.D."), as does a capital initial ("John F. Kennedy"); numbers keep their
# thousands commas; any other non-space character is a punctuation mark of its own.
_TOKEN = re.compile(
    r"(?:St|Ste|Mt|Ft)\.(?![^\W_])|[A-Z][^\W_]*(?:\.[^\W_]+)+\.|[A-Z]\.(?=\s)|\d{1,3}(?:,\d{3})+(?:\.\d+)?|[^\W_]+(?:[’'.\-&][^\W_]+)*|[^\w\s]",
    re.UNICODE,
)
_OPENERS = frozenset(":;\"“‘(['«—–")
_CONNECTORS = frozenset({"of", "de", "du", "da", "del", "della", "di", "van", "von", "der", "den", "la", "le", "al", "el", "bin", "ibn", "and", "for"})
_NUMBER_WORDS = frozenset("""one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty
hundred hundreds thousand thousands million millions billion billions trillion dozen dozens half""".split())
_TITLE_JOINS = frozenset({"of", "and", "for"})  #: words inside a title ("Secretary of State", "President and CEO")
_NAME_PARTICLES = frozenset({"al", "el", "del", "della", "di", "du", "de", "da", "der", "von", "ibn"})  #: never a tag alone
_LEADING_DROP = frozenset({"the", "a", "an"})
_DETERMINERS = frozenset({"the", "a", "an", "his", "her", "its", "their", "our", "my", "your", "this", "that", "these", "those"})
_PLACE_PREPOSITIONS = frozenset({"in", "near", "outside", "across", "throughout", "inside"})
_SPEECH_VERBS = frozenset({"said", "says", "told", "added", "claimed", "explained", "stated", "noted", "argued", "wrote", "insisted", "recalled", "admitted", "announced", "tweeted"})
_LY_NOUNS = frozenset({"family", "supply", "assembly", "monopoly", "ally", "rally", "belly", "anomaly", "melancholy", "jelly", "bully", "lily", "italy", "july", "sally", "holly", "molly", "reilly", "kelly", "emily", "daily", "weekly", "monthly", "quarterly", "early", "fly", "reply", "poly", "folly", "firefly", "butterfly", "apply", "imply", "comply", "rely", "multiply", "only"})

# Set by measurement with benchmarks/tags.py on the dev data (F1@10 on KPCrowd and DUC-2001).
@dataclass(frozen=True, slots=True)
class Weights:
    """Tunable weights of the keyphrase score (see :func:`keyphrases`).

    Set with ``benchmarks/tags.py`` on half A of the tagging dev data only (half B held out).
    """

    title: float = 1.5  #: weight of an occurrence in the headline (one in the text weighs 1 + lead bonus)
    lead: float = 5.0  #: extra weight of an occurrence near the top: ``lead / (1 + sentence index)``
    spread: float = 0.4  #: bonus for occurrences spread over the text (0-1 fraction of it)
    proper: float = 0.15  #: bonus for capitalised names
    length: tuple[float, float, float] = (1.0, 1.6, 1.6)  #: factor by number of words
    entity: float = 0.5  #: share of an entity's other mentions added to its best form's score
    title_only: float = 0.6  #: weight of a phrase seen only in the headline or subheadings
    nested: float = 1.0  #: how much a phrase loses when it mostly occurs inside a longer one
    phrase: float = 0.3  #: weight of a phrase's "word support": the mean score of its words times its own frequency
    parts: float = 0.3  #: a one-word mention of a longer name also ranks on its own, at this share of its score
    once: float = 0.15  #: factor of a multi-word phrase said at most once outside the headline
    gerund_end: float = 0.1  #: factor of a phrase ending in an "-ing" verb ("earthquake measuring 6.9"); its root for other "-ing" endings
    past: float = 0.9  #: factor of a past form alone ("arrested", "injured")


DEFAULT_WEIGHTS = Weights()


# -- word lists ----------------------------------------------------------------------------


def _data(name: str) -> str:
    return resources.files("digest").joinpath(f"data/{name}").read_text(encoding="utf-8")


def _sections_of(text: str) -> dict[str, list[str]]:
    """Lines of a word-list file, grouped under ``[section]`` headers ("" before any)."""
    out: dict[str, list[str]] = {"": []}
    current = ""
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            out.setdefault(current, [])
            continue
        out[current].append(line)
    return out


def _word_set(lines: Iterable[str]) -> frozenset[str]:
    return frozenset(w.lower() for line in lines for w in line.split())


_FOLD_DROP = str.maketrans("", "", ".'’")


@lru_cache(maxsize=1 << 16)
def _fold(text: str) -> str:
    """Lower case, accents dropped, dots and apostrophes removed: the key for list look-ups."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower().translate(_FOLD_DROP).strip()


@dataclass(frozen=True, slots=True, eq=False)
class Lexicon:
    """The word lists the tagger uses, loaded once from ``digest/data``."""

    titles: frozenset[str]
    modifiers: frozenset[str]
    org_suffixes: frozenset[str]
    org_prefixes: frozenset[str]  #: "Real", "FC": first words of organisation (club) names
    org_before: frozenset[str]  #: "group", "magazine": a word right before a name that calls it an organisation
    org_after: frozenset[str]  #: "militants", "shareholders": a word right after a name that names its members
    place_suffixes: frozenset[str]  #: "Bay", "Road": last words of place names
    place_prefixes: frozenset[str]  #: "Port", "Mount": first words of place names
    place_surnames: frozenset[str]  #: "Hall", "Castle": last words of place names that are also surnames
    place_after: frozenset[str]  #: "ward", "district": a word right after a name that calls it a place
    legal_forms: frozenset[str]  #: "Inc", "Corp": dropped from organisation names
    places: Mapping[str, str]  #: folded spelling -> canonical place name
    demonyms: frozenset[str]
    parties: frozenset[str]  #: demonyms that also name parties and their members ("liberal", "democrat")
    calendar: frozenset[str]
    periods: frozenset[str]  #: "Day", "Year", "War": last words of names of days, holidays and periods
    generic: frozenset[str]
    concepts: frozenset[str]  #: acronyms that are words, not names ("tv", "hiv"): never entities
    breakers: frozenset[str]
    aliases: Mapping[str, str]  #: folded spelling -> canonical display form (built-in aliases)
    invariant: frozenset[str]
    irregular: Mapping[str, str]
    given_names: frozenset[str] = frozenset()  #: "anne", "chuck": first words of people's names
    heads: frozenset[str] = frozenset()  #: "university", "house": last words of names, no tag alone beside one
    name_titles: frozenset[str] = frozenset()  #: "leader", "speaker": titles only inside a capitalised name


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The built-in word lists (cached; they never change while running)."""
    titles = _sections_of(_data("tag_titles.txt"))
    plurals = _sections_of(_data("tag_plurals.txt"))
    irregular = {}
    for line in plurals.get("irregular", []):
        parts = line.split()
        if len(parts) == 2:
            irregular[parts[0].lower()] = parts[1].lower()
    generic_lines = _sections_of(_data("tag_generic.txt"))[""]
    demonyms = _sections_of(_data("tag_demonyms.txt"))
    orgs = _sections_of(_data("tag_org_suffixes.txt"))
    place_words = _sections_of(_data("tag_place_suffixes.txt"))
    calendar = _sections_of(_data("tag_calendar.txt"))
    return Lexicon(
        titles=_word_set(titles.get("titles", [])),
        modifiers=_word_set(titles.get("modifiers", [])),
        org_suffixes=_word_set(orgs.get("suffixes", [])),
        org_prefixes=_word_set(orgs.get("prefixes", [])),
        org_before=_word_set(orgs.get("before", [])),
        org_after=_word_set(orgs.get("after", [])),
        place_suffixes=_word_set(place_words.get("suffixes", [])),
        place_prefixes=_word_set(place_words.get("prefixes", [])),
        place_surnames=_word_set(place_words.get("surnames", [])),
        place_after=_word_set(place_words.get("after", [])),
        legal_forms=_word_set(orgs.get("legal", [])),
        places=_name_map(_sections_of(_data("tag_places.txt"))[""]),
        demonyms=_word_set(demonyms[""] + demonyms.get("parties", [])),
        parties=_word_set(demonyms.get("parties", [])),
        calendar=_word_set(calendar[""]),
        periods=_word_set(calendar.get("periods", [])),
        generic=_word_set(generic_lines) | frozenset(line.lower() for line in generic_lines),
        concepts=_word_set(_sections_of(_data("tag_concepts.txt"))[""]),
        breakers=_word_set(_sections_of(_data("tag_breakers.txt"))[""]) | IRREGULAR_PAST,
        aliases=_name_map(_sections_of(_data("tag_aliases.txt"))[""]),
        invariant=_word_set(plurals.get("invariant", [])),
        irregular=irregular,
        given_names=_word_set(_sections_of(_data("tag_given_names.txt"))[""]),
        name_titles=_word_set(titles.get("in names", [])),
        heads=(_word_set(orgs.get("suffixes", [])) | _word_set(place_words.get("suffixes", [])))
        - _word_set(orgs.get("alone", [])),
    )


def _name_map(lines: list[str]) -> dict[str, str]:
    """``"Name | other spelling | ..."`` lines: each spelling, folded, -> the line's first name."""
    out: dict[str, str] = {}
    for line in lines:
        names = [n.strip() for n in line.split("|") if n.strip()]
        for n in names:
            out.setdefault(_fold(n), names[0])
    return out


# -- slugs and normal forms ----------------------------------------------------------------


@lru_cache(maxsize=1 << 16)
def tag_slug(name: str) -> str:
    """The URL slug of a tag: lower-case ASCII letters, digits and hyphens, never empty.

    Accents are folded ("Škoda" -> "skoda"), apostrophes and dots inside words vanish
    ("U.S." -> "us", "Xiaomi's" -> "xiaomis"), "&" and "+" are spelled out, anything else
    becomes a hyphen. A name with nothing left (e.g. only CJK characters) gets
    ``tag-<8 hex digits of its sha1>``.
    """
    text = name
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower().replace("&", " and ").replace("+", " plus ")
    text = re.sub(r"(?<=\w)[.'’](?=\w)|[.'’]$", "", text)
    slug = re.sub(r"[^a-z0-9]+", "-", text.encode("ascii", "ignore").decode("ascii")).strip("-")
    if slug:
        return not_reserved(slug)
    return "tag-" + hashlib.sha1(name.strip().encode("utf-8")).hexdigest()[:8]


def singular(word: str, lex: Lexicon | None = None) -> str:
    """A conservative singular of a lower-case English noun ("vehicles" -> "vehicle")."""
    if lex is None or lex is lexicon():
        return _singular(word)
    return _singular_in(word, lex)


@lru_cache(maxsize=1 << 16)
def _singular(word: str) -> str:
    """:func:`singular` with the built-in word lists."""
    return _singular_in(word, lexicon())


def _singular_in(word: str, lex: Lexicon) -> str:
    w = word.lower()
    if w in lex.irregular:
        return lex.irregular[w]
    head, dash, last = w.rpartition("-")
    if dash and last in lex.irregular:  # "anti-heroes", "step-children"
        return word[: len(head) + 1] + lex.irregular[last]
    # An irregular plural of six letters or more ends longer words too ("superheroes",
    # "grandchildren"; "lives" would make "olives" an "olife"): the longest ending first.
    for cut in range(1, len(w) - 5):
        one = lex.irregular.get(w[cut:])
        if one is not None:
            return word[:cut] + one
    if len(w) <= 3 or w in lex.invariant or not w.replace("-", "").isalpha():
        return word
    if w.endswith("ies") and len(w) > 4:
        return word[:-3] + "y"
    if w.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return word[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is", "ics", "ous", "'s")):
        return word[:-1]
    return word


@lru_cache(maxsize=1 << 16)
def _is_plural_acronym(surface: str) -> bool:
    return len(surface) >= 3 and surface.endswith("s") and _is_acronym(surface[:-1])


@lru_cache(maxsize=1 << 16)
def _is_acronym(surface: str) -> bool:
    letters = surface.replace(".", "").replace("&", "")
    return 2 <= len(letters) <= 6 and letters.isalpha() and letters.isupper()


# -- reading an article ---------------------------------------------------------------------------
#
# An article is read once into flat, parallel lists (one entry per token, units separated by a
# boundary token) and a *shape* string with one character per token, so that finding names and
# phrase chunks is a regular expression over the shape rather than a loop over tokens:
#
#   N  a word capitalised with evidence that it is a name      n  any other content word
#   A  a capitalised acronym or code ("SU7", "U.S.")           v  a past form ("pushed"): never ends a phrase
#   T  a capitalised title ("Mr", "CEO", "President")          k  a lower-case connector ("of", "and")
#   S  a capitalised stop word inside a name                   s  stop words, adverbs, calendar, breakers
#   D  a number                                                &  an ampersand
#   |  punctuation, a possessive 's or the end of a unit


# Token information: (surface, lower case, has a capital, class, matching key, stands alone,
# shape when not a name, the word whose IDF it has (lower case, no final dots), its lower case
# if written in lower case (else ""), opens a sentence after it (a boundary or opening mark),
# a lower-case word that no Title Case sentence has (a content word, or a stop word of 4+ letters),
# an acronym (:func:`_is_acronym` of the surface), a word of four letters or more in capitals).
_Info = tuple[str, str, bool, str, str, bool, str, str, str, bool, bool, bool, bool]
_BOUNDARY: _Info = ("", "", False, "p", "", False, "|", "", "", True, False, False, False)
_LOW, _CAP, _KEY, _SHAPE = itemgetter(1), itemgetter(2), itemgetter(4), itemgetter(6)
_LOWER_WRITTEN, _OPENS, _UNTITLED, _LOUD = itemgetter(8), itemgetter(9), itemgetter(10), itemgetter(12)
_POSSESSIVE: _Info = ("'s", "'s", False, "p", "", False, "|", "'s", "'s", False, False, False, False)
# Shape of a token without evidence of a name, by class; with evidence, see ``_name_shape``.
_PLAIN_SHAPE = {"w": "n", "t": "n", "v": "v", "y": "s", "b": "s", "s": "s", "c": "s", "k": "k", "D": "D",
                "p": "|", "o": "|", "&": "&"}
_NAME_SHAPE = {"w": "N", "v": "N", "y": "N", "b": "N", "t": "T", "s": "S", "k": "S", "c": "c", "D": "D"}
_ONE_WORD = re.compile(r"[nAv]|(?<!N)N(?!N)")  #: one-word candidates (a name of 2-3 words is never cut)
_LONG_CHUNK = re.compile(r"[NAnv]{2,}")  #: runs of content words: longer candidates come from these
_NAME_RUN = re.compile(r"[NAT][NATS]*(?:[k&][NAT][NATS]*)*")  #: capitalised runs: entity mentions


#: A member's party and US state after their name: "R-Pa.", "D-N.Y.", "D-Calif." (the state checked).
_PARTY_STATE = re.compile(r"[DRI]-([A-Z][A-Za-z.]{1,12})")


@lru_cache(maxsize=1 << 17)
def _word_info(surf: str) -> _Info:
    """What the tagger needs to know about one word, given as written (possessive removed)."""
    lex = lexicon()
    stop = stopwords()
    low = surf.lower()
    cap = low != surf
    party = cap and _PARTY_STATE.fullmatch(surf)
    if party and (_fold(party.group(1)) in STATE_ABBREVIATIONS or _fold(party.group(1)) in lex.places):
        # neither a name nor a keyphrase: a stop word, as far as the tagger is concerned
        return surf, low, cap, "s", _word_key(low), False, "s", low.rstrip("."), "", False, False, False, False
    acronym = cap and _is_acronym(surf)
    plural_acronym = cap and _is_plural_acronym(surf)
    if acronym or plural_acronym:
        cls = "t" if low.rstrip(".") in lex.titles else "w"
    elif _is_number(low) or low in _NUMBER_WORDS:
        cls = "D"
    elif low in stop:
        cls = "k" if low in _CONNECTORS and not cap else "s"
    elif low in lex.calendar:
        cls = "c"
    elif low in lex.breakers:
        cls = "b"
    elif low in lex.titles or low.rstrip(".") in lex.titles:
        cls = "t"
    elif low.endswith("ly") and low not in _LY_NOUNS:
        cls = "y"
    elif len(low) > 5 and low.endswith("ed") and not low.endswith("eed"):
        cls = "v"
    elif not any(ch.isalpha() for ch in low):
        cls = "D"
    else:
        cls = "w"
    solo = cap and (acronym or plural_acronym or not surf.replace("-", "").replace("'", "").removesuffix(".").isalpha())
    key = _word_key(low[:-1] if plural_acronym else low)
    untitled = not cap and low[:1].isalpha() and (low not in stop or len(low) > 3)
    loud = len(low) > 3 and surf.isupper() and low.isalpha()
    return surf, low, cap, cls, key, solo, _PLAIN_SHAPE[cls], low.rstrip("."), "" if cap else low, False, untitled, acronym, loud


_PIECES_KEPT = 1 << 18  #: pieces remembered by :func:`_piece` before its memo starts again


class _PieceMemo(dict):  # type: ignore[type-arg]
    """``piece -> its tokens`` (:func:`_tokens_of`): a hit through ``__getitem__`` is one dict
    look-up with no call overhead; :func:`_read` empties it past :data:`_PIECES_KEPT` entries."""

    __slots__ = ()

    def __missing__(self, piece: str) -> tuple[_Info, ...]:
        value = self[piece] = _tokens_of(piece)
        return value


_PIECES = _PieceMemo()
#: The tokens of one space-separated piece of text, remembered (see :class:`_PieceMemo`).
_piece = _PIECES.__getitem__


def _tokens_of(piece: str) -> tuple[_Info, ...]:
    """The tokens of one space-separated piece of text ("(Xiaomi's", "U.S.", "said,")."""
    out: list[_Info] = []
    found = _TOKEN.findall(piece)
    for k, m in enumerate(found):
        if not m[0].isalnum():
            cls = "&" if m == "&" else ("o" if m in _OPENERS else "p")
            # A closing parenthesis with a word glued to it ends a credit: "(CNN)Rebels seized ...".
            opens = cls == "o" or (m == ")" and k + 1 < len(found) and found[k + 1][0].isalpha())
            out.append((m, m, False, cls, "", False, _PLAIN_SHAPE[cls], m.rstrip("."), m, opens,
                        m[:1].isalpha() and (m not in stopwords() or len(m) > 3), _is_acronym(m), False))
            continue
        surf = m.replace("’", "'")
        poss = len(surf) > 2 and surf[-2:] in ("'s", "'S")
        if poss:
            surf = surf[:-2]
        out.append(_word_info(surf))
        if poss:
            out.append(_POSSESSIVE)
    return tuple(out)


def _title_case(infos: list[_Info], stop: frozenset[str], sentence: bool) -> bool:
    """True for a unit written in Title Case (a headline or subheading).

    A unit that ends like a sentence must have every word capitalised to count: a short
    sentence full of names ("Xiaomi CEO Lei Jun spoke in Beijing.") is not a heading.
    """
    if sentence and any(map(_UNTITLED, islice(infos, 1, None))):
        return False  # a lower-case content word, or a long lower-case stop word
    words = [i for i in infos[1:] if i[1][:1].isalpha()]
    content = [i for i in words if i[1] not in stop]
    if len(content) < 2:
        return bool(content) and all(i[2] for i in content) and len(infos) <= 4 and not sentence
    caps = sum(1 for i in content if i[2])
    if sentence:
        return caps == len(content) and caps >= 3
    lower_stops = sum(1 for i in words if i[1] in stop and not i[2])
    return caps / len(content) >= 0.75 and (caps >= 3 or lower_stops <= 1)


@dataclass(slots=True)
class _Doc:
    """An article read into parallel per-token lists (units separated by a boundary token)."""

    infos: list[_Info]
    keys: list[str]  #: matching key of each token ("" for punctuation)
    shape: str
    pos: list[int]  #: unit position of each token: 0 headline, 1 standfirst or first sentence, ...
    unit_kind: list[str]  #: by unit position
    title_case: list[bool]  #: by unit position
    n_units: int
    dateline: tuple[int, ...] = ()  #: the tokens of the places a dateline names ("OSLO -", "RAPID CITY, S.D. -")


def _unit_texts(article: Article) -> list[tuple[str, str]]:
    """(kind, text) of the headline, standfirst sentences, body sentences and subheadings, in order."""
    out: list[tuple[str, str]] = []
    if article.title.strip():
        out.append(("title", article.title))
    # The same words must not count twice: a standfirst that doubles as the title (or as the
    # first body paragraph, as cleaned scraped text has it) is read once.
    seen: Counter[str] = Counter([article.title.strip()])
    if article.standfirst.strip():
        for s in split_sentences(article.standfirst):
            if seen[s.strip()]:
                seen[s.strip()] -= 1
                seen["\x00" + s.strip()] += 1  # its body copy is skipped too
                continue
            out.append(("standfirst", s))
            seen["\x00" + s.strip()] += 1
    sentences: Iterable[str] = article.sentences
    if not sentences:
        sentences = [s for b in article.body if b.kind in ("p", "li", "quote") for s in split_sentences(b.text)]
    if len(seen) > 1:
        for s in sentences:
            if seen["\x00" + s.strip()]:
                seen["\x00" + s.strip()] -= 1
                continue
            out.append(("body", s))
    else:
        out.extend([("body", s) for s in sentences])
    if article.sentences:
        out.extend(("heading", b.text) for b in article.body if b.kind == "h")
    return out


def _dateline(text: str, lex: Lexicon) -> tuple[str, str, str]:
    """``text`` with the place of its dateline (:data:`digest.text.DATELINE`) written as a name and
    the separator as a dash that opens the sentence ("OSLO - EU ..." -> "Oslo — EU ...", a byline
    before it left out), that place and the region after it ("S.D." of "RAPID CITY, S.D. -", or "");
    ``(text, "", "")`` when ``text`` opens with no dateline. After a byline the place is its longest
    known place at the end ("BY COREY BOLES WASHINGTON"), else its last word. A colon ends a
    dateline only after a known place ("LONDON: ..."; "THREE-MINUTE AWAKENING: ..." is a kicker)."""
    m = DATELINE.match(text)
    if m is None:
        return text, "", ""
    words = m.group(2).split()
    if m.group(1):
        k = next((k for k in range(1, len(words)) if _fold(" ".join(words[k:])) in lex.places), len(words) - 1)
        words = words[k:]
    place = " ".join(re.sub(r"(?<=[A-Z])[A-Z]+", lambda w: w.group().lower(), w) for w in words)
    known = _fold(place) in lex.places
    if not known and (m.group("colon") or not could_be_place(words)):
        return text, "", ""
    return place + text[m.end(2) : m.start(4)] + " — " + text[m.end() :], place, m.group(3) or ""


def _camel(word: str) -> bool:
    """A capital inside a word, after its first letter, as names are spelt ("McCain", "YouTube",
    "GlaxoSmithKline", "J-Power", "T-Mobile"): evidence of a name at the start of a sentence too.
    Not in a compound that describes: "Anglo-Dutch", "UK-based", "US-German", "Ex-Somali"."""
    head, _, tail = word.partition("-")
    if not head[:1].isupper():
        return False
    if len(head) == 1:
        return tail[:1].isupper()
    return not head.isupper() and any(map(str.isupper, head[1:]))


def _lower_seen(flat: list[_Info], units: list[list[_Info]], tcase: list[bool]) -> Iterable[str]:
    """The words written in lower case outside Title Case (and ""), one per use."""
    plain = flat if not any(tcase) else chain.from_iterable(u for u, tc in zip(units, tcase) if not tc)
    return map(_LOWER_WRITTEN, plain)


def _read(article: Article) -> _Doc:
    """Tokenise the article once and decide which capitals are evidence of names."""
    stop = stopwords()
    lex = lexicon()
    units: list[list[_Info]] = []
    kinds: list[str] = []
    tcase: list[bool] = []
    if not article.title.strip():
        units.append([])
        kinds.append("title")
    if len(_PIECES) > _PIECES_KEPT:
        _PIECES.clear()
    dated = -1  # the unit that opens with a dateline (-2 once the first unit after the headline is read)
    place = region = ""
    for kind, text in _unit_texts(article):
        if dated == -1 and kind != "title":
            text, place, region = _dateline(text, lex)
            dated = len(units) if place else -2
        infos = list(chain.from_iterable(map(_piece, text.split())))
        if kind != "body" or text.isupper():
            letters = [i for i in infos if i[0][:1].isalpha()]
            if len(letters) > 2 and sum(1 for i in letters if i[0].isupper() and len(i[0]) > 1) > 0.6 * len(letters):
                # A HEADLINE IN CAPITALS: no case information at all.
                infos = [_word_info(i[1]) if i[2] else i for i in infos]
                units.append(infos)
                kinds.append(kind)
                tcase.append(True)
                continue
        units.append(infos)
        kinds.append(kind)
        if kind != "body" or len(infos) < 40:
            ends = text.rstrip("\"'”’)]").endswith((".", "!", "?", "…"))
            tcase.append(_title_case(infos, stop, ends))
        else:
            tcase.append(False)
    if not article.title.strip():
        tcase.insert(0, False)
    # The units laid end to end, each closed by a boundary token, and read as flat lists.
    flat: list[_Info] = []
    pos: list[int] = []
    dateline: tuple[int, ...] = ()
    for p, infos in enumerate(units):
        if p == dated:  # the place's tokens, and the region's after a comma
            end = len(flat) + sum(len(_piece(w)) for w in place.split())
            dateline = (*range(len(flat), end), *range(end + 1, end + 1 + sum(len(_piece(w)) for w in region.split())))
        flat += infos
        flat.append(_BOUNDARY)
        pos += [p] * (len(infos) + 1)
    caps = list(compress(range(len(flat)), map(_CAP, flat)))
    # Evidence for names: a capital that is not explained by the start of a sentence.
    # The words written in lower case outside Title Case (and "", never a capitalised word's lower
    # case) are gathered only when the loop below first needs them: 4 articles in 10 never do
    # (the 10,000-article benchmark corpus and the BBC, CNN and tagging dev sets).
    lower_seen: set[str] | Counter[str] | None = None
    # A word of four letters or more in capitals that the article writes in lower case as often
    # is shouted ("A HUNTER who killed ... the hunter", "CONCERNED SISTER"): all capitals prove
    # nothing ("TBWA" four times and an e-mail's "tbwa" once is a name).
    loud = set(compress(caps, map(_LOUD, map(flat.__getitem__, caps))))
    if loud:
        lower_seen = Counter(_lower_seen(flat, units, tcase))
        times = Counter(flat[j][1] for j in loud)
        caps = [j for j in caps if j not in loud or lower_seen[flat[j][1]] < times[flat[j][1]]]
    # A capital after a boundary or an opening mark starts a sentence (flat[-1] is a boundary:
    # the first token starts a unit); one elsewhere, outside Title Case, is evidence of a name.
    starts = list(map(_OPENS, map(flat.__getitem__, map((-1).__add__, caps))))
    if any(tcase):
        proper_seen = {flat[j][1] for j, start in zip(caps, starts) if not start and not tcase[pos[j]]}
    else:
        proper_seen = set(map(_LOW, map(flat.__getitem__, compress(caps, map(not_, starts)))))
    places = lex.places
    chars = list(map(_SHAPE, flat))
    for j, start in zip(caps, starts):
        i = flat[j]
        low = i[1]
        if tcase[pos[j]]:
            ecap = low in proper_seen or (i[5] and low not in stop)
        elif start:
            # A capital at the start of a sentence proves nothing: trust it when the word is
            # capitalised elsewhere, is a known place or name, or starts a run of capitals or
            # owns what follows ("Chelsea's good week"), and is never written in lower case.
            ecap = low in proper_seen or (i[5] and low not in stop) or _fold(i[0]) in places or _camel(i[0])
            if not ecap and low not in stop and (flat[j + 1][2] or flat[j + 1] is _POSSESSIVE) and (
                    low not in lex.breakers or low in IRREGULAR_PAST or low == "new"):
                # (but "Despite", "Like", "Let" before a name: a sentence's first word, not the name's)
                if lower_seen is None:
                    lower_seen = set(_lower_seen(flat, units, tcase))
                ecap = low not in lower_seen
        else:
            ecap = True
        if ecap:
            chars[j] = "A" if i[5] and i[3] != "t" else _NAME_SHAPE[i[3]]
            nxt = flat[j + 1]
            if nxt[3] == "D" and nxt[0].isdigit() and len(nxt[0]) <= 4:
                chars[j + 1] = "A"  # "Route 9", "Slate 5": the number is part of the name
    for j in dateline:  # a dateline names places, wherever it stands
        i = flat[j]
        if i[2]:
            chars[j] = "A" if i[5] and i[3] != "t" else _NAME_SHAPE[i[3]]
    return _Doc(flat, list(map(_KEY, flat)), "".join(chars), pos, kinds, tcase, len(units), dateline)


# -- entities ------------------------------------------------------------------------------------


_PERSON, _ORG, _PLACE = 0, 1, 2  #: slots of a vote list
_KINDS = ("person", "organisation", "place")


@dataclass(slots=True)
class _Group:
    key: str
    words: tuple[str, ...]  #: lower-case words of the canonical form
    surfaces: dict = field(default_factory=dict)  #: surface -> mentions
    votes: list = field(default_factory=lambda: [0, 0, 0])  #: person, organisation, place
    count: int = 0
    first: tuple[int, int] = (1 << 30, 0)
    place: str = ""  #: canonical name when it is a known place
    alias: str = ""  #: canonical name from the built-in aliases
    forms: dict = field(default_factory=dict)  #: lower-case token tuple of every mention -> its word keys
    in_title: bool = False
    strong: bool = False
    merged_into: str = ""
    cued: int = 0  #: organisation votes from "the" or a quotation around a mention (kinds only: see _merge_groups)
    shaped: bool = False  #: the person vote of its words' shape is counted (once a name, not once a mention)


@lru_cache(maxsize=1 << 14)
def _name_like(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and word[1:].replace("-", "").replace("'", "").isalpha() and not word.isupper()


# A capitalised run: (words, lower case of the word before, of the word after, unit position,
# token index, in the headline, in a Title Case unit, the whole of a quotation, called an organisation
# by the word right before or after it: "the militant group Boko Haram", "Boko Haram fighters", called a
# place by the word right after it: "the Harbourside ward", the place of the article's dateline). Words
# are token infos (surface, lower, ...).
_Run = tuple[list[_Info], str, str, int, int, bool, bool, bool, bool, bool, bool]
_OPEN_QUOTES = frozenset("\"“‘'")
_CLOSE_QUOTES = frozenset("\"”’'")


def _runs(doc: _Doc, lex: Lexicon) -> list[_Run]:
    """Capitalised runs of the article, connectors inside allowed ("Bank of England")."""
    stop = stopwords()
    infos = doc.infos
    out: list[_Run] = []
    for m in _NAME_RUN.finditer(doc.shape):
        a, b = m.span()
        toks = infos[a:b]
        pieces: list[tuple[int, int]] = [(0, b - a)]
        if b - a > 2 and not m.group().isupper():
            # Split at a connector that joins two names rather than making one: "the U.S. and
            # China", "Beijing for Friday".
            pieces = []
            start = 0
            for k in range(1, len(toks) - 1):
                t = toks[k]
                if not t[2] and t[1] in _CONNECTORS:
                    left = _fold(" ".join([x[0] for x in toks[start:k]]))
                    if left in lex.places or (t[1] == "and" and _fold(toks[k + 1][0]) in lex.places):
                        pieces.append((start, k))
                        start = k + 1
            pieces.append((start, len(toks)))
        pos = doc.pos[a]
        for s, e in pieces:
            while s < e and toks[s][1] in stop and not toks[s][5]:
                s += 1  # trim stop words at the edges
            while e > s and toks[e - 1][1] in stop and not toks[e - 1][5]:
                e -= 1
            if s < e:
                j = a + s - 1
                while j >= 0 and infos[j][0] and infos[j][3] in "po&":
                    j -= 1  # the word before, across punctuation ("Mr. Smith")
                prev = infos[j][1] if j >= 0 else ""
                quoted = a + s >= 1 and infos[a + s - 1][0] in _OPEN_QUOTES and infos[a + e][0] in _CLOSE_QUOTES
                j = a + e
                while infos[j][0] and infos[j][3] in "po&":
                    j += 1
                called = (a + s >= 1 and infos[a + s - 1][1] in lex.org_before) or infos[a + e][1] in lex.org_after
                out.append((toks[s:e], prev, infos[j][1], pos, a + s, doc.unit_kind[pos] == "title", doc.title_case[pos],
                            quoted, called, infos[a + e][1] in lex.place_after and not _adjective_like(toks[e - 1][1]),
                            bool(doc.dateline) and any(a + s <= k < a + e for k in doc.dateline)))
    return out


def _adjective_like(low: str) -> bool:
    """A capitalised word that more often describes a place than names one, as in "Congressional
    district", "Sunni-dominated province" ("-al" words, and compounds of a past form)."""
    return low.endswith("al") or ("-" in low and low.endswith("ed"))


def _split_title(words: list[_Info], lex: Lexicon) -> tuple[list[_Info], list[_Info], bool]:
    """Split a run at a title: ("Xiaomi", "CEO", "Lei Jun") -> left, right, had_title. A title goes on
    over "of", "and" or "for" before another title or a modifier ("Secretary of State")."""
    titles = lex.titles | lex.name_titles
    for k, w in enumerate(words):
        if w[3] == "t" or w[1].rstrip(".") in titles or (k and w[1].removesuffix("s") in lex.titles):  # "Labour MPs"
            n = len(words)
            end = k + 1
            while end < n:
                if words[end][1].rstrip(".") in titles:
                    end += 1
                elif (words[end][1] in _TITLE_JOINS and end + 1 < n
                      and (words[end + 1][1] in lex.modifiers or words[end + 1][1].rstrip(".") in titles)):
                    end += 2  # "Secretary of State John Kerry", "President and CEO Tim Cook"
                else:
                    j = end
                    while j < n and words[j][1] in lex.modifiers:
                        j += 1
                    if j == end or j == n or words[j][1].rstrip(".") not in titles:
                        break
                    end = j + 1  # "Chief Cabinet Secretary Yoshihide Suga": one title
            start = k
            while start > 0 and words[start - 1][1] in lex.modifiers:
                start -= 1
            if end < n or start > 0:
                return words[:start], words[end:], True
            return words[:start], [], True
    return words, [], False


def _collect_entities(runs: list[_Run], lex: Lexicon) -> tuple[tuple[Entity, ...], dict[tuple[str, ...], str], set[tuple[str, ...]]]:
    """The entities of the runs, most mentioned first; the display name of each mention
    (lower-case words -> the name of its entity, by words); and the word keys of those mentions
    (:func:`_word_key` of each word: the keys of the candidate phrases they are)."""
    groups: dict[str, _Group] = {}
    # Plain sentences first; Title Case units may only add to names already seen.
    ordered = [r for r in runs if not r[6]] + [r for r in runs if r[6]]
    titles = lex.titles
    given = lex.given_names
    # Every mention with its votes: (mention, run, person by cues, organisation, place by preposition,
    # organisation by "the" or a quotation around it, person by the shape of its words). The shape counts
    # once a name, unless the name starts with a given name ("Anne Frank" at each mention): repeating
    # "Boko Haram" or "Velvet Lantern" is no more evidence of a person than saying it once.
    mentions: list[tuple[_MentionInfo, _Run, int, int, int, int, int]] = []
    # keys of the names called an organisation by a word beside them, and of those a cue (not the
    # shape of their words alone) calls a person somewhere
    org_called: set[str] = set()
    person_called: set[str] = set()
    pairs = [r for r in runs if _word_pair(r[0]) or _one_and(r[0])]
    # the words of the other names: "Enron and WorldCom" is two names when "Enron" is one elsewhere,
    # or when a name comes right before it, as in a list ("BMW, Audi and Mercedes"); "Arsenal and
    # David Gill" when "Arsenal" is in another name too (but "Food and Drug Administration" is one body)
    named = Counter(w[1] for r in runs if not _word_pair(r[0]) for w in r[0]) if pairs else Counter()
    for run in ordered:
        plan = _run_plan(tuple(run[0]))
        if named and not plan[0]:
            if _word_pair(run[0]) and (run[0][0][1] in named or run[0][2][1] in named or run[1] in named):
                plan = _pair_plan(run[0], plan)
            elif (k := _one_and(run[0])) and named[run[0][0 if k == 1 else -1][1]] > 1 and (
                    run[0][-1][1].rstrip(".") not in lex.org_suffixes):
                plan = _pair_plan(run[0], plan, k)
        if plan[0]:  # split at a title or a connector: the mentions with their fixed votes
            mentions += [(m, run, person, org, place, 0, 0) for m, person, org, place in plan[1]]
            person_called.update(m[1] for m, person, _, _ in plan[1] if person)  # (any person vote: such names stay as they were)
            continue
        m, person, org, place = plan[1]
        if m is None:
            continue
        prev, nxt = run[1], run[2]
        if nxt in lex.concepts and len(m[5]) > 1 and "".join([w[0] for w in m[5] if w not in _CONNECTORS]) == nxt:
            continue  # a concept spelt out before its acronym: "Liquid Crystal Display (LCD)"
        shape = person  # a person's only by the shape of its words (see _own_votes)
        if prev in titles:
            person += 2
        if nxt in _SPEECH_VERBS and len(run[0]) > 1:  # (one word: "Microsoft said" as often as "Blair said")
            person += 1
        if run[8]:
            org_called.add(m[1])
        if person > shape:
            person_called.add(m[1])
        # "the Boko Haram militants", a group "Find Cayman": a person's full name has neither ("the Trump
        # administration" is a person's)
        cued = 1 if ((prev == "the" and len(m[5]) > 1) or run[7]) and not place and not m[2] else 0
        mentions.append((m, run, person - shape, org, place + (1 if prev in _PLACE_PREPOSITIONS else 0), cued, shape))
    for (surface, key, place, alias, canon, lows, legal, word_keys), run, person, org, place_vote, cued, shape in mentions:
        g = groups.get(key)
        if g is None:
            if run[6]:
                continue  # Title Case units may only add to names already seen
            g = groups[key] = _Group(key=key, words=canon, place=place, alias=alias)
        g.count += 1
        g.surfaces[surface] = g.surfaces.get(surface, 0) + 1
        g.forms[lows] = word_keys
        where = (run[3], run[4])
        if where < g.first:
            g.first = where
        g.in_title = g.in_title or run[5]
        v = g.votes
        v[0] += person
        if shape and (not g.shaped or lows[0] in given):
            v[0] += shape
            g.shaped = True
        v[1] += org + legal + cued
        g.cued += cued
        v[2] += place_vote
        if place or run[9] or run[10]:  # a known place, called a place by the word after it, or a dateline's
            v[2] += 5
            g.strong = True
            if not g.place and run[10]:
                g.place = surface  # a dateline names a place, whatever its words ("RAPID CITY, S.D. -")

    # A name called an organisation ("the militant group Boko Haram", "magazine Rolling Stone") that
    # nothing but the shape of its words calls a person is an organisation.
    for key in org_called - person_called:
        g = groups.get(key)
        if g is not None and not g.place:
            g.votes[1] += g.votes[0] + 1
    # Strong evidence marks a lone mention as a real name.
    for g in groups.values():
        if g.votes[0] >= 2 or g.votes[1] >= 2 or g.place:
            g.strong = True

    if len(groups) > 1:
        _merge_groups(groups, lex)
    # A single-mention, single-word name with no cue at all is too often a stray capital.
    keep = [g for g in groups.values() if not g.merged_into and (g.count >= 2 or g.strong or len(g.words) > 1)]
    mention_map: dict[tuple[str, ...], str] = {}
    mention_keys: set[tuple[str, ...]] = set()
    names: dict[str, str] = {g.key: _display_name(g) for g in keep}
    for g in groups.values():
        root = g
        while root.merged_into:
            root = groups[root.merged_into]
        if root.key in names:
            for form in g.forms:
                mention_map.setdefault(form, names[root.key])
            mention_keys.update(g.forms.values())
    keep.sort(key=lambda g: (-g.count, g.first, g.key))
    # Each name as found above: merging changes counts and votes (so kinds), never surfaces.
    found: list[Entity] = []
    for g in keep:
        kind = _kind_of(g)
        if kind == "person" and _work_title(names[g.key]):
            kind = "organisation"  # "Meet The Fockers", "Return Of The Jedi": a work's title (a tag if said twice)
        found.append(Entity(name=names[g.key], kind=kind, count=g.count))
    return tuple(found), dict(sorted(mention_map.items())), mention_keys


#: Function words that a work's title capitalises ("Return Of The Jedi") and a person's name never has.
_TITLE_WORDS = frozenset({"the", "an", "of", "and", "for", "to", "in", "on", "at", "with", "from", "by", "me", "you",
                          "my", "your", "it", "its", "we", "us", "our", "their", "this", "that", "is", "are", "was"})


@lru_cache(maxsize=1 << 14)
def _work_title(name: str) -> bool:
    """A name with a function word written with a capital after its first word: a work's title.
    A single letter is a middle initial ("John A Smith"), not the article "a"."""
    return any(len(w) > 1 and w[:1].isupper() and w.lower() in _TITLE_WORDS for w in name.split()[1:])


def _word_pair(words: Sequence[_Info]) -> bool:
    """A run of two words joined by "and" ("Enron and WorldCom", "Marks and Spencer")."""
    return len(words) == 3 and words[1][1] == "and"


def _one_and(words: Sequence[_Info]) -> int:
    """Where the one "and" of a run of a word and a name of two or three words is ("Arsenal and
    David Gill", "AC Milan and Juventus"), else 0 (:func:`_word_pair` runs are not such runs)."""
    if not 4 <= len(words) <= 5:
        return 0
    k = 1 if words[1][1] == "and" else len(words) - 2 if words[-2][1] == "and" else 0
    return k if k and sum(1 for w in words if w[1] in _CONNECTORS) == 1 else 0  # ("Department for Work and Pensions")


def _pair_plan(words: Sequence[_Info], plan: tuple[bool, Any], k: int = 1) -> tuple[bool, Any]:
    """The plan of a run known to be two names joined by the "and" at ``k`` (a
    :func:`_word_pair` run, or one of :func:`_one_and`): its two sides as mentions (or ``plan``,
    the run's own, when the run is a known place or alias: "Bosnia and Herzegovina")."""
    whole = plan[1][0]
    if whole is None or whole[2] or whole[3]:
        return plan
    lex = lexicon()
    return True, tuple((m, *(_own_votes(side, lex) if len(side) == 1 or side[0][1] in lex.given_names else (0, 0, 0)))
                       for side in (tuple(words[:k]), tuple(words[k + 1 :])) if (m := _mention(side)) is not None)


_MentionInfo = tuple[str, str, str, str, tuple[str, ...], tuple[str, ...], int, tuple[str, ...]]


@lru_cache(maxsize=1 << 16)
def _run_plan(words: tuple[_Info, ...]) -> tuple[bool, Any]:
    """What a capitalised run says on its own, whatever surrounds it.

    ``(True, ((mention, person votes, organisation votes, place votes), ...))`` for a run split at
    a title or between two names (each part that is a name, in the order they are counted), else
    ``(False, (mention or None, person votes, organisation votes, place votes))`` before the cues
    of the words around the run.
    """
    lex = lexicon()
    k = 0
    while k < len(words) - 2 and (_listed(words[k][1], lex.demonyms) or (
            words[k][1] in lex.place_prefixes and _listed(words[k + 1][1], lex.demonyms))):
        k += 1
    if k and 2 <= len(words) - k <= 3 and words[k][1] in lex.given_names and all(_name_like(w[0]) for w in words[k:]):
        # "Argentine Juan Ignacio Chela", "Liberal Democrat Charles Kennedy": who a person is, then the person
        plan = _run_plan(words[k:])
        if plan[0]:
            return plan
        m, person, org, place = plan[1]
        return False, (m, person + 2, org, place)
    left, right, had_title = _split_title(list(words), lex)
    if had_title and len(right) <= 1 and len(words) > 1 and words[-1][1].rstrip(".") in lex.org_suffixes:
        had_title = False  # "Avalen General Hospital", "Justice Department", "House of Representatives": one name
    if had_title:
        # A connector at the cut joins a name to the title rather than being part of either: "Desmond
        # Achterberg of Mayor Varga's party" (a person, not the mayor's organisation), "CEO of Sony"
        # (an organisation or a place, not a person).
        left_joined = bool(left) and left[-1][1] in _CONNECTORS
        if left_joined and len(left) >= 2 and left[-2][1].rstrip(".") in lex.org_suffixes:
            left, left_joined = list(words[: len(words) - len(right)]), False  # "Department of Justice"
        right_joined = bool(right) and right[0][1] in _CONNECTORS
        left = left[:-1] if left_joined else left
        right = right[1:] if right_joined else right
        parts: list[tuple[list[_Info], int, int]] = []
        if right:
            names = _two_names(tuple(right), lex) if not right_joined else ()
            if names:  # "President Nestor Kirchner and Venezuelan President Hugo Chavez": two people
                parts += [(list(p), 3, 0) for p in names]
            else:
                parts.append((right, 0, 2) if right_joined else (right, 3, 0))
            if left:
                k = next((k for k in (2, 3) if k < len(left) - 1 and left[k][1] == "and"), 0) if not left_joined else 0
                if k and left[0][1] in lex.given_names and all(_name_like(w[0]) for w in left[:k]):
                    # "Barry Rand and AARP President Lee Hammond": a person, then whose title it is
                    parts += [(left[:k], 0, 0), (left[k + 1 :], 0, 2)]
                else:
                    parts.append((left, 0, 0 if left_joined else 2))
        elif left:
            parts.append((left, 0, 0 if left_joined else 1))
        found: list[tuple[Any, ...]] = []
        for p, person, org in parts:
            again = _run_plan(tuple(p)) if person and len(p) > 2 else (False, None)
            if again[0]:  # a part with its own title: "Venezuelan President Hugo Chavez"
                found += again[1]
            else:
                found.append((_mention(tuple(p)), *(a + b for a, b in zip((person, org, 0), _own_votes(tuple(p), lex)))))
        return True, tuple(f for f in found if f[0] is not None)
    two = _two_names(words, lex)
    if two:
        found = [(_mention(p), *_own_votes(p, lex)) for p in two]
        return True, tuple(f for f in found if f[0] is not None)
    return False, (_mention(words), *_own_votes(words, lex))


def _own_votes(words: tuple[_Info, ...], lex: Lexicon) -> tuple[int, int, int]:
    """Person, organisation and place votes of a name from its own words."""
    n = len(words)
    if n > 1 and (words[-1][1].rstrip(".") in lex.org_suffixes or words[0][1] in lex.org_prefixes):
        return 0, 3, 0  # "Xiaomi Corp", "Real Madrid"
    if n > 2 and words[1][1] in ("of", "for") and words[0][1] in lex.org_suffixes and words[0][1] != "city":
        return 0, 3, 0  # "Department of Foreign Affairs", "University of Rhode Island" (but "City of London")
    if n == 1 and (_is_acronym(words[0][0]) or words[0][1] in lex.org_suffixes):
        return 0, 2, 0  # "BBC", "Democrats", "Parliament"
    if n > 1 and (words[-1][1] in lex.place_suffixes or words[0][1] in lex.place_prefixes or (
            words[-1][1] in lex.place_surnames and (n > 2 or _common_or_place_word(words[0][1], lex)))):
        return 0, 0, 1  # "Kessel Bay", "Port Avalen", "City Hall"; any person cue ("Mr Hill", "Bay said") wins the tie
    if 2 <= n <= 3 and all(_name_like(w[0]) for w in words):
        return 1, 0, 0
    return 0, 0, 0


def _common_or_place_word(low: str, lex: Lexicon) -> bool:
    """A common word or a word of place and organisation names ("city", "town", "bay")."""
    return low in common_words() or low in lex.place_suffixes or low in lex.place_prefixes or low in lex.org_suffixes


def _two_names(words: tuple[_Info, ...], lex: Lexicon) -> tuple[tuple[_Info, ...], ...]:
    """Two names a run joins with its first "and" or "of", when the run is not one name: "Foo
    Fighters and Iron Maiden", "Drayton Yard and Lighthouse Point", "Hollis Varnum of Farrant
    Research", "Erik Johnson of Lindenhurst" (a given name first); but "Marks and Spencer",
    "Securities and Exchange Commission", "Bank of England", "Royal Bank of Scotland" are one name
    each. Empty when the run is one name."""
    k = next((k for k in range(1, len(words) - 1) if words[k][1] in ("and", "of")), 0)
    if k:
        whole = _mention(words)
        if whole is not None and (whole[2] or whole[3]):
            return ()  # a known place or alias ("Bosnia and Herzegovina", "United States of America")
        joint, left, right = words[k][1], words[:k], words[k + 1 :]
        right_org = right[-1][1].rstrip(".") in lex.org_suffixes
        if joint == "and":
            if right_org and not (len(left) >= 2 and left[-1][1].rstrip(".") in lex.org_suffixes):
                return ()  # "Food and Drug Administration": one body
            placed = [p[-1][1] in lex.place_suffixes for p in (left, right)]
            if (len(left) >= 2 and len(right) >= 2) or any(placed):
                return (left, right)
        elif (2 <= len(left) <= 3 and all(_name_like(w[0]) for w in left) and left[-1][1].rstrip(".") not in lex.org_suffixes
              and (right_org or _fold(" ".join(w[0] for w in right)) in lex.places or left[0][1] in lex.given_names)):
            return (left, right)  # a person "of" an organisation or a place ("Erik Johnson of Lindenhurst")
    return ()


@lru_cache(maxsize=1 << 16)
def _mention(words: tuple[_Info, ...]) -> _MentionInfo | None:
    """What one mention says, or None when it is no name: (surface, group key, place, alias,
    canonical words, lower-case words, organisation votes from a legal form, word keys)."""
    lex = lexicon()
    stop = stopwords()
    legal = 0
    while words and words[0][1] in _LEADING_DROP:
        words = words[1:]
    if len(words) > 1 and words[-1][1].rstrip(".") in lex.legal_forms:
        words = words[:-1]  # "Xiaomi Corp" is "Xiaomi"
        legal = 3
    if not words:
        return None
    if len(words) == 1:
        w = words[0]
        if (w[1] in stop and not _is_acronym(w[0])) or _listed(w[1], lex.calendar) or _listed(w[1], lex.demonyms) \
                or w[1] in lex.titles or w[1] in lex.generic or _DESCRIBING.fullmatch(w[1]):
            return None  # ... or "London-based", "Oscar-winning": a word that describes, not a name
    else:
        first, last = words[0][1], words[-1][1]
        if last in lex.periods:
            return None  # "New Year", "Boxing Day", "Cold War": a day or a period
        if _listed(last, lex.demonyms) and not _listed(last, lex.parties) and (
                first in lex.place_prefixes or (len(words) == 2 and _listed(first, lex.demonyms))):
            return None  # "South African", "Latin American", "Sunni Muslims": adjectives and groups
    surface = " ".join([w[0] for w in words])
    if _no_name_letters(surface):
        return None  # products and numbers ("SU7") are keyphrases, not entities
    folded = _fold(surface)
    if len(words) == 1 and _is_plural_acronym(surface):
        if not lex.aliases.get(_fold(surface[:-1]), "")[:1].isupper():
            return None  # "EVs", "SUVs": things, not names
    place = lex.places.get(folded, "")
    alias = lex.aliases.get(folded, "")
    if (alias and alias.islower()) or _concepts_only(words, lex.concepts):
        return None  # concept acronyms ("EV", "GDP", "TV", "HIV and Aids"), not names ("al-Qaeda" is one)
    key = _fold(place) if place else (_fold(alias) if alias else folded)
    canon = tuple([_fold(x) for x in (place or alias or surface).split()])
    lows = tuple([w[1] for w in words])
    return surface, key, place, alias, canon, lows, legal, tuple(map(_word_key, lows))


def _concepts_only(words: tuple[_Info, ...], concepts: frozenset[str]) -> bool:
    """True for a mention of concept words ("TV", "Aids"; "Ram" is a name) and connectors, with
    at least one concept word ("El Al" and "LA" are names)."""
    found = False
    for w in words:
        if w[1] in concepts and (w[0].isupper() or len(w[1]) > 3):
            found = True
        elif w[1] not in _CONNECTORS:
            return False
    return found


@lru_cache(maxsize=1 << 14)
def _no_name_letters(surface: str) -> bool:
    """True for a mention with a digit or without any letter: not a name."""
    return any(ch.isdigit() for ch in surface) or not any(ch.isalpha() for ch in surface)


def _top_surface(g: _Group) -> str:
    return min(g.surfaces.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _kind_of(g: _Group, votes: list[int] | None = None) -> str:
    """The kind of a group by its votes (or ``votes`` instead)."""
    if g.place:
        return "place"
    v = votes or g.votes
    # the most votes; a tie goes to the organisation, then to the person over the place
    best = _ORG if v[_ORG] >= v[_PERSON] else _PERSON
    if v[_PLACE] > v[best]:
        best = _PLACE
    if v[best] == 0:  # a name of two or more name-like words as written ("Opec" for OPEC's long name is none)
        surface = _top_surface(g).split()
        return "person" if len(surface) > 1 and all(_name_like(s) for s in surface) else "organisation"
    return _KINDS[best]


def _merge_groups(groups: dict[str, _Group], lex: Lexicon) -> None:
    """Fold short mentions into the full name they abbreviate.

    A short group may join a longer one that is a person sharing its first or last word, an
    organisation it starts ("Xiaomi" and "Xiaomi Group", "Real" and "Real Madrid"), or whose initials it spells ("SEC").
    The longer names each short one can join are looked up in indexes built once, not by
    comparing every pair of groups.
    """
    ordered = sorted(groups.values(), key=lambda g: (-len(g.words), -g.count, g.first, g.key))
    longest = len(ordered[0].words)
    if longest < 2:
        return
    org_suffixes = lex.org_suffixes
    # Index of the longer names (never places): what a short mention must look like to join each.
    by_word: dict[tuple[str, ...], list[int]] = {}  #: a person's first or last word / an organisation's stem
    by_initials: dict[str, list[int]] = {}
    for rank, g in enumerate(ordered):
        lw = g.words
        if len(lw) < 2 or g.place:
            continue
        # (a name that is an organisation only by "the" joins as a person's does: "Valdez" for "the Exxon Valdez")
        if _kind_of(g, [g.votes[0], g.votes[1] - g.cued, g.votes[2]]) == "person":
            for k in {lw[:1], lw[-1:]}:
                by_word.setdefault(k, []).append(rank)
        else:
            cut = len(lw)
            while cut > 1 and lw[cut - 1].rstrip(".") in org_suffixes:
                cut -= 1
            if lw[0] in lex.org_prefixes:
                cut = 1  # "Real" for "Real Madrid"
            for k in range(cut, len(lw)):
                by_word.setdefault(lw[:k], []).append(rank)
        by_initials.setdefault("".join([w[0] for w in lw if w not in _CONNECTORS]), []).append(rank)
    for short in sorted(groups.values(), key=lambda g: (len(g.words), g.first, g.key)):
        sw = short.words
        if len(sw) >= longest:
            break
        if short.place or short.merged_into:
            continue
        options = by_word.get(sw, [])
        if len(sw) == 1 and short.surfaces and _is_acronym(_top_surface(short)):
            more = by_initials.get(sw[0].replace("&", ""))
            if more:
                options = sorted(set(options).union(more))
        target = None
        for rank in options:
            long = ordered[rank]
            if len(long.words) <= len(sw) or long.merged_into:
                continue
            if target is None or (long.count, -long.first[0]) > (target.count, -target.first[0]):
                target = long
        if target is not None:
            short.merged_into = target.key
            target.count += short.count
            for k in (0, 1, 2):
                target.votes[k] += short.votes[k]
            target.first = min(target.first, short.first)
            target.in_title = target.in_title or short.in_title
            target.strong = True


def _display_name(g: _Group) -> str:
    if g.place:
        return g.place
    if g.alias:
        return g.alias
    return min(g.surfaces.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0]


def entities(article: Article) -> list[Entity]:
    """People, organisations and places named in ``article``, most mentioned first.

    Mentions are merged: a surname or "Mr X" joins the full name, "U.S." joins
    "United States", an acronym joins its spelled-out name. ``count`` is the number
    of mentions, headline included.
    """
    return list(_collect_entities(_runs(_read(article), lexicon()), lexicon())[0])


# -- keyphrases ----------------------------------------------------------------------------------


@lru_cache(maxsize=1 << 16)
def _word_key(low: str) -> str:
    """Matching key of a word: singular, then lightly stemmed ("crashes" and "crash" meet)."""
    return stem(singular(low.replace(".", "")))


@lru_cache(maxsize=1 << 16)
def _is_number(word: str) -> bool:
    return word.replace(".", "").replace(",", "").replace("-", "").isdigit()


@lru_cache(maxsize=4096)
def _spans_for(chunk: str) -> tuple[tuple[int, int, bool], ...]:
    """The (start, end, all capitalised) spans of the 2-3 word phrases of a chunk, by its shape.

    Phrases are 1-3 words, have a past form only as their first word ("damaged homes", not
    "sanctions pushed" or "earthquake damaged homes"), never cut a
    capitalised name of up to three words in two and never let a common noun run into a
    name ("magazine Mladina").
    """
    out: list[tuple[int, int, bool]] = []
    n = len(chunk)
    # pieces: a lower-case word followed by a name starts a new piece
    cuts = [0] + [k for k in range(1, n) if chunk[k - 1] in "nv" and chunk[k] in "NA"] + [n]
    for p0, p1 in zip(cuts, cuts[1:]):
        seg_start = list(range(n))
        seg_end = list(range(1, n + 1))
        k = p0
        while k < p1:
            if chunk[k] == "N":
                e = k
                while e < p1 and chunk[e] == "N":
                    e += 1
                if e - k <= 3:
                    for x in range(k, e):
                        seg_start[x], seg_end[x] = k, e
                k = e
            else:
                k += 1
        for a in range(p0, p1):
            if seg_start[a] < a:
                continue  # starts inside a name
            for b in range(a + 1, min(a + 3, p1) + 1):
                if b - a < 2 or "v" in chunk[a + 1 : b] or seg_end[b - 1] > b:
                    continue
                out.append((a, b, all(c in "NA" for c in chunk[a:b])))
    return tuple(out)


#: One-word candidate classes by shape character (bytes.translate table): 1 for "n" and "v", 2 for
#: "A" and "N" (capitalised); 0 for any other, and for "x", an "N" next to another (see below).
_ONE_WORD_CLASS = bytes(1 if chr(c) in "nv" else 2 if chr(c) in "AN" else 0 for c in range(256))


def _one_word_starts(shape: str) -> tuple[list[int], np.ndarray]:
    """Where :data:`_ONE_WORD` matches in ``shape``: every "n", "A" and "v", and each "N" with no "N"
    on either side (worked out for all tokens at once rather than one match at a time); and for
    each, whether it is capitalised (an "N" or an "A")."""
    # Every "N" of a run of two or more becomes "x": pairs first, then the odd one left at a run's end.
    classes = np.frombuffer(shape.replace("NN", "xx").replace("xN", "xx").encode("ascii").translate(_ONE_WORD_CLASS),
                            dtype=np.uint8)
    starts = np.flatnonzero(classes)
    return starts.tolist(), classes[starts] == 2


@dataclass(slots=True)
class _Cands:
    """Occurrence statistics of the candidate phrases, in flat lists by phrase number: phrase ``j``
    is ``keys[j]`` (the tuple of its word keys); the one-word phrases come first, and each kind is
    numbered in order of first occurrence."""

    keys: list  #: the key of each phrase
    words: dict  #: word key of a one-word phrase -> its number
    phrases: dict  #: key of a longer phrase -> its number
    count: list  #: occurrences outside the headline
    title: list  #: occurrences in the headline
    weighted: list  #: position-weighted occurrences outside the headline (0.0 for none)
    capital: list  #: occurrences in running text written as a name
    plain: list  #: occurrences in running text (not Title Case)
    first: list  #: unit position of the first occurrence
    last: list  #: unit position of the last occurrence
    where: list  #: start token of the first occurrence (running text preferred); it spans ``len(key)`` tokens
    n_words: int  #: how many of the phrases are one word (they come first)
    n_past: int  #: how many of those are past forms alone


_PAST = "+ed"  #: marks the key of a past form standing alone (no word key has a "+")


@lru_cache(maxsize=256)
def _lead_weights(lead: float, n: int) -> list[float]:
    """Weight of an occurrence by unit position ``0 .. n - 1``: ``1 + lead / (1 + position)``."""
    return [1.0 + lead / (1.0 + p) for p in range(n)]


def _candidates(doc: _Doc, w: Weights) -> _Cands:
    """Every 1-3 word candidate phrase of the article with its occurrence statistics."""
    shape, posl, keys = doc.shape, doc.pos, doc.keys
    # One-word candidates: every content word but the words of a 2-3 word name. A past form alone
    # ("tested") is an event, not the thing its stem names ("test"): its key is its own. Their
    # occurrences are numbered by word key (a string hashes once; a 1-tuple at every look-up).
    ostart, ocap = _one_word_starts(shape)
    okey = list(map(keys.__getitem__, ostart))
    past: set[str] = set()
    k = shape.find("v")
    while k >= 0:  # (a few an article)
        okey[bisect_left(ostart, k)] = key = keys[k] + _PAST
        past.add(key)
        k = shape.find("v", k + 1)
    # Longer phrases come from chunks of two or more content words.
    mkey: list[tuple[str, ...]] = []
    mstart: list[int] = []
    mcap: list[bool] = []
    for m in _LONG_CHUNK.finditer(shape):
        a, b = m.span()
        for s, e, cap in _spans_for(shape[a:b]):
            mkey.append(tuple(keys[a + s : a + e]))
            mstart.append(a + s)
            mcap.append(cap)
    # The two kinds share no key: the one-word phrases are numbered first, each kind in order of
    # first occurrence, and every statistic below is counted over the occurrences' numbers in
    # reading order (a count per number is one np.bincount).
    words = dict(zip(dict.fromkeys(okey), count()))
    n_words = len(words)
    phrases = dict(zip(dict.fromkeys(mkey), count(n_words)))
    n = n_words + len(phrases)
    phrase = np.fromiter(chain(map(words.__getitem__, okey), map(phrases.__getitem__, mkey)), dtype=np.intp,
                         count=len(okey) + len(mkey))
    starts = ostart + mstart
    pos = np.fromiter(map(posl.__getitem__, starts), dtype=np.intp, count=len(starts))
    # Each number's first occurrence is where it is new: above every number before it.
    firsts = np.flatnonzero(phrase > np.maximum.accumulate(np.concatenate(([-1], phrase[:-1]))))
    last = np.zeros(n, dtype=np.intp)
    np.maximum.at(last, phrase, pos)  # occurrences come in reading order: the last is the furthest
    # Position-weighted counts outside the headline: each phrase's weights summed in reading
    # order, as a loop of ``weighted[j] += weight`` would (np.bincount adds in input order; the
    # headline's occurrences add 0.0, which changes no sum).
    lead = np.array(_lead_weights(w.lead, doc.n_units + 1))
    lead[0] = 0.0
    weighted = np.bincount(phrase, weights=lead[pos], minlength=n)
    body = pos > 0
    body_count = np.bincount(phrase[body], minlength=n)
    total = np.bincount(phrase, minlength=n)
    cap = np.concatenate((ocap, np.array(mcap, dtype=bool)))
    tcase = doc.title_case
    where = np.array(starts)[firsts]
    if any(tcase):
        in_plain = ~np.array(tcase)[pos]
        plain_numbers = phrase[in_plain].tolist()
        # the first occurrence in running text, where there is one
        first_plain = dict(zip(reversed(plain_numbers), reversed(list(compress(starts, in_plain.tolist())))))
        where[list(first_plain)] = list(first_plain.values())
        capital = np.bincount(phrase[cap & in_plain], minlength=n)
        plain = np.bincount(phrase[in_plain], minlength=n)
    else:  # no Title Case unit: every occurrence is in running text
        capital = np.bincount(phrase[cap], minlength=n)
        plain = total
    phrase_keys = list(zip(words)) + list(phrases)
    return _Cands(
        keys=phrase_keys,
        words=words,
        phrases=phrases,
        count=body_count.tolist(),
        title=(total - body_count).tolist(),
        weighted=weighted.tolist(),
        capital=capital.tolist(),
        plain=plain.tolist(),
        first=pos[firsts].tolist(),
        last=last.tolist(),
        where=where.tolist(),
        n_words=n_words,
        n_past=len(past),
    )


_RANKED_FIELDS = itemgetter(1, 0, 2, 3, 4, 6)  #: a scored slot's fields in :class:`_Ranked` order


class _Ranked(NamedTuple):
    display: str
    score: float
    name: bool  #: a proper name or acronym (keeps its capitals)
    entity: bool
    first: int
    count: int  #: occurrences, headline included


#: ``_Ranked._make`` without its Python-level call: a scored slot's fields -> :class:`_Ranked`
_new_ranked = partial(tuple.__new__, _Ranked)


@dataclass(frozen=True, slots=True)
class _Analysis:
    ranked: tuple[_Ranked, ...]
    entities: tuple[Entity, ...]
    acronyms: Mapping[str, str]  #: folded acronym -> lower-case expansion found in the article
    doc: _Doc | None = None


def _display(doc: _Doc, span: tuple[int, int], name: bool) -> str:
    """A phrase of two words or more as written: names keep their capitals, other words are lower
    case ("Trump administration"); :func:`_analyse` writes one word itself."""
    infos = doc.infos[span[0] : span[1]]
    if name:
        return " ".join([i[0] for i in infos])
    shape = doc.shape[span[0] : span[1]]
    return " ".join([i[0] if c in "NAT" else i[1] for i, c in zip(infos, shape)])


def _analyse(article: Article, stats: Stats, w: Weights = DEFAULT_WEIGHTS, doc: _Doc | None = None) -> _Analysis:
    lex = lexicon()
    doc = doc or _read(article)
    ents, mention_map, mention_keys = _collect_entities(_runs(doc, lex), lex)
    kinds = {e.name: e.kind for e in ents}
    cands = _candidates(doc, w)
    n_units = max(1, doc.n_units - 1)
    infos, shape = doc.infos, doc.shape
    idf = idf_memo(stats).__getitem__  # a word -> its IDF (a token's IDF word is ``info[7]``)

    keys, count, title, weighted = cands.keys, cands.count, cands.title, cands.weighted
    capital, plain, first, last, where = cands.capital, cands.plain, cands.first, cands.last, cands.where
    n_words = cands.n_words
    # How often each phrase occurs inside a longer one ("electric" in "electric vehicle").
    nested = [0] * len(keys)
    words, phrases = cands.words, cands.phrases
    for j in range(n_words, len(keys)):
        n = count[j]
        if n > 1:
            key = keys[j]
            subs = list(map(words.get, key))  # its words, and a phrase of three's two pairs
            if len(key) == 3:
                subs += [phrases.get(key[:2]), phrases.get(key[1:])]
            for k in subs:
                if k is not None and n > nested[k]:
                    nested[k] = n

    length = w.length
    w_title, w_title_only, w_spread, w_phrase, w_nested = w.title, w.title_only, w.spread, w.phrase, w.nested
    w_once, w_gerund_end, w_past = w.once, w.gerund_end, w.past
    proper = 1.0 + w.proper
    # A phrase said once, after the lead, cannot rank: only long articles need the cut. (Past
    # forms alone are not counted.)
    singles: Iterable[int] = range(n_words)
    multis: Iterable[int] = range(n_words, len(keys))
    if len(keys) - cands.n_past > _ALL_CANDIDATES:
        # (a phrase first seen after the headline occurs outside it only: its count is its total)
        singles = [j for j in singles if first[j] <= _LEAD_UNITS or count[j] > 1]
        multis = [j for j in multis if first[j] <= _LEAD_UNITS or count[j] > 1]
    # One-word candidates first (the phrases are numbered after them): each one's IDF and word
    # score (position-weighted frequency x IDF), which the longer phrases' support needs, and its
    # score; then the phrases of 2-3 words. (A candidate's score is the same expression either way.)
    word_score: dict[str, float] = {}
    raw: list[tuple[float, int, tuple[str, ...], bool, int]] = []
    length_1 = length[0]
    for j in singles:
        key = keys[j]
        info = infos[where[j]]
        mean_idf = 0.0 if info[3] == "D" else idf(info[7])
        body = weighted[j]
        t = title[j]
        word_score[key[0]] = (body + w_title * t) * mean_idf
        if not mean_idf:
            continue
        c = count[j]
        pl = plain[j]
        tf = body + w_title * t if pl else w_title_only * (body + t)
        f = first[j]
        score = tf * mean_idf * length_1
        if c > 1:
            score *= 1.0 + w_spread * (last[j] - f) / n_units
        name = pl > 0 and capital[j] * 2 >= pl
        if name:
            score *= proper
        if _PAST in key[0]:
            score *= w_past
        sup = nested[j]
        if sup and c:
            score *= max(0.0, 1.0 - w_nested * min(1.0, sup / c))
        raw.append((-score, f, key, name, j))
    for j in multis:
        key = keys[j]
        n = len(key)
        s = where[j]
        e = s + n
        idfs = [idf(i[7]) for i in infos[s:e] if i[3] != "D"]
        mean_idf = sum(idfs) / len(idfs)
        c = count[j]
        t = title[j]
        pl = plain[j]
        body = weighted[j]
        tf = body + w_title * t if pl else w_title_only * (body + t)
        f = first[j]
        score = tf * mean_idf * length[n - 1]
        if c > 1:
            score *= 1.0 + w_spread * (last[j] - f) / n_units
        else:
            score *= w_once
        if w_phrase:
            # PositionRank-style support: a phrase of well-placed, frequent words.
            support = sum([word_score.get(k, 0.0) for k in key]) / n * (body + w_title * t)
            if w_phrase * support > score:
                score = w_phrase * support
        name = pl > 0 and capital[j] * 2 >= pl
        if not name and infos[e - 1][1].endswith("ing"):
            # "-ing" last is more often a verb than a noun ("insider trading"), and surely one before
            # a number or "the" ("earthquake measuring 6.9", "troops guarding the border").
            score *= w_gerund_end if infos[e][3] == "D" or infos[e][1] in _DETERMINERS else w_gerund_end ** 0.5
        if name:
            score *= proper
        sup = nested[j]
        if sup and c:
            score *= max(0.0, 1.0 - w_nested * min(1.0, sup / c))
        raw.append((-score, f, key, name, j))
    raw.sort()
    shortlist = raw[:_SHORTLIST]
    if mention_map and len(raw) > _SHORTLIST:
        shortlist += [r for r in raw[_SHORTLIST:] if r[2] in mention_keys]

    scored: dict[str, list] = {}  # display key -> [score, display, name, entity, first, best, count]
    for neg, f, key, name, j in shortlist:
        score = -neg
        s = where[j]
        one = len(key) == 1
        if one:  # most phrases are one word: :func:`_display` of it, inline
            info = infos[s]
            if not name and info[11]:  # a one-word acronym
                name = True
            ent = mention_map.get((info[1],)) if mention_map else None
            # A word the article mostly writes as no name, and in lower case somewhere, is a common
            # noun where a capital opens a sentence or a name ("Consumers are ...", "P&O Cruises"),
            # and no entity of its own ("Workers"); but the last word of names ("University" of
            # "University of Oklahoma") stays as written, a piece of the name (see :func:`_build_tags`).
            alone = ent is not None and ent.lower() == info[1]
            common = not name and (shape[s] in "NAT" and info[1] not in lex.heads or alone) and _written_lower(key[0], doc)
            display = info[0] if name or (shape[s] in "NAT" and not common) else info[1]
            if common and alone:
                ent = None
        else:
            e = s + len(key)
            display = _display(doc, (s, e), name)
            ent = mention_map.get(tuple([i[1] for i in infos[s:e]])) if mention_map else None
        if ent is not None:
            if w.parts and one and display != ent and display.lower() not in scored:
                # "Deschanel" for "Emily Deschanel": readers search for the surname alone too.
                scored[display.lower()] = [score * w.parts, display, True, False, f, score, count[j] + title[j]]
            display, name = ent, True
        n_occ = count[j] + title[j]
        dkey = display.lower()
        slot = scored.get(dkey)
        if slot is None:
            scored[dkey] = [score, display, name, ent is not None, f, score, n_occ]
        else:
            if score > slot[5]:
                slot[0] = score + w.entity * slot[0] if ent is not None else max(score, slot[0])
                slot[5] = score
            elif ent is not None:
                slot[0] += w.entity * score
            slot[4] = min(slot[4], f)
            slot[6] = max(slot[6], n_occ) if ent is None else slot[6] + n_occ
    # Entities the candidates missed (a name only in a Title Case unit, say).
    for e in ents:
        if e.name.lower() not in scored:
            scored[e.name.lower()] = [float(e.count) * idf(e.name.split()[0].lower().rstrip(".")), e.name, True, True, 1 << 20, 0.0, e.count]
    ranked = sorted(scored.values(), key=lambda s: (-s[0], s[4], s[1]))
    # Acronyms defined by the article itself: "electric vehicle (EV)".
    wanted: dict[str, int] = {}
    for r in ranked:
        disp = r[1]
        if not disp.isupper() and not disp[:-1].isupper():
            continue  # neither an acronym nor an acronym's plural (both checks need upper case)
        base = disp[:-1] if _is_plural_acronym(disp) else disp
        if _is_acronym(base) and kinds.get(disp) is None and _fold(base) not in lex.concepts:
            wanted[_fold(base)] = len(_fold(base))  # (a concept acronym is the word readers know: "HIV", "PC")
    acronyms: dict[str, str] = {}
    if wanted:
        for _, _, key, name, j in raw:
            if 2 <= len(key) <= 6 and not name:
                s = where[j]
                e = s + len(key)
                initials = "".join([i[1][0] for i in infos[s:e]])
                if initials in wanted and initials not in acronyms:
                    acronyms[initials] = _display(doc, (s, e), False)
    return _Analysis(
        ranked=tuple(map(_new_ranked, map(_RANKED_FIELDS, ranked))),
        entities=ents,
        acronyms=acronyms,
        doc=doc,
    )


def keyphrases(article: Article, stats: Stats, limit: int = MAX_KEYPHRASES) -> list[str]:
    """The article's key phrases, best first (at most ``limit``), in display form.

    Candidates are 1-3 word phrases of non-stop words and names; the score multiplies a
    position-weighted frequency (headline and lead count more), the mean IDF of the words
    (``stats``), a bonus for spread over the text, one for length and one for names, and
    lowers a phrase that mostly occurs inside a longer one. Mentions of one entity
    ("Lei", "Lei Jun") are ranked together as that entity. An acronym the article spells
    out ("EV" for "electric vehicle") is listed once, as its expansion; a word that means
    nothing alone ("year", "company") is never among the first five.
    """
    return _keyphrase_list(_analyse(article, stats), limit, _credit(article))


def _keyphrase_list(analysis: _Analysis, limit: int = MAX_KEYPHRASES, credit: str = "") -> list[str]:
    """The ranked phrases as keyphrases: an acronym the article spells out ("EV" for "electric
    vehicle") is given as its expansion, once, and words that mean nothing alone ("year",
    "company") come after every other phrase. ``credit``: the folded name of the outlet the
    article's dateline credits (:func:`_credit`), never a keyphrase."""
    lex = lexicon()
    acronyms = analysis.acronyms
    out: list[str] = []
    later: list[str] = []
    taken: set[str] = set()
    for r in analysis.ranked:
        display = r.display
        if acronyms:
            base = display[:-1] if _is_plural_acronym(display) else display
            display = (acronyms.get(_fold(base)) if _is_acronym(base) else None) or display
        low = display.lower()
        if low in taken or (credit and r.name and _fold(display) == credit):
            continue
        taken.add(low)
        if len(out) < _GENERIC_AFTER and not r.name and " " not in low and low in lex.generic:
            later.append(display)
            continue
        out.append(display)
        if len(out) == _GENERIC_AFTER:
            out += later
            later = []
        if len(out) >= limit:
            break
    return (out + later)[:limit]


# -- tags -------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _builtin_alias_table() -> Mapping[str, str]:
    lex = lexicon()
    table: dict[str, str] = {}
    for spelling, canon in sorted(lex.aliases.items()):
        table.setdefault(_norm_key(spelling, lex), canon)
        table.setdefault(_norm_key(canon, lex), canon)
    return table


def alias_table(cfg_aliases: Mapping[str, str]) -> dict[str, str]:
    """Every spelling's normal key -> the display form to use (config wins over built-ins)."""
    lex = lexicon()
    table = dict(_builtin_alias_table())
    for source, target in cfg_aliases.items():
        table[_norm_key(source, lex)] = target
        table[_norm_key(target, lex)] = target
    return table


@lru_cache(maxsize=1 << 16)
def _norm_key(text: str, lex: Lexicon) -> str:
    """Key under which two spellings of one tag meet: case, accents, dots and plurals folded."""
    words = _fold(text).replace("-", " ").split()
    if not words:
        return tag_slug(text)
    words[-1] = singular(words[-1], lex)
    if len(words) == 1 and len(words[0]) >= 3 and words[0].endswith("s") and _is_acronym(text.strip().rstrip("s")):
        words[0] = words[0][:-1]  # "EVs" -> "ev"
    return tag_slug(" ".join(words))


def normalize_tag(name: str, aliases: Mapping[str, str] | None = None, *, is_name: bool | None = None,
                  acronyms: Mapping[str, str] | None = None, _table: Mapping[str, str] | None = None) -> str:
    """The canonical display form of one tag.

    Aliases (``aliases``, the site's ``tags.aliases``, then the built-in ones) win. Otherwise names and acronyms keep
    their capitals, and common-noun phrases become lower case with a singular last word
    ("Electric Vehicles" -> "electric vehicle"). ``is_name=None`` guesses from the
    capitals. ``acronyms`` maps an acronym to the expansion used in the same article.
    """
    lex = lexicon()
    text = " ".join(name.split())  # white space runs folded to one space, none at the ends
    if not text:
        return ""
    table = _table if _table is not None else alias_table(aliases or {})
    key = _norm_key(text, lex)
    if key in table:
        return table[key]
    if acronyms:
        base = text[:-1] if text.endswith("s") and _is_acronym(text[:-1]) else text
        exp = acronyms.get(_fold(base)) if _is_acronym(base) else None
        if exp:
            return normalize_tag(exp, aliases, is_name=False, _table=table)
    if is_name is None:
        is_name = any(ch.isupper() for ch in text)
    if is_name:
        if _is_plural_acronym(text):
            return text[:-1]  # "PCs" and "PC": one tag page (an alias of either was taken above)
        return text
    words = text.split()
    if words[-1].islower():
        words[-1] = singular(words[-1], lex)
    return " ".join(words)


@lru_cache(maxsize=1 << 16)
def _listed(word: str, words: frozenset[str]) -> bool:
    """``word`` (lower case) or its singular with the "s" dropped is one of ``words`` ("Sundays",
    "Americans", "MPs")."""
    return word in words or word.removesuffix("s") in words


#: A sum or an age as one word: "1bn", "6.3bn", "1.5m" (but not "800m", a race), "47-year-old".
_AMOUNT = re.compile(r"\d[\d.,]*[bt]n|\d[\d,]*\.\d+m|\d+-(?:year|month|week|day)-old")


@lru_cache(maxsize=1 << 16)
def _meaningless(display: str, lex: Lexicon, is_name: bool = False) -> bool:
    """True for a tag that means nothing alone ("year", "people", "Friday", "Chinese"); remembered,
    as tags repeat from article to article (about 19 calls an article)."""
    low = _fold(display)
    words = low.split()
    if not words or len(words) > 4:
        return True
    if len(words) == 1:
        w = words[0]
        if _listed(w, lex.demonyms) or _listed(w, lex.calendar) or _listed(w, lex.titles) or _is_number(w) or len(w) < 2 \
                or (w in _NAME_PARTICLES and not display.isupper()):
            return True  # ... or "al" of "al Qaeda", "von" of "von Trier" (but "DA", and "van", a vehicle)
        if w.startswith("mid-") and (_listed(w[4:], lex.calendar) or _is_number(w[4:].removesuffix("s"))):
            return True  # "mid-August", "mid-2020s": a time, as "August" is
        if _AMOUNT.fullmatch(display.lower()):
            return True  # "6.3bn", "47-year-old": its tag page would gather unrelated stories
    elif all(x in lex.titles or x in lex.modifiers for x in words):
        return True  # "prime minister", "First Lady": a post, not whom or what the story is about
    if is_name:
        return False  # "Target", "People" and "Time" as names are fine
    if low in lex.generic or " ".join(singular(x, lex) for x in words) in lex.generic:
        return True
    return all(x in lex.generic or x in stopwords() or _is_number(x) for x in words)


#: Endings of words that are adjectives whatever the article does with them ("serious", "available",
#: "careful", "jobless"), and of words that are adjectives more often than nouns ("economic",
#: "political", "aggressive", "confident", "festive"): see :func:`_no_topic`. "-ment" is a noun.
_ADJECTIVE = re.compile(r"[a-z]{3,}(?:ous|less|ful|ible|able)")
_ADJECTIVE_MOSTLY = re.compile(r"[a-z]{2,}(?:ic|al|ive|ish)")
#: Endings shared by adjectives ("confident", "important") and nouns ("student", "giant"):
#: an adjective when it is a common one, or where the article says "is confident", "very important".
_ADJECTIVE_OR_NOUN = re.compile(r"[a-z]{3,}(?:ant|(?<!m)ent)")
_ENT_ADJECTIVES = frozenset("""different recent current ancient subsequent independent significant important relevant
efficient urgent violent silent excellent frequent permanent prominent consistent evident apparent innocent
decent distant brilliant reluctant dominant vibrant elegant pleasant confident triumphant arrogant abundant
extravagant fraudulent tolerant intolerant sufficient persistent transparent inherent adjacent magnificent
convenient prevalent imminent eminent turbulent competent incompetent affluent diligent stringent""".split())
#: Endings of nouns: a word with one is a topic even where the article also uses it as a verb.
_NOUN_END = re.compile(r"[a-z]+(?:ion|ness|ity|ism|ment|ure|ance|ence|ship|hood|ery|acy|ist|er|or)")
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th)|(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|[a-z]+teenth|[a-z]+tieth|hundredth)")
_SUPERLATIVES = frozenset({"best", "worst", "most", "least"})
_COMPARATIVES = frozenset({"better", "worse", "lesser"})
#: Endings of verbs: "recognize", "criticizes", "identify", "clarifies" (never "-ise": "enterprise", "promise").
_VERB_END = re.compile(r"[a-z]{3,}(?:izes?|ify|ifies)")  #: besides an adjective's "-er" form ("lower", "older")
#: Common adjectives whose superlatives ("toughest", "slowest") name no topic; more are found in
#: :func:`text.common_words` and in the article itself.
_ADJECTIVE_BASES = frozenset("""slow fast quick tough hard soft fine strong weak tall short wide deep
cheap rich poor young safe close clear bright dark warm cold cool smart rare pure sure near dear
fair kind proud loud quiet brave calm cruel dense late great large small old high low""".split())
#: First words that make a describing compound ("nine-year", "two-goal", "multi-award", "long-term").
#: (besides :data:`_NUMBER_WORDS`, numbers and ordinals)
_COUNTING = re.compile(r"(?:[a-z]+teen|sixty|seventy|eighty|ninety|multi|single|double|triple|once|all|non|ex|anti|pro|co|semi|well|long|short|full|part|high|low|last|record)")
#: Words before a verb's plain form ("will reveal", "not accept"); "to" only counts before an object
#: ("to reveal the", "to sue them"), as "to court" or "to school" is a noun.
_BEFORE_VERB = frozenset({"will", "would", "could", "can", "may", "might", "should", "must", "shall", "cannot", "not", "did", "does", "do"})
_OBJECT_PRONOUNS = frozenset({"him", "them", "us", "me"})
_OBJECTS = _DETERMINERS | _OBJECT_PRONOUNS | {"it", "what", "how", "whether", "whom"}
#: Words after a verb that takes an object ("identify the", "ensure their", "sue them").
_OBJECT_AFTER = (_DETERMINERS - {"this", "that", "these", "those"}) | _OBJECT_PRONOUNS
#: Words before an adjective and (nearly) never before a noun ("very strong", "too early").
_DEGREE = frozenset({"very", "so", "too", "quite", "extremely", "fairly", "rather", "increasingly", "relatively", "highly", "really", "less", "least"})
_BE = frozenset({"is", "was", "are", "were", "be", "been", "being"})
#: Words before a participle ("have risen", "was beaten").
_BEFORE_PARTICIPLE = _BE | {"have", "has", "had", "having", "get", "got", "gets"}
#: Words before an adjective used as one ("is confident", "very important", "more aggressive").
_LINKING = _BE | _DEGREE | {"become", "became", "becomes", "seem", "seems", "seemed", "remain", "remains", "remained", "more", "most", "how", "as"}


#: A describing compound: a name or noun and a participle or the like ("London-based",
#: "Oscar-winning", "Belfast-born", "scandal-hit", "war-torn", "Blair-era").
_DESCRIBING = re.compile(
    r"[^\s-]+(?:-[^\s-]+)*-(?:[a-z]{2,}ed|[a-z]{3,}ing|born|borne|bred|led|run|made|hit|held|torn|stricken|ridden"
    r"|laden|struck|built|grown|known|won|style|era|wide|friendly|free|only|like|sized|class|bound|proof)"
)


def _no_topic(word: str, doc: _Doc) -> bool:
    """True for a lone lower-case word that ``doc`` uses as an adjective or a verb, never as a
    noun: "economic", "toughest", "available", "reveal", "sued" or "seventh" alone names no topic
    (the phrase it belongs to may). Evidence of a noun: a plural, a determiner or possessive before
    it, or (for the adjective endings) an occurrence that no noun follows and no "is"/"very"
    precedes ("the homeless", "of music"). Evidence of an adjective: "very", "too" before it; of
    a verb: "will", "not", "to ... the" before it or "the", "them" after it, in half its uses."""
    form = _word_form(word)
    if form == "ordinal":
        return True
    infos, shape = doc.infos, doc.shape
    plurals = (word + "s", word + "es")
    plural = det = dethead = head = a_an = degree = linked = False
    seen = verb = participle = clause = 0
    for k in _positions(doc.keys, _word_key(word)):
        low = infos[k][1]
        if low != word:
            if low not in plurals:
                continue  # the same key, another word ("eats" for "eating")
            plural = True
        seen += 1
        prev = infos[k - 1][1] if k else ""
        after = infos[k + 1][1] if k + 1 < len(infos) else ""
        is_head = shape[k + 1 : k + 2] not in ("n", "N", "A", "v", "T") and prev not in _LINKING
        if prev in _DETERMINERS or prev == "'s":
            det = True
            dethead = dethead or is_head
        head = head or is_head
        a_an = a_an or prev in ("a", "an")
        degree = degree or prev in _DEGREE
        linked = linked or prev in _LINKING
        participle += prev in _BEFORE_PARTICIPLE
        clause += after in ("to", "that")
        verb += (prev in _BEFORE_VERB or prev in _SUBJECTS or prev.endswith(("n't", "n’t"))
                 or (prev == "to" and after in _OBJECTS) or after in _OBJECT_AFTER)
    if not seen:
        return False
    last = word.rsplit("-", 1)[-1]
    if form == "est" and (last in _SUPERLATIVES or _superlative(last, doc)):
        return not plural and not a_an
    if form == "comparative":  # "shares lower", "make games better"; "the elder" is a noun
        return not plural and not dethead
    if form == "verb":  # "Lynn recognizes", "to identify"
        return not det
    if not plural:  # an adjective has none
        if form == "adjective" and not dethead:
            return True
        if not head and (form == "mostly" or (form == "ent" and (linked or degree or last in _ENT_ADJECTIVES))):
            return True
        if degree and not det:
            return True
    if det:
        return False
    if form == "past" or (form == "en" and participle == seen):
        return True
    if form == "ing":  # "insisting that", "was selling": a verb; "skiing", "the building": a topic
        return 2 * (verb + participle + clause) >= seen
    return 2 * verb >= seen and form != "noun"


#: Forms of a phrase's last word that :func:`_no_topic` may judge ("debts owed", "gang raped"): a
#: phrase ends in its noun, and a noun there may look like something else to it ("music" of
#: "digital music" is never followed by nothing, "arrest" of "house arrest" is a verb elsewhere).
_NOT_A_HEAD = frozenset({"adjective", "past", "ordinal", "en", "comparative"})


@lru_cache(maxsize=1 << 14)
def _word_form(word: str) -> str:
    """What a word's form says of it, for :func:`_no_topic`: "ordinal" ("seventh", "24th"),
    "est" (perhaps a superlative), "adjective" ("serious"), "mostly" (an adjective's ending, or a
    counting compound: "economic", "nine-year"), "ent" ("confident" or "student"), "past"
    ("sued"), "en" ("risen"), "ing", "noun" (a noun's ending: "depression", "voter") or ""."""
    if _ORDINAL.fullmatch(word):
        return "ordinal"
    parts = word.split("-")
    last = parts[-1]
    if last in _SUPERLATIVES or last.endswith("est"):
        return "est"
    if _ADJECTIVE.fullmatch(last):
        return "adjective"
    first = parts[0]
    if len(parts) > 1 and (_is_number(first) or first in _NUMBER_WORDS or _COUNTING.fullmatch(first) or _ORDINAL.fullmatch(first)):
        return "mostly"
    if _ADJECTIVE_MOSTLY.fullmatch(last):
        return "mostly"
    if _ADJECTIVE_OR_NOUN.fullmatch(last):
        return "ent"
    if len(word) > 3 and word.endswith("ed") and not word.endswith("eed"):
        return "past"
    if word.endswith("en"):
        return "en"
    if word.endswith("ing"):
        return "ing"
    if word in _COMPARATIVES or (word.endswith("er") and {word[:-2], word[:-1]} & _ADJECTIVE_BASES):
        return "comparative"
    if _VERB_END.fullmatch(last):
        return "verb"
    if _NOUN_END.fullmatch(word):
        return "noun"
    return ""


#: Subject pronouns: the word after one is a verb ("she pleaded", "it accepted").
_SUBJECTS = frozenset({"he", "she", "it", "they", "we", "i", "who"})
#: Words before a past form that make it a verb ("has tested", "was named", "she pleaded").
_BEFORE_PAST = _BEFORE_PARTICIPLE | _BEFORE_VERB | _SUBJECTS
#: Words before an "-ing" form that make it a verb ("is seeking"; "get marketing calls" is none).
_BEFORE_ING = _BE | _SUBJECTS
#: Words before a verb's plain form ("to gain", "can download", "won't attract").
_BEFORE_PLAIN = _BEFORE_VERB | {"to"}
#: Forms of a word that, after "to", are no verb ("to creative", "to seventh").
_NOT_A_VERB = frozenset({"adjective", "mostly", "ent", "est", "ordinal", "comparative"})


def _verb_first(word: str, doc: _Doc) -> bool:
    """Whether a phrase's first word is a verb by the article's uses of it. A plain form must
    follow "to", "will", "not" or "-n't" in every use ("to gain access", "can download movies";
    "to rugby union" is no verb if the article says "Rugby union is"). A past or "-ing" form
    must follow "has", "was", "she", "is" and the like in half its uses or more, and never a
    determiner ("has tested positive" and "five tested positive"; "the alleged victim")."""
    form = _word_form(word)
    if form in _NOT_A_VERB:
        return False
    participle = form in ("past", "en", "ing")
    before = _BEFORE_ING if form == "ing" else _BEFORE_PAST if participle else _BEFORE_PLAIN
    infos = doc.infos
    seen = verb = 0
    for k in _positions(doc.keys, _word_key(word)):
        if infos[k][1] != word:
            continue
        prev = infos[k - 1][1] if k else ""
        seen += 1
        if prev in before or prev.endswith(("n't", "n’t")):
            verb += 1
        elif not participle or prev in _DETERMINERS or prev == "'s":
            return False
    return seen > 0 and 2 * verb >= seen


#: Words after a number that make it an amount, not part of a name ("Dhaka 43 days ago").
_AMOUNT_WORDS = frozenset("""day days week weeks month months year years hour hours minute minutes second seconds
percent per cent points point times people km miles metres meters feet pounds dollars euros""".split())


def _named_by_head(word: str, analysis: _Analysis, doc: _Doc, lex: Lexicon) -> str | None:
    """The organisation a lower-case ``word`` stands for: the one name of two words or more in the
    article that ends in it, when the article calls that body "the <word>" ("the authority" of the
    "Harrowgate Transit Authority", "the transit authority", "the festival" of the "Berlin Film
    Festival"). None when two such names share the word, or when the word is not what such names
    end in (``lex.heads``), or when a connector makes the last word no head ("Court of Appeals",
    "Oil and Natural Gas")."""
    if word not in lex.heads:
        return None
    found: list[str] = []
    for e in analysis.entities:
        if e.kind == "organisation" and " " in e.name:
            folded = _fold(e.name).split()
            if folded[-1] == word and not _HEAD_JOINS.intersection(folded):
                found.append(e.name)
    if len(found) != 1:
        return None
    infos = doc.infos
    words = _name_words(found[0])
    n = len(words)

    def whole(k: int) -> bool:  # not inside a longer name: "Industrial and Commercial Bank of China", "St Fintian's High School"
        before = infos[k - 1][1]
        if before in _HEAD_JOINS or (before == "'s" and infos[k - 2][2]):
            return False
        return infos[k + n][1] not in _HEAD_JOINS

    if not any(doc.pos[k] <= _HEAD_NAMED_BY and whole(k) for k in _said_at(found[0], doc)):
        return None  # a body named further down is one of the story's many ("the police" of another force)
    inside = frozenset(words)
    for k in _positions(doc.keys, _word_key(word)):
        if infos[k][8] == word and k >= 1:  # written in lower case, after "the" (and words of the name)
            j = k - 1
            while j > 0 and infos[j][8] and infos[j][1] in inside:
                j -= 1
            if infos[j][1] == "the" and k - j <= 3:
                return found[0]
    return None


_HEAD_JOINS = frozenset({"of", "for", "and", "&", "de", "du", "da", "del", "di"})
_HEAD_NAMED_BY = 2  #: :func:`_named_by_head`'s body is named in the headline or the first two units after it


def _numbered(word: str, doc: _Doc) -> bool:
    """Whether every time ``doc`` writes ``word`` (lower case) a number follows: "Route 9",
    "Formula 1", "Radio 4", "Apollo 11" (the name is the two together)."""
    infos = doc.infos

    def numbered(k: int) -> bool:  # a number after it, and no "days" or "percent" after the number
        return infos[k + 1][0].isdigit() and (k + 2 >= len(infos) or infos[k + 2][1] not in _AMOUNT_WORDS)

    found = False
    k = doc.shape.find("NA")
    while k >= 0:  # (few an article: names followed by a code or a number)
        if infos[k][1] == word:
            if not numbered(k):
                return False
            found = True
        k = doc.shape.find("NA", k + 1)
    return found and all(numbered(k) for k in _positions(doc.keys, _word_key(word)) if infos[k][1] == word)


#: A sum after its currency: "20bn", "77m", "4.2bn", "50-60bn", "100,000" (and "20bn-Dollars 30bn").
_SUM = re.compile(r"\d[\d.,-]*(?:bn|tn|m)|\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def _priced(word: str, doc: _Doc) -> bool:
    """Whether a sum follows ``word`` (lower case) every time ``doc`` capitalises it: "Dollars 20bn",
    "Pounds 7.5m" (a currency, capitalised as the Financial Times writes it)."""
    infos = doc.infos
    found = False
    for k in _positions(doc.keys, _word_key(word)):
        if infos[k][1] == word and infos[k][2]:
            if not _SUM.match(infos[k + 1][0]):
                return False
            found = True
    return found


def _singular_as_written(display: str, doc: _Doc, lex: Lexicon) -> str:
    """``display`` with a last word in "-us", "-is" or "-ics" that :func:`singular` keeps made singular
    where the article writes it without its "s": "menus" beside "menu", "republics" beside "the
    republic" (but "economics" beside "economic growth", "virus", "crisis" stay)."""
    head, _, last = display.rpartition(" ")
    if not last.endswith(("us", "is", "ics")) or not last.islower() or singular(last, lex) != last or last in lex.invariant:
        return display
    base = last[:-1]
    infos, shape = doc.infos, doc.shape
    at = [k for k in _positions(doc.keys, _word_key(base)) if infos[k][8] == base]
    if not at or (base.endswith("ic") and any(shape[k + 1] in "nNAv" for k in at)):
        return display  # (an "-ic" word before a noun is an adjective: "economic growth")
    return f"{head} {base}" if head else base


def _piece_of_place_or_period(word: str, doc: _Doc, lex: Lexicon) -> bool:
    """Whether every time ``doc`` writes the capitalised ``word`` it is the first word of the name of
    a day or a period, said twice or more ("Black Friday", "Cold War", "Boxing Day":
    :attr:`Lexicon.periods`; not a place, as in "Iraq war", nor a name dated once, as in "at the
    Bernabeu Sunday"), or a state's abbreviation after a place and a comma ("Austin, Tex.",
    "Columbia, S.C.", "Atlanta, GA")."""
    low = word.lower()
    region = is_state_short(word)
    if not region and (_fold(word) in lex.places or _fold(word) in lex.demonyms):
        return False
    infos = doc.infos
    found = 0
    for k in _positions(doc.keys, _word_key(low)):
        if infos[k][1] != low or not infos[k][2]:
            continue
        if region:
            if not (infos[k - 1][1] == "," and infos[k - 2][2]):
                return False
        elif infos[k + 1][1] not in lex.periods:
            return False
        found += 1
    return found >= (1 if region else 2)


def _verb_or_superlative(low: str, doc: _Doc, lex: Lexicon) -> bool:
    """Whether a capitalised word is by its form no name alone: a verb among the breakers and the
    irregular past forms that the article writes in lower case (outside Title Case) at least as
    often as with a capital ("Got" of "'We Got Her!'" beside "we got her"; not Facebook's "Like"
    button, capitalised ten times; the "Fed" is never written "fed"), or the superlative of an
    adjective the word lists or the article have ("Latest" of "The Latest on ...", "Greatest";
    not "Best", "West", "Forrest")."""
    if low in lex.breakers:
        infos, pos, tcase = doc.infos, doc.pos, doc.title_case
        lower = capital = 0
        for k in _positions(doc.keys, _word_key(low)):
            if infos[k][1] == low and not tcase[pos[k]]:
                if infos[k][8]:
                    lower += 1
                else:
                    capital += 1
        return lower > 0 and lower >= capital
    if not low.endswith("est") or low in _SUPERLATIVES:
        return False
    stems = {s for s in (low[:-3], low[:-2]) if len(s) > 2} - stopwords()  # "great", "late"
    return bool(stems & _ADJECTIVE_BASES) or any(i[1] in stems for i in doc.infos)


def _glued(word: str, doc: _Doc) -> bool:
    """Whether ``doc`` writes ``word`` with a capital inside it every time and never takes it for a
    name: two words glued together ("HomeLatest", "NewsNollywood" of a menu run into the text). A
    name so spelt ("YouTube", "WeWork") is capitalised as a name somewhere."""
    key = _word_key(word)
    if key not in doc.keys or not _camel(doc.infos[doc.keys.index(key)][0]):
        return False  # (the first use tells most words apart without finding them all)
    return all(_camel(doc.infos[k][0]) for k in _positions(doc.keys, key))


def _phrase_written_lower(name: str, doc: _Doc, lex: Lexicon) -> bool:
    """Whether ``doc`` writes all the words of ``name`` in a row in lower case outside Title Case:
    a common noun phrase that a title capitalises ("Drug Use" of the "National Survey on Drug Use
    and Health", where the article also says "an expert in drug use"). Not a name that ends like a
    body's or a place's ("Foreign Ministry", "Air Force", "Skid Row": a capital there names one)."""
    last = _fold(name).rsplit(" ", 1)[-1]
    if _listed(last, lex.org_suffixes) or _listed(last, lex.place_suffixes):
        return False
    infos, pos, tcase = doc.infos, doc.pos, doc.title_case
    n = len(_name_words(name))
    return any(not tcase[pos[k]] and all(map(_LOWER_WRITTEN, infos[k : k + n])) for k in _said_at(name, doc))


def _post_before_name(word: str, doc: _Doc) -> bool:
    """Whether ``doc`` writes the acronym ``word`` only between a name and a person's name of two
    words or more, as a post is written ("Browns DL Sheldon Richardson", "Cleveland DL Larry
    Ogunjobi": a position, as "CEO" is in "Xiaomi CEO Lei Jun")."""
    if not _is_acronym(word):
        return False
    infos, shape = doc.infos, doc.shape
    at = [k for k in _positions(doc.keys, _word_key(word.lower())) if infos[k][0] == word]
    return bool(at) and all(shape[k - 1] in "NA" and shape[k + 1 : k + 3] == "NN" for k in at)


def _initial_last(name: str, doc: _Doc) -> bool:
    """Whether ``name`` ends in a capital letter that ``doc`` writes with a full stop after it every
    time: an initial cut from the surname after it ("John M" of "John M. Ford", "Church Elder L";
    not "Malcolm X" where the article writes "Malcolm X," too, nor "Plan B")."""
    head, _, last = name.rpartition(" ")
    if not head or len(last) != 1 or not last.isupper():
        return False
    at = _said_at(name, doc)
    n = len(_name_words(name))
    return bool(at) and all(doc.infos[k + n][0] == "." for k in at)


def _written_lower(key: str, doc: _Doc) -> bool:
    """Whether ``doc`` writes a word of matching key ``key`` in lower case outside Title Case."""
    infos, pos, tcase = doc.infos, doc.pos, doc.title_case
    return any(infos[k][8] and not tcase[pos[k]] for k in _positions(doc.keys, key))


def _times_said(name: str, doc: _Doc) -> int:
    """How often the article says ``name``'s words, in a row."""
    return len(_said_at(name, doc))


def _said_at(name: str, doc: _Doc) -> list[int]:
    """Where the article says ``name``'s words, in a row (the first word's token positions)."""
    words = _name_words(name)
    infos = doc.infos
    return [k for k in _positions(doc.keys, _word_key(words[0])) if [i[1] for i in infos[k : k + len(words)]] == words]


def _name_words(name: str) -> list[str]:
    """``name``'s tokens as the article's are read (lower case)."""
    return [i[1] for i in chain.from_iterable(map(_piece, name.split()))]


def _positions(items: list[str], value: str) -> list[int]:
    """Where ``value`` is in ``items`` (``list.index`` runs the search in C)."""
    out: list[int] = []
    k = -1
    try:
        while True:
            k = items.index(value, k + 1)
            out.append(k)
    except ValueError:
        return out


def _superlative(word: str, doc: _Doc) -> bool:
    """Whether ``word`` (ending in "est") is an adjective's superlative: "biggest" (a doubled
    consonant), "busiest" ("-iest" after three letters or more), or "largest", "toughest",
    "finest" when the adjective is a common one or in the article; "interest", "request",
    "forest" and "priest" are none."""
    base = word[:-3]
    if len(base) < 2:
        return False
    if len(base) > 2 and base[-1] == base[-2] and base[-1] not in "aeiouls":
        return True
    if len(base) > 3 and base.endswith("i"):
        return True
    stems = {base, base + "e"} - stopwords()
    if stems & _ADJECTIVE_BASES or stems & common_words():
        return True
    return any(i[1] in stems for i in doc.infos)


def _build_tags(article: Article, analysis: _Analysis, cfg: TagsConfig, credit: str = "") -> tuple[str, ...]:
    lex = lexicon()
    doc = analysis.doc
    #: the words of the article's entity names of two words or more (folded)
    named_words = frozenset(w for e in analysis.entities if " " in e.name for w in _fold(e.name).split())

    aliases = dict(cfg.aliases)
    table = alias_table(aliases)
    # chosen: (display, normal key, slug, stemmed words, from front matter, is a name)
    chosen: list[tuple[str, str, str, frozenset[str], bool, bool]] = []
    taken: set[str] = set()  #: the normal keys and slugs of the chosen tags

    def push(display: str, free: bool, is_name: bool = True) -> bool:
        if not display or len(chosen) >= cfg.count:
            return False
        slug = _norm_key(display, lex)
        plain = tag_slug(display)
        if slug in taken or plain in taken:
            return False
        words = _stem_set(display)
        if not free:
            if any(words <= c[3] or c[3] <= words for c in chosen):
                return False  # "vehicle" or "US sanction" after "electric vehicle" or "sanction"
            if not is_name and any(words & c[3] for c in chosen if c[5]):
                return False  # "Trump administration" after "Donald Trump"
            if is_name:  # ... and "Donald Trump" replaces an earlier "Trump administration"
                kept = [c for c in chosen if c[4] or c[5] or not words & c[3]]
                if len(kept) < len(chosen):
                    chosen[:] = kept
                    taken.clear()
                    taken.update(chain.from_iterable(c[1:3] for c in kept))
        chosen.append((display, slug, plain, words, free, is_name))
        taken.update((slug, plain))
        return True

    for t in article.meta_tags:
        push(normalize_tag(t, aliases, is_name=None if not t.islower() else False, _table=table), True)
    ranked = sorted(analysis.ranked, key=lambda r: (-r.score * (TAG_NAME_BONUS if r.name else 1.0), r.first, r.display))
    for r in ranked:
        if len(chosen) >= cfg.count:
            break
        if _meaningless(r.display, lex, r.name) or (not r.name and r.count < 2 and " " in r.display):
            continue  # a common-noun phrase said once is rarely what the story is about
        if not r.entity and " " not in r.display and _fold(r.display) in lex.generic:
            continue  # "Celsius", "Minute": capitalised, but no name
        if not r.name and " " not in r.display and r.display.endswith("ing") and r.count < 3:
            continue  # "aiming": a verb form more often than a topic
        if not r.name and " " not in r.display and _word_info(r.display)[3] == "v":
            continue  # "halted": a past form alone tells what happened, not what the story is about
        last = r.display.rsplit(" ", 1)[-1]
        if r.display.islower() and doc is not None and (
                last == r.display or _word_form(last) in _NOT_A_HEAD) and _no_topic(last, doc):
            continue  # "economic", "toughest", "reveal", "debts owed": the story's topic is a noun
        if not r.name and " " in r.display and r.display.islower() and doc is not None and _verb_first(r.display.split(" ", 1)[0], doc):
            continue  # "gain access", "was named best": what someone does, not what the story is about
        if r.name and not r.entity and " " in r.display and _fold(r.display).rsplit(" ", 1)[-1] in lex.modifiers:
            continue  # "Israeli Prime", "US Vice": a name cut before the title it starts
        if credit and r.name and _fold(r.display) == credit:
            continue  # "CNN" of "(CNN)": who reported the story, not what it is about
        if not r.name and " " not in r.display and doc is not None and _glued(r.display, doc):
            continue  # "homelatest" of "HomeLatest NewsNollywood": a site's navigation words glued together
        if " " not in r.display and _DESCRIBING.fullmatch(r.display.lower()):
            continue  # "London-based", "Oscar-winning", "scandal-hit": says of whom, not who
        if r.display[:1].isupper() and " " not in r.display and _fold(r.display) in lex.heads and _fold(r.display) in named_words:
            continue  # "University" beside "University of California": a piece of the name
        if r.name and " " not in r.display and doc is not None and _piece_of_place_or_period(r.display, doc, lex):
            continue  # "Black" of "Black Friday", "Tex." of "Austin, Tex.": a piece of a longer name
        if r.name and " " not in r.display and doc is not None and _numbered(r.display.lower(), doc):
            continue  # "Route" of "Route 9", "Formula" of "Formula 1": a piece of the name
        if r.name and " " not in r.display and r.display.istitle() and doc is not None \
                and _verb_or_superlative(r.display.lower(), doc, lex):
            continue  # "Got" of "'We Got Her!'", "Latest" of "The Latest": a title's verb or adjective
        if r.name and not r.entity and doc is not None and _post_before_name(r.display, doc):
            continue  # "DL" of "Browns DL Sheldon Richardson": a post before a name, as "CEO" is
        if r.name and doc is not None and _initial_last(r.display, doc):
            continue  # "John M" of "John M. Ford": a name cut after its initial
        if r.name and doc is not None and _work_title(r.display) and _times_said(r.display, doc) < 2:
            continue  # "The Hunt With John Walsh", once: a work's title is the topic when said again
        if not r.name and doc is not None and " " not in r.display and (body := _named_by_head(r.display.lower(), analysis, doc, lex)):
            if push(normalize_tag(body, aliases, is_name=True, _table=table), False):
                continue  # "the authority": the "Harrowgate Transit Authority" the article names
        name = r.name and not r.display.islower()  # "skills", capitalised in half its uses ("Education and Skills")
        if name and " " in r.display and doc is not None and _phrase_written_lower(r.display, doc, lex):
            name = False  # "Drug Use" of the "National Survey on Drug Use and Health", beside "drug use"
        if name and r.display.endswith("s") and r.display.istitle() and " " not in r.display and doc is not None \
                and _priced(r.display.lower(), doc):
            name = False  # "Dollars 20bn": a currency as the FT writes it, the "dollar" of other articles (a plural
            # only: "Yen 5bn" and "yen" share a slug)
        display = normalize_tag(r.display if r.name == name else r.display.lower(), aliases, is_name=name,
                                acronyms=analysis.acronyms, _table=table)
        if not name and display.endswith(("us", "is", "ics")) and doc is not None:
            display = _singular_as_written(display, doc, lex)
        if not name and display.rsplit(" ", 1)[-1] + "s" in lex.invariant and doc is not None and _said_at(display + "s", doc):
            display += "s"  # "U.S. sanctions" where the article writes it so too: the plural news means
        if len(display) > 4 and display.isupper():
            display = _as_written(display, analysis)  # "MADRID" (a dateline) is the "Madrid" of the text
        if _meaningless(display, lex, name and display == r.display):
            continue
        push(display, False, r.entity and name)
    return tuple(c[0] for c in chosen)


#: A dateline's credit at the start of an article: "WASHINGTON, April 1 (UPI) -", "Los Angeles
#: (CNN)A ...", "By Kerry Grens NEW YORK (Reuters Health) -": capitalised words or a date before
#: the parenthesis, a dash or a capital after it ("An ordinary man (Rainn Wilson) transforms",
#: "Google (GOOG) co-founder" are no datelines).
_CREDIT = re.compile(
    r"(?:By\s[^()\n]{1,60}?\s)?(?:[A-Z0-9][\w.'’-]*,?\s+){0,6}?\(([A-Z][\w&.' -]{0,30}?)\)\s*(?=[-—–_]|[A-Z\"“‘'])"
)


def _credit(article: Article) -> str:
    """The agency or outlet an article's dateline credits ("AP", "CNN"), folded, or ""."""
    first = article.sentences[0] if article.sentences else next((b.text for b in article.body if b.kind == "p"), "")
    for text in (article.standfirst, first):
        m = _CREDIT.match(text.lstrip())
        if m:
            return _fold(m.group(1))
    return ""


def _as_written(shouted: str, analysis: _Analysis) -> str:
    """An all-capitals word or name as the article writes it elsewhere ("MADRID" -> "Madrid": an
    entity's name, else the same words in the text not all in capitals), else as it is (an
    acronym such as "UNICEF" is never written otherwise)."""
    key = _fold(shouted)
    for e in analysis.entities:
        if _fold(e.name) == key and not e.name.isupper():
            return e.name
    words = key.split()
    doc = analysis.doc
    if doc is not None:
        infos = doc.infos
        for k in range(len(infos) - len(words) + 1):
            if infos[k][1] == words[0] and not infos[k][0].isupper():
                found = infos[k : k + len(words)]
                if [i[1] for i in found] == words and not any(i[0].isupper() for i in found):
                    return " ".join(i[0] for i in found)
    return shouted


@lru_cache(maxsize=1 << 14)
def _stem_set(display: str) -> frozenset[str]:
    """The stems of a tag's words: tags whose stems nest say the same ("vehicle", "electric vehicle")."""
    return frozenset([stem(x) for x in _fold(display).replace("-", " ").split()])


def tag(article: Article, stats: Stats, cfg: TagsConfig, cues: SectionCues | None = None) -> Article:
    """Fill ``keyphrases``, ``entities``, ``tags`` and ``section`` of ``article`` (the section from
    ``cues``, by default the built-in ones: :func:`default_section_cues`)."""
    doc = _read(article)
    if not _in_english(doc):
        # The word lists are English: another language's words would make tags of "und" and
        # "die", and its sections would be guesses. Only what the front matter says is kept.
        unread = _Analysis(ranked=(), entities=(), acronyms={}, doc=doc)
        return replace(article, keyphrases=(), entities=(), tags=_build_tags(article, unread, cfg),
                       section=_section(article, cues or default_section_cues(), doc) if article.meta_section.strip() else "")
    analysis = _analyse(article, stats, doc=doc)
    credit = _credit(article)
    return replace(
        article,
        keyphrases=tuple(_keyphrase_list(analysis, credit=credit)),
        entities=analysis.entities,
        tags=_build_tags(article, analysis, cfg, credit),
        section=_section(article, cues or default_section_cues(), analysis.doc),
    )


#: An article of at least :data:`_ENGLISH_FROM` words is in English when at least this share of
#: them are English function words (stop words, connectors, adverbs, calendar words: shapes "s",
#: "k", "S"). English news runs at 0.22 or more (every BBC, CNN, KPCrowd and DUC dev article, the
#: lowest 0.227; 1% of them under 0.34), German, Portuguese, Italian, Indonesian, Russian, Korean
#: and Japanese pages at 0-0.091.
_ENGLISH_SHARE = 0.15
_ENGLISH_FROM = 30  #: fewer words than this tell too little: English is assumed


def _in_english(doc: _Doc) -> bool:
    """Whether the article ``doc`` reads is in English (by its share of English function words)."""
    shape = doc.shape
    words = len(shape) - shape.count("|") - shape.count("D") - shape.count("&")
    return words < _ENGLISH_FROM or shape.count("s") + shape.count("k") + shape.count("S") >= _ENGLISH_SHARE * words


# -- sections -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SectionCues:
    """Cue phrases per section: ``cues[section]`` is a tuple of (word keys, weight).

    A word key is the tagger's matching form of a word (singular, lightly stemmed).
    """

    cues: Mapping[str, tuple[tuple[tuple[str, ...], float], ...]]
    default: str = "World"


#: Weights of a section's "strong" cues and of its plain "cues".
_STRONG_CUE = 3.0
_PLAIN_CUE = 1.0

#: libyaml's safe loader when PyYAML has it: the built-in cues (~800 phrases) took 0.13 CPU s
#: to parse with the pure-Python one, in every build that tags an article.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_section_cues(text: str | Mapping[str, Any]) -> SectionCues:
    """Parse section cue data (YAML text or an already-loaded mapping) into :class:`SectionCues`.

    Layout: ``default: World`` and ``sections: {Name: {strong: [...], cues: [...]}}``;
    "strong" cues weigh 3 and plain ones 1 (a plain cue alone does not count: see
    :func:`section_scores`).
    """
    data = yaml.load(text, Loader=_YAML_LOADER) if isinstance(text, str) else text  # noqa: S506 - a safe loader
    data = data or {}
    out: dict[str, tuple[tuple[tuple[str, ...], float], ...]] = {}
    for section, spec in (data.get("sections") or {}).items():
        items: dict[tuple[str, ...], float] = {}
        for group, weight in (("cues", _PLAIN_CUE), ("strong", _STRONG_CUE)):
            for phrase in (spec or {}).get(group, []) or []:
                words = tuple(_word_key(x) for x in str(phrase).lower().split())
                if words:
                    items[words] = max(items.get(words, 0.0), weight)
        out[str(section)] = tuple(sorted(items.items()))
    return SectionCues(cues=out, default=str(data.get("default") or (next(iter(out), "World"))))


@lru_cache(maxsize=1)
def default_section_cues() -> SectionCues:
    """The built-in cues from ``digest/data/sections.yaml``."""
    return load_section_cues(_data("sections.yaml"))


def read_section_cues(path: Path) -> SectionCues:
    """Section cues from a user's file, laid out as ``digest/data/sections.yaml``. Raises
    :class:`ValueError` saying what is wrong (with the line, for bad YAML)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read section cues: {getattr(exc, 'strerror', None) or exc}") from exc
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise ValueError(f"{where}invalid YAML: {getattr(exc, 'problem', None) or exc}") from exc
    layout = "expected 'sections:' mapping section names to 'strong:' and 'cues:' lists of words or phrases"
    sections = data.get("sections") if isinstance(data, dict) else None
    if not isinstance(sections, dict) or not sections:
        raise ValueError(layout)
    for name, spec in sections.items():
        if spec is None:
            continue
        if not isinstance(spec, dict) or not set(spec) <= {"strong", "cues"}:
            raise ValueError(f"sections.{name}: {layout}")
        for group in ("strong", "cues"):
            items = spec.get(group)
            if items is not None and (not isinstance(items, list) or not all(isinstance(x, (str, int, float)) for x in items)):
                raise ValueError(f"sections.{name}.{group}: expected a list of words or phrases")
    default = data.get("default")
    if default is not None and not isinstance(default, str):
        raise ValueError(f"default: expected a section name, got {default!r}")
    return load_section_cues(data)


def section_scores(article: Article, sections_cues: SectionCues | None = None) -> dict[str, float]:
    """How strongly the article's words point at each section (title words count triple).

    Each matched cue adds its weight times log(1 + count); a section with one plain cue and
    nothing else scores 0.
    """
    return _section_scores(_read(article), sections_cues or default_section_cues())


def _section_scores(doc: _Doc, cues: SectionCues) -> dict[str, float]:
    """:func:`section_scores` of an article already read: headline words weigh 3, standfirst 2, others 1."""
    index, firsts, longest = _default_indexed() if cues is default_section_cues() else _indexed(cues)
    keys = doc.keys
    n_title = bisect_left(doc.pos, 1)
    n_lead = bisect_left(doc.pos, 1 + sum(1 for k in doc.unit_kind if k == "standfirst"))
    # Weighted counts of words and of the runs of words that may start a cue of several words.
    # Only words and runs that are cues are counted.
    # (one count over all of them: the counts, not the order they were made in, are what matter)
    counted: list[Iterable[str | tuple[str, ...]]] = [keys, _phrases(keys, firsts, longest)]
    if n_lead:
        lead = keys[:n_lead]
        title = keys[:n_title]
        counted += [lead, title, _phrases(lead, firsts, longest), _phrases(title, firsts, longest)]
    counts = Counter(filter(index.__contains__, chain.from_iterable(counted)))
    # Each section's matched cues, summed in the order of its cue list.
    matched: dict[str, list[tuple[int, float, float]]] = {section: [] for section in cues.cues}
    for key in counts.keys() & index.keys():
        c = counts[key]
        for section, order, weight in index[key]:
            matched[section].append((order, weight * math.log1p(c), weight))
    scores: dict[str, float] = {}
    for section, terms in matched.items():
        total = 0.0
        # A section needs company: one plain cue alone ("final", "game", "court": words of
        # any story) is no evidence, only a strong cue or two different cues are.
        if len(terms) > 1 or (terms and terms[0][2] >= _STRONG_CUE):
            for _, term, _ in sorted(terms):
                total += term
        scores[section] = total
    return scores


def _phrases(keys: list[str], firsts: frozenset[str], longest: int) -> Iterable[tuple[str, ...]]:
    """The runs ``keys[i : i + n]`` (2 <= n <= ``longest``) whose first key is in ``firsts``, in
    order of length, then place (only those runs are made)."""
    flags = list(map(firsts.__contains__, keys))
    pairs = zip(compress(keys, flags), compress(islice(keys, 1, None), flags))
    if longest <= 2:
        return pairs
    starts = list(compress(range(len(keys)), flags))
    return chain(pairs, (tuple(keys[i : i + n]) for n in range(3, longest + 1) for i in starts if i + n <= len(keys)))


#: What :func:`_section_scores` looks cues up in: count key of each cue (a word, or a tuple of
#: words) -> (section, place in its list, weight); the first words of the cues of several words
#: (only runs of words that start with one are counted); and the most words a cue has.
_CueIndex = tuple[dict[tuple[str, ...] | str, list[tuple[str, int, float]]], frozenset[str], int]


def _cue_index(cues: SectionCues) -> _CueIndex:
    index: dict[tuple[str, ...] | str, list[tuple[str, int, float]]] = {}
    for section, items in cues.cues.items():
        for order, (words, weight) in enumerate(items):
            index.setdefault(words[0] if len(words) == 1 else words, []).append((section, order, weight))
    phrases = [words for items in cues.cues.values() for words, _ in items if len(words) > 1]
    return index, frozenset(words[0] for words in phrases), max(map(len, phrases), default=1)


@lru_cache(maxsize=1)
def _default_indexed() -> _CueIndex:
    return _cue_index(default_section_cues())


#: The last other cues indexed, as (cues, their index): a build uses one set for every article.
_INDEXED: list[tuple[SectionCues, _CueIndex]] = []


def _indexed(cues: SectionCues) -> _CueIndex:
    """:func:`_cue_index` of ``cues``, made once per cues object."""
    if not _INDEXED or _INDEXED[0][0] is not cues:
        _INDEXED[:] = [(cues, _cue_index(cues))]
    return _INDEXED[0][1]


def section_for(article: Article, sections_cues: SectionCues | None = None) -> str:
    """The article's section: front matter's ``section`` if set, else the best cue match.

    A front-matter value matching a known section in another case is given that
    section's spelling. With no cue at all, ``sections_cues.default`` ("World").
    """
    return _section(article, sections_cues or default_section_cues(), None)


def _section(article: Article, cues: SectionCues, doc: _Doc | None) -> str:
    meta = article.meta_section.strip()
    if meta:
        for name in cues.cues:
            if name.lower() == meta.lower():
                return name
        return meta
    return _pick_section(_section_scores(doc or _read(article), cues), cues)


def _pick_section(scores: Mapping[str, float], cues: SectionCues) -> str:
    order = list(cues.cues)
    best = max(order, key=lambda s: (scores.get(s, 0.0), -order.index(s)), default=cues.default)
    return best if scores.get(best, 0.0) > 0 else cues.default
