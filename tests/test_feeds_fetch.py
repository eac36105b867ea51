"""Fetching feeds over real loopback sockets: conditional GET, limits, HTTP and network errors."""

from __future__ import annotations

import gzip
import logging
import socket
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from bot.models import FeedConfig, FetchResult, FetchState
from bot.sources.fetch import USER_AGENT, fetch_feed, make_http_client, parse_retry_after
from tests.support.feed_server import DATA_DIR as DATA
from tests.support.feed_server import FIXED_LAST_MODIFIED, FeedServer, serve_feeds

NOW = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)
TIMEOUT = 0.5  # the slow routes take 3 s: a test that hangs fails by a wide margin
MAX_BYTES = 100_000


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with serve_feeds(slow_delay=3.0) as running:
        yield running


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    http = make_http_client(timeout=TIMEOUT, max_redirects=5)
    try:
        yield http
    finally:
        await http.aclose()


async def fetch(
    client: httpx.AsyncClient,
    server: FeedServer,
    path: str,
    state: FetchState | None = None,
    **kwargs: object,
) -> FetchResult:
    feed = FeedConfig(url=server.url(path), name=f"test{path}")
    options: dict[str, object] = {"max_bytes": MAX_BYTES, "now": NOW, **kwargs}
    return await fetch_feed(client, feed, state or FetchState(), **options)  # type: ignore[arg-type]


async def test_fetch_parses_items_and_records_validators(
    client: httpx.AsyncClient, server: FeedServer
) -> None:
    result = await fetch(client, server, "/feeds/rss2.xml")
    assert result.error is None
    assert result.status == 200
    assert not result.not_modified
    assert len(result.items) == 6
    assert result.items[0].source == server.url("/feeds/rss2.xml")
    assert result.items[0].fetched == NOW
    assert result.state.etag and result.state.etag.startswith('"')
    assert result.state.last_modified == FIXED_LAST_MODIFIED
    assert result.state.content_hash and len(result.state.content_hash) == 64
    sent = server.requests_to("/feeds/rss2.xml")[0].headers
    assert sent["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("geoalert/")
    assert "if-none-match" not in sent


async def test_second_fetch_is_conditional_and_gets_304(
    client: httpx.AsyncClient, server: FeedServer
) -> None:
    first = await fetch(client, server, "/feeds/atom.xml")
    second = await fetch(client, server, "/feeds/atom.xml", first.state)
    assert second.not_modified
    assert second.status == 304
    assert second.items == ()
    assert second.state == first.state
    sent = server.requests_to("/feeds/atom.xml")[1].headers
    assert sent["if-none-match"] == first.state.etag
    assert sent["if-modified-since"] == FIXED_LAST_MODIFIED


async def test_last_modified_alone_gives_304(client: httpx.AsyncClient, server: FeedServer) -> None:
    state = FetchState(last_modified=FIXED_LAST_MODIFIED)
    result = await fetch(client, server, "/feeds/rdf.xml", state)
    assert result.not_modified and result.error is None


async def test_unchanged_body_hash_skips_parsing(
    client: httpx.AsyncClient, server: FeedServer
) -> None:
    body = (server.routes.get("/slow") or pytest.fail("no /slow route")).body
    server.route("/no-validators", body=body)  # no ETag / Last-Modified: always a 200
    first = await fetch(client, server, "/no-validators")
    assert len(first.items) == 6 and first.state.etag is None
    second = await fetch(client, server, "/no-validators", first.state)
    assert second.status == 200
    assert second.not_modified
    assert second.items == ()
    assert second.state.content_hash == first.state.content_hash


async def test_changed_body_is_parsed_again(client: httpx.AsyncClient, server: FeedServer) -> None:
    old = FetchState(content_hash="0" * 64)
    result = await fetch(client, server, "/feeds/ru.xml", old)
    assert not result.not_modified
    assert len(result.items) == 3
    assert result.state.content_hash != old.content_hash


async def test_slow_server_times_out_within_the_deadline(
    client: httpx.AsyncClient, server: FeedServer
) -> None:
    started = time.monotonic()
    result = await fetch(client, server, "/slow")
    assert time.monotonic() - started < 2.0
    assert result.error == "timed out after 0.5s"
    assert result.items == ()


async def test_trickling_server_cannot_outlast_the_overall_deadline(
    client: httpx.AsyncClient, server: FeedServer
) -> None:
    # A byte every 50 ms never trips the read timeout; only the overall deadline stops it.
    started = time.monotonic()
    result = await fetch(client, server, "/trickle")
    assert time.monotonic() - started < 2.0
    assert result.error == "timed out after 0.5s"


async def test_explicit_deadline_overrides_the_client_timeout(
    client: httpx.AsyncClient, server: FeedServer
) -> None:
    result = await fetch(client, server, "/trickle", deadline=0.2)
    assert result.error == "timed out after 0.2s"


async def test_oversized_body_is_refused_by_content_length(
    client: httpx.AsyncClient, server: FeedServer
) -> None:
    result = await fetch(client, server, "/big")
    assert result.error == f"response larger than {MAX_BYTES} bytes"
    assert result.items == ()


async def test_oversized_body_without_length_is_cut_while_streaming(
    client: httpx.AsyncClient, server: FeedServer
) -> None:
    result = await fetch(client, server, "/big-chunked")
    assert result.error == f"response larger than {MAX_BYTES} bytes"


@pytest.mark.parametrize(
    ("path", "status", "reason"),
    [
        ("/missing", 404, "HTTP 404 Not Found"),
        ("/gone", 410, "HTTP 410 Gone"),
        ("/error", 500, "HTTP 500 Internal Server Error"),
        ("/no-such-route", 404, "HTTP 404 Not Found"),
    ],
)
async def test_http_errors_carry_the_status(
    client: httpx.AsyncClient, server: FeedServer, path: str, status: int, reason: str
) -> None:
    result = await fetch(client, server, path)
    assert (result.error, result.status, result.retry_after) == (reason, status, None)


async def test_503_retry_after_is_parsed(client: httpx.AsyncClient, server: FeedServer) -> None:
    result = await fetch(client, server, "/unavailable")
    assert result.error == "HTTP 503 Service Unavailable"
    assert result.status == 503
    assert result.retry_after == 120.0


async def test_failure_keeps_the_previous_state(
    client: httpx.AsyncClient, server: FeedServer
) -> None:
    state = FetchState(etag='"abc"', content_hash="f" * 64)
    result = await fetch(client, server, "/error", state)
    assert result.state == state


async def test_redirects_are_followed(client: httpx.AsyncClient, server: FeedServer) -> None:
    result = await fetch(client, server, "/redirect/1")
    assert result.error is None
    assert len(result.items) == 6
    # Items belong to the configured feed URL, not the redirect target.
    assert {i.source for i in result.items} == {server.url("/redirect/1")}
    assert [r.path for r in server.requests][-4:] == [
        "/redirect/1",
        "/redirect/2",
        "/redirect/3",
        "/feeds/rss2.xml",
    ]


async def test_redirect_loop_is_a_clear_error(
    client: httpx.AsyncClient, server: FeedServer
) -> None:
    result = await fetch(client, server, "/loop/a")
    assert result.error == "too many redirects (more than 5; redirect loop?)"


async def test_redirect_chain_longer_than_the_limit_fails(server: FeedServer) -> None:
    async with make_http_client(timeout=TIMEOUT, max_redirects=2) as short:
        result = await fetch(short, server, "/redirect/1")
    assert result.error == "too many redirects (more than 2; redirect loop?)"


async def test_html_page_is_not_a_feed(client: httpx.AsyncClient, server: FeedServer) -> None:
    result = await fetch(client, server, "/page.html")
    assert result.error is not None and result.error.startswith("not a feed: ")
    assert result.status == 200
    assert result.state == FetchState()  # not remembered: the next poll tries again


async def test_connection_refused_is_named(client: httpx.AsyncClient) -> None:
    with socket.socket() as sock:  # grab a free port, then close it so nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    feed = FeedConfig(url=f"http://127.0.0.1:{port}/rss", name="closed")
    result = await fetch_feed(client, feed, FetchState(), max_bytes=MAX_BYTES, now=NOW)
    assert result.error == "connection refused"
    assert result.status is None


async def test_failure_logs_exactly_one_line(
    client: httpx.AsyncClient, server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        await fetch(client, server, "/missing")
    url = server.url("/missing")
    assert [r.getMessage() for r in caplog.records] == [
        f"feed fetch failed feed=test/missing url={url} reason=HTTP 404 Not Found"
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        (format_datetime(NOW + timedelta(minutes=5), usegmt=True), 300.0),
        (format_datetime(NOW - timedelta(minutes=5), usegmt=True), 0.0),
        ("soon", None),
        ("-5", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


async def test_compressed_body_is_capped_after_decompression(
    client: httpx.AsyncClient, server: FeedServer
) -> None:
    bomb = gzip.compress(b"<rss>" + b" " * 5_000_000 + b"</rss>")
    assert len(bomb) < MAX_BYTES  # small on the wire, 5 MB once inflated
    server.route("/bomb", body=bomb, headers={"Content-Encoding": "gzip"})
    result = await fetch(client, server, "/bomb")
    assert result.error == f"response larger than {MAX_BYTES} bytes"


async def test_gzip_feed_is_decoded(client: httpx.AsyncClient, server: FeedServer) -> None:
    body = (DATA / "rss2.xml").read_bytes()
    server.route("/gz", body=gzip.compress(body), headers={"Content-Encoding": "gzip"})
    result = await fetch(client, server, "/gz")
    assert result.error is None and len(result.items) == 6


async def test_unsupported_scheme_is_an_error_not_an_exception(
    client: httpx.AsyncClient,
) -> None:
    feed = FeedConfig(url="ftp://example.com/rss", name="ftp")
    result = await fetch_feed(client, feed, FetchState(), max_bytes=MAX_BYTES, now=NOW)
    assert result.error is not None and result.error.startswith("invalid URL: ")


async def test_httpcore_asks_for_sniffio_without_searching_for_it_each_time(
    client: httpx.AsyncClient, server: FeedServer
) -> None:
    """httpcore imports sniffio for every lock and event it makes (six per request); when it is
    not installed, each attempt used to search sys.path again. Now the answer is remembered."""
    from httpcore._synchronization import current_async_library

    assert (await fetch(client, server, "/feeds/rss2.xml")).error is None
    assert current_async_library() == "asyncio"
    assert "sniffio" in sys.modules  # imported, or remembered as missing (None)
