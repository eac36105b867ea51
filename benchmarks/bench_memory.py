"""Memory of the pipeline's whole process tree: 500 feeds configured, 10,000 items stored.

    python benchmarks/bench_memory.py            # 500 feeds x 20 items = 10,000 items
    python benchmarks/bench_memory.py --smoke    # 50 feeds x 20 items (CI)

This process builds the pipeline as the bot does (bundled rules, SQLite file, httpx client,
500 feeds served from a loopback host in a separate process, 100 ms per response, the two
parsing processes started before the first poll), then runs one poll that stores all 10,000
items and the search indexing step the bot runs after each poll, then waits 8 s.

Measured (benchmarks/_measure.py), over the tree of this process and its descendants (the
parsing processes and their fork server; the feed host is left out):
- PSS summed over the tree (/proc/<pid>/smaps_rollup), sampled every 0.1 s from before the
  poll until 8 s after the indexing step: the peak, and the figure at rest 8 s after it;
- as before this change, the main process alone: peak RSS (VmHWM), which leaves the parsing
  processes out, and its RSS once everything is built, before the poll.

Targets, fixed before measuring: main-process peak RSS < 150 MB (this file's target since it
was written); whole-tree PSS ≤ 200 MB at peak and ≤ 120 MB at rest (issue #18). MB are 10^6
bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
from benchmarks._common import (
    RULES_DIR,
    build_pipeline,
    emit,
    feed_host_process,
    machine,
    rss_mb,
    write_corpus,
)
from benchmarks._measure import MB, TreePss, tree_pss

TARGET_MB = 150  # main process, peak RSS
TARGET_PEAK_MB = 200  # whole tree, PSS peak (issue #18)
TARGET_REST_MB = 120  # whole tree, PSS at rest (issue #18)
REST_AFTER = 8.0  # seconds after the poll and its indexing step


@dataclass
class Figures:
    before_rss: float  # MiB, main process, before the poll
    before_pss: int  # bytes, whole tree, before the poll
    stored: int
    poll_s: float
    peak_pss: int  # bytes, whole tree, sampled
    rest_pss: int  # bytes, whole tree, REST_AFTER s after the poll
    rest_each: dict[int, int]  # pid → PSS bytes at rest
    samples: int
    processes: int


async def measure(base_url: str, names: list[str], db: Path) -> Figures:
    from bot.matching import load_rules
    from bot.models import FeedConfig
    from bot.sources.fetch import make_http_client
    from storage import make_engine, upgrade
    from storage.engine import session_scope
    from storage.items import totals

    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    rules = load_rules(RULES_DIR)
    feeds = [FeedConfig(url=f"{base_url}/feeds/{n}", name=f"Memory {n}") for n in names]
    http = make_http_client(20.0, 5)
    pipeline = build_pipeline(
        engine=engine, rules=lambda: rules, seeds_dir=None, feeds=feeds, http=http,
        poll_interval=600,
    )  # fmt: skip
    try:
        await pipeline.start_parsers()  # as the bot does at start-up
        gc.collect()
        before_rss, _ = rss_mb()
        before_pss, _ = tree_pss()
        with TreePss(interval=0.1) as sampler:
            began = time.perf_counter()
            report = await pipeline.poll(corpus=False)
            await pipeline.index_search()
            poll_s = time.perf_counter() - began
            await asyncio.sleep(REST_AFTER)  # no gc.collect(): at rest as a running bot is
            rest_pss, rest_each = tree_pss()
        if report.errors:  # reported, not fatal (the table shows how many items were stored)
            print(f"  WARNING: {len(report.errors)} feed(s) failed, e.g. {report.errors[:2]}")
        with session_scope(engine) as session:
            stored, _ = totals(session)
    finally:
        pipeline.close()
        await http.aclose()
        engine.dispose()
    return Figures(before_rss, before_pss, stored, poll_s, sampler.peak, rest_pss, rest_each,
                   sampler.samples, sampler.processes)  # fmt: skip


def main() -> None:
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
    main_rest = f.rest_each.get(os.getpid(), 0)
    others = sorted((b for pid, b in f.rest_each.items() if pid != os.getpid()), reverse=True)
    print(f"  {n_feeds} feeds configured, {f.stored} items stored by one poll "
          f"(poll + search indexing: {f.poll_s:.1f} s)")  # fmt: skip
    print(f"  whole tree ({f.processes} processes at most), PSS: before the poll "
          f"{f.before_pss / MB:.0f} MB; peak {f.peak_pss / MB:.0f} MB ({f.samples} samples); "
          f"{REST_AFTER:.0f} s after the poll {f.rest_pss / MB:.0f} MB")  # fmt: skip
    print(f"  at rest: main process {main_rest / MB:.0f} MB, the others "
          f"{', '.join(f'{b / MB:.0f}' for b in others)} MB")  # fmt: skip
    print(f"  main process only: RSS before the poll {f.before_rss:.0f} MiB; peak (VmHWM) "
          f"{peak:.0f} MiB\n")  # fmt: skip
    corpus = f"{n_feeds} feeds, {f.stored} items"
    work = (f"measured over: start-up with the parsing processes, one poll of {n_feeds} feeds, "
            f"the search indexing step, {REST_AFTER:.0f} s at rest")  # fmt: skip
    emit(f"memory: peak RSS after a poll (main process only: VmHWM; the parsing processes "
         f"not counted) [{work}]",
         f"{peak:.0f} MiB ({corpus})", f"{f.before_rss:.0f} MiB before the poll",
         f"{peak / f.before_rss:.2f}×", f"< {TARGET_MB} MB ({TARGET_MB * MB / 2**20:.0f} MiB)",
         peak * 2**20 < TARGET_MB * MB)  # fmt: skip
    emit(f"memory: whole-tree PSS peak (main + parsing processes, sampled every 0.1 s; the "
         f"feed host not counted) [{work}]",
         f"{f.peak_pss / MB:.0f} MB ({corpus})", f"{f.before_pss / MB:.0f} MB before the poll",
         f"{f.peak_pss / f.before_pss:.2f}×", f"≤ {TARGET_PEAK_MB} MB",
         f.peak_pss <= TARGET_PEAK_MB * MB)  # fmt: skip
    emit(f"memory: whole-tree PSS at rest, {REST_AFTER:.0f} s after the poll and its indexing "
         f"step (main + parsing processes; the feed host not counted)",
         f"{f.rest_pss / MB:.0f} MB ({corpus}; main {main_rest / MB:.0f} MB)",
         f"{f.before_pss / MB:.0f} MB before the poll", f"{f.rest_pss / f.before_pss:.2f}×",
         f"≤ {TARGET_REST_MB} MB", f.rest_pss <= TARGET_REST_MB * MB)  # fmt: skip


if __name__ == "__main__":
    main()
