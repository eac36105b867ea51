"""One transaction of a poll: the new items of one or more feeds, their matches, stories and
alerts, and the feeds' fetch states. Feeds that finish while a transaction runs are stored
together in the next one (the pipeline's group commit): one commit, one story re-clustering
and one alert enqueueing for the lot instead of one per feed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from bot.dates import with_text_dates
from bot.errors import RuleError
from bot.matching import RuleSet
from bot.models import FetchResult, Item, StoredMatch, TopicMatch
from bot.poll_report import PollReport
from bot.stories import Fingerprint, StoryCache, assign_stories
from bot.watches import Watch, compile_watches
from storage import items as item_store
from storage import outbox
from storage import stories as story_store
from storage.feeds import record_fetch
from storage.watches import active_watches

log = logging.getLogger("bot.pipeline")

Batch = Sequence[tuple[list[Item], FetchResult | None]]  # each feed's items and its fetch


@dataclass
class WatchCache:
    """The personal watches compiled into rules, recompiled only when they changed."""

    _cached: tuple[tuple[Watch, ...], RuleSet | None, dict[str, Watch]] = field(
        default_factory=lambda: ((), None, {})
    )

    def rules(self, session: Session, now: datetime) -> tuple[RuleSet | None, dict[str, Watch]]:
        watches = tuple(active_watches(session, created_before=now))
        cached, rules, watch_of = self._cached
        if watches == cached:
            return rules, watch_of
        if not watches:
            self._cached = (watches, None, {})
            return None, {}
        try:
            rules, watch_of = compile_watches(watches)
        except RuleError as exc:  # validated when saved, so only a changed syntax gets here
            log.error("personal watches not compiled reason=%s", exc)
            rules, watch_of = None, {}
        self._cached = (watches, rules, watch_of)
        return rules, watch_of


def store_batch(
    session: Session,
    batch: Batch,
    *,
    ruleset: RuleSet,
    now: datetime,
    stories: StoryCache,
    watches: WatchCache,
    pause_after: int,
    interval: int,
) -> PollReport:
    """Store `batch` in `session` (the caller's transaction); what it did."""
    report = PollReport()
    fresh: list[Item] = []
    early: dict[str, Sequence[TopicMatch]] = {}  # matched where the feed was parsed
    unmatched: set[str] = set()  # items of feeds parsed here, matched below
    prints: dict[str, bytes] = {}
    for items, fetch in batch:
        if fetch is not None:
            event = record_fetch(session, fetch, now=now, pause_after=pause_after,
                                 interval=interval)  # fmt: skip
            if event is not None:
                report.feed_events.append(event)
            prints.update(fetch.fingerprints)
        new = item_store.add_new_items(session, with_text_dates(items, now))
        fresh.extend(new)
        if fetch is not None and fetch.matches is not None:
            early.update(fetch.matches)
        else:
            unmatched.update(item.id for item in new)
    report.new_items = len(fresh)
    watch_rules, watch_of = watches.rules(session, now)
    instant = frozenset(t.id for t in ruleset.topics if t.priority == "high")
    matched: dict[str, Sequence[TopicMatch]] = {}
    watched: set[str] = set()
    for item in fresh:
        if watch_rules is not None and _enqueue_watches(
            session, item, watch_rules, watch_of, now, report
        ):
            watched.add(item.id)
        if item.id in unmatched:
            topics: Sequence[TopicMatch] = ruleset.match(item.title, item.text, item.language)
        else:
            topics = early.get(item.id, ())
        if topics:
            matched[item.id] = topics
    # Stories group the items someone is alerted about: a topic's or a watch's.
    storied = [item for item in fresh if item.id in matched or item.id in watched]
    assign_stories(
        story_store.StoryRows(session), storied, now=now, cache=stories,
        fingerprints={i.id: Fingerprint.from_bytes(prints[i.id]) for i in storied
                      if i.id in prints},
    )  # fmt: skip
    stored = item_store.add_matches_many(session, matched, now=now)
    report.alerts_queued += outbox.enqueue_alerts_many(
        session, [(i, [m.topic for m in new]) for i, new in stored.items() if new],
        now=now, instant_topics=instant,
    )  # fmt: skip
    report.new_matches.extend(
        StoredMatch(item, tuple(stored[item.id]), now) for item in fresh if item.id in stored
    )
    return report


def _enqueue_watches(
    session: Session,
    item: Item,
    rules: RuleSet,
    watch_of: dict[str, Watch],
    now: datetime,
    report: PollReport,
) -> bool:
    """Queue the item's alerts for the personal watches it matches; whether it matched one."""
    hits = rules.match(item.title, item.text, item.language)
    for hit in hits:
        watch = watch_of[hit.topic]
        report.alerts_queued += outbox.enqueue_direct(
            session, watch.chat_id, item.id, [f"watch_{watch.name}"],
            thread_id=watch.thread_id, now=now,
        )  # fmt: skip
    return bool(hits)
