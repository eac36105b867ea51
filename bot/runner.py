"""`geoalert run`: the long-running process (console mode here; Telegram mode in bot.telegram)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.render import match_line
from bot.rules_holder import RulesHolder
from bot.sources.fetch import make_http_client
from bot.wiring import build_pipeline, open_store
from storage import locks
from storage.engine import session_scope

log = logging.getLogger(__name__)

LOCK_NAME = "runner"
HEARTBEAT_SECONDS = 30
POLL_JITTER_SECONDS = 30


def poll_jitter(interval: int) -> float:
    """Random delay added to each poll so many instances do not hit feeds in lockstep;
    at most 5% of the interval, so short intervals stay short."""
    return min(POLL_JITTER_SECONDS, interval * 0.05)


class RunLock:
    """The database lock held for the life of `geoalert run`."""

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


def run(settings: Settings) -> int:
    """Run until SIGINT/SIGTERM."""
    if settings.token:
        from bot.telegram.app import run_bot

        return run_bot(settings)
    log.info("no TELEGRAM_BOT_TOKEN set: console mode, alerts are printed")
    return asyncio.run(run_console(settings))


async def run_console(settings: Settings) -> int:
    """Poll on the interval with APScheduler and print each new match."""
    rules = RulesHolder(settings.rules_dir)
    engine = open_store(settings)
    lock = RunLock(engine)
    lock.acquire()
    http = make_http_client(settings.fetch_timeout, settings.max_redirects)
    pipeline = build_pipeline(settings, engine, rules, http)
    parsers = asyncio.create_task(pipeline.start_parsers())  # the first poll queues behind them

    async def poll() -> None:
        await asyncio.to_thread(rules.refresh)
        report = await pipeline.poll()
        await pipeline.index_search()
        for m in report.new_matches:
            print(match_line(m), flush=True)
        log.info(
            "poll done new_items=%d new_matches=%d errors=%d",
            report.new_items,
            len(report.new_matches),
            len(report.errors),
        )

    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        poll,
        "interval",
        seconds=settings.poll_interval,
        jitter=poll_jitter(settings.poll_interval),
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,  # late (slow start-up) runs late, never skipped
        next_run_time=datetime.now(UTC),
        id="poll",
    )
    scheduler.add_job(
        lock.beat,
        "interval",
        seconds=HEARTBEAT_SECONDS,
        max_instances=1,
        misfire_grace_time=None,
        id="lock-heartbeat",
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    scheduler.start()
    try:
        await stop.wait()
    finally:
        parsers.cancel()
        scheduler.shutdown(wait=False)
        await http.aclose()
        pipeline.close()
        with contextlib.suppress(Exception):
            lock.release()
    log.info("stopped")
    return 0
