"""The processes that parse feeds: feedparser is pure Python, so parsing takes one core each.

Spawned on first use ("spawn": no fork of a threaded process, and nothing left behind when the
pool shuts down; a forkserver would stay, ~40 MB). A spawned process imports the main module
(`bot.cli`, which imports nothing) and `bot.sources.worker`, no more, and compiles the rules
once. Between polls far apart the bot stops them (`stop`); the next poll starts them again.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import gc
import logging
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from bot.matching import RuleSet
from bot.memory import stop_resource_tracker
from bot.sources import worker as parse_worker

log = logging.getLogger(__name__)


class ParsePool:
    """The parsing processes of one pipeline; `rules` gives the rules they compile (None when
    the rules cannot travel to another process: the processes then parse without matching)."""

    def __init__(self, rules: Callable[[], RuleSet | None]) -> None:
        self._rules = rules
        self.executor: ProcessPoolExecutor | None = None

    def get(self, workers: int) -> ProcessPoolExecutor | None:
        """The processes (`workers` of them), started on first use; None for none."""
        if workers > 0 and self.executor is None:
            context = multiprocessing.get_context("spawn")
            self.executor = ProcessPoolExecutor(
                workers, mp_context=context,
                initializer=parse_worker.prepare, initargs=(self._rules(),),
            )  # fmt: skip
            _widen_pipes(self.executor)
        return self.executor

    def start_soon(self, workers: int, rules: RuleSet | None = None) -> None:
        """Have every process start now, importing and compiling `rules` (~0.7 s of CPU
        each) while the caller goes on, instead of once the first feed body has arrived. One
        no-op task per process; running ones just run it (and compile `rules` if new)."""
        pool = self.get(workers)
        if pool is None:
            return
        try:
            for _ in range(workers):
                pool.submit(parse_worker.ready, rules)
        except (OSError, RuntimeError) as exc:  # BrokenProcessPool: each feed reports it
            log.error("parsing processes did not start reason=%s", exc)

    async def start(self, workers: int) -> None:
        """Start the processes and wait until each has its imports done and the rules
        compiled (about a second of CPU each)."""
        pool = self.get(workers)
        if pool is None:
            return
        began = time.monotonic()
        loop = asyncio.get_running_loop()
        try:
            # One task per process: each submit with no idle process starts a new one.
            await asyncio.gather(
                *(loop.run_in_executor(pool, parse_worker.ready) for _ in range(workers))
            )
        except (OSError, BrokenProcessPool) as exc:  # polls will report each feed's failure
            log.error("parsing processes did not start reason=%s", exc)
            return
        log.info("parsing processes ready count=%d seconds=%.1f", workers,
                 time.monotonic() - began)  # fmt: skip

    def stop(self) -> None:
        """Let the processes exit once their work is done. Blocking."""
        if self.executor is not None:
            pool, self.executor = self.executor, None
            pool.shutdown(wait=True)
            del pool  # its queues' semaphores go with it (the tracker would report them leaked)
            gc.collect()
            stop_resource_tracker()

    def close(self) -> None:
        """Stop the processes without waiting for their work."""
        if self.executor is not None:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = None


PIPE_BYTES = 1 << 20  # Linux's default limit for an unprivileged process (fs.pipe-max-size)


def _widen_pipes(executor: ProcessPoolExecutor) -> None:
    """Let a feed body travel to a parsing process, and its items back, in one write.

    A task (a ~60 KB body and the rules) and a result (its items) are larger than a pipe's
    default 64 KB, so each crossing took several writes, and between them the writing side
    waited for the reader: a parsing process sat blocked until this process's busy threads
    let the one reading its results run (bench_process, 200 feeds: 0.13-0.21 s of its 3 s
    asleep; 0.01-0.02 s with 1 MB pipes). The pipes belong to the executor's queues
    (CPython internals, hence the care); where they cannot be widened, nothing changes.
    """
    setpipe = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
    queues = (getattr(executor, "_call_queue", None), getattr(executor, "_result_queue", None))
    ends = (getattr(queues[0], "_writer", None), getattr(queues[1], "_reader", None))
    for end in ends:
        if setpipe is None or end is None:
            continue
        with contextlib.suppress(OSError, ValueError):
            fcntl.fcntl(end.fileno(), setpipe, PIPE_BYTES)
