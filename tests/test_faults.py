"""Database faults during a poll: waits and retries, never half-writes, loses nothing."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from bot.matching import load_rules
from bot.models import FeedConfig
from bot.pipeline import Pipeline
from bot.sources.fetch import make_http_client
from storage import make_engine, upgrade
from storage.feeds import feed_statuses
from storage.items import totals
from tests.support.bot_harness import CSTO_ITEM, SANCTIONS_ITEM, rss
from tests.support.feed_server import FeedServer, serve_feeds


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with serve_feeds() as running:
        running.route("/wire.xml", body=rss(CSTO_ITEM))
        yield running


def pipeline(engine, repo, server) -> Pipeline:
    rules = load_rules(repo / "rules")
    feeds = [FeedConfig(url=server.url("/wire.xml"), name="Wire")]
    return Pipeline(
        allow_private=True,  # loopback test servers
        engine=engine, rules=lambda: rules, seeds_dir=None, feeds=feeds, http=None,
    )  # fmt: skip


class WriterHoldingTheLock:
    """Another process's writer: an exclusive SQLite transaction held until released."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.execute("BEGIN EXCLUSIVE")

    def release(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.close()


async def test_sqlite_locked_by_another_writer_is_waited_for(tmp_path, repo, server):
    path = str(tmp_path / "db.sqlite")
    engine = make_engine(f"sqlite:///{path}", busy_timeout_ms=5000)
    upgrade(engine)
    writer = WriterHoldingTheLock(path)
    timer = threading.Timer(0.5, writer.release)
    timer.start()
    async with make_http_client(2.0, 5) as http:
        p = pipeline(engine, repo, server)
        p.http = http
        report = await p.poll(force=True)
    timer.join()
    assert report.errors == [] and len(report.new_matches) == 1


async def test_a_lock_held_past_every_retry_loses_nothing(tmp_path, repo, server):
    path = str(tmp_path / "db.sqlite")
    engine = make_engine(f"sqlite:///{path}", busy_timeout_ms=100)
    upgrade(engine)
    writer = WriterHoldingTheLock(path)
    async with make_http_client(2.0, 5) as http:
        p = pipeline(engine, repo, server)
        p.http = http
        try:
            failed = await p.poll(force=True)
        finally:
            writer.release()
        assert len(failed.errors) == 1 and "database error" in failed.errors[0]
        with Session(engine) as s:
            assert totals(s) == (0, 0)  # nothing half-written
            assert feed_statuses(s) == []  # fetch state not saved: the next poll refetches
        server.route("/wire.xml", body=rss(CSTO_ITEM, SANCTIONS_ITEM))
        recovered = await p.poll(force=True)
    assert recovered.errors == [] and len(recovered.new_matches) == 2


async def test_postgres_connections_dropped_between_polls_are_replaced(postgres_url, repo, server):
    engine = make_engine(postgres_url)
    ours: set[int] = set()  # this engine's server processes: other tests' must live on

    @sa.event.listens_for(engine, "connect")
    def remember_backend(dbapi_connection, _record) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            ours.add(cursor.fetchone()[0])
        dbapi_connection.rollback()

    upgrade(engine)
    async with make_http_client(2.0, 5) as http:
        p = pipeline(engine, repo, server)
        p.http = http
        assert len((await p.poll(force=True)).new_matches) == 1
        with sa.create_engine(postgres_url).connect() as admin:
            killed = admin.execute(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = 'geoalert' AND pid = ANY(:ours)"
                ),
                {"ours": sorted(ours)},
            ).scalar_one()
        assert killed >= 1
        server.route("/wire.xml", body=rss(CSTO_ITEM, SANCTIONS_ITEM))
        report = await p.poll(force=True)
    assert report.errors == [] and len(report.new_matches) == 1
    engine.dispose()
