"""`Geoalert`: every question and command of the CLI and the bot, one method each.

Like reader's `make_reader()` → `Reader`, one factory (`make_geoalert`) builds one object that
owns the units of work: each method opens its own session (a read, or a transaction committed
on success and rolled back on error) and returns plain records, never ORM rows. The methods
are synchronous and blocking; the bot calls them through `asyncio.to_thread`
(`BotContext.call`), the CLI calls them directly.

Each method calls today's storage functions for one question, so a change inside `storage/`
touches the facade only. The class is assembled from parts by concern: `base` (units of work,
topics), `chats` (subscriptions, watches, digests), `admin` (feeds, status, maintenance),
`feedback` (verdicts on alerts) and the reading questions here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from functools import partial

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.matching import RuleSet, load_rules
from bot.models import StoredMatch
from bot.pipeline import Pipeline
from bot.search_query import search_query
from bot.service.admin import AdminMixin
from bot.service.base import now_or
from bot.service.chats import ChatsMixin
from bot.service.feedback import FeedbackMixin
from bot.service.records import SourceView, StoryEntry
from bot.timeline import TimelineMonth, build_timeline, one_per_story
from bot.trend_report import TrendReport, topic_trend
from storage.items import get_item, matched_items
from storage.search import search_items
from storage.stories import stories_of, story_members, story_of

LATEST_SCAN = 4  # /latest reads this many times N matches, so N stories remain after merging


class Geoalert(ChatsMixin, AdminMixin, FeedbackMixin):
    """The facade over the store, the rules and the feed list."""

    def latest(self, topic_id: str | None, count: int) -> list[StoryEntry]:
        """The `count` newest stories (of `topic_id`, or of every topic), one entry each."""

        def query(s: Session) -> tuple[list[StoredMatch], dict[str, int]]:
            found = matched_items(s, topic=topic_id, limit=count * LATEST_SCAN)
            return found, stories_of(s, [m.item.id for m in found])

        found, story_ids = self.read(query)
        return [StoryEntry(m, n) for m, n in one_per_story(found, story_ids)[:count]]

    def timeline(
        self,
        topic_id: str,
        *,
        limit: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[TimelineMonth]:
        """The chronology of a topic's stories from its `limit` newest matches (all: None)."""

        def query(s: Session) -> tuple[list[StoredMatch], dict[str, int]]:
            found = matched_items(s, topic=topic_id, newest_first=True, limit=limit)
            return found, stories_of(s, [m.item.id for m in found])

        found, story_ids = self.read(query)
        return build_timeline(found, story_of=story_ids, since=since, until=until)

    def source(self, item_id: str) -> SourceView | None:
        """An item, its evidence and its story; None when no item has this id."""

        def query(s: Session) -> SourceView | None:
            found = get_item(s, item_id)
            if found is None:
                return None
            story_id = story_of(s, item_id)
            return SourceView(found, tuple(story_members(s, story_id)) if story_id else ())

        return self.read(query)

    def search(self, query: str, *, limit: int = 10) -> list[StoredMatch]:
        """Full-text search over stored items, newest first."""
        prepared = search_query(query)
        return self.read(lambda s: search_items(s, prepared, limit=limit))

    def trend(self, topic_id: str, *, weeks: int, now: datetime | None = None) -> TrendReport:
        """Stories per week of a topic, with its spikes."""
        return self.read(lambda s: topic_trend(s, topic_id, weeks=weeks, now=now_or(now)))


def make_geoalert(
    settings: Settings,
    *,
    rules: Callable[[], RuleSet] | None = None,
    engine: Engine | None = None,
    pipeline: Pipeline | None = None,
) -> Geoalert:
    """The facade for `settings`: rules from `GEOALERT_RULES_DIR` (read on first use) unless a
    live holder is given; the store opened (and migrated) on first use unless an engine is
    given. So `geoalert feeds import` needs neither valid rules nor a database."""
    if rules is None:
        rules = functools.cache(partial(load_rules, settings.rules_dir))
    return Geoalert(settings, rules, engine=engine, pipeline=pipeline)
