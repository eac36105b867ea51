"""The chronology of a topic: dated entries, oldest first, grouped by month (pure)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.models import StoredMatch
from bot.text import collapse_ws, truncate_words

GIST_CHARS = 160


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One dated line of a timeline: a story (one event, however many outlets reported it)."""

    date: datetime  # the event date: the earliest reliable published date of its items
    estimated: bool  # no item had a reliable date: the fetch time stands in
    gist: str
    publisher: str  # who reported it first
    item_id: str  # the first report, for /source
    link: str | None
    sources: tuple[str, ...] = ()  # every outlet that reported it, earliest first
    item_ids: tuple[str, ...] = ()  # every report of the story, earliest first
    story_id: int | None = None  # the stored story (one event across topics), if any


@dataclass(frozen=True, slots=True)
class TimelineMonth:
    """Entries of one calendar month, oldest first."""

    label: str  # "2022-01"
    entries: tuple[TimelineEntry, ...]


def gist(title: str, limit: int = GIST_CHARS) -> str:
    """A one-line gist: the title, whitespace collapsed, cut on a word boundary."""
    return truncate_words(collapse_ws(title), limit)


def group_by_story(
    matches: Iterable[StoredMatch], story_of: Mapping[str, int]
) -> dict[int | str, list[StoredMatch]]:
    """Matches grouped by story, in order of first appearance: one key per story id, or the
    item's own id for an item in no story. The one "one entry per story" rule of the bot."""
    stories: dict[int | str, list[StoredMatch]] = {}
    for m in matches:
        stories.setdefault(story_of.get(m.item.id, m.item.id), []).append(m)
    return stories


def one_per_story(
    matches: Iterable[StoredMatch], story_of: Mapping[str, int]
) -> list[tuple[StoredMatch, int]]:
    """Stories, not copies: the first match of each story, with how many matches report it."""
    return [(members[0], len(members)) for members in group_by_story(matches, story_of).values()]


def _entry(members: list[StoredMatch], story_id: int | None = None) -> TimelineEntry:
    reliable = [m for m in members if m.item.dated]
    ordered = sorted(reliable or members, key=lambda m: (m.item.published, m.item.id))
    first = ordered[0]
    in_order = sorted(members, key=lambda m: (m.item.published, m.item.id))
    publishers = list(dict.fromkeys(m.item.publisher for m in in_order))
    return TimelineEntry(
        date=first.item.published,
        estimated=not reliable,
        gist=gist(first.item.title),
        publisher=first.item.publisher,
        item_id=first.item.id,
        link=first.item.link,
        sources=tuple(publishers),
        item_ids=tuple(dict.fromkeys(m.item.id for m in in_order)),
        story_id=story_id,
    )


def build_timeline(
    matches: list[StoredMatch],
    *,
    story_of: Mapping[str, int] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[TimelineMonth]:
    """Group matched items into stories (when `story_of` is given) and the stories by month of
    their event date, oldest first."""
    stories = group_by_story(matches, story_of or {})
    entries = [
        _entry(members, key if isinstance(key, int) else None) for key, members in stories.items()
    ]
    entries = [
        e
        for e in entries
        if (since is None or e.date >= since) and (until is None or e.date < until)
    ]
    entries.sort(key=lambda e: (e.date, e.item_id))
    months: dict[str, list[TimelineEntry]] = {}
    for e in entries:
        months.setdefault(e.date.strftime("%Y-%m"), []).append(e)
    return [TimelineMonth(label, tuple(items)) for label, items in months.items()]


def _also(e: TimelineEntry) -> str:
    return f" (+ {', '.join(e.sources[1:])})" if len(e.sources) > 1 else ""


def render_text(topic: str, months: list[TimelineMonth]) -> str:
    """Plain text for the console; `~` marks an estimated date."""
    if not months:
        return f"{topic}: no matches yet"
    lines = [f"Timeline: {topic}"]
    for month in months:
        lines.append("")
        lines.append(month.label)
        for e in month.entries:
            mark = "~" if e.estimated else " "
            lines.append(
                f" {mark}{e.date:%Y-%m-%d}  {e.gist} — {e.publisher}{_also(e)}  [{e.item_id}]"
            )
    return "\n".join(lines)


def render_markdown(topic: str, months: list[TimelineMonth]) -> str:
    """Markdown, for reports and wikis."""
    if not months:
        return f"# {topic}\n\nNo matches yet.\n"
    lines = [f"# Timeline: {topic}"]
    for month in months:
        lines += ["", f"## {month.label}", ""]
        for e in month.entries:
            title = f"[{e.gist}]({e.link})" if e.link else e.gist
            date = f"{e.date:%Y-%m-%d}" + (" (estimated)" if e.estimated else "")
            lines.append(f"- **{date}** {title} — {e.publisher}{_also(e)} `{e.item_id}`")
    return "\n".join(lines) + "\n"


def render_json(topic: str, months: list[TimelineMonth]) -> str:
    """JSON, for scripts: one object per entry, oldest first."""
    entries = [
        {
            "date": e.date.isoformat(),
            "estimated": e.estimated,
            "gist": e.gist,
            "publisher": e.publisher,
            "sources": list(e.sources),
            "id": e.item_id,
            "link": e.link,
            "items": list(e.item_ids),
            "story": e.story_id,
        }
        for month in months
        for e in month.entries
    ]
    return json.dumps({"topic": topic, "entries": entries}, ensure_ascii=False, indent=2)
