"""Verdicts from Telegram: the Relevant / Not relevant / Undo buttons, /feedback, /quality.

A tap is answered here, like a command's reply: `answerCallbackQuery`, and the tapped message's
keyboard redrawn in place. Taps pass the same allowlist and per-chat budget as commands
(`handlers.middleware`). A tap whose data we did not build, or on an item this chat was never
alerted about, is answered with a refusal and stores nothing.
"""

from __future__ import annotations

import logging
from html import escape

from telegram import Update
from telegram.error import BadRequest

from bot.service import NotReceived, precision
from bot.telegram.admin import is_admin
from bot.telegram.context import GeoContext, geo
from bot.telegram.format import TITLE_CHARS
from bot.telegram.handlers.common import chat_id_of, chat_language, register, reply, topic_argument
from bot.telegram.i18n import t
from bot.telegram.verdict_buttons import markup, parse_tap, refresh_rows, rows_of
from bot.text import truncate_words

log = logging.getLogger(__name__)

_VERDICT = {"r": True, "n": False, "u": None}
_METRIC = {"r": "relevant", "n": "not_relevant", "u": "undo"}


async def on_verdict(update: Update, context: GeoContext) -> None:
    """A verdict button: record (or undo) this user's verdict, then redraw the buttons."""
    g, query, chat = geo(context), update.callback_query, update.effective_chat
    assert query is not None and chat is not None
    lang = await chat_language(update, g)
    tap = parse_tap(query.data)
    if tap is None or query.from_user is None:
        log.info("verdict refused chat=%s reason=malformed data", chat.id)
        await query.answer(t(lang, "fb_stale"), show_alert=True)
        return
    try:
        state = await g.call(
            g.service.judge, chat.id, query.from_user.id, tap.item_id, tap.topic,
            _VERDICT[tap.action],
        )  # fmt: skip
    except NotReceived:
        log.info("verdict refused chat=%s item=%s reason=never received", chat.id, tap.item_id)
        await query.answer(t(lang, "fb_not_received"), show_alert=True)
        return
    for topic in state.topics:
        g.metrics.verdict_taps.labels(topic, _METRIC[tap.action]).inc()
    key = {"r": "fb_thanks_relevant", "n": "fb_thanks_not_relevant", "u": "fb_undone"}
    await query.answer(t(lang, key[tap.action]))
    message = query.message
    if message is None or not hasattr(message, "reply_markup"):
        return  # too old for Telegram to hand us the message: nothing to redraw
    rows = refresh_rows(rows_of(message.reply_markup), tap, state.tallies, lang=lang,
                        group=chat.id < 0)  # fmt: skip
    try:
        await query.edit_message_reply_markup(reply_markup=markup(rows))
    except BadRequest as exc:  # "message is not modified": two taps raced; nothing to do
        log.info("verdict keyboard not redrawn chat=%s reason=%s", chat.id, exc)


async def cmd_feedback(update: Update, context: GeoContext) -> None:
    """/feedback off|on — hide or show the verdict buttons under this chat's alerts."""
    g = geo(context)
    lang = await chat_language(update, g)
    args = [a.lower() for a in context.args or []]
    if args not in (["on"], ["off"]):
        await reply(update, t(lang, "usage_feedback"))
        return
    await register(update, g)
    on = args == ["on"]
    await g.call(g.service.set_feedback, chat_id_of(update), on)
    await reply(update, t(lang, "feedback_on" if on else "feedback_off"))


async def cmd_quality(update: Update, context: GeoContext) -> None:
    """/quality TOPIC (admins) — the terms most often behind "not relevant", the latest such
    items with their evidence and /source link."""
    g = geo(context)
    lang = await chat_language(update, g)
    if not is_admin(update, context):
        await reply(update, t(lang, "admins_only"))
        return
    topic = await topic_argument(update, g, lang, context.args or [], "usage_quality")
    if topic is None:
        return
    report = await g.call(g.service.quality, topic.id)
    share = precision(report.relevant, report.not_relevant)
    figure = "—" if share is None else f"{share:.0%}"
    lines = [
        t(lang, "quality_header", topic=escape(topic.id), precision=figure,
          relevant=report.relevant, judged=report.relevant + report.not_relevant),
    ]  # fmt: skip
    if not report.terms:
        lines.append(t(lang, "quality_none"))
        await reply(update, "\n".join(lines))
        return
    terms = ", ".join(f"{escape(term)} ×{count}" for term, count in report.terms)
    lines.append(t(lang, "quality_terms", terms=terms))
    lines.append(t(lang, "quality_latest"))
    for found in report.latest:
        evidence = next((m.evidence for m in found.topics if m.topic == topic.id), None)
        fired = ", ".join(evidence.terms) if evidence else "—"
        lines.append(
            f"• {escape(truncate_words(found.item.title, TITLE_CHARS // 2))}\n"
            f"  {escape(fired)} · /source_{found.item.id}"
        )
    await reply(update, "\n".join(lines))
