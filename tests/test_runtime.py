"""One runtime for both modes: console mode runs the same jobs as Telegram mode, pruning too."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from bot.config import load_settings
from bot.runner import console_scheduler
from bot.runtime import ConsoleOutput, build_runtime
from storage import items as item_store
from storage.engine import session_scope
from tests.factories import item
from tests.support.bot_harness import bot_settings, start_bot

REPO = Path(__file__).resolve().parent.parent


async def test_console_mode_schedules_every_job_and_prunes_old_items(tmp_path, database_url):
    settings = load_settings(
        _env_file=None, DATABASE_URL=database_url, GEOALERT_FEEDS=tmp_path / "none.yaml",
        GEOALERT_RULES_DIR=REPO / "rules", GEOALERT_SEEDS_DIR=tmp_path / "no-seeds",
        GEOALERT_PARSE_WORKERS=0, GEOALERT_RETENTION_DAYS=30,
    )  # fmt: skip
    runtime = build_runtime(settings)
    try:
        assert isinstance(runtime.output, ConsoleOutput)
        scheduler = console_scheduler(runtime)
        expected = {"poll", "rules", "digest", "prune", "deliver", "lock-heartbeat"}
        if runtime.replica is not None:  # PostgreSQL: a replica checks spikes on its own too
            expected.add("spikes")
        assert {job.id for job in scheduler.get_jobs()} == expected
        now = datetime.now(UTC)
        old = item("old-plain", fetched=now - timedelta(days=90), title="Cotton harvest")
        recent = item("recent-plain", fetched=now - timedelta(days=1), title="Wheat harvest")
        with session_scope(runtime.engine) as s:
            item_store.add_new_items(s, [old, recent])
        prune = scheduler.get_job("prune")
        assert prune.trigger.interval == timedelta(hours=6)
        await prune.func()  # what the scheduler runs every 6 hours
        with Session(runtime.engine) as s:
            assert item_store.get_item(s, old.id) is None
            assert item_store.get_item(s, recent.id) is not None
    finally:
        await runtime.close()


async def test_telegram_mode_schedules_the_same_jobs(
    tmp_path, database_url, fake_bot_api, feed_server
):
    settings = bot_settings(tmp_path, database_url, fake_bot_api, feed_server)
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        assert bot.app.job_queue is not None
        names = {job.name for job in bot.app.job_queue.jobs()}
        assert names == {job.name for job in bot.g.runtime.jobs()}
        assert "prune" in names


async def test_parsing_processes_work_during_a_poll_and_exit_after_it(tmp_path, feed_server):
    """Between polls a long-running bot holds no parsing process (each ~30 MB); the next poll
    starts them again."""
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(
        f"- url: {feed_server.url('/feeds/rss2.xml')}\n  name: Steppe Wire\n"
        f"- url: {feed_server.url('/feeds/ru.xml')}\n  name: Ru Wire\n"
    )
    settings = load_settings(
        _env_file=None, DATABASE_URL=f"sqlite:///{tmp_path / 'g.db'}", GEOALERT_FEEDS=feeds,
        GEOALERT_RULES_DIR=REPO / "rules", GEOALERT_SEEDS_DIR=tmp_path / "no-seeds",
        GEOALERT_PARSE_WORKERS=2, GEOALERT_ALLOW_PRIVATE_FEEDS=True,
    )  # fmt: skip
    runtime = build_runtime(settings)
    try:
        started = multiprocessing.active_children()
        report = await runtime.poll()
        assert report.errors == [] and report.new_items > 0
        assert multiprocessing.active_children() == started == []
        again = await runtime.poll(force=True)  # the processes come back when needed
        assert again.errors == []
        assert multiprocessing.active_children() == []
    finally:
        await runtime.close()
