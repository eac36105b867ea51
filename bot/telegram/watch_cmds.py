"""/watch and /unwatch: personal watches in the rule term syntax."""

from __future__ import annotations

from html import escape

from telegram import Update

from bot.errors import RuleError
from bot.telegram.context import GeoContext, geo
from bot.telegram.handlers.common import chat_id_of, chat_language, register, reply, thread_of
from bot.telegram.i18n import t
from bot.watches import MAX_WATCHES_PER_CHAT


async def cmd_watch(update: Update, context: GeoContext) -> None:
    """/watch NAME query — alerts for new items matching a personal query; /watch lists."""
    g = geo(context)
    lang = await chat_language(update, g)
    chat_id = chat_id_of(update)
    args = context.args or []
    if not args:
        watches = await g.call(g.service.watches, chat_id)
        lines = [f"• <b>{escape(w.name)}</b>: <code>{escape(w.query)}</code>" for w in watches]
        await reply(update, "\n".join(lines) if lines else t(lang, "usage_watch"))
        return
    if len(args) < 2:
        await reply(update, t(lang, "usage_watch"))
        return
    try:
        watch = g.service.watch_from(
            chat_id, args[0], " ".join(args[1:]), thread_id=thread_of(update)
        )
    except RuleError as exc:
        await reply(update, t(lang, "bad_watch", reason=escape(str(exc))))
        return
    await register(update, g)
    if not await g.call(g.service.add_watch, watch):
        await reply(update, t(lang, "too_many_watches", max=MAX_WATCHES_PER_CHAT))
        return
    await reply(update, t(lang, "watch_saved", name=escape(watch.name)))


async def cmd_unwatch(update: Update, context: GeoContext) -> None:
    """/unwatch NAME."""
    g = geo(context)
    lang = await chat_language(update, g)
    chat_id = chat_id_of(update)
    if not context.args:
        await reply(update, t(lang, "usage_watch"))
        return
    name = context.args[0].lower()
    removed = await g.call(g.service.remove_watch, chat_id, name)
    key = "watch_removed" if removed else "no_watch"
    await reply(update, t(lang, key, name=escape(name)))
