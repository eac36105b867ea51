"""The chronology of a topic: dated entries, oldest first, grouped by month (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.models import StoredMatch
from bot.text import collapse_ws, truncate_words

GIST_CHARS = 160


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One dated line of a timeline."""

    date: datetime
    estimated: bool  # the date is the fetch time, not a published date
    gist: str
    publisher: str
    item_id: str
    link: str | None


@dataclass(frozen=True, slots=True)
class TimelineMonth:
    """Entries of one calendar month, oldest first."""

    label: str  # "2022-01"
    entries: tuple[TimelineEntry, ...]


def gist(title: str, limit: int = GIST_CHARS) -> str:
    """A one-line gist: the title, whitespace collapsed, cut on a word boundary."""
    return truncate_words(collapse_ws(title), limit)


def build_timeline(
    matches: list[StoredMatch], *, since: datetime | None = None, until: datetime | None = None
) -> list[TimelineMonth]:
    """Group matched items by month of publication, oldest first."""
    selected = [
        m
        for m in matches
        if (since is None or m.item.published >= since)
        and (until is None or m.item.published < until)
    ]
    selected.sort(key=lambda m: (m.item.published, m.item.id))
    months: dict[str, list[TimelineEntry]] = {}
    for m in selected:
        entry = TimelineEntry(
            date=m.item.published,
            estimated=m.item.published_origin == "fetched",
            gist=gist(m.item.title),
            publisher=m.item.publisher,
            item_id=m.item.id,
            link=m.item.link,
        )
        months.setdefault(m.item.published.strftime("%Y-%m"), []).append(entry)
    return [TimelineMonth(label, tuple(entries)) for label, entries in months.items()]


def render_text(topic: str, months: list[TimelineMonth]) -> str:
    """Plain-text rendering for the console."""
    if not months:
        return f"{topic}: no matches yet"
    lines = [f"Timeline: {topic}"]
    for month in months:
        lines.append("")
        lines.append(month.label)
        for e in month.entries:
            mark = "~" if e.estimated else " "
            lines.append(f" {mark}{e.date:%Y-%m-%d}  {e.gist} — {e.publisher}  [{e.item_id}]")
    return "\n".join(lines)
