"""What one poll did (`PollReport`), and how many feeds it fetches at once (`FetchLimits`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.models import FeedConfig, StoredMatch
from storage.feeds import FeedEvent

log = logging.getLogger("bot.pipeline")  # the poll's own log lines

FETCH_CONCURRENCY = 256  # feeds fetched at once: waiting on far-away servers costs no CPU
PER_HOST_CONCURRENCY = 4  # …but never more than this many at once from one server


class FetchLimits:
    """How many fetches run at once: overall, and per server (politeness)."""

    def __init__(self, per_host: int) -> None:
        self.overall = asyncio.Semaphore(FETCH_CONCURRENCY)
        self.per_host = per_host
        self._hosts: dict[str, asyncio.Semaphore] = {}

    def host(self, url: str) -> asyncio.Semaphore:
        name = self._server(url)
        semaphore = self._hosts.get(name)
        if semaphore is None:
            semaphore = self._hosts[name] = asyncio.Semaphore(self.per_host)
        return semaphore

    @staticmethod
    def in_turn(feeds: Sequence[FeedConfig]) -> list[int]:
        """Indexes of `feeds`, one feed of each server in turn (first feeds of every server,
        then second ones…). Started in this order, the feeds of a server with many of them,
        waiting for its per-server cap, do not hold overall slots before other servers."""
        taken: dict[str, int] = {}
        turns = []
        for index, feed in enumerate(feeds):
            name = FetchLimits._server(feed.url)
            turn = taken[name] = taken.get(name, -1) + 1
            turns.append((turn, index))
        return [index for _, index in sorted(turns)]

    @staticmethod
    def _server(url: str) -> str:
        return urlsplit(url).hostname or url


@dataclass
class PollReport:
    """What one poll did: new items and matches, and which sources failed."""

    new_items: int = 0
    new_matches: list[StoredMatch] = field(default_factory=list)
    feeds_polled: int = 0
    feeds_not_modified: int = 0
    errors: list[str] = field(default_factory=list)  # "source: reason" lines
    alerts_queued: int = 0
    feed_events: list[FeedEvent] = field(default_factory=list)  # paused / recovered, once each

    def merge(self, other: PollReport) -> None:
        self.new_items += other.new_items
        self.new_matches.extend(other.new_matches)
        self.feeds_polled += other.feeds_polled
        self.feeds_not_modified += other.feeds_not_modified
        self.errors.extend(other.errors)
        self.alerts_queued += other.alerts_queued
        self.feed_events.extend(other.feed_events)


def first_line(exc: BaseException) -> str:
    """The first line of a database error (the driver's own message when it has one)."""
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]


def database_failed(source: str, exc: BaseException) -> PollReport:
    """The one log line and the report of a store that failed for good this poll."""
    reason = first_line(exc)
    log.error("database error source=%s reason=%s; will retry on the next poll", source, reason)
    return PollReport(errors=[f"{source}: database error: {reason}"])
