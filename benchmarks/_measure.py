"""What the benchmarks measure about processes: CPU seconds and memory of a whole process tree.

geoalert parses feeds in other processes (the pipeline's parsing processes, started through a
multiprocessing fork server: grandchildren of the benchmark), so `RUSAGE_SELF` and this
process's RSS leave part of its work out. Here the measured tree is this process and every
descendant, read from /proc (Linux), minus the benchmark's own helper processes (`HELPERS`:
the loopback feed hosts, which stand in for servers elsewhere).

- CPU: this process (`RUSAGE_SELF`), the children it has reaped (`RUSAGE_CHILDREN`), and for
  each live descendant utime + stime + cutime + cstime from /proc/<pid>/stat (a descendant
  that exits is reaped by its parent, which then holds its time in cutime/cstime: nothing is
  lost or counted twice as long as a helper is not reaped inside a measured span).
- Memory: PSS (`Pss:` of /proc/<pid>/smaps_rollup), summed over the tree: shared pages are
  split between the processes that share them, so the sum is what the tree costs the machine.
  `TreePss` samples it in a thread for the peak. MB are 10^6 bytes.
"""

from __future__ import annotations

import contextlib
import os
import resource
import sys
import threading
import time
from pathlib import Path

MB = 1_000_000
HELPERS: set[int] = set()  # benchmark helper processes (feed hosts): never part of a tree
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds of the process and of its reaped children) from /proc."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # gone, or not Linux
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) ": field 3 onwards
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return int(fields[1]), (utime + stime + cutime + cstime) / _TICK


def _parents() -> dict[int, int]:
    """pid → parent pid of every process now (one pass over /proc)."""
    out: dict[int, int] = {}
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                with contextlib.suppress(OSError, ValueError, IndexError):
                    text = Path(f"/proc/{entry.name}/stat").read_text()
                    out[int(entry.name)] = int(text[text.rindex(")") + 2 :].split()[1])
    return out


def descendants(root: int | None = None) -> list[int]:
    """Every live descendant of `root` (this process by default), leaving out `HELPERS` and
    their descendants."""
    root = os.getpid() if root is None else root
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents().items():
        children.setdefault(ppid, []).append(pid)
    found: list[int] = []
    todo = [c for c in children.get(root, []) if c not in HELPERS]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(c for c in children.get(pid, []) if c not in HELPERS)
    return sorted(found)


def tree_cpu() -> float:
    """CPU seconds (user + system) used so far by this process and its descendants (live or
    reaped), helpers left out."""
    return _cpu_now()[0]


def self_cpu() -> float:
    """CPU seconds of this process only (all its threads)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def _cpu_now() -> tuple[float, float]:
    """(whole tree, this process) CPU seconds, from one reading of this process's usage."""
    me = self_cpu()
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = me + reaped.ru_utime + reaped.ru_stime
    for pid in descendants():
        stat = _stat(pid)
        if stat is not None:
            total += stat[1]
    return total, me


class Span:
    """Wall-clock and CPU seconds of a `with` block. `cpu` counts the whole process tree (this
    process and its descendants: the parsing processes; helpers left out), `cpu_self` this
    process only. CPU time is the figure to trust on a busy machine: other processes stretch
    wall time, not our CPU time."""

    wall: float = 0.0
    cpu: float = 0.0
    cpu_self: float = 0.0

    def __enter__(self) -> Span:
        self._wall, (self._cpu, self._self) = time.perf_counter(), _cpu_now()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        cpu, me = _cpu_now()
        self.cpu, self.cpu_self = cpu - self._cpu, me - self._self

    @property
    def cpu_others(self) -> float:
        """CPU seconds of the descendants (the parsing processes) within the span."""
        return max(self.cpu - self.cpu_self, 0.0)  # not -0.00 from float rounding


def pss(pid: int) -> int:
    """PSS of one process in bytes (0 when it is gone or unreadable)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def tree_pss() -> tuple[int, dict[int, int]]:
    """PSS in bytes of this process and its descendants (helpers left out): (sum, per pid)."""
    each = {pid: pss(pid) for pid in [os.getpid(), *descendants()]}
    return sum(each.values()), each


class TreePss:
    """Samples `tree_pss()` every `interval` seconds in a thread while a `with` block runs;
    `peak` is the largest sum seen (a peak shorter than the interval can be missed) and
    `processes` the most processes seen at once."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak = 0
        self.processes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> int:
        total, each = tree_pss()
        self.peak = max(self.peak, total)
        self.processes = max(self.processes, len(each))
        self.samples += 1
        return total

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> TreePss:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process only, in MiB, from /proc/self/status."""
    values = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    if "VmHWM" not in values:  # not Linux: ru_maxrss (KiB on Linux, bytes on macOS)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak_mb = peak / 1024 / (1024 if sys.platform == "darwin" else 1)
        return peak_mb, peak_mb
    return values.get("VmRSS", 0.0), values["VmHWM"]
