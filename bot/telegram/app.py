"""The PTB Application, built in one place: the typed context, handlers, the runtime's jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ExtBot,
    JobQueue,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.delivery import Delivery
from bot.metrics import StatusServer
from bot.runtime import DELIVERY_INTERVAL, Runtime, build_runtime
from bot.telegram import (
    admin,
    analysis,
    digest_cmds,
    feedback_cmds,
    feeds_admin,
    handlers,
    watch_cmds,
)
from bot.telegram.context import BotContext, GeoApp, GeoContext, context_types
from bot.telegram.i18n import COMMANDS
from bot.telegram.ratelimit import RateLimiter
from bot.telegram.throttle import CommandThrottle

__all__ = ["DELIVERY_INTERVAL", "build_application", "make_bot", "run_bot", "running_bot"]

log = logging.getLogger(__name__)


def api_urls(base: str) -> tuple[str, str]:
    """`TELEGRAM_API_BASE_URL` → (base_url, base_file_url) as PTB wants them.

    Accepts `https://host` or `https://host/bot` (how self-hosted Bot API docs write it).
    """
    root = base.rstrip("/").removesuffix("/bot")
    return f"{root}/bot", f"{root}/file/bot"


def make_bot(settings: Settings) -> ExtBot[None]:
    """The Bot API client: our rate limiter (at most 30 sends arriving in any second, 20 a
    minute to a group) and the connection pools PTB's builder would give it."""
    assert settings.token
    base_url, base_file_url = api_urls(settings.telegram_api_base_url)
    return ExtBot(
        settings.token,
        base_url=base_url,
        base_file_url=base_file_url,
        request=HTTPXRequest(connection_pool_size=256),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
        rate_limiter=RateLimiter(),
    )


def build_application(
    settings: Settings,
    g: BotContext,
    *,
    bot: ExtBot[None],
    job_queue: JobQueue[GeoContext] | None = None,
) -> GeoApp:
    """The one wiring function for the bot: typed context holding `g`, handlers, errors."""
    app = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(context_types(g))
        .job_queue(job_queue if job_queue is not None else JobQueue())
        .build()
    )
    _add_handlers(app)
    app.add_error_handler(_on_error)
    return app


def _add_handlers(app: GeoApp) -> None:
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
        "feedback": feedback_cmds.cmd_feedback,
        "status": admin.cmd_status,
        "quality": feedback_cmds.cmd_quality,
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
    app.add_handler(CallbackQueryHandler(feedback_cmds.on_verdict, pattern=r"^v:"))
    app.add_handler(MessageHandler(filters.COMMAND, handlers.on_unknown_command))


async def _prepare(app: GeoApp, runtime: Runtime) -> None:
    """Register the command menu in both languages and schedule the runtime's jobs."""
    for lang in ("en", "ru"):
        menu = [BotCommand(name, text[lang][:256]) for name, text in COMMANDS.items()]
        await app.bot.set_my_commands(menu, language_code=None if lang == "en" else lang)
    assert app.job_queue is not None
    for job in runtime.jobs():
        # misfire_grace_time=None: a job that is late (the parse processes start synchronously
        # and can hold the loop for seconds) runs late rather than being skipped until its
        # next turn (APScheduler's default grace is 1 s; a skipped first poll meant a
        # 10-minute wait).
        extra = {"jitter": job.jitter} if job.jitter else {}
        app.job_queue.run_repeating(
            _as_callback(job.run), interval=job.interval, first=job.first, name=job.name,
            job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None,
                        **extra},
        )  # fmt: skip


def _as_callback(
    run: Callable[[], Awaitable[None]],
) -> Callable[[GeoContext], Coroutine[Any, Any, None]]:
    async def callback(_context: GeoContext) -> None:
        await run()

    return callback


async def _start_updates(app: GeoApp, settings: Settings) -> None:
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


class _FollowRole:
    """Start long polling when this replica becomes the sender; stop it when it stops being.
    `close` waits for a change in flight, so shutdown never races a `start_polling`."""

    def __init__(self, app: GeoApp, settings: Settings) -> None:
        self.app, self.settings = app, settings
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def __call__(self, sender: bool) -> None:
        if self._closed:
            return
        task = asyncio.get_running_loop().create_task(self._follow(sender))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _follow(self, sender: bool) -> None:
        updater = self.app.updater
        assert updater is not None
        if sender and not updater.running:
            await _start_updates(self.app, self.settings)
        elif not sender and updater.running:
            await updater.stop()

    async def close(self) -> None:
        self._closed = True
        await asyncio.gather(*self._tasks, return_exceptions=True)


async def _on_error(update: object, context: GeoContext) -> None:
    """One error handler: log the error with the update that caused it; never crash."""
    where = f"update={update.update_id}" if isinstance(update, Update) else "job"
    log.error("handler error %s reason=%s", where, context.error, exc_info=context.error)


@contextlib.asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[GeoApp]:
    """Start everything (lock, store, runtime jobs, PTB polling); stop it all on exit."""
    bot = make_bot(settings)
    runtime = build_runtime(settings, bot=bot)
    try:
        delivery = getattr(runtime.output, "inner", runtime.output)  # a replica's SenderGate
        assert isinstance(delivery, Delivery)
        jobs: JobQueue[GeoContext] = JobQueue()
        status = None
        if settings.http_port is not None:
            status = StatusServer(
                runtime.metrics, lambda: runtime.health(jobs.scheduler.running),
                settings.http_listen, settings.http_port,
            ).start()  # fmt: skip
        g = BotContext(
            runtime=runtime,
            delivery=delivery,
            throttle=CommandThrottle(limit=settings.commands_per_minute),
            status_port=status.port if status is not None else None,
        )
        app = build_application(settings, g, bot=bot, job_queue=jobs)
        try:
            follower: _FollowRole | None = None
            async with app:
                runtime.start()
                await _prepare(app, runtime)
                await app.start()
                if runtime.replica is not None and not settings.webhook_url:
                    # Long polling belongs to the sender: getUpdates has one consumer per bot.
                    follower = _FollowRole(app, settings)
                    runtime.replica.on_role_change(follower)
                else:
                    await _start_updates(app, settings)
                log.info("bot started username=@%s", app.bot.username)
                try:
                    yield app
                finally:
                    await runtime.output.settle()
                    if follower is not None:
                        await follower.close()
                    assert app.updater is not None
                    if app.updater.running:
                        await app.updater.stop()
                    await app.stop()
        finally:
            if status is not None:
                status.stop()
    finally:
        await runtime.close()


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
