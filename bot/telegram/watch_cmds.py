"""/watch and /unwatch: personal watches in the rule term syntax."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from sqlmodel import Session
from telegram import Update
from telegram.ext import ContextTypes

from bot.errors import RuleError
from bot.telegram.context import geo
from bot.telegram.handlers import chat_language, register, reply, thread_of
from bot.telegram.i18n import t
from bot.watches import MAX_WATCHES_PER_CHAT, Watch, check_name, compile_watches
from storage.watches import chat_watches, delete_watch, save_watch


async def cmd_watch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/watch NAME query — alerts for new items matching a personal query; /watch lists."""
    g = geo(context)
    lang = await chat_language(update, g)
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    args = context.args or []
    if not args:
        watches = await g.read(lambda s: chat_watches(s, chat_id))
        lines = [f"• <b>{escape(w.name)}</b>: <code>{escape(w.query)}</code>" for w in watches]
        await reply(update, "\n".join(lines) if lines else t(lang, "usage_watch"))
        return
    if len(args) < 2:
        await reply(update, t(lang, "usage_watch"))
        return
    try:
        watch = Watch(chat_id, check_name(args[0]), " ".join(args[1:]), thread_of(update))
        compile_watches([watch])  # the same validation and compilation the poller will use
    except RuleError as exc:
        await reply(update, t(lang, "bad_watch", reason=escape(str(exc))))
        return
    await register(update, g)
    now = datetime.now(UTC)

    def store(s: Session) -> bool | None:
        existing = {w.name for w in chat_watches(s, chat_id)}
        if watch.name not in existing and len(existing) >= MAX_WATCHES_PER_CHAT:
            return None
        return save_watch(s, watch, now=now)

    saved = await g.write(store)
    if saved is None:
        await reply(update, t(lang, "too_many_watches", max=MAX_WATCHES_PER_CHAT))
        return
    await reply(update, t(lang, "watch_saved", name=escape(watch.name)))


async def cmd_unwatch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unwatch NAME."""
    g = geo(context)
    lang = await chat_language(update, g)
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    if not context.args:
        await reply(update, t(lang, "usage_watch"))
        return
    name = context.args[0].lower()
    removed = await g.write(lambda s: delete_watch(s, chat_id, name))
    key = "watch_removed" if removed else "no_watch"
    await reply(update, t(lang, key, name=escape(name)))
