"""What ``digest inspect`` prints: one record per article (the contract tests and evaluations use)."""
from __future__ import annotations

import json
from typing import Any

from .model import Article

#: Keys of an inspect record, in order. Keep stable: evaluations depend on them.
KEYS = (
    "path", "slug", "title", "standfirst", "date", "date_from_mtime", "byline", "url", "body", "summary",
    "keyphrases", "tags", "entities", "section", "related", "duplicate_of", "duplicates", "removed",
)


def record(article: Article) -> dict[str, Any]:
    """The inspect record of one article, as plain JSON-ready data."""
    return {
        "path": article.source,
        "slug": article.slug,
        "title": article.title,
        "standfirst": article.standfirst,
        "date": article.date.isoformat() if article.date else None,
        "date_from_mtime": article.date_from_mtime,
        "byline": article.byline,
        "url": article.url,
        "body": article.body_text,
        "summary": list(article.summary),
        "keyphrases": list(article.keyphrases),
        "tags": list(article.tags),
        "entities": [{"name": e.name, "kind": e.kind} for e in article.entities],
        "section": article.section,
        "related": [{"slug": r.slug, "title": r.title, "score": round(r.score, 4)} for r in article.related],
        "duplicate_of": article.duplicate_of,
        "duplicates": list(article.duplicates),
        "removed": [{"text": r.text, "reason": r.reason} for r in article.removed],
    }


def to_json(article: Article) -> str:
    """One line of JSON."""
    return json.dumps(record(article), ensure_ascii=False)


def to_text(article: Article) -> str:
    """The same record, for people."""
    rec = record(article)
    lines = [f"== {rec['path']}  ->  articles/{rec['slug']}/"]
    for key in ("title", "standfirst", "date", "byline", "url", "section", "duplicate_of"):
        value = rec[key]
        if value:
            suffix = " (file modification time)" if key == "date" and rec["date_from_mtime"] else ""
            lines.append(f"{key:>12}: {value}{suffix}")
    lines.append(f"{'summary':>12}:")
    lines += [f"    - {s}" for s in rec["summary"]]
    lines.append(f"{'tags':>12}: {', '.join(rec['tags'])}")
    lines.append(f"{'keyphrases':>12}: {', '.join(rec['keyphrases'])}")
    lines.append(f"{'entities':>12}: {', '.join(e['name'] + ' (' + e['kind'] + ')' for e in rec['entities'])}")
    lines.append(f"{'related':>12}:")
    lines += [f"    - {r['title']} [{r['slug']}] {r['score']:.3f}" for r in rec["related"]]
    if rec["duplicates"]:
        lines.append(f"{'same story':>12}: {', '.join(rec['duplicates'])}")
    lines.append(f"{'body':>12}:")
    lines += [f"    {para}" for para in rec["body"].split("\n\n")]
    lines.append(f"{'removed':>12}: {len(rec['removed'])} line(s)")
    lines += [f"    - [{r['reason']}] {r['text']}" for r in rec["removed"]]
    return "\n".join(lines)
