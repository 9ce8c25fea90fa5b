"""Stage 3: separate each article's story from the page furniture around it.

``build_context`` gathers corpus-level signals once (lines repeated across files,
every known title); ``clean`` then works on one article at a time:

* **text** (a page saved as plain text): every line is scored by its shape (does it
  end a sentence, is it Title Cased or bulleted, is it seen in other files, does it
  share words with the story) and matched against the furniture shapes of
  :mod:`digest.clean_rules`. The body is the run of lines with the highest total
  score, so lists of other headlines before or after the story fall away while
  subheadings inside it stay. A short sentence between two headline-shaped lines is a
  headline too; before the first paragraph, the byline/date lines split the page's
  lead-in (title, other headlines) from the story. None of this needs the corpus, whose
  repetition counts only add evidence. Body lines are kept verbatim, one block per line.
* **html**: lxml's HTML parser reads the page (its ``<body>`` is copied into a light
  private tree, below); furniture elements are skipped by
  tag, class/id token, role and link density; the story's container is an
  ``articleBody`` or the element with the most paragraph credit, widened while its
  parents add mostly paragraphs; its blocks become :class:`Block` values (text only),
  a data-table row becoming one line. Class/id values are split at punctuation and at
  camelCase humps, so "imageEmbedCaption" marks a caption.
  Too little text falls back to the whole ``<body>``.
* **markdown**: the reader already made the blocks; their text is normalised.

Every dropped line is recorded in ``Article.removed`` with a short reason.
"""
from __future__ import annotations

import importlib.util
import logging
import operator
import re
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache
from datetime import datetime, timedelta, timezone
from types import ModuleType
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from .readers.frontmatter import parse_date
from .model import Article, Block, Removed
from .text import content_words, normalize, split_sentences, stem

if TYPE_CHECKING:
    from lxml import etree

log = logging.getLogger(__name__)


def _lazy_module(name: str) -> ModuleType:
    """``name`` imported when one of its attributes is first read (the standard library's
    :class:`importlib.util.LazyLoader`). Markdown articles need neither lxml nor the rules for
    scraped text (about 30 compiled patterns): importing the pipeline took 0.546 CPU s at best
    of 8 runs without them against 0.573 with them."""
    found = sys.modules.get(name)
    if found is not None:
        return found
    spec = importlib.util.find_spec(name)
    assert spec is not None and spec.loader is not None, name
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


rules = _lazy_module(f"{__package__}.clean_rules")

__all__ = ["CleanContext", "build_context", "clean", "parse_date_text", "parse_page", "page_text", "norm_line"]


# ---------------------------------------------------------------------------
# Context
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CleanContext:
    """Corpus-level signals for cleaning, built once by :func:`build_context`."""

    files: int = 0
    """How many articles the context was built from."""
    line_files: Mapping[str, int] = field(default_factory=dict)
    """Normalised line → number of text articles it occurs in (only lines seen twice or more)."""
    titles: Mapping[str, int] = field(default_factory=dict)
    """Normalised title → number of articles carrying it."""
    sources: frozenset[str] = frozenset()
    """``Article.source`` of every article counted, so an article's own lines can be discounted."""


_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def _fold(text: str) -> str:
    """``text`` case-folded, with straight quotes and hyphens (ASCII text has no others:
    translating it, character by character, would change nothing)."""
    folded = text.casefold()
    return folded if folded.isascii() else folded.translate(_QUOTES)


def _strip_ends(text: str) -> str:
    """``text`` without non-alphanumeric characters at either end."""
    i, j = 0, len(text)
    while i < j and not text[i].isalnum():
        i += 1
    while j > i and not text[j - 1].isalnum():
        j -= 1
    return text[i:j]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _normalize(text: str) -> str:
    """:func:`digest.text.normalize`, with fast paths for plain ASCII lines: one already
    normal (printable, no space at either end or next to another) is kept as it is."""
    if text.isascii():
        if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
            return text
        if not _CONTROL.search(text):
            return " ".join(text.split())
    return normalize(text)


def norm_line(text: str) -> str:
    """A line reduced for comparisons: normalised, case-folded, straight quotes,
    no bullets or punctuation at either end."""
    return _strip_ends(_fold(_normalize(text)))


def context_parts(article: Article) -> tuple[str | None, frozenset[str]]:
    """What one article adds to the clean context: its normalised title (None without
    one) and, for plain text, its distinct normalised lines."""
    title = norm_line(article.title) if article.title else None
    if article.format != "text" or not article.raw:
        return title, frozenset()
    seen = {norm_line(line) for line in article.raw.split("\n")}
    seen.discard("")
    return title, frozenset(seen)


def build_context(articles: Sequence[Article]) -> CleanContext:
    """Count normalised lines across the text articles and gather every known title."""
    return context_from((a.source, *context_parts(a)) for a in articles)


def context_from(parts: Iterable[tuple[str, str | None, frozenset[str]]]) -> CleanContext:
    """The clean context from each article's ``(source, title, lines)`` (see :func:`context_parts`)."""
    counts: Counter[str] = Counter()
    titles: Counter[str] = Counter()
    sources = set()
    files = 0
    for source, title, lines in parts:
        files += 1
        sources.add(source)
        if title is not None:
            titles[title] += 1
        counts.update(lines)
    repeated = {line: n for line, n in counts.items() if n >= 2}
    return CleanContext(files=files, line_files=repeated, titles=dict(titles), sources=frozenset(sources))


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def clean(article: Article, ctx: CleanContext, *, with_sentences: bool = True) -> Article:
    """Fill ``body``, ``removed`` and ``sentences`` (and title/standfirst/byline/date when
    the reader left them empty), choosing the method by ``article.format``. Without
    ``with_sentences``, ``sentences`` is left empty, for a caller that drops them (the
    build: see :func:`digest.stages.clean_one`)."""
    if article.format == "text":
        article = _clean_text(article, ctx)
    elif article.format == "html":
        article = _clean_html(article, ctx)
    # One normal form for the body, its sentences and the standfirst, so that every sentence
    # (and so every summary sentence) is a substring of the body text.
    body = tuple(b if t == b.text else replace(b, text=t) for b in article.body if (t := _normalize(b.text)))
    if len(body) == len(article.body) and all(map(operator.is_, body, article.body)):
        body = article.body
    standfirst = _normalize(article.standfirst)
    sentences = sentences_of(body) if with_sentences else ()
    if body is article.body and standfirst == article.standfirst and sentences == article.sentences:
        return article  # already clean (most Markdown): no copy
    return replace(article, body=body, standfirst=standfirst, sentences=sentences)


def needs_context(article: Article) -> bool:
    """Whether :func:`clean` reads the corpus context for ``article``: scraped text does (lines
    repeated across files, other articles' titles); Markdown is only normalised and a saved
    page is cleaned from its own markup, so a build can clean them as soon as they are read."""
    return article.format == "text"


def sentences_of(blocks: Iterable[Block]) -> tuple[str, ...]:
    """Every sentence of the paragraph, list item and quote blocks, in order (an article's
    ``sentences`` after :func:`clean`; the build drops them between stages and makes them
    again from the body where they are needed)."""
    return split_blocks(blocks)[0]


def split_blocks(blocks: Iterable[Block]) -> tuple[tuple[str, ...], frozenset[int]]:
    """:func:`sentences_of`, and the positions among them of the sentences of quote blocks:
    speech or writing set apart from the text, whose speaker or source the sentences before name."""
    out: list[str] = []
    quoted: list[int] = []
    for block in blocks:
        if block.kind in ("p", "li", "quote"):
            if block.kind == "quote":
                start = len(out)
                out.extend(split_sentences(block.text))
                quoted.extend(range(start, len(out)))
            else:
                out.extend(split_sentences(block.text))
    return tuple(out), frozenset(quoted)


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
            ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
            ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ),
        start=1,
    )
    for m in names
}
_MONTH_RE = r"(?P<mon>[A-Za-z]{3,9})\.?"
_DATE_MDY = re.compile(rf"\b{_MONTH_RE}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4}})\b")
_DATE_DMY = re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE},?\s+(?P<year>\d{{4}})\b")
_DATE_ISO = re.compile(
    r"\b(?P<year>\d{4})-(?P<mon>\d{2})-(?P<day>\d{2})(?:[T ](?P<h>\d{2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?"
    r"(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)
_TIME_RE = re.compile(
    r"\b(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))?(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap])\.?m\.?(?![a-z])"
    r"|\b(?P<h24>\d{1,2}):(?P<m24>\d{2})(?::\d{2})?\b",
    re.IGNORECASE,
)
_TZ_RE = re.compile(r"\b([A-Z]{1,5})\b|([+-]\d{2}):?(\d{2})\b")


def parse_date_text(text: str) -> datetime | None:
    """Read a date written in a dateline ("Published Nov. 28, 2020 3:32 PM ET",
    "2019-11-18T09:30:00Z", "18 November 2019") as an aware datetime; UTC when no
    zone is given. Returns None when no unambiguous date is found."""
    text = normalize(text)
    m = _DATE_ISO.search(text)
    if m:
        return parse_date(m.group(0).replace(" ", "T"))
    for rx in (_DATE_MDY, _DATE_DMY):
        m = rx.search(text)
        if m and m.group("mon").lower() in _MONTHS:
            try:
                base = datetime(int(m.group("year")), _MONTHS[m.group("mon").lower()], int(m.group("day")))
            except ValueError:
                return None
            rest = text[m.end():]
            return _with_time(base, rest)
    return None


def _with_time(base: datetime, rest: str) -> datetime:
    tm = _TIME_RE.search(rest[:40])
    hour = minute = 0
    tail = rest
    if tm:
        if tm.group("h24") is not None:
            hour, minute = int(tm.group("h24")), int(tm.group("m24"))
        else:
            hour, minute = int(tm.group("h")) % 12, int(tm.group("m") or 0)
            if tm.group("ampm").lower() == "p":
                hour += 12
        tail = rest[tm.end():]
    offset = 0.0
    for zm in _TZ_RE.finditer(tail[:16]):
        if zm.group(1) and zm.group(1) in rules.TZ_OFFSETS:
            offset = rules.TZ_OFFSETS[zm.group(1)]
            break
        if zm.group(2):
            sign = -1 if zm.group(2).startswith("-") else 1
            offset = int(zm.group(2)) + sign * int(zm.group(3)) / 60
            break
    if hour > 23 or minute > 59:
        hour = minute = 0
    tz = timezone(timedelta(hours=offset))
    return base.replace(hour=hour, minute=minute, tzinfo=tz)


# ---------------------------------------------------------------------------
# Plain text
# ---------------------------------------------------------------------------

_WORD_RE = re.compile(r"[^\W_]+(?:['’.\-&][^\W_]+)*")


@dataclass(slots=True)
class _Line:
    text: str  # the source line, stripped: what a body block keeps verbatim
    clean: str  # normalised
    norm: str
    gap: int  # blank lines before it
    words: int
    ends: bool  # ends a sentence
    end_char: str
    title_case: bool
    bullet: bool
    reason: str | None = None  # furniture shape matched
    byline: str | None = None
    date: bool = False
    score: float = 0.0


def _ends(text: str) -> tuple[bool, str]:
    t = text.rstrip(rules.CLOSERS + " ")
    if not t:
        return False, ""
    return t[-1] in rules.END_PUNCT, t[-1]


def _is_title_case(tokens: list[str]) -> bool:
    """One word of letters, capitalised and longer than a letter; or at least three quarters
    of the words after the first word of letters that are not small words
    (:data:`~digest.clean_rules.TITLE_SMALL_WORDS`) are capitalised. A line of prose is known
    not to be as soon as its lower-case words are over a quarter of all the tokens after the
    first (no more words can count), without reading the rest of the line."""
    first = None
    second = False
    most = len(tokens) - 1
    big = upper = 0
    small = rules.TITLE_SMALL_WORDS
    for t in tokens:
        if not t[0].isalpha():
            continue
        if first is None:
            first = t
            continue
        second = True
        if t.lower() in small:
            continue
        big += 1
        if t[0].isupper():
            upper += 1
        elif 4 * (big - upper) > most:
            return False
    if not second:
        return first is not None and first[0].isupper() and len(first) > 1
    return big > 0 and upper / big >= 0.75


def _shape(text: str, cleaned: str, gap: int) -> _Line:
    tokens = _WORD_RE.findall(cleaned)
    ends, end_char = _ends(cleaned)
    folded = _strip_ends(_fold(cleaned))
    return _Line(
        text=text,
        clean=cleaned,
        norm=folded,
        gap=gap,
        words=len(tokens),
        ends=ends,
        end_char=end_char,
        title_case=_is_title_case(tokens),
        bullet=bool(rules.BULLET_RE.match(text)),
    )


def _furniture(line: _Line) -> None:
    """Match the furniture shapes; sets ``reason`` (and ``byline``/``date``)."""
    text = line.clean
    if line.words <= 14 and not (line.ends and line.end_char in ".!?" and line.words > 3):
        for rx in rules.BYLINE_PATTERNS:
            m = rx.match(text)
            if m:
                line.reason, line.byline = "byline", m.group("name").strip(" ,|")
                line.date = parse_date_text(text) is not None  # "July 12, 2024 | By Jane Roe"
                return
    if line.words <= 16:
        if rules.DATE_LINE.match(text):
            line.reason, line.date = "date line", True
            return
        if rules.READING_TIME.match(text):
            line.reason = "reading time"
            return
    if len(text) > rules.FURNITURE_MAX_CHARS:
        return
    lower = text.lower()
    for reason, needles, rx in rules.LINE_PATTERNS:
        if needles and not any(map(lower.__contains__, needles)):  # map: no generator frame to resume per needle
            continue
        if rx.match(text):
            line.reason = reason
            return


def _head_bylines(lines: list[_Line]) -> None:
    """Before the first paragraph, a name followed by a publication or a role ("Jane Roe,
    The Daily Planet") is a byline; further down the same shape is body text."""
    for line in lines:
        if line.reason is None and line.end_char in ".…" and line.words >= rules.PROSE_MIN_WORDS:
            return
        if line.reason is None and line.words <= 10 and not line.ends:
            m = rules.HEAD_BYLINE.match(line.clean)
            if m:
                line.reason, line.byline = "byline", m.group("name")


def _clean_text(article: Article, ctx: CleanContext) -> Article:
    # Plain text carries no metadata of its own (the reader sets none): title, standfirst,
    # byline and date all come from ``raw`` here, so cleaning twice gives the same article.
    article = replace(article, title="", standfirst="", byline="", date=None)
    lines: list[_Line] = []
    gap = 0
    for raw in article.raw.split("\n"):
        stripped = raw.strip()
        cleaned = _normalize(stripped) if stripped else ""
        if not cleaned:
            gap += 1
            continue
        lines.append(_shape(stripped, cleaned, gap))
        gap = 0
    if not lines:
        return article
    for line in lines:
        _furniture(line)
    _head_bylines(lines)

    own = 1 if article.source in ctx.sources else 0
    own_title = norm_line(article.title) if article.title else ""
    # each distinct word stemmed once (a story repeats its words)
    vocab = set(map(stem, {w for ln in lines if ln.reason is None and ln.ends and ln.words >= rules.PROSE_MIN_WORDS
                           for w in content_words(ln.text)}))
    for line in lines:
        line.score = 0.0 if line.reason else _score(line, ctx, own, own_title, vocab)
    _mark_lists(lines)
    _demote_listed_sentences(lines)

    start, end = _segment(lines)
    roles = _roles(lines, start, end)

    removed: list[Removed] = []
    title = article.title
    title_found = False
    byline = article.byline
    date = article.date
    body_lines: list[_Line] = []
    for ln, role in zip(lines, roles):
        if role == "title":
            title_found = True
            if not title:
                title = ln.text
            elif norm_line(title) != ln.norm:
                removed.append(Removed(ln.text, "headline"))
        elif ln.reason:
            removed.append(Removed(ln.text, ln.reason))
        elif role == "body":
            if own_title and ln.norm == own_title and not body_lines:
                title_found = True
            elif not ln.ends and _other_title(ln, ctx, own_title):
                removed.append(Removed(ln.text, "related headline"))
            elif not ln.ends and ln.words >= 3 and ctx.line_files.get(ln.norm, 0) - own >= rules.REPEAT_MIN_FILES_BODY - 1:
                removed.append(Removed(ln.text, "repeated line"))
            else:
                body_lines.append(ln)
        elif own_title and ln.norm == own_title:
            title_found = True
        else:
            removed.append(Removed(ln.text, "leading headline list" if role == "lead" else "trailing headline list"))

    for ln in lines:
        if ln.reason == "byline" and not byline and ln.byline:
            byline = ln.byline
        if ln.date and date is None:
            date = parse_date_text(ln.text)

    blocks = _text_blocks(body_lines)
    standfirst = article.standfirst
    if not standfirst and blocks and blocks[0].kind == "p":
        first = blocks[0].text
        n_words = len(_WORD_RE.findall(first))
        n_paras = sum(1 for b in blocks if b.kind == "p")
        if len(split_sentences(first)) == 1 and n_words <= rules.STANDFIRST_MAX_WORDS and n_paras >= 3:
            standfirst = first
    if not title and not title_found and standfirst:
        title = standfirst
    return replace(
        article,
        title=title,
        standfirst=standfirst,
        byline=byline,
        date=date,
        body=tuple(blocks),
        removed=tuple(removed),
    )


def _score(line: _Line, ctx: CleanContext, own: int, own_title: str, vocab: set[str]) -> float:
    prose = line.ends and line.words >= rules.PROSE_MIN_WORDS
    if prose:
        if line.title_case and line.end_char in "?!" and line.words <= 20:
            score = rules.SCORE_HEADLINE_PUNCT
            prose = False
        else:
            score = rules.SCORE_PROSE_BASE + min(line.words, rules.PROSE_WORD_CAP) * rules.SCORE_PROSE_PER_WORD
    elif line.ends:
        score = rules.SCORE_SHORT_SENTENCE
    elif line.words > rules.LONG_LINE_WORDS:
        score = rules.SCORE_LONG_UNPUNCTUATED
    else:
        score = rules.SCORE_HEADLINE
        if line.title_case:
            score += rules.SCORE_TITLE_CASE
        if line.bullet:
            score += rules.SCORE_BULLET
        words = content_words(line.text)
        if words:
            score += rules.SCORE_OVERLAP * sum(1 for w in words if stem(w) in vocab) / len(words)
    seen = ctx.line_files.get(line.norm, 0) - own
    long_prose = prose and line.words > rules.REPEAT_SHORT_WORDS
    if seen >= (rules.REPEAT_MIN_FILES_PROSE if long_prose else rules.REPEAT_MIN_FILES) - 1:
        score += rules.SCORE_REPEATED
    if _other_title(line, ctx, own_title):
        score += rules.SCORE_OTHER_TITLE
    return score


def _other_title(line: _Line, ctx: CleanContext, own_title: str) -> bool:
    """Is the line the title of another article of the corpus?"""
    return ctx.titles.get(line.norm, 0) - (1 if line.norm == own_title else 0) > 0


def _signature(line: _Line) -> str:
    if line.ends or line.bullet or line.reason:
        return ""
    punct = "".join(sorted({c for c in line.clean if not c.isalnum() and not c.isspace()}))
    if not punct:
        return ""
    return ("0" if line.clean[:1].isdigit() else "a") + punct


def _mark_lists(lines: list[_Line]) -> None:
    """Lines that share a punctuation skeleton with a neighbour ("June 9 – City, ST @ Venue")
    form a structured list, which belongs to the story more often than a headline list."""
    sigs = [_signature(ln) for ln in lines]
    for i, sig in enumerate(sigs):
        if sig and ((i > 0 and sigs[i - 1] == sig) or (i + 1 < len(sigs) and sigs[i + 1] == sig)):
            lines[i].score += rules.SCORE_LIST_ITEM


def _headline_shaped(line: _Line) -> bool:
    """An unpunctuated, headline-sized line that is not furniture and scores as a headline."""
    return (line.reason is None and not line.ends and 0 < line.words <= rules.LONG_LINE_WORDS
            and line.score < 0)


def _demote_listed_sentences(lines: list[_Line]) -> None:
    """A short sentence between two headline-shaped lines is one more headline of the list
    ("…: what do you buy for the person who has everything?"), not a paragraph."""
    real = [i for i, ln in enumerate(lines) if ln.reason is None]
    for k in range(1, len(real) - 1):
        ln = lines[real[k]]
        if not ln.ends or ln.words > rules.LISTED_SENTENCE_MAX_WORDS:
            continue
        if _headline_shaped(lines[real[k - 1]]) and _headline_shaped(lines[real[k + 1]]):
            ln.score = min(ln.score, rules.SCORE_HEADLINE + (rules.SCORE_TITLE_CASE if ln.title_case else 0.0))


def _strong_prose(line: _Line) -> bool:
    """A line that can only be story text: a full sentence of some length, not a question
    or exclamation of headline size."""
    return (line.reason is None and line.ends and line.words >= rules.PROSE_MIN_WORDS
            and line.score >= rules.SCORE_PROSE_BASE
            and (line.end_char not in "?!" or line.words > rules.LISTED_SENTENCE_MAX_WORDS))


def _segment(lines: list[_Line]) -> tuple[int, int]:
    """The run ``lines[start:end]`` with the highest total score (a big blank gap right
    after the run earns a bonus). Linear time."""
    gaps = Counter(ln.gap for ln in lines[1:])
    usual = gaps.most_common(1)[0][0] if gaps else 0
    best = (float("-inf"), 0, 0)
    prefix = 0.0
    min_prefix, min_at = 0.0, 0
    for e in range(1, len(lines) + 1):
        prefix += lines[e - 1].score
        if e < len(lines) and lines[e].gap > usual:
            bonus = rules.GAP_BONUS
        else:
            bonus = 0.0
        total = prefix - min_prefix + bonus
        if total > best[0]:
            best = (total, min_at, e)
        if prefix < min_prefix:
            min_prefix, min_at = prefix, e
    _, start, end = best
    if best[0] <= 0:  # nothing looks like prose: keep every line that is not furniture
        return 0, len(lines)
    # A wide blank gap after the story is where the page's furniture starts: lines between
    # the story and the gap that are not clearly furniture close the story (a list, a note).
    gap_at = next((i for i in range(end, len(lines)) if lines[i].gap > usual), None)
    if gap_at is not None and gap_at > end:
        between = [ln.score for ln in lines[end:gap_at] if ln.reason is None]
        if not between or (
            min(between) > rules.GAP_KEEP_FLOOR and sum(between) / len(between) > rules.GAP_KEEP_MIN_SCORE
        ):
            end = gap_at
    return start, end


_META = frozenset({"byline", "date line", "reading time"})


def _roles(lines: list[_Line], start: int, end: int) -> list[str]:
    """Give each line a role: "lead", "title", "body" or "trail".

    The body is ``lines[start:end]`` as segmented, adjusted around the article's meta lines
    (byline, date): a title comes before them, the story after them. Lines between the meta
    lines and the first paragraph open the story (a dateline, a kicker) unless they are
    clearly furniture; a headline-sized line before the meta lines is the title, not body.
    """
    roles = ["lead"] * start + ["body"] * (end - start) + ["trail"] * (len(lines) - end)
    first_prose = next((i for i in range(start, end) if _strong_prose(lines[i])), None)
    if first_prose is None:
        return roles
    meta = [i for i in range(first_prose) if lines[i].reason in _META]
    if meta:
        for i in range(max(meta) + 1, first_prose):
            ln = lines[i]
            if ln.reason is None and not ln.bullet and ln.score > rules.GAP_KEEP_FLOOR:
                roles[i] = "body"
        # A standfirst sits right before the meta lines; whatever comes before it is the
        # title and the page's lead-in (menus, other headlines).
        i = min(meta) - 1
        while i >= start and (lines[i].reason is not None or (
                lines[i].ends and lines[i].end_char in ".…" and lines[i].score >= rules.STANDFIRST_MIN_SCORE)):
            i -= 1
        for j in range(start, i + 1):
            if roles[j] == "body":
                roles[j] = "lead"
        head_end = min(meta)
    else:
        head_end = min(start, first_prose)
        # The story's first line, unpunctuated and right above its first paragraph, with
        # nothing but furniture and bulleted lists before it, is the headline.
        top = next((i for i in range(first_prose) if lines[i].reason is None and not lines[i].bullet), None)
        if (top is not None and start <= top < first_prose and not lines[top].ends
                and all(lines[i].reason is not None for i in range(start, top))
                and 0 < lines[top].words <= rules.TOP_TITLE_MAX_WORDS
                and all(lines[i].reason is not None for i in range(top + 1, first_prose))):
            roles[top] = "title"
            return roles
    for i in range(head_end - 1, -1, -1):
        ln = lines[i]
        if roles[i] == "lead" and ln.reason is None and not ln.bullet and ln.words <= rules.TITLE_MAX_WORDS:
            roles[i] = "title"
            break
        if roles[i] == "body":
            break
    return roles


def _text_blocks(body: list[_Line]) -> list[Block]:
    blocks: list[Block] = []
    for i, ln in enumerate(body):
        nxt = body[i + 1] if i + 1 < len(body) else None
        if not ln.bullet and nxt is not None and _heading_above(ln, nxt):
            blocks.append(Block("h", ln.text))
        elif ln.bullet:
            blocks.append(Block("li", rules.BULLET_RE.sub("", ln.text, count=1).strip() or ln.text))
        else:
            blocks.append(Block("p", ln.text))
    return blocks


# ---------------------------------------------------------------------------
# HTML: the page tree, parsed by lxml
# ---------------------------------------------------------------------------
# libxml2's HTML parser (through lxml) reads the page: it decodes entities, applies HTML's
# implied end tags and recovers from malformed markup. Its tree is copied into light
# ``_Node`` values (children are text and nodes in document order, with parent links),
# which the scoring below walks. Only <body> is copied; comments and processing
# instructions are removed by the parser, and the content of script-like elements is not
# copied, so none of them can leak into text. The <head> is read by the HTML reader.

# Elements whose content is never page text (the parser may give them text or children).
_NO_TEXT = frozenset("script style noscript template iframe xmp noembed noframes plaintext object svg math".split())
_INLINE = frozenset(
    "a abbr b bdi bdo cite code data dfn em font i kbd mark q s samp small span strong sub sup time u var del ins".split()
)
_TOKEN_SPLIT = re.compile(r"[^a-z0-9]+")
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*>", re.I)


class _Node:
    __slots__ = ("tag", "attrs", "children", "parent")

    def __init__(self, tag: str, attrs: Mapping[str, str], parent: _Node | None) -> None:
        self.tag = tag
        self.attrs = attrs  # lxml's attribute mapping (read only), or an empty dict
        self.children: list[_Node | str] = []
        self.parent = parent


#: The last page parsed and its tree: the HTML reader and then :func:`clean` parse the same page
#: in turn in one worker (neither changes the tree), and a page takes a few ms to parse.
_last_parsed: tuple[str, etree._Element | None] | None = None


def parse_page(page: str) -> etree._Element | None:
    """``page`` parsed by lxml's HTML parser (the ``<html>`` element), or None for an empty
    or unreadable page. Comments and processing instructions are removed; malformed markup
    is repaired the way libxml2 does it. Also used by the HTML reader; the tree is shared
    with the caller that parses the same string next, so it must not be changed."""
    global _last_parsed
    last = _last_parsed  # one read: another thread may parse another page meanwhile
    if last is not None and last[0] is page:
        return last[1]
    tree = _parse_page(page)
    _last_parsed = (page, tree)
    return tree


def _parse_page(page: str) -> etree._Element | None:
    if not page or page.isspace():
        return None
    # Parse UTF-8 bytes with the encoding given, so an XML declaration or a <meta charset>
    # naming another encoding cannot make lxml decode the text a second time.
    from lxml import etree  # here: a site of Markdown files never needs it

    data = _XML_DECL_RE.sub("", page, count=1).encode("utf-8", "replace")
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True)
    try:
        return etree.fromstring(data, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:  # pragma: no cover - lxml recovers
        log.debug("unreadable HTML page: %s", exc)
        return None


def _parse_html(page: str) -> _Node:
    """Parse ``page`` and copy its <body> into a light tree under a ``#root`` node
    (``#root`` → ``html`` → ``body``). Text is decoded; an empty page gives an empty body."""
    root = _Node("#root", {}, None)
    html = _Node("html", {}, root)
    root.children.append(html)
    top = parse_page(page)
    if top is not None and top.find("body") is not None:
        top = top.find("body")
    body = _Node("body", top.attrib if top is not None else {}, html)
    html.children.append(body)
    if top is None:
        return root
    todo: list[tuple[etree._Element, _Node]] = [(top, body)]
    pop, push = todo.pop, todo.append
    while todo:
        el, node = pop()
        add = node.children.append
        text = el.text
        if text:
            add(text)
        for sub in el:
            tag = sub.tag
            if tag.__class__ is str:  # comments, PIs and entities have a callable tag
                child = _Node(tag, sub.attrib, node)
                add(child)
                if tag not in _NO_TEXT and tag not in ("head", "title"):
                    push((sub, child))
            tail = sub.tail
            if tail:
                add(tail)
    return root


_CAMEL_RE = re.compile(r"[a-z0-9](?=[A-Z])")


def _tokens(node: _Node) -> frozenset[str]:
    """Lower-cased words of the class and id values (see :func:`_class_tokens`)."""
    a = node.attrs
    return _class_tokens(a.get("class", "") + " " + a.get("id", ""))


@lru_cache(maxsize=8192)
def _class_tokens(raw: str) -> frozenset[str]:
    """Words of a class/id value, split at punctuation and also at camelCase humps
    ("InlineImage-imageEmbedCaption" gives "inlineimage", "imageembedcaption", "inline",
    "image", "embed", "caption"). Pure, so memoised: pages of a site repeat their classes."""
    if raw.isspace():
        return frozenset()
    value = raw.lower()
    out = set(_TOKEN_SPLIT.split(value))
    if value != raw:
        out.update(_TOKEN_SPLIT.split(_CAMEL_RE.sub(lambda m: m.group(0) + " ", raw).lower()))
    out.discard("")
    return frozenset(out)


def _is_boilerplate(node: _Node) -> str | None:
    """Why ``node`` is furniture (a short reason), or None."""
    tag = node.tag
    if tag in rules.DROP_TAGS:
        return f"<{tag}>"
    a = node.attrs
    if not a:
        return None
    if "hidden" in a or a.get("aria-hidden") == "true" or "display:none" in a.get("style", "").replace(" ", ""):
        return "hidden"
    if a.get("role") in rules.BOILERPLATE_ROLES:
        return f"role={a['role']}"
    if a.get("itemprop") == "articleBody":
        return None
    tokens = _tokens(node)
    if not tokens:
        return None
    hard = tokens & rules.HARD_BOILERPLATE_TOKENS
    if hard:
        return f"class/id '{sorted(hard)[0]}'"
    soft = tokens & rules.BOILERPLATE_TOKENS
    if soft and not tokens & rules.CONTENT_TOKENS:
        return f"class/id '{sorted(soft)[0]}'"
    return None


def _dropped(root: _Node, soft: bool = True, wrappers: Mapping[int, _Stats] | None = None,
             max_chars: float = 0.0) -> dict[int, str]:
    """Elements to skip (id → reason): dropped tags always; with ``soft``, also elements
    whose class/id, role or visibility mark them as furniture. Never <html>/<body>.
    With ``wrappers`` (statistics of a hard-drops-only pass), an element marked only by
    its class/id but holding more than ``max_chars`` of text is kept: it wraps the page."""
    out: dict[int, str] = {}
    todo = [root]
    while todo:
        node = todo.pop()
        for child in node.children:
            if isinstance(child, str):
                continue
            if child.tag in ("html", "body"):
                todo.append(child)
                continue
            if soft:
                why = _is_boilerplate(child)
                if why and wrappers is not None and why.startswith("class"):
                    st = wrappers.get(id(child))
                    if st is not None and st.chars > max_chars:
                        why = None
            else:
                why = f"<{child.tag}>" if child.tag in rules.HARD_DROP_TAGS else None
            if why:
                out[id(child)] = why
            else:
                todo.append(child)
    return out


#: Where a ``<br>`` broke the text, for :func:`_lines` (never in a page's text: see :func:`_text`).
_BREAK = "\x00"


def _text(node: _Node, br: str = " ") -> str:
    """All text under ``node``, entities decoded, white space collapsed; each ``<br>`` gives
    ``br`` (a space, or :data:`_BREAK` for :func:`_lines`)."""
    parts: list[str] = []
    todo: list[_Node | str] = [node]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            parts.append(item if br == " " else item.replace(_BREAK, " "))
        elif item.tag in _NO_TEXT:
            continue
        else:
            if item.tag == "br":
                parts.append(br)
            elif item.tag not in _INLINE:
                parts.append(" ")
            todo.extend(reversed(item.children))
    text = "".join(parts)
    return " ".join(text.split()) if br == " " else text


def _lines(text: str) -> list[str]:
    """The lines of text broken by ``<br>`` (:data:`_BREAK` in ``text``), white space collapsed: each a
    paragraph of its own (a list of dates, an address, paragraphs set apart by two breaks), as
    the lines of a text file are, but for a line that opens in lower case, which goes on the
    sentence broken above it."""
    out: list[str] = []
    for piece in text.split(_BREAK):
        line = " ".join(piece.split())
        if not line:
            continue
        if out and line[0].islower():
            out[-1] += " " + line
        else:
            out.append(line)
    return out


def page_text(page: str) -> str:
    """All text of a page (no scripts or styles): the "bare text" baseline."""
    return _text(_parse_html(page))


@dataclass(slots=True)
class _Stats:
    chars: int = 0  # text characters under the node
    link_chars: int = 0  # …of which inside links
    ptext: int = 0  # …of which in paragraphs (long enough, not link lists)
    credit: float = 0.0  # paragraph credit from children (full) and grandchildren (half)

    @property
    def score(self) -> float:
        """Paragraph text, less a share of the other text: highest for the element that
        holds the story and little else."""
        return self.ptext - rules.OTHER_TEXT_WEIGHT * (self.chars - self.ptext)


def _stats(root: _Node, skip: Mapping[int, str]) -> dict[int, _Stats]:
    """Post-order text statistics of every element not skipped (skipped ones count as empty)."""
    stats: dict[int, _Stats] = {}
    order: list[_Node] = []
    todo = [root]
    while todo:
        node = todo.pop()
        order.append(node)
        todo.extend(c for c in node.children if not isinstance(c, str) and id(c) not in skip)
    for node in reversed(order):
        st = _Stats()
        direct = 0
        for child in node.children:
            if isinstance(child, str):
                direct += len(child.strip())
            else:
                cs = stats.get(id(child))
                if cs is None:
                    continue
                st.chars += cs.chars
                st.link_chars += cs.chars if child.tag == "a" else cs.link_chars
                st.ptext += cs.ptext
        st.chars += direct
        if node.tag in rules.PARAGRAPH_TAGS:
            dense = st.link_chars > st.chars * rules.LINK_DENSITY_LIMIT
            st.ptext = st.chars if st.chars >= rules.PARAGRAPH_MIN_CHARS and not dense else 0
        elif direct >= rules.DIV_TEXT_MIN_CHARS:
            st.ptext += direct
        stats[id(node)] = st
    for node in order:
        st = stats[id(node)]
        if node.tag in rules.PARAGRAPH_TAGS and st.ptext or node.tag not in rules.PARAGRAPH_TAGS and st.ptext and _direct_text(node) >= rules.DIV_TEXT_MIN_CHARS:
            credit = 1 + min(st.ptext, 1000) / 100
            parent = stats.get(id(node.parent))
            if parent is not None:
                parent.credit += credit
                grand = stats.get(id(node.parent.parent))
                if grand is not None:
                    grand.credit += credit / 2
    return stats


def _direct_text(node: _Node) -> int:
    return sum(len(c.strip()) for c in node.children if isinstance(c, str))


def _find_container(root: _Node, stats: dict[int, _Stats]) -> _Node | None:
    """The element holding the story: an ``articleBody`` with enough text, else the best
    scored container (widened to an ancestor when the story is split over siblings)."""
    nodes: list[_Node] = []
    todo = [root]
    while todo:
        node = todo.pop()
        nodes.append(node)
        todo.extend(c for c in node.children if not isinstance(c, str) and id(c) in stats)
    bodies = [n for n in nodes if n.attrs.get("itemprop") == "articleBody"]
    if bodies:
        best = max(bodies, key=lambda n: stats[id(n)].chars)
        if stats[id(best)].chars >= rules.MIN_CHARS:
            return best
    scored = [n for n in nodes if stats[id(n)].credit > 0 and n.tag != "#root"]
    if not scored:
        return None
    best = max(scored, key=lambda n: stats[id(n)].credit * (1 - _density(stats[id(n)])))
    # Widen to ancestors while what they add is mostly paragraphs and few links (a story
    # split into several containers); stop at the first ancestor that adds teasers or menus.
    node = best
    while node.parent is not None and node.parent.tag not in ("html", "#root") and id(node.parent) in stats:
        up, cur = stats[id(node.parent)], stats[id(best)]
        added = up.chars - cur.chars
        if added <= 0:
            node = node.parent
            best = node
            continue
        added_p = up.ptext - cur.ptext
        added_links = up.link_chars - cur.link_chars
        if added_p / added < rules.WIDEN_MIN_PARAGRAPH_SHARE or added_links / added > rules.WIDEN_MAX_LINK_DENSITY:
            break
        node = node.parent
        best = node
    return best


def _with_siblings(best: _Node, stats: dict[int, _Stats]) -> list[_Node]:
    """``best`` and those of its siblings that continue the story (an article split into
    several containers around ads): similar class, or a good share of paragraph text."""
    parent = best.parent
    if parent is None or best.attrs.get("itemprop") == "articleBody":
        return [best]
    top = stats[id(best)]
    klass = best.attrs.get("class", "")
    out: list[_Node] = []
    for child in parent.children:
        if isinstance(child, str) or id(child) not in stats:
            continue
        if child is best:
            out.append(child)
            continue
        st = stats[id(child)]
        if not st.chars or _density(st) > rules.SIBLING_MAX_LINK_DENSITY:
            continue
        same = child.tag == best.tag and klass and child.attrs.get("class", "") == klass
        if same and st.ptext >= top.ptext * rules.SIBLING_SCORE_RATIO:
            out.append(child)
    return out


def _density(st: _Stats) -> float:
    return st.link_chars / st.chars if st.chars else 0.0


def _emit(
    container: _Node, stats: dict[int, _Stats], skip: Mapping[int, str], removed: list[Removed]
) -> tuple[list[Block], str]:
    """Blocks of ``container`` in document order; loose text in divs becomes paragraphs.
    Returns the blocks and the first <h1> text met (a title)."""
    blocks: list[Block] = []
    bold: list[int] = []  # paragraphs set wholly in bold
    h1 = ""
    loose: list[str] = []

    def flush() -> None:
        if loose:
            lines = _lines("".join(loose))
            loose.clear()
            blocks.extend(Block("p", line) for line in lines)

    todo: list[_Node | str | None] = [container]
    while todo:
        item = todo.pop()
        if item is None:
            flush()
            continue
        if isinstance(item, str):
            loose.append(item.replace(_BREAK, " "))
            continue
        why = skip.get(id(item))
        if why is not None:
            if why.startswith("class") or why.startswith("role"):
                text = _text(item)
                if text:
                    flush()
                    removed.append(Removed(text, why))
            continue
        tag = item.tag
        if tag in _INLINE and tag != "a" or tag == "br":
            if tag == "br":
                loose.append(_BREAK)
            todo.extend(reversed(item.children))
            continue
        if tag == "a":
            loose.append(_text(item))
            continue
        if tag == "tr" and not _has_blocks(item):
            # a data table row: one line, cells separated by spaces
            flush()
            text = _text(item)
            st = stats.get(id(item))
            if text and st is not None and st.chars and st.link_chars > st.chars * rules.LINK_DENSITY_LIMIT:
                removed.append(Removed(text, "link list"))
            elif text:
                blocks.append(Block("p", text))
            continue
        kind = rules.BLOCK_KINDS.get(tag)
        if tag == "h1" or kind is not None:
            flush()
            text = _text(item)
            if not text:
                continue
            st = stats.get(id(item))
            if tag == "h1":
                h1 = h1 or text
                removed.append(Removed(text, "headline"))
                continue
            if kind in ("p", "li") and st is not None and st.chars and st.link_chars > st.chars * rules.LINK_DENSITY_LIMIT:
                removed.append(Removed(text, "link list"))
                continue
            if kind in ("li", "p") and _has_blocks(item):
                # a list item or paragraph wrapping blocks: walk into it
                todo.append(None)
                todo.extend(reversed(item.children))
                continue
            if kind == "p" and _wholly_bold(item):
                bold.append(len(blocks))
            if kind == "p" and _has_break(item):
                blocks.extend(Block("p", line) for line in _lines(_text(item, br=_BREAK)))
            else:
                blocks.append(Block(kind or "p", text))
            continue
        if tag in rules.DROP_INLINE_TAGS:
            flush()
            text = _text(item)
            if text:
                removed.append(Removed(text, "caption"))
            continue
        # a container: link-dense ones are menus or teaser lists
        st = stats.get(id(item))
        if item is not container and st is not None and st.chars and tag in ("div", "section", "ul", "ol", "table", "nav", "span"):
            non_link = st.chars - st.link_chars
            if st.link_chars > st.chars * rules.LINK_DENSITY_LIMIT and non_link < rules.LINK_DENSITY_MIN_CHARS:
                flush()
                text = _text(item)
                if text:
                    removed.append(Removed(text, "link list"))
                continue
        flush()
        todo.append(None)
        todo.extend(reversed(item.children))
    flush()
    for i in bold:
        # a short unpunctuated paragraph in bold above prose is a subheading set in type
        if i + 1 < len(blocks) and blocks[i + 1].kind == "p" and _heading_above(_shape_of(blocks[i]), _shape_of(blocks[i + 1])):
            blocks[i] = Block("h", blocks[i].text)
    return blocks, h1


def _has_break(node: _Node) -> bool:
    """A ``<br>`` anywhere under ``node``."""
    todo = [node]
    while todo:
        item = todo.pop()
        for child in item.children:
            if not isinstance(child, str):
                if child.tag == "br":
                    return True
                todo.append(child)
    return False


def _wholly_bold(node: _Node) -> bool:
    """All of the element's text is inside one <strong> or <b> child (no link in it)."""
    inner = [c for c in node.children if not isinstance(c, str) or c.strip()]
    return (len(inner) == 1 and not isinstance(inner[0], str) and inner[0].tag in ("strong", "b")
            and not any(not isinstance(c, str) and c.tag == "a" for c in inner[0].children))


def _shape_of(block: Block) -> _Line:
    return _shape(block.text, _normalize(block.text), 0)


def _heading_above(line: _Line, nxt: _Line) -> bool:
    """``line`` reads as a subheading of the paragraph ``nxt``: short and unpunctuated, above
    a sentence of prose (a text file's line, or a paragraph of a page set as one)."""
    return not line.ends and 0 < line.words <= rules.HEADING_MAX_WORDS and nxt.ends and nxt.words >= rules.PROSE_MIN_WORDS


def _has_blocks(node: _Node) -> bool:
    for child in node.children:
        if not isinstance(child, str) and (child.tag in rules.BLOCK_KINDS or child.tag in ("div", "ul", "ol", "table")):
            return True
    return False


def _filter_blocks(blocks: list[Block], removed: list[Removed]) -> tuple[list[Block], str, str]:
    """Drop blocks shaped like furniture lines (share bars, credits, bylines…); returns the
    kept blocks and any byline and date line found."""
    kept: list[Block] = []
    shapes: list[_Line] = []
    byline = date_text = ""
    for block in blocks:
        line = _shape_of(block)
        _furniture(line)
        if line.reason:
            removed.append(Removed(block.text, line.reason))
            if line.byline and not byline:
                byline = line.byline
            if line.date and not date_text:
                date_text = block.text
            continue
        kept.append(block)
        shapes.append(line)
    kept = _capital_headings(kept, shapes)
    # repeated blocks (a pull quote, a second share bar) are kept once
    seen: set[str] = set()
    out: list[Block] = []
    for block in kept:
        key = norm_line(block.text)
        if key in seen and block.kind != "h":
            removed.append(Removed(block.text, "repeated block"))
            continue
        seen.add(key)
        out.append(block)
    return out, byline, date_text


def _capital_headings(blocks: list[Block], shapes: list[_Line]) -> list[Block]:
    """A paragraph in capitals, short and unpunctuated, right above a paragraph of prose is a
    subheading set in type ("NISSAN SENTRA", "UP NEXT"), as one wholly in bold is (see
    :func:`_emit`) and a text file's such line is (see :func:`_text_blocks`)."""
    out = list(blocks)
    for i in range(len(out) - 1):
        block, line, nxt = out[i], shapes[i], shapes[i + 1]
        if block.kind == "p" and out[i + 1].kind == "p" and _heading_above(line, nxt) and _in_capitals(block.text):
            out[i] = Block("h", block.text)
    return out


def _in_capitals(text: str) -> bool:
    """Written in capital letters: a word of two letters or more, no lower-case letter, no
    figures but inside words ("RAV4", not "113.40 -1.62%"), and no comma (a dateline set apart:
    "BAAR, SWITZERLAND")."""
    return (
        "," not in text
        and not any(c.islower() for c in text)
        and rules.CAPITAL_WORD_RE.search(text) is not None
        and rules.FIGURE_RE.search(text) is None
    )


def _story_blocks(body: _Node, skip: Mapping[int, str]) -> tuple[list[Block], list[Removed], str, str, str]:
    """Blocks of the story container found with ``skip``: (blocks, removed, first h1,
    byline, date line)."""
    removed: list[Removed] = []
    stats = _stats(body, skip)
    container = _find_container(body, stats)
    blocks: list[Block] = []
    h1 = ""
    if container is not None:
        for part in _with_siblings(container, stats):
            more, first_h1 = _emit(part, stats, skip, removed)
            blocks.extend(more)
            h1 = h1 or first_h1
    blocks, byline, date_text = _filter_blocks(blocks, removed)
    return blocks, removed, h1, byline, date_text


def _clean_html(article: Article, ctx: CleanContext) -> Article:
    root = _parse_html(article.raw)
    body = _find_tag(root, "body") or root
    skip = _dropped(body)
    blocks, removed, h1, byline, date_text = _story_blocks(body, skip)
    if sum(len(b.text) for b in blocks) < rules.MIN_CHARS:
        hard_skip = _dropped(body, soft=False)
        hard_stats = _stats(body, hard_skip)
        # A wrapper whose class/id happens to hold a furniture token ("header-style-2")
        # may have hidden the story: try again, keeping such elements when they are big.
        limit = hard_stats[id(body)].chars * rules.WRAPPER_MIN_SHARE
        wide_skip = _dropped(body, wrappers=hard_stats, max_chars=limit)
        if wide_skip.keys() != skip.keys():
            again = _story_blocks(body, wide_skip)
            if sum(len(b.text) for b in again[0]) >= rules.MIN_CHARS:
                log.debug("%s: story found inside a wrapper marked as furniture by its class/id", article.source)
                blocks, removed, h1, byline, date_text = again
        if sum(len(b.text) for b in blocks) < rules.MIN_CHARS:
            log.debug("%s: too little text in the article container; using all text of <body>", article.source)
            removed = []
            blocks, h1 = _emit(body, hard_stats, hard_skip, removed)
            blocks, byline, date_text = _filter_blocks(blocks, removed)
    if not byline:
        byline = _byline_from(removed)
    title = article.title or h1
    if title:
        key = norm_line(title)
        if blocks and norm_line(blocks[0].text) == key:
            removed.append(Removed(blocks[0].text, "headline"))
            blocks = blocks[1:]
    return replace(
        article,
        title=title,
        byline=article.byline or byline,
        date=article.date or (parse_date_text(date_text) if date_text else None),
        body=tuple(blocks),
        removed=tuple(removed),
    )


def _byline_from(removed: list[Removed]) -> str:
    """A byline from an element dropped for its byline/author class."""
    for r in removed:
        if "byline" in r.reason or "author" in r.reason:
            text = _normalize(r.text)
            for rx in rules.BYLINE_PATTERNS:
                m = rx.match(text)
                if m:
                    return m.group("name").strip(" ,|")
            if 0 < len(text.split()) <= 5:
                return text
    return ""


def _find_tag(root: _Node, tag: str) -> _Node | None:
    todo = [root]
    while todo:
        node = todo.pop()
        if node.tag == tag:
            return node
        todo.extend(reversed([c for c in node.children if not isinstance(c, str)]))
    return None
