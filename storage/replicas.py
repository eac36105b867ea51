"""Replicas on PostgreSQL: the registry of running processes, once-per-period job claims, and
the sender role (a session advisory lock, freed by PostgreSQL the moment its holder's
connection dies).

SQLite keeps one process per database (`storage.locks`); nothing here is used there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from storage.errors import storage_errors
from storage.locks import Holder, holder_is_dead
from storage.tables import FeedRow, LockRow, ReplicaRow

# A replica whose heartbeat is older than this is dead: its row goes and its feed leases are
# freed at once (without waiting for them to expire).
REPLICA_STALE = timedelta(seconds=30)
# The advisory-lock key of the sender role ("geoalert" in ASCII, 63 bits). Advisory locks are
# per database, not per schema: `sender_key` mixes the schema in so test schemas stay apart.
SENDER_KEY = 0x67656F616C657274
NOTIFY_CHANNEL = "geoalert_outbox"


@dataclass(frozen=True, slots=True)
class ReplicaStatus:
    """What `/status` and `/healthz` show for one replica."""

    id: str
    roles: str
    heartbeat_at: datetime
    started_at: datetime
    leases: int  # feeds it holds a poll lease on now


@storage_errors
def register(session: Session, me: Holder, *, now: datetime) -> None:
    """Add this process to the registry (or refresh its row)."""
    row = session.get(ReplicaRow, str(me))
    if row is None:
        row = ReplicaRow(id=str(me), host=me.host, pid=me.pid, started_at=now, heartbeat_at=now)
    row.heartbeat_at = now
    session.add(row)


@storage_errors
def heartbeat(session: Session, me: Holder, *, roles: str, now: datetime) -> None:
    """Refresh this replica's heartbeat and roles (re-registering it if it was reaped)."""
    row = session.get(ReplicaRow, str(me))
    if row is None:
        row = ReplicaRow(id=str(me), host=me.host, pid=me.pid, started_at=now, heartbeat_at=now)
    row.heartbeat_at, row.roles = now, roles
    session.add(row)


@storage_errors
def unregister(session: Session, me: Holder) -> None:
    """Leave the registry and give back this replica's feed leases (a clean stop)."""
    _free_leases(session, [str(me)])
    row = session.get(ReplicaRow, str(me))
    if row is not None:
        session.delete(row)


@storage_errors
def reap(session: Session, me: Holder, *, now: datetime) -> list[str]:
    """Remove replicas that are dead (stale heartbeat, or a gone pid on this host) and free
    their feed leases; returns their ids."""
    rows = session.exec(select(ReplicaRow).where(ReplicaRow.id != str(me))).all()
    dead = [r.id for r in rows if now - r.heartbeat_at > REPLICA_STALE or holder_is_dead(r.id, me)]
    if dead:
        _free_leases(session, dead)
        session.execute(sa.delete(ReplicaRow).where(col(ReplicaRow.id).in_(dead)))
    return dead


def _free_leases(session: Session, holders: Sequence[str]) -> None:
    session.execute(
        sa.update(FeedRow)
        .where(col(FeedRow.leased_by).in_(holders))
        .values(due_at=None, leased_by=None)
    )


@storage_errors
def replicas(session: Session) -> list[ReplicaStatus]:
    """Every registered replica with its lease count, oldest first."""
    counts = dict(
        session.exec(
            select(FeedRow.leased_by, sa.func.count())
            .where(col(FeedRow.leased_by).is_not(None))
            .group_by(col(FeedRow.leased_by))
        ).all()
    )
    rows = session.exec(select(ReplicaRow).order_by(col(ReplicaRow.started_at))).all()
    return [
        ReplicaStatus(r.id, r.roles, r.heartbeat_at, r.started_at, int(counts.get(r.id, 0)))
        for r in rows
    ]


@storage_errors
def claim_period(
    session: Session, job: str, me: Holder, *, period: timedelta, now: datetime
) -> bool:
    """Whether this replica runs `job` now: true for exactly one replica per `period` (the
    claim is one atomic upsert on the job's row of `locks`, whose heartbeat is the last run)."""
    table = LockRow.__table__  # type: ignore[attr-defined]
    name = f"job:{job}"[:64]
    stmt = (
        pg_insert(table)
        .values(name=name, holder=str(me), acquired_at=now, heartbeat_at=now)
        .on_conflict_do_update(
            index_elements=["name"],
            set_={"holder": str(me), "heartbeat_at": now},
            where=table.c.heartbeat_at <= now - period,
        )
        .returning(table.c.name)
    )
    return session.execute(stmt).first() is not None


def sender_key(connection: Connection) -> int:
    """The sender role's advisory-lock key for this connection's schema."""
    schema = connection.execute(sa.text("SELECT current_schema()")).scalar_one()
    return (SENDER_KEY ^ (hash_text(schema) << 8)) & 0x7FFFFFFFFFFFFFFF


def hash_text(text: str) -> int:
    """A stable 32-bit hash (Python's `hash` differs per process)."""
    value = 2166136261
    for byte in text.encode():
        value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
    return value


def try_sender_lock(connection: Connection) -> bool:
    """Take the sender role on this (dedicated, autocommit) connection if nobody holds it."""
    key = sender_key(connection)
    return bool(connection.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())


def still_connected(connection: Connection) -> bool:
    """Whether the connection holding the role still answers (the lock lives as long as it)."""
    try:
        connection.execute(sa.text("SELECT 1")).scalar()
    except sa.exc.SQLAlchemyError:
        return False
    return True


def notify_outbox(connection: Connection) -> None:
    """Wake the sender: alerts were queued (`LISTEN geoalert_outbox` on its side)."""
    connection.execute(sa.text(f"NOTIFY {NOTIFY_CHANNEL}"))
