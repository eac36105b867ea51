"""Daily digests: the job that sends them (the /digest command is in `digest_cmds`)."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime
from html import escape

from sqlmodel import Session
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from bot.models import StoredMatch
from bot.pages import paginate
from bot.telegram.context import BotContext
from bot.telegram.i18n import t
from bot.text import truncate_words
from bot.timeline import group_by_story
from storage import chats, outbox
from storage.items import get_item
from storage.stories import stories_of

log = logging.getLogger(__name__)

PAGE = 3800  # UTF-16 units of a digest page


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
    by_topic: dict[str, list[StoredMatch]] = defaultdict(list)
    for entry in entries:
        m = found.get(entry.item_id)
        if m is None:
            continue
        for topic in entry.topics:
            by_topic[topic].append(m)
    header = t(lang, "digest_header", day=day)
    lines: list[str] = []
    for topic in sorted(by_topic):
        lines.append(f"\n<b>#{escape(topic)}</b>")
        for members in group_by_story(by_topic[topic], story_ids).values():
            lead = min(members, key=lambda m: m.item.published)
            more = f" +{len(members) - 1}" if len(members) > 1 else ""
            lines.append(
                f"• {escape(truncate_words(lead.item.title, 200))} · "
                f"<i>{escape(lead.item.publisher)}</i>{more} · /source_{lead.item.id}"
            )
    if not lines:
        return []
    return paginate(lines, header=header, limit=PAGE)
