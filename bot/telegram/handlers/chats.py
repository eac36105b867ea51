"""A chat's own settings: /start, /help, /topics, /subscribe, /unsubscribe, /subscriptions,
/lang, /mute, /unmute; group migrations and unknown commands."""

from __future__ import annotations

import logging
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode

from bot.telegram.context import BotContext, GeoContext, geo
from bot.telegram.format import topic_list_html
from bot.telegram.handlers.common import chat_id_of, chat_language, register, reply, thread_of
from bot.telegram.i18n import COMMANDS, LANGUAGES, t

log = logging.getLogger(__name__)


async def cmd_start(update: Update, context: GeoContext) -> None:
    """Welcome, what the bot watches, how to subscribe; registers the chat."""
    g = geo(context)
    await register(update, g)
    lang = await chat_language(update, g)
    await reply(update, t(lang, "welcome", topics=topic_list_html(g.topics, lang=lang)))


async def cmd_help(update: Update, context: GeoContext) -> None:
    """Every command with one line each."""
    lang = await chat_language(update, geo(context))
    lines = [f"/{name} — {escape(text[lang])}" for name, text in COMMANDS.items()]
    await reply(update, t(lang, "help", commands="\n".join(lines)))


async def _topics_view(
    update: Update, g: BotContext, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    chat_id = update.effective_chat.id if update.effective_chat else 0
    view = await g.call(g.service.topics_overview, chat_id)
    lines, buttons = [t(lang, "topics_header")], []
    for tp in g.topics:
        on = tp.id in view.subscribed
        mark = t(lang, "subscribed_mark" if on else "unsubscribed_mark")
        lines.append(t(lang, "topic_line", mark=mark, name=escape(tp.label(lang)), id=tp.id,
                       week=view.week.get(tp.id, 0), month=view.month.get(tp.id, 0),
                       description=escape(tp.describe(lang))))  # fmt: skip
        label = f"{'✅' if on else '➕'} {tp.label(lang)}"
        buttons.append([InlineKeyboardButton(label, callback_data=f"sub:{tp.id}")])
    return "\n\n".join(lines), InlineKeyboardMarkup(buttons)


async def cmd_topics(update: Update, context: GeoContext) -> None:
    """Topics with counts and this chat's subscriptions; buttons toggle them."""
    g = geo(context)
    lang = await chat_language(update, g)
    text, keyboard = await _topics_view(update, g, lang)
    await reply(update, text, reply_markup=keyboard)


async def on_toggle_topic(update: Update, context: GeoContext) -> None:
    """A /topics button: subscribe or unsubscribe, then redraw the list."""
    g, query = geo(context), update.callback_query
    assert query is not None and update.effective_chat is not None
    topic = g.topic((query.data or "").removeprefix("sub:"))
    lang = await chat_language(update, g)
    if topic is None:
        await query.answer(t(lang, "unknown_topic", topic="?", valid=g.topic_ids()))
        return
    await register(update, g)
    on = await g.call(
        g.service.toggle_topic, update.effective_chat.id, topic.id, thread_id=thread_of(update)
    )
    await query.answer(t(lang, "subscribed" if on else "unsubscribed", topics=topic.id))
    text, keyboard = await _topics_view(update, g, lang)
    await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


async def _topics_or_explain(
    update: Update, g: BotContext, lang: str, args: list[str], usage: str
) -> list[str] | None:
    """The topics named in `args`; None after replying why (an unknown topic, or none given)."""
    known, unknown = g.service.parse_topics(args)
    if unknown:
        await reply(update, t(lang, "unknown_topic", topic=escape(unknown[0]), valid=g.topic_ids()))
        return None
    if not known:
        await reply(update, t(lang, usage, valid=g.topic_ids()))
        return None
    return known


async def cmd_subscribe(update: Update, context: GeoContext) -> None:
    """/subscribe TOPIC… — alerts for new matches from now on."""
    g = geo(context)
    lang = await chat_language(update, g)
    known = await _topics_or_explain(update, g, lang, context.args or [], "usage_subscribe")
    if known is None:
        return
    await register(update, g)
    chat_id = chat_id_of(update)
    added = await g.call(g.service.subscribe, chat_id, known, thread_id=thread_of(update))
    old = [x for x in known if x not in added]
    lines = []
    if added:
        lines.append(t(lang, "subscribed", topics=", ".join(added)))
    if old:
        lines.append(t(lang, "already_subscribed", topics=", ".join(old)))
    await reply(update, "\n".join(lines))


async def cmd_unsubscribe(update: Update, context: GeoContext) -> None:
    """/unsubscribe TOPIC…|all."""
    g = geo(context)
    lang = await chat_language(update, g)
    args = context.args or []
    chat_id = chat_id_of(update)
    if [a.lower() for a in args] == ["all"]:
        removed = await g.call(g.service.unsubscribe, chat_id, None)
        await reply(update, t(lang, "unsubscribed", topics=", ".join(removed) or "—"))
        return
    known = await _topics_or_explain(update, g, lang, args, "usage_unsubscribe")
    if known is None:
        return
    removed = await g.call(g.service.unsubscribe, chat_id, known)
    missing = [x for x in known if x not in removed]
    lines = [t(lang, "unsubscribed", topics=", ".join(removed))] if removed else []
    if missing:
        lines.append(t(lang, "not_subscribed", topics=", ".join(missing)))
    await reply(update, "\n".join(lines))


async def cmd_subscriptions(update: Update, context: GeoContext) -> None:
    """This chat's subscriptions."""
    g = geo(context)
    lang = await chat_language(update, g)
    subs = await g.call(g.service.subscriptions, chat_id_of(update))
    if not subs:
        await reply(update, t(lang, "no_subscriptions"))
        return
    await reply(update, t(lang, "subscriptions", topics=", ".join(subs)))


async def cmd_lang(update: Update, context: GeoContext) -> None:
    """/lang en|ru — override the interface language for this chat."""
    g = geo(context)
    args = [a.lower() for a in context.args or []]
    if len(args) != 1 or args[0] not in LANGUAGES:
        await reply(update, t(await chat_language(update, g), "usage_lang"))
        return
    await register(update, g)
    await g.call(g.service.set_language, chat_id_of(update), args[0])
    await reply(update, t(args[0], "lang_set"))


async def _set_muted(update: Update, context: GeoContext, muted: bool) -> None:
    g = geo(context)
    await register(update, g)
    await g.call(g.service.set_muted, chat_id_of(update), muted)
    await reply(update, t(await chat_language(update, g), "muted" if muted else "unmuted"))


async def cmd_mute(update: Update, context: GeoContext) -> None:
    """/mute — alerts arrive without a notification sound."""
    await _set_muted(update, context, True)


async def cmd_unmute(update: Update, context: GeoContext) -> None:
    """/unmute — alerts notify again."""
    await _set_muted(update, context, False)


async def on_migrate(update: Update, context: GeoContext) -> None:
    """A group became a supergroup: its subscriptions move to the new chat id."""
    message = update.effective_message
    if message is None or not message.migrate_to_chat_id:
        return
    old, new = message.chat.id, message.migrate_to_chat_id
    log.info("chat migrated old=%s new=%s", old, new)
    g = geo(context)
    await g.call(g.service.migrate_chat, old, new)


async def on_unknown_command(update: Update, context: GeoContext) -> None:
    """An unknown command gets a short reply naming the valid ones (in groups only when
    addressed to us, so commands meant for other bots are left alone)."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None or not message.text:
        return
    command = message.text.split()[0]
    name, _, target = command.partition("@")
    if target and target.lower() != (context.bot.username or "").lower():
        return
    if chat.type != ChatType.PRIVATE and not target:
        return
    lang = await chat_language(update, geo(context))
    valid = " ".join(f"/{c}" for c in COMMANDS)
    await reply(update, t(lang, "unknown_command", command=escape(name), valid=valid))
