"""SQLAlchemy's errors become `bot.errors.StorageError` at the storage boundary.

Query functions are decorated with `storage_errors`; `session_scope` wraps what its commit
raises. Private helpers are not wrapped: their callers are. The message is the first line of the
driver's own message ("database is locked"), which is what logs and poll reports show; the
original error stays the `__cause__`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar, cast

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from bot.errors import DatabaseError, StorageError

P = ParamSpec("P")
R = TypeVar("R")


def wrap(exc: SQLAlchemyError) -> StorageError:
    """The `StorageError` for a SQLAlchemy error: `DatabaseError` when the driver failed (worth
    retrying the unit of work), plain `StorageError` otherwise (a misuse of the library)."""
    reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    return DatabaseError(reason) if isinstance(exc, DBAPIError) else StorageError(reason)


def storage_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate a storage entry point: SQLAlchemy errors leave it as `StorageError`s
    (generator functions included, while they are iterated)."""
    if inspect.isgeneratorfunction(func):

        @functools.wraps(func)
        def generate(*args: P.args, **kwargs: P.kwargs) -> Iterator[Any]:
            try:
                yield from cast(Iterator[Any], func(*args, **kwargs))
            except SQLAlchemyError as exc:
                raise wrap(exc) from exc

        return cast(Callable[P, R], generate)

    @functools.wraps(func)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except SQLAlchemyError as exc:
            raise wrap(exc) from exc

    return call
