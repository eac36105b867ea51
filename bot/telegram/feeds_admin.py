"""Admin commands that change the feed list: /addfeed, /removefeed, /feeds [retry]."""

from __future__ import annotations

import logging
from html import escape

from telegram import Update

from bot.errors import FeedError
from bot.telegram.admin import is_admin
from bot.telegram.context import BotContext, GeoContext, geo
from bot.telegram.handlers.common import chat_language, reply
from bot.telegram.i18n import t

log = logging.getLogger(__name__)


async def _admin_only(update: Update, context: GeoContext) -> BotContext | None:
    g = geo(context)
    if not is_admin(update, context):
        await reply(update, t(await chat_language(update, g), "admins_only"))
        return None
    return g


async def cmd_addfeed(update: Update, context: GeoContext) -> None:
    """/addfeed URL [NAME…] (admins): validated (http(s), no credentials, no private
    addresses unless allowed), appended to the feed list, polled from the next poll on."""
    g = await _admin_only(update, context)
    if g is None:
        return
    args = context.args or []
    if not args:
        await reply(update, "Usage: /addfeed URL [name]")
        return
    url, name = args[0], " ".join(args[1:]) or args[0]
    try:
        added = await g.call(g.service.add_feed, url, name)
    except (FeedError, OSError) as exc:
        await reply(update, f"Feed not added: {escape(str(exc))}")
        return
    if not added:
        await reply(update, "That feed is already in the list.")
        return
    log.info("feed added url=%s by=%s", url, update.effective_user.id)  # type: ignore[union-attr]
    await reply(update, f"Added <b>{escape(name)}</b>; it is polled from the next poll on.")


async def cmd_removefeed(update: Update, context: GeoContext) -> None:
    """/removefeed URL (admins)."""
    g = await _admin_only(update, context)
    if g is None:
        return
    if not context.args:
        await reply(update, "Usage: /removefeed URL")
        return
    try:
        removed = await g.call(g.service.remove_feed, context.args[0])
    except (FeedError, OSError) as exc:
        await reply(update, f"Feed not removed: {escape(str(exc))}")
        return
    if removed is None:
        await reply(update, "No such feed in the list (see /status).")
        return
    await reply(update, f"Removed <b>{escape(removed.name)}</b>.")


async def cmd_feeds(update: Update, context: GeoContext) -> None:
    """/feeds retry [URL] (admins): poll failing or paused feeds again at the next poll."""
    g = await _admin_only(update, context)
    if g is None:
        return
    args = context.args or []
    if not args or args[0] != "retry":
        await reply(update, "Usage: /feeds retry [URL]")
        return
    url = args[1] if len(args) > 1 else None
    count = await g.call(g.service.retry_feeds, url)
    await reply(update, f"{count} feed(s) will be retried at the next poll.")
