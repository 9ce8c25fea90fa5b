"""Benchmark of the relate stage on the BBC dev set (sections as ground truth).

Prints, for ``digest.relate.relate`` (count=5, min_score=0) and for an all-pairs TF-IDF cosine
baseline computed in the same run:

* precision@5 of same-section links and MRR of the first same-section link;
* duplicate-pair recall/precision against word 5-gram Jaccard ≥ 0.8 pairs (computed here, all pairs);
* timings of the relate stage at ~1k articles, and at ``--scale N,M,…`` articles (each size in a
  fresh process, so its peak RSS is its own; N articles made by mixing paragraphs of same-section
  articles, with a share of words re-spelled so the vocabulary grows), with incremental
  ``relate_with`` timings (one edit, one addition, one deletion, with the previous state, each
  checked against ``relate``; then a few more additions and deletions).
* with ``--content DIR``: the same on a content folder read by the pipeline (e.g. the copy-heavy
  corpus of ``make_corpus.py``), its loaded articles kept in ``--content-cache``.

* precision by score bucket (to calibrate ``related.min_score``), and precision/links per article at
  the configured default ``min_score``;
* both halves of the dev file (split by a hash of the id), so tuning that helps one half only shows;
* a spot-check: the first grouped pairs, headline and opening words of each, to read;
* peak memory (max RSS) of each scale run, and the RSS with only the articles loaded.

Usage::

    python benchmarks/related.py [--data PATH] [--scale 1000,10000,100000] [--no-tag] [--half a|b|all] [--spot 10]
    python benchmarks/related.py --content /tmp/rc10k --content-cache /tmp/rc10k.pkl

The tag stage (``digest.tag.tag``) is run when it imports, so keyphrases and entities are used;
``--no-tag`` leaves them empty.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import pickle
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest.config import RelatedConfig  # noqa: E402
from digest.model import Article, Block  # noqa: E402
from digest.relate import RelateState, relate, relate_with  # noqa: E402
from digest.text import content_words, split_sentences, stem, words  # noqa: E402

DEFAULT_DATA = ROOT / ".." / "shared" / "data" / "summaries" / "dev.jsonl"
BASE_DATE = datetime(2005, 1, 1, tzinfo=timezone.utc)


def load(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def half_of(rec: dict) -> str:
    """A deterministic half ('a' or 'b') of the records, for checking tuning does not overfit."""
    h = int(hashlib.sha256(("relate-half:" + rec["id"]).encode()).hexdigest()[:8], 16)
    return "a" if h % 2 == 0 else "b"


def to_article(rec: dict, date: datetime) -> Article:
    paras = [p for p in rec["text"].split("\n\n") if p.strip()]
    body = tuple(Block("p", p) for p in paras)
    sentences = tuple(s for p in paras for s in split_sentences(p))
    return Article(
        source=rec["id"] + ".txt",
        format="text",
        slug=rec["id"],
        title=rec["title"],
        date=date,
        body=body,
        sentences=sentences,
    )


def maybe_tag(articles: list[Article], enabled: bool) -> tuple[list[Article], str]:
    if not enabled:
        return articles, "off"
    try:
        from digest import tag as tag_mod  # type: ignore[attr-defined]
        from digest.config import TagsConfig
        from digest.text import corpus_stats

        stats = corpus_stats(a.body_text for a in articles)
        cfg = TagsConfig()
        t0 = time.perf_counter()
        tagged = [tag_mod.tag(a, stats, cfg) for a in articles]
        return tagged, f"on ({time.perf_counter() - t0:.2f} s)"
    except Exception as exc:  # the tag stage is optional here
        return articles, f"off ({type(exc).__name__}: {exc})"


# -- ground truth and baseline -------------------------------------------------------------------


def shingles(text: str, n: int = 5) -> frozenset[tuple[str, ...]]:
    ws = words(text)
    return frozenset(tuple(ws[i : i + n]) for i in range(len(ws) - n + 1))


def jaccard_pairs(recs: list[dict], threshold: float = 0.8) -> set[frozenset[str]]:
    """All pairs (all-pairs, with a size bound) whose body 5-gram Jaccard is ≥ threshold."""
    sh = [shingles(r["text"]) for r in recs]
    order = sorted(range(len(recs)), key=lambda i: len(sh[i]))
    pairs = set()
    for x, i in enumerate(order):
        a = sh[i]
        for j in order[x + 1 :]:
            b = sh[j]
            if len(a) < threshold * len(b):
                break
            inter = len(a & b)
            if inter and inter / (len(a) + len(b) - inter) >= threshold:
                pairs.add(frozenset((recs[i]["id"], recs[j]["id"])))
    return pairs


def baseline_rankings(
    recs: list[dict], k: int, exclude: set[frozenset[str]], strong: bool = False
) -> dict[str, list[str]]:
    """TF-IDF cosine over title + body (stemmed content words), all pairs.

    Plain: raw tf × log(N/df). Strong: (1 + log tf) × (log((N+1)/(df+1)) + 1), as in a tuned
    scikit-learn ``TfidfVectorizer(sublinear_tf=True)``.
    """
    docs = [Counter(stem(w) for w in content_words(r["title"] + "\n\n" + r["text"])) for r in recs]
    n = len(docs)
    df: Counter[str] = Counter()
    for d in docs:
        df.update(d.keys())
    vecs = []
    for d in docs:
        if strong:
            v = {t: (1 + math.log(c)) * (math.log((n + 1) / (df[t] + 1)) + 1) for t, c in d.items()}
        else:
            v = {t: c * math.log(n / df[t]) for t, c in d.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vecs.append({t: x / norm for t, x in v.items() if x > 0})
    try:
        import numpy as np

        vocab = {t: i for i, t in enumerate(df)}
        m = np.zeros((n, len(vocab)))
        for i, v in enumerate(vecs):
            for t, x in v.items():
                m[i, vocab[t]] = x
        sims = m @ m.T
    except ImportError:  # pure Python (slow, fine for ~1k)
        sims = [[sum(x * vb.get(t, 0.0) for t, x in va.items()) for vb in vecs] for va in vecs]
    out = {}
    for i, r in enumerate(recs):
        row = [
            (-float(sims[i][j]), recs[j]["id"])
            for j in range(n)
            if j != i and frozenset((r["id"], recs[j]["id"])) not in exclude
        ]
        row.sort()
        out[r["id"]] = [s for _, s in row[:k]]
    return out


def score_rankings(rankings: dict[str, list[str]], cat: dict[str, str], k: int) -> tuple[float, float]:
    """Precision@k (links counted against k: a short list loses) and MRR of the first same-section link."""
    p, rr = 0.0, 0.0
    for slug, links in rankings.items():
        hits = [cat[s] == cat[slug] for s in links[:k]]
        p += sum(hits) / k
        rr += next((1.0 / (i + 1) for i, h in enumerate(hits) if h), 0.0)
    n = len(rankings) or 1
    return 100 * p / n, rr / n


# -- scaling -------------------------------------------------------------------------------------


def synthetic(recs: list[dict], total: int, seed: int = 7) -> list[dict]:
    """``total`` records: the originals, then mixes of 2–4 paragraphs of same-section records, with
    about 15% of the words re-spelled per copy (so the vocabulary grows like a real corpus)."""
    return list(synthetic_iter(recs, total, seed))


def synthetic_iter(recs: list[dict], total: int, seed: int = 7) -> Iterator[dict]:
    """:func:`synthetic`, one record at a time (so a large corpus is never held twice)."""
    rng = random.Random(seed)
    by_cat: dict[str, list[dict]] = {}
    for r in recs:
        by_cat.setdefault(r["category"], []).append(r)
    cats = sorted(by_cat)
    yield from recs[:total]
    made = min(total, len(recs))
    c = 0
    while made < total:
        c += 1
        cat = cats[c % len(cats)]
        pool = by_cat[cat]
        paras = []
        for src in rng.sample(pool, 3):
            ps = src["text"].split("\n\n")
            paras.extend(rng.sample(ps, min(len(ps), rng.randint(1, 2))))
        suffix = f"q{c % 997}"

        def respell(p: str) -> str:
            return " ".join(w + suffix if len(w) > 5 and rng.random() < 0.15 else w for w in p.split(" "))

        title = respell(rng.choice(pool)["title"])
        made += 1
        yield {"id": f"syn-{cat}-{c:06d}", "category": cat, "title": title,
               "text": "\n\n".join(respell(p) for p in paras)}


# -- main ----------------------------------------------------------------------------------------


def peak_rss_mb() -> float:
    """Peak RSS of this process: VmHWM (reset by exec, unlike ru_maxrss, which a process started
    from a big parent inherits), else ru_maxrss."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scale_run(recs: list[dict], n: int, k: int = 5) -> None:
    """Time the relate stage on ``n`` synthetic articles (run in a fresh process: see ``main``)."""
    # relate reads the body, never ``sentences``: leave them out so memory holds the text once
    arts, catb = [], {}
    for i, r in enumerate(synthetic_iter(recs, n)):
        arts.append(replace(to_article(r, BASE_DATE + timedelta(days=i % 365)), sentences=()))
        catb[r["id"]] = r["category"]
    base = peak_rss_mb()
    cfg = RelatedConfig(count=k, min_score=0.0)
    def child_cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    t0, c0, k0 = time.perf_counter(), time.process_time(), child_cpu()
    res, state = relate_with(arts, cfg, None)  # relate(), with the state for the incremental runs
    dt, dc, dk = time.perf_counter() - t0, time.process_time() - c0, child_cpu() - k0
    rss = peak_rss_mb()
    rss_child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    pb, mb = score_rankings({a.slug: [r.slug for r in a.related] for a in res}, catb, k)
    groups = sum(1 for a in res if a.duplicates and a.duplicate_of is None)
    forked = f" + {dk:.2f} s CPU in a forked process (peak RSS {rss_child:.0f} MB, pages shared with this one)" if dk else ""
    print(f"scale {n:>7} articles: relate {dt:6.2f} s wall, {dc:6.2f} s CPU{forked}; peak RSS {rss:.0f} MB "
          f"({base:.0f} MB with the articles loaded, before relate); precision@{k} {pb:.1f} on the "
          f"synthetic set, {groups} groups (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)", flush=True)
    incremental_run(arts, cfg, state, n)


def incremental_run(arts: list[Article], cfg: RelatedConfig, state: RelateState, label: object) -> None:
    """Time ``relate_with`` after one edit, one addition and one deletion, given the state of the
    run before (kept in memory, as ``watch`` does, and pickled, as a new ``digest build`` process
    reads it), and check each result equals ``relate`` from scratch; then the median and largest
    time of a few more additions and deletions (their cost varies with the IDF steps they cross)."""
    arts = list(arts)
    blob = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    i = len(arts) // 3
    body = arts[i].body
    edited = replace(arts[i], body=body[:-1] + (replace(body[-1], text=body[-1].text + " Officials gave further details on Tuesday."),))
    steps = [
        ("edit one article", arts[:i] + [edited] + arts[i + 1 :]),
        ("add one article", arts + [replace(arts[i], slug=arts[i].slug + "-copy-x", title=arts[i].title + " (update)")]),
        ("delete one article", arts[:i] + arts[i + 1 :]),
    ]
    for name, changed in steps:
        c0 = time.process_time()
        out, _ = relate_with(changed, cfg, state)
        in_memory = time.process_time() - c0
        c0 = time.process_time()
        out2, _ = relate_with(changed, cfg, pickle.loads(blob))
        from_disk = time.process_time() - c0
        c0 = time.process_time()
        same = out == out2 == relate(changed, cfg)
        check = f"; relate from scratch {time.process_time() - c0:.2f} s CPU, equal: {same}"
        print(f"incremental at {label}: {name}: relate_with {in_memory:.3f} s CPU (state in memory), "
              f"{from_disk:.3f} s CPU (state unpickled){check}", flush=True)
    # an addition or deletion costs what the IDF steps it crosses cost (the rows of the terms whose
    # rounded IDF moves are weighed and scored again): a few more, spread over the corpus
    spread = sorted({min(len(arts) - 1, len(arts) * j // 7 + 3) for j in range(1, 7)})
    for name, made in (("additions", lambda j: arts + [replace(arts[j], slug=arts[j].slug + "-copy-y")]),
                       ("deletions", lambda j: arts[:j] + arts[j + 1 :])):
        cpu = []
        for j in spread:
            c0 = time.process_time()
            relate_with(made(j), cfg, state)
            cpu.append(time.process_time() - c0)
        print(f"incremental at {label}: {len(cpu)} more {name} (state in memory): median "
              f"{statistics.median(cpu):.3f} s CPU, max {max(cpu):.3f} s", flush=True)
    print(f"state at {label}: {len(blob) / 1e6:.1f} MB pickled", flush=True)


def content_run(folder: Path, cache: Path | None, k: int) -> None:
    """Time the stage on the articles of a content folder (read, cleaned, summarised and tagged by
    the pipeline; kept in ``cache``, a pickle, for the next run), with incremental timings."""
    if cache is not None and cache.exists():
        with open(cache, "rb") as f:
            arts = pickle.load(f)
    else:
        from digest.config import load_config
        from digest.discover import discover
        from digest.pipeline import load as load_corpus

        config = load_config(None, root=folder.parent)
        config = replace(config, paths=replace(config.paths, content=folder.resolve()))
        sources, _ = discover(config.paths.content)
        arts = list(load_corpus(sources, config).articles)
        if cache is not None:
            with open(cache, "wb") as f:
                pickle.dump(arts, f, protocol=pickle.HIGHEST_PROTOCOL)
    cfg = RelatedConfig(count=k)
    c0 = time.process_time()
    relate(arts, cfg)
    cold = time.process_time() - c0
    c0 = time.process_time()
    out, state = relate_with(arts, cfg, None)
    first = time.process_time() - c0
    groups = sum(1 for a in out if a.duplicates and a.duplicate_of is None)
    print(f"content {folder}: {len(arts)} articles, {groups} same-story groups; relate {cold:.2f} s CPU, "
          f"relate_with(no state) {first:.2f} s CPU (load average {os.getloadavg()[0]:.1f})", flush=True)
    incremental_run(arts, cfg, state, len(arts))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--scale", type=lambda v: [int(x) for x in v.split(",") if x], default=[10000],
                    help="also time the stage at these many articles, comma-separated, each in a fresh "
                         "process (0: skip), e.g. 1000,10000,100000")
    ap.add_argument("--child-scale", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--spot", type=int, default=10, help="grouped pairs to print for a spot-check")
    ap.add_argument("--no-tag", action="store_true", help="do not run the tag stage")
    ap.add_argument("--half", choices=["all", "a", "b"], default="all", help="score on a half only")
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--content", type=Path, help="also time the stage on this content folder (e.g. made by make_corpus.py)")
    ap.add_argument("--content-cache", type=Path, help="pickle of the content folder's loaded articles (made when absent)")
    args = ap.parse_args(argv)
    if args.content:
        content_run(args.content, args.content_cache, args.k)
        return 0

    if not args.data.exists():
        print(f"no data at {args.data}")
        return 1
    recs = load(args.data)
    if args.child_scale:
        scale_run(recs, args.child_scale, args.k)
        return 0
    cat = {r["id"]: r["category"] for r in recs}
    # spread dates over a year (deterministic), so recency is exercised but unrelated to sections
    dates = {r["id"]: BASE_DATE + timedelta(days=int(hashlib.sha256(r["id"].encode()).hexdigest()[:4], 16) % 365)
             for r in recs}
    articles = [to_article(r, dates[r["id"]]) for r in recs]
    articles, tag_state = maybe_tag(articles, not args.no_tag)
    k = args.k
    cfg = RelatedConfig(count=k, min_score=0.0)

    t0, c0 = time.perf_counter(), time.process_time()
    out = relate(articles, cfg)
    t_relate, c_relate = time.perf_counter() - t0, time.process_time() - c0

    dup_truth = jaccard_pairs(recs, 0.8)
    found = set()
    for a in out:
        for d in a.duplicates:
            found.add(frozenset((a.slug, d)))
    base = baseline_rankings(recs, k, exclude=dup_truth)
    base_all = baseline_rankings(recs, k, exclude=set())
    base_strong = baseline_rankings(recs, k, exclude=dup_truth, strong=True)

    keep = {r["id"] for r in recs if args.half == "all" or half_of(r) == args.half}
    ours = {a.slug: [r.slug for r in a.related] for a in out if a.slug in keep}
    p_ours, mrr_ours = score_rankings(ours, cat, k)
    p_base, mrr_base = score_rankings({s: v for s, v in base.items() if s in keep}, cat, k)
    p_base_all, mrr_base_all = score_rankings({s: v for s, v in base_all.items() if s in keep}, cat, k)
    p_strong, mrr_strong = score_rankings({s: v for s, v in base_strong.items() if s in keep}, cat, k)
    short = sum(1 for v in ours.values() if len(v) < k)
    halves = {}
    for h in ("a", "b"):
        sel = {r["id"] for r in recs if half_of(r) == h}
        halves[h] = (score_rankings({s: v for s, v in ({a.slug: [r.slug for r in a.related] for a in out}).items() if s in sel}, cat, k),
                     score_rankings({s: v for s, v in base_strong.items() if s in sel}, cat, k))

    # precision by score bucket (all links of the count=k, min_score=0 run)
    edges = [0.0, 0.05, 0.10, 0.12, 0.15, 0.20, 0.30, 1.01]
    buckets = [[0, 0] for _ in edges[:-1]]
    for a in out:
        for r in a.related:
            b = next(i for i in range(len(edges) - 1) if r.score < edges[i + 1])
            buckets[b][0] += cat[r.slug] == cat[a.slug]
            buckets[b][1] += 1
    later = []
    later.append("score buckets " + "  ".join(f"[{edges[i]:.2f},{edges[i + 1]:.2f}): {100 * h / max(1, t):.0f}% of {t}"
                                       for i, (h, t) in enumerate(buckets)))
    default = RelatedConfig()
    for ms in sorted({default.min_score, 0.08, 0.10, 0.12}):
        chosen = [[r for r in a.related if r.score >= ms] for a in out]  # same lists, cut at ms
        links = [len(c) for c in chosen]
        hits = sum(cat[r.slug] == cat[a.slug] for a, c in zip(out, chosen) for r in c)
        later.append(f"min_score {ms:.2f}{' (default)' if ms == default.min_score else '          '}: "
              f"{sum(links) / len(links):.2f} links per article, "
              f"{100 * hits / max(1, sum(links)):.1f}% same section, {links.count(0)} articles without links")
    tp = len(found & dup_truth)
    cross = sum(1 for p in found if len({cat[s] for s in p}) > 1)
    print(f"data: {args.data.name}, {len(recs)} articles, scored on {len(keep)} (half={args.half}); tag stage: {tag_state}")
    print(f"relate      precision@{k} {p_ours:5.1f}   MRR {mrr_ours:.3f}   (lists shorter than {k}: {short})")
    print(f"tfidf base  precision@{k} {p_base:5.1f}   MRR {mrr_base:.3f}   (all pairs, Jaccard≥0.8 duplicates left out)")
    print(f"tfidf base  precision@{k} {p_base_all:5.1f}   MRR {mrr_base_all:.3f}   (all pairs, duplicates allowed)")
    print(f"tfidf strong precision@{k} {p_strong:5.1f}  MRR {mrr_strong:.3f}   (all pairs, sublinear tf, smooth idf, no duplicates)")
    print("\n".join(later))
    for h, ((p_h, m_h), (pb_h, mb_h)) in halves.items():
        print(f"half {h}      relate precision@{k} {p_h:5.1f}   MRR {m_h:.3f}   vs tfidf strong {pb_h:5.1f} / {mb_h:.3f}")
    print(f"duplicates  truth pairs {len(dup_truth)}, grouped pairs {len(found)}, "
          f"recall {100 * tp / max(1, len(dup_truth)):.1f}, precision {100 * tp / max(1, len(found)):.1f}, "
          f"cross-section pairs {cross}")
    for p in sorted(found - dup_truth, key=sorted)[:10]:
        a, b = sorted(p)
        j = 0.0
        sa, sb = shingles(next(r["text"] for r in recs if r["id"] == a)), shingles(next(r["text"] for r in recs if r["id"] == b))
        if sa and sb:
            j = len(sa & sb) / len(sa | sb)
        print(f"  extra pair {a} {b} jaccard {j:.2f}")
    for p in sorted(dup_truth - found, key=sorted)[:10]:
        print(f"  missed pair {' '.join(sorted(p))}")
    by_id = {r["id"]: r for r in recs}
    spot = sorted((sorted(p) for p in found), key=lambda p: hashlib.sha256("|".join(p).encode()).hexdigest())
    for a, b in spot[: args.spot]:
        ra, rb = by_id[a], by_id[b]
        print(f"  spot {a} | {ra['title']} | {ra['text'][:90]!r}")
        print(f"       {b} | {rb['title']} | {rb['text'][:90]!r}")
    print(f"time        relate {len(articles)} articles: {t_relate:.2f} s wall, {c_relate:.2f} s CPU "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")

    for n in args.scale:
        if n > 0:
            # a fresh process per size, so its peak RSS is the stage's own (plus the articles)
            cmd = [sys.executable, str(Path(__file__).resolve()), "--data", str(args.data), "--child-scale", str(n)]
            subprocess.run(cmd, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
