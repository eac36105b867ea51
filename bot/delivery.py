"""The one sender: drain the outbox into Telegram within its limits; retry what can be retried,
lose nothing.

Every message the bot pushes goes through here: item alerts (and the edits that add later
reports of a story), and the notices (digest pages, spike alerts, admin notices) of
`storage.notices`. A row is marked sent only after Telegram accepted the message, and each
send is committed on its own, so a crash repeats at most the one in-flight message per chat.
The bot's `send_message`/`edit_message_text` are called from this module only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram import Bot, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    RetryAfter,
    TelegramError,
)

from bot.alert_plan import AlertPlan, StoryEdit, plan_alert
from bot.metrics import Metrics
from bot.models import StoredMatch
from bot.render import match_line
from bot.telegram.format import alert_html, alert_plain, also_reported
from bot.telegram.verdict_buttons import alert_rows, markup
from storage import chats, notices, outbox
from storage.engine import session_scope

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=10)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


CONCURRENT_CHATS = 30
Entry = outbox.OutboxEntry | notices.NoticeEntry  # an alert, or a prepared message
Tags = Mapping[str, tuple[str, ...]]  # feed URL → provenance tags


def _no_tags() -> Tags:
    return {}


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    dropped: int = 0
    rate_limited: bool = False


@dataclass
class Delivery:
    """Sends pending alerts; one instance lives as long as the bot."""

    engine: Engine
    bot: Bot
    chat_min_interval: float = 1.0  # Telegram: about one message per second per chat
    clock: Callable[[], datetime] = _utcnow
    paused_until: datetime | None = None
    errors_by_kind: dict[str, int] = field(default_factory=dict)
    metrics: Metrics | None = None
    tags: Callable[[], Tags] = _no_tags  # the current feeds' provenance tags
    _draining: asyncio.Lock = field(default_factory=asyncio.Lock)
    _wanted: bool = False
    _kicks: set[asyncio.Task[DeliveryReport]] = field(default_factory=set)
    _last_sent: dict[int, float] = field(default_factory=dict)  # chat → loop time of its last send
    _closing: bool = False

    async def drain(self, limit: int = 500) -> DeliveryReport:
        """Send every due alert, chats in parallel, each chat's alerts in order.

        One drain at a time: the poll job, each stored feed and the delivery job all call
        this, and two drains reading the same pending rows would send them twice. A call made
        while a drain runs is not lost: that drain goes round once more before it ends.
        """
        self._wanted = True
        if self._draining.locked() or self._closing:
            return DeliveryReport()
        total = DeliveryReport()
        async with self._draining:
            while self._wanted:
                self._wanted = False
                report = await self._drain(limit)
                total.sent += report.sent
                total.retried += report.retried
                total.dropped += report.dropped
                total.rate_limited = total.rate_limited or report.rate_limited
                if report.rate_limited:
                    break
        return total

    def show(self, matches: Sequence[StoredMatch]) -> None:
        """Telegram mode: new matches are queued in the outbox already; log them."""
        for m in matches:
            log.info("new match %s", match_line(m))

    async def settle(self) -> None:
        """Graceful shutdown: start no more sends, and wait for the in-flight ones of the drains
        started by `kick` (a drain works through the whole backlog, which can take minutes;
        what it did not send stays pending for the next start)."""
        self._closing = True
        await asyncio.gather(*self._kicks, return_exceptions=True)

    def kick(self) -> None:
        """Start a drain soon, from synchronous code on the event loop (a fire-and-forget
        task; its reference is kept until it ends)."""
        task = asyncio.get_running_loop().create_task(self.drain())
        self._kicks.add(task)
        task.add_done_callback(self._kicks.discard)

    async def _drain(self, limit: int) -> DeliveryReport:
        """Send the due alerts `limit` at a time until none is left.

        A full batch means more may be due: the next one is read at once rather than at the
        next scheduled drain, which would leave Telegram's rate unused for up to a tick.
        """
        report = DeliveryReport()
        while not self._closing and not (
            self.paused_until is not None and self.clock() < self.paused_until
        ):
            entries = await asyncio.to_thread(self._due, limit)
            done = (report.sent, report.retried, report.dropped)
            await self._send_batch(entries, report)
            if (
                len(entries) < limit
                or report.rate_limited
                or done == (report.sent, report.retried, report.dropped)  # no progress
            ):
                break
        return report

    async def _send_batch(self, entries: list[Entry], report: DeliveryReport) -> None:
        by_chat: dict[int, list[Entry]] = {}
        for entry in entries:
            by_chat.setdefault(entry.chat_id, []).append(entry)
        gate = asyncio.Semaphore(CONCURRENT_CHATS)
        now = asyncio.get_running_loop().time()
        for chat_id, at in list(self._last_sent.items()):
            if now - at >= self.chat_min_interval:
                del self._last_sent[chat_id]

        async def one_chat(queue: list[Entry]) -> None:
            async with gate:
                await self._send_chat(queue, report)

        await asyncio.gather(*(one_chat(q) for q in by_chat.values()))

    def _due(self, limit: int) -> list[Entry]:
        """Due alerts, then due notices, up to `limit` together."""
        with Session(self.engine) as session:
            now = self.clock()
            due: list[Entry] = []
            due.extend(outbox.due_entries(session, now=now, limit=limit))
            if len(due) < limit:
                due.extend(notices.due_notices(session, now=now, limit=limit - len(due)))
            return due

    async def _send_chat(self, queue: list[Entry], report: DeliveryReport) -> None:
        loop = asyncio.get_running_loop()
        for entry in queue:
            if self.paused_until is not None and self.clock() < self.paused_until:
                report.rate_limited = True
                return
            if self._closing:
                return
            # chat_min_interval after this chat's previous send, in this batch or the last one
            last = self._last_sent.get(entry.chat_id)
            if last is not None and (wait := last + self.chat_min_interval - loop.time()) > 0:
                await asyncio.sleep(wait)
            keep_going = await self._send_one(entry, report)
            self._last_sent[entry.chat_id] = loop.time()
            if not keep_going:
                return  # this chat is gone or must wait; later alerts keep their order

    async def _send_one(self, entry: Entry, report: DeliveryReport) -> bool:
        """Send one alert or notice; False when this chat's later messages must wait."""
        if isinstance(entry, notices.NoticeEntry):
            return await self._send_notice(entry, report)
        plan = await asyncio.to_thread(self._plan, entry)
        if plan is None:  # cannot happen with the foreign key; never crash the loop on it
            await self._finish(entry, report, dropped="item no longer stored")
            return True
        if plan.dismissed:
            await self._finish(entry, report, dropped="story judged not relevant", quiet=True)
            return True
        stored, edit = plan.stored, plan.edit
        try:
            if edit is not None and await self._edit(entry, edit):
                await self._finish(entry, report, message_id=edit.message_id)
                return True
            html = alert_html(stored, lang=entry.language, topics=entry.topics,
                              tags=self.tags().get(stored.item.source, ()))  # fmt: skip
            message = await self._send(entry, html, html=True)
        except BadRequest as exc:
            return await self._bad_request(entry, stored, exc, report)
        except TelegramError as exc:
            return await self._failed(entry, exc, report)
        await self._finish(entry, report, message_id=message.message_id)
        return True

    async def _send_notice(self, entry: notices.NoticeEntry, report: DeliveryReport) -> bool:
        """A prepared message (digest page, spike alert, admin notice): the same handling as an
        alert, except that HTML Telegram refuses is not resent as plain text."""
        try:
            message = await self.bot.send_message(
                chat_id=entry.chat_id, text=entry.text, parse_mode=ParseMode.HTML,
                message_thread_id=entry.thread_id or None, disable_notification=entry.silent,
                link_preview_options=NO_PREVIEW, reply_markup=markup(entry.buttons),
            )  # fmt: skip
        except BadRequest as exc:
            self._count("bad_request")
            if "chat not found" in str(exc).lower():
                await self._chat_gone(entry, str(exc), report)
                return False
            await self._finish(entry, report, dropped=f"rejected by Telegram: {exc}")
            return True
        except TelegramError as exc:
            return await self._failed(entry, exc, report)
        await self._finish(entry, report, message_id=message.message_id)
        return True

    async def _failed(self, entry: Entry, exc: TelegramError, report: DeliveryReport) -> bool:
        """What every kind of send does on an error other than BadRequest; False: the chat's
        later messages wait."""
        if isinstance(exc, RetryAfter):
            return await self._rate_limited(entry, exc, report)
        if isinstance(exc, Forbidden):
            await self._chat_gone(entry, str(exc), report)
        elif isinstance(exc, ChatMigrated):
            await asyncio.to_thread(self._migrate, entry.chat_id, exc.new_chat_id)
        else:  # NetworkError, a 5xx, any other refusal: later, with back-off
            await self._retry_later(entry, exc, report)
        return False

    def _plan(self, entry: outbox.OutboxEntry) -> AlertPlan | None:
        with Session(self.engine) as session:
            return plan_alert(session, entry, now=self.clock())

    async def _edit(self, entry: outbox.OutboxEntry, edit: StoryEdit) -> bool:
        """Edit the story's earlier alert to add "also reported by"; False: send anew."""
        html = alert_html(
            edit.shown, lang=entry.language, topics=entry.topics,
            tags=self.tags().get(edit.shown.item.source, ()),
            also=also_reported(edit.shown.item, edit.members, self.tags()),
        )  # fmt: skip
        buttons = None
        if entry.feedback:  # the edited alert keeps its buttons, showing the verdicts so far
            topics = edit.shown_topics or entry.topics
            buttons = markup(alert_rows(edit.shown.item.id, topics, lang=entry.language,
                                        tallies=edit.tallies, group=entry.chat_id < 0))  # fmt: skip
        try:
            await self.bot.edit_message_text(
                html, chat_id=entry.chat_id, message_id=edit.message_id,
                parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW, reply_markup=buttons,
            )  # fmt: skip
        except BadRequest as exc:
            reason = str(exc).lower()
            if "not modified" in reason:
                return True
            log.info("alert edit refused chat=%s reason=%s; sending a new message",
                     entry.chat_id, exc)  # fmt: skip
            return False
        return True

    async def _send(self, entry: outbox.OutboxEntry, text: str, *, html: bool) -> Message:
        """A new alert, with its Relevant / Not relevant buttons unless the chat turned them
        off (/feedback off)."""
        rows = alert_rows(entry.item_id, entry.topics, lang=entry.language)
        return await self.bot.send_message(
            chat_id=entry.chat_id,
            text=text,
            parse_mode=ParseMode.HTML if html else None,
            message_thread_id=entry.thread_id or None,
            disable_notification=entry.muted,
            link_preview_options=NO_PREVIEW,
            reply_markup=markup(rows) if entry.feedback else None,
        )

    async def _bad_request(
        self, entry: outbox.OutboxEntry, stored: object, exc: BadRequest, report: DeliveryReport
    ) -> bool:
        reason = str(exc)
        self._count("bad_request")
        lowered = reason.lower()
        if "chat not found" in lowered:
            await self._chat_gone(entry, reason, report)
            return False
        if "entities" in lowered or "parse" in lowered:
            log.warning("alert rejected as HTML chat=%s item=%s reason=%s; sending plain text",
                        entry.chat_id, entry.item_id, reason)  # fmt: skip
            try:
                text = alert_plain(stored, lang=entry.language, topics=entry.topics)  # type: ignore[arg-type]
                message = await self._send(entry, text, html=False)
            except TelegramError as second:
                await self._finish(entry, report, dropped=f"plain text also rejected: {second}")
                return True
            await self._finish(entry, report, message_id=message.message_id)
            return True
        await self._finish(entry, report, dropped=f"rejected by Telegram: {reason}")
        return True

    async def _rate_limited(self, entry: Entry, exc: RetryAfter, report: DeliveryReport) -> bool:
        self._count("retry_after")
        wait = exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        until = self.clock() + timedelta(seconds=seconds)
        self.paused_until = until
        report.rate_limited = True
        log.warning("telegram asked to slow down retry_after=%ss; pausing delivery", seconds)
        await asyncio.to_thread(self._mark_retry, entry, f"RetryAfter {seconds}s", until)
        report.retried += 1
        return False

    async def _retry_later(self, entry: Entry, exc: Exception, report: DeliveryReport) -> None:
        self._count("network")
        delay = min(timedelta(seconds=2 ** min(entry.attempts, 10)), MAX_BACKOFF)
        log.warning("send failed chat=%s what=%s reason=%s; retry in %ss",
                    entry.chat_id, _what(entry), exc, delay.total_seconds())  # fmt: skip
        await asyncio.to_thread(self._mark_retry, entry, str(exc), self.clock() + delay)
        report.retried += 1

    async def _chat_gone(self, entry: Entry, reason: str, report: DeliveryReport) -> None:
        self._count("forbidden")
        log.info("chat unreachable chat=%s reason=%s; deactivating it", entry.chat_id, reason)

        def write() -> None:
            with session_scope(self.engine) as session:
                chats.deactivate(session, entry.chat_id, reason=reason, now=self.clock())
                report.dropped += outbox.drop_chat_pending(session, entry.chat_id, error=reason)
                report.dropped += notices.drop_chat_pending(session, entry.chat_id, error=reason)

        await asyncio.to_thread(write)

    async def _finish(
        self,
        entry: Entry,
        report: DeliveryReport,
        *,
        message_id: int | None = None,
        dropped: str | None = None,
        quiet: bool = False,
    ) -> None:
        def write() -> None:
            store = notices if isinstance(entry, notices.NoticeEntry) else outbox
            with session_scope(self.engine) as session:
                if dropped is not None:
                    store.mark_dropped(session, entry.id, error=dropped)
                else:
                    store.mark_sent(session, entry.id, message_id=message_id, now=self.clock())

        await asyncio.to_thread(write)
        if dropped is not None:
            log.log(logging.INFO if quiet else logging.WARNING,
                    "message dropped chat=%s what=%s reason=%s", entry.chat_id, _what(entry),
                    dropped)  # fmt: skip
            report.dropped += 1
        else:
            report.sent += 1
            if self.metrics is not None and isinstance(entry, outbox.OutboxEntry):
                self.metrics.alerts_sent.inc()

    def _mark_retry(self, entry: Entry, error: str, at: datetime) -> None:
        store = notices if isinstance(entry, notices.NoticeEntry) else outbox
        with session_scope(self.engine) as session:
            store.mark_retry(session, entry.id, error=error, at=at)

    def _migrate(self, old_id: int, new_id: int) -> None:
        log.info("chat migrated old=%s new=%s", old_id, new_id)
        with session_scope(self.engine) as session:
            chats.migrate_chat(session, old_id, new_id, now=self.clock())
            notices.migrate_chat(session, old_id, new_id)

    def _count(self, kind: str) -> None:
        self.errors_by_kind[kind] = self.errors_by_kind.get(kind, 0) + 1
        if self.metrics is not None:
            self.metrics.telegram_errors.labels(kind).inc()


def _what(entry: Entry) -> str:
    """What a log line is about: an item's alert, or which notice."""
    if isinstance(entry, notices.NoticeEntry):
        return f"{entry.kind} notice {entry.id}"
    return f"item {entry.item_id}"
