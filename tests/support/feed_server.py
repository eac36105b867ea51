"""A loopback HTTP feed server for tests: real sockets, programmable routes, recorded requests.

Usage in a test module (a local fixture avoids ruff's F811 on an imported fixture)::

    from tests.support.feed_server import FeedServer, serve_feeds

    @pytest.fixture
    def server() -> Iterator[FeedServer]:
        with serve_feeds() as running:
            yield running

    async def test_x(server: FeedServer) -> None:
        url = server.url("/feeds/rss2.xml")

Files under `tests/data/feeds/` are served at `/feeds/<name>` (with ETag and Last-Modified).
Built-in routes (see `install_default_routes`): `/slow`, `/trickle`, `/big`, `/big-chunked`,
`/missing` (404), `/gone` (410), `/error` (500), `/unavailable` (503 + Retry-After),
`/redirect/1` → `/redirect/2` → `/redirect/3` → `/feeds/rss2.xml`, `/loop/a` ⇄ `/loop/b`,
`/page.html` (a news web page, not a feed). `route()` adds or replaces any of them.

Files under `tests/data/bad_feeds/` are served at `/bad/<name>`; `install_hostile_routes` adds
generated hostile documents (see its docstring) for `tests/test_hostile_feeds.py`.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "feeds"
BAD_DIR = DATA_DIR.parent / "bad_feeds"
FIXED_LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)  # Tue, 14 Nov 2023 22:13:20 GMT

_CONTENT_TYPES = {
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".rdf": "application/rdf+xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}


@dataclass
class Route:
    """How the server answers one path."""

    body: bytes = b""
    status: int = 200
    content_type: str | None = "application/xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # answer 304 when If-None-Match matches
    last_modified: str | None = None  # answer 304 when If-Modified-Since matches
    delay: float = 0.0  # seconds to wait before sending anything
    trickle: float = 0.0  # seconds between single bytes of the body (a slow-loris server)
    send_length: bool = True  # False: no Content-Length, the body ends when the socket closes


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server saw: path, headers (names lowercased) and when it arrived
    (`time.monotonic()`), so a test can read "at once" from the server's side."""

    path: str
    headers: dict[str, str]
    at: float = 0.0


class FeedServer:
    """A ThreadingHTTPServer on 127.0.0.1 with a random port, run in a daemon thread."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        # A short poll interval keeps shutdown (and so each test's teardown) fast.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_port}"

    def url(self, path: str) -> str:
        """Absolute URL of `path` on this server."""
        return self.base_url + path

    def route(self, path: str, **kwargs: object) -> Route:
        """Add or replace the route at `path`; keyword arguments are `Route` fields."""
        route = Route(**kwargs)  # type: ignore[arg-type]
        with self._lock:
            self.routes[path] = route
        return route

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """Requests recorded for `path`, oldest first."""
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def requests_under(self, prefix: str) -> list[RecordedRequest]:
        """Requests recorded for paths starting with `prefix`, oldest first."""
        with self._lock:
            return [r for r in self.requests if r.path.startswith(prefix)]

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Wake any slow handler, stop serving, close the socket."""
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds` unless the server is stopping; True when it is stopping."""
        return self._stop.wait(seconds)

    def _lookup(self, path: str, headers: dict[str, str]) -> Route | None:
        with self._lock:
            self.requests.append(RecordedRequest(path, headers, time.monotonic()))
            route = self.routes.get(path)
        if route is None and path.startswith("/feeds/"):
            route = _file_route(path.removeprefix("/feeds/"))
        if route is None and path.startswith("/bad/"):
            route = _file_route(path.removeprefix("/bad/"), BAD_DIR)
        return route


def _file_route(name: str, directory: Path = DATA_DIR) -> Route | None:
    """A route serving `<directory>/<name>` with a content-derived ETag."""
    file = (directory / name).resolve()
    if file.parent != directory or not file.is_file():
        return None
    body = file.read_bytes()
    return Route(
        body=body,
        content_type=_CONTENT_TYPES.get(file.suffix, "application/octet-stream"),
        etag=f'"{hashlib.sha256(body).hexdigest()[:16]}"',
        last_modified=FIXED_LAST_MODIFIED,
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 512  # a poll opens hundreds of connections at once (default backlog: 5)
    owner: FeedServer

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients hanging up on slow or oversized responses is the point of those routes.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection; a missing length means "to EOF"

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        owner = self.server.owner
        headers = {k.lower(): v for k, v in self.headers.items()}
        route = owner._lookup(self.path, headers)
        if route is None:
            self._send(404, b"not found", "text/plain; charset=utf-8", {})
            return
        if route.delay and owner.wait(route.delay):
            return
        if _not_modified(route, headers):
            self._send(304, b"", None, _validators(route))
            return
        extra = {**_validators(route), **route.headers}
        self._send(route.status, route.body, route.content_type, extra, route)

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        headers: dict[str, str],
        route: Route | None = None,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if route is None or route.send_length:
            self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD" or not body:
            return
        if route is not None and route.trickle:
            self._trickle(body, route.trickle)
        else:
            self.wfile.write(body)

    def _trickle(self, body: bytes, pause: float) -> None:
        for i in range(len(body)):
            self.wfile.write(body[i : i + 1])
            self.wfile.flush()
            if self.server.owner.wait(pause):
                return


def _validators(route: Route) -> dict[str, str]:
    out = {}
    if route.etag:
        out["ETag"] = route.etag
    if route.last_modified:
        out["Last-Modified"] = route.last_modified
    return out


def _not_modified(route: Route, headers: dict[str, str]) -> bool:
    """RFC 9110: If-None-Match wins when present; otherwise If-Modified-Since."""
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = {t.strip() for t in inm.split(",")}
        return route.etag is not None and (route.etag in tags or "*" in tags)
    ims = headers.get("if-modified-since")
    return ims is not None and route.last_modified is not None and ims == route.last_modified


def install_default_routes(server: FeedServer, *, slow_delay: float = 3.0) -> None:
    """The failure modes feed fetching must survive, at fixed paths."""
    feed = (DATA_DIR / "rss2.xml").read_bytes()
    server.route("/slow", body=feed, delay=slow_delay)
    server.route("/trickle", body=feed, trickle=0.05)
    big = b"<rss><channel>" + b"<!-- padding -->" * 20_000 + b"</channel></rss>"
    server.route("/big", body=big)
    server.route("/big-chunked", body=big, send_length=False)
    server.route("/missing", status=404, body=b"no such feed", content_type="text/plain")
    server.route("/gone", status=410, body=b"gone", content_type="text/plain")
    server.route("/error", status=500, body=b"oops", content_type="text/plain")
    server.route(
        "/unavailable",
        status=503,
        body=b"maintenance",
        content_type="text/plain",
        headers={"Retry-After": "120"},
    )
    for n, target in ((1, "/redirect/2"), (2, "/redirect/3"), (3, "/feeds/rss2.xml")):
        server.route(f"/redirect/{n}", status=302, headers={"Location": target})
    server.route("/loop/a", status=301, headers={"Location": "/loop/b"})
    server.route("/loop/b", status=301, headers={"Location": "/loop/a"})
    page = (DATA_DIR / "not-a-feed.html").read_bytes()
    server.route("/page.html", body=page, content_type="text/html; charset=utf-8")


def rss(items: str, title: str = "Hostile Wire") -> bytes:
    """A minimal RSS 2.0 document around `items` (already-serialised <item> elements)."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{title}</title>{items}</channel></rss>\n"
    ).encode()


@functools.cache
def many_items_feed(count: int = 5000) -> bytes:
    """A feed of `count` dated items, newest first (guid `n-<i>`, one minute apart)."""
    items = "".join(
        f"<item><guid>n-{i}</guid><title>Item {i} on CSTO talks</title>"
        f"<description>Body of item {i}.</description>"
        f"<pubDate>{1 + i // 1440 % 28:02d} Jun 2024 "
        f"{i // 60 % 24:02d}:{i % 60:02d}:00 GMT</pubDate></item>"
        for i in range(count, 0, -1)
    )
    return rss(items, "Firehose")


@functools.cache
def huge_description_feed(size: int = 5_000_000) -> bytes:
    """One item whose description is `size` bytes of HTML paragraphs."""
    paragraph = "<p>" + "sanctions evasion through Central Asia " * 25 + "</p>"
    body = paragraph * (size // len(paragraph) + 1)
    return rss(
        f"<item><guid>huge-1</guid><title>Huge</title><description><![CDATA[{body}]]>"
        "</description></item>",
        "Verbose Wire",
    )


@functools.cache
def quadratic_blowup_feed(entity: int = 100_000, refs: int = 1_000) -> bytes:
    """One big internal entity referenced many times (feedparser's loose parser expands it)."""
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "' + "A" * entity + '">\n]>\n'
        '<rss version="2.0"><channel><title>Q</title><item><guid>q-1</guid><title>Q</title>'
        "<description>" + "&a;" * refs + "</description></item></channel></rss>"
    ).encode()


@functools.cache
def gzip_bomb(size: int = 20_000_000) -> bytes:
    """`size` bytes of spaces, gzip-compressed to a few kilobytes."""
    return gzip.compress(b" " * size, compresslevel=9)


def with_secret(template: str, secret: Path) -> bytes:
    """A `tests/data/bad_feeds/*-template.xml` document pointing at the file `secret`."""
    return (BAD_DIR / template).read_bytes().replace(b"@SECRET@", str(secret).encode())


def install_hostile_routes(server: FeedServer) -> None:
    """Generated hostile documents and odd answers, under `/bad/`.

    `/bad/empty` (200, 0 bytes), `/bad/5000-items`, `/bad/huge-description` (5 MB),
    `/bad/quadratic` (entity blow-up), `/bad/gzip-bomb` (20 MB of spaces in ~20 kB),
    `/bad/too-many` (429 + Retry-After), `/bad/down-until` (503, Retry-After as a date),
    `/bad/to-metadata` (a redirect to 169.254.169.254), `/bad/to-file` (to file:///etc/passwd),
    `/bad/to-credentials` (to a URL with user:password@).
    """
    server.route("/bad/empty", body=b"")
    server.route("/bad/5000-items", body=many_items_feed())
    server.route("/bad/huge-description", body=huge_description_feed())
    server.route("/bad/quadratic", body=quadratic_blowup_feed())
    server.route("/bad/gzip-bomb", body=gzip_bomb(), headers={"Content-Encoding": "gzip"})
    server.route("/bad/too-many", status=429, body=b"slow down", headers={"Retry-After": "900"})
    server.route(
        "/bad/down-until",
        status=503,
        headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"},
    )
    redirects = {
        "/bad/to-metadata": "http://169.254.169.254/latest/meta-data/",
        "/bad/to-file": "file:///etc/passwd",
        "/bad/to-credentials": f"http://user:secret@127.0.0.1:{server.url('').rsplit(':', 1)[1]}/",
    }
    for path, target in redirects.items():
        server.route(path, status=302, headers={"Location": target})


@contextmanager
def serve_feeds(*, slow_delay: float = 3.0) -> Iterator[FeedServer]:
    """A started loopback feed server with the default routes, stopped on exit."""
    server = FeedServer()
    install_default_routes(server, slow_delay=slow_delay)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """Fixture form of `serve_feeds()` (import it into a test module to use it)."""
    with serve_feeds() as server:
        yield server
