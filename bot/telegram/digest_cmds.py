"""/digest daily HH:MM [UTC±H] — one digest a day; /digest off — instant alerts again."""

from __future__ import annotations

import re

from telegram import Update

from bot.telegram.context import GeoContext, geo
from bot.telegram.handlers.common import chat_id_of, chat_language, register, reply
from bot.telegram.i18n import t

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2})(?::?([0-5]\d))?$", re.IGNORECASE)


def parse_offset(text: str) -> int | None:
    """ "UTC+3", "+05:30", "-4" → minutes east of UTC; None when invalid."""
    match = _OFFSET.match(text.strip())
    if not match:
        return None
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    total = hours * 60 + minutes
    if total > 14 * 60:
        return None
    return total if sign == "+" else -total


def _offset_label(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


async def cmd_digest(update: Update, context: GeoContext) -> None:
    """/digest daily HH:MM [UTC±H] — one digest a day; /digest off — instant alerts again."""
    g = geo(context)
    lang = await chat_language(update, g)
    chat_id = chat_id_of(update)
    args = context.args or []
    if not args:
        state = await g.call(g.service.digest_settings, chat_id)
        key = "digest_state" if state.time else "digest_off_state"
        await reply(
            update, t(lang, key, time=state.time or "", offset=_offset_label(state.offset_minutes))
        )
        return
    if args[0].lower() == "off":
        released = await g.call(g.service.digest_off, chat_id)
        await reply(update, t(lang, "digest_disabled", count=released))
        return
    match = _TIME.match(args[1]) if args[0].lower() == "daily" and len(args) in (2, 3) else None
    offset = parse_offset(args[2]) if match and len(args) == 3 else 0
    if match is None or offset is None:
        await reply(update, t(lang, "usage_digest"))
        return
    when = f"{int(match.group(1)):02d}:{match.group(2)}"
    await register(update, g)
    await g.call(g.service.set_digest, chat_id, when, offset_minutes=offset)
    await reply(update, t(lang, "digest_enabled", time=when, offset=_offset_label(offset)))
