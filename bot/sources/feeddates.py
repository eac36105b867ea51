"""Dates in a feed's own date fields that feedparser reads wrong or not at all (pure).

feedparser reads RFC 822 and ISO 8601 dates, but a named zone it does not know counts as UTC
("… 10:00:00 MSK" came out 3 h late), and Russian or numeric European dates ("Ср, 02 дек 2026
10:00:00 +0300", "2 декабря 2026 г.", "02.12.2026 10:00:00") are not read at all, so the item
fell back to its fetch time. `feed_date` reads those; a date from the feed's own field still
beats one found in the text, and both beat the fetch time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from bot.dates import _ru_month

# Named zones as used by feeds of the region and its neighbours (standard time; the summer
# names carry their own offsets).
ZONES = {
    "UTC": 0, "GMT": 0, "UT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2,
    "EET": 2, "EEST": 3, "MSK": 3, "MSD": 4, "SAMT": 4, "GET": 4, "AMT": 4, "AZT": 4,
    "YEKT": 5, "UZT": 5, "TJT": 5, "TMT": 5, "ALMT": 5, "KGT": 6, "OMST": 6, "NOVT": 7,
    "KRAT": 7, "IRKT": 8, "YAKT": 9, "VLAT": 10, "MAGT": 11, "PETT": 12,
}  # fmt: skip
_EN_MONTHS = dict(zip(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                       "nov", "dec"), range(1, 13), strict=True))  # fmt: skip
# Abbreviated Russian months of RSS dates ("02 дек 2026"); full forms go to bot.dates.
_RU_SHORT = dict(zip(("янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт",
                      "ноя", "дек"), range(1, 13), strict=True))  # fmt: skip
_TIME = r"(?:,?\s*(?:в\s+)?(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?)?"
_ZONE = r"(?:\s*(?P<zone>[+-]\d{2}:?\d{2}|[A-Za-z]{1,5}))?"
_WORDY = re.compile(
    r"^\s*(?:[^\W\d_]{2,3}\.?,?\s+)?(?P<d>\d{1,2})\s+(?P<mon>[^\W\d_]+)\.?,?\s+(?P<y>\d{4})"
    r"(?:\s*г(?:ода|\.)?)?" + _TIME + _ZONE + r"\s*$"
)
_NUMERIC = re.compile(
    r"^\s*(?P<d>\d{1,2})\.(?P<mo>\d{1,2})\.(?P<y>\d{4})" + _TIME + _ZONE + r"\s*$"
)


def named_zone(value: str) -> str | None:
    """The named zone a date string ends with, when feedparser would not know it."""
    match = re.search(r"\s([A-Za-z]{2,5})\s*$", value)
    if match is None:
        return None
    zone = match.group(1).upper()
    return zone if zone in ZONES and zone not in ("UTC", "GMT", "UT", "Z") else None


def feed_date(value: str) -> datetime | None:
    """The moment a date string names, in UTC; None when it is not one of the forms above."""
    for pattern in (_WORDY, _NUMERIC):
        match = pattern.match(value)
        if match is None:
            continue
        groups = match.groupdict()
        if "mon" in groups and groups["mon"] is not None:
            word = groups["mon"].lower()
            if word.isascii():
                month = _EN_MONTHS.get(word[:3])
            else:
                month = _ru_month(word) or _RU_SHORT.get(word[:3] if word != "май" else "мая")
        else:
            month = int(groups["mo"])
        offset = _offset(groups.get("zone"))
        if month is None or offset is None:
            return None
        try:
            local = datetime(
                int(groups["y"]), month, int(groups["d"]), int(groups["h"] or 0),
                int(groups["mi"] or 0), min(int(groups["s"] or 0), 59),
                tzinfo=timezone(timedelta(hours=offset)),
            )  # fmt: skip
        except ValueError:
            return None
        return local.astimezone(UTC)
    return None


def _offset(zone: str | None) -> float | None:
    """Hours east of UTC of a zone (+0300, +03:00, MSK); UTC when none is given."""
    if not zone:
        return 0.0
    if zone[0] in "+-":
        digits = zone[1:].replace(":", "")
        hours = int(digits[:2]) + int(digits[2:]) / 60
        return hours if zone[0] == "+" else -hours
    named = ZONES.get(zone.upper())
    return None if named is None else float(named)
