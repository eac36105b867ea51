"""Personal watches in the store."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import Watch
from storage.errors import storage_errors
from storage.tables import ChatRow, WatchRow

_WATCHES: sa.Table = WatchRow.__table__  # type: ignore[attr-defined]
_CHATS: sa.Table = ChatRow.__table__  # type: ignore[attr-defined]
# Built once: the poll reads the active watches for every feed it stores (see storage.items).
_ACTIVE_WATCHES = (
    sa.select(_WATCHES.c.chat_id, _WATCHES.c.name, _WATCHES.c.query, _WATCHES.c.thread_id)
    .join(_CHATS, _CHATS.c.id == _WATCHES.c.chat_id)
    .where(_CHATS.c.active.is_(True), _WATCHES.c.created_at <= sa.bindparam("before"))
    .order_by(_WATCHES.c.id)
)


@storage_errors
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


@storage_errors
def delete_watch(session: Session, chat_id: int, name: str) -> bool:
    result = session.execute(
        sa.delete(WatchRow).where(col(WatchRow.chat_id) == chat_id, col(WatchRow.name) == name)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


@storage_errors
def chat_watches(session: Session, chat_id: int) -> list[Watch]:
    rows = session.exec(
        select(WatchRow).where(WatchRow.chat_id == chat_id).order_by(col(WatchRow.name))
    ).all()
    return [Watch(r.chat_id, r.name, r.query, r.thread_id) for r in rows]


@storage_errors
def active_watches(session: Session, *, created_before: datetime) -> list[Watch]:
    """Watches of active chats made before `created_before` (no alerts for older items)."""
    session.flush()
    rows = session.execute(_ACTIVE_WATCHES, {"before": created_before})
    return [Watch(chat_id, name, query, thread_id) for chat_id, name, query, thread_id in rows]
