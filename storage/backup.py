"""Online backup of a SQLite database (PostgreSQL users run pg_dump; see docs/deploy.md)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.errors import StorageError


def backup_sqlite(database_url: str, target: Path) -> int:
    """Copy a live SQLite database to `target` page by page (safe while the bot writes);
    returns the size of the copy in bytes."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise StorageError(
            "db backup copies SQLite databases; for PostgreSQL use "
            "pg_dump --format=custom --file=FILE DATABASE (see docs/deploy.md)"
        )
    source_path = Path(url.database)
    if not source_path.exists():
        raise StorageError(f"no database at {source_path}")
    if target.exists():
        raise StorageError(f"{target} exists; choose a new file name")
    with sqlite3.connect(source_path) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    return target.stat().st_size
