"""Compare the site's own search (``search-index.js`` + ``search.js``) with Pagefind on a built site.

Prints, for each engine: index size on disk (raw and gzipped for ours; the whole
``pagefind/`` folder for Pagefind, and the bytes a query actually downloads), the time
to get ready in the page, query time in headless Chromium (median and p95 over the
queries), and result quality on known-item queries made from the site itself:

- ``headline``: the two rarest words (4+ letters) of an article's headline;
- ``summary``: the two rarest words of its summary that are not in its headline;
- ``tag``: a tag's name; every article with that tag is relevant (precision@10).

For known-item queries an article counts as found when it (or a numbered copy of it
made by ``make_corpus.py``, same headline without the " (n)" suffix) is in the top 10;
we report success@10 and MRR@10.

    python benchmarks/make_corpus.py 10000 /tmp/c10k
    python -m digest build --content /tmp/c10k --out /tmp/c10k-site
    python benchmarks/search.py /tmp/c10k-site --queries 300

Needs Playwright and Chromium (``/usr/bin/chromium``) for the browser timings, and
``pagefind[extended]`` (PyPI) for Pagefind; without Pagefind only our index is measured.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from digest.search import STOP_WORDS, fold  # noqa: E402

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
_COPY = re.compile(r" \(\d+\)$")


def load_index(site: Path) -> dict:
    text = (site / "search-index.js").read_text(encoding="utf-8")
    return json.loads(text[len("window.DIGEST_SEARCH="):].rstrip().rstrip(";"))


def base(headline: str) -> str:
    return _COPY.sub("", headline)


def make_queries(index: dict, n: int, seed: int = 7) -> list[dict]:
    """Known-item and tag queries, deterministic for a given index."""
    docs = index["docs"]
    df_title = Counter(w for d in docs for w in set(fold(d[0]).split()))
    df_summary = Counter(w for d in docs for w in set(fold(d[3]).split()))
    rng = random.Random(seed)
    picks = rng.sample(range(len(docs)), min(n, len(docs)))
    queries: list[dict] = []
    for i in picks:
        doc = docs[i]
        title_words = [w for w in dict.fromkeys(fold(doc[0]).split()) if len(w) >= 4 and w not in STOP_WORDS and not w.isdigit()]
        if len(title_words) >= 2:
            words = sorted(title_words, key=lambda w: (df_title[w], w))[:2]
            queries.append({"kind": "headline", "q": " ".join(words), "target": base(doc[0])})
        seen = set(fold(doc[0]).split())
        summary_words = [w for w in dict.fromkeys(fold(doc[3]).split())
                         if len(w) >= 4 and w not in STOP_WORDS and w not in seen and not w.isdigit()]
        if len(summary_words) >= 2:
            words = sorted(summary_words, key=lambda w: (df_summary[w], w))[:2]
            queries.append({"kind": "summary", "q": " ".join(words), "target": base(doc[0])})
    tag_use = Counter(t for d in docs for t in d[4])
    for tag_id, _ in sorted(tag_use.items(), key=lambda kv: (-kv[1], kv[0]))[: max(10, n // 10)]:
        queries.append({"kind": "tag", "q": index["tags"][tag_id], "tag": tag_id})
    return queries


def quality(queries: list[dict], results: list[list[str]], index: dict) -> dict[str, dict[str, float]]:
    """success@10 and MRR@10 per known-item kind; precision@10 for tags. ``results`` are slugs."""
    by_slug = {d[1]: d for d in index["docs"]}
    out: dict[str, dict[str, float]] = {}
    for kind in ("headline", "summary", "tag"):
        rows = [(q, r) for q, r in zip(queries, results) if q["kind"] == kind]
        if not rows:
            continue
        if kind == "tag":
            precision = [sum(1 for s in r[:10] if s in by_slug and q["tag"] in by_slug[s][4]) / 10 for q, r in rows]
            out[kind] = {"queries": len(rows), "precision@10": statistics.mean(precision)}
            continue
        ranks = []
        for q, r in rows:
            rank = next((k + 1 for k, s in enumerate(r[:10]) if s in by_slug and base(by_slug[s][0]) == q["target"]), None)
            ranks.append(rank)
        out[kind] = {
            "queries": len(rows),
            "success@10": sum(1 for r in ranks if r) / len(rows),
            "MRR@10": statistics.mean(1 / r if r else 0 for r in ranks),
        }
    return out


def folder_size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def run_pagefind(site: Path) -> dict | None:
    """Index the article pages with Pagefind; ``None`` when it is not installed."""
    try:
        import pagefind  # noqa: F401
    except ImportError:
        return None
    out = site / "pagefind"
    if out.exists():
        shutil.rmtree(out)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site), "--glob", "articles/**/*.html", "--output-path", str(out)],
        capture_output=True, text=True,
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-2000:], file=sys.stderr)
        return None
    size, count = folder_size(out)
    return {"seconds": seconds, "bytes": size, "files": count}


def _percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


def browser_runs(site: Path, queries: list[dict], with_pagefind: bool) -> dict:
    from playwright.sync_api import sync_playwright

    from digest.serve import make_server

    server, _ = make_server(site, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = "http://%s:%d/" % server.server_address[:2]
    texts = [q["q"] for q in queries]
    out: dict = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            started = time.perf_counter()
            page.goto(url + "search/index.html")
            page.wait_for_function("typeof window.digestSearch === 'function'")
            ready = time.perf_counter() - started
            page.wait_for_timeout(100)  # let the page fold the index in the background, as a reader would
            own = page.evaluate(
                """(qs) => { const docs = window.DIGEST_SEARCH.docs; const t0 = performance.now();
                   window.digestSearch('warm up'); const cold = performance.now() - t0;
                   const times = [], results = [];
                   for (const q of qs) { const t = performance.now(); const r = window.digestSearch(q);
                     times.push(performance.now() - t); results.push(r.slice(0, 10).map(i => docs[i][1])); }
                   return {cold, times, results}; }""",
                texts,
            )
            out["own"] = {"ready_s": ready, "first_query_ms": own["cold"], "times": own["times"], "results": own["results"]}
            if with_pagefind:
                page = browser.new_page()
                transferred: list[int] = []
                page.on("response", lambda r: "/pagefind/" in r.url and transferred.append(int(r.headers.get("content-length", "0"))))
                page.goto(url + "index.html")
                started = time.perf_counter()
                page.evaluate("async () => { window.pf = await import('/pagefind/pagefind.js'); await window.pf.init(); }")
                ready = time.perf_counter() - started
                init_bytes = sum(transferred)
                pf = page.evaluate(
                    """async (qs) => { const times = [], results = [];
                       for (const q of qs) { const t = performance.now(); const r = await window.pf.search(q);
                         const data = await Promise.all(r.results.slice(0, 10).map(x => x.data()));
                         times.push(performance.now() - t);
                         results.push(data.map(d => (d.url.match(/articles\\/([a-z0-9-]+)\\//) || [, ''])[1])); }
                       return {times, results}; }""",
                    texts,
                )
                out["pagefind"] = {"ready_s": ready, "times": pf["times"], "results": pf["results"],
                                   "init_bytes": init_bytes, "query_bytes": sum(transferred) - init_bytes}
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path, help="a built site/ folder")
    parser.add_argument("--queries", type=int, default=300, help="articles to make known-item queries from")
    parser.add_argument("--no-pagefind", action="store_true")
    args = parser.parse_args(argv)
    site = args.site.resolve()
    index = load_index(site)
    raw = (site / "search-index.js").read_bytes()
    js = (site / "search.js").read_bytes()
    queries = make_queries(index, args.queries)
    print(f"site: {site} ({len(index['docs'])} articles, {len(queries)} queries)")
    print(f"own index: search-index.js {len(raw) / 1e6:.2f} MB raw, {len(gzip.compress(raw, 6)) / 1e6:.2f} MB gzip; "
          f"search.js {len(js) / 1e3:.1f} kB; 1 file, loaded once by <script> (works from file://)")
    pf = None if args.no_pagefind else run_pagefind(site)
    if pf:
        print(f"pagefind: indexed in {pf['seconds']:.1f} s; {pf['bytes'] / 1e6:.2f} MB in {pf['files']} files "
              "(fetch + WebAssembly: needs http://, not file://)")
    elif not args.no_pagefind:
        print("pagefind: not installed (pip install 'pagefind[extended]') or failed; skipped")
    runs = browser_runs(site, queries, pf is not None)
    for name, run in runs.items():
        times = run["times"]
        extra = ""
        if name == "own":
            extra = f"; first query after load {run['first_query_ms']:.0f} ms"
        else:
            extra = f"; downloaded {run['init_bytes'] / 1e3:.0f} kB to start, {run['query_bytes'] / 1e3:.0f} kB for all queries"
        print(f"{name}: ready in {run['ready_s'] * 1000:.0f} ms; query median {statistics.median(times):.2f} ms, "
              f"p95 {_percentile(times, 0.95):.2f} ms{extra}")
        for kind, figures in quality(queries, run["results"], index).items():
            shown = ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in figures.items())
            print(f"  {kind}: {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
