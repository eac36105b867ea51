"""Memory of the pipeline's whole process tree: 500 feeds configured, 10,000 items stored.

    python benchmarks/bench_memory.py            # 500 feeds x 20 items = 10,000 items
    python benchmarks/bench_memory.py --smoke    # 50 feeds x 20 items (CI)

This process builds the pipeline (bundled rules, SQLite file, httpx client, 500 feeds served
from a loopback host in a separate process, 100 ms per response) and polls once as the bot's
poll job does (`Runtime.poll`), with as many parsing processes as the bot starts on this
machine (`GEOALERT_PARSE_WORKERS`' default: one per core but one, at most two): the database
migrated as `geoalert run` migrates it (in a child process), `Pipeline.update()` (the poll,
which starts the parsing processes, then the search indexing step), then `stop_parsers()`,
the caches `Runtime.poll` drops between polls far apart, and `release_memory()`; then it
waits 8 s. (Code from before the bot started its parsing processes with each poll: they are
started before the poll, as the bot then did at start-up, and stay.)

Measured (benchmarks/_measure.py), over the tree of this process and its descendants (the
parsing processes; the feed host is left out):
- PSS summed over the tree (/proc/<pid>/smaps_rollup), sampled every 0.1 s from before the
  poll until 8 s after it: the peak, and the figure at rest 8 s after the poll;
- as before this change, the main process alone: peak RSS (VmHWM), which leaves the parsing
  processes out, and its RSS once everything is built, before the poll.

The parsing processes are spawned, and a spawned process imports the main module again: this
script imports nothing at module level beyond `sys` and `pathlib`, so that they carry what
they carry under the bot (whose main module imports nothing either).

Targets, fixed before measuring: main-process peak RSS < 150 MB (this file's target since it
was written); whole-tree PSS ≤ 200 MB at peak and ≤ 120 MB at rest (issue #18). MB are 10^6
bytes.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

TARGET_MB = 150  # main process, peak RSS
TARGET_PEAK_MB = 200  # whole tree, PSS peak (issue #18)
TARGET_REST_MB = 120  # whole tree, PSS at rest (issue #18)
REST_AFTER = 8.0  # seconds after the poll and its indexing step


def _forget_caches(engine: object, rules: object) -> None:
    """What `Runtime.poll` drops after a poll when polls are far apart (`_forget_caches`):
    pooled connections, the word-stem cache, the compiled rules (each where the code has it)."""
    engine.dispose()  # type: ignore[attr-defined]
    try:
        from bot.text.words import stem
    except ImportError:
        return
    stem.cache_clear()
    forget = getattr(rules, "forget_compiled", None)
    if forget is not None:
        forget()


async def measure(base_url: str, names: list[str], db: Path) -> SimpleNamespace:
    """The figures of one poll (see the module docstring); bytes for PSS, MiB for RSS."""
    import asyncio
    import gc
    import time

    from benchmarks._common import RULES_DIR, build_pipeline, rss_mb
    from benchmarks._measure import TreePss, tree_pss
    from bot.matching import load_rules
    from bot.models import FeedConfig
    from bot.sources.fetch import make_http_client
    from storage import make_engine, upgrade
    from storage.engine import session_scope
    from storage.items import totals

    try:
        from bot.memory import release_memory
    except ImportError:  # code from before the bot gave memory back after a poll
        release_memory = gc.collect  # type: ignore[assignment]

    engine = make_engine(f"sqlite:///{db}")
    try:
        upgrade(engine, isolated=True)  # as `geoalert run` migrates: Alembic in a child process
    except TypeError:  # code from before that: Alembic in this process
        upgrade(engine)
    rules = load_rules(RULES_DIR)
    feeds = [FeedConfig(url=f"{base_url}/feeds/{n}", name=f"Memory {n}") for n in names]
    http = make_http_client(20.0, 5)
    try:  # as many parsing processes as the bot starts on this machine
        from bot.config import default_parse_workers
    except ImportError:  # code from before that default: two
        workers = 2
    else:
        workers = default_parse_workers()
    pipeline = build_pipeline(
        engine=engine, rules=lambda: rules, seeds_dir=None, feeds=feeds, http=http,
        poll_interval=600, parse_workers=workers,
    )  # fmt: skip
    per_poll = hasattr(pipeline, "stop_parsers")  # parsing processes live for one poll
    try:
        if not per_poll:
            await pipeline.start_parsers()  # as the bot then did at start-up
        gc.collect()
        out = SimpleNamespace(before_rss=rss_mb()[0], before_pss=tree_pss()[0])
        with TreePss(interval=0.1) as sampler:
            began = time.perf_counter()
            report = await pipeline.update()  # the poll, then the search indexing step
            if per_poll:
                await asyncio.to_thread(pipeline.stop_parsers)
                _forget_caches(engine, rules)
                release_memory()
            out.poll_s = time.perf_counter() - began
            await asyncio.sleep(REST_AFTER)
            out.rest_pss, out.rest_each = tree_pss()
        if report.errors:  # reported, not fatal (the table shows how many items were stored)
            print(f"  WARNING: {len(report.errors)} feed(s) failed, e.g. {report.errors[:2]}")
        with session_scope(engine) as session:
            out.stored, _ = totals(session)
    finally:
        pipeline.close()
        await http.aclose()
        engine.dispose()
    out.peak_pss, out.samples, out.processes = sampler.peak, sampler.samples, sampler.processes
    out.workers = workers
    return out


def main() -> None:
    import argparse
    import asyncio
    import os
    import tempfile

    from benchmarks._common import emit, feed_host_process, machine, rss_mb, write_corpus
    from benchmarks._measure import MB

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="50 feeds x 20 items (CI)")
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=20, help="items per feed")
    args = parser.parse_args()
    n_feeds = 50 if args.smoke else args.feeds
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        served = tmp / "feeds"
        served.mkdir()
        write_corpus(served, n_feeds, args.items, seed=3)
        names = sorted(p.name for p in served.iterdir())
        with feed_host_process(served, 0.1) as base_url:
            f = asyncio.run(measure(base_url, names, tmp / "memory.db"))
    _, peak = rss_mb()
    before_rss, before_pss, peak_pss, rest_pss = f.before_rss, f.before_pss, f.peak_pss, f.rest_pss
    rest_each: dict[int, int] = f.rest_each
    main_rest = rest_each.get(os.getpid(), 0)
    others = sorted((b for pid, b in rest_each.items() if pid != os.getpid()), reverse=True)
    print(f"  {n_feeds} feeds configured, {f.stored} items stored by one poll "
          f"(poll + search indexing: {f.poll_s:.1f} s), "
          f"{f.workers} parsing process(es)")  # fmt: skip
    print(f"  whole tree ({f.processes} processes at most), PSS: before the poll "
          f"{before_pss / MB:.0f} MB; peak {peak_pss / MB:.0f} MB ({f.samples} samples); "
          f"{REST_AFTER:.0f} s after the poll {rest_pss / MB:.0f} MB")  # fmt: skip
    print(f"  at rest: main process {main_rest / MB:.0f} MB, others: "
          f"{', '.join(f'{b / MB:.0f} MB' for b in others) or 'none'}")  # fmt: skip
    print(f"  main process only: RSS before the poll {before_rss:.0f} MiB; peak (VmHWM) "
          f"{peak:.0f} MiB\n")  # fmt: skip
    corpus = f"{n_feeds} feeds, {f.stored} items, {f.workers} parsing process(es)"
    work = (f"measured over: start-up, one poll of {n_feeds} feeds with its search indexing "
            f"step as the bot's poll job runs it, {REST_AFTER:.0f} s at rest")  # fmt: skip
    emit(f"memory: peak RSS after a poll (main process only: VmHWM; the parsing processes "
         f"not counted) [{work}]",
         f"{peak:.0f} MiB ({corpus})", f"{before_rss:.0f} MiB before the poll",
         f"{peak / before_rss:.2f}×", f"< {TARGET_MB} MB ({TARGET_MB * MB / 2**20:.0f} MiB)",
         peak * 2**20 < TARGET_MB * MB)  # fmt: skip
    emit(f"memory: whole-tree PSS peak (main + parsing processes, sampled every 0.1 s; the "
         f"feed host not counted) [{work}]",
         f"{peak_pss / MB:.0f} MB ({corpus})", f"{before_pss / MB:.0f} MB before the poll",
         f"{peak_pss / before_pss:.2f}×", f"≤ {TARGET_PEAK_MB} MB",
         peak_pss <= TARGET_PEAK_MB * MB)  # fmt: skip
    emit(f"memory: whole-tree PSS at rest, {REST_AFTER:.0f} s after the poll and its indexing "
         f"step (main + any parsing processes left; the feed host not counted)",
         f"{rest_pss / MB:.0f} MB ({corpus}; main {main_rest / MB:.0f} MB)",
         f"{before_pss / MB:.0f} MB before the poll", f"{rest_pss / before_pss:.2f}×",
         f"≤ {TARGET_REST_MB} MB", rest_pss <= TARGET_REST_MB * MB)  # fmt: skip


if __name__ == "__main__":
    main()
