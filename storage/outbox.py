"""The outbox: one row per (chat, thread, item) alert, drained by the delivery job."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.chunks import in_ids, rows_in
from storage.errors import storage_errors
from storage.tables import ChatRow, NoticeRow, OutboxRow, SubscriptionRow

_OUTBOX: sa.Table = OutboxRow.__table__  # type: ignore[attr-defined]
_SUBSCRIPTIONS: sa.Table = SubscriptionRow.__table__  # type: ignore[attr-defined]
_CHATS: sa.Table = ChatRow.__table__  # type: ignore[attr-defined]
# Built once: the poll queues alerts for every feed it stores (see storage.items).
_SUBSCRIBERS = (
    sa.select(
        _SUBSCRIPTIONS.c.chat_id, _SUBSCRIPTIONS.c.thread_id, _SUBSCRIPTIONS.c.topic,
        _CHATS.c.digest_time,
    )
    .join(_CHATS, _CHATS.c.id == _SUBSCRIPTIONS.c.chat_id)
    .where(
        _SUBSCRIPTIONS.c.topic.in_(sa.bindparam("topics", expanding=True)),
        _CHATS.c.active.is_(True),
        _SUBSCRIPTIONS.c.created_at <= sa.bindparam("now"),
    )
)  # fmt: skip
_QUEUED = sa.select(_OUTBOX.c.chat_id, _OUTBOX.c.thread_id, _OUTBOX.c.item_id).where(
    in_ids(_OUTBOX.c.item_id)
)
_INSERT_OUTBOX = sa.insert(_OUTBOX)

DIGEST = "digest"  # held for the chat's daily digest


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A pending alert, as the delivery job sees it."""

    id: int
    chat_id: int
    thread_id: int
    item_id: str
    topics: tuple[str, ...]
    attempts: int
    muted: bool
    language: str | None
    feedback: bool = True  # the chat wants the verdict buttons (not after /feedback off)


@storage_errors
def enqueue_alerts(
    session: Session,
    item_id: str,
    topics: list[str],
    *,
    now: datetime,
    instant_topics: frozenset[str] = frozenset(),
) -> int:
    """Queue one alert per subscribed chat/thread for a newly matched item; return how many.

    Only subscriptions made before `now` count, so a new subscriber gets no flood of old items;
    the unique constraint makes a repeated call a no-op. Chats taking a daily digest get the
    row held for it, unless one of its topics is in `instant_topics` (high priority).
    """
    return enqueue_alerts_many(session, [(item_id, topics)], now=now, instant_topics=instant_topics)


@storage_errors
def enqueue_alerts_many(
    session: Session,
    matched: Sequence[tuple[str, Sequence[str]]],
    *,
    now: datetime,
    instant_topics: frozenset[str] = frozenset(),
) -> int:
    """`enqueue_alerts` for many (item id, topics) pairs: the subscriptions are read once and
    the rows written in one INSERT, in the given item order (delivery order follows ids)."""
    wanted = sorted({t for _, topics in matched for t in topics})
    if not wanted:
        return 0
    session.flush()  # subscriptions and chats changed in this session count too
    subs = session.execute(_SUBSCRIBERS, {"topics": wanted, "now": now}).all()
    if not subs:
        return 0
    by_topic: dict[str, list[tuple[int, int]]] = {}
    digest_chats = set()
    for chat_id, thread_id, topic, digest_time in subs:
        by_topic.setdefault(topic, []).append((chat_id, thread_id))
        if digest_time:
            digest_chats.add(chat_id)
    existing = _queued(session, [item_id for item_id, _ in matched])
    rows = []
    for item_id, topics in matched:
        targets: dict[tuple[int, int], list[str]] = {}
        for topic in topics:
            for target in by_topic.get(topic, ()):
                targets.setdefault(target, []).append(topic)
        for (chat_id, thread_id), sub_topics in sorted(targets.items()):
            if (chat_id, thread_id, item_id) in existing:
                continue
            existing.add((chat_id, thread_id, item_id))
            held = chat_id in digest_chats and not instant_topics.intersection(sub_topics)
            rows.append(
                {
                    "chat_id": chat_id,
                    "thread_id": thread_id,
                    "item_id": item_id,
                    "topics": sorted(sub_topics),
                    "status": DIGEST if held else "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )
    if rows:
        session.execute(_INSERT_OUTBOX, rows)
    return len(rows)


def _queued(session: Session, item_ids: Sequence[str]) -> set[tuple[int, int, str]]:
    """(chat, thread, item) of the alerts already queued for these items."""
    rows = rows_in(session, _QUEUED, list(dict.fromkeys(item_ids)))
    return {(row.chat_id, row.thread_id, row.item_id) for row in rows}


@storage_errors
def due_entries(session: Session, *, now: datetime, limit: int = 200) -> list[OutboxEntry]:
    """Pending alerts whose next attempt is due, oldest first (so each chat gets them in order)."""
    rows = session.exec(
        select(OutboxRow, ChatRow)
        .join(ChatRow, col(ChatRow.id) == col(OutboxRow.chat_id))
        .where(OutboxRow.status == "pending", col(OutboxRow.next_attempt_at) <= now)
        .order_by(col(OutboxRow.id))
        .limit(limit)
    ).all()
    return [
        OutboxEntry(
            id=row.id or 0,
            chat_id=row.chat_id,
            thread_id=row.thread_id,
            item_id=row.item_id,
            topics=tuple(row.topics),
            attempts=row.attempts,
            muted=chat.muted,
            language=chat.language or chat.user_language,
            feedback=chat.feedback,
        )
        for row, chat in rows
    ]


@storage_errors
def mark_sent(session: Session, entry_id: int, *, message_id: int | None, now: datetime) -> None:
    """Telegram accepted the alert."""
    row = session.get(OutboxRow, entry_id)
    if row is not None:
        row.status, row.sent_at, row.message_id = "sent", now, message_id
        row.attempts += 1
        session.add(row)


@storage_errors
def mark_retry(session: Session, entry_id: int, *, error: str, at: datetime) -> None:
    """The attempt failed for a passing reason: try again at `at`.

    The chat's later alerts wait too, so a chat always receives its alerts in order.
    """
    retry_later(session, OutboxRow, entry_id, error=error, at=at)


Queued = TypeVar("Queued", OutboxRow, NoticeRow)  # the two queues the sender drains


def retry_later(
    session: Session,
    model: type[Queued],
    row_id: int,
    *,
    error: str,
    at: datetime,
) -> None:
    """Count a failed attempt of a queued row (an alert or a notice) and hold it, and every
    pending row of its chat due earlier, until `at`: a chat's messages keep their order."""
    row = session.get(model, row_id)
    if row is None:
        return
    row.attempts += 1
    row.last_error = error[:1000]
    session.add(row)
    session.execute(
        sa.update(model)
        .where(
            col(model.chat_id) == row.chat_id,
            col(model.status) == "pending",
            col(model.next_attempt_at) < at,
        )
        .values(next_attempt_at=at)
    )


@storage_errors
def mark_dropped(session: Session, entry_id: int, *, error: str) -> None:
    """The alert can never be delivered (chat gone); keep the row for the record."""
    row = session.get(OutboxRow, entry_id)
    if row is not None:
        row.status, row.last_error = "dropped", error[:1000]
        row.attempts += 1
        session.add(row)


@storage_errors
def drop_chat_pending(session: Session, chat_id: int, *, error: str) -> int:
    """Drop every pending alert of a chat that blocked or removed the bot."""
    result = session.execute(
        sa.update(OutboxRow)
        .where(col(OutboxRow.chat_id) == chat_id, col(OutboxRow.status) == "pending")
        .values(status="dropped", last_error=error[:1000])
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@storage_errors
def backlog(session: Session) -> int:
    """How many alerts wait to be delivered."""
    query = select(sa.func.count()).select_from(OutboxRow).where(OutboxRow.status == "pending")
    return int(session.exec(query).one())


@storage_errors
def sent_message_id(session: Session, *, chat_id: int, item_id: str) -> int | None:
    """The Telegram message id of an alert already delivered to a chat, if any."""
    return session.exec(
        select(OutboxRow.message_id).where(
            OutboxRow.chat_id == chat_id, OutboxRow.item_id == item_id, OutboxRow.status == "sent"
        )
    ).first()


@storage_errors
def enqueue_direct(
    session: Session,
    chat_id: int,
    item_id: str,
    topics: list[str],
    *,
    thread_id: int = 0,
    now: datetime,
) -> bool:
    """Queue one alert for one chat (a personal watch); False when that chat/thread already
    has this item queued or sent."""
    exists = session.exec(
        select(OutboxRow.id).where(
            OutboxRow.chat_id == chat_id,
            OutboxRow.thread_id == thread_id,
            OutboxRow.item_id == item_id,
        )
    ).first()
    if exists is not None:
        return False
    session.add(
        OutboxRow(
            chat_id=chat_id,
            thread_id=thread_id,
            item_id=item_id,
            topics=topics,
            next_attempt_at=now,
            created_at=now,
        )
    )
    session.flush()
    return True


@storage_errors
def digest_entries(session: Session, chat_id: int) -> list[OutboxEntry]:
    """Alerts held for a chat's digest, oldest first."""
    rows = session.exec(
        select(OutboxRow)
        .where(OutboxRow.chat_id == chat_id, OutboxRow.status == DIGEST)
        .order_by(col(OutboxRow.id))
    ).all()
    return [
        OutboxEntry(
            r.id or 0, r.chat_id, r.thread_id, r.item_id, tuple(r.topics), r.attempts, False, None
        )
        for r in rows
    ]


@storage_errors
def release_digest(session: Session, chat_id: int) -> int:
    """A chat back on instant alerts: its held alerts go out at the next delivery."""
    result = session.execute(
        sa.update(OutboxRow)
        .where(col(OutboxRow.chat_id) == chat_id, col(OutboxRow.status) == DIGEST)
        .values(status="pending")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
