"""Reading the store: /latest, /timeline (with its page buttons), /source."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.telegram.context import BotContext, GeoContext, geo
from bot.telegram.format import match_entry_html, source_html, timeline_pages
from bot.telegram.handlers.common import (
    NO_PREVIEW,
    chat_language,
    number,
    reply,
    reply_pages,
    topic_argument,
)
from bot.telegram.i18n import t

LATEST_DEFAULT, LATEST_MAX = 5, 20
TIMELINE_MAX = 500


async def cmd_latest(update: Update, context: GeoContext) -> None:
    """/latest [TOPIC] [N] — newest matches, one per story."""
    g = geo(context)
    lang = await chat_language(update, g)
    topic_id, count = None, LATEST_DEFAULT
    for arg in context.args or []:
        if arg.isdigit():
            wanted = number(arg, LATEST_MAX)
            if wanted is None:
                await reply(update, t(lang, "bad_number", value=escape(arg), max=LATEST_MAX))
                return
            count = wanted
        elif (topic := g.topic(arg)) is not None:
            topic_id = topic.id
        else:
            await reply(update, t(lang, "unknown_topic", topic=escape(arg), valid=g.topic_ids()))
            return
    latest = await g.call(g.service.latest, topic_id, count)
    if not latest:
        await reply(update, t(lang, "no_matches"))
        return
    header = t(lang, "latest_header", topic=f" #{topic_id}" if topic_id else "")
    await reply_pages(
        update, header, [match_entry_html(e.match, sources=e.sources) for e in latest]
    )


async def cmd_timeline(update: Update, context: GeoContext) -> None:
    """/timeline TOPIC [N] — chronology, oldest first, paginated."""
    g = geo(context)
    lang = await chat_language(update, g)
    args = context.args or []
    topic = await topic_argument(update, g, lang, args, "usage_timeline")
    if topic is None:
        return
    limit = None
    if len(args) > 1:
        limit = number(args[1], TIMELINE_MAX)
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
    months = await g.call(g.service.timeline, topic.id, limit=limit)
    pages = timeline_pages(topic, months, lang=lang)
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


async def on_timeline_page(update: Update, context: GeoContext) -> None:
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


async def cmd_source(update: Update, context: GeoContext) -> None:
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
    found = await g.call(g.service.source, item_id)
    if found is None:
        await reply(update, t(lang, "no_item", id=escape(item_id)))
        return
    await reply(update, source_html(found.match, lang=lang, tags=g.feed_tags(), story=found.story))
