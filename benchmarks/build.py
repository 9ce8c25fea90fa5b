"""Time ``digest build`` (a new process, as a user runs it) on generated corpora.

Prints, per size, the median wall time of ``--repeat`` cold builds (each in a new project,
so the cache starts empty), their CPU time and peak RSS, the median time of a second
build after editing one file (warm cache), with ``--watch`` the time from an edit to the
page on disk under ``digest watch``, and the ratio against a baseline measured in the
same run: a plain-Python build that reads every file and writes one HTML page per article
(no cleaning, summarising, tagging or linking), the floor any generator pays.

    python benchmarks/build.py --sizes 1000 --repeat 3 --watch
    python benchmarks/build.py --sizes 10000 --repeat 1 --formats md --watch
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
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


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB, the largest process) of one child process;
    what earlier steps wrote (the corpus, a deleted site) is on disk before it starts."""
    if hasattr(os, "sync"):
        os.sync()  # untimed: flushed during the build, it would count as the build's (see compare._settle)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd,
                   env={**os.environ, "PYTHONPATH": str(REPO)})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def watch_latency(project: Path, corpus: Path, out: Path, files: list[Path]) -> tuple[float, float]:
    """Seconds from an edit to (a) the edited article's page holding the new text and (b) the
    watcher's log line saying the rebuild is done, under ``digest watch`` with a warm cache."""
    sys.path.insert(0, str(REPO))
    from digest.readers import slug_from_path

    process = subprocess.Popen(
        [sys.executable, "-m", "digest", "watch", "--content", str(corpus), "--out", str(out)],
        cwd=project, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        for line in process.stderr:  # wait for the first build
            if "initial build" in line:
                break
        time.sleep(0.5)
        target = files[len(files) // 2]
        page = out / "articles" / slug_from_path(target.relative_to(corpus).as_posix()) / "index.html"
        token = f"zebracrossing{int(time.time())}"
        seen: list[float] = []

        def poll() -> None:  # watch the page itself: it is on disk before the build has finished
            deadline = time.perf_counter() + 60
            while time.perf_counter() < deadline:
                try:
                    if token in page.read_text(encoding="utf-8"):
                        seen.append(time.perf_counter())
                        return
                except OSError:
                    pass
                time.sleep(0.005)

        watcher = threading.Thread(target=poll, daemon=True)
        with target.open("a", encoding="utf-8") as handle:
            handle.write(f"\nA late paragraph mentions the {token} by the harbour.\n")
        edited = time.perf_counter()
        watcher.start()
        for line in process.stderr:
            if "rebuilt" in line:
                break
        done = time.perf_counter() - edited
        watcher.join()
        page_seconds = seen[0] - edited if seen else float("nan")
        return page_seconds, done
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="md,txt,html", help="input formats of the generated corpus (make_corpus --formats)")
    parser.add_argument("--sample", action="store_true", help="also time the repo's own content/")
    parser.add_argument("--watch", action="store_true", help="also time edit → page under digest watch (once per size)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        targets = [("sample content/", REPO / "content")] if args.sample else []
        for n in args.sizes:
            corpus = tmp_path / f"corpus{n}"
            make_corpus(n, corpus, formats=args.formats)
            targets.append((f"{n} articles", corpus))
        for label, corpus in targets:
            files = sorted(p for p in corpus.rglob("*") if p.is_file())
            cold, warm, base_runs = [], [], []
            for i in range(args.repeat):
                # A new project folder per run: its cache (.digest-cache) starts empty.
                project = tmp_path / f"project-{label.replace(' ', '_').replace('/', '')}-{i}"
                project.mkdir()
                out = project / "site"
                command = [sys.executable, "-m", "digest", "build", "-q", "--content", str(corpus), "--out", str(out)]
                cold.append(timed(command, project))
                edited = files[(i * 7919) % len(files)]
                original = edited.read_bytes()
                edited.write_bytes(original + b"\nOne more paragraph, added to time a rebuild after an edit.\n")
                warm.append(timed(command, project))
                edited.write_bytes(original)
                base_out = tmp_path / f"base-{i}"
                base_runs.append(timed([sys.executable, "-c", BASELINE, str(corpus), str(base_out)]))
            latency = watch_latency(project, corpus, out, files) if args.watch else (float("nan"), float("nan"))
            wall = statistics.median(r[0] for r in cold)
            base = statistics.median(r[0] for r in base_runs)
            rows.append((label, wall, statistics.median(r[1] for r in cold), max(r[2] for r in cold),
                         statistics.median(r[0] for r in warm), *latency, base, wall / base))
    print(f"{'corpus':<18} {'cold wall s':>11} {'cpu s':>7} {'peak MB':>8} {'edit+build s':>12} {'watch page s':>12} "
          f"{'watch done s':>12} {'baseline s':>10} {'ratio':>6}")
    for label, wall, cpu, rss, again, page, done, base, ratio in rows:
        print(f"{label:<18} {wall:>11.2f} {cpu:>7.2f} {rss:>8.0f} {again:>12.2f} {page:>12.2f} {done:>12.2f} {base:>10.2f} {ratio:>6.1f}")
    print(f"(median of {args.repeat} runs: a cold build in a new project, then a build after editing one file;"
          f" new process per build; os.cpu_count()={os.cpu_count()}; load {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
