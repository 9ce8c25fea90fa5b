"""The readers' cheaper paths give exactly what the general ones give."""
from __future__ import annotations

import pytest

from digest.readers import decode
from digest.readers.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_SCHEMES, ALLOWED_TAGS, DROP_WITH_CONTENT, sanitize_html
from digest.text import normalize


def test_one_sanitiser_gives_what_nh3_clean_gives() -> None:
    nh3 = pytest.importorskip("nh3")
    for html in ['He said &quot;yes&quot; &amp; left', '<a href="javascript:x()">x</a> <em>y</em>', "<script>x</script>z", "a\u00a0b &lt;"]:
        assert sanitize_html(html) == nh3.clean(
            html, tags=set(ALLOWED_TAGS), clean_content_tags=set(DROP_WITH_CONTENT),
            attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()}, url_schemes=set(ALLOWED_SCHEMES),
            link_rel=None, strip_comments=True)


@pytest.mark.parametrize("raw", ["a\rb", "a\r\nb", "a\x0bb\x0cc", "a\x85b\u2028c\u2029d", "plain\ntext"])
def test_line_breaks_become_newlines(raw: str) -> None:
    text, _ = decode(raw.encode("utf-8"), "x.txt")
    assert text == raw.replace("\r\n", "\n").translate(str.maketrans({c: "\n" for c in "\r\x0b\x0c\x85\u2028\u2029"}))


@pytest.mark.parametrize("raw, clean", [
    ("plain ascii text", "plain ascii text"), ("  two  spaces  ", "two spaces"), ("a\u00a0b\u2003c\td", "a b c d"),
    ("zero\u200bwidth\u00ad", "zerowidth"), ("ctrl\x07char", "ctrlchar"), ("cafe\u0301", "caf\u00e9"), ("tab\t\tand  more", "tab and more"),
])
def test_normalize_skips_only_work_that_changes_nothing(raw: str, clean: str) -> None:
    assert normalize(raw) == clean


def _yaml(block: str) -> object:
    import yaml

    return yaml.load(block, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader


def test_simple_front_matter_skips_the_yaml_parser() -> None:
    from digest.readers.frontmatter import _simple

    block = 'title: "IBM puts cash behind Linux push"\ndate: 2024-12-24T20:22:00+00:00\ntags: [tech, big business]\nauthor: Staff writer\ndraft: no\n'
    assert _simple(block) == _yaml(block)
    assert _simple(block)["draft"] is False
    for other in ("title: |\n  text\n", "title: a # note\n", "tags:\n  - a\n", "title: 'it''s'\n", "on: x\n", "title:  x\n", "a: [b: c]\n"):
        assert _simple(other) is None


_PIECES = ["a", "Z", "0", "1", "9", " ", "  ", ":", ": ", "-", "_", ".", ",", "#", " #", "'", '"', "\\", "[", "]", "{", "}",
           "?", "!", "&", "*", "|", ">", "%", "@", "`", "~", "+", "e", "x", "o", "yes", "No", "ON", "null", "true", "Null", "=",
           "<<", ".inf", ".NaN", "0x1F", "0o17", "0b10", "1_000", "1:30", "2024-07-18", "2024-07-18T09:30:00Z",
           "2024-07-18 09:30:00.5 +02:00", "1e3", "-1", "+.5", "\t", "\u00a0", "\u3000", "\u2028", "\x85", "\u00e9", "\ufeff", "\u200b"]


def test_simple_front_matter_is_what_yaml_reads() -> None:
    import pickle

    from hypothesis import given, settings, strategies as st

    from digest.readers.frontmatter import _simple

    value = st.lists(st.sampled_from(_PIECES), max_size=6).map("".join)
    line = st.one_of(
        st.tuples(st.sampled_from(["title", "date", "tags", "yes", "null", "_k", "K9", "a b", "~"]), value).map(": ".join),
        st.lists(value, max_size=4).map(lambda items: "tags: [" + ",".join(items) + "]"),
        value.map(lambda v: f'title: "{v}"'), value.map(lambda v: f"title: '{v}'"), value,
    )

    @settings(max_examples=3000, deadline=None)
    @given(st.lists(line, min_size=1, max_size=4).map("\n".join))
    def check(block: str) -> None:
        fast = _simple(block)
        if fast is not None:
            taken.append(block)
            assert pickle.dumps(fast) == pickle.dumps(_yaml(block))  # same values, types and time zones

    taken: list[str] = []
    check()
    assert len(taken) > 300  # the fast path was put to the test


def test_a_run_of_text_keeps_its_html_without_the_sanitiser() -> None:
    """The Markdown reader's HTML of a run of text (:func:`_text_html`) is what markdown-it
    renders for one text token, sanitised; without a character of :data:`_NOT_PLAIN` (only
    '"' is escaped, and nh3 gives it back) that is the text itself, with no sanitiser run."""
    from hypothesis import given, settings, strategies as st
    from markdown_it.token import Token

    from digest.readers.markdown import _NOT_PLAIN, _parser, _text_html

    odd = st.sampled_from(['"', "'", " ", "\n", "\t", "\x0c", "\x0b", "\x01", "\x7f", "\x85", "\u2028", "\ufeff", "\ufffe", "\U0001f600",
                           "\u200b", "=", "/", "\\", "#", "*", "`", "\u00e9", "\u0301", "\ufdd0", "\U0010ffff", "amp;", "quot;", "a", "B",
                           "&", "<", ">", "\u00a0", "\r"])

    @settings(max_examples=3000, deadline=None)
    @given(st.lists(st.one_of(odd, st.text(max_size=3)), max_size=12).map("".join))
    def check(raw: str) -> None:
        md = _parser()
        token = Token("text", "", 0, content=raw)
        rendered = sanitize_html(md.renderer.renderInline([token], md.options, {}).strip())
        assert _text_html(raw.strip()) == rendered
        if not _NOT_PLAIN.search(raw):
            assert rendered == raw.strip()  # the text itself: no sanitiser run for most paragraphs

    check()


def test_markdown_paragraphs_of_plain_text_read_as_before() -> None:
    from digest.readers.markdown import _blocks

    blocks = [b for _, b in _blocks('He said "yes" -- twice.\n\nA & B <i>x</i>\n\n"Quoted"\nacross  lines\n\n## Head "it"\n')]
    assert [(b.kind, b.text, b.html) for b in blocks] == [
        ("p", 'He said "yes" -- twice.', 'He said "yes" -- twice.'),
        ("p", "A & B <i>x</i>", "A &amp; B &lt;i&gt;x&lt;/i&gt;"),
        ("p", '"Quoted" across lines', '"Quoted"\nacross  lines'),
        ("h", 'Head "it"', 'Head "it"'),
    ]


def test_decode_tidies_only_text_that_needs_it() -> None:
    """Text without a control character or an odd line break is returned as decoded (one scan);
    with one, each rule still applies."""
    import re

    from hypothesis import given, settings, strategies as st

    from digest.errors import SourceError

    breaks = str.maketrans({c: "\n" for c in "\r\x0b\x0c\x85\u2028\u2029"})

    @settings(max_examples=1500, deadline=None)
    @given(st.lists(st.sampled_from(["a", "é", " ", "\n", "\r\n", "\r", "\t", "\x0b", "\x0c", "\x85", "\u2028", "\u2029", "\x01", "\x1f",
                                     "\x7f", "\x80", "\x9f", "\u00a0", "€", "word "]), max_size=30).map("".join))
    def check(raw: str) -> None:
        expected = re.sub(r"[\x00-\x08\x0e-\x1f\x7f]", "", raw.replace("\r\n", "\n").translate(breaks))
        try:
            text, _ = decode(raw.encode("utf-8"), "x.txt")
        except SourceError:
            assert not expected.strip() or len(re.findall(r"[\x00-\x08\x0e-\x1f\x7f]", raw)) > 8
            return
        assert text == expected

    check()


def test_plain_paragraphs_are_what_markdown_it_makes_of_them() -> None:
    from hypothesis import given, settings, strategies as st

    from digest.readers.markdown import _parsed_blocks, _plain_paragraphs

    for plain in ('The "first" one.\n\n£5 for two: 1. a\n', "Sales; M&S and AT&T\n", 'He said: "[Oil prices] will weigh [on] us" ] [\n'):
        assert _plain_paragraphs(plain) == _parsed_blocks(plain)
    for other in ("# Head\n", "a\nb\n", "1. item\n", "- item\n", "    code\n", "a *b*\n", "x\n===\n", "[a]: /b\n", "> q\n", "Tom &amp; Jerry\n",
                  "See [a](http://x.org)\n", "An ![a](b.png)\n", "a [b [c](d) e]\n", "a  b\n", "a b \n", "a\tb\n", "a\u00a0b\n", "a\u2009b\n"):
        assert _plain_paragraphs(other) is None, other

    pieces = ["a", "Word", "1", "12", "9.", "1)", " ", "  ", "\n", "\n\n", ".", ",", ":", "!", "?", "#", "-", "+", "=", "*", "_", "`", "~",
              "[", "]", "(", ")", "<", ">", "&", "\\", '"', "'", "“", "£", "$", "|", "{", "@", "\t", "\u00a0", "\u2028", "\x0c", "\x01", "é",
              "\u0301", "\ufeff", "\u200b", "٣", "²", "===", "---", "```", "    ", ";", "amp;", "#1;", "M&S",
              "[a]", "](", "![", "[a](b)", "[b]: c", "\u2009", "\u3000", "\x1c", "\r"]

    @settings(max_examples=4000, deadline=None)
    @given(st.lists(st.sampled_from(pieces), max_size=25).map("".join))
    def check(body: str) -> None:
        plain = _plain_paragraphs(body)
        if plain is not None:
            taken.append(body)
            assert pickle.dumps(plain) == pickle.dumps(_parsed_blocks(body))

    import pickle

    taken: list[str] = []
    check()
    assert len(taken) > 200


def test_odd_space_is_every_white_space_but_the_space() -> None:
    import re
    import sys

    from digest.readers.markdown import _ODD_SPACE

    odd = re.compile(f"[{_ODD_SPACE}]")
    assert {c for c in map(chr, range(sys.maxunicode + 1)) if odd.match(c)} == {
        c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() and c != " "}
