"""Benchmark of the tag stage: keyphrase F1, section accuracy and speed.

Usage (from the repository root)::

    python benchmarks/tags.py                  # everything, data from ../shared/data
    python benchmarks/tags.py --data ../shared/data --limit 100 --json out.json

Measures, on ``tags/dev.jsonl``:
  * P/R/F1@5 and @10 and PR@10 per source (500N-KPCrowd, DUC-2001) for
    ``digest.tag.keyphrases`` and for a TF-IDF 1-3-gram baseline computed in the same run,
    with the normalisation of the data README (accents dropped, lower case, punctuation
    deleted, Porter stems from nltk);
on ``summaries/dev.jsonl`` (BBC): section accuracy of ``digest.tag.section_for``
(Technology->tech, Sport->sport, ...; any other section counts as wrong); and the speed
of the whole ``digest.tag.tag`` call in articles per second.

nltk is imported here only; ``digest`` never needs it.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nltk.stem import PorterStemmer  # noqa: E402  (benchmark-only dependency)

from digest import tag as tagmod  # noqa: E402
from digest.config import TagsConfig  # noqa: E402
from digest.model import Article  # noqa: E402
from digest.text import corpus_stats, split_sentences, stopwords, words  # noqa: E402

_PORTER = PorterStemmer()
_STEM_CACHE: dict[str, str] = {}

BBC_MAP = {"Business": "business", "Entertainment": "entertainment", "Politics": "politics", "Sport": "sport", "Technology": "tech"}
KPCROWD_MAP = {
    "art_and_culture": {"Culture", "Entertainment"}, "business": {"Business"}, "health": {"Health"},
    "politics_us": {"Politics"}, "politics_world": {"World", "Politics"}, "science": {"Science"},
    "sports": {"Sport"}, "tech": {"Technology"},
}


# -- the README's normalisation and metric ---------------------------------------------------------


def normalise(phrase: str) -> str:
    """Accents dropped, lower case, " - " and " 's" glued, non-alphanumerics deleted, Porter stems."""
    s = unicodedata.normalize("NFKD", phrase)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = s.replace(" - ", "-").replace(" 's", "'s")
    s = "".join(c for c in s if c.isalnum() or c.isspace())
    out = []
    for w in s.split():
        st = _STEM_CACHE.get(w)
        if st is None:
            st = _STEM_CACHE[w] = _PORTER.stem(w)
        out.append(st)
    return " ".join(out)


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for it in items:
        if it and it not in seen:
            seen.add(it)
            out.append(it)
    return out


def score_article(ranked: list[str], gold: list[str], text_norm: str) -> dict[str, float]:
    pred = _dedupe([normalise(p) for p in ranked])
    ref = _dedupe([normalise(g) for g in gold])
    refset = set(ref)
    out: dict[str, float] = {}
    for k in (5, 10):
        top = pred[:k]
        correct = sum(1 for p in top if p in refset)
        p = correct / len(top) if top else 0.0
        r = correct / len(ref) if ref else 0.0
        out[f"P@{k}"] = p
        out[f"R@{k}"] = r
        out[f"F1@{k}"] = 2 * p * r / (p + r) if p + r else 0.0
    padded = f" {text_norm} "
    present = [g for g in ref if f" {g} " in padded]
    if present:
        top = set(pred[:10])
        out["PR@10"] = sum(1 for g in present if g in top) / len(present)
    return out


def average(rows: list[dict[str, float]]) -> dict[str, float]:
    keys = sorted({k for r in rows for k in r})
    return {k: 100.0 * sum(r[k] for r in rows if k in r) / max(1, sum(1 for r in rows if k in r)) for k in keys}


def half(key: str) -> str:
    """The deterministic hold-out half of a record: "A" (tuned on) or "B" (held out).

    Tagging records are split by their ``group`` (both copies of a story share a half),
    BBC records by their ``id``; the first byte of the key's MD5 decides.
    """
    return "A" if hashlib.md5(key.encode("utf-8")).digest()[0] % 2 == 0 else "B"


# -- inputs ---------------------------------------------------------------------------------------


def make_article(rec: dict, idx: int) -> Article:
    sentences = [s for para in re.split(r"\n\s*\n|\n", rec["text"]) for s in split_sentences(para)]
    return Article(source=rec["id"], format="text", slug=f"a{idx}", title=rec.get("title") or "",
                   sentences=tuple(sentences))


# -- the baseline: TF-IDF over 1-3-grams -----------------------------------------------------------


def _ngrams(text: str) -> list[str]:
    stop = stopwords()
    out = []
    for sent in split_sentences(text):
        ws = words(sent)
        for n in (1, 2, 3):
            for i in range(len(ws) - n + 1):
                g = ws[i : i + n]
                if g[0] in stop or g[-1] in stop or any(w.isdigit() for w in (g[0], g[-1])):
                    continue
                out.append(" ".join(g))
    return out


def tfidf_baseline(docs: list[str], k: int = 20) -> list[list[str]]:
    grams = [_ngrams(d) for d in docs]
    df: Counter[str] = Counter()
    for g in grams:
        df.update(set(g))
    n = len(docs)
    out = []
    for g in grams:
        tf = Counter(g)
        scored = sorted(tf.items(), key=lambda kv: (-kv[1] * math.log((1 + n) / (1 + df[kv[0]])), kv[0]))
        out.append([p for p, _ in scored[:k]])
    return out


# -- main -----------------------------------------------------------------------------------------


def run(data: Path, limit: int | None = None, weights: tagmod.Weights | None = None, speed: bool = True) -> dict:
    recs = [json.loads(line) for line in (data / "tags" / "dev.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    if limit:
        recs = recs[:limit]
    articles = [make_article(r, i) for i, r in enumerate(recs)]
    stats = corpus_stats("\n\n".join(a.sentences) for a in articles)
    base = tfidf_baseline([(r.get("title") or "") + "\n" + r["text"] for r in recs])
    per_source: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    kp_sections: dict[str, list[bool]] = {"all": [], "A": [], "B": []}
    for rec, art, bl in zip(recs, articles, base):
        text_norm = normalise((rec.get("title") or "") + " " + rec["text"])
        ours = tagmod.keyphrases(art, stats) if weights is None else tagmod._keyphrase_list(tagmod._analyse(art, stats, weights))
        h = half(rec.get("group") or rec["id"])
        for part in ("all", h):
            per_source[f"{rec['source']} [{part}]"]["digest"].append(score_article(ours, rec["keyphrases"], text_norm))
            per_source[f"{rec['source']} [{part}]"]["tfidf"].append(score_article(bl, rec["keyphrases"], text_norm))
        if rec.get("category") in KPCROWD_MAP:
            right = tagmod.section_for(art) in KPCROWD_MAP[rec["category"]]
            for part in ("all", h):
                kp_sections[part].append(right)
    result: dict = {"keyphrases": {src: {name: average(rows) | {"n": len(rows)} for name, rows in d.items()} for src, d in sorted(per_source.items())}}
    result["kpcrowd_section_accuracy"] = 100.0 * sum(kp_sections["all"]) / max(1, len(kp_sections["all"]))
    result["kpcrowd_section_accuracy_halves"] = {p: 100.0 * sum(kp_sections[p]) / max(1, len(kp_sections[p])) for p in ("A", "B")}

    # Section accuracy on BBC.
    bbc_path = data / "summaries" / "dev.jsonl"
    bbc = [json.loads(line) for line in bbc_path.read_text(encoding="utf-8").splitlines() if line.strip()] if bbc_path.exists() else []
    if limit:
        bbc = bbc[: limit * 3]
    bbc_articles = [make_article(r, i) for i, r in enumerate(bbc)]
    confusion: Counter[tuple[str, str]] = Counter()
    correct: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for rec, art in zip(bbc, bbc_articles):
        section = tagmod.section_for(art)
        pred = BBC_MAP.get(section, section)
        confusion[(rec["category"], pred)] += 1
        for part in ("all", half(rec["id"])):
            correct[part] += pred == rec["category"]
            total[part] += 1
    result["bbc_section_accuracy"] = 100.0 * correct["all"] / max(1, total["all"])
    result["bbc_section_accuracy_halves"] = {p: 100.0 * correct[p] / max(1, total[p]) for p in ("A", "B")}
    result["bbc_confusion"] = {f"{g}->{p}": n for (g, p), n in sorted(confusion.items())}

    if not speed:
        return result
    # Speed of the whole stage (keyphrases, entities, tags, section): the best of three runs.
    every = articles + bbc_articles
    all_stats = corpus_stats("\n\n".join(a.sentences) for a in every)
    cfg = TagsConfig()
    dt = dc = float("inf")
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        for art in every:
            tagmod.tag(art, all_stats, cfg)
        dt, dc = min(dt, time.perf_counter() - t0), min(dc, time.process_time() - c0)
    result["speed"] = {"articles": len(every), "seconds": round(dt, 3), "articles_per_s": round(len(every) / dt, 1),
                       "cpu_seconds": round(dc, 3), "articles_per_cpu_s": round(len(every) / dc, 1)}
    return result


def report(result: dict) -> str:
    lines = []
    for src, d in result["keyphrases"].items():
        lines.append(f"{src} (n={d['digest']['n']})")
        lines.append(f"  {'system':8} {'P@5':>6} {'R@5':>6} {'F1@5':>6} {'P@10':>6} {'R@10':>6} {'F1@10':>6} {'PR@10':>6}")
        for name in ("tfidf", "digest"):
            m = d[name]
            lines.append(f"  {name:8} " + " ".join(f"{m[k]:6.2f}" for k in ("P@5", "R@5", "F1@5", "P@10", "R@10", "F1@10", "PR@10")))
    halves = result.get("bbc_section_accuracy_halves", {})
    lines.append(f"section accuracy BBC: {result['bbc_section_accuracy']:.1f}% "
                 f"(half A {halves.get('A', 0.0):.1f}%, half B {halves.get('B', 0.0):.1f}%)")
    kp_halves = result.get("kpcrowd_section_accuracy_halves", {})
    lines.append(f"section accuracy KPCrowd (reference, 8 mappable categories): {result['kpcrowd_section_accuracy']:.1f}% "
                 f"(half A {kp_halves.get('A', 0.0):.1f}%, half B {kp_halves.get('B', 0.0):.1f}%)")
    wrong = {k: v for k, v in result["bbc_confusion"].items() if k.split("->")[0] != k.split("->")[1]}
    lines.append("  BBC errors: " + ", ".join(f"{k} {v}" for k, v in sorted(wrong.items(), key=lambda kv: -kv[1])))
    s = result.get("speed")
    if s:
        lines.append(f"speed: {s['articles']} articles in {s['seconds']} s = {s['articles_per_s']} articles/s "
                     f"(CPU time {s['cpu_seconds']} s = {s['articles_per_cpu_s']} articles per CPU-second)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT / ".." / "shared" / "data", help="the shared data folder")
    ap.add_argument("--limit", type=int, default=None, help="only the first N tagging articles (3N BBC)")
    ap.add_argument("--no-speed", action="store_true", help="skip the speed measurement")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    args = ap.parse_args(argv)
    result = run(args.data.resolve(), args.limit, speed=not args.no_speed)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, sort_keys=True), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
