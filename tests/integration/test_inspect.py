"""The ``digest inspect`` contract: keys, types and the seed article."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest.cli import main
from digest.records import KEYS

from .test_build import MD, TXT

SEED_HEADLINES = 16


def _inspect(capsys, *args: str) -> list[dict]:
    code = main(["inspect", "--format", "json", *args])
    out = capsys.readouterr().out
    assert code == 0
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_inspect_contract(make_project, capsys) -> None:
    root = make_project({"a.txt": TXT, "b.md": MD})
    records = _inspect(capsys, str(root / "a.txt"), str(root / "b.md"))
    assert len(records) == 2
    for rec in records:
        assert tuple(rec) == KEYS
        assert isinstance(rec["summary"], list) and 1 <= len(rec["summary"]) <= 3
        assert all(s in rec["body"] for s in rec["summary"])
        assert isinstance(rec["keyphrases"], list) and len(rec["keyphrases"]) <= 20
        assert all(set(e) == {"name", "kind"} and e["kind"] in {"person", "organisation", "place"} for e in rec["entities"])
        assert all(set(r) == {"slug", "title", "score"} for r in rec["related"])
        assert all(set(r) == {"text", "reason"} for r in rec["removed"])
    a, b = records
    assert a["related"][0]["slug"] == b["slug"]
    assert b["related"][0]["slug"] == a["slug"]


def test_inspect_sentences_flag(make_project, capsys) -> None:
    root = make_project({"b.md": MD})
    (rec,) = _inspect(capsys, "--sentences", "1", str(root / "b.md"))
    assert len(rec["summary"]) == 1


def test_inspect_ratio_flag(make_project, capsys) -> None:
    root = make_project({"b.md": MD})
    (full,) = _inspect(capsys, str(root / "b.md"))
    (rec,) = _inspect(capsys, "--ratio", "0.01", str(root / "b.md"))
    assert len(full["summary"]) > 1
    assert len(rec["summary"]) == 1 and rec["summary"][0] in full["summary"]
    with pytest.raises(SystemExit):
        main(["inspect", "--ratio", "2", str(root / "b.md")])
    assert "expected a number from 0 to 1" in capsys.readouterr().err


def test_inspect_text_format(make_project, capsys) -> None:
    root = make_project({"b.md": MD})
    assert main(["inspect", str(root / "b.md")]) == 0
    out = capsys.readouterr().out
    assert "Northwind Batteries to supply" in out and "summary:" in out


def test_seed_article(seed_text: str, make_project, capsys) -> None:
    root = make_project({"seed.txt": seed_text})
    (rec,) = _inspect(capsys, str(root / "seed.txt"))
    lines = [line.strip() for line in seed_text.splitlines() if line.strip()]
    body_lines, headlines = lines[:-SEED_HEADLINES], lines[-SEED_HEADLINES:]
    paragraphs = [p for p in rec["body"].split("\n\n")]
    # every body line kept (the first line is the standfirst; it is part of the body text)
    for line in body_lines[1:]:
        assert line in paragraphs, line
    # none of the 16 trailing headlines left
    for line in headlines:
        assert line not in rec["body"]
        assert line in [r["text"].strip() for r in rec["removed"]]
    assert len(rec["summary"]) == 3
    tags = {t.lower() for t in rec["tags"]}
    for wanted in ("xiaomi", "lei jun", "tesla", "su7"):
        assert wanted in tags, (wanted, rec["tags"])


def test_seed_subheadings_recognised() -> None:
    from digest import load_config
    from digest.pipeline import inspect

    root = Path(__file__).resolve().parents[2]
    path = root / "content" / "2024-07-19-xiaomi-ev-sanctions.txt"
    articles, _ = inspect([path], load_config(root=root))
    headings = [b.text for b in articles[0].body if b.kind == "h"]
    assert headings == ["Sanctions Lead to Diversification", "Xiaomi’s Ambitious EV Goals", "Trump’s Impact on EV Industry"]
