"""The ``digest`` command: argparse over the library API, DigestError → exit codes.

Exit codes: 0 success; 1 the build finished but files were skipped and ``--strict``
was given, or a command failed on bad input; 2 usage or configuration error.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Sequence

from . import __version__
from .config import Config, load_config, with_overrides
from .errors import ConfigError, DigestError

log = logging.getLogger("digest")


#: Set by :func:`run`: the process ends as soon as the command returns.
_EXITING = False
#: What a command leaves for the process's end to drop at once (see :func:`run`).
_LEFT: list[object] = []


def run() -> None:
    """The ``digest`` program: :func:`main`, then the process ends without freeing the build's
    objects one by one (about a second of a 10,000-article build after an edit; the system
    takes the memory back at once). Output is flushed first; tests call :func:`main`."""
    global _EXITING
    _EXITING = True
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _setup_logging(args.verbose, args.quiet)
    try:
        return args.func(args)
    except ConfigError as exc:
        for line in exc.problems:
            print(f"error: {line}", file=sys.stderr)
        return 2
    except DigestError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="digest", description="Build a static news digest site from a folder of articles.")
    parser.add_argument("--version", action="version", version=f"digest {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, help="config file (default: ./digest.yaml if present)")
    common.add_argument("--content", type=Path, help="content folder (overrides paths.content)")
    common.add_argument("--out", type=Path, help="output folder (overrides paths.output)")
    common.add_argument("--sentences", type=_positive, help="summary length in sentences (overrides summary.sentences)")
    common.add_argument("--ratio", type=_share, help="summary length as a share of the article's sentences, "
                        "--sentences at most (overrides summary.ratio; 0: off)")
    common.add_argument("-j", "--jobs", type=_positive, help="worker processes for the per-article stages (default: one per core for large sites)")
    common.add_argument("-v", "--verbose", action="store_true", help="say more")
    common.add_argument("-q", "--quiet", action="store_true", help="only errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", parents=[common], help="build the site")
    p.add_argument("--strict", action="store_true", help="exit 1 if any file was skipped or warned about")
    p.add_argument("--no-cache", action="store_true", help="redo every article and page (the cache in paths.cache is neither read nor written)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("serve", parents=[common], help="build, serve on loopback, rebuild and reload on change")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("watch", parents=[common], help="rebuild on every change to content, templates or config")
    p.set_defaults(func=cmd_watch)

    p = sub.add_parser("inspect", parents=[common], help="run the pipeline on files and print what it found")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--format", choices=("text", "json"), default="text", help="json: one object per article per line")
    p.set_defaults(func=cmd_inspect)
    return parser


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value!r}")
    return n


def _share(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {value!r}") from None
    if not 0 <= x <= 1:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {value!r}")
    return x


def _setup_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.ERROR if quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    root = logging.getLogger("digest")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def _config(args: argparse.Namespace) -> Config:
    config = load_config(args.config)
    if args.ratio is not None:
        config = replace(config, summary=replace(config.summary, ratio=args.ratio))
    return with_overrides(config, content=args.content, output=args.out)


def cmd_build(args: argparse.Namespace) -> int:
    from .pipeline import build, open_cache

    config = _config(args)
    show = sys.stderr.isatty() and not args.quiet
    store = None
    if _EXITING and not args.no_cache:  # the process's end drops the cache's articles, not the build
        store = open_cache(config, args.sentences)
        _LEFT.append(store)
    result = build(config, sentences=args.sentences, jobs=args.jobs, progress=_print_progress if show else None,
                   use_cache=not args.no_cache, store=store, release=True)
    _report(result.warnings, result.errors)
    log.info("built %d articles, %d files into %s in %.2f s", result.articles, len(result.written), result.out_dir, result.seconds)
    if result.errors or (args.strict and result.warnings):
        return 1 if args.strict else 0
    return 0


def _print_progress(step: str, count: int, seconds: float) -> None:
    """One line a build step, on a terminal only: what was done, how many, how fast."""
    rate = f", {count / seconds:,.0f}/s" if seconds > 0.05 and count else ""
    print(f"  {step}: {count:,} in {seconds:.2f} s{rate}", file=sys.stderr)


def _report(warnings, errors) -> None:
    for problem in warnings:
        log.warning("warning: %s", problem)
    for problem in errors:
        log.error("error: %s (skipped)", problem)


def cmd_inspect(args: argparse.Namespace) -> int:
    from . import records
    from .pipeline import inspect

    config = _config(args)
    articles, corpus = inspect(args.paths, config, sentences=args.sentences)
    _report(corpus.warnings, corpus.errors)
    for article in articles:
        print(records.to_json(article) if args.format == "json" else records.to_text(article) + "\n")
    return 1 if corpus.errors else 0


def cmd_watch(args: argparse.Namespace) -> int:
    from .watch import watch

    watch(_config(args), sentences=args.sentences, reload_config=lambda: _config(args))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve

    serve(_config(args), host=args.host, port=args.port, sentences=args.sentences, reload_config=lambda: _config(args))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
