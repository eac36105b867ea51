"""How many feeds one poll fetches at once: no rounds for a few hundred feeds, and a server with
many feeds (held to its per-server cap) does not hold back the feeds of other servers.

The loopback host answers every request after a fixed delay and logs when each one arrived,
so "at once" is read from the server's side.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from benchmarks._common import FeedHost
from bot import pipeline as pipeline_module
from bot.matching import load_rules
from bot.models import FeedConfig, FetchState
from bot.pipeline import Pipeline
from bot.sources.fetch import fetch_feed, make_http_client

NOW = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def slow_host() -> Iterator[FeedHost]:
    """Answers 404 to every feed path after 1 s (no parsing: only the fetches are measured)."""
    with FeedHost(latency=1.0) as host:
        yield host


def spread(host: FeedHost) -> float:
    """Seconds between the first and the last request the host received."""
    arrivals = [hit.at for hit in host.hits]
    return max(arrivals) - min(arrivals)


async def test_the_http_client_does_not_queue_requests_beyond_httpx_default_pool(slow_host):
    """httpx's default pool holds 100 connections; the 101st request waited for one to close
    (inside its own deadline). The pipeline bounds fetches at once, not the client."""
    feeds = [FeedConfig(url=f"{slow_host.base_url}/f/{i}.xml", name=f"f{i}") for i in range(120)]
    async with make_http_client(5.0, 5) as http:
        results = await asyncio.gather(
            *(fetch_feed(http, f, FetchState(), max_bytes=10_000, now=NOW) for f in feeds)
        )
    assert [r.status for r in results] == [404] * 120
    assert len(slow_host.hits) == 120
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
    feeds = [FeedConfig(url=f"{slow_host.base_url}/f/{i}.xml", name=f"f{i}") for i in range(120)]
    async with make_http_client(5.0, 5) as http:
        report = await make_pipeline(engine, repo, feeds, http, per_host=1000).poll(corpus=False)
    assert report.feeds_polled == 120 and len(report.errors) == 120  # all 404, none timed out
    assert len(slow_host.hits) == 120
    # In rounds, the 65th (or the 101st) request could only leave after a 1 s answer came back.
    assert spread(slow_host) < 0.8


async def test_a_server_with_many_feeds_does_not_hold_back_other_servers(
    engine, repo, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(pipeline_module, "FETCH_CONCURRENCY", 4)
    with FeedHost(latency=0.3) as host:
        port = host.base_url.rsplit(":", 1)[1]
        busy = [FeedConfig(url=f"{host.base_url}/busy/{i}.xml", name=f"b{i}") for i in range(12)]
        other = FeedConfig(url=f"http://localhost:{port}/other.xml", name="other")  # 2nd server
        async with make_http_client(5.0, 5) as http:
            report = await make_pipeline(engine, repo, [*busy, other], http, per_host=2).poll(
                corpus=False
            )
        hits = list(host.hits)
    assert report.feeds_polled == 13
    first = min(hit.at for hit in hits)
    (late,) = (hit.at for hit in hits if hit.path == "/other.xml")
    # Listed last, it still goes out with the first requests (not after 5 rounds of 0.3 s).
    assert late - first < 0.2
    # …and the busy server never had more than 2 requests at once.
    busy_hits = sorted(hit.at for hit in hits if hit.path.startswith("/busy/"))
    assert all(b - a > 0.2 for a, b in zip(busy_hits, busy_hits[2:], strict=False))
