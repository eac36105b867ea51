"""The database lock held for the life of `geoalert run`: one process per database."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from storage import locks
from storage.engine import session_scope

log = logging.getLogger(__name__)

LOCK_NAME = "runner"
HEARTBEAT_SECONDS = 30


class RunLock:
    """The database lock held for the life of `geoalert run`."""

    heartbeat_seconds = HEARTBEAT_SECONDS

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.me = locks.Holder.me()

    def acquire(self) -> None:
        with session_scope(self.engine) as session:
            locks.acquire(session, LOCK_NAME, self.me, now=datetime.now(UTC))

    def beat(self) -> None:
        with session_scope(self.engine) as session:
            if not locks.heartbeat(session, LOCK_NAME, self.me, now=datetime.now(UTC)):
                log.error("database lock lost holder=%s; another process took over", self.me)

    def release(self) -> None:
        with session_scope(self.engine) as session:
            locks.release(session, LOCK_NAME, self.me)
