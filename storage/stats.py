"""Facts about the database itself, for /status."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from storage.errors import storage_errors


@storage_errors
def database_size(session: Session) -> int | None:
    """Bytes used by the database (SQLite file pages, or PostgreSQL's database size)."""
    dialect = session.get_bind().dialect.name
    try:
        if dialect == "sqlite":
            pages = session.execute(sa.text("PRAGMA page_count")).scalar_one()
            size = session.execute(sa.text("PRAGMA page_size")).scalar_one()
            return int(pages) * int(size)
        if dialect == "postgresql":
            query = sa.text("SELECT pg_database_size(current_database())")
            return int(session.execute(query).scalar_one())
    except SQLAlchemyError:
        return None
    return None


def human_bytes(size: int | None) -> str:
    if size is None:
        return "unknown"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
