"""Plain records the facade answers with (the ORM rows never leave `storage/`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.matching import RematchChange
from bot.models import Item, StoredMatch
from storage.feeds import FeedStatus

__all__ = [
    "DigestSettings",
    "FeedStatus",
    "RematchReport",
    "SourceView",
    "StatusReport",
    "StoryEntry",
    "TopicsOverview",
]


@dataclass(frozen=True, slots=True)
class StoryEntry:
    """One story in a list: its newest matched report and how many reports it has."""

    match: StoredMatch
    sources: int  # matched reports of the story in the list (1 = only this one)


@dataclass(frozen=True, slots=True)
class SourceView:
    """An item with its evidence, and every member of its story (earliest first)."""

    match: StoredMatch
    story: tuple[Item, ...]  # empty when the item is in no story


@dataclass(frozen=True, slots=True)
class TopicsOverview:
    """Per topic: matches in the last 7 and 30 days, and this chat's subscriptions."""

    week: dict[str, int]
    month: dict[str, int]
    subscribed: frozenset[str]


@dataclass(frozen=True, slots=True)
class DigestSettings:
    """A chat's daily digest: local time ("HH:MM", None = instant alerts) and UTC offset."""

    time: str | None
    offset_minutes: int


@dataclass(frozen=True, slots=True)
class StatusReport:
    """What /status shows about the store."""

    feeds: tuple[FeedStatus, ...]
    items: int
    matches: int
    backlog: int  # outbox rows still to send
    database_size: str  # human-readable ("12.3 MB", or "unknown")
    # topic → (relevant, not relevant) chat views of the last 30 days of verdicts
    precision: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RematchReport:
    """Stored items whose topics change under the current rules (`geoalert rules apply`)."""

    changes: tuple[RematchChange, ...]
    stored: bool  # False for a dry run: nothing was written
    at: datetime

    @property
    def added(self) -> int:
        return sum(len(c.added) for c in self.changes)

    @property
    def removed(self) -> int:
        return sum(len(c.removed) for c in self.changes)
