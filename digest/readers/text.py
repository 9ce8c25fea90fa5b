"""Reader for plain text saved from a news page (``.txt``); ``clean`` finds its parts."""
from __future__ import annotations

from ..model import Article, SourceFile


def read_text(source: SourceFile, text: str, slug: str) -> Article:
    """The whole file goes to ``raw``; title, body and boilerplate are found by ``clean``."""
    return Article(source=source.rel, format="text", slug=slug, raw=text)
