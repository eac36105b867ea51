"""How many feeds one poll fetches at once: no rounds for a few hundred feeds, and a server with
many feeds (held to its per-server cap) does not hold back the feeds of other servers.

The loopback feed server answers every feed after a fixed delay and records when each request
arrived, so "at once" is read from the server's side.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import poll_report as pipeline_module
from bot.matching import load_rules
from bot.models import FeedConfig, FetchState
from bot.pipeline import Pipeline
from bot.sources.fetch import fetch_feed, make_http_client
from tests.support.feed_server import FeedServer, serve_feeds

NOW = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)


FEEDS = 120


@pytest.fixture
def slow_host() -> Iterator[FeedServer]:
    """Answers 404 to /f/0.xml … /f/119.xml after 1 s (no parsing: only fetches are measured)."""
    with serve_feeds() as server:
        for i in range(FEEDS):
            server.route(f"/f/{i}.xml", status=404, body=b"not found", delay=1.0)
        yield server


def feed_requests(server: FeedServer, prefix: str) -> list[float]:
    """Arrival times of the requests for paths starting with `prefix`."""
    return [r.at for r in server.requests_under(prefix)]


def spread(server: FeedServer) -> float:
    """Seconds between the first and the last feed request the server received."""
    arrivals = feed_requests(server, "/f/")
    return max(arrivals) - min(arrivals)


async def test_the_http_client_does_not_queue_requests_beyond_httpx_default_pool(slow_host):
    """httpx's default pool holds 100 connections; the 101st request waited for one to close
    (inside its own deadline). The pipeline bounds fetches at once, not the client."""
    feeds = [FeedConfig(url=slow_host.url(f"/f/{i}.xml"), name=f"f{i}") for i in range(FEEDS)]
    async with make_http_client(5.0, 5) as http:
        results = await asyncio.gather(
            *(fetch_feed(http, f, FetchState(), max_bytes=10_000, now=NOW) for f in feeds)
        )
    assert [r.status for r in results] == [404] * FEEDS
    assert len(feed_requests(slow_host, "/f/")) == FEEDS
    assert spread(slow_host) < 0.8  # queued ones could only leave after a 1 s answer


def make_pipeline(engine, repo: Path, feeds, http, per_host: int) -> Pipeline:
    rules = load_rules(repo / "rules")
    return Pipeline(
        engine=engine, rules=lambda: rules, seeds_dir=None, feeds=feeds, http=http,
        allow_private=True, per_host=per_host,
    )  # fmt: skip


async def test_a_poll_of_more_feeds_than_the_http_pool_default_fetches_them_at_once(
    engine, repo, slow_host
):
    """120 feeds: more than the old 64 at once, and more than httpx's default pool of 100."""
    feeds = [FeedConfig(url=slow_host.url(f"/f/{i}.xml"), name=f"f{i}") for i in range(FEEDS)]
    async with make_http_client(5.0, 5) as http:
        report = await make_pipeline(engine, repo, feeds, http, per_host=1000).poll(corpus=False)
    assert report.feeds_polled == FEEDS and len(report.errors) == FEEDS  # 404s, none timed out
    assert len(feed_requests(slow_host, "/f/")) == FEEDS
    # In rounds, the 65th (or the 101st) request could only leave after a 1 s answer came back.
    assert spread(slow_host) < 0.8


async def test_a_server_with_many_feeds_does_not_hold_back_other_servers(
    engine, repo, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(pipeline_module, "FETCH_CONCURRENCY", 4)
    with serve_feeds() as host:
        for path in [*(f"/busy/{i}.xml" for i in range(12)), "/other.xml"]:
            host.route(path, status=404, body=b"not found", delay=0.3)
        port = host.base_url.rsplit(":", 1)[1]
        busy = [FeedConfig(url=host.url(f"/busy/{i}.xml"), name=f"b{i}") for i in range(12)]
        other = FeedConfig(url=f"http://localhost:{port}/other.xml", name="other")  # 2nd server
        async with make_http_client(5.0, 5) as http:
            report = await make_pipeline(engine, repo, [*busy, other], http, per_host=2).poll(
                corpus=False
            )
    assert report.feeds_polled == 13
    first = min(feed_requests(host, "/"))
    (late,) = feed_requests(host, "/other.xml")
    # Listed last, it still goes out with the first requests (not after 5 rounds of 0.3 s).
    assert late - first < 0.2
    # …and the busy server never had more than 2 requests at once.
    busy_hits = sorted(feed_requests(host, "/busy/"))
    assert all(b - a > 0.2 for a, b in zip(busy_hits, busy_hits[2:], strict=False))
