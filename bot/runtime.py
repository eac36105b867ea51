"""One runtime for `geoalert run`: everything built from Settings, and the one list of jobs.

Console mode and Telegram mode build the same runtime and run the same jobs (poll + search
index, spikes, digests, prune, rule reload, delivery, lock heartbeat); only the output differs:
console mode prints each new match, Telegram mode drains the outbox through the one sender
(`bot.delivery.Delivery`). Nothing is patched after `build_runtime` returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.config import Settings
from bot.event_terms import lexicon
from bot.memory import release_memory
from bot.metrics import Health, Metrics
from bot.models import Topic
from bot.notify import (
    feed_event_text,
    queue_admin_notice,
    queue_due_digests,
    queue_spikes,
    rule_error_text,
)
from bot.output import ConsoleOutput, Output, SenderGate
from bot.pipeline import Pipeline
from bot.poll_report import PollReport
from bot.replicas import Replica, is_postgres
from bot.rules_holder import RulesHolder
from bot.runlock import RunLock
from bot.sources.fetch import make_http_client
from bot.text.words import stem
from bot.wiring import FeedBook, build_pipeline, feed_list, open_store
from storage.engine import session_scope
from storage.leases import LeasePolicy
from storage.outbox import backlog
from storage.retention import prune_items
from storage.verdicts import counts_by_topic as verdict_counts

if TYPE_CHECKING:
    from telegram import Bot

    from bot.delivery import Delivery

log = logging.getLogger(__name__)

DELIVERY_INTERVAL = 2.0
RULES_CHECK_INTERVAL = 15.0
PRUNE_INTERVAL = 6 * 3600.0
DIGEST_INTERVAL = 60.0
SPIKE_INTERVAL = 60.0
POLL_JITTER_SECONDS = 30


# Parsing processes exit after each poll unless the next one comes sooner than this: starting
# them costs about a second a poll (measured: alert latency median 1.0 -> 2.0 s with polls
# every 10 s), while between 10-minute polls they would hold ~30 MB each for nothing.
KEEP_PARSERS_BELOW = 120  # seconds between polls


async def _load_lexicon() -> None:
    await asyncio.to_thread(lexicon)


def poll_jitter(interval: int) -> float:
    """Random delay added to each poll so many instances do not hit feeds in lockstep;
    at most 5% of the interval, so short intervals stay short."""
    return min(POLL_JITTER_SECONDS, interval * 0.05)


@dataclass(frozen=True)
class Job:
    """A named recurring job; it never overlaps itself, and a late run runs late."""

    name: str
    run: Callable[[], Awaitable[None]]
    interval: float  # seconds
    first: float  # seconds after start
    jitter: float = 0.0


@dataclass
class Runtime:
    """The parts of a running geoalert, built once by `build_runtime`."""

    settings: Settings
    engine: Engine
    lock: RunLock | Replica  # SQLite: the one process; PostgreSQL: one of the replicas
    rules: RulesHolder
    feeds: FeedBook
    http: httpx.AsyncClient
    pipeline: Pipeline
    output: Output
    metrics: Metrics
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    last_poll_at: datetime | None = None
    _digest_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _parsers: asyncio.Task[None] | None = None

    def jobs(self) -> tuple[Job, ...]:
        """Every recurring job of `geoalert run`, in both modes."""
        interval = self.settings.poll_interval
        beat = self.lock.heartbeat_seconds
        jobs = (
            Job("poll", self.poll_job, interval, 0.1, poll_jitter(interval)),
            Job("rules", self.refresh_rules, RULES_CHECK_INTERVAL, RULES_CHECK_INTERVAL),
            Job("digest", self.digest_job, DIGEST_INTERVAL, 5),
            Job("prune", self.prune_job, PRUNE_INTERVAL, 60),
            Job("deliver", self.deliver_job, DELIVERY_INTERVAL, 0.5),
            Job("lock-heartbeat", self.beat, beat, 0.2 if self.replica else beat),
        )
        if self.replica is None:
            return jobs
        # A replica also checks spikes on its own: the check after a poll may have been
        # another replica's turn.
        return (*jobs, Job("spikes", self.spikes_job, SPIKE_INTERVAL, SPIKE_INTERVAL))

    @property
    def replica(self) -> Replica | None:
        """This process as one of several replicas (PostgreSQL), or None (SQLite)."""
        return self.lock if isinstance(self.lock, Replica) else None

    async def once(self, job: str, period: float) -> bool:
        """Whether to run `job` now: always on SQLite; on PostgreSQL, on one replica per
        `period` seconds."""
        if self.replica is None:
            return True
        return await asyncio.to_thread(self.replica.once, job, period)

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Load the story lexicon alongside the jobs. Parsing processes are started by each
        poll and exit after it: a bot between polls holds none (about 30 MB each)."""
        self._parsers = asyncio.create_task(_load_lexicon())
        replica = self.replica
        if replica is not None and replica.wants_sender:
            loop = asyncio.get_running_loop()

            def wake() -> None:  # on the event loop: a NOTIFY came in
                if replica.is_sender:
                    self.output.kick()

            replica.listen(lambda: loop.call_soon_threadsafe(wake))

    async def close(self) -> None:
        """Stop: sends in flight finish, processes and connections close, the lock is freed."""
        if self._parsers is not None:
            self._parsers.cancel()
        await self.output.settle()
        await self.http.aclose()
        self.pipeline.close()
        with contextlib.suppress(Exception):
            self.lock.release()
        self.engine.dispose()

    # --- jobs ------------------------------------------------------------------------------

    async def poll_job(self) -> None:
        await self.poll()

    async def poll(self, *, force: bool = False) -> PollReport:
        """One poll and its search indexing; then what follows from it: admin notices for
        paused or recovered feeds, spike alerts, and a drain of the outbox."""
        started = time.monotonic()
        try:
            # Replicas: the corpus once per poll interval, by whichever replica claims it.
            corpus = await self.once("corpus", self.settings.poll_interval - 5)
            report = await self.pipeline.update(force=force, corpus=corpus)
        finally:
            if self.settings.poll_interval >= KEEP_PARSERS_BELOW:
                await asyncio.to_thread(self.pipeline.stop_parsers)
                self._forget_caches()
            release_memory()
        self.last_poll_at = datetime.now(UTC)
        self._record(report, time.monotonic() - started)
        self.output.show(report.new_matches)
        for event in report.feed_events:
            await self.tell_admins(feed_event_text(event), drain=False)
        if report.new_matches:
            await self.announce_spikes(drain=False)
        await self.output.drain()
        log.info("poll done feeds=%d new_items=%d new_matches=%d errors=%d", report.feeds_polled,
                 report.new_items, len(report.new_matches), len(report.errors))  # fmt: skip
        return report

    def _forget_caches(self) -> None:
        """Between polls far apart, drop what the next poll rebuilds cheaply: the pooled
        database connections (SQLite's page cache, ~3 MB; reopened on use), the word-stem
        cache (~4 MB, mostly words of the story lexicon and rules, stemmed once at start-up;
        this process stems only the items it fingerprints itself) and the compiled rules
        (~10 MB: the parsing processes match; this process only the corpus's new items, and
        `/why`)."""
        self.engine.dispose()
        stem.cache_clear()
        self.rules().forget_compiled()

    async def announce_spikes(self, *, drain: bool = True) -> int:
        """Queue today's spike alerts (each topic once a day) for its subscribers."""
        settings = self.settings
        queued = await asyncio.to_thread(
            queue_spikes, self.engine, self.topic, now=datetime.now(UTC),
            factor=settings.spike_factor, minimum=settings.spike_minimum,
        )  # fmt: skip
        if queued and drain:
            await self.output.drain()
        return queued

    async def refresh_rules(self) -> None:
        """Reload rules if their files changed; a broken file keeps the last good rules and
        admins hear of it once (`on_error` of the holder queues the notice)."""
        before = self.rules.last_error
        await asyncio.to_thread(self.rules.refresh)
        if self.rules.last_error not in (None, before):
            await self.output.drain()

    async def spikes_job(self) -> None:
        # Periodic on replicas: once per period across them. The check after a poll with new
        # matches runs where the poll ran; `claim_spike` announces each spike once a day.
        if await self.once("spikes", SPIKE_INTERVAL - 5):
            await self.announce_spikes()

    async def digest_job(self) -> None:
        if await self.once("digest", DIGEST_INTERVAL - 5):
            await self.send_digests()

    async def send_digests(self) -> int:
        """Queue the digests whose local time has come and push them; how many chats got one."""
        async with self._digest_lock:  # the job and an explicit call never queue one twice
            queued = await asyncio.to_thread(queue_due_digests, self.engine, now=datetime.now(UTC))
        if queued:
            await self.output.drain()
        return queued

    async def prune_job(self) -> None:
        if await self.once("prune", PRUNE_INTERVAL - 60):
            await self.prune()

    async def prune(self, *, now: datetime | None = None) -> int:
        """Prune items older than the retention period that nobody needs."""
        cutoff = (now or datetime.now(UTC)) - timedelta(days=self.settings.retention_days)

        def work() -> int:
            with session_scope(self.engine) as session:
                return prune_items(session, older_than=cutoff)

        removed = await asyncio.to_thread(work)
        if removed:
            log.info("pruned items=%d older_than=%s", removed, cutoff.date())
        return removed

    async def deliver_job(self) -> None:
        if self.replica is None or self.replica.is_sender:  # others would only NOTIFY
            await self.output.drain()

    async def beat(self) -> None:
        """Heartbeat; on a replica, also take a vacant sender role and drain at once."""
        if self.replica is None:
            await asyncio.to_thread(self.lock.beat)
            return
        changed = await asyncio.to_thread(self.replica.beat)
        if changed is not None:
            self.replica.role_changed(changed)
            if changed:
                self.output.kick()

    # --- helpers ---------------------------------------------------------------------------

    async def tell_admins(self, text: str, *, drain: bool = True) -> None:
        """Queue an HTML notice for every admin (sent by the one sender, retried until
        Telegram accepts it)."""
        admins = self.settings.admin_ids
        if not admins:
            return
        now = datetime.now(UTC)
        await asyncio.to_thread(queue_admin_notice, self.engine, admins, text, now=now)
        if drain:
            await self.output.drain()

    def reload_feeds(self) -> None:
        """Read the feed list again (after /addfeed or /removefeed): the next poll uses it."""
        self.feeds.replace(feed_list(self.settings))

    def topic(self, topic_id: str) -> Topic | None:
        wanted = topic_id.strip().lower().lstrip("#")
        return next((tp for tp in self.rules().topics if tp.id == wanted), None)

    def health(self, scheduler_running: bool) -> Health:
        """Healthy when the scheduler runs, a poll happened recently and the database answers."""
        now = datetime.now(UTC)
        allowed = timedelta(seconds=3 * self.settings.poll_interval + 60)
        since = self.last_poll_at or self.started_at
        try:
            with Session(self.engine) as session:
                session.exec(select(1)).one()
            database = "ok"
        except Exception as exc:
            database = f"unreachable: {str(exc).splitlines()[0]}"
        age = None if self.last_poll_at is None else int((now - since).total_seconds())
        details: dict[str, object] = {
            "scheduler": "running" if scheduler_running else "stopped",
            "last_poll_age_seconds": age,
            "database": database,
        }
        if self.replica is not None and database == "ok":
            details["replica"] = str(self.replica)
            details["replicas"] = self.replica_lines(now)
        fresh = now - since <= allowed
        return Health(scheduler_running and fresh and database == "ok", details)

    def replica_lines(self, now: datetime) -> list[str]:
        """One line per replica: id, role, heartbeat age, feed leases held (PostgreSQL)."""
        return [] if self.replica is None else self.replica.describe(now)

    def _record(self, report: PollReport, seconds: float) -> None:
        m = self.metrics
        m.poll_duration.observe(seconds)
        m.last_poll.set(time.time())
        m.feeds_polled.inc(report.feeds_polled)
        m.fetch_errors.inc(len(report.errors))
        m.items.inc(report.new_items)
        for match in report.new_matches:
            for topic in match.topic_ids:
                m.matches.labels(topic).inc()


def build_runtime(settings: Settings, *, bot: Bot | None = None) -> Runtime:
    """Everything `geoalert run` needs, built and wired: with a `bot`, alerts and notices go
    to Telegram through the outbox; without one, new matches are printed (console mode).

    On SQLite, takes the database lock: a second `geoalert run` on the same database refuses to
    start. On PostgreSQL, registers as one of any number of replicas: they lease feed polls,
    run the periodic jobs once per period between them, and one of them sends.
    """
    engine = open_store(settings, isolated=True)
    replica = Replica(engine, sender=bot is not None) if is_postgres(engine) else None
    lock: RunLock | Replica = replica or RunLock(engine)
    lock.acquire()
    try:

        def rule_error(message: str) -> None:  # called in the holder's refresh thread
            queue_admin_notice(engine, settings.admin_ids, rule_error_text(message),
                               now=datetime.now(UTC))  # fmt: skip

        rules = RulesHolder(settings.rules_dir, on_error=rule_error)
        feeds = FeedBook(feed_list(settings))
        metrics = Metrics(replica=str(replica) if replica else None)
        output: Output = ConsoleOutput()
        if bot is not None:
            from bot.delivery import Delivery  # Telegram mode only (see bot.runner.run)

            output = Delivery(engine, bot, chat_min_interval=settings.chat_min_interval,
                              metrics=metrics, tags=feeds.tags)  # fmt: skip
            if replica is not None:  # it sends only while it holds the sender role
                replica.on_role_change(_pause_unless_sender(output))
                output = SenderGate(output, replica)
        metrics.watch_backlog(lambda: _backlog(engine))
        metrics.watch_verdicts(lambda: _verdicts(engine))
        http = make_http_client(settings.fetch_timeout, settings.max_redirects)
        pipeline = build_pipeline(settings, engine, rules, http, feeds=feeds,
                                  on_alerts=output.kick)  # fmt: skip
        if replica is not None:
            pipeline.leases = LeasePolicy(str(replica), settings.feed_lease)
    except BaseException:
        with contextlib.suppress(Exception):
            lock.release()
        raise
    return Runtime(settings, engine, lock, rules, feeds, http, pipeline, output, metrics)


def _pause_unless_sender(delivery: Delivery) -> Callable[[bool], None]:
    """A role-change callback: a sender that lost its role stops before its next send, even
    in the middle of a drain (the new sender may already be sending)."""

    def changed(sender: bool) -> None:
        delivery.paused_until = None if sender else datetime.max.replace(tzinfo=UTC)

    return changed


def _backlog(engine: Engine) -> int:
    with Session(engine) as session:
        return backlog(session)


def _verdicts(engine: Engine) -> dict[tuple[str, bool], int]:
    with Session(engine) as session:
        return verdict_counts(session)
