"""One poll: sources → matcher → storage. Idempotent: polling twice stores nothing new."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot import poll_report
from bot.dates import with_text_dates
from bot.errors import CorpusError, DatabaseError, RuleError, StorageError
from bot.event_terms import lexicon
from bot.matching import RuleSet
from bot.models import FeedConfig, FetchResult, FetchState, Item, StoredMatch, TopicMatch
from bot.poll_report import PER_HOST_CONCURRENCY, FetchLimits, PollReport
from bot.search_indexer import SearchIndexer
from bot.sources.corpus import load_corpus
from bot.sources.fetch import fetch_feed
from bot.sources.parse_pool import ParsePool
from bot.stories import Fingerprint, StoryCache, assign_stories
from bot.watches import Watch, compile_watches
from storage import items as item_store
from storage import outbox
from storage import stories as story_store
from storage.engine import session_scope
from storage.feeds import poll_plan, record_fetch, record_fetches
from storage.leases import LeasePolicy, claim_feeds, ensure_feeds
from storage.watches import active_watches

log = logging.getLogger(__name__)

DB_ATTEMPTS = 3
DB_RETRY_DELAY = 0.5  # seconds, times the attempt number


Plan = dict[str, tuple[FetchState, bool]]  # feed URL → (conditional-GET state, due)
Claim = dict[str, FetchState]  # the feeds leased by one claim


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Pipeline:
    """Wires sources, the current rules and the store; `poll()` is the scheduler's job."""

    engine: Engine
    rules: Callable[[], RuleSet]  # a callable so reloaded rules take effect on the next poll
    seeds_dir: Path | None
    feeds: Sequence[FeedConfig]
    http: httpx.AsyncClient | None
    poll_interval: int = 600
    max_feed_bytes: int = 10_000_000
    max_feed_items: int = 1000
    allow_private: bool = False  # feeds on loopback/private addresses (SSRF guard off)
    pause_after: int = 10  # consecutive failures before a feed is paused
    parse_workers: int = 0  # processes parsing feeds (0: a worker thread)
    per_host: int = PER_HOST_CONCURRENCY  # fetches at once from one server
    # Called on the event loop as soon as one feed's alerts are stored, so delivery starts
    # before the slowest feed of the poll has answered.
    on_alerts: Callable[[], None] | None = None
    leases: LeasePolicy | None = None  # replicas on PostgreSQL: poll only the feeds leased
    clock: Callable[[], datetime] = _utcnow
    parsers: ParsePool | None = None  # parsing processes started before the pipeline was built
    _busy: set[str] = field(default_factory=set)
    _writer: threading.Lock = field(default_factory=threading.Lock)
    _parsers: ParsePool = field(init=False)
    _indexer: SearchIndexer = field(init=False)
    _stories: StoryCache = field(default_factory=StoryCache)
    _polls: int = 0  # polls in progress
    _watch_cache: tuple[tuple[Watch, ...], RuleSet | None, dict[str, Watch]] = ((), None, {})

    def __post_init__(self) -> None:
        self._parsers = self.parsers or ParsePool(self._portable_rules)
        self._indexer = SearchIndexer(self.engine, self._writer)

    async def poll(
        self, *, corpus: bool = True, feeds: bool = True, force: bool = False
    ) -> PollReport:
        """Ingest the corpus and every due feed (every feed not backing off, when `force`);
        feeds are fetched concurrently."""
        self._stories = StoryCache(started=self.clock())  # one index per poll
        self._polls += 1
        try:
            return await self._poll(corpus=corpus, feeds=feeds, force=force)
        finally:
            self._polls -= 1
            if not self._polls:  # the next poll builds its own: free this one's (~8 MB after
                self._stories = StoryCache(started=self._stories.started)  # 10,000 new items)

    async def _poll(self, *, corpus: bool, feeds: bool, force: bool) -> PollReport:
        polled = tuple(self.feeds)  # this poll's feeds, whatever a reload does meanwhile
        fetching = feeds and self.http is not None and bool(polled)
        if fetching:
            self._start_parsing_processes()
        # The corpus is stored while the first feeds are on their way, not before them.
        with_seeds = corpus and self.seeds_dir is not None
        seeds = (
            asyncio.ensure_future(asyncio.to_thread(self._ingest_corpus)) if with_seeds else None
        )
        fetched = PollReport()
        try:
            if fetching:
                await self._poll_feeds(polled, force, fetched)
        finally:
            report = await seeds if seeds is not None else PollReport()
        report.merge(fetched)  # the corpus's matches first, as a reader expects
        return report

    async def _poll_feeds(
        self, polled: Sequence[FeedConfig], force: bool, report: PollReport
    ) -> None:
        if self.leases is not None:  # replicas: poll the feeds leased, a batch at a time
            left = polled
            while claimed := await self._claim(left, force, report, first=left is polled):
                await self._fetch([f for f in left if f.url in claimed],
                                  {u: (st, True) for u, st in claimed.items()}, report)  # fmt: skip
                left = tuple(f for f in left if f.url not in claimed)
            return
        try:
            plan = await asyncio.to_thread(self._plan, polled, force)
        except StorageError as exc:
            report.merge(poll_report.database_failed("feed states", exc))
            return
        await self._fetch(polled, plan, report)

    async def _claim(
        self, polled: Sequence[FeedConfig], force: bool, report: PollReport, *, first: bool
    ) -> Claim:
        policy = self.leases
        assert policy is not None

        def claim() -> Claim:
            with self._writer, session_scope(self.engine) as session:
                if first:  # new feeds get a row, due now
                    ensure_feeds(session, polled)
                return claim_feeds(session, polled, policy, now=self.clock(), force=force)

        try:
            return await asyncio.to_thread(claim)
        except StorageError as exc:
            report.merge(poll_report.database_failed("feed leases", exc))
            return {}

    async def _fetch(self, polled: Sequence[FeedConfig], plan: Plan, report: PollReport) -> None:
        """Fetch the planned feeds concurrently (within per-host limits) and store them."""
        limit = FetchLimits(self.per_host)
        deferred: list[FetchResult] = []
        started = {  # tasks start in the order they are made
            i: asyncio.ensure_future(self._poll_feed(f, limit, plan[f.url], deferred))
            for i, f in ((i, polled[i]) for i in limit.in_turn(polled))
        }
        for result in await asyncio.gather(*(started[i] for i in range(len(polled)))):
            report.merge(result)
        if deferred:  # feeds with nothing new: their fetch state in one transaction
            report.merge(await asyncio.to_thread(self._record_all, deferred))

    def _ingest_corpus(self) -> PollReport:
        assert self.seeds_dir is not None
        try:
            items = load_corpus(self.seeds_dir, fetched=self.clock())
        except CorpusError as exc:
            log.error("corpus load failed dir=%s reason=%s", self.seeds_dir, exc)
            return PollReport(errors=[f"corpus: {exc}"])
        return self._store_retrying(items, None, "corpus")

    async def _poll_feed(
        self,
        feed: FeedConfig,
        limit: FetchLimits,
        planned: tuple[FetchState, bool],
        deferred: list[FetchResult],
    ) -> PollReport:
        if feed.url in self._busy:  # never two overlapping polls of one feed
            return PollReport()
        self._busy.add(feed.url)
        try:
            state, due = planned
            if not due:
                return PollReport()
            async with limit.overall, limit.host(feed.url):
                assert self.http is not None
                result = await fetch_feed(
                    self.http, feed, state, max_bytes=self.max_feed_bytes, now=self.clock(),
                    allow_private=self.allow_private, max_items=self.max_feed_items,
                    parse_executor=self._pool(), rules=self._portable_rules(),
                )  # fmt: skip
            if not result.items:
                deferred.append(result)
                report = PollReport()
            else:
                items = list(result.items)
                report = await asyncio.to_thread(self._store_retrying, items, result, feed.name)
                if report.alerts_queued and self.on_alerts is not None:
                    self.on_alerts()
            report.feeds_polled = 1
            report.feeds_not_modified = int(result.not_modified)
            if result.error:
                report.errors.append(f"{feed.name}: {result.error}")
            return report
        finally:
            self._busy.discard(feed.url)

    async def update(
        self, *, feeds: bool = True, force: bool = False, corpus: bool = True
    ) -> PollReport:
        """One poll and the search indexing of what it stored: what every caller that polls
        for good runs (the bot, console mode, `geoalert scan`). The index takes small batches
        between the poll's stores, and the rest once the poll is done."""
        return await self._indexer.while_polling(self.poll(feeds=feeds, force=force, corpus=corpus))

    async def index_search(self) -> int:
        """Index the items stored since the last call for `/search` (SQLite; PostgreSQL indexes
        on insert). Returns the queued items taken."""
        return await self._indexer.drain()

    @property
    def _parse_pool(self) -> ProcessPoolExecutor | None:
        return self._parsers.executor

    def _pool(self) -> ProcessPoolExecutor | None:
        return self._parsers.get(self.parse_workers)

    def _start_parsing_processes(self) -> None:
        self._parsers.start_soon(self.parse_workers)

    async def start_parsers(self) -> None:
        """Start the parsing processes now, each with its imports done, the rules compiled and
        the story lexicon loaded, instead of during the first poll; this process loads the
        lexicon too."""
        await asyncio.to_thread(lexicon)
        await self._parsers.start(self.parse_workers)

    def _portable_rules(self) -> RuleSet | None:
        """The rules, when the parsing processes can match with them (built from rule files)."""
        rules = self.rules()
        return rules if rules.portable else None

    def stop_parsers(self) -> None:
        """Let the parsing processes exit once their work is done (the next poll starts them
        again): between polls a long-running bot holds no parsing process. Blocking."""
        self._parsers.stop()

    def close(self) -> None:
        """Stop the parsing processes."""
        self._parsers.close()

    def _plan(self, feeds: Sequence[FeedConfig], force: bool) -> Plan:
        with Session(self.engine) as session:
            return poll_plan(
                session, feeds, now=self.clock(), interval=self.poll_interval, force=force
            )

    def _record_all(self, results: list[FetchResult]) -> PollReport:
        """Record the fetch state of every feed that brought no items, in one transaction."""
        report, now = PollReport(), self.clock()
        try:
            with self._writer, session_scope(self.engine) as session:
                report.feed_events = record_fetches(session, results, now=now,
                    pause_after=self.pause_after, interval=self.poll_interval)  # fmt: skip
        except StorageError as exc:  # the next poll fetches them again: nothing is lost
            return poll_report.database_failed("feed states", exc)
        return report

    def _store_retrying(
        self, items: list[Item], fetch: FetchResult | None, source: str
    ) -> PollReport:
        """`_store`, retried when the database is locked or the connection dropped.

        Nothing is half-written: each attempt is one transaction. When every attempt fails,
        the fetch state is not saved either, so the next poll fetches the feed again.
        """
        for attempt in range(1, DB_ATTEMPTS + 1):
            try:
                with self._writer:  # one writer at a time: SQLite takes one anyway
                    return self._store(items, fetch)
            except DatabaseError as exc:
                # The failed transaction may have added stories that do not exist: rebuild.
                self._stories = StoryCache(started=self._stories.started)
                if attempt == DB_ATTEMPTS:
                    return poll_report.database_failed(source, exc)
                log.warning("database busy source=%s attempt=%d reason=%s", source, attempt,
                            poll_report.first_line(exc))  # fmt: skip
                time.sleep(DB_RETRY_DELAY * attempt)
        raise AssertionError("unreachable")

    def _watch_rules(
        self, session: Session, now: datetime
    ) -> tuple[RuleSet | None, dict[str, Watch]]:
        """The compiled personal watches, recompiled only when they changed."""
        watches = tuple(active_watches(session, created_before=now))
        cached, rules, watch_of = self._watch_cache
        if watches == cached:
            return rules, watch_of
        if not watches:
            self._watch_cache = (watches, None, {})
            return None, {}
        try:
            rules, watch_of = compile_watches(watches)
        except RuleError as exc:  # validated when saved, so only a changed syntax gets here
            log.error("personal watches not compiled reason=%s", exc)
            rules, watch_of = None, {}
        self._watch_cache = (watches, rules, watch_of)
        return rules, watch_of

    def _store(self, items: list[Item], fetch: FetchResult | None) -> PollReport:
        """Store new items, their matches and their alerts in one transaction."""
        now = self.clock()
        ruleset = self.rules()
        report = PollReport()
        with session_scope(self.engine) as session:
            if fetch is not None:
                event = record_fetch(session, fetch, now=now, pause_after=self.pause_after,
                                     interval=self.poll_interval)  # fmt: skip
                if event is not None:
                    report.feed_events.append(event)
            fresh = item_store.add_new_items(session, with_text_dates(items, now))
            report.new_items = len(fresh)
            watch_rules, watch_of = self._watch_rules(session, now)
            instant = frozenset(t.id for t in ruleset.topics if t.priority == "high")
            # Matched where the feed was parsed (another process) when it could be.
            early = dict(fetch.matches) if fetch and fetch.matches is not None else None
            matched: dict[str, Sequence[TopicMatch]] = {}
            watched: set[str] = set()
            for item in fresh:
                if watch_rules is not None and _enqueue_watches(
                    session, item, watch_rules, watch_of, now, report
                ):
                    watched.add(item.id)
                if early is None:
                    topics: Sequence[TopicMatch] = ruleset.match(
                        item.title, item.text, item.language
                    )
                else:
                    topics = early.get(item.id, ())
                if topics:
                    matched[item.id] = topics
            # Stories group the items someone is alerted about: a topic's or a watch's.
            storied = [item for item in fresh if item.id in matched or item.id in watched]
            prints = dict(fetch.fingerprints) if fetch else {}
            assign_stories(
                story_store.StoryRows(session), storied, now=now, cache=self._stories,
                fingerprints={i.id: Fingerprint.from_bytes(prints[i.id]) for i in storied
                              if i.id in prints},
            )  # fmt: skip
            stored = item_store.add_matches_many(session, matched, now=now)
            report.alerts_queued += outbox.enqueue_alerts_many(
                session, [(i, [m.topic for m in new]) for i, new in stored.items() if new],
                now=now, instant_topics=instant,
            )  # fmt: skip
            report.new_matches.extend(
                StoredMatch(item, tuple(stored[item.id]), now)
                for item in fresh
                if item.id in stored
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
