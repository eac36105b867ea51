"""Per-feed fetch state: conditional-GET validators, last poll, last error, back-off, pausing.

A feed that failed `pause_after` times in a row is *paused*: it is only probed every
`PAUSE_PROBE` (so it resumes by itself when it answers again), `record_fetch` reports the poll
that paused it and the one that recovered it (so admins are told once), and `retry_feeds`
probes it at the next poll. Paused is derived from `consecutive_failures`: no extra column.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import FeedConfig, FetchResult, FetchState
from storage.chunks import in_ids, rows_in
from storage.errors import storage_errors
from storage.tables import FeedRow, ItemRow

MAX_BACKOFF = timedelta(hours=6)
PAUSE_AFTER = 10  # consecutive failures; the lead wires GEOALERT_FEED_PAUSE_AFTER
PAUSE_PROBE = timedelta(hours=6)  # a paused feed is still tried this often
SILENCE_WINDOW = 20  # newest items whose gaps give a feed's usual cadence
SILENCE_FACTOR = 3  # silent after this many usual gaps…
SILENCE_MINIMUM = timedelta(days=2)  # …and never sooner than this
# A little slack so a feed polled on the global interval is not skipped by a second.
DUE_SLACK = timedelta(seconds=5)


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """A change admins should hear about once: a feed just paused, or a paused one recovered."""

    kind: Literal["paused", "recovered"]
    url: str
    name: str
    failures: int  # consecutive failures when it paused, or before it recovered
    reason: str | None  # the last error, for "paused"


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
    paused: bool = False
    silent_since: datetime | None = None  # the newest item, when the feed answers but is silent


@dataclass(slots=True)
class _State:
    """The fetch-state columns of one feed row, read and written without an ORM object (a
    poll records a few hundred of them: ORM objects and their flush cost 5× as much)."""

    url: str
    name: str
    id: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    last_status: int | None = None
    consecutive_failures: int = 0
    next_poll_at: datetime | None = None
    due_at: datetime | None = None  # replicas: next claim (see storage.leases)
    leased_by: str | None = None


_STATE_COLUMNS = tuple(f for f in _State.__dataclass_fields__ if f != "id")
_UPDATED_COLUMNS = tuple(f for f in _STATE_COLUMNS if f != "url")
_FEEDS: sa.Table = FeedRow.__table__  # type: ignore[attr-defined]


# Built once: SQLAlchemy keys its compiled-SQL cache on the statement, and computing that key
# for a new statement on every call cost more than the query itself (a poll makes hundreds;
# see storage.items).
_STATES_QUERY = sa.select(*(_FEEDS.c[name] for name in _State.__dataclass_fields__)).where(
    in_ids(_FEEDS.c.url)
)
_UPDATE_STATE = sa.update(_FEEDS).where(_FEEDS.c.id == sa.bindparam("row_id"))
_INSERT_FEEDS = sa.insert(_FEEDS)


def _states(session: Session, urls: Sequence[str]) -> dict[str, _State]:
    """The stored state of these feed URLs, by URL (one query per `IN_CHUNK` URLs)."""
    return {row.url: _State(*row) for row in rows_in(session, _STATES_QUERY, urls)}


@storage_errors
def is_due(
    session: Session, feed: FeedConfig, *, now: datetime, interval: int, force: bool = False
) -> bool:
    """Whether `feed` should be polled now: its back-off elapsed and (unless `force`) its
    own interval too. A paused feed is due only at its next probe (`PAUSE_PROBE`), even with
    `force`; `retry_feeds` makes it due at once."""
    row = session.exec(select(FeedRow).where(FeedRow.url == feed.url)).first()
    return _due(row, feed, now=now, interval=interval, force=force)


@storage_errors
def poll_plan(
    session: Session, feeds: Sequence[FeedConfig], *, now: datetime, interval: int, force: bool
) -> dict[str, tuple[FetchState, bool]]:
    """For every feed at once (one query): its conditional-GET state and whether it is due."""
    rows = _states(session, [f.url for f in feeds])
    plan = {}
    for feed in feeds:
        row = rows.get(feed.url)
        state = (
            FetchState()
            if row is None
            else FetchState(row.etag, row.last_modified, row.content_hash)
        )
        plan[feed.url] = (state, _due(row, feed, now=now, interval=interval, force=force))
    return plan


def _due(
    row: FeedRow | _State | None, feed: FeedConfig, *, now: datetime, interval: int, force: bool
) -> bool:
    if row is None or row.last_polled_at is None:
        return True
    if row.next_poll_at is not None and now < row.next_poll_at:
        return False
    if force:
        return True
    own = timedelta(seconds=feed.interval or interval)
    return now >= row.last_polled_at + own - DUE_SLACK


@storage_errors
def record_fetch(
    session: Session,
    result: FetchResult,
    *,
    now: datetime,
    pause_after: int = PAUSE_AFTER,
    interval: int = 0,
) -> FeedEvent | None:
    """Store the outcome of one poll: new validators, or the error and the back-off.

    Returns a `FeedEvent` when this poll paused the feed (its `pause_after`-th failure in a
    row) or when a paused feed answered again; None otherwise.
    """
    events = record_fetches(session, [result], now=now, pause_after=pause_after, interval=interval)
    return events[0] if events else None


@storage_errors
def record_fetches(
    session: Session,
    results: Sequence[FetchResult],
    *,
    now: datetime,
    pause_after: int = PAUSE_AFTER,
    interval: int = 0,
) -> list[FeedEvent]:
    """`record_fetch` for many polls at once: one query reads their rows, one UPDATE (and one
    INSERT for feeds polled for the first time) writes them, each with every row's values.
    Returns the `FeedEvent`s, in the order of `results`; a feed listed twice is recorded twice,
    in order, as one by one. Each fetch ends its poll lease: the feed is due again after its
    own interval (or `interval`), or its back-off."""
    states = _states(session, [r.feed.url for r in results])
    events = []
    for result in results:
        state = states.get(result.feed.url)
        if state is None:
            state = states[result.feed.url] = _State(result.feed.url, result.feed.name[:200])
        event = _record(state, result, now=now, pause_after=pause_after)
        own = timedelta(seconds=result.feed.interval or interval)
        # Replicas claim often, so the slack is small: due again after 95% of the interval.
        state.due_at = max(now + own * 0.95, state.next_poll_at or now)
        state.leased_by = None
        if event is not None:
            events.append(event)
    known = [s for s in states.values() if s.id is not None]
    new = [s for s in states.values() if s.id is None]
    if known:
        values = [{"row_id": s.id, **{c: getattr(s, c) for c in _UPDATED_COLUMNS}} for s in known]
        session.execute(_UPDATE_STATE, values)
        # ORM objects of these rows that the session already holds would be stale: reload them.
        ids = {s.id for s in known}
        for obj in list(session.identity_map.values()):
            if isinstance(obj, FeedRow) and obj.id in ids:
                session.expire(obj)
    if new:
        session.execute(_INSERT_FEEDS, [{c: getattr(s, c) for c in _STATE_COLUMNS} for s in new])
    return events


def _record(
    row: _State, result: FetchResult, *, now: datetime, pause_after: int
) -> FeedEvent | None:
    row.name = result.feed.name[:200]
    row.last_polled_at = now
    row.last_status = result.status
    before = row.consecutive_failures
    event: FeedEvent | None = None
    if result.error is None:
        row.etag = result.state.etag
        row.last_modified = result.state.last_modified
        row.content_hash = result.state.content_hash
        row.last_success_at = now
        row.last_error = None
        row.consecutive_failures = 0
        row.next_poll_at = None
        if before >= pause_after:
            event = FeedEvent("recovered", row.url, row.name, before, None)
    else:
        row.last_error = result.error[:1000]
        row.consecutive_failures = before + 1
        if row.consecutive_failures >= pause_after:
            row.next_poll_at = now + PAUSE_PROBE
        else:
            row.next_poll_at = now + _backoff(row.consecutive_failures, result.retry_after)
        if row.consecutive_failures == pause_after:
            event = FeedEvent("paused", row.url, row.name, pause_after, row.last_error)
    return event


@storage_errors
def retry_feeds(session: Session, url: str | None = None) -> int:
    """Make failing (paused or backing-off) feeds due at the next poll; `url` limits it to one.

    A paused feed stays paused until a poll succeeds, so a retry that fails again does not
    announce the pause a second time. Returns how many feeds were affected.
    """
    query = select(FeedRow).where(col(FeedRow.consecutive_failures) > 0)
    if url is not None:
        query = query.where(FeedRow.url == url)
    rows = session.exec(query).all()
    for row in rows:
        row.next_poll_at = None
        row.due_at = None
        session.add(row)
    session.flush()
    return len(rows)


def _backoff(failures: int, retry_after: float | None) -> timedelta:
    """Exponential back-off from one minute, capped; a server's Retry-After wins when longer."""
    delay = min(timedelta(minutes=2 ** (failures - 1)), MAX_BACKOFF)
    if retry_after is not None:
        delay = max(delay, min(timedelta(seconds=retry_after), MAX_BACKOFF))
    return delay


def silent_since(
    published: Sequence[datetime], *, now: datetime, answering: bool
) -> datetime | None:
    """When a feed that still answers went quiet (its newest item), or None if it is not silent.

    Silent means no new item for longer than `SILENCE_FACTOR` times the median gap between its
    newest `SILENCE_WINDOW` items, and at least `SILENCE_MINIMUM`. A failing feed
    (`answering=False`) or one with fewer than 3 dated items is never called silent. Pure.
    """
    if not answering or len(published) < 3:
        return None
    dates = sorted(published, reverse=True)[:SILENCE_WINDOW]
    gaps = [(newer - older).total_seconds() for newer, older in itertools.pairwise(dates)]
    usual = timedelta(seconds=statistics.median(gaps))
    newest = dates[0]
    return newest if now - newest > max(SILENCE_FACTOR * usual, SILENCE_MINIMUM) else None


@storage_errors
def recent_item_dates(session: Session, url: str, limit: int = SILENCE_WINDOW) -> list[datetime]:
    """Published dates of the newest `limit` stored items of the feed at `url`."""
    query = (
        select(ItemRow.published)
        .where(ItemRow.source == url)
        .order_by(col(ItemRow.published).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())


@storage_errors
def feed_statuses(
    session: Session, *, now: datetime | None = None, pause_after: int = PAUSE_AFTER
) -> list[FeedStatus]:
    """Every known feed with its fetch state, stored item count, pause and silence."""
    now = now or datetime.now(UTC)
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
            paused=r.consecutive_failures >= pause_after,
            silent_since=silent_since(
                recent_item_dates(session, r.url),
                now=now,
                answering=r.last_success_at is not None and r.consecutive_failures == 0,
            ),
        )
        for r in rows
    ]
