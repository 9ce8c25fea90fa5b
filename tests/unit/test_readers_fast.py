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
