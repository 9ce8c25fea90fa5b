"""Time ``digest build`` (a new process, as a user runs it) on generated corpora.

Prints, per size, the median wall time of ``--repeat`` cold builds, the CPU time and
peak RSS of the build process, and the ratio against a baseline measured in the same
run: a plain-Python build that reads every file and writes one HTML page per article
(no cleaning, summarising, tagging or linking), the floor any generator pays.

    python benchmarks/build.py --sizes 15 1000 --repeat 3
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import make_corpus  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

BASELINE = r"""
import html, sys
from pathlib import Path
src, out = Path(sys.argv[1]), Path(sys.argv[2])
for path in sorted(src.rglob("*.*")):
    text = path.read_text(encoding="utf-8")
    page = out / path.stem / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("<!doctype html><pre>" + html.escape(text) + "</pre>", encoding="utf-8")
"""


def timed(cmd: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", action="store_true", help="also time the repo's own content/")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        targets = [("sample content/", REPO / "content")] if args.sample else []
        for n in args.sizes:
            corpus = tmp_path / f"corpus{n}"
            make_corpus(n, corpus)
            targets.append((f"{n} articles", corpus))
        for label, corpus in targets:
            digest_runs, base_runs = [], []
            for i in range(args.repeat):
                out = tmp_path / f"site-{label.replace(' ', '_').replace('/', '')}-{i}"
                digest_runs.append(timed([sys.executable, "-m", "digest", "build", "-q", "--content", str(corpus), "--out", str(out)]))
                base_out = tmp_path / f"base-{i}"
                base_runs.append(timed([sys.executable, "-c", BASELINE, str(corpus), str(base_out)]))
            wall = statistics.median(r[0] for r in digest_runs)
            cpu = statistics.median(r[1] for r in digest_runs)
            base = statistics.median(r[0] for r in base_runs)
            rows.append((label, wall, cpu, max(r[2] for r in digest_runs), base, wall / base))
    print(f"{'corpus':<18} {'digest wall s':>13} {'cpu s':>7} {'peak MB':>8} {'baseline s':>10} {'ratio':>6}")
    for label, wall, cpu, rss, base, ratio in rows:
        print(f"{label:<18} {wall:>13.2f} {cpu:>7.2f} {rss:>8.0f} {base:>10.2f} {ratio:>6.1f}")
    print(f"(median of {args.repeat} cold builds each, new process per build; os.cpu_count()={os.cpu_count()})")


if __name__ == "__main__":
    main()
