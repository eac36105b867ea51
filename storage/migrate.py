"""Apply Alembic migrations programmatically (at start-up and from `geoalert db upgrade`).

Alembic is imported only when a migration has to run. With it come Mako and Pygments: about
10 MB of memory and 0.1 s of start-up that would otherwise stay in every process for good.
A database already at `HEAD` costs one query. A long-running process (`geoalert run`) migrates
in a short-lived child process (`isolated=True`), so it never holds them at all.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import StorageError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The newest migration's revision: a database stamped with it needs no Alembic. A test fails
# when a migration is added and this is not moved to it.
HEAD = "0009"
# PostgreSQL: replicas starting together migrate one at a time under this advisory lock
# (held until the migration's transaction ends); the later ones find the schema at head.
MIGRATE_LOCK_KEY = 0x67656F6D69677261
CHILD_TIMEOUT = 600.0  # seconds a migration in a child process may take


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at the bundled migrations (no alembic.ini needed)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def schema_revision(engine: Engine) -> str | None:
    """The revision the database is stamped with; None for a new (or unreadable) database:
    the migration that follows says what is wrong with it."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return None


def upgrade(engine: Engine, revision: str = "head", *, isolated: bool = False) -> None:
    """Bring the schema to `revision`; raise `StorageError` naming the database on failure.
    `isolated`: run Alembic in a child process (for long-running processes)."""
    if revision == "head" and schema_revision(engine) == HEAD:
        return
    if isolated:
        _upgrade_in_child(engine, revision)
    else:
        _upgrade_here(engine, revision)


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _upgrade_here(engine: Engine, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    try:
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                                   {"k": MIGRATE_LOCK_KEY & 0x7FFFFFFFFFFFFFFF})  # fmt: skip
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except SQLAlchemyError as exc:
        orig = getattr(exc, "orig", None)
        reason = str(orig if orig else exc).splitlines()[0]
        raise StorageError(f"cannot migrate database {_where(engine)}: {reason}") from exc


def _upgrade_in_child(engine: Engine, revision: str) -> None:
    """`_upgrade_here` in `python -m storage.migrate`; the URL (it may hold a password) goes
    through the child's stdin, not its command line or environment."""
    url = engine.url.render_as_string(hide_password=False)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "storage.migrate", revision],
            input=url, capture_output=True, text=True, timeout=CHILD_TIMEOUT, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise StorageError(f"cannot migrate database {_where(engine)}: {exc}") from exc
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        reason = lines[-1] if lines else f"migration process exited {done.returncode}"
        raise StorageError(reason)


def _main() -> int:
    """Migrate the database whose URL is on stdin to the revision in argv (default head)."""
    from storage.engine import make_engine

    revision = sys.argv[1] if len(sys.argv) > 1 else "head"
    engine = make_engine(sys.stdin.readline().strip())
    try:
        _upgrade_here(engine, revision)
    except StorageError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(_main())
