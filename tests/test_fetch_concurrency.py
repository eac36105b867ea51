"""How many feeds one poll fetches at once: no rounds for a few hundred feeds, and a server with
many feeds (held to its per-server cap) does not hold back the feeds of other servers.

The loopback host answers every request after a fixed delay and logs when each one arrived,
so "at once" is read from the server's side.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from benchmarks._common import FeedHost
from bot.models import FeedConfig, FetchState
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
