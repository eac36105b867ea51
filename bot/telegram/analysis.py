"""/search and /trend: the store seen as an analyst wants it."""

from __future__ import annotations

from html import escape

from telegram import Update

from bot.telegram.context import GeoContext, geo
from bot.telegram.format import match_entry_html
from bot.telegram.handlers.common import chat_language, reply, reply_pages, topic_argument
from bot.telegram.i18n import t

SEARCH_LIMIT = 10
TREND_WEEKS, TREND_MAX_WEEKS = 12, 104
MAX_QUERY = 200


async def cmd_search(update: Update, context: GeoContext) -> None:
    """/search WORDS — full-text search over stored items, newest first."""
    g = geo(context)
    lang = await chat_language(update, g)
    query = " ".join(context.args or [])[:MAX_QUERY].strip()
    if not query:
        await reply(update, t(lang, "usage_search"))
        return
    found = await g.call(g.service.search, query, limit=SEARCH_LIMIT)
    if not found:
        await reply(update, t(lang, "no_results", query=escape(query)))
        return
    header = t(lang, "search_header", query=escape(query))
    await reply_pages(update, header, [match_entry_html(m, with_summary=False) for m in found])


async def cmd_trend(update: Update, context: GeoContext) -> None:
    """/trend TOPIC [WEEKS] — a chart of stories per week, spikes marked."""
    g = geo(context)
    lang = await chat_language(update, g)
    args = context.args or []
    topic = await topic_argument(update, g, lang, args, "usage_trend")
    if topic is None:
        return
    weeks = TREND_WEEKS
    if len(args) > 1:
        if not args[1].isdigit() or not 1 <= int(args[1]) <= TREND_MAX_WEEKS:
            await reply(update, t(lang, "bad_number", value=escape(args[1]), max=TREND_MAX_WEEKS))
            return
        weeks = int(args[1])
    report = await g.call(g.service.trend, topic.id, weeks=weeks)
    png = report.png(topic.label(lang))
    total = sum(count for _, count in report.weeks)
    caption = t(lang, "trend_caption", topic=topic.label(lang), weeks=weeks, total=total,
                spikes=len(report.spikes))  # fmt: skip
    message = update.effective_message
    assert message is not None
    await message.reply_photo(png, caption=caption[:1024], do_quote=False)
