"""SSRF guard for feed URLs: which URLs and addresses a feed fetch may reach.

A feed URL comes from an admin (feeds.yaml, OPML import) and every redirect comes from a remote
server, so neither is trusted to point at the bot's own network. Unless private addresses are
explicitly allowed (`GEOALERT_ALLOW_PRIVATE_FEEDS`), a fetch may only reach public unicast
addresses; cloud metadata endpoints are refused even then (no feed lives there). Checked:

1. `check_url`: http(s) only, no credentials, and a literal IP host must be public;
2. `check_redirect`: every hop is checked like a feed URL, and https → http is refused;
3. `check_host` before each hop, and `GuardedBackend` at connect time: every address the host
   name resolves to must be public, and the connection goes to an address that was checked,
   so a DNS answer that changes between the check and the connect (rebinding) gains nothing.

Host names are resolved in a thread pool of their own (a poll of a few hundred feeds does not
queue behind the event loop's small default pool), and an answer is reused for `DNS_TTL`
seconds, so `check_host` and the connect that follows cost one lookup, not two. The cache
holds the resolver's answer, never a verdict: every use checks the addresses again under the
policy of that fetch, and the connection still goes only to an address just checked.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import ipaddress
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from bot.errors import FeedError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Cloud metadata endpoints, named so the refusal says what was avoided.
_METADATA = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

DNS_TTL = 60.0  # seconds a host name's addresses are reused (checked again at every use)
DNS_THREADS = 32  # lookups at once (getaddrinfo blocks a thread for the whole lookup)
_DNS_CACHE_SIZE = 4096  # host names remembered at most

# Whether private addresses are allowed for the fetch running in this context (set by
# `fetch_feed` through `address_policy`); refused unless a caller said otherwise.
_ALLOW_PRIVATE: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "geoalert_allow_private", default=False
)


class UnsafeURLError(FeedError):
    """A feed URL, a redirect or a resolved address the guard refuses; the message says why."""


@functools.lru_cache(maxsize=4096)
def classify_address(ip: IPAddress) -> str | None:
    """Why `ip` is not a public unicast address ('loopback', 'private', …), or None if it is."""
    if ip in _METADATA:
        return "cloud metadata"
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return classify_address(embedded)
    checks: tuple[tuple[bool, str], ...] = (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT, "carrier-grade NAT"),
        (ip.is_reserved, "reserved"),
        (ip.is_private, "private"),
        (not ip.is_global, "non-global"),
    )
    return next((name for hit, name in checks if hit), None)


def check_url(url: str, *, allow_private: bool) -> None:
    """Refuse anything but an http(s) URL with a host, no credentials and a sane port.

    A literal IP host must be allowed (see `resolve_checked`); host names are checked after
    resolution (`check_host`). Raises `UnsafeURLError`.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURLError(f"invalid URL: {url!r} ({exc})") from exc
    if parts.scheme.lower() not in {"http", "https"}:
        raise UnsafeURLError(f"invalid URL: {url!r} (only http and https are fetched)")
    if not parts.hostname:
        raise UnsafeURLError(f"invalid URL: {url!r} (no host)")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UnsafeURLError(f"refused {_redact(url)}: credentials in the URL")
    if port == 0:
        raise UnsafeURLError(f"refused {url}: port 0")
    literal = _ip_literal(parts.hostname)
    if literal is not None:
        _refuse_address(parts.hostname, literal, allow_private=allow_private)


def check_redirect(source: str, target: str, *, allow_private: bool) -> None:
    """Refuse a redirect hop: an unsafe target, or a downgrade from https to plain http."""
    if urlsplit(source).scheme.lower() == "https" and urlsplit(target).scheme.lower() == "http":
        raise UnsafeURLError(f"refused redirect from https to plain http ({target})")
    check_url(target, allow_private=allow_private)


async def check_host(url: str, *, allow_private: bool) -> None:
    """Resolve the host of `url` and refuse it when any of its addresses is not allowed."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    await resolve_checked(host, port, allow_private=allow_private)


async def resolve_checked(host: str, port: int, *, allow_private: bool) -> list[str]:
    """Every address `host` resolves to, after checking that each one is allowed: public, or
    anything but cloud metadata with `allow_private`.

    Raises `UnsafeURLError` naming the first refused address; a failed lookup raises
    `socket.gaierror` like any other connection attempt would.
    """
    literal = _ip_literal(host)
    addresses = (literal,) if literal is not None else await _resolver.resolve(host, port)
    for ip in addresses:
        _refuse_address(host, ip, allow_private=allow_private)
    return [str(ip) for ip in addresses]


class _Resolver:
    """getaddrinfo in its own threads, each answer kept for `DNS_TTL` seconds.

    Only successful answers are kept (a failed lookup is tried again next time), and
    `forget` drops an answer whose addresses all refused the connection.
    """

    def __init__(self) -> None:
        self._answers: dict[tuple[str, int], tuple[float, tuple[IPAddress, ...]]] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    async def resolve(self, host: str, port: int) -> tuple[IPAddress, ...]:
        key = (host.lower(), port)
        cached = self._answers.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        loop = asyncio.get_running_loop()
        lookup = functools.partial(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
        infos = await loop.run_in_executor(self._executor(), lookup)
        addresses = tuple(dict.fromkeys(_parse_ip(str(info[4][0])) for info in infos))
        now = time.monotonic()
        if len(self._answers) >= _DNS_CACHE_SIZE:
            self._answers = {k: v for k, v in self._answers.items() if v[0] > now}
            if len(self._answers) >= _DNS_CACHE_SIZE:
                self._answers.clear()
        self._answers[key] = (now + DNS_TTL, addresses)
        return addresses

    def forget(self, host: str, port: int) -> None:
        self._answers.pop((host.lower(), port), None)

    def clear(self) -> None:
        self._answers.clear()

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(DNS_THREADS, thread_name_prefix="geoalert-dns")
            return self._pool


_resolver = _Resolver()


def forget_resolved() -> None:
    """Drop every remembered DNS answer (the next fetch of each host looks it up again)."""
    _resolver.clear()


@contextlib.contextmanager
def address_policy(*, allow_private: bool) -> Iterator[None]:
    """Within this block, `GuardedBackend` connections follow `allow_private`."""
    token = _ALLOW_PRIVATE.set(allow_private)
    try:
        yield
    finally:
        _ALLOW_PRIVATE.reset(token)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """A network backend that connects only to checked addresses (unless private is allowed)."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve `host`, refuse disallowed addresses, then connect to the first that answers."""
        try:
            targets = await resolve_checked(host, port, allow_private=_ALLOW_PRIVATE.get())
        except socket.gaierror as exc:  # httpx maps ConnectError; the cause names the lookup
            raise httpcore.ConnectError(str(exc)) from exc
        error: Exception | None = None
        for address in targets:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:  # try the next address, like a resolver would
                error = exc
        _resolver.forget(host, port)  # none answered: maybe the host moved, look it up again
        raise error or httpcore.ConnectError(f"no address for {host}")

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise UnsafeURLError("refused: unix sockets are never used for feeds")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_transport(**kwargs: Any) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose connections go through `GuardedBackend`.

    httpx does not expose the network backend, so it is swapped on the transport's pool; if a
    future httpx changes that, this fails loudly at start-up instead of silently not guarding.
    """
    transport = httpx.AsyncHTTPTransport(**kwargs)
    pool = getattr(transport, "_pool", None)
    if not isinstance(pool, httpcore.AsyncConnectionPool) or not hasattr(pool, "_network_backend"):
        raise RuntimeError("cannot install the feed address guard on this httpx version")
    pool._network_backend = GuardedBackend(pool._network_backend)
    return transport


def _refuse_address(host: str, ip: IPAddress, *, allow_private: bool) -> None:
    reason = classify_address(ip)
    if reason is not None and (reason == "cloud metadata" or not allow_private):
        shown = host if host == str(ip) else f"{host} resolves to {ip}"
        raise UnsafeURLError(f"refused: {shown} ({reason} address)")


@functools.lru_cache(maxsize=4096)
def _ip_literal(host: str) -> IPAddress | None:
    try:
        return _parse_ip(host.strip("[]"))
    except ValueError:
        return None


def _parse_ip(value: str) -> IPAddress:
    return ipaddress.ip_address(value.split("%", 1)[0])  # drop an IPv6 zone id ("fe80::1%eth0")


def _redact(url: str) -> str:
    """`url` without its user info, so a password never reaches a log or an error."""
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
