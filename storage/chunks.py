"""Splitting long id lists for `IN (…)` queries (SQLite allows 32,766 parameters per
statement, PostgreSQL 65,535; 500 keeps every query small)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

IN_CHUNK = 500

T = TypeVar("T")


def chunked(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """`values` in consecutive lists of at most `size`."""
    for start in range(0, len(values), size):
        yield list(values[start : start + size])
