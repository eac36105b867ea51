"""What every command shares: replying, the chat's language, registering the chat, paging."""

from __future__ import annotations

from html import escape

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode

from bot.models import Topic
from bot.pages import paginate
from bot.telegram.context import BotContext
from bot.telegram.i18n import pick_language, t

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
PAGE_LIMIT = 4000  # UTF-16 units of a multi-message reply: under Telegram's 4096 after parsing


async def reply(update: Update, text: str, **kwargs: object) -> None:
    """Reply in the same chat and forum thread, HTML, no link previews."""
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(
        text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW, do_quote=False,
        **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


async def reply_pages(update: Update, header: str, entries: list[str]) -> None:
    """Send entries in as few messages as fit Telegram's length limit (the header once)."""
    for page in paginate(entries, header=header, sep="\n\n", limit=PAGE_LIMIT, repeat_header=False):
        await reply(update, page)


async def chat_language(update: Update, g: BotContext) -> str:
    """The chat's /lang override, else the user's Telegram language."""
    chat = update.effective_chat
    stored = await g.call(g.service.chat_language, chat.id) if chat else None
    if stored:
        return pick_language(stored)
    user = update.effective_user
    return pick_language(user.language_code if user else None)


async def register(update: Update, g: BotContext) -> None:
    """Remember the chat (type, title, the user's language)."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None:
        return
    await g.call(
        g.service.register_chat, chat.id, chat_type=chat.type,
        title=chat.title or chat.username, user_language=user.language_code if user else None,
    )  # fmt: skip


def thread_of(update: Update) -> int:
    """The forum topic a command was sent in (0 = the chat itself)."""
    message = update.effective_message
    if message is not None and message.is_topic_message and message.message_thread_id:
        return message.message_thread_id
    return 0


async def topic_argument(
    update: Update, g: BotContext, lang: str, args: list[str], usage: str
) -> Topic | None:
    """The topic a command's first argument names; None after replying why (the usage line
    when there is no argument, the valid topics when it names none)."""
    topic = g.topic(args[0]) if args else None
    if topic is None:
        key = "unknown_topic" if args else usage
        await reply(
            update, t(lang, key, topic=escape(args[0]) if args else "", valid=g.topic_ids())
        )
    return topic


def number(value: str, maximum: int) -> int | None:
    """`value` as a count from 1 to `maximum`, or None."""
    return int(value) if value.isdigit() and 1 <= int(value) <= maximum else None


def chat_id_of(update: Update) -> int:
    """The chat a command came from (every command and button update has one)."""
    chat = update.effective_chat
    assert chat is not None
    return chat.id
