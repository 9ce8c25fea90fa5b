"""digest: a static-site news digest generator.

The public API: :func:`load_config`, :func:`build`, :func:`inspect`, :func:`watch`,
:func:`serve`. The command line (``digest build|serve|watch|inspect``) is a thin layer
over these.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .config import Config, load_config  # noqa: E402
from .errors import ConfigError, DigestError, SourceError, TemplateError  # noqa: E402


def build(config: Config, sentences: int | None = None, jobs: int | None = None, progress=None, **kwargs):
    """Build the site; see :func:`digest.pipeline.build`."""
    from .pipeline import build as _build

    return _build(config, sentences=sentences, jobs=jobs, progress=progress, **kwargs)


def inspect(paths, config: Config, sentences: int | None = None):
    """Run the pipeline on files; see :func:`digest.pipeline.inspect`."""
    from .pipeline import inspect as _inspect

    return _inspect(paths, config, sentences=sentences)


def watch(config: Config, **kwargs):
    """Rebuild on every change; see :func:`digest.watch.watch`."""
    from .watch import watch as _watch

    return _watch(config, **kwargs)


def serve(config: Config, **kwargs):
    """Build, serve and rebuild on change; see :func:`digest.serve.serve`."""
    from .serve import serve as _serve

    return _serve(config, **kwargs)


__all__ = ["Config", "ConfigError", "DigestError", "SourceError", "TemplateError", "__version__", "build", "inspect", "load_config", "serve", "watch"]
