"""Safe, URL-friendly slugs for articles, tags and sections."""
from __future__ import annotations

import hashlib
import re
import unicodedata

_WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(1, 10)] + [f"lpt{i}" for i in range(1, 10)]
)

#: What a slug never holds: each run becomes one hyphen.
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, max_length: int = 80) -> str:
    """Lower-case ASCII letters, digits and single hyphens; never empty, never a reserved name.

    Accents are folded ("Café" → "cafe"); text with no ASCII letters or digits at all gets
    a short hash so that it still has a stable, unique-enough name.
    """
    # ASCII text has nothing to decompose or drop: only its case to fold
    folded = text.lower() if text.isascii() else unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = _NOT_SLUG.sub("-", folded).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        slug = cut.rsplit("-", 1)[0] if "-" in cut[max_length // 2 :] else cut
        slug = slug.strip("-")
    if not slug:
        slug = "x-" + hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return not_reserved(slug)


def not_reserved(slug: str) -> str:
    """``slug``, or ``slug-1`` when it is a name Windows reserves for devices (``con``, ``nul``…),
    so that the site can be copied to and served from any file system."""
    return f"{slug}-1" if slug in _WINDOWS_RESERVED else slug
