"""Per-feed fetch state: conditional-GET validators, last poll, last error, back-off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import FeedConfig, FetchResult, FetchState
from storage.tables import FeedRow, ItemRow

MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """What `/status` and `geoalert feeds status` show for one feed."""

    url: str
    name: str
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    consecutive_failures: int
    next_poll_at: datetime | None
    items: int


def _row(session: Session, feed: FeedConfig) -> FeedRow:
    row = session.exec(select(FeedRow).where(FeedRow.url == feed.url)).first()
    if row is None:
        row = FeedRow(url=feed.url, name=feed.name[:200])
        session.add(row)
        session.flush()
    return row


def fetch_state(session: Session, feed: FeedConfig) -> FetchState:
    """Validators remembered from the last successful fetch of `feed`."""
    row = session.exec(select(FeedRow).where(FeedRow.url == feed.url)).first()
    if row is None:
        return FetchState()
    return FetchState(row.etag, row.last_modified, row.content_hash)


def is_due(
    session: Session, feed: FeedConfig, *, now: datetime, interval: int, force: bool = False
) -> bool:
    """Whether `feed` should be polled now: its back-off elapsed and (unless `force`) its
    own interval too."""
    row = session.exec(select(FeedRow).where(FeedRow.url == feed.url)).first()
    if row is None or row.last_polled_at is None:
        return True
    if row.next_poll_at is not None and now < row.next_poll_at:
        return False
    if force:
        return True
    own = timedelta(seconds=feed.interval or interval)
    # A little slack so a feed polled on the global interval is not skipped by a second.
    return now >= row.last_polled_at + own - timedelta(seconds=5)


def record_fetch(session: Session, result: FetchResult, *, now: datetime) -> None:
    """Store the outcome of one poll: new validators, or the error and the back-off."""
    row = _row(session, result.feed)
    row.name = result.feed.name[:200]
    row.last_polled_at = now
    row.last_status = result.status
    if result.error is None:
        row.etag = result.state.etag
        row.last_modified = result.state.last_modified
        row.content_hash = result.state.content_hash
        row.last_success_at = now
        row.last_error = None
        row.consecutive_failures = 0
        row.next_poll_at = None
    else:
        row.last_error = result.error[:1000]
        row.consecutive_failures += 1
        row.next_poll_at = now + _backoff(row.consecutive_failures, result.retry_after)
    session.add(row)
    session.flush()


def _backoff(failures: int, retry_after: float | None) -> timedelta:
    """Exponential back-off from one minute, capped; a server's Retry-After wins when longer."""
    delay = min(timedelta(minutes=2 ** (failures - 1)), MAX_BACKOFF)
    if retry_after is not None:
        delay = max(delay, min(timedelta(seconds=retry_after), MAX_BACKOFF))
    return delay


def feed_statuses(session: Session) -> list[FeedStatus]:
    """Every known feed with its fetch state and stored item count."""
    counts = dict(
        session.exec(select(ItemRow.source, sa.func.count()).group_by(col(ItemRow.source))).all()
    )
    rows = session.exec(select(FeedRow).order_by(col(FeedRow.name))).all()
    return [
        FeedStatus(
            url=r.url,
            name=r.name,
            last_polled_at=r.last_polled_at,
            last_success_at=r.last_success_at,
            last_error=r.last_error,
            consecutive_failures=r.consecutive_failures,
            next_poll_at=r.next_poll_at,
            items=int(counts.get(r.url, 0)),
        )
        for r in rows
    ]
