"""Notices: prepared messages (digest pages, spike alerts, admin notices) waiting to be pushed.

Drained by the same sender as the alerts (`bot.delivery`), with the same guarantee: a row is
marked sent only after Telegram accepted it, each mark committed on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.errors import storage_errors
from storage.outbox import retry_later
from storage.tables import NoticeRow, OutboxRow

IN_DIGEST = "in_digest"  # an outbox row whose digest page is queued as a notice


@dataclass(frozen=True, slots=True)
class NoticeEntry:
    """A pending notice, as the sender sees it."""

    id: int
    chat_id: int
    thread_id: int
    kind: str
    text: str  # HTML
    silent: bool
    attempts: int
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()  # keyboard rows of (text, data)


@storage_errors
def queue_notice(
    session: Session,
    chat_id: int,
    text: str,
    *,
    kind: str,
    now: datetime,
    thread_id: int = 0,
    silent: bool = False,
    covers: Sequence[int] = (),
    buttons: Sequence[Sequence[tuple[str, str]]] = (),
) -> None:
    """Queue one message; `covers` are outbox rows it delivers (held for it until then),
    `buttons` its inline keyboard rows of (text, callback data)."""
    session.add(
        NoticeRow(
            chat_id=chat_id, thread_id=thread_id, kind=kind, text=text, silent=silent,
            covers=list(covers), next_attempt_at=now, created_at=now,
            buttons=[[[label, data] for label, data in row] for row in buttons],
        )
    )  # fmt: skip
    if covers:
        session.execute(
            sa.update(OutboxRow).where(col(OutboxRow.id).in_(list(covers))).values(status=IN_DIGEST)
        )
    session.flush()


@storage_errors
def due_notices(session: Session, *, now: datetime, limit: int = 200) -> list[NoticeEntry]:
    """Pending notices whose next attempt is due, oldest first (each chat's in order)."""
    rows = session.exec(
        select(NoticeRow)
        .where(NoticeRow.status == "pending", col(NoticeRow.next_attempt_at) <= now)
        .order_by(col(NoticeRow.id))
        .limit(limit)
    ).all()
    return [
        NoticeEntry(
            r.id or 0,
            r.chat_id,
            r.thread_id,
            r.kind,
            r.text,
            r.silent,
            r.attempts,
            _rows(r.buttons),
        )
        for r in rows
    ]


def _rows(stored: list[list[list[str]]] | None) -> tuple[tuple[tuple[str, str], ...], ...]:
    return tuple(tuple((str(b[0]), str(b[1])) for b in row) for row in stored or ())


@storage_errors
def mark_sent(session: Session, notice_id: int, *, message_id: int | None, now: datetime) -> None:
    """Telegram accepted the notice; the outbox rows it covers are delivered with it."""
    row = session.get(NoticeRow, notice_id)
    if row is None:
        return
    row.status, row.sent_at, row.message_id = "sent", now, message_id
    row.attempts += 1
    session.add(row)
    if row.covers:
        session.execute(
            sa.update(OutboxRow)
            .where(col(OutboxRow.id).in_(row.covers), col(OutboxRow.status) == IN_DIGEST)
            .values(status="sent", sent_at=now, message_id=message_id)
        )


@storage_errors
def mark_retry(session: Session, notice_id: int, *, error: str, at: datetime) -> None:
    """The attempt failed for a passing reason: try again at `at`; the chat's later notices
    wait too, so they keep their order (a digest's pages)."""
    retry_later(session, NoticeRow, notice_id, error=error, at=at)


@storage_errors
def mark_dropped(session: Session, notice_id: int, *, error: str) -> None:
    """The notice can never be delivered; keep the row (and what it covers) for the record."""
    row = session.get(NoticeRow, notice_id)
    if row is None:
        return
    row.status, row.last_error = "dropped", error[:1000]
    row.attempts += 1
    session.add(row)
    _drop_covered(session, row.covers, error)


@storage_errors
def drop_chat_pending(session: Session, chat_id: int, *, error: str) -> int:
    """Drop every pending notice of a chat that blocked or removed the bot."""
    rows = session.exec(
        select(NoticeRow).where(NoticeRow.chat_id == chat_id, NoticeRow.status == "pending")
    ).all()
    for row in rows:
        row.status, row.last_error = "dropped", error[:1000]
        session.add(row)
        _drop_covered(session, row.covers, error)
    return len(rows)


@storage_errors
def migrate_chat(session: Session, old_id: int, new_id: int) -> None:
    """A group became a supergroup: its pending notices follow it."""
    session.execute(
        sa.update(NoticeRow)
        .where(col(NoticeRow.chat_id) == old_id, col(NoticeRow.status) == "pending")
        .values(chat_id=new_id)
    )


@storage_errors
def pending_count(session: Session) -> int:
    """How many notices wait to be delivered."""
    query = select(sa.func.count()).select_from(NoticeRow).where(NoticeRow.status == "pending")
    return int(session.exec(query).one())


def _drop_covered(session: Session, covers: list[int], error: str) -> None:
    if covers:
        session.execute(
            sa.update(OutboxRow)
            .where(col(OutboxRow.id).in_(covers), col(OutboxRow.status) == IN_DIGEST)
            .values(status="dropped", last_error=error[:1000])
        )
