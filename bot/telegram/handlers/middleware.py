"""Checks that run before every handler: the chat allowlist and the command budget."""

from __future__ import annotations

import logging
import time

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from bot.telegram.context import GeoContext, geo
from bot.telegram.handlers.common import chat_language, reply
from bot.telegram.i18n import pick_language, t
from bot.telegram.throttle import Verdict

log = logging.getLogger(__name__)


async def enforce_allowlist(update: Update, context: GeoContext) -> None:
    """Runs before every handler: chats off the allowlist get a polite refusal, nothing stored."""
    allowed = geo(context).settings.allowed_chat_ids
    chat = update.effective_chat
    if not allowed or chat is None or chat.id in allowed:
        return
    log.info("refused chat=%s reason=not on allowlist", chat.id)
    user = update.effective_user
    lang = pick_language(user.language_code if user else None)
    if update.callback_query is not None:
        await update.callback_query.answer(t(lang, "not_allowed"), show_alert=True)
    elif update.effective_message is not None and (update.effective_message.text or "")[:1] == "/":
        await reply(update, t(lang, "not_allowed"))
    raise ApplicationHandlerStop


async def enforce_rate_limit(update: Update, context: GeoContext) -> None:
    """Runs before every handler: a chat over its command budget is told once, then ignored."""
    chat = update.effective_chat
    if chat is None:
        return
    g = geo(context)
    verdict = g.throttle.check(chat.id, time.monotonic())
    if verdict is Verdict.ALLOW:
        return
    log.info("throttled chat=%s verdict=%s", chat.id, verdict.value)
    if verdict is Verdict.WARN:
        lang = await chat_language(update, g)
        if update.callback_query is not None:
            await update.callback_query.answer(t(lang, "slow_down"))
        else:
            await reply(update, t(lang, "slow_down"))
    raise ApplicationHandlerStop
