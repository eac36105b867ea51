"""`geoalert run`: the long-running process, in Telegram mode (a token) or console mode.

Both modes build the same runtime (`bot.runtime.build_runtime`) and run its jobs; console mode
schedules them on APScheduler, which PTB's JobQueue (Telegram mode) runs on too.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.config import Settings
from bot.runlock import LOCK_NAME
from bot.runtime import Runtime, build_runtime

__all__ = ["LOCK_NAME", "console_scheduler", "run", "run_console"]

log = logging.getLogger(__name__)


def run(settings: Settings) -> int:
    """Run until SIGINT/SIGTERM."""
    if settings.token:
        # Imported here: console mode never loads python-telegram-bot (~13 MB of a process
        # that should stay small on a VPS). Nothing imports the runner back: no cycle.
        from bot.telegram.app import run_bot

        return run_bot(settings)
    log.info("no TELEGRAM_BOT_TOKEN set: console mode, alerts are printed")
    return asyncio.run(run_console(settings))


def console_scheduler(runtime: Runtime) -> AsyncIOScheduler:
    """The runtime's jobs on an APScheduler scheduler (not started)."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    now = datetime.now(UTC)
    for job in runtime.jobs():
        scheduler.add_job(
            job.run, "interval", seconds=job.interval, jitter=job.jitter or None,
            next_run_time=now + timedelta(seconds=job.first), id=job.name,
            # late (slow start-up) runs late, never skipped; never two runs of one job at once
            max_instances=1, coalesce=True, misfire_grace_time=None,
        )  # fmt: skip
    return scheduler


async def run_console(settings: Settings) -> int:
    """Run the jobs, printing each new match, until SIGINT/SIGTERM."""
    runtime = build_runtime(settings)
    scheduler = console_scheduler(runtime)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runtime.start()
    scheduler.start()
    try:
        await stop.wait()
    finally:
        scheduler.shutdown(wait=False)
        await runtime.close()
    log.info("stopped")
    return 0
