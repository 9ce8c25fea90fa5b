"""Errors that name the file (and line or key) they come from.

Every error a user can cause is a :class:`DigestError`. The CLI maps them to exit
codes; the build collects :class:`SourceError` per article and goes on.
"""
from __future__ import annotations


class DigestError(Exception):
    """Base class of every error that a user's input or set-up can cause."""


class ConfigError(DigestError):
    """The config file is wrong. ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class SourceError(DigestError):
    """A content file cannot be used: ``path:line:col: message``."""

    def __init__(self, path: str, message: str, line: int | None = None, col: int | None = None):
        self.path = str(path)
        self.line = line
        self.col = col
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return f"{where}: {self.message}"


class TemplateError(DigestError):
    """A template cannot be loaded or rendered; names the template file and line."""

    def __init__(self, name: str, message: str, line: int | None = None):
        self.name = name
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.name if self.line is None else f"{self.name}:{self.line}"
        return f"{where}: {self.message}"
