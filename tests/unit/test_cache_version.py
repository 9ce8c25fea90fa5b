"""The article cache's key leaves out the modules that run after the article stages.

That is only safe while no article-stage module can reach them: this test reads every
module's imports and fails as soon as one does.
"""
from __future__ import annotations

import ast
from pathlib import Path

from digest import cache

PACKAGE = Path(cache.__file__).resolve().parent
LATER = {name[: -len(".py")] for name in cache.AFTER_ARTICLES}


def _imported(path: Path, folder: tuple[str, ...] = ()) -> set[str]:
    """The digest modules ``path`` imports (top-level names inside the package); ``folder``
    is the file's subpackage inside digest (relative imports start from there)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = [p for p in (node.module or "").split(".") if p]
            if node.level:
                base = list(folder[: len(folder) - (node.level - 1)])
                parts = base + module
            elif module and module[0] == "digest":
                parts = module[1:]
            else:
                continue
            if parts:
                names.add(parts[0])
            else:  # "from . import render"
                names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                bits = alias.name.split(".")
                if bits[0] == "digest" and len(bits) > 1:
                    names.add(bits[1])
    return names


def test_article_stage_modules_never_import_the_later_ones() -> None:
    checked = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in cache.AFTER_ARTICLES or rel == "__init__.py":  # the package exports every stage
            continue
        checked += 1
        found = _imported(path, path.parent.relative_to(PACKAGE).parts) & LATER
        assert not found, f"{rel} imports {sorted(found)}"
    assert checked >= 10


def test_the_import_reader_sees_each_form(tmp_path: Path) -> None:
    sample = PACKAGE / "clean.py"
    assert "text" in _imported(sample) and "model" in _imported(sample)
    assert "model" in _imported(PACKAGE / "readers" / "html.py", ("readers",))
    fake = tmp_path / "fake.py"
    for line, name in (("from . import render", "render"), ("from .relate import relate", "relate"),
                       ("import digest.write", "write"), ("from digest.search import x", "search")):
        fake.write_text(line + "\n", encoding="utf-8")
        assert name in _imported(fake), line


def test_the_article_version_ignores_later_modules_only() -> None:
    assert cache.code_version(articles_only=True) != cache.code_version()
    assert {"render.py", "relate.py", "write.py"} <= cache.AFTER_ARTICLES
    assert not {"stages.py", "clean.py", "summarize.py", "tag.py", "text.py", "readers/markdown.py"} & cache.AFTER_ARTICLES
    # the orchestration decides what to remake; what an article is made into is stages.py's
    assert "pipeline.py" in cache.AFTER_ARTICLES


def test_an_entry_is_stale_when_a_word_it_holds_moved_few_or_many() -> None:
    from digest.model import Article

    words = ("apple", "harbour", "mill", "quay")
    entry = cache.Entry("k", Article(source="a.md", format="markdown", slug="a"), vocab=cache.joined(reversed(words)), idf_words=("zebra",))
    assert entry.vocab == "apple\nharbour\nmill\nquay" and cache.vocab_words(entry.vocab) == list(words)
    for extra in (0, 100):  # the few-words path and the split path
        others = frozenset(f"w{i}" for i in range(extra))
        assert cache.stale_stats(entry, others | {"mill"})
        assert cache.stale_stats(entry, others | {"apple"}) and cache.stale_stats(entry, others | {"quay"})
        assert cache.stale_stats(entry, others | {"zebra"})
        assert not cache.stale_stats(entry, others | {"app", "ill", "our", "quays"})
        assert not cache.stale_stats(entry, others)
    assert cache.stale_stats(entry, None)
    assert cache.vocab_words("") == [] and not cache.stale_stats(cache.Entry("k", entry.article), frozenset({"mill"}))


def test_a_markdown_build_imports_neither_lxml_nor_the_scraped_text_rules() -> None:
    """Both load on first use (digest.clean): a build after a Markdown edit does not pay for them."""
    import subprocess
    import sys

    code = (
        "import sys, types, digest.pipeline\n"
        "rules = sys.modules['digest.clean_rules']\n"
        "assert 'lxml.etree' not in sys.modules, 'lxml imported'\n"
        "assert type(rules) is not types.ModuleType, 'rules loaded'\n"
        "from digest import clean\n"
        "assert clean.rules.DATE_LINE.pattern and type(rules) is types.ModuleType\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
