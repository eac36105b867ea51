"""Fetch one feed over HTTP: conditional GET, redirects, size and time limits, then parse.

`fetch_feed` never raises for a bad feed: every failure becomes a `FetchResult` with `error` set
and one log line `feed fetch failed feed=… url=… reason=…`. Redirects are followed here, hop by
hop, so that `bot.sources.netguard` checks every hop (scheme, credentials, https → http, and
the addresses each host resolves to).
"""

from __future__ import annotations

import asyncio
import errno
import importlib.util
import logging
import socket
import ssl
import sys
from concurrent.futures import Executor
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from urllib.parse import urljoin

import httpx

from bot import __version__
from bot.matching import RuleSet
from bot.models import FeedConfig, FetchResult, FetchState
from bot.sources import netguard
from bot.sources.limits import MAX_ITEMS
from bot.sources.worker import FetchFailed, Response, failed, finish

log = logging.getLogger(__name__)

USER_AGENT = f"geoalert/{__version__} (+https://github.com/geoalert/geoalert)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
DEFAULT_DEADLINE = 30.0
_REDIRECTS = frozenset({301, 302, 303, 307, 308})

# httpcore runs `import sniffio` for every lock, event and shield it creates (six per request)
# and falls back to asyncio when that fails. anyio no longer installs sniffio, and Python does
# not remember a failed import: each one searched sys.path again (~45 µs; together about a
# tenth of the CPU of a 304 fetch). A None entry makes the import fail at once, same fallback.
if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]


def make_http_client(timeout: float, max_redirects: int) -> httpx.AsyncClient:
    """The one HTTP client for feed polling: timeouts, redirect limit, a real User-Agent.

    Every phase (connect, read, write, pool) gets `timeout`; `fetch_feed` also bounds the whole
    request by it, so a server trickling bytes cannot hold a poll longer than that. Redirects
    are followed by `fetch_feed` (up to `max_redirects` hops), not by httpx, and connections
    go through the address guard (`netguard.GuardedBackend`). The pool sets no cap on
    connections: the pipeline bounds how many feeds are fetched at once (overall and per
    server), and a lower cap here (httpx's default is 100) would queue requests inside their
    own deadline.
    """
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        max_redirects=max_redirects,
        headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
        transport=netguard.guarded_transport(
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=20)
        ),
    )


async def fetch_feed(
    client: httpx.AsyncClient,
    feed: FeedConfig,
    state: FetchState,
    *,
    max_bytes: int,
    now: datetime,
    deadline: float | None = None,
    allow_private: bool = True,
    max_items: int = MAX_ITEMS,
    parse_executor: Executor | None = None,
    rules: RuleSet | None = None,
) -> FetchResult:
    """Poll `feed` once and return its new items and fetch state, or why it failed.

    `deadline` bounds the whole request in seconds (default: the client's longest timeout).
    304, or a body whose hash equals `state.content_hash`, gives `not_modified=True`.
    `allow_private=False` refuses loopback, private, link-local… addresses on every hop
    (production passes `GEOALERT_ALLOW_PRIVATE_FEEDS`; the default keeps loopback tests working).
    `max_items` keeps only the newest entries of a huge feed. Parsing is CPU work: it runs in
    `parse_executor` (e.g. a process pool, to use every core) or a worker thread, never on the
    event loop; so does matching the items against `rules`, when given (`FetchResult.matches`).
    """
    limit = deadline if deadline is not None else _client_deadline(client)
    try:
        with netguard.address_policy(allow_private=allow_private):
            async with asyncio.timeout(limit):
                response = await _get(
                    client, feed, state, max_bytes=max_bytes, now=now, allow_private=allow_private
                )
        if response.status == HTTPStatus.NOT_MODIFIED:
            return FetchResult(feed=feed, state=state, not_modified=True, status=response.status)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            parse_executor, finish, feed, state, response, now, max_items, rules
        )
    except FetchFailed as exc:
        return failed(feed, state, exc)
    except netguard.UnsafeURLError as exc:
        return failed(feed, state, FetchFailed(str(exc)))
    except (TimeoutError, httpx.TimeoutException):
        return failed(feed, state, FetchFailed(f"timed out after {limit:g}s"))
    except socket.gaierror:
        return failed(feed, state, FetchFailed("DNS lookup failed"))
    except httpx.HTTPError as exc:
        return failed(feed, state, FetchFailed(_network_reason(exc)))
    except (httpx.InvalidURL, UnicodeError) as exc:
        return failed(feed, state, FetchFailed(f"invalid URL: {exc}"))
    except Exception as exc:  # a bad feed must never stop a poll; the traceback goes to DEBUG
        log.debug("unexpected error fetching feed=%s", feed.name, exc_info=True)
        return failed(feed, state, FetchFailed(f"unexpected {type(exc).__name__}: {exc}"))


async def _get(
    client: httpx.AsyncClient,
    feed: FeedConfig,
    state: FetchState,
    *,
    max_bytes: int,
    now: datetime,
    allow_private: bool,
) -> Response:
    """GET with conditional headers, following redirects hop by hop under the guard."""
    headers: dict[str, str] = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    url = feed.url
    netguard.check_url(url, allow_private=allow_private)
    for _hop in range(client.max_redirects + 1):
        await netguard.check_host(url, allow_private=allow_private)
        response, target = await _get_once(client, url, headers, max_bytes=max_bytes, now=now)
        if response is not None:
            return response
        assert target is not None
        netguard.check_redirect(url, target, allow_private=allow_private)
        url = target
    raise FetchFailed(f"too many redirects (more than {client.max_redirects}; redirect loop?)")


async def _get_once(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], *, max_bytes: int, now: datetime
) -> tuple[Response | None, str | None]:
    """One request: the response, or (None, the absolute redirect target)."""
    async with client.stream("GET", url, headers=headers) as resp:
        location = resp.headers.get("Location")
        if resp.status_code in _REDIRECTS and location:
            return None, urljoin(url, location.strip())
        if resp.status_code == HTTPStatus.NOT_MODIFIED:
            return Response(resp.status_code, b"", None, None, None), None
        if not 200 <= resp.status_code < 300:
            raise FetchFailed(
                _status_reason(resp),
                status=resp.status_code,
                retry_after=parse_retry_after(resp.headers.get("Retry-After"), now),
            )
        body = await _read_capped(resp, max_bytes)
        response = Response(
            status=resp.status_code,
            body=body,
            etag=resp.headers.get("ETag"),
            last_modified=resp.headers.get("Last-Modified"),
            content_type=resp.headers.get("Content-Type"),
        )
        return response, None


async def _read_capped(resp: httpx.Response, max_bytes: int) -> bytes:
    """Read the (decoded) body, refusing more than `max_bytes`, upfront and while streaming."""
    too_big = f"response larger than {max_bytes} bytes"
    declared = resp.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchFailed(too_big, status=resp.status_code)
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchFailed(too_big, status=resp.status_code)
        chunks.append(chunk)
    return b"".join(chunks)


def _status_reason(resp: httpx.Response) -> str:
    try:
        phrase = HTTPStatus(resp.status_code).phrase
    except ValueError:
        phrase = resp.reason_phrase or ""
    return f"HTTP {resp.status_code} {phrase}".rstrip()


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Retry-After in seconds from `now` (delta-seconds or an HTTP date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now
    return max(0.0, (when - now).total_seconds())


def _client_deadline(client: httpx.AsyncClient) -> float:
    t = client.timeout
    phases = [v for v in (t.connect, t.read, t.write, t.pool) if v is not None]
    return max(phases) if phases else DEFAULT_DEADLINE


def _network_reason(exc: httpx.HTTPError) -> str:
    """A short, human reason for a transport error: 'connection refused', 'DNS lookup failed'…"""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError) or (
            isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED
        ):
            return "connection refused"
        if isinstance(cause, socket.gaierror):
            return "DNS lookup failed"
        if isinstance(cause, ssl.SSLError):
            return f"TLS error: {cause.reason or cause}"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return f"invalid URL: {exc}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"protocol error: {exc}"
    detail = str(exc).strip()
    return f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
