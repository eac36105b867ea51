"""Plain, immutable domain records that cross layer boundaries (no I/O, no ORM)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

# How an item's published date was established, shown in /source.
DateOrigin = Literal["feed", "metadata", "text", "fetched"]
# …and the origins that give no publication time: only the time the item was fetched.
UNDATED_ORIGINS: frozenset[str] = frozenset({"fetched"})


def make_item_id(source: str, key: str) -> str:
    """Stable 12-hex-digit id for an item: the same (source, key) always gives the same id.

    `source` is the feed URL or "corpus"; `key` is the guid, else the canonical link, else a
    content hash. Short enough to type after /source.
    """
    return hashlib.sha256(f"{source}\x00{key}".encode()).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Item:
    """One normalised news item, from a feed or from the seed corpus."""

    id: str
    source: str  # feed URL, or "corpus"
    source_name: str  # feed name from feeds.yaml, or "seed corpus"
    key: str  # guid / canonical link / content hash the id was made from
    title: str
    text: str  # plain text: HTML stripped, entities decoded
    link: str | None
    publisher: str
    language: str | None  # ISO 639-1 ("en", "ru") when known
    published: datetime  # timezone-aware UTC
    published_origin: DateOrigin
    fetched: datetime  # timezone-aware UTC
    source_ref: str = ""  # corpus file name, or the feed URL

    @property
    def dated(self) -> bool:
        """Whether the feed, the page or the text gave the publication time, not the fetch."""
        return self.published_origin not in UNDATED_ORIGINS


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a topic matched an item: matched terms, score vs threshold, a snippet."""

    terms: tuple[str, ...]
    snippet: str
    score: float = 1.0
    threshold: float = 1.0
    clauses: tuple[str, ...] = ()  # human-readable clause descriptions that fired


@dataclass(frozen=True, slots=True)
class TopicMatch:
    """One topic that matched an item, with its evidence."""

    topic: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Topic:
    """A watched topic as declared by a rule file (names in several languages)."""

    id: str
    name: dict[str, str] = field(default_factory=dict)  # lang -> name
    description: dict[str, str] = field(default_factory=dict)  # lang -> description
    source_file: str = ""
    priority: str = "normal"  # "high": instant even for chats on a daily digest

    def label(self, lang: str = "en") -> str:
        return self.name.get(lang) or self.name.get("en") or self.id

    def describe(self, lang: str = "en") -> str:
        return self.description.get(lang) or self.description.get("en") or ""


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """One feed as listed in feeds.yaml."""

    url: str
    name: str
    interval: int | None = None  # seconds; None = the global poll interval
    language: str | None = None
    tags: tuple[str, ...] = ()  # provenance: wire, state media, independent, official…


@dataclass(frozen=True, slots=True)
class FetchState:
    """What we remember about a feed between polls, for conditional GET."""

    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """The outcome of polling one feed: new items, new fetch state, or an error."""

    feed: FeedConfig
    items: tuple[Item, ...] = ()
    state: FetchState = FetchState()
    not_modified: bool = False
    error: str | None = None  # one line: the reason, when the feed is unusable
    status: int | None = None
    retry_after: float | None = None
    # Story fingerprints (item id, bytes), computed where the feed was parsed — a parse
    # process — so the CPU work is spread over the cores.
    fingerprints: tuple[tuple[str, bytes], ...] = ()
    # (item id, topic matches) for the items that matched, when the items were matched where
    # they were parsed; None when they were not matched yet.
    matches: tuple[tuple[str, tuple[TopicMatch, ...]], ...] | None = None


@dataclass(frozen=True, slots=True)
class StoredMatch:
    """An item as read back from the store, with every topic it matched."""

    item: Item
    topics: tuple[TopicMatch, ...]
    matched_at: datetime

    @property
    def topic_ids(self) -> tuple[str, ...]:
        return tuple(t.topic for t in self.topics)


@dataclass(frozen=True, slots=True)
class Watch:
    """One chat's personal watch, as stored (`bot.watches` validates and compiles it)."""

    chat_id: int
    name: str
    query: str  # the terms as the user wrote them, comma-separated
    thread_id: int = 0  # forum topic the alerts go to (0: the chat itself)


@dataclass(frozen=True, slots=True)
class Spike:
    """A day on which a topic's volume jumped well above its own recent baseline."""

    topic: str
    day: date
    count: int
    baseline: float  # mean daily count over the baseline window before `day`
    factor: float  # count / max(baseline, 1 / baseline_days)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A user's search, prepared by `bot.search_query` for the database's full-text index."""

    words: tuple[str, ...]  # lower-cased, `ё` → `е`, unique, at most 12 (PostgreSQL's input)
    fts5: str  # SQLite FTS5 MATCH expression: every word required, each quoted


@dataclass(frozen=True, slots=True)
class StoryMember:
    """A story member as stored, read back for story assignment (`bot.stories`)."""

    story_id: int
    fingerprint: bytes  # `bot.stories.Fingerprint.to_bytes()`
    published: datetime
    added_at: datetime  # when it joined: members of the current poll do not weigh terms
    item_id: str


@dataclass(frozen=True, slots=True)
class StoryJoin:
    """One item joining a story, as decided by `bot.stories.assign_stories`."""

    item: Item
    story_key: int  # a stored story id, or a temporary key from `StoryPlan.new_keys`
    fingerprint: bytes


@dataclass(frozen=True, slots=True)
class StoryLead:
    """A new story that only stored members move into (a re-clustering split their story)."""

    story_key: int  # temporary
    item_id: str  # its earliest member
    published: datetime
    fingerprint: bytes


@dataclass(frozen=True, slots=True)
class StoryPlan:
    """The story decisions of one batch of items, for the store to persist in a few statements.

    The store creates the stories of `new_keys` (in that order) and of `founded`, and returns
    temporary key → stored id; `relocated` members move to the given story, and stories left
    without members are deleted.
    """

    joins: tuple[StoryJoin, ...]  # new members, oldest first
    new_keys: tuple[int, ...]  # temporary keys of the stories to create
    relocated: dict[str, int]  # stored member's item id → story key it moves to
    now: datetime
    founded: tuple[StoryLead, ...] = ()  # new stories with no member in `joins`


@dataclass(frozen=True, slots=True)
class VerdictTally:
    """The verdicts of one chat on one alert for one topic: one per user (a private chat has
    one user, a group as many as tapped)."""

    relevant: int = 0
    not_relevant: int = 0

    @property
    def view(self) -> bool | None:
        """The chat's view, its majority: True relevant, False not relevant, None when no one
        judged or the votes are tied (a tie counts for neither side anywhere)."""
        if self.relevant == self.not_relevant:
            return None
        return self.relevant > self.not_relevant
