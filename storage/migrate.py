"""Apply Alembic migrations programmatically (at start-up and from `geoalert db upgrade`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import StorageError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# PostgreSQL: replicas starting together migrate one at a time under this advisory lock
# (held until the migration's transaction ends); the later ones find the schema at head.
MIGRATE_LOCK_KEY = 0x67656F6D69677261


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at the bundled migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; raise `StorageError` naming the database on failure."""
    config = alembic_config()
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                                   {"k": MIGRATE_LOCK_KEY & 0x7FFFFFFFFFFFFFFF})  # fmt: skip
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except SQLAlchemyError as exc:
        where = engine.url.render_as_string(hide_password=True)
        orig = getattr(exc, "orig", None)
        reason = str(orig if orig else exc).splitlines()[0]
        raise StorageError(f"cannot migrate database {where}: {reason}") from exc
