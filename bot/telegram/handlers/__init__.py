"""Command handlers: thin `async def cmd(update, context)`: parse, call the facade, reply.

Grouped by concern: `middleware` (allowlist, command budget), `chats` (a chat's own settings),
`reading` (/latest, /timeline, /source); `common` holds what they share.
"""

from bot.telegram.handlers.chats import (
    cmd_help,
    cmd_lang,
    cmd_mute,
    cmd_start,
    cmd_subscribe,
    cmd_subscriptions,
    cmd_topics,
    cmd_unmute,
    cmd_unsubscribe,
    on_migrate,
    on_toggle_topic,
    on_unknown_command,
)
from bot.telegram.handlers.common import chat_language, register, reply, thread_of
from bot.telegram.handlers.middleware import enforce_allowlist, enforce_rate_limit
from bot.telegram.handlers.reading import cmd_latest, cmd_source, cmd_timeline, on_timeline_page

__all__ = [
    "chat_language",
    "cmd_help",
    "cmd_lang",
    "cmd_latest",
    "cmd_mute",
    "cmd_source",
    "cmd_start",
    "cmd_subscribe",
    "cmd_subscriptions",
    "cmd_timeline",
    "cmd_topics",
    "cmd_unmute",
    "cmd_unsubscribe",
    "enforce_allowlist",
    "enforce_rate_limit",
    "on_migrate",
    "on_timeline_page",
    "on_toggle_topic",
    "on_unknown_command",
    "register",
    "reply",
    "thread_of",
]
