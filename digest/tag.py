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
   and never cutting a capitalised name in two. Each is scored by frequency (occurrences
   near the top weigh more, the headline most), mean IDF of its words, spread over the
   text, length and capitalisation.
3. *Entities.* Capitalised runs (with "of", "de", "&" inside) become mentions, sorted
   into people, organisations and places by cues (titles such as "Mr" or "CEO",
   organisation suffixes, the built-in list of places, "said", prepositions of place),
   then merged ("Lei" and "Mr Lei" into "Lei Jun"; "U.S." and "United States"; "SEC" into
   the "Securities and Exchange Commission" when both occur).
4. *Tags.* Front-matter tags first, then the best-ranked entities and keyphrases,
   normalised to one display form per meaning (names as written, common nouns lower case
   and singular, acronym and expansion folded, aliases applied), without repeats and
   without words that mean nothing alone.
5. *Section.* The section whose cue words the article uses most; front matter wins.
"""
from __future__ import annotations

import hashlib
import logging
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import yaml

from .model import Article, Entity
from .slugs import not_reserved
from .text import split_sentences, stem, stopwords

if TYPE_CHECKING:
    from .config import TagsConfig
    from .text import Stats

log = logging.getLogger(__name__)

MAX_KEYPHRASES = 20
_SHORTLIST = 80  #: candidates given a display form and merged into entities (the rest cannot rank)
TAG_NAME_BONUS = 2.0  #: names' scores are multiplied by this when choosing tags (names make the best tag pages)
SECTIONS = ("World", "Politics", "Business", "Technology", "Science", "Health", "Sport", "Entertainment", "Culture")

# The same word pattern as ``digest.text.tokens``; we need the offsets to see punctuation.
_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|[^\W_]+(?:[’'.\-&][^\W_]+)*", re.UNICODE)
# The same, with the text before each word: ``findall`` gives (gap, word) pairs, then (tail, "").
_GAP_AND_TOKEN = re.compile(r"([\s\S]*?)(?:(" + _TOKEN.pattern + r")|\Z)", re.UNICODE)
_OPENERS = frozenset(":;\"“‘(['«—–")
_CONNECTORS = frozenset({"of", "de", "du", "da", "del", "della", "di", "van", "von", "der", "den", "la", "le", "al", "el", "bin", "ibn", "and", "for"})
_LEADING_DROP = frozenset({"the", "a", "an"})
_PLACE_PREPOSITIONS = frozenset({"in", "near", "outside", "across", "throughout", "inside"})
_SPEECH_VERBS = frozenset({"said", "says", "told", "added", "claimed", "explained", "stated", "noted", "argued", "wrote", "insisted", "recalled", "admitted", "announced", "tweeted"})
_LY_NOUNS = frozenset({"family", "supply", "assembly", "monopoly", "ally", "rally", "belly", "anomaly", "melancholy", "jelly", "bully", "lily", "italy", "july", "sally", "holly", "molly", "reilly", "kelly", "emily", "daily", "weekly", "monthly", "quarterly", "early", "fly", "reply", "poly", "folly", "firefly", "butterfly", "apply", "imply", "comply", "rely", "multiply", "only"})

# Set by measurement with benchmarks/tags.py on the dev data (F1@10 on KPCrowd and DUC-2001).
@dataclass(frozen=True, slots=True)
class Weights:
    """Tunable weights of the keyphrase score (see :func:`keyphrases`)."""

    title: float = 2.0  #: weight of an occurrence in the headline (one in the text weighs 1 + lead bonus)
    lead: float = 3.0  #: extra weight of an occurrence near the top: ``lead / (1 + sentence index)``
    spread: float = 1.0  #: bonus for occurrences spread over the text (0-1 fraction of it)
    proper: float = 0.3  #: bonus for capitalised names
    length: tuple[float, float, float] = (1.0, 1.6, 1.9)  #: factor by number of words
    entity: float = 0.5  #: share of an entity's other mentions added to its best form's score
    title_only: float = 0.3  #: weight of a phrase seen only in the headline or subheadings
    nested: float = 0.8  #: how much a phrase loses when it mostly occurs inside a longer one


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


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The word lists the tagger uses, loaded once from ``digest/data``."""

    titles: frozenset[str]
    modifiers: frozenset[str]
    org_suffixes: frozenset[str]
    legal_forms: frozenset[str]  #: "Inc", "Corp": dropped from organisation names
    places: Mapping[str, str]  #: folded spelling -> canonical place name
    demonyms: frozenset[str]
    calendar: frozenset[str]
    generic: frozenset[str]
    breakers: frozenset[str]
    aliases: Mapping[str, str]  #: folded spelling -> canonical display form (built-in aliases)
    invariant: frozenset[str]
    irregular: Mapping[str, str]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The built-in word lists (cached; they never change while running)."""
    titles = _sections_of(_data("tag_titles.txt"))
    places: dict[str, str] = {}
    for line in _sections_of(_data("tag_places.txt"))[""]:
        names = [n.strip() for n in line.split("|") if n.strip()]
        for n in names:
            places.setdefault(_fold(n), names[0])
    aliases: dict[str, str] = {}
    for line in _sections_of(_data("tag_aliases.txt"))[""]:
        names = [n.strip() for n in line.split("|") if n.strip()]
        for n in names:
            aliases.setdefault(_fold(n), names[0])
    plurals = _sections_of(_data("tag_plurals.txt"))
    irregular = {}
    for line in plurals.get("irregular", []):
        parts = line.split()
        if len(parts) == 2:
            irregular[parts[0].lower()] = parts[1].lower()
    generic_lines = _sections_of(_data("tag_generic.txt"))[""]
    return Lexicon(
        titles=_word_set(titles.get("titles", [])),
        modifiers=_word_set(titles.get("modifiers", [])),
        org_suffixes=_word_set(_sections_of(_data("tag_org_suffixes.txt")).get("suffixes", [])),
        legal_forms=_word_set(_sections_of(_data("tag_org_suffixes.txt")).get("legal", [])),
        places=places,
        demonyms=_word_set(_sections_of(_data("tag_demonyms.txt"))[""]),
        calendar=_word_set(_sections_of(_data("tag_calendar.txt"))[""]),
        generic=_word_set(generic_lines) | frozenset(line.lower() for line in generic_lines),
        breakers=_word_set(_sections_of(_data("tag_breakers.txt"))[""]),
        aliases=aliases,
        invariant=_word_set(plurals.get("invariant", [])),
        irregular=irregular,
    )


# -- slugs and normal forms ----------------------------------------------------------------


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
    lex = lex or lexicon()
    w = word.lower()
    if w in lex.irregular:
        return lex.irregular[w]
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


# -- reading an article into units -----------------------------------------------------------


@dataclass(slots=True)
class _Tok:
    surf: str  #: as written, possessive removed, typographic apostrophe folded
    low: str
    cap: bool  #: has a capital letter
    initial: bool  #: first word of its unit (or after a colon or opening quote)
    gap: int  #: what separates it from the previous token: 0 space, 1 "&", 2 other punctuation
    poss: bool  #: was written with 's
    ecap: bool = False  #: capitalised and evidence that it is a name


@dataclass(slots=True)
class _Unit:
    pos: int  #: 0 = headline, 1 = standfirst or first sentence, ...
    kind: str  #: "title", "standfirst", "body", "heading"
    toks: list[_Tok]
    title_case: bool = False


@lru_cache(maxsize=1 << 16)
def _word_form(word: str) -> tuple[str, str, bool, bool]:
    """(surface, lower case, has a capital, was possessive) of a matched word.

    The surface has its typographic apostrophe folded and its possessive removed.
    """
    surf = word.replace("’", "'")
    poss = len(surf) > 2 and surf[-2:] in ("'s", "'S")
    if poss:
        surf = surf[:-2]
    low = surf.lower()
    return surf, low, low != surf, poss


@lru_cache(maxsize=1024)
def _gap_kind(gap_text: str) -> tuple[int, bool]:
    """(gap code, opens a clause) for the text between two tokens."""
    stripped = gap_text.strip()
    gap = 0 if not stripped else (1 if stripped == "&" else 2)
    return gap, bool(stripped) and not _OPENERS.isdisjoint(stripped)


def _tokenize(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    pieces = _GAP_AND_TOKEN.findall(text)  # (text before, word); the word is "" at the end
    last = len(pieces) - 1
    dot = False
    for k, (gap_text, word) in enumerate(pieces):
        if not word:
            continue
        if dot:
            gap_text = gap_text[1:]  # the previous word took the dot
        dot = (k < last and pieces[k + 1][0][:1] == "." and ("." in word or len(word) == 1)
               and word[0].isupper())
        if dot:
            word += "."  # "U.S." keeps its final dot
        if gap_text == " ":
            gap, initial = 0, not out
        else:
            gap, opener = _gap_kind(gap_text)
            initial = not out or opener
        surf, low, cap, poss = _word_form(word)
        out.append(_Tok(surf, low, cap, initial, gap, poss))
    return out


def _title_case(toks: list[_Tok], stop: frozenset[str], sentence: bool) -> bool:
    """True for a unit written in Title Case (a headline or subheading).

    A unit that ends like a sentence must have every word capitalised to count: a short
    sentence full of names ("Xiaomi CEO Lei Jun spoke in Beijing.") is not a heading.
    """
    content = [t for t in toks[1:] if t.low not in stop and t.surf[:1].isalpha()]
    if len(content) < 2:
        return bool(content) and all(t.cap for t in content) and len(toks) <= 4 and not sentence
    caps = sum(1 for t in content if t.cap)
    if sentence:
        return caps == len(content) and caps >= 3 and all(t.cap for t in toks[1:] if t.low in stop and len(t.low) > 3)
    lower_stops = sum(1 for t in toks[1:] if t.low in stop and not t.cap)
    return caps / len(content) >= 0.75 and (caps >= 3 or lower_stops <= 1)


def _units(article: Article) -> list[_Unit]:
    stop = stopwords()
    units: list[_Unit] = []
    ends: dict[int, bool] = {}
    if article.title.strip():
        units.append(_Unit(0, "title", _tokenize(article.title)))
        ends[id(units[-1])] = False
    pos = 1
    # The same words must not count twice: a standfirst that doubles as the title (or as the
    # first body paragraph, as cleaned scraped text has it) is read once.
    seen: Counter[str] = Counter([article.title.strip()])
    if article.standfirst.strip():
        for s in split_sentences(article.standfirst):
            if seen[s.strip()]:
                seen[s.strip()] -= 1
                seen["\x00" + s.strip()] += 1  # its body copy is skipped too
                continue
            units.append(_Unit(pos, "standfirst", _tokenize(s)))
            ends[id(units[-1])] = s.rstrip("\"'”’)]").endswith((".", "!", "?", "…"))
            seen["\x00" + s.strip()] += 1
            pos += 1
    sentences: Iterable[str] = article.sentences
    if not sentences:
        sentences = [s for b in article.body if b.kind in ("p", "li", "quote") for s in split_sentences(b.text)]
    headings = [b.text for b in article.body if b.kind == "h"] if article.sentences else []
    for s in sentences:
        if seen["\x00" + s.strip()]:
            seen["\x00" + s.strip()] -= 1
            continue
        units.append(_Unit(pos, "body", _tokenize(s)))
        ends[id(units[-1])] = s.rstrip("\"'”’)]").endswith((".", "!", "?", "…"))
        pos += 1
    for h in headings:
        units.append(_Unit(pos, "heading", _tokenize(h)))
    for u in units:
        toks = u.toks
        letters = [t for t in toks if t.surf[:1].isalpha()]
        if letters and sum(1 for t in letters if t.surf.isupper() and len(t.surf) > 1) > 0.6 * len(letters) and len(letters) > 2:
            for t in toks:  # A HEADLINE IN CAPITALS: no case information at all
                t.surf, t.cap = t.low, False
            u.title_case = True
        else:
            u.title_case = _title_case(toks, stop, ends.get(id(u), False))
    # Evidence for names: a capital that is not explained by the start of a sentence.
    lower_seen: set[str] = set()
    proper_seen: set[str] = set()
    for u in units:
        if u.title_case:
            continue
        for t in u.toks:
            if not t.cap:
                lower_seen.add(t.low)
            elif not t.initial:
                proper_seen.add(t.low)
    lex = lexicon()
    for u in units:
        for k, t in enumerate(u.toks):
            if not t.cap:
                continue
            if u.title_case:
                t.ecap = t.low in proper_seen or (_is_acronym(t.surf) and t.low not in stop)
            elif t.initial:
                # A capital at the start of a sentence proves nothing: trust it when the word is
                # capitalised elsewhere, is a known place or name, or starts a run of capitals.
                t.ecap = (
                    t.low in proper_seen
                    or (_is_acronym(t.surf) and t.low not in stop)
                    or _fold(t.surf) in lex.places
                    or (t.low not in lower_seen and t.low not in stop and k + 1 < len(u.toks)
                        and u.toks[k + 1].cap and u.toks[k + 1].gap == 0)
                )
            else:
                t.ecap = True
    return units


# -- entities ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Group:
    key: str
    words: tuple[str, ...]  #: lower-case words of the canonical form
    surfaces: Counter = field(default_factory=Counter)
    votes: Counter = field(default_factory=Counter)
    count: int = 0
    first: tuple[int, int] = (1 << 30, 0)
    place: str = ""  #: canonical name when it is a known place
    alias: str = ""  #: canonical name from the built-in aliases
    forms: set = field(default_factory=set)  #: lower-case token tuples of every mention
    in_title: bool = False
    strong: bool = False
    merged_into: str = ""


def _name_like(word: str) -> bool:
    return len(word) > 1 and word[0].isupper() and word[1:].replace("-", "").replace("'", "").isalpha() and not word.isupper()


def _runs(unit: _Unit, lex: Lexicon, stop: frozenset[str]) -> list[tuple[int, int]]:
    """Spans of capitalised runs (names) in a unit, connectors inside allowed."""
    toks = unit.toks
    spans: list[tuple[int, int]] = []
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        if not t.ecap or t.low in lex.calendar and not _is_acronym(t.surf):
            i += 1
            continue
        j = i + 1
        while j < n and not toks[j - 1].poss:
            u = toks[j]
            if u.gap == 2:
                break
            if u.ecap:
                j += 1
                continue
            # a connector followed by another capital: "Bank of England", "Procter & Gamble"
            if u.low in _CONNECTORS and not u.cap and j + 1 < n and toks[j + 1].ecap and toks[j + 1].gap == 0:
                if _fold(" ".join(x.surf for x in toks[i:j])) in lex.places or toks[j + 1].low in lex.calendar or (
                        u.low == "and" and _fold(toks[j + 1].surf) in lex.places):
                    break  # "the U.S. and China" are two names, "Beijing for Friday" is no name
                j += 2
                continue
            break
        # trim stop words at the edges ("The" in "The Hague" is kept only if it is a place)
        a, b = i, j
        while a < b and toks[a].low in stop and not _is_acronym(toks[a].surf):
            a += 1
        while b > a and toks[b - 1].low in stop and not _is_acronym(toks[b - 1].surf):
            b -= 1
        if a < b:
            spans.append((a, b))
        i = j
    return spans


def _split_title(words: list[_Tok], lex: Lexicon) -> tuple[list[_Tok], list[_Tok], bool]:
    """Split a run at a title: ("Xiaomi", "CEO", "Lei Jun") -> left, right, had_title."""
    k = 0
    n = len(words)
    while k < n:
        low = words[k].low.rstrip(".")
        if low in lex.titles:
            end = k + 1
            while end < n and (words[end].low.rstrip(".") in lex.titles):
                end += 1
            start = k
            while start > 0 and words[start - 1].low in lex.modifiers:
                start -= 1
            if end < n or start > 0:
                return words[:start], words[end:], True
            return words[:start], [], True
        k += 1
    return words, [], False


def _collect_entities(units: list[_Unit], lex: Lexicon) -> tuple[list[_Group], dict[tuple[str, ...], str]]:
    stop = stopwords()
    groups: dict[str, _Group] = {}

    def add(words: list[_Tok], unit: _Unit, idx: int, votes: Counter, only_known: bool) -> None:
        words = [w for w in words]
        while words and words[0].low in _LEADING_DROP:
            words = words[1:]
        if len(words) > 1 and words[-1].low.rstrip(".") in lex.legal_forms:
            words = words[:-1]  # "Xiaomi Corp" is "Xiaomi"
            votes = votes + Counter(organisation=3)
        if not words:
            return
        surface = " ".join(w.surf for w in words)
        if len(words) == 1 and _is_plural_acronym(surface):
            if not lex.aliases.get(_fold(surface[:-1]), "")[:1].isupper():
                return  # "EVs", "SUVs": things, not names
        folded = _fold(surface)
        place = lex.places.get(folded, "")
        alias = lex.aliases.get(folded, "")
        if alias and not alias[0].isupper():
            return  # a concept acronym ("EV", "GDP"), not a name
        if place:
            key = _fold(place)
        elif alias:
            key = _fold(alias)
        else:
            key = folded
        lows = tuple(w.low for w in words)
        if len(words) == 1:
            w = words[0]
            if w.low in stop and not _is_acronym(w.surf) or w.low in lex.calendar or w.low in lex.demonyms or w.low in lex.titles or w.low in lex.generic:
                return
        if _no_name_letters(surface):
            return  # products and numbers ("SU7") are keyphrases, not entities
        g = groups.get(key)
        if g is None:
            if only_known:
                return
            canon = place or alias or surface
            g = groups[key] = _Group(key=key, words=tuple(_fold(x) for x in canon.split()), place=place, alias=alias)
        g.count += 1
        g.surfaces[surface] += 1
        g.forms.add(lows)
        g.first = min(g.first, (unit.pos, idx))
        g.in_title = g.in_title or unit.kind == "title"
        g.votes.update(votes)
        if place:
            g.votes["place"] += 5
            g.strong = True

    # Plain sentences first; Title Case units may only add to names already seen.
    ordered = [u for u in units if not u.title_case] + [u for u in units if u.title_case]
    for unit in ordered:
        toks = unit.toks
        for a, b in _runs(unit, lex, stop):
            words = toks[a:b]
            left, right, had_title = _split_title(words, lex)
            prev = toks[a - 1].low if a > 0 else ""
            nxt = toks[b].low if b < len(toks) else ""
            if had_title:
                if right:
                    add(right, unit, a, Counter(person=3), unit.title_case)
                    if left:
                        add(left, unit, a, Counter(organisation=2), unit.title_case)
                elif left:
                    add(left, unit, a, Counter(organisation=1), unit.title_case)
                continue
            votes: Counter = Counter()
            if prev in lex.titles:
                votes["person"] += 2
            if prev in _PLACE_PREPOSITIONS:
                votes["place"] += 1
            if nxt in _SPEECH_VERBS:
                votes["person"] += 1
            last = words[-1].low.rstrip(".")
            if last in lex.org_suffixes and len(words) > 1:
                votes["organisation"] += 3
            elif len(words) == 1 and _is_acronym(words[0].surf):
                votes["organisation"] += 2
            elif 2 <= len(words) <= 3 and all(_name_like(w.surf) for w in words):
                votes["person"] += 1
            add(words, unit, a, votes, unit.title_case)

    # Strong evidence marks a lone mention as a real name.
    for g in groups.values():
        if g.votes.get("person", 0) >= 2 or g.votes.get("organisation", 0) >= 2 or g.place:
            g.strong = True

    _merge_groups(groups, lex)
    # A single-mention, single-word name with no cue at all is too often a stray capital.
    keep = [g for g in groups.values() if not g.merged_into and (g.count >= 2 or g.strong or len(g.words) > 1)]
    mention_map: dict[tuple[str, ...], str] = {}
    names: dict[str, str] = {}
    for g in keep:
        names[g.key] = _display_name(g)
    for g in groups.values():
        root = g
        while root.merged_into:
            root = groups[root.merged_into]
        if root.key in names:
            for form in g.forms:
                mention_map.setdefault(form, names[root.key])
    keep.sort(key=lambda g: (-g.count, g.first, g.key))
    return keep, {k: v for k, v in sorted(mention_map.items())}


@lru_cache(maxsize=1 << 14)
def _no_name_letters(surface: str) -> bool:
    """True for a mention with a digit or without any letter: not a name."""
    return any(ch.isdigit() for ch in surface) or not any(ch.isalpha() for ch in surface)


def _kind_of(g: _Group) -> str:
    if g.place:
        return "place"
    v = g.votes
    best = max(("person", "organisation", "place"), key=lambda k: (v.get(k, 0), k == "organisation"))
    if v.get(best, 0) == 0:
        return "person" if len(g.words) > 1 and all(_name_like(s) for s in g.surfaces.most_common(1)[0][0].split()) else "organisation"
    return best


def _merge_groups(groups: dict[str, _Group], lex: Lexicon) -> None:
    """Fold short mentions into the full name they abbreviate."""
    ordered = sorted(groups.values(), key=lambda g: (-len(g.words), -g.count, g.first, g.key))
    kinds = {g.key: _kind_of(g) for g in ordered}
    initials = {g.key: "".join(w[0] for w in g.words if w not in _CONNECTORS) for g in ordered}
    for short in sorted(groups.values(), key=lambda g: (len(g.words), g.first, g.key)):
        if short.place or short.merged_into:
            continue
        sw = short.words
        acronym = len(sw) == 1 and bool(short.surfaces) and _is_acronym(short.surfaces.most_common(1)[0][0])
        target = None
        for long in ordered:
            if len(long.words) <= len(sw):
                break  # longest first: no longer name is left
            if long.place or long.merged_into:
                continue
            lw = long.words
            if kinds[long.key] == "person":
                ok = len(sw) == 1 and (lw[0] == sw[0] or lw[-1] == sw[0])
            else:
                ok = lw[: len(sw)] == sw and all(w.rstrip(".") in lex.org_suffixes for w in lw[len(sw):])
            if not ok and acronym:
                ok = initials[long.key] == sw[0].replace("&", "")
            if ok and (target is None or (long.count, -long.first[0]) > (target.count, -target.first[0])):
                target = long
        if target is not None:
            short.merged_into = target.key
            target.count += short.count
            target.votes.update(short.votes)
            target.first = min(target.first, short.first)
            target.in_title = target.in_title or short.in_title
            target.strong = True


def _display_name(g: _Group) -> str:
    if g.place:
        return g.place
    if g.alias:
        return g.alias
    best = sorted(g.surfaces.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0][0]
    return best


def entities(article: Article) -> list[Entity]:
    """People, organisations and places named in ``article``, most mentioned first.

    Mentions are merged: a surname or "Mr X" joins the full name, "U.S." joins
    "United States", an acronym joins its spelled-out name. ``count`` is the number
    of mentions, headline included.
    """
    groups, _ = _collect_entities(_units(article), lexicon())
    return [Entity(name=_display_name(g), kind=_kind_of(g), count=g.count) for g in groups]


# -- keyphrases ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Cand:
    words: tuple[str, ...]  #: lower-case words of the first occurrence
    body: float = 0.0  #: position-weighted frequency in running text and standfirst
    count: int = 0  #: occurrences outside the headline
    title: int = 0  #: occurrences in the headline
    first: int = 1 << 30
    last: int = -1
    capital: int = 0  #: occurrences where every word is a name-capital
    plain: int = 0  #: occurrences in running text (not Title Case)
    surfaces: dict = field(default_factory=dict)


@lru_cache(maxsize=1 << 16)
def _word_key(low: str) -> str:
    """Matching key of a word: singular, then lightly stemmed ("crashes" and "crash" meet)."""
    return stem(singular(low.replace(".", "")))


def _verb_like(t: _Tok) -> bool:
    """A past-tense or participle form that ends a noun phrase badly ("sanctions pushed")."""
    low = t.low
    return not t.ecap and len(low) > 5 and low.endswith("ed") and not low.endswith("eed")


@lru_cache(maxsize=1 << 16)
def _is_number(word: str) -> bool:
    return word.replace(".", "").replace(",", "").replace("-", "").isdigit()


@lru_cache(maxsize=1 << 17)
def _word_features(surf: str, ecap: bool) -> tuple[bool, bool, str, bool]:
    """What the candidate finder needs to know about one token (``surf`` as in :class:`_Tok`).

    (may be part of a keyphrase, is a capital that stands alone (acronym, "SU7"),
    matching key, must not end a phrase). A token's lower-case form and its capital
    follow from ``surf``, so ``surf`` and ``ecap`` decide everything.
    """
    lex = lexicon()
    low = surf.lower()
    cap = low != surf
    if cap and _is_acronym(surf):
        content = low.rstrip(".") not in lex.titles
    elif low in stopwords() or low in lex.breakers or low in lex.calendar:
        content = False
    elif not any(c.isalnum() for c in low):
        content = False
    elif low.endswith("ly") and low not in _LY_NOUNS and not ecap:
        content = False
    else:
        content = not (ecap and low in lex.titles)
    plural_acronym = _is_plural_acronym(surf)
    solo = ecap and (_is_acronym(surf) or plural_acronym or not surf.isalpha())
    key = _word_key(low[:-1] if plural_acronym else low)
    verb_like = not ecap and len(low) > 5 and low.endswith("ed") and not low.endswith("eed")
    return content, solo, key, _is_number(low) or verb_like


def _phrase_spans(toks: list[_Tok], feats: list[tuple[bool, bool, str, bool]], caps: list[bool]) -> list[tuple[int, int]]:
    """The (start, end) token spans of a unit's candidate phrases, in reading order.

    Phrases are 1-3 words of a run of content words (no punctuation inside, no word after a
    possessive), never end on a number or a verb form, never cut a capitalised name of up
    to three words in two and never let a common noun run into a name.
    """
    spans: list[tuple[int, int]] = []
    n = len(toks)
    i = 0
    while i < n:
        if not feats[i][0]:
            i += 1
            continue
        j = i + 1
        while j < n and feats[j][0] and toks[j].gap == 0 and not toks[j - 1].poss:
            j += 1
        if j == i + 1:  # a one-word run
            if not feats[i][3]:
                spans.append((i, j))
            i = j
            continue
        # capitalised segments (<= 3 words) that an n-gram must not cut: seg_end[x] > 0 inside one
        seg_start = [0] * (j - i)
        seg_end = [0] * (j - i)
        k = i
        while k < j:
            if caps[k] and not feats[k][1]:
                e = k
                while e < j and caps[e] and not feats[e][1]:
                    e += 1
                if e - k <= 3:
                    for x in range(k - i, e - i):
                        seg_start[x], seg_end[x] = k, e
                k = e
            else:
                k += 1
        for a in range(i, j):
            if seg_end[a - i] and seg_start[a - i] < a:
                continue  # starts inside a name
            for b in range(a + 1, min(a + 3, j) + 1):
                last = b - 1
                if b - a > 1 and not caps[last - 1] and caps[last]:
                    break  # "magazine Mladina": a common noun runs into a name
                if feats[last][3] or seg_end[last - i] > b:
                    continue
                spans.append((a, b))
        i = j
    return spans


def _candidates(units: list[_Unit], lex: Lexicon, w: Weights) -> dict[tuple[str, ...], _Cand]:
    """Every 1-3 word candidate phrase with its occurrence statistics."""
    cands: dict[tuple[str, ...], _Cand] = {}
    for unit in units:
        toks = unit.toks
        caps = [t.ecap for t in toks]
        feats = list(map(_word_features, [t.surf for t in toks], caps))
        keys = [f[2] for f in feats]
        in_title = unit.kind == "title"
        plain = not unit.title_case
        surfs = [t.surf if t.ecap else t.low for t in toks] if plain else []
        weight = 1.0 if unit.kind == "heading" else 1.0 + w.lead / (1.0 + unit.pos)
        pos = unit.pos
        for a, b in _phrase_spans(toks, feats, caps):
            one = b - a == 1
            key = (keys[a],) if one else tuple(keys[a:b])
            c = cands.get(key)
            if c is None:
                c = cands[key] = _Cand(words=tuple(t.low for t in toks[a:b]))
            if in_title:
                c.title += 1
            else:
                c.body += weight
                c.count += 1
            if pos < c.first:
                c.first = pos
            if pos > c.last:
                c.last = pos
            if plain:
                c.plain += 1
                if caps[a] if one else all(caps[a:b]):
                    c.capital += 1
                surf = surfs[a] if one else " ".join(surfs[a:b])
                c.surfaces[surf] = c.surfaces.get(surf, 0) + 1
    return cands


def _cand_display(c: _Cand) -> tuple[str, bool]:
    """(display form, is a name)."""
    if not c.surfaces:
        return " ".join(c.words), False
    best = sorted(c.surfaces.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    if c.capital * 2 >= c.plain:
        caps = [(s, n) for s, n in c.surfaces.items() if any(ch.isupper() for ch in s)]
        if caps:
            return sorted(caps, key=lambda kv: (-kv[1], kv[0]))[0][0], True
    return best, _is_acronym(best)


@dataclass(frozen=True, slots=True)
class _Ranked:
    display: str
    score: float
    name: bool  #: a proper name or acronym (keeps its capitals)
    entity: bool
    first: int
    count: int  #: occurrences, headline included


@dataclass(frozen=True, slots=True)
class _Analysis:
    ranked: tuple[_Ranked, ...]
    entities: tuple[Entity, ...]
    acronyms: Mapping[str, str]  #: folded acronym -> lower-case expansion found in the article


def _analyse(article: Article, stats: Stats, w: Weights = DEFAULT_WEIGHTS) -> _Analysis:
    lex = lexicon()
    units = _units(article)
    groups, mention_map = _collect_entities(units, lex)
    ents = tuple(Entity(name=_display_name(g), kind=_kind_of(g), count=g.count) for g in groups)
    kinds = {e.name: e.kind for e in ents}
    cands = _candidates(units, lex, w)
    n_units = max(1, max((u.pos for u in units), default=0))
    idf_cache: dict[str, float] = {}

    def idf(word: str) -> float:
        v = idf_cache.get(word)
        if v is None:
            v = idf_cache[word] = stats.idf(word.rstrip("."))
        return v

    # IDF of every word of every candidate; None for a number (numbers carry no weight).
    word_idf = {x: None if _is_number(x) else idf(x) for c in cands.values() for x in c.words}

    # How often each candidate occurs inside a longer one ("electric" in "electric vehicle").
    nested: dict[tuple[str, ...], int] = {}
    for key, c in cands.items():
        if len(key) > 1 and c.count > 1:
            for a in range(len(key)):
                for b in range(a + 1, len(key) + 1):
                    if b - a < len(key):
                        sub = key[a:b]
                        if c.count > nested.get(sub, 0):
                            nested[sub] = c.count

    # Pass 1: a score for every candidate (cheap); pass 2 only looks at the best ones.
    raw: list[tuple[float, tuple[str, ...], _Cand, bool]] = []
    for key, c in cands.items():
        idfs = [v for v in map(word_idf.__getitem__, c.words) if v is not None]
        if not idfs:
            continue
        name = c.plain > 0 and c.capital * 2 >= c.plain
        mean_idf = sum(idfs) / len(idfs)
        tf = c.body + w.title * c.title if c.plain else w.title_only * (c.body + c.title)
        spread = (c.last - c.first) / n_units if c.count > 1 else 0.0
        score = tf * mean_idf * (1.0 + w.spread * spread) * w.length[len(key) - 1]
        if name:
            score *= 1.0 + w.proper
        sup = nested.get(key, 0)
        if sup and c.count:
            score *= max(0.0, 1.0 - w.nested * min(1.0, sup / c.count))
        raw.append((score, key, c, c.words in mention_map))
    raw.sort(key=lambda r: (-r[0], r[2].first, r[1]))
    shortlist = raw[:_SHORTLIST] + [r for r in raw[_SHORTLIST:] if r[3]]

    scored: dict[str, list] = {}  # display key -> [score, display, name, entity, first, best, count]
    for score, key, c, is_mention in shortlist:
        display, name = _cand_display(c)
        ent = mention_map.get(c.words) if is_mention else None
        if ent is not None:
            display, name = ent, True
        dkey = display.lower()
        slot = scored.get(dkey)
        if slot is None:
            scored[dkey] = [score, display, name, ent is not None, c.first, score, c.count + c.title]
        else:
            if score > slot[5]:
                slot[0] = score + w.entity * slot[0] if ent is not None else max(score, slot[0])
                slot[5] = score
            elif ent is not None:
                slot[0] += w.entity * score
            slot[4] = min(slot[4], c.first)
            slot[6] = max(slot[6], c.count + c.title) if ent is None else slot[6] + c.count + c.title
    # Entities the candidates missed (a name only in a Title Case unit, say).
    for e in ents:
        if e.name.lower() not in scored:
            scored[e.name.lower()] = [float(e.count) * idf(e.name.split()[0].lower()), e.name, True, True, 1 << 20, 0.0, e.count]
    ranked = sorted(scored.values(), key=lambda s: (-s[0], s[4], s[1]))
    # Acronyms defined by the article itself: "electric vehicle (EV)".
    wanted: dict[str, int] = {}
    for r in ranked:
        disp = r[1]
        base = disp[:-1] if _is_plural_acronym(disp) else disp
        if _is_acronym(base) and kinds.get(disp) is None:
            wanted[_fold(base)] = len(_fold(base))
    acronyms: dict[str, str] = {}
    if wanted:
        for score, key, c, _ in raw:
            if 2 <= len(c.words) <= 6 and c.capital == 0:
                initials = "".join([x[0] for x in c.words])
                if initials in wanted and initials not in acronyms:
                    acronyms[initials] = _cand_display(c)[0]
    return _Analysis(
        ranked=tuple(_Ranked(s[1], s[0], s[2], s[3], s[4], s[6]) for s in ranked),
        entities=ents,
        acronyms=acronyms,
    )


def keyphrases(article: Article, stats: Stats, limit: int = MAX_KEYPHRASES) -> list[str]:
    """The article's key phrases, best first (at most ``limit``), in display form.

    Candidates are 1-3 word phrases of non-stop words and names; the score multiplies a
    position-weighted frequency (headline and lead count more), the mean IDF of the words
    (``stats``), a bonus for spread over the text, one for length and one for names, and
    lowers a phrase that mostly occurs inside a longer one. Mentions of one entity
    ("Lei", "Lei Jun") are ranked together as that entity.
    """
    return [r.display for r in _analyse(article, stats).ranked[:limit]]


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
    text = re.sub(r"\s+", " ", name).strip()
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
        return text
    words = text.split()
    if words[-1].islower():
        words[-1] = singular(words[-1], lex)
    return " ".join(words)


def _meaningless(display: str, lex: Lexicon, is_name: bool = False) -> bool:
    """True for a tag that means nothing alone ("year", "people", "Friday", "Chinese")."""
    low = _fold(display)
    words = low.split()
    if not words or len(words) > 4:
        return True
    if len(words) == 1:
        w = words[0]
        if w in lex.demonyms or w in lex.calendar or w in lex.titles or _is_number(w) or len(w) < 2:
            return True
    if is_name:
        return False  # "Target", "People" and "Time" as names are fine
    if low in lex.generic or " ".join(singular(x, lex) for x in words) in lex.generic:
        return True
    return all(x in lex.generic or x in stopwords() or _is_number(x) for x in words)


def _build_tags(article: Article, analysis: _Analysis, cfg: TagsConfig) -> tuple[str, ...]:
    lex = lexicon()
    aliases = dict(cfg.aliases)
    table = alias_table(aliases)
    chosen: list[str] = []
    seen_slugs: set[str] = set()
    seen_keys: list[set[str]] = []

    def word_key(display: str) -> set[str]:
        return {stem(x) for x in _fold(display).replace("-", " ").split()}

    name_keys: list[set[str]] = []

    def push(display: str, free: bool, is_name: bool = True) -> None:
        if not display or len(chosen) >= cfg.count:
            return
        slug = _norm_key(display, lex)
        if slug in seen_slugs or tag_slug(display) in seen_slugs:
            return
        words = word_key(display)
        if not free and any(words <= s or s <= words for s in seen_keys):
            return  # "vehicle" or "US sanction" after "electric vehicle" or "sanction"
        if not free and not is_name and any(words & s for s in name_keys):
            return  # "Trump administration" after "Donald Trump"
        chosen.append(display)
        seen_slugs.add(slug)
        seen_slugs.add(tag_slug(display))
        seen_keys.append(words)
        if is_name:
            name_keys.append(words)

    for t in article.meta_tags:
        push(normalize_tag(t, aliases, is_name=None if not t.islower() else False, _table=table), True)
    ranked = sorted(analysis.ranked, key=lambda r: (-r.score * (TAG_NAME_BONUS if r.name else 1.0), r.first, r.display))
    for r in ranked:
        if len(chosen) >= cfg.count:
            break
        if _meaningless(r.display, lex, r.name) or (not r.name and r.count < 2 and " " in r.display):
            continue  # a common-noun phrase said once is rarely what the story is about
        if not r.name and " " not in r.display and r.display.endswith("ing") and r.count < 3:
            continue  # "aiming": a verb form more often than a topic
        display = normalize_tag(r.display, aliases, is_name=r.name, acronyms=analysis.acronyms, _table=table)
        if _meaningless(display, lex, r.name and display == r.display):
            continue
        push(display, False, r.entity)
    return tuple(chosen)


def tag(article: Article, stats: Stats, cfg: TagsConfig) -> Article:
    """Fill ``keyphrases``, ``entities``, ``tags`` and ``section`` of ``article``."""
    analysis = _analyse(article, stats)
    return replace(
        article,
        keyphrases=tuple(r.display for r in analysis.ranked[:MAX_KEYPHRASES]),
        entities=analysis.entities,
        tags=_build_tags(article, analysis, cfg),
        section=section_for(article),
    )


# -- sections -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SectionCues:
    """Cue phrases per section: ``cues[section]`` is a tuple of (stemmed words, weight)."""

    cues: Mapping[str, tuple[tuple[tuple[str, ...], float], ...]]
    default: str = "World"


def load_section_cues(text: str | Mapping[str, Any]) -> SectionCues:
    """Parse section cue data (YAML text or an already-loaded mapping) into :class:`SectionCues`.

    Layout: ``default: World`` and ``sections: {Name: {strong: [...], cues: [...]}}``;
    "strong" cues weigh 3 and plain ones 1.
    """
    data = yaml.safe_load(text) if isinstance(text, str) else text
    data = data or {}
    out: dict[str, tuple[tuple[tuple[str, ...], float], ...]] = {}
    for section, spec in (data.get("sections") or {}).items():
        items: dict[tuple[str, ...], float] = {}
        for group, weight in (("cues", 1.0), ("strong", 3.0)):
            for phrase in (spec or {}).get(group, []) or []:
                words = tuple(stem(x) for x in str(phrase).lower().split())
                if words:
                    items[words] = max(items.get(words, 0.0), weight)
        out[str(section)] = tuple(sorted(items.items()))
    return SectionCues(cues=out, default=str(data.get("default") or (next(iter(out), "World"))))


@lru_cache(maxsize=1)
def default_section_cues() -> SectionCues:
    """The built-in cues from ``digest/data/sections.yaml``."""
    return load_section_cues(_data("sections.yaml"))


def section_scores(article: Article, sections_cues: SectionCues | None = None) -> dict[str, float]:
    """How strongly the article's words point at each section (title words count triple)."""
    cues = sections_cues or default_section_cues()
    firsts = _cue_firsts(cues)
    # Stemmed words and the word pairs that may start a multi-word cue, by weight of the text.
    by_weight: dict[float, tuple[list[str], list[tuple[str, str]]]] = {}
    for text, weight in _section_texts(article):
        ws = list(map(_stem1, _fold_words(text)))
        singles, pairs = by_weight.setdefault(weight, ([], []))
        singles.extend(ws)
        pairs.extend(p for p in zip(ws, ws[1:]) if p[0] in firsts)
    # Weighted counts; the weights are whole numbers, so ``weight * n`` is exactly ``n`` sums.
    counts: dict[tuple[str, ...] | str, float] = {}
    for weight, (singles, pairs) in by_weight.items():
        for key, n in Counter(singles).items():
            counts[key] = counts.get(key, 0.0) + weight * n
        for key, n in Counter(pairs).items():
            counts[key] = counts.get(key, 0.0) + weight * n
    # Each section's matched cues, summed in the order of its cue list.
    index = _default_cue_index() if cues is default_section_cues() else _cue_index(cues)
    matched: dict[str, list[tuple[int, float]]] = {section: [] for section in cues.cues}
    for key, c in counts.items():
        for section, order, weight in index.get(key, ()):
            matched[section].append((order, weight * math.log1p(c)))
    scores: dict[str, float] = {}
    for section, terms in matched.items():
        total = 0.0
        for _, term in sorted(terms):
            total += term
        scores[section] = total
    return scores


def _cue_index(cues: SectionCues) -> dict[tuple[str, ...] | str, list[tuple[str, int, float]]]:
    """Count key of each one- or two-word cue -> (section, place in its list, weight)."""
    index: dict[tuple[str, ...] | str, list[tuple[str, int, float]]] = {}
    for section, items in cues.cues.items():
        for order, (words, weight) in enumerate(items):
            if len(words) <= 2:  # only words and word pairs are counted
                index.setdefault(words[0] if len(words) == 1 else words, []).append((section, order, weight))
    return index


@lru_cache(maxsize=1)
def _default_cue_index() -> dict[tuple[str, ...] | str, list[tuple[str, int, float]]]:
    return _cue_index(default_section_cues())


@lru_cache(maxsize=1 << 16)
def _stem1(word: str) -> str:
    return stem(word)


def _cue_firsts(cues: SectionCues) -> frozenset[str]:
    """First words of the multi-word cues (only those need bigram counts)."""
    return frozenset(words[0] for items in cues.cues.values() for words, _ in items if len(words) > 1)


_FOLD_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")


def _fold_words(text: str) -> list[str]:
    return _FOLD_WORD.findall(text.lower().replace("’", "'"))


def _section_texts(article: Article) -> list[tuple[str, float]]:
    out = [(article.title, 3.0), (article.standfirst, 2.0)]
    if article.sentences:
        out.extend((s, 1.0) for s in article.sentences)
    else:
        out.extend((b.text, 1.0) for b in article.body)
    return out


def section_for(article: Article, sections_cues: SectionCues | None = None) -> str:
    """The article's section: front matter's ``section`` if set, else the best cue match.

    A front-matter value matching a known section in another case is given that
    section's spelling. With no cue at all, ``sections_cues.default`` ("World").
    """
    cues = sections_cues or default_section_cues()
    meta = article.meta_section.strip()
    if meta:
        for name in cues.cues:
            if name.lower() == meta.lower():
                return name
        return meta
    scores = section_scores(article, cues)
    order = list(cues.cues)
    best = max(order, key=lambda s: (scores.get(s, 0.0), -order.index(s)), default=cues.default)
    return best if scores.get(best, 0.0) > 0 else cues.default
