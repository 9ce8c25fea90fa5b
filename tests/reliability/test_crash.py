"""A build killed at any moment leaves site/ as the complete old or the complete new site."""
from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from ..integration.test_build import HTML, MD, TXT

REPO = Path(__file__).resolve().parents[2]


def tree(folder: Path) -> dict[str, str]:
    """Relative path → sha256 of every file under ``folder`` (empty when it does not exist)."""
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _build(root: Path, out: str = "site") -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": "1700000000"}
    return subprocess.Popen(
        [sys.executable, "-m", "digest", "build", "-q", "--config", str(root / "digest.yaml"), "--out", str(root / out)],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def test_sigkill_at_random_moments_leaves_old_or_new_site(make_project) -> None:
    root = make_project({"content/2024-06-20-northwind.md": MD, "content/buses.txt": TXT, "digest.yaml": ""})
    assert _build(root).wait(timeout=60) == 0
    old = tree(root / "site")
    for i in range(6):  # more content: a build that takes a little longer
        (root / f"content/page-{i}.html").write_text(HTML.replace("Lowmere Marathon", f"Lowmere Race {i}"), encoding="utf-8")
    started = time.monotonic()
    assert _build(root, "expected").wait(timeout=60) == 0
    duration = time.monotonic() - started
    new = tree(root / "expected")
    assert old and new and old != new

    rng = random.Random(8)
    outcomes = []
    for _ in range(5):
        process = _build(root)
        time.sleep(rng.uniform(0.2, duration))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        state = tree(root / "site")
        assert state in (old, new), "site/ is neither the complete old nor the complete new site"
        outcomes.append("new" if state == new else "old")
    # a later build cleans up what the killed ones left behind and finishes the new site
    assert _build(root).wait(timeout=60) == 0
    assert tree(root / "site") == new
    assert sorted(p.name for p in root.iterdir()) == [".digest-cache", "content", "digest.yaml", "expected", "site"]
    assert not [p for p in (root / ".digest-cache").rglob("*") if p.name.endswith(".tmp")]  # no half-written cache file


def test_incremental_update_interrupted_is_finished_by_the_next_build(make_project, monkeypatch) -> None:
    """An incremental build moves changed pages in one rename each; killed half-way, every
    file is still a whole old or new page, and the next build finishes the moves."""
    from digest import build, load_config
    from digest import write as write_module

    root = make_project({"content/2024-06-20-northwind.md": MD, "content/buses.txt": TXT, "digest.yaml": ""})
    config = load_config(root=root)
    build(config)
    old = tree(root / "site")
    (root / "content/buses.txt").write_text(TXT.replace("buses", "trams"), encoding="utf-8")
    (root / "content/page-1.html").write_text(HTML, encoding="utf-8")
    expected_config = load_config(root=root)
    from dataclasses import replace

    build(replace(expected_config, paths=replace(expected_config.paths, output=root / "expected")), use_cache=False)
    new = tree(root / "expected")

    moves = []

    def killed_after_two(src: str, dst: str) -> None:
        if len(moves) == 2:
            raise KeyboardInterrupt("killed")
        moves.append(dst)
        os.replace(src, dst)

    monkeypatch.setattr(write_module, "_move", killed_after_two)
    try:
        build(config)
    except KeyboardInterrupt:
        pass
    monkeypatch.undo()
    assert len(moves) == 2
    state = tree(root / "site")
    assert state not in (old, new)  # the interruption was real
    assert all(data in (old.get(rel), new.get(rel)) for rel, data in state.items()), "a file is neither old nor new"
    build(config)
    assert tree(root / "site") == new
    assert not list(root.glob(".digest-tmp-*"))
