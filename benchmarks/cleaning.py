"""Measure the clean stage on the development data.

    python benchmarks/cleaning.py [--data ../shared/data] [--only text|html] [--show N]
                                  [--context corpus|solo|none | --solo | --no-context] [--perturb [a|b]]
                                  [--robustness] [--save FILE] [--compare FILE]

* Plain text (``cleaning/dev.jsonl``): mean per-case line F1, precision, recall, the
  clean share (cases with no injected line left), micro F1 and the share of injected
  lines removed per kind, against a "keep everything" baseline; cases per second.
  ``--context`` chooses the corpus signals the cleaner sees: ``corpus`` (all cases, as
  in a build), ``solo`` (each case alone, as a user with one file) or ``none`` (an
  empty context). ``--perturb`` rewrites every injected furniture line with a wording
  of the same kind invented here (:data:`PARAPHRASES`, never a dev-set string), so
  the score shows how the cleaner does on furniture it has never seen.
  A second set (``--perturb b``, :data:`PARAPHRASES_B`) was written after tuning and is
  kept untuned: it is the fairer estimate for unseen wordings.
  ``--robustness`` prints the headline figures for every context × perturbation.
  The text report also gives the share of removed lines per reason.
* ``--save``/``--compare`` (HTML): store per-page F1 and list the pages that moved, to
  catch per-page regressions behind a better mean.
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


# ---------------------------------------------------------------------------
# Perturbed furniture: our own wordings of each boilerplate kind
# ---------------------------------------------------------------------------
# Written for this benchmark; none is taken from the dev set. ``{h}`` is the headline a
# link line points at (taken from the line it replaces), ``{n}`` a number, ``{name}`` a
# person, ``{site}`` a publication, ``{y}`` a year.

PARAPHRASES: dict[str, tuple[str, ...]] = {
    "cookie": (
        "By clicking OK you consent to the storage of cookies on your device.",
        "This website stores cookies to personalise content and ads.",
        "Cookie preferences",
        "Allow all",
        "Reject non-essential",
        "We and our partners use cookies and similar technologies. Manage your choices at any time.",
    ),
    "nav": (
        "News / Politics / Europe",
        "Skip to content",
        "Menu",
        "Home » Markets » Companies",
        "All sections",
        "Log in",
        "Search",
    ),
    "byline": (
        "Written by {name}",
        "{name}, Senior Correspondent",
        "{name} | Staff Reporter",
        "By {name} and {name2}",
        "Story by {name}",
        "Author: {name}",
    ),
    "date": (
        "Updated {n} hours ago",
        "Published: 14 March {y}",
        "Posted {n} days ago",
        "March 4, {y} | {n} min read",
        "Last updated 2 Feb {y}, 09:41 GMT",
        "Reading time: {n} minutes",
    ),
    "ads": (
        "Story continues below advertisement",
        "AD",
        "Promoted content",
        "- Advertisement -",
        "Sponsored content",
        "Paid partnership",
    ),
    "readmore": (
        "Read next: {h}",
        "Also read - {h}",
        "Keep reading: {h}",
        "Don't miss: {h}",
        "SEE ALSO: {h}",
        "Watch: {h}",
    ),
    "related": (
        "Related coverage: {h}",
        "More on this story: {h}",
        "Recommended: {h}",
        "In case you missed it: {h}",
        "Trending: {h}",
    ),
    "photo": (
        "Photograph: {name}/EPA",
        "Image: {name} / Shutterstock",
        "(Credit: {name} for {site})",
        "Officials arrive for the meeting on Tuesday. (Image: {name}/AFP via Getty Images)",
        "Photo by {name}",
        "Picture credit: {site}",
    ),
    "newsletter": (
        "Get our weekly roundup straight to your email",
        "Enter your email address to receive our free daily bulletin.",
        "Join {n},000 readers who get the morning briefing. Subscribe for free.",
        "Never miss a story: sign up to {site} alerts",
        "Want more stories like this? Subscribe to our newsletter.",
        "Stay informed with our evening email briefing",
    ),
    "clickhere": (
        "Tap here to turn on push alerts",
        "Click here to see the full gallery",
        "Download the {site} app for breaking news",
        "Press the button below to listen to this story",
        "Click this link to watch the video",
    ),
    "share": (
        "Share this story",
        "Tweet",
        "Share via WhatsApp",
        "Copy link",
        "Facebook | X | Email",
        "Share on LinkedIn",
        "Pinterest",
    ),
    "follow": (
        "Follow us on Instagram @{handle}",
        "Like {site} on Facebook",
        "Follow our live coverage on X",
        "Connect with us on LinkedIn",
        "Follow {name} on Twitter @{handle}",
    ),
    "copyright": (
        "© {y} {site} Media Ltd.",
        "Copyright © {site}. Reproduction without permission is prohibited.",
        "All content © {y} {site}",
        "(c) {y} {site}. All rights reserved.",
    ),
    "comments": (
        "{n} comments",
        "Join the conversation",
        "Show comments ({n})",
        "Leave a comment",
        "View {n} comments",
        "Comments are closed.",
    ),
    "tags": (
        "Topics: {h}",
        "Filed under: {h}",
        "Tagged with: {h}",
        "Keywords: {h}",
        "Categories: {h}",
    ),
}
#: A second, independent set of wordings, written after the cleaner was tuned against the
#: first one and never tuned against: ``--perturb b`` measures furniture nobody tuned for.
PARAPHRASES_B: dict[str, tuple[str, ...]] = {
    "cookie": ("Your privacy matters to us. We use cookies to improve the site.", "Accept cookies", "Manage consent",
               "We value your privacy", "I agree"),
    "nav": ("Business › Economy", "Main menu", "Top stories", "Home | World | Sport", "Log out", "Skip navigation"),
    "byline": ("by {name}", "{name}, {site}", "Reporting by {name}; editing by {name2}", "{name}, Political Editor",
               "Words: {name}"),
    "date": ("{n} mins ago", "Thursday 12 May {y} 07.30 BST", "Updated: 05/11/{y}", "First published on 3 June {y}",
             "{y}-04-09 14:05"),
    "ads": ("ADVERTISING", "Ad", "Article continues after this ad", "Sponsored by {site}", "Content from our partners"),
    "readmore": ("Read also: {h}", "MORE: {h}", "Listen: {h}", "You may also like: {h}", "Up next — {h}"),
    "related": ("Related Stories: {h}", "Popular now: {h}", "Most read: {h}", "Also on {site}: {h}", "Latest: {h}"),
    "photo": ("{name}/Reuters", "Photo: {site}", "(AP Photo/{name})", "A view of the site on Monday. {name}/Getty Images",
              "Image courtesy of {site}"),
    "newsletter": ("Sign up to our free email alerts", "Get the best of {site} delivered every morning",
                   "Subscribe to {site} for unlimited access", "Like this story? Get more in your inbox every week.",
                   "Join our mailing list"),
    "clickhere": ("Click to enlarge", "Tap to read the full story in the app", "Click here for more coverage",
                  "Get the {site} app"),
    "share": ("Share", "WhatsApp", "Share this article", "Email this story", "Save", "Share on X"),
    "follow": ("Follow {site} on Facebook", "Find us on Instagram", "Follow us @{handle}",
               "Join us on Telegram for the latest news"),
    "copyright": ("© {site} {y}", "Copyright {y} {site}. All rights reserved.", "All rights reserved © {site}",
                  "This article may not be reproduced without permission."),
    "comments": ("Comments", "{n} Comments", "Add a comment", "Read {n} comments", "Have your say"),
    "tags": ("Tags: {h}", "Topics — {h}", "Posted in: {h}", "More about: {h}"),
}
_FIRST = ("Nadia", "Tomas", "Priya", "Kwame", "Ingrid", "Luis", "Mei", "Oskar", "Farah", "Rhys")
_LAST = ("Okafor", "Halvorsen", "Raman", "Mensah", "Bergstrom", "Quintero", "Tanaka", "Novak", "Haddadi", "Pryce")
_SITES = ("Northwind Post", "The Harbour Courier", "Valley Dispatch", "Daily Meridian", "The Lantern")


def _paraphrase(kind: str, line: str, rnd, wordings: dict[str, tuple[str, ...]]) -> str:
    """A new wording of furniture ``line`` of ``kind`` (headline kinds stay as they are)."""
    options = wordings.get(kind)
    if not options:
        return line
    head = line.split(":", 1)[1].strip() if ":" in line else line
    if kind == "tags":
        head = ", ".join(w for w in re.findall(r"[A-Za-z]{4,}", line)[1:4]) or "News"
    name = f"{rnd.choice(_FIRST)} {rnd.choice(_LAST)}"
    site = rnd.choice(_SITES)
    return rnd.choice(options).format(
        h=head, n=rnd.randint(2, 40), name=name, name2=f"{rnd.choice(_FIRST)} {rnd.choice(_LAST)}",
        site=site, y=rnd.randint(2015, 2024), handle=site.replace(" ", "").replace("The", ""),
    )


def perturb_case(case: dict, which: str = "a") -> dict:
    """``case`` with every injected furniture line rewritten in a new wording of its kind
    (same position, same layout); the gold body is unchanged. Deterministic per case."""
    import random

    rnd = random.Random(case["id"])
    new_for: dict[str, str] = {}
    boiler: list[str] = []
    for line, kind in zip(case["boilerplate"], case["boilerplate_kinds"]):
        wordings = PARAPHRASES_B if which == "b" else PARAPHRASES
        new = new_for.setdefault(line, _paraphrase(kind, line, rnd, wordings))
        boiler.append(new)
    lines = [new_for.get(x.strip(), x) if x.strip() in new_for else x for x in case["raw"].split("\n")]
    return {**case, "raw": "\n".join(lines), "boilerplate": boiler}


def text_context(articles: list[Article], mode: str) -> list:
    """The clean context each article sees: the whole corpus, itself alone, or nothing."""
    if mode == "corpus":
        ctx = clean_mod.build_context(articles)
        return [ctx] * len(articles)
    if mode == "solo":
        return [clean_mod.build_context([a]) for a in articles]
    return [clean_mod.CleanContext()] * len(articles)



def run_text(path: Path, show: int, context: str = "corpus", perturb: str = "", quiet: bool = False) -> dict:
    cases = [json.loads(line) for line in path.open(encoding="utf-8")]
    if perturb:
        cases = [perturb_case(c, perturb) for c in cases]
    articles = [
        Article(source=f"{c['id']}.txt", format="text", slug=c["id"], raw=c["raw"]) for c in cases
    ]
    t0 = time.process_time()
    contexts = text_context(articles, context)
    cleaned = [clean_mod.clean(a, ctx) for a, ctx in zip(articles, contexts)]
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
    if quiet:
        return ours
    print(f"TEXT  {path}  ({len(cases)} cases, context={context}{f', furniture perturbed ({perturb})' if perturb else ''})")
    print(f"  {'':22}{'keep-all':>10}{'clean':>10}")
    for key in ("f1", "precision", "recall", "clean", "micro_f1"):
        label = {"f1": "mean line F1", "clean": "clean share"}.get(key, key)
        print(f"  {label:22}{base[key]:10.3f}{ours[key]:10.3f}")
    print("  share of injected lines removed, by kind:")
    for kind, share in ours["kinds"].items():
        print(f"    {kind:22}{share:8.3f}")
    reasons = Counter(r.reason for a in cleaned for r in a.removed)
    total = sum(reasons.values()) or 1
    print("  removed lines by reason given (share of all removed):")
    for reason, n in reasons.most_common():
        print(f"    {reason:28}{n:6d}{n / total:8.3f}")
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
    return ours


def run_robustness(path: Path) -> None:
    """Headline text figures for each context mode, with dev and with perturbed furniture."""
    print(f"TEXT robustness  {path}")
    print(f"  {'context':10}{'furniture':12}{'F1':>8}{'clean':>8}{'P':>8}{'R':>8}")
    for perturb in ("", "a", "b"):
        for mode in ("corpus", "solo", "none"):
            r = run_text(path, 0, mode, perturb, quiet=True)
            print(f"  {mode:10}{'perturbed ' + perturb if perturb else 'dev':12}{r['f1']:8.3f}{r['clean']:8.3f}"
                  f"{r['precision']:8.3f}{r['recall']:8.3f}")


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


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def run_html(folder: Path, show: int, save: Path | None = None, compare: Path | None = None) -> None:
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {}
    for pid in sorted(truth):
        pages[pid] = gzip.decompress((folder / "html" / f"{pid}.html.gz").read_bytes()).decode("utf-8", "replace")
    from digest.readers.html import read_html

    # CPU time, best of three runs (other processes on the machine only ever slow a run down)
    t_read = t_clean = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        articles = {}
        for pid, page in pages.items():
            src = SourceFile(path=folder / "html" / f"{pid}.html", rel=f"{pid}.html", suffix="html", mtime=0.0)
            articles[pid] = read_html(src, page, pid[:12])
        t_read = min(t_read, time.process_time() - t0)
        ctx = clean_mod.build_context(list(articles.values()))
        t1 = time.process_time()
        cleaned = {pid: clean_mod.clean(a, ctx) for pid, a in articles.items()}
        t_clean = min(t_clean, time.process_time() - t1)
    gold = {pid: v["articleBody"] for pid, v in truth.items()}
    ours = shingle_eval({pid: a.body_text for pid, a in cleaned.items()}, gold)
    base = shingle_eval({pid: clean_mod.page_text(page) for pid, page in pages.items()}, gold)
    print(f"HTML  {folder}  ({len(pages)} pages)")
    print(f"  {'':22}{'bare text':>10}{'clean':>10}")
    for key in ("f1", "precision", "recall", "accuracy"):
        print(f"  {key:22}{base[key]:10.3f}{ours[key]:10.3f}")
    n = len(pages)
    print(f"  speed (CPU time, best of 3): read {n / t_read:,.0f} pages/s, clean {n / t_clean:,.0f} pages/s, "
          f"read+clean {n / (t_read + t_clean):,.0f} pages/s")
    filled = sum(1 for a in cleaned.values() if a.title), sum(1 for a in cleaned.values() if a.date), sum(
        1 for a in cleaned.values() if a.byline)
    print(f"  metadata filled: title {filled[0]}/{n}, date {filled[1]}/{n}, byline {filled[2]}/{n}")
    per_f1 = {pid: round(_f1(p, r), 4) for pid, (p, r) in ours["per_page"].items()}
    if save:
        save.write_text(json.dumps(per_f1, indent=0, sort_keys=True), encoding="utf-8")
    if compare and compare.exists():
        before = json.loads(compare.read_text(encoding="utf-8"))
        moved = sorted((per_f1[k] - before[k], k) for k in per_f1 if k in before and abs(per_f1[k] - before[k]) >= 0.005)
        print(f"  per-page change against {compare.name}: {sum(d > 0 for d, _ in moved)} better, "
              f"{sum(d < 0 for d, _ in moved)} worse")
        for d, k in moved:
            print(f"    {k[:16]}  {before[k]:.3f} -> {per_f1[k]:.3f}  {truth[k]['url'][:70]}")
    if show:
        worst = sorted(ours["per_page"].items(), key=lambda kv: 2 * kv[1][0] * kv[1][1] / (kv[1][0] + kv[1][1] or 1))[:show]
        for pid, (p, r) in worst:
            print(f"    {pid[:16]}  P={p:.3f} R={r:.3f}  {truth[pid]['url'][:80]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding cleaning/ and extraction/")
    parser.add_argument("--only", choices=("text", "html"), help="run one of the two benchmarks")
    parser.add_argument("--show", type=int, default=0, help="print the N worst cases")
    parser.add_argument("--context", choices=("corpus", "solo", "none"), default="corpus",
                        help="text: corpus signals from all cases, from each case alone, or none")
    parser.add_argument("--no-context", dest="context", action="store_const", const="none",
                        help="same as --context none")
    parser.add_argument("--solo", dest="context", action="store_const", const="solo",
                        help="same as --context solo")
    parser.add_argument("--perturb", nargs="?", const="a", default="", choices=("a", "b"),
                        help="text: rewrite furniture in new wordings (set a, or b: never tuned against)")
    parser.add_argument("--robustness", action="store_true", help="text: every context x perturbation")
    parser.add_argument("--save", type=Path, help="html: write per-page F1 to this JSON file")
    parser.add_argument("--compare", type=Path, help="html: list pages whose F1 moved against a --save file")
    args = parser.parse_args(argv)
    if args.robustness:
        run_robustness(args.data / "cleaning" / "dev.jsonl")
        return 0
    if args.only in (None, "text"):
        run_text(args.data / "cleaning" / "dev.jsonl", args.show, args.context, args.perturb)
    if args.only in (None, "html"):
        run_html(args.data / "extraction" / "dev", args.show, args.save, args.compare)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
