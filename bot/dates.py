"""Publication dates found in an item's text, for items whose feed gave none (pure).

Recognised, in English and Russian:

* ISO dates: `2022-04-25`, `2022-04-25T10:00:00Z`;
* written dates: `Monday, April 25, 2022`, `April 25, 2022`, `25 April 2022`, `Apr. 25, 2022`,
  `25 апреля 2022 г.`, `понедельник, 25 апреля 2022 года`;
* numeric dates with dots, day first: `24.07.22`, `24.07.2022`; with slashes only when the order
  is unambiguous (`07/24/2022`, `24/07/2022`; not `05/06/2022`).

Where a date sits says how much it means: a date on its own line or at the end of the headline
line in the *header* (the first `HEADER_LINES` non-blank lines) is a publication date; a date in
the body is more often an event the article recalls. So header dates give high confidence, a
body date only a low one (and only when it is the sole date in the text). Two different dates
in the header are ambiguous → None. A weekday that contradicts its date, an impossible day or a
date after `not_after` is discarded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from bot.models import Item

HEADER_LINES = 3
MIN_YEAR = 1990

_MONTHS_EN = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}


def _names(words: str) -> list[str]:
    """A list from a whitespace-separated word list (keeps the tables readable)."""
    return words.split()


_MONTHS_RU = {
    stem: number
    for number, stem in enumerate(
        _names("январ феврал март апрел ма июн июл август сентябр октябр ноябр декабр"), start=1
    )
}
_WEEKDAYS = {
    **{
        d: i
        for i, d in enumerate(_names("monday tuesday wednesday thursday friday saturday sunday"))
    },
    **{d: i for i, d in enumerate(_names("mon tue wed thu fri sat sun"))},
    **{
        d: i
        for i, d in enumerate(
            _names("понедельник вторник среда четверг пятница суббота воскресенье")
        )
    },
    "среду": 2,
    "пятницу": 4,
    "субботу": 5,
}

_EN_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_RU_MONTH = rf"(?P<month>(?:{'|'.join(_MONTHS_RU)})[а-я]{{0,3}})"
_WEEKDAY = rf"(?:(?P<weekday>{'|'.join(sorted(_WEEKDAYS, key=len, reverse=True))})\.?,?\s+)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"

_PATTERNS: tuple[tuple[str, re.Pattern[str], float], ...] = (
    ("iso", re.compile(rf"(?<![\d.]){_YEAR}-(?P<mon>[01]\d)-(?P<day>[0-3]\d)(?![\d])"), 0.95),
    (
        "en_mdy",
        re.compile(
            rf"\b{_WEEKDAY}{_EN_MONTH}\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?,?\s+{_YEAR}\b", re.I
        ),
        0.9,
    ),
    (
        "en_dmy",
        re.compile(
            rf"\b{_WEEKDAY}(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+{_EN_MONTH},?\s+{_YEAR}\b", re.I
        ),
        0.9,
    ),
    (
        "ru",
        re.compile(
            rf"(?<![\w.]){_WEEKDAY}(?P<day>[0-3]?\d)\s+{_RU_MONTH}\s+{_YEAR}(?:\s*(?:г\.|года?))?",
            re.IGNORECASE,
        ),
        0.9,
    ),
    (
        "dots",
        re.compile(
            r"(?<![\d.])(?:(?P<day>[0-3]?\d)\.(?P<mon>[01]?\d)\.(?P<year>(?:19|20)\d\d)"
            r"|(?P<day2>[0-3]\d)\.(?P<mon2>[01]\d)\.(?P<year2>\d\d))(?!\d|\.\d)"
        ),
        0.8,
    ),
    (
        "slashes",
        re.compile(r"(?<![\d/])(?P<a>[0-3]?\d)/(?P<b>[0-3]?\d)/(?P<year>(?:19|20)\d\d)(?![\d/])"),
        0.8,
    ),
)

_BODY_CONFIDENCE = 0.3  # a lone date in the body: a guess, callers should want more
_OWN_LINE_BONUS = 0.05


@dataclass(frozen=True, slots=True)
class DateGuess:
    """A publication date read from text, how sure we are (0..1) and the text it came from."""

    date: date
    confidence: float
    evidence: str


def extract_date(text: str, *, not_after: datetime | date | None = None) -> DateGuess | None:
    """The publication date stated in `text` (headline line first), or None when there is none
    or the header states two different dates."""
    limit = not_after.date() if isinstance(not_after, datetime) else not_after
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    header = [g for line in lines[:HEADER_LINES] for g in _dates_in_line(line, limit, header=True)]
    distinct = {g.date for g in header}
    if len(distinct) == 1:
        return max(header, key=lambda g: g.confidence)
    if len(distinct) > 1:
        return None
    body = [g for line in lines[HEADER_LINES:] for g in _dates_in_line(line, limit, header=False)]
    if len({g.date for g in body}) == 1:
        return body[0]
    return None


def _dates_in_line(line: str, limit: date | None, *, header: bool) -> list[DateGuess]:
    found: list[DateGuess] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern, confidence in _PATTERNS:
        for match in pattern.finditer(line):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue  # "2022-04-25" is not also read as a dotted or slashed date
            value = _to_date(kind, match)
            if value is None or value.year < MIN_YEAR or (limit is not None and value > limit):
                continue
            taken.append(match.span())
            score = confidence if header else _BODY_CONFIDENCE
            rest = (line[: match.start()] + line[match.end() :]).strip(" -–—|,.()[]")
            if header and (not rest or line.rstrip(" .)]").endswith(match.group().rstrip(" ."))):
                score = min(1.0, score + _OWN_LINE_BONUS)  # own line, or ends the headline line
            found.append(DateGuess(value, round(score, 2), match.group().strip()))
    return found


def _to_date(kind: str, match: re.Match[str]) -> date | None:
    """The date a pattern matched, or None when impossible or self-contradictory."""
    groups = {k.rstrip("2"): v for k, v in match.groupdict().items() if v is not None}
    year = int(groups["year"])
    if year < 100:
        year += 2000 if year < 70 else 1900
    if kind in ("iso", "dots"):
        month, day = int(groups["mon"]), int(groups["day"])
    elif kind == "slashes":
        a, b = int(groups["a"]), int(groups["b"])
        if a <= 12 and b <= 12 and a != b:
            return None  # 05/06/2022: May 6 or 5 June
        month, day = (a, b) if b > 12 else (b, a)
    else:
        month_name = groups["month"].lower()
        named = _MONTHS_EN.get(month_name) if kind.startswith("en") else _ru_month(month_name)
        if named is None:
            return None
        month, day = named, int(groups["day"])
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    weekday = (groups.get("weekday") or "").lower()
    if weekday in _WEEKDAYS and _WEEKDAYS[weekday] != value.weekday():
        return None
    return value


def _ru_month(word: str) -> int | None:
    """The month of a Russian month word in any case ("апреля", "мая", "март")."""
    for stem, number in sorted(_MONTHS_RU.items(), key=lambda kv: -len(kv[0])):
        if word.startswith(stem) and (stem != "ма" or word in ("май", "мая", "мае", "маю")):
            return number
    return None


TEXT_DATE_CONFIDENCE = 0.8  # how sure a date read from an item's own text must be


def with_text_dates(items: list[Item], now: datetime) -> list[Item]:
    """Items whose feed gave no date take one from their own text when it is unambiguous."""
    dated = []
    for item in items:
        if not item.dated:
            guess = extract_date(f"{item.title}\n{item.text[:2000]}", not_after=now)
            if guess is not None and guess.confidence >= TEXT_DATE_CONFIDENCE:
                published = datetime.combine(guess.date, datetime.min.time(), tzinfo=UTC)
                item = replace(item, published=published, published_origin="text")
        dated.append(item)
    return dated
