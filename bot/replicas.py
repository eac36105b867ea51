"""One replica of `geoalert run` on PostgreSQL: its registry row and heartbeat, its claims on
once-per-period jobs, and the sender role with its wake-up channel.

Any number of replicas may run on one PostgreSQL database (SQLite keeps `bot.runlock`: one
process). Exactly one holds the sender role, a session-level advisory lock on a connection of
its own: PostgreSQL frees it the moment that connection dies (a killed process's socket is
closed by its kernel), so another replica takes the role at its next heartbeat, within
`HEARTBEAT_SECONDS`. Replicas that queue alerts `NOTIFY` the sender, which `LISTEN`s and
drains at once instead of at its next delivery tick.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from storage import replicas as registry
from storage.engine import session_scope
from storage.locks import Holder

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 2.0  # also how often a replica tries to take a vacant sender role
SENDER = "sender"


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


class Replica:
    """This process as one of the replicas sharing a PostgreSQL database."""

    heartbeat_seconds = HEARTBEAT_SECONDS

    def __init__(self, engine: Engine, *, sender: bool) -> None:
        self.engine = engine
        self.me = Holder.me()
        self.wants_sender = sender  # Telegram mode; console mode never sends
        self._role: Connection | None = None  # holds the advisory lock while we send
        self._on_change: list[Callable[[bool], None]] = []
        self._listener: threading.Thread | None = None
        self._stop = threading.Event()

    def __str__(self) -> str:
        return str(self.me)

    @property
    def is_sender(self) -> bool:
        return self._role is not None

    def on_role_change(self, callback: Callable[[bool], None]) -> None:
        """Call `callback(is_sender)` on the event loop whenever the role is taken or lost."""
        self._on_change.append(callback)

    def role_changed(self, sender: bool) -> None:
        """Tell the `on_role_change` callbacks (on the event loop)."""
        for callback in self._on_change:
            callback(sender)

    # --- the RunLock interface (acquire, beat, release) -----------------------------------

    def acquire(self) -> None:
        with session_scope(self.engine) as session:
            registry.register(session, self.me, now=datetime.now(UTC))
        log.info("replica registered id=%s", self.me)

    def beat(self) -> bool | None:
        """Heartbeat, reap dead replicas, and take or check the sender role. Blocking.
        Returns the new role when it changed (True: now the sender), else None."""
        changed = self._check_role()
        now = datetime.now(UTC)
        with session_scope(self.engine) as session:
            dead = registry.reap(session, self.me, now=now)
            registry.heartbeat(session, self.me, roles=SENDER if self.is_sender else "", now=now)
        for replica in dead:
            log.warning("replica gone id=%s; its feed leases are free", replica)
        return changed

    def release(self) -> None:
        self._stop.set()
        self._drop_role()
        with session_scope(self.engine) as session:
            registry.unregister(session, self.me)

    # --- roles and once-per-period jobs ---------------------------------------------------

    def _check_role(self) -> bool | None:
        if self._role is not None:
            if registry.still_connected(self._role):
                return None
            log.error("sender role lost replica=%s: its database connection dropped", self.me)
            self._drop_role()
            return False
        if not self.wants_sender:
            return None
        conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            taken = registry.try_sender_lock(conn)
        except sa.exc.SQLAlchemyError:
            conn.close()
            raise
        if not taken:
            conn.close()
            return None
        self._role = conn
        log.info("sender role taken replica=%s", self.me)
        return True

    def _drop_role(self) -> None:
        role, self._role = self._role, None
        if role is not None:
            with contextlib.suppress(Exception):
                role.invalidate()  # closing the connection frees the advisory lock

    def once(self, job: str, period: float) -> bool:
        """Whether this replica runs `job` now: one replica per `period` seconds. Blocking."""
        with session_scope(self.engine) as session:
            return registry.claim_period(
                session, job, self.me, period=timedelta(seconds=period), now=datetime.now(UTC)
            )

    def notify(self) -> None:
        """Wake the sender: alerts or notices were queued. Blocking."""
        with self.engine.connect() as conn:
            registry.notify_outbox(conn)
            conn.commit()

    def listen(self, wake: Callable[[], object]) -> None:
        """Call `wake()` (from a thread) on each `NOTIFY`, until `release`."""
        self._listener = threading.Thread(target=self._listen, args=(wake,), daemon=True,
                                          name="outbox-listener")  # fmt: skip
        self._listener.start()

    def _listen(self, wake: Callable[[], object]) -> None:
        while not self._stop.is_set():
            try:
                raw = self.engine.raw_connection()
                try:
                    conn = raw.driver_connection
                    assert conn is not None
                    conn.autocommit = True
                    conn.execute(f"LISTEN {registry.NOTIFY_CHANNEL}")
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            wake()
                finally:
                    raw.invalidate()
            except Exception as exc:  # the database went away: listen again shortly
                log.warning("outbox listener reconnecting reason=%s", str(exc).splitlines()[0])
                self._stop.wait(HEARTBEAT_SECONDS)

    def describe(self, now: datetime) -> list[str]:
        """One line per replica: id, role, heartbeat age and feed leases held. Blocking."""
        with session_scope(self.engine) as session:
            rows = registry.replicas(session)
        return [
            f"{r.id}{' (this one)' if r.id == str(self.me) else ''} role={r.roles or 'poller'} "
            f"heartbeat={int((now - r.heartbeat_at).total_seconds())}s leases={r.leases}"
            for r in rows
        ]
