"""Give memory back to the operating system after a large piece of work.

A poll of thousands of items allocates and frees a lot of small objects; CPython's allocator
and glibc's malloc keep the freed memory mapped, so the process stays as large as its
busiest moment. After a poll the bot collects cycles and asks glibc to return free pages
(`malloc_trim`); elsewhere (musl, macOS) only the collection runs.
"""

from __future__ import annotations

import atexit
import gc
import os
from collections.abc import Callable
from functools import cache
from multiprocessing import resource_tracker


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes.util  # here: a parsing process imports this module for `exit_without_collecting`

    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


M_MMAP_THRESHOLD = -3  # glibc mallopt parameter
LARGE_ALLOCATION = 64 * 1024  # bytes; glibc's default threshold starts at 128 KiB and rises


@cache
def _mallopt() -> Callable[[int, int], int] | None:
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).mallopt if name else None
    except (OSError, AttributeError):
        return None


def map_large_allocations() -> None:
    """Give every allocation of 64 KiB or more (feed bodies, their pickles, joined chunks) a
    mapping of its own, returned to the system as soon as it is freed, in this process and in
    the processes it starts (the variable glibc reads at their start).

    By default glibc raises its threshold each time such a block is freed, up to 32 MiB, so
    ~100 KB feed bodies end up in the heap, between small long-lived objects that keep it from
    shrinking: the process stayed as large as the moment most bodies waited to be parsed.
    Elsewhere than glibc, nothing changes."""
    mallopt = _mallopt()
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, LARGE_ALLOCATION)
    os.environ.setdefault("MALLOC_MMAP_THRESHOLD_", str(LARGE_ALLOCATION))


def exit_without_collecting() -> None:
    """At exit, skip the full garbage collection that CPython's finalisation runs over every
    live object: the objects alive then are frozen (`gc.freeze`), and the operating system
    takes the memory back with the process anyway.

    After a poll of 10,000 items that collection was most of the exit: 0.33 s of the main
    process (from its last line of output to its end) and about 0.15 s of a parsing
    process's, which the main process waits for. Objects made during the teardown itself are
    still collected; cleanup that runs at exit (`atexit`, finalizers of objects the teardown
    frees by reference counting) runs as before; finalizers of objects held in reference
    cycles do not (a database connection still open then is closed by the system)."""
    atexit.register(gc.freeze)


def release_memory() -> None:
    """Collect garbage, then return free heap pages to the system where the C library can."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def stop_resource_tracker() -> None:
    """Stop multiprocessing's resource tracker, the helper process that "spawn" starts with
    the first parsing process and that otherwise stays until exit (~7 MB PSS, measured by
    bench_process.py). Only when no multiprocessing lock or queue is left: the next parsing
    process starts it again. Where Python has no way to stop it (`_stop`, 3.11.7+), a no-op."""
    stop = getattr(resource_tracker._resource_tracker, "_stop", None)
    if stop is not None:
        stop()
