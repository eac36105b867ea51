"""A full geoalert poll against same-run baselines: bare feedparser and the `reader` library.

    python benchmarks/bench_pipeline.py            # 200 feeds x 50 items, 100 ms per response
    python benchmarks/bench_pipeline.py --smoke    # 10 feeds x 10 items (CI)

Feeds (half English, half Russian, ~1 KB HTML descriptions, ~10 % topical, every 5th one
Atom) are served from a loopback HTTP server in a separate process, with ETag/Last-Modified
and a fixed latency per response. Measured in one run:

- geoalert: `Pipeline.poll(corpus=False)`: real fetch (httpx), parse (feedparser), normalise,
  match with the bundled rules/, store in a temporary SQLite file (the parsing processes are
  started first, as the bot starts them at start-up); then, timed on its own, the search
  indexing step the bot runs after each poll (`Pipeline.index_search()`: reader's
  `update_search()` counterpart, which reader's `update_feeds` does not include either);
- bare feedparser: `feedparser.parse` of the same bytes, one core, no network;
- reader: `Reader.update_feeds(workers=20)` on the same URLs (skipped when not installed);

then a second poll where every feed answers 304 (geoalert: `poll(force=True)`; reader: its own
second update, `scheduled=False` so its schedule does not skip the feeds).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
from benchmarks._common import (
    RULES_DIR,
    Span,
    build_pipeline,
    emit,
    feed_host_process,
    host_stats,
    machine,
    make_corpus,
)

WORKERS = 20


async def geoalert_polls(
    base_url: str, paths: list[str], db: Path
) -> tuple[Span, int, Span, Span, int]:
    """(cold poll, items stored, search indexing after it, all-304 poll, feeds not modified)."""
    from bot.matching import load_rules
    from bot.models import FeedConfig
    from bot.sources.fetch import make_http_client
    from storage import make_engine, upgrade

    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    rules = load_rules(RULES_DIR)
    feeds = [FeedConfig(url=base_url + p, name=f"Bench {i}") for i, p in enumerate(paths)]
    http = make_http_client(20.0, 5)
    try:
        pipeline = build_pipeline(
            engine=engine, rules=lambda: rules, seeds_dir=None, feeds=feeds, http=http,
            poll_interval=600,
        )  # fmt: skip
        await pipeline.start_parsers()  # as the bot does at start-up, before its first poll
        with Span() as cold_s:
            cold = await pipeline.poll(corpus=False)
        with Span() as index_s:
            indexed = await pipeline.index_search()
        if indexed != cold.new_items:
            print(f"  WARNING: {indexed} items indexed for search, {cold.new_items} stored")
        if cold.errors:  # reported, not fatal: lost feeds are a finding too
            print(
                f"  WARNING: cold poll: {len(cold.errors)} feed(s) failed, e.g. {cold.errors[:2]}"
            )
        with Span() as warm_s:
            warm = await pipeline.poll(corpus=False, force=True)
        if warm.errors:
            print(f"  WARNING: 304 poll: {len(warm.errors)} feed(s) failed, e.g. {warm.errors[:2]}")
        print(f"  geoalert: {cold.new_items} items, {len(cold.new_matches)} matched, "
              f"{cold.alerts_queued} alerts queued")  # fmt: skip
        return cold_s, cold.new_items, index_s, warm_s, warm.feeds_not_modified
    finally:
        await http.aclose()
        engine.dispose()


def bare_feedparser(bodies: list[bytes]) -> tuple[Span, int]:
    import feedparser

    feedparser.parse(io.BytesIO(bodies[0]))  # warm up lazy imports
    with Span() as span:
        entries = sum(len(feedparser.parse(io.BytesIO(b)).entries) for b in bodies)
    return span, entries


def reader_updates(urls: list[str], db: Path) -> tuple[Span, int, Span] | None:
    try:
        from reader import make_reader
    except ImportError:
        return None
    reader = make_reader(str(db))
    try:
        for url in urls:
            reader.add_feed(url)
        with Span() as cold_s:
            reader.update_feeds(workers=WORKERS)
        entries = reader.get_entry_counts().total
        with Span() as warm_s:
            reader.update_feeds(workers=WORKERS, scheduled=False)
        return cold_s, entries, warm_s
    finally:
        reader.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="10 feeds x 10 items (CI)")
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per response")
    args = parser.parse_args()
    n_feeds, n_items = (10, 10) if args.smoke else (args.feeds, args.items)

    corpus = make_corpus(n_feeds, n_items)
    paths = list(corpus)
    bodies = [corpus[p] for p in paths]
    size = sum(map(len, bodies))
    print(f"machine: {machine()}")
    print(f"corpus: {n_feeds} feeds x {n_items} items, {size / 2**20:.1f} MiB, "
          f"{args.latency * 1000:.0f} ms per response")  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        served = tmp / "feeds"
        served.mkdir()
        for p, body in corpus.items():
            (served / Path(p).name).write_bytes(body)

        fp_s, fp_items = bare_feedparser(bodies)
        with feed_host_process(served, args.latency) as base_url:
            g_cold_s, g_items, g_index_s, g_warm_s, g_304 = asyncio.run(
                geoalert_polls(base_url, paths, tmp / "geoalert.db")
            )
            before = host_stats(base_url)
            urls = [base_url + p for p in paths]
            r = reader_updates(urls, tmp / "reader.sqlite")
            after = host_stats(base_url)
            r_304 = after.get("304", 0) - before.get("304", 0)
            if r is not None and r_304 != n_feeds:
                print(f"warning: reader's second update got {r_304} 304s for {n_feeds} feeds")

    g_rate = g_items / g_cold_s.wall
    g_indexed_rate = g_items / (g_cold_s.wall + g_index_s.wall)
    g_feeds_rate = n_feeds / g_warm_s.wall
    fp_rate = fp_items / fp_s.wall
    head = f"{'':<34} {'items':>7} {'seconds':>8} {'items/s':>9} {'CPU s':>7} {'CPU ms/item':>11}"
    print("\n" + head)
    row = "{:<34} {:>7} {:>8.2f} {:>9.0f} {:>7.2f} {:>11.3f}"
    print(row.format("geoalert poll (cold)", g_items, g_cold_s.wall, g_rate, g_cold_s.cpu,
                     1000 * g_cold_s.cpu / g_items))  # fmt: skip
    print(row.format("  then search indexing step", g_items, g_index_s.wall,
                     g_items / g_index_s.wall, g_index_s.cpu,
                     1000 * g_index_s.cpu / g_items))  # fmt: skip
    print(row.format("  poll + search indexing", g_items, g_cold_s.wall + g_index_s.wall,
                     g_indexed_rate, g_cold_s.cpu + g_index_s.cpu,
                     1000 * (g_cold_s.cpu + g_index_s.cpu) / g_items))  # fmt: skip
    print(row.format("bare feedparser (1 core, no I/O)", fp_items, fp_s.wall, fp_rate, fp_s.cpu,
                     1000 * fp_s.cpu / fp_items))  # fmt: skip
    if r is not None:
        r_cold_s, r_items, r_warm_s = r
        r_rate = r_items / r_cold_s.wall
        r_feeds_rate = n_feeds / r_warm_s.wall
        print(row.format(f"reader update_feeds({WORKERS} workers)", r_items, r_cold_s.wall, r_rate,
                         r_cold_s.cpu, 1000 * r_cold_s.cpu / max(r_items, 1)))  # fmt: skip
    print(f"\n{'all feeds 304':<34} {'feeds':>7} {'seconds':>8} {'feeds/s':>9} {'CPU s':>7}")
    row = "{:<34} {:>7} {:>8.2f} {:>9.1f} {:>7.2f}"
    print(row.format("geoalert poll(force=True)", g_304, g_warm_s.wall, g_feeds_rate, g_warm_s.cpu))
    if r is not None:
        print(
            row.format("reader second update", n_feeds, r_warm_s.wall, r_feeds_rate, r_warm_s.cpu)
        )
    else:
        print("reader: skipped (reader not installed)")
    print()

    if g_304 != n_feeds:
        print(f"warning: only {g_304} of {n_feeds} feeds answered 304 on the second geoalert poll")
    emit("pipeline: cold poll vs feedparser", f"{g_rate:.0f} items/s",
         f"{fp_rate:.0f} items/s (bare feedparser, 1 core)", f"{g_rate / fp_rate:.2f}×", "≥ 1.0×",
         g_rate >= fp_rate and g_items == fp_items)  # fmt: skip
    emit("pipeline: cold poll + search indexing vs feedparser", f"{g_indexed_rate:.0f} items/s",
         f"{fp_rate:.0f} items/s (bare feedparser, 1 core)", f"{g_indexed_rate / fp_rate:.2f}×",
         "(reported, no target)", None)  # fmt: skip
    if r is None:
        skipped = "skipped (reader not installed)"
        emit("pipeline: cold poll vs reader", f"{g_rate:.0f} items/s", skipped, "—", "≥ 1.5×", None)
        emit("pipeline: all-304 poll vs reader", f"{g_feeds_rate:.1f} feeds/s", skipped, "—",
             "≥ 2×", None)  # fmt: skip
    else:
        emit("pipeline: cold poll vs reader", f"{g_rate:.0f} items/s",
             f"{r_rate:.0f} items/s (reader, {WORKERS} workers)", f"{g_rate / r_rate:.2f}×",
             "≥ 1.5×", g_rate >= 1.5 * r_rate)  # fmt: skip
        emit("pipeline: all-304 poll vs reader", f"{g_feeds_rate:.1f} feeds/s",
             f"{r_feeds_rate:.1f} feeds/s (reader)", f"{g_feeds_rate / r_feeds_rate:.2f}×",
             "≥ 2×", g_feeds_rate >= 2 * r_feeds_rate)  # fmt: skip


if __name__ == "__main__":
    main()
