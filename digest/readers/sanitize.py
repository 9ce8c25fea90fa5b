"""Allow-list sanitising of the HTML that content brings into a page, with nh3.

Content is untrusted: scraped pages and raw HTML in Markdown may carry scripts, event
handlers, ``javascript:``/``data:`` URLs, frames, ``<base>``, SVG or CSS tricks. Only
the inline markup our Markdown renderer makes survives: emphasis, code, strike-through,
line breaks, links and images with http(s)/mailto (or relative) URLs. Everything
else is removed; the text of removed elements is kept unless it is code (script, style).
"""
from __future__ import annotations

from functools import lru_cache, partial
from typing import Callable

import nh3

#: Inline elements a body block may contain.
ALLOWED_TAGS = frozenset({"a", "abbr", "b", "br", "cite", "code", "del", "em", "i", "img", "kbd", "mark", "q", "s", "small", "strong", "sub", "sup"})
#: Attributes kept per element; every other attribute (``on*``, ``style``, ``srcset``…) is dropped.
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"}, "q": {"cite"}}
#: URL schemes allowed in ``href``/``src``/``cite``; relative URLs are kept too.
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
#: Elements removed together with their content.
DROP_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "embed", "noscript", "svg", "math", "title", "textarea", "select"})


def sanitize_html(html: str) -> str:
    """Return ``html`` reduced to the allow-list (see the module docstring); idempotent."""
    if "<" not in html and "&" not in html:
        return html
    return _cleaner()(html)


@lru_cache(maxsize=1)
def _cleaner() -> Callable[[str], str]:
    """One nh3 sanitiser for the allow-list, built once per process: ``nh3.clean`` builds
    a new one on every call (three quarters of its time on a paragraph)."""
    if not hasattr(nh3, "Cleaner"):  # nh3 before 0.2.18
        return partial(
            nh3.clean, tags=set(ALLOWED_TAGS), clean_content_tags=set(DROP_WITH_CONTENT),
            attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()}, url_schemes=set(ALLOWED_SCHEMES),
            link_rel=None, strip_comments=True,
        )
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel=None,
        strip_comments=True,
    ).clean
