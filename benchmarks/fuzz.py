"""Fuzz ``digest inspect``: feed random and mutated files through the pipeline for a bounded
time and report crashes (anything but a clean per-file error).

    python benchmarks/fuzz.py --seconds 60 [--seed 1] [--corpus content/] [--save crashes/]

Each round writes a few files (mutations of real content: bit flips, truncation, byte
insertion, splicing, encoding changes, hostile front matter and HTML), runs
:func:`digest.pipeline.inspect` on them in-process and counts the outcomes. An exception
that escapes ``inspect`` is a crash: its traceback is printed, and with ``--save`` the
inputs are kept for a test case. Exit status 1 when any crash was found.
"""
from __future__ import annotations

import argparse
import codecs
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from digest.config import load_config  # noqa: E402
from digest.pipeline import inspect  # noqa: E402

HOSTILE = [
    b"---\ntitle: [unclosed\n---\n", b"---\n- a\n---\n", b"---\ndate: tomorrow\ntags: 5\n---\n", b"---\nslug: ../../x\n---\n",
    b"<script>alert(1)</script>", b"<img src=x onerror=alert(1)>", b"{{ 7*7 }}{% include 'x' %}", b"\x00", b"\xff\xfe",
    b"\xef\xbb\xbf", b"<!--", b"<![CDATA[", b"&#0;&#xD800;&#99999999;", b"\r", b"\t" * 50, "\u202e\u200b\ufeff".encode(),
    b"<" * 200, b"a" * 5000, b". " * 500, b"\n" * 300, b"<html><head><meta charset=koi8-r></head>",
]
SUFFIXES = ("txt", "md", "html")


def seeds(corpus: Path | None) -> list[bytes]:
    files = sorted(p for p in (corpus or REPO / "content").rglob("*") if p.suffix.lstrip(".") in SUFFIXES and p.is_file())
    return [p.read_bytes()[:200_000] for p in files] or [b"Headline\nThe council met on Tuesday. It voted.\n"]


def mutate(data: bytes, rng: random.Random, pool: list[bytes]) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(8)
        pos = rng.randint(0, len(out))
        if op == 0 and out:  # bit flips
            for _ in range(rng.randint(1, 20)):
                i = rng.randrange(len(out))
                out[i] ^= 1 << rng.randrange(8)
        elif op == 1:  # truncate
            del out[pos:]
        elif op == 2:  # insert a hostile snippet
            out[pos:pos] = rng.choice(HOSTILE)
        elif op == 3:  # random bytes
            out[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        elif op == 4:  # splice with another seed
            other = rng.choice(pool)
            cut = rng.randint(0, len(other))
            out[pos:] = other[cut:]
        elif op == 5:  # re-encode
            text = bytes(out).decode("utf-8", "replace")
            enc = rng.choice(["utf-16", "utf-16-le", "cp1252", "latin-1", "utf-32"])
            bom = codecs.BOM_UTF16_LE if enc == "utf-16-le" and rng.random() < 0.5 else b""
            out = bytearray(bom + text.encode(enc, "replace"))
        elif op == 6:  # duplicate a chunk
            a = rng.randint(0, len(out))
            out[pos:pos] = out[a : a + rng.randint(1, 2000)]
        else:  # delete a chunk
            del out[pos : pos + rng.randint(1, 200)]
    return bytes(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus", type=Path, help="folder of seed files (default: content/)")
    parser.add_argument("--save", type=Path, help="keep the inputs of each crash here")
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    pool = seeds(args.corpus)
    config = load_config(None)
    outcomes: Counter[str] = Counter()
    crashes = 0
    rounds = 0
    slowest = (0.0, "")
    deadline = time.monotonic() + args.seconds
    with tempfile.TemporaryDirectory(prefix="digest-fuzz-") as tmp:
        while time.monotonic() < deadline:
            rounds += 1
            folder = Path(tmp) / f"r{rounds}"
            folder.mkdir()
            paths = []
            for i in range(rng.randint(1, 3)):
                data = mutate(rng.choice(pool), rng, pool) if rng.random() < 0.85 else bytes(rng.randrange(256) for _ in range(rng.randint(0, 3000)))
                path = folder / f"f{i}.{rng.choice(SUFFIXES)}"
                path.write_bytes(data)
                paths.append(path)
            started = time.perf_counter()
            try:
                articles, corpus = inspect(paths, config)
            except Exception:  # noqa: BLE001 - that is what we are looking for
                crashes += 1
                outcomes["crash"] += 1
                print(f"CRASH in round {rounds} on {[p.name for p in paths]}:", file=sys.stderr)
                traceback.print_exc()
                if args.save:
                    target = args.save / f"crash-{args.seed}-{rounds}"
                    shutil.copytree(folder, target)
                    print(f"inputs saved in {target}", file=sys.stderr)
            else:
                outcomes["article"] += len(articles)
                outcomes["error"] += len(corpus.errors)
                outcomes["warning"] += len(corpus.warnings)
                for problem in corpus.errors:
                    if " failed: " in problem.message:  # a stage raised something it should not
                        crashes += 1
                        outcomes["stage bug"] += 1
                        print(f"STAGE BUG in round {rounds}: {problem}", file=sys.stderr)
            seconds = time.perf_counter() - started
            if seconds > slowest[0]:
                slowest = (seconds, ",".join(f"{p.name}:{p.stat().st_size}B" for p in paths))
            shutil.rmtree(folder, ignore_errors=True)
    print(f"{rounds} rounds in {args.seconds:.0f} s (seed {args.seed}): " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    print(f"slowest round: {slowest[0]:.2f} s ({slowest[1]})")
    print(f"crashes: {crashes}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
