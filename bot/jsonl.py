"""Labelled JSON Lines files (rule and story sets): read line by line, errors as `path:line`."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from bot.errors import GeoalertError


def line_error(path: Path, line: int, reason: str) -> GeoalertError:
    """The error for one line of a labelled file: `path:line: reason`."""
    return GeoalertError(f"{path}:{line}: {reason}")


def json_lines(path: Path, what: str) -> Iterator[tuple[int, Any]]:
    """(line number, value) for every non-blank line. Raises `GeoalertError`: `path: cannot
    read the <what>: reason` for an unreadable file, `path:line: invalid JSON …` for a bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise GeoalertError(f"{path}: cannot read the {what}: {reason}") from e
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as e:
            raise line_error(path, number, f"invalid JSON: {e.msg} (column {e.colno})") from e


def check_keys(
    raw: Any,
    path: Path,
    line: int,
    *,
    what: str,
    keys: Collection[str],
    required: Collection[str],
) -> dict[str, Any]:
    """`raw` as a JSON object with only `keys` and every one of `required`."""
    if not isinstance(raw, dict):
        raise line_error(path, line, f"{what} must be a JSON object, not {type(raw).__name__}")
    unknown = sorted(set(raw) - set(keys))
    if unknown:
        known = ", ".join(sorted(keys))
        raise line_error(path, line, f"unknown key '{unknown[0]}' (keys: {known})")
    for key in required:
        if key not in raw:
            raise line_error(path, line, f"missing required key '{key}'")
    return raw
