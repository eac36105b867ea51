"""Personal watches in the store."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.watches import Watch
from storage.tables import ChatRow, WatchRow


def save_watch(session: Session, watch: Watch, *, now: datetime) -> bool:
    """Create or replace a chat's watch; True when it is new."""
    row = session.exec(
        select(WatchRow).where(WatchRow.chat_id == watch.chat_id, WatchRow.name == watch.name)
    ).first()
    new = row is None
    if row is None:
        row = WatchRow(chat_id=watch.chat_id, name=watch.name, query=watch.query, created_at=now)
    row.query, row.thread_id = watch.query, watch.thread_id
    session.add(row)
    session.flush()
    return new


def delete_watch(session: Session, chat_id: int, name: str) -> bool:
    result = session.execute(
        sa.delete(WatchRow).where(col(WatchRow.chat_id) == chat_id, col(WatchRow.name) == name)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def chat_watches(session: Session, chat_id: int) -> list[Watch]:
    rows = session.exec(
        select(WatchRow).where(WatchRow.chat_id == chat_id).order_by(col(WatchRow.name))
    ).all()
    return [Watch(r.chat_id, r.name, r.query, r.thread_id) for r in rows]


def active_watches(session: Session, *, created_before: datetime) -> list[Watch]:
    """Watches of active chats made before `created_before` (no alerts for older items)."""
    rows = session.exec(
        select(WatchRow)
        .join(ChatRow, col(ChatRow.id) == col(WatchRow.chat_id))
        .where(col(ChatRow.active).is_(True), col(WatchRow.created_at) <= created_before)
        .order_by(col(WatchRow.id))
    ).all()
    return [Watch(r.chat_id, r.name, r.query, r.thread_id) for r in rows]
