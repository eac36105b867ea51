"""The day a report says its event happened (pure).

Wire copy dates its event by the weekday: "The European Commission proposed on Tuesday…",
"Russia said Friday it would…", "Госдума в среду ратифицировала…". Read against the time the
report was published, the weekday names a calendar day, in both languages alike. Two reports
naming different days tell two events however much they share: the assembly's vote on Tuesday
and the expulsion on Wednesday, a decree on Saturday and the protests against it on Sunday
(`bot.stories.similarity.OTHER_DAY`).

Only the first weekday named in the headline or the lead counts, and only when it is the day the
report was published or the day before (in UTC, as `published` is): a weekday further from it is
mostly what is still to come ("the session opens on Monday", "EU ambassadors begin discussing
the text on Wednesday") or background, not the event.
"""

from __future__ import annotations

import re
from datetime import datetime

_ENGLISH = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# the forms "в …" takes (accusative): "в понедельник", "во вторник", "в среду"…
_RUSSIAN = ("понедельник", "вторник", "среду", "четверг", "пятницу", "субботу", "воскресенье")
_WEEKDAYS = {name: i for names in (_ENGLISH, _RUSSIAN) for i, name in enumerate(names)}
_WEEKDAY = re.compile(r"\b(" + "|".join(_WEEKDAYS) + r")\b", re.IGNORECASE)
MAX_DAYS_BACK = 1  # the publication day or the day before


def event_day(title: str, lead: str, published: datetime | None) -> int:
    """The day (`date.toordinal()`) the first weekday in `title` or `lead` names, counting back
    from `published`, when it is at most `MAX_DAYS_BACK` days back; 0 when no weekday is named,
    the first one is further back, or the publication time is unknown."""
    if published is None:
        return 0
    found = _WEEKDAY.search(title) or _WEEKDAY.search(lead)
    if found is None:
        return 0
    day = published.date()
    back = (day.weekday() - _WEEKDAYS[found[1].lower()]) % 7
    return day.toordinal() - back if back <= MAX_DAYS_BACK else 0
