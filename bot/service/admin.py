"""The facade's admin side: the feed list, feed state, status, re-matching, pruning."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.matching import load_rules, rematch_diff
from bot.models import FeedConfig
from bot.service.base import Base, now_or
from bot.service.feedback import QUALITY_DAYS
from bot.service.records import FeedStatus, RematchReport, StatusReport
from bot.sources.feedlist import add_feeds, remove_feed
from bot.sources.netguard import check_host, check_url
from bot.stories import assign_stories
from bot.wiring import FeedBook, feed_list
from storage import outbox, verdicts
from storage.engine import session_scope
from storage.feeds import feed_statuses, retry_feeds
from storage.items import add_matches, iter_item_batches, remove_matches, stored_topics, totals
from storage.retention import prune_items
from storage.stats import database_size, human_bytes
from storage.stories import StoryRows


class AdminMixin(Base):
    """What administrators and the maintenance commands ask."""

    def feeds(self) -> list[FeedConfig]:
        """The feed list (the pipeline's, when polling)."""
        if self.pipeline is not None:
            return list(self.pipeline.feeds)
        if self._feeds is None:
            self._feeds = feed_list(self.settings)
        return self._feeds

    def feed_tags(self) -> dict[str, tuple[str, ...]]:
        """Provenance tags per feed URL, from feeds.yaml."""
        return {feed.url: feed.tags for feed in self.feeds()}

    def reload_feeds(self) -> list[FeedConfig]:
        """Read the feed list again; the pipeline polls the new list from its next poll."""
        feeds = feed_list(self.settings)
        self._feeds = feeds
        if self.pipeline is not None:
            live = self.pipeline.feeds
            if isinstance(live, FeedBook):  # the running bot's list: sender and poll share it
                live.replace(feeds)
            else:
                self.pipeline.feeds = feeds
        return feeds

    def add_feed(self, url: str, name: str) -> bool:
        """Check `url` (scheme, credentials, and every address its host resolves to) and
        append it to the feed list; False when it is listed already. Raises `FeedError` or
        `OSError`. Blocking: resolves the host on a private event loop of this thread."""
        allow = self.settings.allow_private_feeds
        check_url(url, allow_private=allow)
        asyncio.run(check_host(url, allow_private=allow))
        added = add_feeds(self.settings.feeds_file, [FeedConfig(url=url, name=name[:200])])
        if added:
            self.reload_feeds()
        return bool(added)

    def import_feeds(self, feeds: Sequence[FeedConfig]) -> list[FeedConfig]:
        """Append feeds (URLs checked as for /addfeed, without DNS); those newly listed."""
        for feed in feeds:
            check_url(feed.url, allow_private=self.settings.allow_private_feeds)
        added = add_feeds(self.settings.feeds_file, feeds)
        if added:
            self.reload_feeds()
        return added

    def remove_feed(self, url: str) -> FeedConfig | None:
        """Drop a feed from the list; the feed removed, or None when it was not listed."""
        removed = remove_feed(self.settings.feeds_file, url)
        if removed is not None:
            self.reload_feeds()
        return removed

    def retry_feeds(self, url: str | None = None) -> int:
        """Make failing or paused feeds (or the one at `url`) due at the next poll."""
        return self.write(lambda s: retry_feeds(s, url))

    def feed_statuses(self, now: datetime | None = None) -> list[FeedStatus]:
        pause_after = self.settings.feed_pause_after
        return self.read(lambda s: feed_statuses(s, now=now, pause_after=pause_after))

    def status(self, now: datetime | None = None) -> StatusReport:
        """Feeds, counts, outbox backlog, database size and per-topic verdicts of the last 30
        days, read in one session."""
        now, pause_after = now_or(now), self.settings.feed_pause_after

        def query(s: Session) -> StatusReport:
            feeds = feed_statuses(s, now=now, pause_after=pause_after)
            items, matches = totals(s)
            size = human_bytes(database_size(s))
            judged = verdicts.precision_counts(s, since=now - timedelta(days=QUALITY_DAYS))
            return StatusReport(tuple(feeds), items, matches, outbox.backlog(s), size, judged)

        return self.read(query)

    def rematch(self, *, dry_run: bool = False, now: datetime | None = None) -> RematchReport:
        """Re-match stored items with the rules read from disk now (no alerts are queued);
        a newly matched item joins a story, as it would have when polled."""
        rules, now = load_rules(self.settings.rules_dir), now_or(now)
        changes = []
        with session_scope(self.engine) as session:
            for batch in iter_item_batches(session):
                by_id = {item.id: item for item in batch}
                stored = stored_topics(session, list(by_id))
                rows = [(i.id, i.title, i.text, i.language) for i in batch]
                for change in rematch_diff(rules, rows, stored):
                    changes.append(change)
                    if dry_run:
                        continue
                    item = by_id[change.item_id]
                    fresh = [m for m in rules.match(item.title, item.text, item.language)
                             if m.topic in change.added]  # fmt: skip
                    add_matches(session, item.id, fresh, now=now)
                    remove_matches(session, item.id, change.removed)
                    if fresh:
                        assign_stories(StoryRows(session), [item], now=now)
            if dry_run:
                session.rollback()
        return RematchReport(tuple(changes), stored=not dry_run, at=now)

    def prune(self, now: datetime | None = None) -> tuple[int, datetime]:
        """Delete items older than the retention period that are neither matched nor alerted;
        (how many, the cut-off)."""
        cutoff = now_or(now) - timedelta(days=self.settings.retention_days)
        return self.write(lambda s: prune_items(s, older_than=cutoff)), cutoff
