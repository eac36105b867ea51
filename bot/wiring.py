"""The one place that turns settings into live objects (engine, rules, feeds, pipeline)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import overload

import httpx
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.matching import RuleSet, load_rules
from bot.models import FeedConfig
from bot.pipeline import Pipeline
from bot.sources.feedlist import load_feeds
from bot.sources.parse_pool import ParsePool
from storage import make_engine, upgrade

log = logging.getLogger(__name__)


def open_store(settings: Settings, *, isolated: bool = False) -> Engine:
    """Engine for `DATABASE_URL`, migrated to the latest schema (`isolated`: by a child
    process, so that a long-running process never loads the migration tooling)."""
    engine = make_engine(settings.database_url)
    upgrade(engine, isolated=isolated)
    return engine


def feed_list(settings: Settings) -> list[FeedConfig]:
    """Feeds from `GEOALERT_FEEDS`; a missing file means no feeds (with a warning)."""
    if not settings.feeds_file.exists():
        log.warning("feeds file not found path=%s; polling no feeds", settings.feeds_file)
        return []
    return load_feeds(settings.feeds_file)


class FeedBook(Sequence[FeedConfig]):
    """The live feed list: the pipeline polls it, the sender reads its provenance tags, and
    `/addfeed` or `/removefeed` replace its contents (a poll works on a snapshot)."""

    def __init__(self, feeds: Iterable[FeedConfig]) -> None:
        self._feeds = tuple(feeds)

    @overload
    def __getitem__(self, index: int) -> FeedConfig: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[FeedConfig]: ...
    def __getitem__(self, index: int | slice) -> FeedConfig | Sequence[FeedConfig]:
        return self._feeds[index]

    def __len__(self) -> int:
        return len(self._feeds)

    def __iter__(self) -> Iterator[FeedConfig]:
        return iter(self._feeds)

    def replace(self, feeds: Iterable[FeedConfig]) -> None:
        self._feeds = tuple(feeds)

    def tags(self) -> dict[str, tuple[str, ...]]:
        """Provenance tags per feed URL, from feeds.yaml."""
        return {feed.url: feed.tags for feed in self._feeds}


def build_pipeline(
    settings: Settings,
    engine: Engine,
    rules: Callable[[], RuleSet],
    http: httpx.AsyncClient | None,
    *,
    feeds: Sequence[FeedConfig] | None = None,
    on_alerts: Callable[[], None] | None = None,
    parsers: ParsePool | None = None,
) -> Pipeline:
    """A pipeline over the configured corpus and feeds (and `parsers`, when already started)."""
    seeds = settings.seeds_dir if settings.seeds_dir.exists() else None
    if seeds is None:
        log.warning("seed corpus not found dir=%s; skipping it", settings.seeds_dir)
    return Pipeline(
        engine=engine,
        rules=rules,
        seeds_dir=seeds,
        feeds=feed_list(settings) if feeds is None else feeds,
        http=http,
        poll_interval=settings.poll_interval,
        max_feed_bytes=settings.max_feed_bytes,
        max_feed_items=settings.max_feed_items,
        allow_private=settings.allow_private_feeds,
        pause_after=settings.feed_pause_after,
        parse_workers=settings.parse_workers,
        on_alerts=on_alerts,
        parsers=parsers,
    )


def initial_rules(settings: Settings) -> RuleSet:
    """Rules from `GEOALERT_RULES_DIR`; errors propagate as `RuleError` (`file:line: reason`)."""
    return load_rules(settings.rules_dir)
