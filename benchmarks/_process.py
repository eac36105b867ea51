"""Helpers of bench_process.py: feeds on many loopback addresses, and whole-process-tree
accounting (wall time, CPU of every process of the tree, PSS summed over the tree).

How the tree is accounted for (Linux only):
- this process makes itself a child subreaper (prctl PR_SET_CHILD_SUBREAPER), so a measured
  process's children that outlive it (multiprocessing's forkserver, parse workers, the resource
  tracker) are re-parented here instead of to init, and `reap` waits for every one of them. CPU
  is then the sum of `os.wait4` rusage over the measured process and those orphans; each
  rusage includes the descendants that process waited for. No CPU of the tree escapes.
- PSS is read from /proc/<pid>/smaps_rollup of every descendant of this process except the
  feed-host process, i.e. the measured process and everything it started (one measured
  process runs at a time). PSS shares pages out among the processes that map them, so the sum
  is the tree's real footprint, with no double counting of forkserver-shared pages.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from benchmarks._feedhost import stop_process

REPO = Path(__file__).resolve().parent.parent
MB = 1_000_000  # PSS is reported in MB of 10^6 bytes (stricter than MiB against the targets)


# --------------------------------------------------------------------------- feed hosts
def address(n: int) -> str:
    """The loopback address of feed `n`: 127.0.1.1, 127.0.1.2, … (all of 127/8 is `lo`)."""
    return f"127.0.{1 + n // 250}.{1 + n % 250}"


@contextlib.contextmanager
def feed_hosts_process(directory: Path, latency: float) -> Iterator[tuple[list[str], int]]:
    """Serve `directory/<n>.xml` from its own address `address(n)`, from a separate process
    (so it never competes with a measured process for a GIL); yields (feed URLs, its pid)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks._process", "serve", str(directory), str(latency)],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("URLS "):
            raise RuntimeError(f"feed hosts did not start: {line!r}")
        yield json.loads(line[5:]), proc.pid
    finally:
        stop_process(proc)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 512  # the default 5 would make 20 concurrent connects retry SYNs
    docs: dict[str, bytes]
    latency: float

    def handle_error(self, request: object, client_address: object) -> None:
        pass


class _Handler(BaseHTTPRequestHandler):
    """200 with the document after a fixed latency (ETag, Last-Modified, as a real server
    sends them; every measured run is a cold fetch, so no 304s), or 404."""

    server: _Server
    protocol_version = "HTTP/1.0"  # a new connection per feed, as with feeds on many hosts

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = self.server.docs.get(self.path)
        time.sleep(self.server.latency)
        self.send_response(200 if body is not None else 404)
        body = body if body is not None else b"not found"
        self.send_header("Content-Type", "application/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", f'"{hashlib.sha256(body).hexdigest()[:16]}"')
        self.send_header("Last-Modified", "Fri, 01 Dec 2023 00:00:00 GMT")
        self.end_headers()
        self.wfile.write(body)


def _serve(directory: str, latency: str) -> None:
    """One listening socket per feed address, one selector loop accepting on all of them; each
    request is answered on a thread of its own."""
    files = sorted(Path(directory).glob("*.xml"), key=lambda p: int(p.stem))
    docs = {f"/feeds/{file.name}": file.read_bytes() for file in files}
    selector = selectors.DefaultSelector()
    urls = []
    for file in files:
        server = _Server((address(int(file.stem)), 0), _Handler)
        server.docs, server.latency = docs, float(latency)
        selector.register(server.socket, selectors.EVENT_READ, server)
        urls.append(f"http://{address(int(file.stem))}:{server.server_port}/feeds/{file.name}")
    print("URLS", json.dumps(urls), flush=True)
    while True:
        for key, _ in selector.select():
            key.data._handle_request_noblock()  # accept, then a thread for the request


# --------------------------------------------------------------------------- process tree
def make_subreaper() -> None:
    """Orphans of measured processes become our children (Linux PR_SET_CHILD_SUBREAPER)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(36, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def _children(pid: int) -> list[int]:
    """Children of `pid`, from /proc/<pid>/task/*/children (cheaper than reading every
    /proc/*/stat, so sampling disturbs the measured processes less)."""
    found = []
    with contextlib.suppress(OSError):  # gone meanwhile
        for task in os.scandir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                found.extend(int(c) for c in Path(task.path, "children").read_text().split())
    return found


def tree(exclude: int) -> list[int]:
    """Every descendant of this process, except `exclude` and its descendants."""
    found, todo = [], [c for c in _children(os.getpid()) if c != exclude]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(_children(pid))
    return found


def pss_bytes(pids: list[int], field: str = "Pss:") -> int:
    """`field` of /proc/<pid>/smaps_rollup summed over `pids` ("Rss:" for RSS), in bytes."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, ValueError):  # gone meanwhile
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith(field):
                    total += int(line.split()[1]) * 1024
                    break
    return total


def rss_bytes(pids: list[int]) -> int:
    """RSS summed over `pids`: pages shared between processes counted once per process."""
    return pss_bytes(pids, "Rss:")


def tree_cpu(exclude: int) -> float:
    """CPU seconds (user + system) used so far by the live tree and every child it has waited
    for (/proc/<pid>/stat utime, stime, cutime, cstime); a child that exited and was waited for
    counts in its parent's cutime/cstime."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in tree(exclude):
        with contextlib.suppress(OSError, ValueError, IndexError):  # gone meanwhile
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total / ticks


@dataclass
class Sampler:
    """A thread summing the tree's PSS every `interval` seconds: (monotonic time, bytes)."""

    exclude: int
    interval: float
    with_rss: bool = False  # also sum RSS each time (`geoalert run` only: twice the reads)
    samples: list[tuple[float, int]] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)  # RSS summed over the tree, per sample
    procs: int = 0  # most processes seen in the tree at once

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = tree(self.exclude)
            self.procs = max(self.procs, len(pids))
            self.samples.append((time.monotonic(), pss_bytes(pids)))
            if self.with_rss:
                self.rss.append(rss_bytes(pids))
            self._stop.wait(self.interval)

    def now(self) -> int:
        return pss_bytes(tree(self.exclude))

    def rss_now(self) -> int:
        return rss_bytes(tree(self.exclude))

    def peak(self, until: float = float("inf")) -> int:
        return max((b for t, b in self.samples if t <= until), default=0)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def cpu_of(rusage: object) -> float:
    return rusage.ru_utime + rusage.ru_stime  # type: ignore[attr-defined]


def reap(exclude: int, timeout: float = 20.0) -> float:
    """Wait for every remaining child but `exclude` (orphans re-parented here); their CPU
    seconds. Still alive after `timeout`: killed (and reported)."""
    cpu, deadline = 0.0, time.monotonic() + timeout
    while True:
        left = [pid for pid in _children(os.getpid()) if pid != exclude]
        if not left:
            return cpu
        for pid in left:
            with contextlib.suppress(ChildProcessError):
                done, _, usage = os.wait4(pid, os.WNOHANG)
                if done:
                    cpu += cpu_of(usage)
                elif time.monotonic() > deadline:
                    print(f"  WARNING: pid {pid} still alive {timeout:g}s after exit: killed")
                    os.kill(pid, signal.SIGKILL)
        time.sleep(0.02)


@dataclass
class Measured:
    wall: float  # seconds, start of the process to its exit
    cpu: float  # seconds, user + system, whole tree
    peak: int  # bytes, PSS of the whole tree, highest sample
    code: int
    procs: int  # most processes in the tree at once


def measure(cmd: list[str], cwd: Path, env: dict[str, str], exclude: int) -> Measured:
    """Run `cmd` to its end, sampling the tree's PSS every 50 ms; stdout and stderr go to
    cwd/stdout.txt and cwd/stderr.txt."""
    with (
        open(cwd / "stdout.txt", "wb") as out,
        open(cwd / "stderr.txt", "wb") as err,
        Sampler(exclude, 0.05) as sampler,
    ):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        cpu = cpu_of(usage) + reap(exclude)
    return Measured(wall, cpu, sampler.peak(), proc.returncode, sampler.procs)


READER_SCRIPT = """\
import json, sys
from reader import make_reader
db, urls, search = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3] == "search"
reader = make_reader(db)
for url in urls:
    reader.add_feed(url)
reader.update_feeds(workers=int(sys.argv[4]))
if search:
    reader.enable_search()
    reader.update_search()
reader.close()
"""


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "serve":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with contextlib.suppress(KeyboardInterrupt):
        _serve(sys.argv[2], sys.argv[3])
