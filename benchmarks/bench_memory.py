"""Resident memory of a process running the pipeline: 500 feeds configured, 10,000 items stored.

    python benchmarks/bench_memory.py            # 500 feeds x 20 items = 10,000 items
    python benchmarks/bench_memory.py --smoke    # 50 feeds x 20 items (CI)

This process builds the pipeline (bundled rules, SQLite file, httpx client, 500 feeds served
from a loopback host in a separate process, 100 ms per response) and runs one poll that
stores all 10,000 items. Reported: peak RSS (VmHWM from /proc/self/status) after the poll,
RSS after the poll, and the baseline: RSS once everything is imported and built, before the
poll. Target: peak < 150 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
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

TARGET_MB = 150


async def measure(base_url: str, names: list[str], db: Path) -> tuple[float, int, float]:
    """(RSS before the poll, items stored, RSS after the poll)."""
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
    gc.collect()
    before, _ = rss_mb()
    report = await pipeline.poll(corpus=False)
    if report.errors:  # reported, not fatal (the table shows how many items were stored)
        print(f"  WARNING: {len(report.errors)} feed(s) failed, e.g. {report.errors[:2]}")
    with session_scope(engine) as session:
        stored, _ = totals(session)
    gc.collect()
    after, _ = rss_mb()
    await http.aclose()
    return before, stored, after


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
            before, stored, after = asyncio.run(measure(base_url, names, tmp / "memory.db"))
    _, peak = rss_mb()
    print(f"  {n_feeds} feeds configured, {stored} items stored by one poll")
    print(f"  RSS before the poll (imports, rules, engine, client): {before:.0f} MiB")
    print(f"  RSS after the poll: {after:.0f} MiB; peak (VmHWM): {peak:.0f} MiB\n")
    target = f"< {TARGET_MB} MB ({TARGET_MB * 10**6 / 2**20:.0f} MiB)"
    emit("memory: peak RSS after a poll", f"{peak:.0f} MiB ({n_feeds} feeds, {stored} items)",
         f"{before:.0f} MiB before the poll", f"{peak / before:.2f}×", target,
         peak * 2**20 < TARGET_MB * 10**6)  # fmt: skip


if __name__ == "__main__":
    main()
