"""Fetch state of many feeds recorded at once (`record_fetches`): the same rows, back-offs and
pause/recovery events as recording them one by one, in one query and one flush."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot.models import FeedConfig, FetchResult, FetchState
from storage import make_engine, upgrade
from storage.feeds import is_due, poll_plan, record_fetch, record_fetches
from storage.tables import FeedRow

NOW = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)
FIELDS = (
    "url", "name", "etag", "last_modified", "content_hash", "last_polled_at", "last_success_at",
    "last_error", "last_status", "consecutive_failures", "next_poll_at",
)  # fmt: skip


def feed(n: int) -> FeedConfig:
    return FeedConfig(url=f"https://news{n}.example/rss", name=f"News {n}")


def ok(f: FeedConfig, etag: str) -> FetchResult:
    return FetchResult(
        feed=f, state=FetchState(etag, None, "h" * 64), not_modified=True, status=304
    )


def failed(f: FeedConfig) -> FetchResult:
    return FetchResult(feed=f, error="HTTP 503 Service Unavailable", status=503, retry_after=900)


def rows(session: Session) -> dict[str, tuple]:
    return {
        r.url: tuple(getattr(r, name) for name in FIELDS)
        for r in session.exec(select(FeedRow)).all()
    }


def polls() -> list[list[FetchResult]]:
    """Three polls of five feeds: new ones, failures reaching the pause, a recovery, and one
    feed listed twice in a poll (the second result wins, as it would one by one)."""
    a, b, c, d, e = (feed(n) for n in range(5))
    return [
        [ok(a, '"a1"'), failed(b), failed(c), ok(d, '"d1"')],
        [ok(a, '"a2"'), failed(b), failed(c), failed(d), ok(e, '"e1"'), ok(e, '"e2"')],
        [ok(a, '"a2"'), ok(b, '"b1"'), failed(c), failed(d)],
    ]


def test_many_at_once_store_what_one_by_one_stores(engine, tmp_path) -> None:
    one_by_one = make_engine(f"sqlite:///{tmp_path / 'one_by_one.db'}")
    upgrade(one_by_one)
    batched_events, single_events = [], []
    for hour, results in enumerate(polls()):
        now = NOW + timedelta(hours=hour)
        with Session(engine) as s:
            batched_events.append(record_fetches(s, results, now=now, pause_after=2))
            s.commit()
        with Session(one_by_one) as s:
            events = [record_fetch(s, r, now=now, pause_after=2) for r in results]
            single_events.append([e for e in events if e is not None])
            s.commit()
    with Session(engine) as s, Session(one_by_one) as t:
        assert rows(s) == rows(t)
        assert len(rows(s)) == 5
    assert batched_events == single_events
    kinds = [[(e.kind, e.name) for e in events] for events in batched_events]
    assert kinds == [
        [],
        [("paused", "News 1"), ("paused", "News 2")],
        [("recovered", "News 1"), ("paused", "News 3")],
    ]
    one_by_one.dispose()


def test_recorded_states_are_what_the_next_poll_plans_with(engine) -> None:
    a, b = feed(0), feed(1)
    with Session(engine) as s:
        record_fetches(s, [ok(a, '"a1"'), failed(b)], now=NOW)
        s.commit()
        plan = poll_plan(s, [a, b], now=NOW + timedelta(minutes=5), interval=60, force=True)
    assert plan[a.url] == (FetchState('"a1"', None, "h" * 64), True)
    assert plan[b.url] == (FetchState(), False)  # backing off for Retry-After's 15 minutes


def test_rows_the_session_already_holds_are_read_again_after_recording(engine) -> None:
    """record_fetches writes columns, not ORM objects: a FeedRow the session holds must not
    keep answering with its old state (it is expired and reloaded)."""
    a = feed(0)
    with Session(engine) as s:
        record_fetch(s, ok(a, '"a1"'), now=NOW)
        held = s.exec(select(FeedRow).where(FeedRow.url == a.url)).one()
        assert held.next_poll_at is None
        record_fetch(s, failed(a), now=NOW)
        assert not is_due(s, a, now=NOW, interval=0, force=True)  # backing off now
        assert held.consecutive_failures == 1
        assert held.last_error == "HTTP 503 Service Unavailable"
        assert held.next_poll_at == NOW + timedelta(seconds=900)  # Retry-After won
