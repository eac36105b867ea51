"""Chats and their subscriptions, as the bot's commands change them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.errors import storage_errors
from storage.tables import ChatRow, OutboxRow, SubscriptionRow, VerdictRow


@dataclass(frozen=True, slots=True)
class ChatInfo:
    """A chat's settings as the handlers need them."""

    id: int
    type: str
    language: str | None  # effective: /lang override, else Telegram's language
    muted: bool
    active: bool
    feedback: bool = True  # alerts carry the Relevant / Not relevant buttons


def _info(row: ChatRow) -> ChatInfo:
    return ChatInfo(
        row.id, row.type, row.language or row.user_language, row.muted, row.active, row.feedback
    )


@storage_errors
def touch_chat(
    session: Session,
    chat_id: int,
    *,
    chat_type: str,
    title: str | None,
    user_language: str | None,
    now: datetime,
) -> ChatInfo:
    """Register a chat (or refresh it); a chat that talks to us again is active again."""
    row = session.get(ChatRow, chat_id)
    if row is None:
        row = ChatRow(id=chat_id, type=chat_type, created_at=now, updated_at=now)
    row.type = chat_type
    row.title = title[:256] if title else None
    if user_language:
        row.user_language = user_language[:8]
    if not row.active:
        row.active, row.deactivated_reason = True, None
    row.updated_at = now
    session.add(row)
    session.flush()
    return _info(row)


@storage_errors
def get_chat(session: Session, chat_id: int) -> ChatInfo | None:
    row = session.get(ChatRow, chat_id)
    return None if row is None else _info(row)


@storage_errors
def subscribe(
    session: Session, chat_id: int, topics: Iterable[str], *, thread_id: int, now: datetime
) -> list[str]:
    """Subscribe to topics (re-subscribing moves the topic to this thread); return new ones."""
    added = []
    for topic in topics:
        row = session.exec(
            select(SubscriptionRow).where(
                SubscriptionRow.chat_id == chat_id, SubscriptionRow.topic == topic
            )
        ).first()
        if row is None:
            session.add(
                SubscriptionRow(chat_id=chat_id, topic=topic, thread_id=thread_id, created_at=now)
            )
            added.append(topic)
        elif row.thread_id != thread_id:
            row.thread_id = thread_id
            session.add(row)
    session.flush()
    return added


@storage_errors
def unsubscribe(session: Session, chat_id: int, topics: Iterable[str] | None) -> list[str]:
    """Remove subscriptions (all when `topics` is None); return the removed topics."""
    query = select(SubscriptionRow).where(SubscriptionRow.chat_id == chat_id)
    if topics is not None:
        query = query.where(col(SubscriptionRow.topic).in_(list(topics)))
    rows = session.exec(query).all()
    for row in rows:
        session.delete(row)
    session.flush()
    return sorted(r.topic for r in rows)


@storage_errors
def subscriptions(session: Session, chat_id: int) -> dict[str, int]:
    """topic -> thread id (0 for the chat itself)."""
    rows = session.exec(select(SubscriptionRow).where(SubscriptionRow.chat_id == chat_id)).all()
    return {r.topic: r.thread_id for r in sorted(rows, key=lambda r: r.topic)}


def _set(session: Session, chat_id: int, **values: object) -> None:
    """Set columns of a known chat (an unknown chat is left alone)."""
    row = session.get(ChatRow, chat_id)
    if row is not None:
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)


@storage_errors
def set_language(session: Session, chat_id: int, language: str) -> None:
    _set(session, chat_id, language=language)


@storage_errors
def set_muted(session: Session, chat_id: int, muted: bool) -> None:
    _set(session, chat_id, muted=muted)


@storage_errors
def set_feedback(session: Session, chat_id: int, on: bool) -> None:
    """/feedback on|off: whether this chat's alerts carry the verdict buttons."""
    _set(session, chat_id, feedback=on)


@storage_errors
def deactivate(session: Session, chat_id: int, *, reason: str, now: datetime) -> None:
    """The bot was blocked or removed: stop alerting this chat (its subscriptions are kept
    so they resume if the user comes back with /start) and forget its verdicts."""
    row = session.get(ChatRow, chat_id)
    if row is not None:
        row.active, row.deactivated_reason, row.updated_at = False, reason[:256], now
        session.add(row)
    session.execute(sa.delete(VerdictRow).where(col(VerdictRow.chat_id) == chat_id))


@storage_errors
def migrate_chat(session: Session, old_id: int, new_id: int, *, now: datetime) -> None:
    """A group became a supergroup: move the chat, its subscriptions and pending alerts."""
    old = session.get(ChatRow, old_id)
    if old is None or session.get(ChatRow, new_id) is not None:
        return
    session.add(
        ChatRow(
            id=new_id,
            type="supergroup",
            title=old.title,
            language=old.language,
            user_language=old.user_language,
            muted=old.muted,
            feedback=old.feedback,
            active=True,
            created_at=old.created_at,
            updated_at=now,
        )
    )
    session.flush()
    for table in (SubscriptionRow, OutboxRow, VerdictRow):
        session.execute(sa.update(table).where(col(table.chat_id) == old_id).values(chat_id=new_id))
    old.active, old.deactivated_reason = False, f"migrated to {new_id}"
    session.add(old)
    session.flush()


@storage_errors
def active_chat_count(session: Session) -> int:
    query = select(sa.func.count()).select_from(ChatRow).where(col(ChatRow.active).is_(True))
    return int(session.exec(query).one())


@dataclass(frozen=True, slots=True)
class DigestChat:
    chat_id: int
    language: str | None
    muted: bool
    local_date: str
    feedback: bool = True  # the digest carries verdict buttons (not after /feedback off)


@storage_errors
def set_digest(
    session: Session, chat_id: int, digest_time: str | None, *, offset_minutes: int = 0
) -> None:
    """Take a daily digest at local `digest_time` ("HH:MM"), or instant alerts (None)."""
    row = session.get(ChatRow, chat_id)
    if row is not None:
        row.digest_time, row.tz_offset_minutes = digest_time, offset_minutes
        row.last_digest_on = None
        session.add(row)


@storage_errors
def digest_settings(session: Session, chat_id: int) -> tuple[str | None, int]:
    row = session.get(ChatRow, chat_id)
    return (None, 0) if row is None else (row.digest_time, row.tz_offset_minutes)


@storage_errors
def digests_due(session: Session, *, now: datetime) -> list[DigestChat]:
    """Chats whose local digest time has passed today and whose digest is not sent yet."""
    rows = session.exec(
        select(ChatRow).where(col(ChatRow.digest_time).is_not(None), col(ChatRow.active).is_(True))
    ).all()
    due = []
    for row in rows:
        local = now + timedelta(minutes=row.tz_offset_minutes)
        today = local.date().isoformat()
        if row.last_digest_on != today and f"{local:%H:%M}" >= (row.digest_time or "99:99"):
            lang = row.language or row.user_language
            due.append(DigestChat(row.id, lang, row.muted, today, row.feedback))
    return due


@storage_errors
def mark_digest_done(session: Session, chat_id: int, local_date: str) -> None:
    row = session.get(ChatRow, chat_id)
    if row is not None:
        row.last_digest_on = local_date
        session.add(row)
