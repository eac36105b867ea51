"""The Relevant / Not relevant buttons under alerts and digests: their callback data and labels.

Callback data is `v:ACTION:ITEM[:TOPIC]` — ACTION `r` relevant, `n` not relevant, `u` undo;
ITEM the 12-hex item id; TOPIC the topic the row judges, or none for every topic the chat was
alerted for. It always fits Telegram's 64 bytes: a topic too long to fit is left out. A row is
`[(text, data), …]` (plain tuples, so a digest's rows can be stored with its notice); a row's
labels show the chat's view (✓), in groups the counts, and Undo once someone judged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.models import VerdictTally
from bot.telegram.i18n import t

MAX_DATA = 64  # bytes: Telegram's limit on callback data
_DATA = re.compile(r"^v:([rnu]):([0-9a-f]{12})(?::([a-z][a-z0-9_]*))?$")
RELEVANT, NOT_RELEVANT = "👍", "👎"

if TYPE_CHECKING:  # python-telegram-bot is imported only where a keyboard is built: console
    from telegram import InlineKeyboardMarkup  # mode (the sender printing) never loads it

Row = list[tuple[str, str]]  # (button text, callback data)


@dataclass(frozen=True, slots=True)
class Tap:
    """A verdict button pressed: what, on which item, for which topic (None: every topic)."""

    action: str  # "r" relevant, "n" not relevant, "u" undo
    item_id: str
    topic: str | None

    @property
    def data(self) -> str:
        return callback_data(self.action, self.item_id, self.topic)


def callback_data(action: str, item_id: str, topic: str | None) -> str:
    """The button's data; the topic is left out when it would not fit in 64 bytes."""
    data = f"v:{action}:{item_id}"
    with_topic = f"{data}:{topic}"
    return with_topic if topic and len(with_topic.encode()) <= MAX_DATA else data


def parse_tap(data: str | None) -> Tap | None:
    """The tap a button's data describes; None for anything we did not build."""
    if not data or len(data.encode()) > MAX_DATA:
        return None
    found = _DATA.match(data)
    if found is None:
        return None
    return Tap(found.group(1), found.group(2), found.group(3))


def verdict_row(
    item_id: str,
    topic: str | None,
    *,
    lang: str | None,
    tally: VerdictTally | None = None,
    group: bool = False,
    heading: str = "",
) -> Row:
    """One row judging `item_id` (for `topic`, or every topic): 👍 and 👎, the chat's view
    marked ✓, in a group the counts; Undo once anyone judged."""
    tally = tally or VerdictTally()
    view = tally.view

    def label(emoji: str, key: str, count: int, mine: bool) -> str:
        counted = f" · {count}" if group and count else ""
        return f"{emoji} {t(lang, key)}{counted}{' ✓' if mine else ''}"

    lead = f"{heading} " if heading else ""
    row = [
        (lead + label(RELEVANT, "fb_relevant", tally.relevant, view is True),
         callback_data("r", item_id, topic)),
        (label(NOT_RELEVANT, "fb_not_relevant", tally.not_relevant, view is False),
         callback_data("n", item_id, topic)),
    ]  # fmt: skip
    if tally.relevant or tally.not_relevant:
        row.append((t(lang, "fb_undo"), callback_data("u", item_id, topic)))
    return row


def alert_rows(
    item_id: str,
    topics: Sequence[str],
    *,
    lang: str | None,
    tallies: Mapping[str, VerdictTally] | None = None,
    group: bool = False,
) -> list[Row]:
    """An alert's rows: one per topic, headed `#topic` when the alert has several."""
    tallies = tallies or {}
    many = len(topics) > 1
    return [
        verdict_row(
            item_id,
            topic,
            lang=lang,
            tally=tallies.get(topic),
            group=group,
            heading=f"#{topic}" if many else "",
        )
        for topic in topics
    ]


def refresh_rows(
    rows: Sequence[Row],
    tap: Tap,
    tallies: Mapping[str, VerdictTally],
    *,
    lang: str | None,
    group: bool,
) -> list[Row]:
    """The keyboard after a tap: the rows judging the tapped item (and topic) redrawn with
    the new tallies, each keeping its heading; the other rows as they were."""
    out = []
    for row in rows:
        taps = [parse_tap(data) for _, data in row]
        mine = next((x for x in taps if x and x.item_id == tap.item_id and x.topic == tap.topic),
                    None)  # fmt: skip
        if mine is None or not row:
            out.append(list(row))
            continue
        heading = row[0][0].split(RELEVANT, 1)[0].strip()
        tally = tallies.get(tap.topic) if tap.topic else _first(tallies)
        out.append(verdict_row(tap.item_id, tap.topic, lang=lang, tally=tally, group=group,
                               heading=heading))  # fmt: skip
    return out


def _first(tallies: Mapping[str, VerdictTally]) -> VerdictTally | None:
    # A row for every topic sets them all together: any one shows the row's state.
    return tallies[min(tallies)] if tallies else None


def markup(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    """The Telegram keyboard of `rows`; None when there are none."""
    if not rows:
        return None
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def rows_of(keyboard: InlineKeyboardMarkup | None) -> list[Row]:
    """The rows of a message's keyboard, as plain (text, data) tuples."""
    if keyboard is None:
        return []
    return [
        [(b.text, b.callback_data) for b in row if isinstance(b.callback_data, str)]
        for row in keyboard.inline_keyboard
    ]
