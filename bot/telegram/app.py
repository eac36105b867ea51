"""The PTB Application, built in one place; jobs for polling, delivery and the lock heartbeat."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from html import escape
from urllib.parse import urlsplit

from sqlmodel import Session, select
from telegram import Bot, BotCommand, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.delivery import Delivery
from bot.metrics import Health, StatusServer
from bot.pipeline import PollReport
from bot.render import match_line
from bot.rules_holder import RulesHolder
from bot.runner import HEARTBEAT_SECONDS, RunLock, poll_jitter
from bot.sources.fetch import make_http_client
from bot.telegram import admin, analysis, digest, digest_cmds, feeds_admin, handlers, watch_cmds
from bot.telegram.context import BotContext, geo
from bot.telegram.format import spike_html
from bot.telegram.i18n import COMMANDS
from bot.telegram.ratelimit import RateLimiter
from bot.telegram.throttle import CommandThrottle
from bot.wiring import build_pipeline, open_store
from storage.feeds import FeedEvent
from storage.outbox import backlog
from storage.retention import prune_items
from storage.spikes import claim_spike, spikes_today, subscribers

log = logging.getLogger(__name__)

DELIVERY_INTERVAL = 2.0
RULES_CHECK_INTERVAL = 15.0
PRUNE_INTERVAL = 6 * 3600.0
DIGEST_INTERVAL = 60.0


def api_urls(base: str) -> tuple[str, str]:
    """`TELEGRAM_API_BASE_URL` → (base_url, base_file_url) as PTB wants them.

    Accepts `https://host` or `https://host/bot` (how self-hosted Bot API docs write it).
    """
    root = base.rstrip("/").removesuffix("/bot")
    return f"{root}/bot", f"{root}/file/bot"


def build_application(settings: Settings, g: BotContext) -> Application:  # type: ignore[type-arg]
    """The one wiring function for the bot: handlers, rate limiter, jobs."""
    assert settings.token
    base_url, base_file_url = api_urls(settings.telegram_api_base_url)
    app = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .rate_limiter(RateLimiter())  # at most 30 sends arriving in any second; 20/min a group
        .build()
    )
    app.bot_data["geoalert"] = g
    _add_handlers(app)
    app.add_error_handler(_on_error)
    return app


def _add_handlers(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(TypeHandler(Update, handlers.enforce_allowlist), group=-2)
    app.add_handler(TypeHandler(Update, handlers.enforce_rate_limit), group=-1)
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, handlers.on_migrate))
    commands = {
        "start": handlers.cmd_start,
        "help": handlers.cmd_help,
        "topics": handlers.cmd_topics,
        "subscribe": handlers.cmd_subscribe,
        "unsubscribe": handlers.cmd_unsubscribe,
        "subscriptions": handlers.cmd_subscriptions,
        "latest": handlers.cmd_latest,
        "timeline": handlers.cmd_timeline,
        "source": handlers.cmd_source,
        "search": analysis.cmd_search,
        "trend": analysis.cmd_trend,
        "digest": digest_cmds.cmd_digest,
        "watch": watch_cmds.cmd_watch,
        "unwatch": watch_cmds.cmd_unwatch,
        "lang": handlers.cmd_lang,
        "mute": handlers.cmd_mute,
        "unmute": handlers.cmd_unmute,
        "status": admin.cmd_status,
        "addfeed": feeds_admin.cmd_addfeed,
        "removefeed": feeds_admin.cmd_removefeed,
        "feeds": feeds_admin.cmd_feeds,
    }
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback))
    app.add_handler(
        MessageHandler(
            filters.Regex(r"^/source_([0-9a-fA-F]{6,16})(?:@\w+)?\b"), handlers.cmd_source
        )
    )
    app.add_handler(CallbackQueryHandler(handlers.on_toggle_topic, pattern=r"^sub:"))
    app.add_handler(CallbackQueryHandler(handlers.on_timeline_page, pattern=r"^tl:"))
    app.add_handler(MessageHandler(filters.COMMAND, handlers.on_unknown_command))


async def _prepare(app: Application) -> None:  # type: ignore[type-arg]
    """Register the command menu in both languages and start the recurring jobs."""
    for lang in ("en", "ru"):
        menu = [BotCommand(name, text[lang][:256]) for name, text in COMMANDS.items()]
        await app.bot.set_my_commands(menu, language_code=None if lang == "en" else lang)
    g: BotContext = app.bot_data["geoalert"]
    g.delivery = Delivery(
        g.engine,
        app.bot,
        chat_min_interval=g.settings.chat_min_interval,
        metrics=g.metrics,
        tags=g.feed_tags(),
    )
    g.metrics.watch_backlog(lambda: _read_backlog(g))
    g.pipeline.on_alerts = g.delivery.kick
    assert app.job_queue is not None
    jitter = poll_jitter(g.settings.poll_interval)
    # misfire_grace_time=None: a job that is late (the parse processes start synchronously and
    # can hold the loop for seconds) runs late rather than being skipped until its next turn
    # (APScheduler's default grace is 1 s; a skipped first poll meant a 10-minute wait).
    once_at_a_time = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
    # (callback, interval, first run, name): each a named job that never overlaps itself.
    jobs = (
        (_poll_job, g.settings.poll_interval, 0.1, "poll"),
        (_rules_job, RULES_CHECK_INTERVAL, RULES_CHECK_INTERVAL, "rules"),
        (_digest_job, DIGEST_INTERVAL, 5, "digest"),
        (_prune_job, PRUNE_INTERVAL, 60, "prune"),
        (_deliver_job, DELIVERY_INTERVAL, 0.5, "deliver"),
    )
    for callback, interval, first, name in jobs:
        extra = {"jitter": jitter} if name == "poll" else {}
        app.job_queue.run_repeating(
            callback, interval=interval, first=first, name=name,
            job_kwargs={**once_at_a_time, **extra},
        )  # fmt: skip


async def _rules_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Scheduled: pick up changed rule files; tell admins once about a broken one."""
    await refresh_rules(geo(context), context.bot)


async def refresh_rules(g: BotContext, bot: Bot) -> None:
    """Reload rules if their files changed; a broken file keeps the last good rules."""
    if isinstance(g.rules, RulesHolder):
        await asyncio.to_thread(g.rules.refresh)
    while g.rule_notices:
        message = g.rule_notices.pop(0)
        text = f"⚠️ Rule reload failed: {escape(message)}\nThe last good rules stay active."
        await tell_admins(g, bot, text)


def feed_event_text(event: FeedEvent) -> str:
    if event.kind == "paused":
        return (
            f"⏸ Feed <b>{escape(event.name)}</b> paused after {event.failures} failures in a "
            f"row: {escape(event.reason or '?')}\nIt is probed every 6 hours; "
            f"/feeds retry {escape(event.url)} tries it at the next poll."
        )
    return f"▶️ Feed <b>{escape(event.name)}</b> answers again and is polled as usual."


async def tell_admins(g: BotContext, bot: Bot | None, text: str) -> None:
    """Send a notice to every admin; a failure is logged, never raised."""
    if bot is None:
        return
    for admin_id in g.settings.admin_ids:
        try:
            await bot.send_message(admin_id, text, parse_mode=ParseMode.HTML)
        except TelegramError as exc:
            log.warning("admin notice failed admin=%s reason=%s", admin_id, exc)


def bot_of(g: BotContext) -> Bot | None:
    return g.delivery.bot if g.delivery is not None else None


async def _poll_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Scheduled: poll sources; new matches land in the outbox; then deliver at once."""
    await poll_and_deliver(geo(context))


async def poll_and_deliver(g: BotContext, *, force: bool = False) -> None:
    """One poll (every feed not backing off, when `force`), then drain the outbox."""
    started = time.monotonic()
    report = await g.pipeline.poll(force=force)
    g.last_poll_at = datetime.now(UTC)
    await g.pipeline.index_search()  # after the alerts are queued: they do not wait for it
    _record_poll(g, report, time.monotonic() - started)
    for m in report.new_matches:
        log.info("new match %s", match_line(m))
    for event in report.feed_events:
        await tell_admins(g, bot_of(g), feed_event_text(event))
    if report.new_matches:
        await announce_spikes(g)
    if report.alerts_queued and g.delivery is not None:
        await g.delivery.drain()


async def announce_spikes(g: BotContext) -> None:
    """Tell each topic's subscribers, once a day, when its volume of stories jumps."""
    bot = bot_of(g)
    if bot is None:
        return
    now = datetime.now(UTC)
    settings = g.settings
    news = await g.read(
        lambda s: spikes_today(s, now=now, factor=settings.spike_factor,
                               minimum=settings.spike_minimum)
    )  # fmt: skip
    for item in news:
        if not await g.write(lambda s, spike=item.spike: claim_spike(s, spike, now=now)):
            continue
        log.info("spike topic=%s count=%d baseline=%s", item.spike.topic, item.spike.count,
                 item.spike.baseline)  # fmt: skip
        topic = g.topic(item.spike.topic)
        targets = await g.read(lambda s, t=item.spike.topic: subscribers(s, t))
        for chat_id, thread_id, muted, lang in targets:
            text = spike_html(item, label=topic.label(lang or "en") if topic else item.spike.topic,
                              lang=lang)  # fmt: skip
            try:
                await bot.send_message(
                    chat_id, text, parse_mode=ParseMode.HTML, disable_notification=muted,
                    message_thread_id=thread_id or None,
                )  # fmt: skip
            except TelegramError as exc:
                log.warning("spike alert failed chat=%s reason=%s", chat_id, exc)


def _record_poll(g: BotContext, report: PollReport, seconds: float) -> None:
    m = g.metrics
    m.poll_duration.observe(seconds)
    m.last_poll.set(time.time())
    m.feeds_polled.inc(report.feeds_polled)
    m.fetch_errors.inc(len(report.errors))
    m.items.inc(report.new_items)
    for match in report.new_matches:
        for topic in match.topic_ids:
            m.matches.labels(topic).inc()


def _read_backlog(g: BotContext) -> int:
    with Session(g.engine) as session:
        return backlog(session)


def health_of(g: BotContext, app: Application) -> Health:  # type: ignore[type-arg]
    """Healthy when the scheduler runs, a poll happened recently and the database answers."""
    now = datetime.now(UTC)
    scheduler = bool(app.job_queue and app.job_queue.scheduler.running)
    allowed = timedelta(seconds=3 * g.settings.poll_interval + 60)
    since = g.last_poll_at or g.started_at
    fresh = now - since <= allowed
    try:
        with Session(g.engine) as session:
            session.exec(select(1)).one()
        database = "ok"
    except Exception as exc:
        database = f"unreachable: {str(exc).splitlines()[0]}"
    details = {
        "scheduler": "running" if scheduler else "stopped",
        "last_poll_age_seconds": None
        if g.last_poll_at is None
        else int((now - since).total_seconds()),
        "database": database,
    }
    return Health(scheduler and fresh and database == "ok", details)


async def _start_updates(app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
    """Long polling, or a webhook when `GEOALERT_WEBHOOK_URL` is set (secret token checked)."""
    assert app.updater is not None
    if not settings.webhook_url:
        await app.updater.start_polling(poll_interval=0.0, timeout=10, drop_pending_updates=False)
        return
    secret = (
        settings.webhook_secret.get_secret_value()
        if settings.webhook_secret
        else secrets.token_urlsafe(32)
    )
    path = urlsplit(settings.webhook_url).path.lstrip("/")
    await app.updater.start_webhook(
        listen=settings.webhook_listen,
        port=settings.webhook_port,
        url_path=path,
        webhook_url=settings.webhook_url,
        secret_token=secret,
        drop_pending_updates=False,
    )
    log.info("webhook mode url_path=/%s port=%s", path, settings.webhook_port)


async def _digest_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Scheduled: send the daily digests whose local time has come."""
    await digest.send_due_digests(geo(context))


async def _prune_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Scheduled: prune items older than the retention period that nobody needs."""
    g = geo(context)
    cutoff = datetime.now(UTC) - timedelta(days=g.settings.retention_days)
    removed = await g.write(lambda s: prune_items(s, older_than=cutoff))
    if removed:
        log.info("pruned items=%d older_than=%s", removed, cutoff.date())


async def _deliver_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Scheduled: drain the outbox."""
    g = geo(context)
    if g.delivery is not None:
        await g.delivery.drain()


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """One error handler: log the error with the update that caused it; never crash."""
    where = f"update={update.update_id}" if isinstance(update, Update) else "job"
    log.error("handler error %s reason=%s", where, context.error, exc_info=context.error)


@contextlib.asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Start everything (lock, store, pipeline, PTB polling); stop it all on exit."""
    notices: list[str] = []
    rules = RulesHolder(settings.rules_dir, on_error=notices.append)
    engine = open_store(settings)
    lock = RunLock(engine)
    lock.acquire()
    http = make_http_client(settings.fetch_timeout, settings.max_redirects)
    pipeline = build_pipeline(settings, engine, rules, http)
    try:
        g = BotContext(settings=settings, engine=engine, rules=rules, pipeline=pipeline)
        g.rule_notices = notices
        g.throttle = CommandThrottle(limit=settings.commands_per_minute)
        app = build_application(settings, g)
        async with app:
            assert app.job_queue is not None

            async def beat(_context: ContextTypes.DEFAULT_TYPE) -> None:
                await asyncio.to_thread(lock.beat)

            app.job_queue.run_repeating(
                beat,
                interval=HEARTBEAT_SECONDS,
                name="lock-heartbeat",
                job_kwargs={"misfire_grace_time": None},
            )
            # Started alongside the bot, not awaited: the first poll queues behind them.
            parsers = asyncio.create_task(pipeline.start_parsers())
            await _prepare(app)
            await app.start()
            await _start_updates(app, settings)
            status = None
            if settings.http_port is not None:
                status = StatusServer(
                    g.metrics, lambda: health_of(g, app), settings.http_listen, settings.http_port
                ).start()
                g.status_port = status.port
            log.info("bot started username=@%s", app.bot.username)
            try:
                yield app
            finally:
                if status is not None:
                    status.stop()
                parsers.cancel()
                if g.delivery is not None:
                    await g.delivery.settle()
                assert app.updater is not None
                await app.updater.stop()
                await app.stop()
    finally:
        await http.aclose()
        pipeline.close()
        with contextlib.suppress(Exception):
            lock.release()
        engine.dispose()


def run_bot(settings: Settings) -> int:
    """`geoalert run` with a token: run until SIGINT/SIGTERM."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with running_bot(settings):
            await stop.wait()
        log.info("stopped")

    asyncio.run(main())
    return 0
