"""Splitting long id lists for `IN (…)` queries (SQLite allows 32,766 parameters per
statement, PostgreSQL 65,535; 500 keeps every query small)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

IN_CHUNK = 500

T = TypeVar("T")


def chunked(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """`values` in consecutive lists of at most `size`."""
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def in_ids(column: Any) -> sa.ColumnElement[bool]:
    """`column IN (:ids)`, expanded when run: a statement built once serves every id list
    (see `rows_in`)."""
    return column.in_(sa.bindparam("ids", expanding=True))


def rows_in(
    session: Session, statement: Any, ids: Sequence[Any]
) -> Iterator[Any]:  # rows of any shape
    """The rows of `statement` (filtered with `in_ids`) for all `ids`, one query per
    `IN_CHUNK` ids. Flushes first, as an ORM statement's autoflush would: rows added through
    the ORM in this session count too."""
    session.flush()
    for chunk in chunked(ids):
        yield from session.execute(statement, {"ids": chunk})
