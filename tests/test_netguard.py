"""The SSRF guard: address classes, URL and redirect checks, and real fetches refused."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from bot.models import FeedConfig, FetchState
from bot.sources import netguard
from bot.sources.fetch import fetch_feed, make_http_client
from bot.sources.netguard import (
    UnsafeURLError,
    address_policy,
    check_redirect,
    check_url,
    classify_address,
    forget_resolved,
    resolve_checked,
)
from tests.support.feed_server import FeedServer, serve_feeds

NOW = datetime(2024, 7, 1, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with serve_feeds() as running:
        yield running


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.1", "private"),  # TEST-NET-1 documentation range
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:169.254.169.254", "cloud metadata"),
        ("2002:7f00:1::", "loopback"),  # 6to4 wrapping 127.0.0.1
        ("64:ff9b::a00:1", "private"),  # NAT64 wrapping 10.0.0.1
        ("8.8.8.8", None),
        ("1.1.1.1", None),
        ("2a00:1450:4001:82a::200e", None),
    ],
)
def test_addresses_are_classified(address: str, expected: str | None) -> None:
    assert classify_address(ipaddress.ip_address(address)) == expected


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/rss", "invalid URL: 'ftp://example.com/rss' (only http and https"),
        ("file:///etc/passwd", "invalid URL: 'file:///etc/passwd'"),
        ("gopher://example.com/", "invalid URL"),
        ("http:///no-host", "invalid URL"),
        ("http://example.com:99999/", "invalid URL"),
        ("https://user:hunter2@example.com/rss", "refused https://example.com/rss: credentials"),
        ("https://tok3n@example.com/rss", "refused https://example.com/rss: credentials"),
        ("http://127.0.0.1/rss", "refused: 127.0.0.1 (loopback address)"),
        ("http://[::1]:8080/rss", "refused: ::1 (loopback address)"),
        ("http://10.0.0.5/rss", "refused: 10.0.0.5 (private address)"),
        ("http://169.254.169.254/latest/meta-data/", "refused: 169.254.169.254 (cloud metadata"),
        ("http://[fd00:ec2::254]/", "refused: fd00:ec2::254 (cloud metadata address)"),
    ],
)
def test_unsafe_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(UnsafeURLError) as caught:
        check_url(url, allow_private=False)
    assert str(caught.value).startswith(reason)
    assert "hunter2" not in str(caught.value) and "tok3n" not in str(caught.value)


def test_public_urls_pass_and_private_ones_pass_when_allowed() -> None:
    check_url("https://tass.com/rss/v2.xml", allow_private=False)
    check_url("http://93.184.216.34/feed", allow_private=False)
    check_url("http://127.0.0.1:8080/rss", allow_private=True)
    check_url("http://192.168.1.10/rss", allow_private=True)


def test_metadata_is_refused_even_when_private_addresses_are_allowed() -> None:
    with pytest.raises(UnsafeURLError, match="cloud metadata"):
        check_url("http://169.254.169.254/", allow_private=True)


def test_redirect_from_https_to_http_is_refused() -> None:
    """Policy: a feed reached over TLS never continues in clear text (a downgrade)."""
    with pytest.raises(UnsafeURLError, match="from https to plain http"):
        check_redirect("https://news.example/rss", "http://news.example/rss", allow_private=False)
    check_redirect("http://news.example/rss", "https://news.example/rss", allow_private=False)
    check_redirect("https://a.example/rss", "https://b.example/rss", allow_private=False)


def test_redirect_to_loopback_is_refused_unless_allowed() -> None:
    with pytest.raises(UnsafeURLError, match=r"127\.0\.0\.1 \(loopback"):
        check_redirect("http://news.example/rss", "http://127.0.0.1/admin", allow_private=False)
    check_redirect("http://news.example/rss", "http://127.0.0.1/admin", allow_private=True)


async def test_localhost_resolves_to_a_refused_address() -> None:
    with pytest.raises(UnsafeURLError, match=r"localhost resolves to .* \(loopback address\)"):
        await resolve_checked("localhost", 80, allow_private=False)
    assert await resolve_checked("localhost", 80, allow_private=True)


async def test_fetch_refuses_loopback_feeds_when_private_is_not_allowed(
    server: FeedServer,
) -> None:
    port = server.base_url.rsplit(":", 1)[1]
    cases = {
        server.url("/feeds/rss2.xml"): "refused: 127.0.0.1 (loopback address)",
        f"http://localhost:{port}/feeds/rss2.xml": "refused: localhost resolves to ",
        server.url("/redirect/1"): "refused: 127.0.0.1 (loopback address)",
    }
    async with make_http_client(timeout=2.0, max_redirects=5) as http:
        for url, reason in cases.items():
            feed = FeedConfig(url=url, name="local")
            result = await fetch_feed(
                http, feed, FetchState(), max_bytes=100_000, now=NOW, allow_private=False
            )
            assert result.error is not None and result.error.startswith(reason), result.error
            assert result.items == ()
            allowed = await fetch_feed(
                http, feed, FetchState(), max_bytes=100_000, now=NOW, allow_private=True
            )
            assert allowed.error is None and len(allowed.items) == 6
    assert server.requests_to("/feeds/rss2.xml") != []  # only the allowed fetches got there
    assert len(server.requests_to("/redirect/1")) == 1


async def test_the_connection_itself_is_guarded(server: FeedServer) -> None:
    """Even a request that skips fetch_feed's checks cannot connect to a refused address
    (the check happens at connect time, so DNS rebinding between check and use gains nothing)."""
    async with make_http_client(timeout=2.0, max_redirects=0) as http:
        with address_policy(allow_private=False), pytest.raises(UnsafeURLError):
            await http.get(server.url("/feeds/rss2.xml"))
        with address_policy(allow_private=True):
            assert (await http.get(server.url("/feeds/rss2.xml"))).status_code == 200
    assert len(server.requests_to("/feeds/rss2.xml")) == 1


async def test_redirect_to_cloud_metadata_is_never_followed(server: FeedServer) -> None:
    server.route("/meta", status=302, headers={"Location": "http://169.254.169.254/latest/"})
    async with make_http_client(timeout=2.0, max_redirects=5) as http:
        result = await fetch_feed(
            http,
            FeedConfig(url=server.url("/meta"), name="m"),
            FetchState(),
            max_bytes=100_000,
            now=NOW,
            allow_private=True,
        )
    assert result.error == "refused: 169.254.169.254 (cloud metadata address)"


async def test_unresolvable_host_is_a_dns_failure() -> None:
    async with make_http_client(timeout=2.0, max_redirects=0) as http:
        result = await fetch_feed(
            http,
            FeedConfig(url="http://no-such-host.invalid/rss", name="nx"),
            FetchState(),
            max_bytes=100_000,
            now=NOW,
            allow_private=False,
        )
    assert result.error == "DNS lookup failed"


def test_the_guard_is_installed_on_the_client() -> None:
    client = make_http_client(timeout=1.0, max_redirects=3)
    assert not client.follow_redirects and client.max_redirects == 3
    assert isinstance(client._transport, httpx.AsyncHTTPTransport)


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The host names passed to the system resolver (which still answers), from a clean cache."""
    seen: list[str] = []
    real = socket.getaddrinfo

    def counting(host: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(host)
        return real(host, *args, **kwargs)

    forget_resolved()
    monkeypatch.setattr(socket, "getaddrinfo", counting)
    yield seen
    forget_resolved()


async def test_a_remembered_answer_is_checked_again_under_each_policy(lookups: list[str]) -> None:
    assert await resolve_checked("localhost", 80, allow_private=True)
    with pytest.raises(UnsafeURLError, match=r"localhost resolves to .* \(loopback address\)"):
        await resolve_checked("localhost", 80, allow_private=False)
    assert lookups == ["localhost"]  # one lookup, two verdicts


async def test_check_and_connect_share_one_lookup_and_the_guard_still_holds(
    server: FeedServer, lookups: list[str]
) -> None:
    port = server.base_url.rsplit(":", 1)[1]
    feed = FeedConfig(url=f"http://localhost:{port}/feeds/rss2.xml", name="local")
    async with make_http_client(timeout=2.0, max_redirects=0) as http:
        allowed = await fetch_feed(
            http, feed, FetchState(), max_bytes=100_000, now=NOW, allow_private=True
        )
        refused = await fetch_feed(
            http, feed, FetchState(), max_bytes=100_000, now=NOW, allow_private=False
        )
        # Past fetch_feed's own check, the connection is refused with the remembered answer too
        # (the server speaks HTTP/1.0: every request opens a new connection).
        with address_policy(allow_private=False), pytest.raises(UnsafeURLError):
            await http.get(feed.url)
    assert allowed.error is None and len(allowed.items) == 6
    assert refused.error is not None and refused.error.startswith("refused: localhost resolves")
    assert lookups == ["localhost"]
    assert len(server.requests_to("/feeds/rss2.xml")) == 1


async def test_an_answer_expires_and_is_dropped_when_no_address_answers(
    lookups: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    feed = FeedConfig(url=f"http://localhost:{closed}/rss", name="closed")
    async with make_http_client(timeout=2.0, max_redirects=0) as http:
        for _ in range(2):
            result = await fetch_feed(
                http, feed, FetchState(), max_bytes=100_000, now=NOW, allow_private=True
            )
            assert result.error == "connection refused"
    assert lookups == ["localhost", "localhost"]  # looked up again after the refusal

    monkeypatch.setattr(netguard, "DNS_TTL", 0.0)
    for _ in range(2):
        await resolve_checked("localhost", 80, allow_private=True)
    assert lookups[2:] == ["localhost", "localhost"]
