"""Daily digests: /digest daily HH:MM [UTC±H], /digest off, and the job that sends them."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from datetime import UTC, datetime
from html import escape

from sqlmodel import Session
from telegram import Bot, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.models import StoredMatch
from bot.telegram.context import BotContext, geo
from bot.telegram.handlers import chat_language, register, reply
from bot.telegram.i18n import t
from bot.text import truncate_words
from storage import chats, outbox
from storage.items import get_item
from storage.stories import stories_of

log = logging.getLogger(__name__)

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2})(?::?([0-5]\d))?$", re.IGNORECASE)
PAGE = 3800


def parse_offset(text: str) -> int | None:
    """ "UTC+3", "+05:30", "-4" → minutes east of UTC; None when invalid."""
    match = _OFFSET.match(text.strip())
    if not match:
        return None
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    total = hours * 60 + minutes
    if total > 14 * 60:
        return None
    return total if sign == "+" else -total


def _offset_label(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


async def cmd_digest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/digest daily HH:MM [UTC±H] — one digest a day; /digest off — instant alerts again."""
    g = geo(context)
    lang = await chat_language(update, g)
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    args = context.args or []
    if not args:
        when, offset = await g.read(lambda s: chats.digest_settings(s, chat_id))
        key = "digest_state" if when else "digest_off_state"
        await reply(update, t(lang, key, time=when or "", offset=_offset_label(offset)))
        return
    if args[0].lower() == "off":
        released = await g.write(lambda s: _digest_off(s, chat_id))
        await reply(update, t(lang, "digest_disabled", count=released))
        return
    match = _TIME.match(args[1]) if args[0].lower() == "daily" and len(args) in (2, 3) else None
    offset = parse_offset(args[2]) if match and len(args) == 3 else 0
    if match is None or offset is None:
        await reply(update, t(lang, "usage_digest"))
        return
    when = f"{int(match.group(1)):02d}:{match.group(2)}"
    await register(update, g)
    await g.write(lambda s: chats.set_digest(s, chat_id, when, offset_minutes=offset))
    await reply(update, t(lang, "digest_enabled", time=when, offset=_offset_label(offset)))


def _digest_off(session: Session, chat_id: int) -> int:
    chats.set_digest(session, chat_id, None)
    return outbox.release_digest(session, chat_id)


async def send_due_digests(g: BotContext) -> int:
    """Send every digest whose local time has come; returns how many chats got one."""
    if g.delivery is None:
        return 0
    async with g.digest_lock:  # the job and an explicit call never send one digest twice
        return await _send_due(g, g.delivery.bot)


async def _send_due(g: BotContext, bot: Bot) -> int:
    now = datetime.now(UTC)
    sent = 0
    for chat in await g.read(lambda s: chats.digests_due(s, now=now)):
        entries, found, story_ids = await g.read(lambda s, c=chat.chat_id: _collect(s, c))
        try:
            by_thread: dict[int, list[outbox.OutboxEntry]] = defaultdict(list)
            for entry in entries:
                by_thread[entry.thread_id].append(entry)
            for thread_id, group in by_thread.items():
                pages = digest_pages(
                    group, found, story_ids, lang=chat.language, day=chat.local_date
                )
                first = None
                for page in pages:
                    message = await bot.send_message(
                        chat.chat_id, page, parse_mode=ParseMode.HTML,
                        message_thread_id=thread_id or None, disable_notification=chat.muted,
                    )  # fmt: skip
                    first = first or message.message_id
                ids = [e.id for e in group]
                await g.write(
                    lambda s, i=ids, m=first: outbox.mark_digest_sent(s, i, message_id=m, now=now)
                )
        except Forbidden as exc:
            await g.write(
                lambda s, c=chat.chat_id, r=str(exc): chats.deactivate(s, c, reason=r, now=now)
            )
            continue
        except TelegramError as exc:  # try again at the next run
            log.warning("digest failed chat=%s reason=%s", chat.chat_id, exc)
            continue
        await g.write(lambda s, c=chat: chats.mark_digest_done(s, c.chat_id, c.local_date))
        sent += 1 if entries else 0
    return sent


def _collect(
    session: Session, chat_id: int
) -> tuple[list[outbox.OutboxEntry], dict[str, StoredMatch], dict[str, int]]:
    entries = outbox.digest_entries(session, chat_id)
    found = {e.item_id: m for e in entries if (m := get_item(session, e.item_id)) is not None}
    return entries, found, stories_of(session, list(found))


def digest_pages(
    entries: list[outbox.OutboxEntry],
    found: dict[str, StoredMatch],
    story_ids: dict[str, int],
    *,
    lang: str | None,
    day: str,
) -> list[str]:
    """The digest: per topic, one line per story (its first report, +N other outlets)."""
    by_topic: dict[str, dict[object, list[StoredMatch]]] = defaultdict(dict)
    for entry in entries:
        m = found.get(entry.item_id)
        if m is None:
            continue
        for topic in entry.topics:
            by_topic[topic].setdefault(story_ids.get(m.item.id, m.item.id), []).append(m)
    header = t(lang, "digest_header", day=day)
    lines: list[str] = []
    for topic in sorted(by_topic):
        lines.append(f"\n<b>#{escape(topic)}</b>")
        for members in by_topic[topic].values():
            lead = min(members, key=lambda m: m.item.published)
            more = f" +{len(members) - 1}" if len(members) > 1 else ""
            lines.append(
                f"• {escape(truncate_words(lead.item.title, 200))} · "
                f"<i>{escape(lead.item.publisher)}</i>{more} · /source_{lead.item.id}"
            )
    if not lines:
        return []
    pages, current = [], header
    for line in lines:
        if len(current) + len(line) + 1 > PAGE:
            pages.append(current)
            current = header
        current += "\n" + line
    pages.append(current)
    return pages
