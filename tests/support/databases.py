"""Migrated test databases, for fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa

from storage import make_engine, upgrade


def migrated_engine(url: str) -> Iterator[sa.engine.Engine]:
    """A migrated engine on the database at `url`, disposed after."""
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()
