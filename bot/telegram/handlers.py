"""Command handlers: thin `async def cmd(update, context)`: parse, call one function, reply."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from html import escape

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.models import Item, StoredMatch
from bot.telegram.context import BotContext, geo
from bot.telegram.format import match_entry_html, source_html, timeline_pages, topic_list_html
from bot.telegram.i18n import COMMANDS, LANGUAGES, pick_language, t
from bot.telegram.throttle import Verdict
from bot.timeline import build_timeline
from storage import chats
from storage.items import get_item, match_counts, matched_items
from storage.stories import stories_of, story_members, story_of

log = logging.getLogger(__name__)

LATEST_DEFAULT, LATEST_MAX = 5, 20
LATEST_SCAN = 4  # read this many times N items, so N stories remain after merging copies
TIMELINE_MAX = 500
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def reply(update: Update, text: str, **kwargs: object) -> None:
    """Reply in the same chat and forum thread, HTML, no link previews."""
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(
        text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW, do_quote=False,
        **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


async def chat_language(update: Update, g: BotContext) -> str:
    """The chat's /lang override, else the user's Telegram language."""
    chat = update.effective_chat
    stored = await g.read(lambda s: chats.get_chat(s, chat.id)) if chat else None
    if stored and stored.language:
        return pick_language(stored.language)
    user = update.effective_user
    return pick_language(user.language_code if user else None)


async def register(update: Update, g: BotContext) -> None:
    """Remember the chat (type, title, the user's language)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return
    await g.write(
        lambda s: chats.touch_chat(
            s, chat.id, chat_type=chat.type, title=chat.title or chat.username,
            user_language=user.language_code if user else None, now=datetime.now(UTC),
        )
    )  # fmt: skip


def thread_of(update: Update) -> int:
    """The forum topic a command was sent in (0 = the chat itself)."""
    message = update.effective_message
    if message is not None and message.is_topic_message and message.message_thread_id:
        return message.message_thread_id
    return 0


async def enforce_allowlist(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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


async def enforce_rate_limit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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


async def cmd_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome, what the bot watches, how to subscribe; registers the chat."""
    g = geo(context)
    await register(update, g)
    lang = await chat_language(update, g)
    await reply(update, t(lang, "welcome", topics=topic_list_html(g.topics, lang=lang)))


async def cmd_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every command with one line each."""
    lang = await chat_language(update, geo(context))
    lines = [f"/{name} — {escape(text[lang])}" for name, text in COMMANDS.items()]
    await reply(update, t(lang, "help", commands="\n".join(lines)))


async def _topics_view(
    update: Update, g: BotContext, lang: str
) -> tuple[str, InlineKeyboardMarkup]:
    chat_id = update.effective_chat.id if update.effective_chat else 0
    now = datetime.now(UTC)

    def query(s: Session) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
        week = match_counts(s, since=now - timedelta(days=7))
        month = match_counts(s, since=now - timedelta(days=30))
        return week, month, chats.subscriptions(s, chat_id)

    week, month, subs = await g.read(query)
    lines, buttons = [t(lang, "topics_header")], []
    for tp in g.topics:
        on = tp.id in subs
        mark = t(lang, "subscribed_mark" if on else "unsubscribed_mark")
        lines.append(t(lang, "topic_line", mark=mark, name=escape(tp.label(lang)), id=tp.id,
                       week=week.get(tp.id, 0), month=month.get(tp.id, 0),
                       description=escape(tp.describe(lang))))  # fmt: skip
        label = f"{'✅' if on else '➕'} {tp.label(lang)}"
        buttons.append([InlineKeyboardButton(label, callback_data=f"sub:{tp.id}")])
    return "\n\n".join(lines), InlineKeyboardMarkup(buttons)


async def cmd_topics(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Topics with counts and this chat's subscriptions; buttons toggle them."""
    g = geo(context)
    lang = await chat_language(update, g)
    text, keyboard = await _topics_view(update, g, lang)
    await reply(update, text, reply_markup=keyboard)


async def on_toggle_topic(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A /topics button: subscribe or unsubscribe, then redraw the list."""
    g, query = geo(context), update.callback_query
    assert query is not None and update.effective_chat is not None
    topic = g.topic((query.data or "").removeprefix("sub:"))
    lang = await chat_language(update, g)
    if topic is None:
        await query.answer(t(lang, "unknown_topic", topic="?", valid=g.topic_ids()))
        return
    await register(update, g)
    chat_id, now = update.effective_chat.id, datetime.now(UTC)

    def toggle(s: Session) -> bool:
        if topic.id in chats.subscriptions(s, chat_id):
            chats.unsubscribe(s, chat_id, [topic.id])
            return False
        chats.subscribe(s, chat_id, [topic.id], thread_id=thread_of(update), now=now)
        return True

    on = await g.write(toggle)
    await query.answer(t(lang, "subscribed" if on else "unsubscribed", topics=topic.id))
    text, keyboard = await _topics_view(update, g, lang)
    await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)


def _parse_topics(g: BotContext, args: list[str]) -> tuple[list[str], list[str]]:
    known, unknown = [], []
    for arg in args:
        for part in arg.split(","):
            if not part.strip():
                continue
            topic = g.topic(part)
            (known if topic else unknown).append(topic.id if topic else part)
    return list(dict.fromkeys(known)), unknown


async def _topics_or_explain(
    update: Update, g: BotContext, lang: str, args: list[str], usage: str
) -> list[str] | None:
    """The topics named in `args`; None after replying why (an unknown topic, or none given)."""
    known, unknown = _parse_topics(g, args)
    if unknown:
        await reply(update, t(lang, "unknown_topic", topic=escape(unknown[0]), valid=g.topic_ids()))
        return None
    if not known:
        await reply(update, t(lang, usage, valid=g.topic_ids()))
        return None
    return known


async def cmd_subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/subscribe TOPIC… — alerts for new matches from now on."""
    g = geo(context)
    lang = await chat_language(update, g)
    known = await _topics_or_explain(update, g, lang, context.args or [], "usage_subscribe")
    if known is None:
        return
    await register(update, g)
    chat_id, thread, now = update.effective_chat.id, thread_of(update), datetime.now(UTC)  # type: ignore[union-attr]
    added = await g.write(lambda s: chats.subscribe(s, chat_id, known, thread_id=thread, now=now))
    old = [x for x in known if x not in added]
    lines = []
    if added:
        lines.append(t(lang, "subscribed", topics=", ".join(added)))
    if old:
        lines.append(t(lang, "already_subscribed", topics=", ".join(old)))
    await reply(update, "\n".join(lines))


async def cmd_unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unsubscribe TOPIC…|all."""
    g = geo(context)
    lang = await chat_language(update, g)
    args = context.args or []
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    if [a.lower() for a in args] == ["all"]:
        removed = await g.write(lambda s: chats.unsubscribe(s, chat_id, None))
        await reply(update, t(lang, "unsubscribed", topics=", ".join(removed) or "—"))
        return
    known = await _topics_or_explain(update, g, lang, args, "usage_unsubscribe")
    if known is None:
        return
    removed = await g.write(lambda s: chats.unsubscribe(s, chat_id, known))
    missing = [x for x in known if x not in removed]
    lines = [t(lang, "unsubscribed", topics=", ".join(removed))] if removed else []
    if missing:
        lines.append(t(lang, "not_subscribed", topics=", ".join(missing)))
    await reply(update, "\n".join(lines))


async def cmd_subscriptions(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """This chat's subscriptions."""
    g = geo(context)
    lang = await chat_language(update, g)
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    subs = await g.read(lambda s: chats.subscriptions(s, chat_id))
    if not subs:
        await reply(update, t(lang, "no_subscriptions"))
        return
    await reply(update, t(lang, "subscriptions", topics=", ".join(subs)))


def _number(value: str, maximum: int) -> int | None:
    return int(value) if value.isdigit() and 1 <= int(value) <= maximum else None


async def cmd_latest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/latest [TOPIC] [N] — newest matches."""
    g = geo(context)
    lang = await chat_language(update, g)
    topic_id, count = None, LATEST_DEFAULT
    for arg in context.args or []:
        if arg.isdigit():
            number = _number(arg, LATEST_MAX)
            if number is None:
                await reply(update, t(lang, "bad_number", value=escape(arg), max=LATEST_MAX))
                return
            count = number
        elif (topic := g.topic(arg)) is not None:
            topic_id = topic.id
        else:
            await reply(update, t(lang, "unknown_topic", topic=escape(arg), valid=g.topic_ids()))
            return

    def query(s: Session) -> tuple[list[StoredMatch], dict[str, int]]:
        found = matched_items(s, topic=topic_id, limit=count * LATEST_SCAN)
        return found, stories_of(s, [m.item.id for m in found])

    found, story_ids = await g.read(query)
    latest = one_per_story(found, story_ids)[:count]
    if not latest:
        await reply(update, t(lang, "no_matches"))
        return
    header = t(lang, "latest_header", topic=f" #{topic_id}" if topic_id else "")
    entries = [match_entry_html(m, sources=n) for m, n in latest]
    await _reply_chunks(update, header, entries)


def one_per_story(
    found: list[StoredMatch], story_ids: dict[str, int]
) -> list[tuple[StoredMatch, int]]:
    """Stories, not copies: the newest item of each story, with how many items report it."""
    first: dict[object, int] = {}
    result: list[tuple[StoredMatch, int]] = []
    for m in found:
        key: object = story_ids.get(m.item.id, m.item.id)
        if key in first:
            shown, n = result[first[key]]
            result[first[key]] = (shown, n + 1)
            continue
        first[key] = len(result)
        result.append((m, 1))
    return result


async def _reply_chunks(update: Update, header: str, entries: list[str], limit: int = 4000) -> None:
    """Send entries in as few messages as fit Telegram's length limit."""
    current = header
    for entry in entries:
        if len(current) + len(entry) + 2 > limit:
            await reply(update, current)
            current = ""
        current = f"{current}\n\n{entry}" if current else entry
    if current:
        await reply(update, current)


async def cmd_timeline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/timeline TOPIC [N] — chronology, oldest first, paginated."""
    g = geo(context)
    lang = await chat_language(update, g)
    args = context.args or []
    topic = g.topic(args[0]) if args else None
    if topic is None:
        key = "unknown_topic" if args else "usage_timeline"
        await reply(
            update, t(lang, key, topic=escape(args[0]) if args else "", valid=g.topic_ids())
        )
        return
    limit = None
    if len(args) > 1:
        limit = _number(args[1], TIMELINE_MAX)
        if limit is None:
            await reply(update, t(lang, "bad_number", value=escape(args[1]), max=TIMELINE_MAX))
            return
    text, keyboard = await _timeline_page(g, topic.id, 0, lang, limit)
    await reply(update, text, reply_markup=keyboard)


async def _timeline_page(
    g: BotContext, topic_id: str, page: int, lang: str, limit: int | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    topic = g.topic(topic_id)
    assert topic is not None

    def query(s: Session) -> tuple[list[StoredMatch], dict[str, int]]:
        found = matched_items(s, topic=topic.id, newest_first=True, limit=limit)
        return found, stories_of(s, [m.item.id for m in found])

    found, story_ids = await g.read(query)
    pages = timeline_pages(topic, build_timeline(found, story_of=story_ids), lang=lang)
    page = max(0, min(page, len(pages) - 1))
    if len(pages) == 1:
        return pages[0], None
    text = pages[page] + "\n\n" + t(lang, "timeline_page", page=page + 1, pages=len(pages))
    row = []
    if page > 0:
        row.append(
            InlineKeyboardButton(t(lang, "page_prev"), callback_data=f"tl:{topic.id}:{page - 1}")
        )
    if page < len(pages) - 1:
        row.append(
            InlineKeyboardButton(t(lang, "page_next"), callback_data=f"tl:{topic.id}:{page + 1}")
        )
    return text, InlineKeyboardMarkup([row])


async def on_timeline_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A timeline page button."""
    g, query = geo(context), update.callback_query
    assert query is not None
    _, topic_id, page = (query.data or "tl::0").split(":", 2)
    lang = await chat_language(update, g)
    if g.topic(topic_id) is None or not page.isdigit():
        await query.answer(t(lang, "unknown_topic", topic=escape(topic_id), valid=g.topic_ids()))
        return
    text, keyboard = await _timeline_page(g, topic_id, int(page), lang)
    await query.answer()
    await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard,
                                  link_preview_options=NO_PREVIEW)  # fmt: skip


async def cmd_source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/source ID (or the clickable /source_ID) — provenance and evidence of an item."""
    g = geo(context)
    lang = await chat_language(update, g)
    if context.matches:
        item_id = context.matches[0].group(1)
    elif context.args:
        item_id = context.args[0]
    else:
        await reply(update, t(lang, "usage_source"))
        return
    item_id = item_id.strip().lower()[:64]

    def query(s: Session) -> tuple[StoredMatch | None, list[Item]]:
        story_id = story_of(s, item_id)
        return get_item(s, item_id), story_members(s, story_id) if story_id else []

    found, story = await g.read(query)
    if found is None:
        await reply(update, t(lang, "no_item", id=escape(item_id)))
        return
    await reply(update, source_html(found, lang=lang, tags=g.feed_tags(), story=story))


async def cmd_lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/lang en|ru — override the interface language for this chat."""
    g = geo(context)
    args = [a.lower() for a in context.args or []]
    if len(args) != 1 or args[0] not in LANGUAGES:
        await reply(update, t(await chat_language(update, g), "usage_lang"))
        return
    await register(update, g)
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    await g.write(lambda s: chats.set_language(s, chat_id, args[0]))
    await reply(update, t(args[0], "lang_set"))


async def _set_muted(update: Update, context: ContextTypes.DEFAULT_TYPE, muted: bool) -> None:
    g = geo(context)
    await register(update, g)
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    await g.write(lambda s: chats.set_muted(s, chat_id, muted))
    await reply(update, t(await chat_language(update, g), "muted" if muted else "unmuted"))


async def cmd_mute(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/mute — alerts arrive without a notification sound."""
    await _set_muted(update, context, True)


async def cmd_unmute(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unmute — alerts notify again."""
    await _set_muted(update, context, False)


async def on_migrate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup: its subscriptions move to the new chat id."""
    message = update.effective_message
    if message is None or not message.migrate_to_chat_id:
        return
    old, new = message.chat.id, message.migrate_to_chat_id
    log.info("chat migrated old=%s new=%s", old, new)
    await geo(context).write(lambda s: chats.migrate_chat(s, old, new, now=datetime.now(UTC)))


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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
