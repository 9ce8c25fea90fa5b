"""Make a deterministic corpus of N articles in the three input formats, for benchmarks.

Articles are drawn (with replacement when N is larger than the data) from the BBC
articles of ``../shared/data/summaries/dev.jsonl``; copies get a numbered headline and
a different date, so slugs stay unique. Every third article is Markdown with front
matter and tags, every third plain text with a trailing list of other headlines,
every third a saved HTML page.

    python benchmarks/make_corpus.py 1000 /tmp/corpus1k
"""
from __future__ import annotations

import argparse
import html
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "summaries" / "dev.jsonl"


def load_records(path: Path = DATA) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def make_corpus(n: int, out: Path, seed: int = 1, formats: str = "md,txt,html") -> list[Path]:
    """Write ``n`` articles under ``out``, cycling through ``formats`` (comma-separated)."""
    kinds = [{"md": 0, "txt": 1, "html": 2}[f.strip()] for f in formats.split(",")]
    records = load_records()
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    written = []
    for i in range(n):
        rec = records[i % len(records)]
        copy = i // len(records)
        title = rec["title"] if copy == 0 else f"{rec['title']} ({copy + 1})"
        date = start + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        paragraphs = rec["text"].split("\n\n")
        name = f"{date:%Y-%m-%d}-{rec['id']}-{copy}"
        kind = kinds[i % len(kinds)]
        if kind == 0:
            path = out / rec["category"] / f"{name}.md"
            front = f"---\ntitle: {json.dumps(title)}\ndate: {date.isoformat()}\ntags: [{rec['category']}]\nauthor: Staff writer\n---\n"
            body = front + "\n\n".join(paragraphs) + "\n"
        elif kind == 1:
            path = out / rec["category"] / f"{name}.txt"
            others = [records[rng.randrange(len(records))]["title"] for _ in range(6)]
            body = "\n".join([title, f"Published {date:%d %B %Y}", *paragraphs, "", "", *others]) + "\n"
        else:
            path = out / rec["category"] / f"{name}.html"
            ps = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
            body = (
                f"<!doctype html><html><head><title>{html.escape(title)} | Example News</title>"
                f'<meta property="article:published_time" content="{date.isoformat()}"></head><body>'
                f'<nav><a href="/">Home</a> <a href="/news">News</a></nav><article><h1>{html.escape(title)}</h1>{ps}</article>'
                "<footer>Copyright Example News</footer></body></html>\n"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--formats", default="md,txt,html", help="comma-separated formats to cycle through (md, txt, html)")
    args = parser.parse_args()
    files = make_corpus(args.n, args.out, formats=args.formats)
    print(f"wrote {len(files)} articles to {args.out}")


if __name__ == "__main__":
    main()
