"""Split YAML front matter from a Markdown file, with errors at the file's own line numbers."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any

import yaml

from ..errors import SourceError

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def _timestamp_or_text(constructor: yaml.constructor.SafeConstructor, node: yaml.ScalarNode) -> Any:
    """A YAML timestamp as a date, or as its text when it names no real time ("2024-07-11T14:00:80Z",
    "2024-13-45"): the reader then reports the value with its key and line, like any other bad date."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(constructor, node)
    except (ValueError, OverflowError):
        return constructor.construct_scalar(node)


def _lenient(base: type) -> type:
    """``base``, a safe YAML loader, with :func:`_timestamp_or_text` for timestamps."""
    loader = type(f"Lenient{base.__name__}", (base,), {})
    loader.add_constructor(_TIMESTAMP, _timestamp_or_text)
    return loader


_PURE_LOADER = _lenient(yaml.SafeLoader)
#: libyaml's safe loader where PyYAML was built with it (about 20 times faster), else the pure-Python one.
_LOADER = _lenient(yaml.CSafeLoader) if hasattr(yaml, "CSafeLoader") else _PURE_LOADER

_OPEN = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)


def split(text: str, path: str) -> tuple[dict[str, Any], str, int]:
    """Return ``(metadata, body, body_line)``: the front matter as a dict, the rest, and
    the 1-based line in the file where the body starts.

    Raises :class:`SourceError` with the file's line for malformed YAML, a missing
    closing ``---`` or front matter that is not a mapping.
    """
    opening = _OPEN.match(text)
    if not opening:
        return {}, text, 1
    closing = _CLOSE.search(text, opening.end())
    if not closing:
        raise SourceError(path, "front matter opened with '---' is never closed (add a line '---' after it)", line=1)
    block = text[opening.end() : closing.start()]
    try:
        data = _simple(block)
        if data is None:
            data = _load_yaml(block)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1  # +1 for 1-based, +1 for the opening '---'
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise SourceError(path, f"invalid YAML in front matter: {problem}", line=line) from exc
    rest = text[closing.end() :]
    if rest.startswith("\r\n"):
        rest = rest[2:]
    elif rest.startswith("\n"):
        rest = rest[1:]
    body_line = text.count("\n", 0, closing.end()) + 2
    if data is None:
        return {}, rest, body_line
    if not isinstance(data, dict):
        raise SourceError(path, f"front matter must be a mapping of keys to values ('key: value' lines), got {_kind(data)}", line=2)
    return {str(k): v for k, v in data.items()}, rest, body_line


#: A front matter line the fast path reads: a plain key at the margin, one space, a value
#: that neither starts nor ends with white space.
_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*): (\S(?:.*\S)?)")
_DOUBLE = re.compile(r'"([^"\\]*)"')
_SINGLE = re.compile(r"'([^']*)'")
_FLOW = re.compile(r"\[([^?\[\]{}:#'\"\\]*)\]")
_STR = "tag:yaml.org,2002:str"


def _simple(block: str) -> dict[str, Any] | None:
    """The front matter most files have (``key: value`` lines, values plain or quoted on one
    line, or a one-line list of plain words) read without a YAML parser; None for anything
    else, which YAML then reads. Every value is given the tag YAML's own resolver gives it
    and built by YAML's own constructor, so the result is the one YAML gives."""
    out: dict[str, Any] = {}
    for line in block.split("\n"):
        if not line:
            continue
        match = _LINE.fullmatch(line)
        if match is None or _resolved(match[1]) != _STR:
            return None
        value = match[2]
        if value[0] in "\"'":
            quoted = (_DOUBLE if value[0] == '"' else _SINGLE).fullmatch(value)
            if quoted is None or not quoted[1].isprintable():
                return None
            out[match[1]] = quoted[1]
        elif value[0] == "[":
            flow = _FLOW.fullmatch(value)
            if flow is None or not flow[1].isprintable():
                return None
            items = [item.strip(" ") for item in flow[1].split(",")] if flow[1].strip(" ") else []
            if not all(_plain(item) for item in items):
                return None
            out[match[1]] = [_scalar(item) for item in items]
        elif _plain(value) and ": " not in value and value[-1] != ":":
            out[match[1]] = _scalar(value)
        else:
            return None
    return out or None


def _plain(value: str) -> bool:
    """``value`` is a YAML plain scalar on its own (``: `` is left to the caller)."""
    return value[:1].isalnum() and value.isprintable() and "#" not in value


@lru_cache(maxsize=4096)
def _resolved(value: str) -> str:
    """The tag YAML's resolver gives the plain scalar ``value`` (remembered: every file asks
    again for its keys, ``title``, ``date``..., and for values such as its tags)."""
    return _yaml_tools()[0].resolve(yaml.ScalarNode, value, (True, False))


def _scalar(value: str) -> Any:
    """The plain scalar ``value`` as YAML builds it (a string, a number, a date, true, null…)."""
    tag = _resolved(value)
    if tag == _STR:
        return value
    constructor = _yaml_tools()[1]
    build = _timestamp_or_text if tag == _TIMESTAMP else constructor.yaml_constructors[tag]
    return build(constructor, yaml.ScalarNode(tag, value))


@lru_cache(maxsize=1)
def _yaml_tools() -> tuple[yaml.resolver.Resolver, yaml.constructor.SafeConstructor]:
    """The resolver and constructor classes the safe loader is made of, one of each per process."""
    return yaml.resolver.Resolver(), yaml.constructor.SafeConstructor()


def _load_yaml(block: str) -> Any:
    """Parse with libyaml; on an error, parse again in pure Python for its clearer message."""
    try:
        return yaml.load(block, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        if _LOADER is _PURE_LOADER:
            raise
    return yaml.load(block, Loader=_PURE_LOADER)  # noqa: S506 - a safe loader


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"the value {str(value).lower()}"
    if isinstance(value, (str, int, float, date)):
        return f"the single value {str(value)[:40]!r}"
    return f"a {type(value).__name__}"


def key_line(text: str, key: str) -> int | None:
    """1-based line of ``key:`` inside the front matter, for error messages."""
    for number, line in enumerate(text.splitlines()[1:], start=2):
        if re.match(rf"^{re.escape(key)}\s*:", line):
            return number
        if _CLOSE.match(line):
            break
    return None


def parse_date(value: Any) -> datetime | None:
    """A YAML date/datetime or an ISO-8601 string as an aware datetime (UTC when no zone is given).

    Returns None when ``value`` cannot be read as a date.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    if isinstance(value, str):
        s = value.strip()
        if s.endswith(("Z", "z")):
            s = s[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(s)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None
