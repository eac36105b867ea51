"""A lock held in the database, so a second `geoalert run` on one database refuses to start.

The holder refreshes a heartbeat; a lock whose heartbeat is stale, or whose holder process is
known dead (same host, pid gone), is taken over.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.errors import LockHeldError
from storage.errors import storage_errors
from storage.tables import LockRow

STALE_AFTER = timedelta(seconds=90)


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a lock: host, pid and a per-process nonce."""

    host: str
    pid: int
    nonce: str

    @classmethod
    def me(cls) -> Holder:
        return cls(socket.gethostname(), os.getpid(), uuid.uuid4().hex[:8])

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}:{self.nonce}"

    @classmethod
    def parse(cls, text: str) -> Holder | None:
        parts = text.rsplit(":", 2)
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        return cls(parts[0], int(parts[1]), parts[2])


def holder_is_dead(text: str, me: Holder) -> bool:
    """Whether the process named by `text` is known dead: same host, pid gone (or reused)."""
    other = Holder.parse(text)
    if other is None or other.host != me.host:
        return False
    if other.pid == me.pid:  # an earlier life of this pid (e.g. PID 1 in a restarted container)
        return other.nonce != me.nonce
    try:
        os.kill(other.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@storage_errors
def acquire(session: Session, name: str, me: Holder, *, now: datetime) -> None:
    """Take the lock or raise `LockHeldError` naming the live holder."""
    row = session.get(LockRow, name, with_for_update=True)
    if row is None:
        session.add(LockRow(name=name, holder=str(me), acquired_at=now, heartbeat_at=now))
        try:
            session.flush()
        except IntegrityError as exc:
            raise LockHeldError(f"lock {name!r} was taken by another process just now") from exc
        return
    if row.holder != str(me):
        stale = now - row.heartbeat_at > STALE_AFTER
        if not stale and not holder_is_dead(row.holder, me):
            raise LockHeldError(
                f"another geoalert ({row.holder}) is running on this database "
                f"(last heartbeat {row.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC); "
                "stop it first, or wait 90 s if it died"
            )
    row.holder, row.acquired_at, row.heartbeat_at = str(me), now, now
    session.add(row)


@storage_errors
def heartbeat(session: Session, name: str, me: Holder, *, now: datetime) -> bool:
    """Refresh our heartbeat; False when the lock is no longer ours."""
    row = session.get(LockRow, name)
    if row is None or row.holder != str(me):
        return False
    row.heartbeat_at = now
    session.add(row)
    return True


@storage_errors
def release(session: Session, name: str, me: Holder) -> None:
    """Drop the lock if we hold it."""
    row = session.get(LockRow, name)
    if row is not None and row.holder == str(me):
        session.delete(row)


@storage_errors
def holder_heartbeat(session: Session, name: str) -> tuple[str, datetime] | None:
    """(holder, last heartbeat) of a lock, or None when nobody holds it."""
    row = session.get(LockRow, name)
    return None if row is None else (row.holder, row.heartbeat_at)
