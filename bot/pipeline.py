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
from bot.errors import CorpusError, DatabaseError, StorageError
from bot.event_terms import lexicon
from bot.matching import RuleSet
from bot.models import FeedConfig, FetchResult, FetchState, Item
from bot.poll_report import PER_HOST_CONCURRENCY, FetchLimits, PollReport
from bot.poll_store import Batch, WatchCache, store_batch
from bot.search_indexer import SearchIndexer
from bot.sources.corpus import load_corpus
from bot.sources.fetch import fetch_feed
from bot.sources.parse_pool import ParsePool
from bot.stories import StoryCache
from storage.engine import session_scope
from storage.feeds import poll_plan, record_fetches
from storage.leases import LeasePolicy, claim_feeds, ensure_feeds

log = logging.getLogger(__name__)

DB_ATTEMPTS = 3
DB_RETRY_DELAY = 0.5  # seconds, times the attempt number
GROUP_ITEMS = 2000  # a group commit takes feeds until it holds this many items


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
    _watches: WatchCache = field(default_factory=WatchCache)
    _queued: list[tuple[list[Item], FetchResult, str, asyncio.Future[PollReport]]] = field(
        default_factory=list
    )
    _flusher: asyncio.Future[None] | None = None

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
        # The corpus is stored once the first feed is in, not before: matching and storing it
        # took this process from sending the requests, while the parsing processes waited.
        feed_in = asyncio.Event()
        with_seeds = corpus and self.seeds_dir is not None
        seeds = asyncio.ensure_future(self._ingest_corpus(feed_in)) if with_seeds else None
        fetched = PollReport()
        try:
            if fetching:
                await self._poll_feeds(polled, force, fetched, feed_in)
        finally:
            feed_in.set()
            report = await seeds if seeds is not None else PollReport()
        report.merge(fetched)  # the corpus's matches first, as a reader expects
        return report

    async def _poll_feeds(
        self, polled: Sequence[FeedConfig], force: bool, report: PollReport, feed_in: asyncio.Event
    ) -> None:
        if self.leases is not None:  # replicas: poll the feeds leased, a batch at a time
            left = polled
            while claimed := await self._claim(left, force, report, first=left is polled):
                await self._fetch([f for f in left if f.url in claimed],
                                  {u: (st, True) for u, st in claimed.items()}, report,
                                  feed_in)  # fmt: skip
                left = tuple(f for f in left if f.url not in claimed)
            return
        try:
            plan = await asyncio.to_thread(self._plan, polled, force)
        except StorageError as exc:
            report.merge(poll_report.database_failed("feed states", exc))
            return
        await self._fetch(polled, plan, report, feed_in)

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

    async def _fetch(
        self, polled: Sequence[FeedConfig], plan: Plan, report: PollReport, feed_in: asyncio.Event
    ) -> None:
        """Fetch the planned feeds concurrently (within per-host limits) and store them;
        `feed_in` is set when the first one is fetched (and parsed)."""
        limit = FetchLimits(self.per_host)
        deferred: list[FetchResult] = []
        started = {  # tasks start in the order they are made
            i: asyncio.ensure_future(self._poll_feed(f, limit, plan[f.url], deferred, feed_in))
            for i, f in ((i, polled[i]) for i in limit.in_turn(polled))
        }
        for result in await asyncio.gather(*(started[i] for i in range(len(polled)))):
            report.merge(result)
        if deferred:  # feeds with nothing new: their fetch state in one transaction
            report.merge(await asyncio.to_thread(self._record_all, deferred))

    async def _ingest_corpus(self, feed_in: asyncio.Event) -> PollReport:
        await feed_in.wait()
        return await asyncio.to_thread(self._store_corpus)

    def _store_corpus(self) -> PollReport:
        assert self.seeds_dir is not None
        try:
            items = load_corpus(self.seeds_dir, fetched=self.clock())
        except CorpusError as exc:
            log.error("corpus load failed dir=%s reason=%s", self.seeds_dir, exc)
            return PollReport(errors=[f"corpus: {exc}"])
        return self._store_retrying([(items, None, "corpus")])

    async def _poll_feed(
        self,
        feed: FeedConfig,
        limit: FetchLimits,
        planned: tuple[FetchState, bool],
        deferred: list[FetchResult],
        feed_in: asyncio.Event,
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
            feed_in.set()
            if not result.items:
                deferred.append(result)
                report = PollReport()
            else:
                items = list(result.items)
                report = await self._store_feed(items, result, feed.name)
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
        # With the rules: the processes compile them while the first feeds are fetched.
        self._parsers.start_soon(self.parse_workers, self._portable_rules())

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
        self, batch: Sequence[tuple[list[Item], FetchResult | None, str]]
    ) -> PollReport:
        """`_store`, retried when the database is locked or the connection dropped.

        Nothing is half-written: each attempt is one transaction. When every attempt fails,
        the fetch states are not saved either, so the next poll fetches those feeds again.
        """
        sources = ", ".join(source for _, _, source in batch)
        for attempt in range(1, DB_ATTEMPTS + 1):
            try:
                with self._writer:  # one writer at a time: SQLite takes one anyway
                    return self._store([(items, fetch) for items, fetch, _ in batch])
            except DatabaseError as exc:
                # The failed transaction may have added stories that do not exist: rebuild.
                self._stories = StoryCache(started=self._stories.started)
                if attempt == DB_ATTEMPTS:
                    report = PollReport()
                    for _, _, source in batch:
                        report.merge(poll_report.database_failed(source, exc))
                    return report
                log.warning("database busy source=%s attempt=%d reason=%s", sources, attempt,
                            poll_report.first_line(exc))  # fmt: skip
                time.sleep(DB_RETRY_DELAY * attempt)
        raise AssertionError("unreachable")

    async def _store_feed(self, items: list[Item], fetch: FetchResult, source: str) -> PollReport:
        """Store one feed's items. Feeds that arrive while a transaction runs wait for the
        next one and share it (group commit); the batch's report goes to its first feed."""
        done: asyncio.Future[PollReport] = asyncio.get_running_loop().create_future()
        self._queued.append((items, fetch, source, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.ensure_future(self._flush())
        return await done

    async def _flush(self) -> None:
        while self._queued:
            size, take = 0, 0
            while take < len(self._queued) and (take == 0 or size < GROUP_ITEMS):
                size += len(self._queued[take][0])
                take += 1
            batch, self._queued = self._queued[:take], self._queued[take:]
            try:
                report = await asyncio.to_thread(self._store_retrying, [b[:3] for b in batch])
            except Exception as exc:  # each waiting feed gets it
                for *_, done in batch:
                    if not done.done():  # its poll may have been cancelled meanwhile
                        done.set_exception(exc)
                continue
            for k, (*_, done) in enumerate(batch):
                if not done.done():
                    done.set_result(report if k == 0 else PollReport())

    def _store(self, batch: Batch) -> PollReport:
        """Store the batch's new items, matches, stories and alerts in one transaction."""
        with session_scope(self.engine) as session:
            return store_batch(
                session, batch, ruleset=self.rules(), now=self.clock(), stories=self._stories,
                watches=self._watches, pause_after=self.pause_after, interval=self.poll_interval,
            )  # fmt: skip
