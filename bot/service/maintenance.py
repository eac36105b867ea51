"""Store questions asked without the facade's store: health (never migrates) and backup."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

from bot.config import Settings
from storage import make_engine
from storage.backup import backup_sqlite
from storage.locks import STALE_AFTER, holder_heartbeat
from storage.replicas import REPLICA_STALE, replicas


@dataclass(frozen=True, slots=True)
class Health:
    """Whether a `geoalert run` holds the database with a fresh heartbeat, and why."""

    healthy: bool
    reason: str  # one line, e.g. "runner@host:123, heartbeat 4s ago"


def probe_health(settings: Settings, lock_name: str, now: datetime | None = None) -> Health:
    """Read the run lock's heartbeat; any failure to read is "unhealthy", with the reason.

    Opens its own engine and never migrates: a probe must not change the database.
    """
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            if engine.dialect.name == "postgresql":
                return _replicas_health(session, now or datetime.now(UTC))
            held = holder_heartbeat(session, lock_name)
    except Exception as exc:
        return Health(False, f"database unreachable: {str(exc).splitlines()[0]}")
    finally:
        engine.dispose()
    if held is None:
        return Health(False, "no geoalert run holds this database")
    holder, beat = held
    age = (now or datetime.now(UTC)) - beat
    if age > STALE_AFTER:
        return Health(False, f"last heartbeat of {holder} was {int(age.total_seconds())}s ago")
    return Health(True, f"{holder}, heartbeat {int(age.total_seconds())}s ago")


def _replicas_health(session: Session, now: datetime) -> Health:
    """PostgreSQL: healthy when a replica on this host beats (what a container's health check
    asks); names the live replicas and the sender."""
    rows = [r for r in replicas(session) if now - r.heartbeat_at <= REPLICA_STALE]
    here = [r for r in rows if r.id.startswith(f"{socket.gethostname()}:")]
    sender = next((r.id for r in rows if "sender" in r.roles), "none")
    if not here:
        elsewhere = f"{len(rows)} replica(s) alive elsewhere, sender {sender}"
        return Health(False, f"no geoalert run holds this database on this host ({elsewhere})")
    return Health(True, f"{here[0].id}, {len(rows)} replica(s) alive, sender {sender}")


def backup_database(settings: Settings, target: Path) -> int:
    """Copy the live SQLite database to `target` (must not exist); its size in bytes."""
    return backup_sqlite(settings.database_url, target)
