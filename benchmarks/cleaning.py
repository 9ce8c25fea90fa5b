"""Measure the clean stage on the development data.

    python benchmarks/cleaning.py [--data ../shared/data] [--only text|html] [--show N]

* Plain text (``cleaning/dev.jsonl``): mean per-case line F1, precision, recall, the
  clean share (cases with no injected line left), micro F1 and the share of injected
  lines removed per kind, against a "keep everything" baseline; cases per second.
* HTML (``extraction/dev``): the benchmark's shingle precision/recall/F1 of our body
  text against the gold ``articleBody``, against a "bare text" baseline (all text of
  the page); pages per second.

The metrics follow the READMEs of the two data sets.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digest import clean as clean_mod  # noqa: E402
from digest.model import Article, SourceFile  # noqa: E402

DEFAULT_DATA = ROOT / ".." / "shared" / "data"

# ---------------------------------------------------------------------------
# Text metric
# ---------------------------------------------------------------------------

_ZW = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")


_WS = re.compile(r"\s+")


def norm(line: str) -> str:
    return _WS.sub(" ", _ZW.sub("", line)).strip()


def line_scores(output: list[str], gold: list[str]) -> tuple[float, float, float, int]:
    out = [n for n in (norm(x) for x in output) if n]
    ref = [n for n in (norm(x) for x in gold) if n]
    tp = sum((Counter(out) & Counter(ref)).values())
    p = tp / len(out) if out else 0.0
    r = tp / len(ref) if ref else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, tp


def left_over(output: list[str], gold: list[str], boiler: list[str]) -> list[bool]:
    out = [n for n in (norm(x) for x in output) if n]
    gold_set = {norm(x) for x in gold}
    outset = set(out)
    extra = [o for o in out if o not in gold_set]
    flags = []
    for b in boiler:
        nb = norm(b)
        if not nb:
            flags.append(False)
            continue
        if nb in outset:
            flags.append(True)
            continue
        rx = re.compile(r"(?<!\w)" + re.escape(nb) + r"(?!\w)")
        flags.append(any(rx.search(o) for o in extra))
    return flags


def run_text(path: Path, show: int) -> None:
    cases = [json.loads(line) for line in path.open(encoding="utf-8")]
    articles = [
        Article(source=f"{c['id']}.txt", format="text", slug=c["id"], raw=c["raw"]) for c in cases
    ]
    t0 = time.process_time()
    ctx = clean_mod.build_context(articles)
    cleaned = [clean_mod.clean(a, ctx) for a in articles]
    seconds = time.process_time() - t0

    def evaluate(outputs: list[list[str]], reasons: dict | None = None) -> dict:
        reasons = reasons or {}
        ps, rs, fs, clean_cases = [], [], [], 0
        kinds_total: Counter[str] = Counter()
        kinds_removed: Counter[str] = Counter()
        tp_all = out_all = gold_all = 0
        per_case = []
        for case, out in zip(cases, outputs):
            gold = [x for x in case["body"].split("\n") if x.strip()]
            p, r, f, tp = line_scores(out, gold)
            if [x for x in out if norm(x)]:
                ps.append(p)
            rs.append(r)
            fs.append(f)
            tp_all += tp
            out_all += len([x for x in out if norm(x)])
            gold_all += len(gold)
            flags = left_over(out, gold, case["boilerplate"])
            if not any(flags):
                clean_cases += 1
            for kind, flag in zip(case["boilerplate_kinds"], flags):
                kinds_total[kind] += 1
                kinds_removed[kind] += not flag
            per_case.append((f, case, out, flags, reasons.get(case["id"], {})))
        micro_p = tp_all / out_all if out_all else 0.0
        micro_r = tp_all / gold_all if gold_all else 0.0
        return {
            "f1": sum(fs) / len(fs),
            "precision": sum(ps) / len(ps) if ps else 0.0,
            "recall": sum(rs) / len(rs),
            "clean": clean_cases / len(cases),
            "micro_f1": 2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0,
            "kinds": {k: kinds_removed[k] / kinds_total[k] for k in sorted(kinds_total)},
            "per_case": per_case,
        }

    base = evaluate([[x for x in c["raw"].split("\n") if x.strip()] for c in cases])
    why = {c["id"]: {norm(r.text): r.reason for r in a.removed} for c, a in zip(cases, cleaned)}
    ours = evaluate([[b.text for b in a.body] for a in cleaned], why)
    print(f"TEXT  {path}  ({len(cases)} cases)")
    print(f"  {'':22}{'keep-all':>10}{'clean':>10}")
    for key in ("f1", "precision", "recall", "clean", "micro_f1"):
        label = {"f1": "mean line F1", "clean": "clean share"}.get(key, key)
        print(f"  {label:22}{base[key]:10.3f}{ours[key]:10.3f}")
    print("  share of injected lines removed, by kind:")
    for kind, share in ours["kinds"].items():
        print(f"    {kind:22}{share:8.3f}")
    print(f"  speed (CPU time): {len(cases) / seconds:,.0f} cases/s ({seconds * 1000:.1f} ms total, context included)")
    if show:
        worst = sorted(ours["per_case"], key=lambda x: x[0])[:show]
        for f, case, out, flags, why in worst:
            gold = [norm(x) for x in case["body"].split("\n") if x.strip()]
            outn = [norm(x) for x in out]
            print(f"\n--- {case['id']} F1={f:.3f}")
            for x in outn:
                if x not in gold:
                    print("   FP:", x[:140])
            for x in gold:
                if x not in outn:
                    print(f"   FN[{why.get(x, '?')}]:", x[:140])
            for b, k, fl in zip(case["boilerplate"], case["boilerplate_kinds"], flags):
                if fl:
                    print(f"   LEFT[{k}]:", b[:140])


# ---------------------------------------------------------------------------
# HTML metric (shingles)
# ---------------------------------------------------------------------------

_TOKEN = re.compile(r"\w+")


def shingles(text: str) -> Counter:
    toks = _TOKEN.findall(text)
    if not toks:
        return Counter()
    if len(toks) < 4:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i : i + 4]) for i in range(len(toks) - 3))


def shingle_eval(preds: dict[str, str], gold: dict[str, str]) -> dict:
    ps, rs, exact = [], [], 0
    per_page = {}
    for pid, gtext in gold.items():
        pred = preds.get(pid, "")
        ps_, gs_ = shingles(pred), shingles(gtext)
        tp = sum((ps_ & gs_).values())
        fp = sum(ps_.values()) - tp
        fn = sum(gs_.values()) - tp
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        if ps_:
            ps.append(p)
        if gs_:
            rs.append(r)
        exact += _TOKEN.findall(pred) == _TOKEN.findall(gtext)
        per_page[pid] = (p, r)
    mp = sum(ps) / len(ps) if ps else 0.0
    mr = sum(rs) / len(rs) if rs else 0.0
    return {
        "precision": mp,
        "recall": mr,
        "f1": 2 * mp * mr / (mp + mr) if mp + mr else 0.0,
        "accuracy": exact / len(gold),
        "per_page": per_page,
    }


def run_html(folder: Path, show: int) -> None:
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {}
    for pid in sorted(truth):
        pages[pid] = gzip.decompress((folder / "html" / f"{pid}.html.gz").read_bytes()).decode("utf-8", "replace")
    from digest.readers.html import read_html

    t0 = time.process_time()
    articles = {}
    for pid, page in pages.items():
        src = SourceFile(path=folder / "html" / f"{pid}.html", rel=f"{pid}.html", suffix="html", mtime=0.0)
        articles[pid] = read_html(src, page, pid[:12])
    t_read = time.process_time() - t0
    ctx = clean_mod.build_context(list(articles.values()))
    t1 = time.process_time()
    cleaned = {pid: clean_mod.clean(a, ctx) for pid, a in articles.items()}
    t_clean = time.process_time() - t1
    gold = {pid: v["articleBody"] for pid, v in truth.items()}
    ours = shingle_eval({pid: a.body_text for pid, a in cleaned.items()}, gold)
    base = shingle_eval({pid: clean_mod.page_text(page) for pid, page in pages.items()}, gold)
    print(f"HTML  {folder}  ({len(pages)} pages)")
    print(f"  {'':22}{'bare text':>10}{'clean':>10}")
    for key in ("f1", "precision", "recall", "accuracy"):
        print(f"  {key:22}{base[key]:10.3f}{ours[key]:10.3f}")
    n = len(pages)
    print(f"  speed (CPU time): read {n / t_read:,.0f} pages/s, clean {n / t_clean:,.0f} pages/s, "
          f"read+clean {n / (t_read + t_clean):,.0f} pages/s")
    filled = sum(1 for a in cleaned.values() if a.title), sum(1 for a in cleaned.values() if a.date), sum(
        1 for a in cleaned.values() if a.byline)
    print(f"  metadata filled: title {filled[0]}/{n}, date {filled[1]}/{n}, byline {filled[2]}/{n}")
    if show:
        worst = sorted(ours["per_page"].items(), key=lambda kv: 2 * kv[1][0] * kv[1][1] / (kv[1][0] + kv[1][1] or 1))[:show]
        for pid, (p, r) in worst:
            print(f"    {pid[:16]}  P={p:.3f} R={r:.3f}  {truth[pid]['url'][:80]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding cleaning/ and extraction/")
    parser.add_argument("--only", choices=("text", "html"), help="run one of the two benchmarks")
    parser.add_argument("--show", type=int, default=0, help="print the N worst cases")
    args = parser.parse_args(argv)
    if args.only in (None, "text"):
        run_text(args.data / "cleaning" / "dev.jsonl", args.show)
    if args.only in (None, "html"):
        run_html(args.data / "extraction" / "dev", args.show)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
