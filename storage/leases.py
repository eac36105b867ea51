"""Feed-poll leases for replicas on PostgreSQL: each due feed is claimed by one replica.

A claim locks due rows with `FOR UPDATE SKIP LOCKED` (replicas claiming at the same moment
take different feeds, and nobody waits) and moves their `due_at` one lease period ahead: the
lease. Recording the fetch (`storage.feeds.record_fetches`) moves `due_at` to the feed's next
interval and clears `leased_by`. A replica that dies mid-poll leaves `due_at` at the end of its
lease, so the feed is due again then (or at once, when the dead replica is reaped).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session

from bot.models import FeedConfig, FetchState
from storage.errors import storage_errors
from storage.tables import FeedRow

_FEEDS: sa.Table = FeedRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class LeasePolicy:
    """How one replica claims feeds: its id, the lease length and the batch size."""

    owner: str
    seconds: float  # longer than the slowest fetch (a fetch times out well before)
    batch: int = 50  # feeds per claim: small batches spread a poll over the replicas


@storage_errors
def ensure_feeds(session: Session, feeds: Sequence[FeedConfig]) -> None:
    """Give every configured feed a row (due now), so it can be claimed."""
    if feeds:
        rows = [{"url": f.url, "name": f.name[:200], "consecutive_failures": 0} for f in feeds]
        session.execute(pg_insert(_FEEDS).on_conflict_do_nothing(index_elements=["url"]), rows)


@storage_errors
def claim_feeds(
    session: Session,
    feeds: Sequence[FeedConfig],
    policy: LeasePolicy,
    *,
    now: datetime,
    force: bool = False,
) -> dict[str, FetchState]:
    """Lease up to `policy.batch` of these feeds that are due (every one not leased nor backing
    off, when `force`); returns their conditional-GET state by URL. Commit promptly: the rows
    stay locked until then."""
    c = _FEEDS.c
    due = sa.or_(c.due_at.is_(None), c.due_at <= now)
    if force:
        free = sa.or_(c.leased_by.is_(None), c.due_at <= now)
        due = sa.and_(free, sa.or_(c.next_poll_at.is_(None), c.next_poll_at <= now))
    query = (
        sa.select(c.id, c.url, c.etag, c.last_modified, c.content_hash)
        .where(c.url == sa.any_(sa.bindparam("urls", [f.url for f in feeds],
                                             type_=sa.ARRAY(sa.String))))
        .where(due)
        .order_by(c.due_at.asc().nulls_first(), c.id)
        .limit(policy.batch)
        .with_for_update(skip_locked=True)
    )  # fmt: skip
    rows = session.execute(query).all()
    if rows:
        session.execute(
            sa.update(_FEEDS)
            .where(c.id.in_([r.id for r in rows]))
            .values(due_at=now + timedelta(seconds=policy.seconds), leased_by=policy.owner)
        )
    return {r.url: FetchState(r.etag, r.last_modified, r.content_hash) for r in rows}
