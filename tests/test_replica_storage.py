"""The PostgreSQL primitives replicas coordinate on, against the real server: feed leases with
SKIP LOCKED, once-per-period claims, the sender's advisory lock and LISTEN/NOTIFY."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.models import FeedConfig, FetchResult, FetchState
from bot.replicas import Replica
from storage.engine import session_scope
from storage.feeds import record_fetches
from storage.leases import LeasePolicy, claim_feeds, ensure_feeds
from storage.locks import Holder
from storage.replicas import claim_period
from tests.support.databases import migrated_engine

FEEDS = [FeedConfig(f"http://127.0.0.1:9/{n}.xml", f"Feed {n}") for n in range(30)]
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def pg(postgres_url: str) -> Iterator[sa.engine.Engine]:
    """A migrated engine on a fresh PostgreSQL schema (replicas need PostgreSQL)."""
    yield from migrated_engine(postgres_url)


def test_concurrent_claims_take_disjoint_feeds_and_a_lease_blocks_reclaiming(pg):
    with session_scope(pg) as s:
        ensure_feeds(s, FEEDS)
    a, b = LeasePolicy("a", 60, batch=20), LeasePolicy("b", 60, batch=20)
    with session_scope(pg) as first:
        mine = claim_feeds(first, FEEDS, a, now=NOW)  # rows stay locked until commit
        with session_scope(pg) as second:
            theirs = claim_feeds(second, FEEDS, b, now=NOW)  # skips them, does not wait
    assert len(mine) == 20 and len(theirs) == 10 and not set(mine) & set(theirs)
    with session_scope(pg) as s:  # everything is leased now: nothing is due
        assert claim_feeds(s, FEEDS, b, now=NOW + timedelta(seconds=30)) == {}
    with session_scope(pg) as s:  # leases expired: due again
        assert len(claim_feeds(s, FEEDS, b, now=NOW + timedelta(seconds=61))) == 20


def test_recording_a_fetch_ends_the_lease_until_the_next_interval(pg):
    feed = FEEDS[0]
    with session_scope(pg) as s:
        ensure_feeds(s, [feed])
        assert claim_feeds(s, [feed], LeasePolicy("a", 60), now=NOW)
    with session_scope(pg) as s:
        record_fetches(s, [FetchResult(feed, (), FetchState())], now=NOW, interval=600)
    policy = LeasePolicy("b", 60)
    with session_scope(pg) as s:
        assert claim_feeds(s, [feed], policy, now=NOW + timedelta(seconds=500)) == {}
    with session_scope(pg) as s:
        assert claim_feeds(s, [feed], policy, now=NOW + timedelta(seconds=571)) != {}


def test_a_periodic_job_is_claimed_once_per_period(pg):
    a, b = Holder("h", 1, "a"), Holder("h", 2, "b")
    period = timedelta(seconds=60)
    with session_scope(pg) as s:
        assert claim_period(s, "prune", a, period=period, now=NOW)
    with session_scope(pg) as s:
        assert not claim_period(s, "prune", b, period=period, now=NOW + timedelta(seconds=59))
    with session_scope(pg) as s:
        assert claim_period(s, "prune", b, period=period, now=NOW + timedelta(seconds=60))


def test_one_sender_at_a_time_and_notify_wakes_it(pg):
    one, two = Replica(pg, sender=True), Replica(pg, sender=True)
    for replica in (one, two):
        replica.acquire()
    try:
        assert one.beat() is True and one.is_sender
        assert two.beat() is None and not two.is_sender
        woken = threading.Event()
        one.listen(woken.set)
        for _ in range(10):  # the listener's LISTEN is up within a moment
            two.notify()
            if woken.wait(1.0):
                break
        assert woken.is_set(), "NOTIFY never reached the sender's listener"
        one.release()  # the role goes with its connection
        assert two.beat() is True and two.is_sender
    finally:
        two.release()
