"""Shared fixtures: real databases (a SQLite file always; PostgreSQL when configured)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from tests.support.databases import migrated_engine

REPO = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("GEOALERT_TEST_POSTGRES_URL")

DB_PARAMS = [pytest.param("sqlite", id="sqlite")]
if POSTGRES_URL:
    DB_PARAMS.append(pytest.param("postgresql", id="postgresql"))


def _postgres_schema_url(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(params=DB_PARAMS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: a SQLite file, or a private PostgreSQL schema."""
    yield from _fresh_database(request.param, tmp_path)


@pytest.fixture(params=DB_PARAMS[1:])
def postgres_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A private PostgreSQL schema (generated only when GEOALERT_TEST_POSTGRES_URL is set,
    which CI always does)."""
    yield from _fresh_database(request.param, tmp_path)


def _fresh_database(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'geoalert.db'}"
        return
    assert POSTGRES_URL
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_schema_url(POSTGRES_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.engine.Engine]:
    """A migrated engine on a fresh database."""
    yield from migrated_engine(database_url)


@pytest.fixture
def repo() -> Path:
    """The repository root (bundled rules, seeds, feeds.yaml)."""
    return REPO


from tests.support.fake_bot_api import fake_bot_api  # noqa: E402, F401  (shared fixture)
from tests.support.feed_server import feed_server  # noqa: E402, F401  (shared fixture)
