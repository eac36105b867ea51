"""The loopback feed host of the benchmarks: a threaded HTTP server for feeds (ETag and
Last-Modified, 304s, a fixed latency per response, a log of every request), in this process
or in a separate one (`feed_host_process`).

    python -m benchmarks._feedhost serve DIRECTORY LATENCY   # what feed_host_process runs
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from benchmarks._measure import HELPERS

REPO = Path(__file__).resolve().parent.parent


@dataclass
class _Doc:
    body: bytes
    etag: str
    last_modified: str
    version: int


@dataclass(frozen=True)
class Hit:
    """One request the host answered: when it arrived (time.monotonic), what it served."""

    at: float
    path: str
    status: int
    version: int  # document version served (0 when not found)


@dataclass
class FeedHost:
    """A threaded loopback HTTP server for feeds: ETag/Last-Modified, 304s, a fixed latency per
    response, and a log of every request (arrival time, path, status, version served).

    Not tests/support/feed_server.py: that one keeps the default listen backlog of 5 (20
    concurrent connects would hit SYN retries) and records no request times.
    """

    latency: float = 0.1
    docs: dict[str, _Doc] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._httpd = _HostServer(("127.0.0.1", 0), _HostHandler)
        self._httpd.host = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_port}"

    def put(self, path: str, body: bytes) -> int:
        """Publish (or replace) a document; returns its new version number."""
        with self._lock:
            old = self.docs.get(path)
            version = old.version + 1 if old else 1
            self.docs[path] = _Doc(
                body=body,
                etag=f'"{hashlib.sha256(body).hexdigest()[:16]}"',
                last_modified=formatdate(time.time(), usegmt=True),
                version=version,
            )
            return version

    def hits_to(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path == path]

    def start(self) -> FeedHost:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FeedHost:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _HostServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 512
    host: FeedHost

    def handle_error(self, request: object, client_address: object) -> None:
        pass


class _HostHandler(BaseHTTPRequestHandler):
    server: _HostServer
    protocol_version = "HTTP/1.0"  # a new connection per feed, as with feeds on many hosts

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        host = self.server.host
        at = time.monotonic()
        if self.path == "/_stats":  # status counts so far, for checking 304s across processes
            self._stats(host)
            return
        with host._lock:  # the response reflects the document as it was when the request came
            doc = host.docs.get(self.path)
        status = 404 if doc is None else 200
        if doc is not None:
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            if (inm is not None and doc.etag in {t.strip() for t in inm.split(",")}) or (
                inm is None and ims is not None and ims == doc.last_modified
            ):
                status = 304
        with host._lock:
            host.hits.append(Hit(at, self.path, status, doc.version if doc else 0))
        if host.latency and host._stop.wait(host.latency):
            return
        self.send_response(status)
        body = b"not found" if doc is None else b"" if status == 304 else doc.body
        if doc is not None:
            self.send_header("ETag", doc.etag)
            self.send_header("Last-Modified", doc.last_modified)
        if status != 304:
            self.send_header("Content-Type", "application/xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _stats(self, host: FeedHost) -> None:
        with host._lock:
            counts: dict[str, int] = {}
            for hit in host.hits:
                counts[str(hit.status)] = counts.get(str(hit.status), 0) + 1
        body = json.dumps(counts).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def host_stats(base_url: str) -> dict[str, int]:
    """Requests answered so far by a feed host, by HTTP status ("200", "304", …)."""
    import urllib.request

    with urllib.request.urlopen(base_url + "/_stats", timeout=10) as resp:
        return {k: int(v) for k, v in json.loads(resp.read()).items()}


@contextlib.contextmanager
def feed_host_process(directory: Path, latency: float) -> Iterator[str]:
    """Serve every file of `directory` at /feeds/<name> from a separate process (so the server
    never competes with the measured client for the GIL); yields the base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks._feedhost", "serve", str(directory), str(latency)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    HELPERS.add(proc.pid)  # a stand-in for servers elsewhere: not part of a measured tree
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("URL "):
            raise RuntimeError(f"feed host did not start: {line!r}")
        yield line.split()[1]
    finally:
        stop_process(proc)


def _serve(directory: str, latency: str) -> None:
    host = FeedHost(latency=float(latency))
    for file in sorted(Path(directory).iterdir()):
        host.put(f"/feeds/{file.name}", file.read_bytes())
    host.start()
    print("URL", host.base_url, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "serve":
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    _serve(sys.argv[2], sys.argv[3])


def stop_process(proc: subprocess.Popen[str]) -> None:
    """Terminate a helper process, killing it if it does not exit within 5 s."""
    proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
