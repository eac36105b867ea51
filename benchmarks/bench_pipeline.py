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
- bare feedparser: `feedparser.parse` of the same bytes, one core, no network, with geoalert's
  parse settings (`sanitize_html=False, resolve_relative_uris=False`, as in
  bot/sources/parse.py: HTML becomes plain text there, so feedparser's sanitising and URI
  resolution would be thrown away), and again with feedparser's defaults (both on), reported
  as its own row;
- reader: `Reader.update_feeds(workers=20)` on the same URLs (skipped when not installed),
  as shipped (reader's parser sanitises and resolves URIs);

then a second poll where every feed answers 304 (geoalert: `poll(force=True)`; reader: its own
second update, `scheduled=False` so its schedule does not skip the feeds).

CPU seconds count the whole process tree (benchmarks/_measure.py): geoalert's parsing
processes as well as the main process; the feed host process is left out. Each RESULT row
names what is inside its timers and what is outside them.
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
# geoalert's feedparser settings (bot/sources/parse.py: parse_feed); checked in `parse_settings`.
SAME_SETTINGS = {"sanitize_html": False, "resolve_relative_uris": False}
OUTSIDE = "not timed: imports, set-up, parsing processes' start-up"
TIMERS = {
    "poll": "Pipeline.poll = loopback fetch (100 ms/response) + parse (2 processes) + match "
    "+ store + alerts queued",
    "fp": "feedparser.parse of the same bytes from memory, 1 core, no network",
    "reader": f"reader update_feeds({WORKERS} workers) = fetch + parse (sanitising on, as "
    "shipped) + store",
    "304": "geoalert poll(force=True); reader's second update_feeds; every feed answers 304",
}


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


def parse_settings() -> None:
    """Warn when bot/sources/parse.py no longer passes SAME_SETTINGS (the baseline would then
    compare unequal work again)."""
    import inspect

    from bot.sources import parse

    source = inspect.getsource(parse)
    missing = [f"{k}={v}" for k, v in SAME_SETTINGS.items() if f"{k}={v}" not in source]
    if missing:
        print(f"  WARNING: bot/sources/parse.py no longer passes {', '.join(missing)}")


def bare_feedparser(bodies: list[bytes], **settings: bool) -> tuple[Span, int]:
    """feedparser.parse of every body, one after another, with `settings`."""
    import feedparser

    feedparser.parse(io.BytesIO(bodies[0]), **settings)  # warm up lazy imports
    with Span() as span:
        entries = sum(len(feedparser.parse(io.BytesIO(b), **settings).entries) for b in bodies)
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
    parse_settings()

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        served = tmp / "feeds"
        served.mkdir()
        for p, body in corpus.items():
            (served / Path(p).name).write_bytes(body)

        fp = bare_feedparser(bodies, **SAME_SETTINGS)
        fp_default = bare_feedparser(bodies)
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
    if g_304 != n_feeds:
        print(f"warning: only {g_304} of {n_feeds} feeds answered 304 on the second geoalert poll")
    report(n_feeds, (g_cold_s, g_items, g_index_s, g_warm_s, g_304), fp, fp_default, r)


Geoalert = tuple[Span, int, Span, Span, int]


def report(
    n_feeds: int,
    g: Geoalert,
    fp: tuple[Span, int],
    fp_default: tuple[Span, int],
    r: tuple[Span, int, Span] | None,
) -> None:
    """The human tables, then the RESULT rows."""
    g_cold_s, g_items, g_index_s, g_warm_s, g_304 = g
    indexed = Span()  # the poll and the indexing step after it, added up
    indexed.wall, indexed.cpu = g_cold_s.wall + g_index_s.wall, g_cold_s.cpu + g_index_s.cpu
    indexed.cpu_self = g_cold_s.cpu_self + g_index_s.cpu_self
    head = (f"{'':<38} {'items':>7} {'seconds':>8} {'items/s':>9} {'CPU s':>7} "
            f"{'other proc.':>11} {'CPU ms/item':>11}")  # fmt: skip
    print("\n" + head + "\n(CPU s: the whole process tree; other proc.: the parsing processes)")
    lines = [
        ("geoalert poll (cold)", g_items, g_cold_s),
        ("  then search indexing step", g_items, g_index_s),
        ("  poll + search indexing", g_items, indexed),
        ("bare feedparser, geoalert's settings", fp[1], fp[0]),
        ("bare feedparser, default settings", fp_default[1], fp_default[0]),
    ]
    if r is not None:
        lines.append((f"reader update_feeds({WORKERS} workers)", r[1], r[0]))
    for name, n, span in lines:
        print(f"{name:<38} {n:>7} {span.wall:>8.2f} {n / span.wall:>9.0f} {span.cpu:>7.2f} "
              f"{span.cpu_others:>11.2f} {1000 * span.cpu / max(n, 1):>11.3f}")  # fmt: skip
    print(f"\n{'all feeds 304':<38} {'feeds':>7} {'seconds':>8} {'feeds/s':>9} {'CPU s':>7}")
    print(f"{'geoalert poll(force=True)':<38} {g_304:>7} {g_warm_s.wall:>8.2f} "
          f"{n_feeds / g_warm_s.wall:>9.1f} {g_warm_s.cpu:>7.2f}")  # fmt: skip
    if r is not None:
        print(f"{'reader second update':<38} {n_feeds:>7} {r[2].wall:>8.2f} "
              f"{n_feeds / r[2].wall:>9.1f} {r[2].cpu:>7.2f}")  # fmt: skip
    else:
        print("reader: skipped (reader not installed)")
    print()

    def cell(n: int, span: Span, unit: str = "items") -> str:
        out = f"{n / span.wall:.{0 if unit == 'items' else 1}f} {unit}/s, CPU {span.cpu:.2f} s"
        if span.cpu_others >= 0.005:
            out += f" (main {span.cpu_self:.2f} + parsing processes {span.cpu_others:.2f})"
        return out

    g_rate, fp_rate = g_items / g_cold_s.wall, fp[1] / fp[0].wall
    fpd_rate = fp_default[1] / fp_default[0].wall
    poll, bare = TIMERS["poll"], TIMERS["fp"]
    emit(f"pipeline: cold poll vs feedparser (same parse settings: sanitising and URI resolution "
         f"off) [timed: geoalert {poll}; baseline {bare}; {OUTSIDE}, search indexing]",
         cell(g_items, g_cold_s), f"{cell(fp[1], fp[0])} (bare feedparser, 1 core)",
         f"{g_rate / fp_rate:.2f}×", "≥ 1.0×", g_rate >= fp_rate and g_items == fp[1])  # fmt: skip
    emit(f"pipeline: cold poll vs feedparser (feedparser's defaults: sanitising and URI "
         f"resolution on) [timed: geoalert {poll}; baseline {bare}; {OUTSIDE}, search indexing]",
         cell(g_items, g_cold_s), f"{cell(fp_default[1], fp_default[0])} (bare feedparser, 1 core)",
         f"{g_rate / fpd_rate:.2f}×", "(reported, no target)", None)  # fmt: skip
    emit(f"pipeline: cold poll + search indexing vs feedparser (same parse settings) [timed: "
         f"geoalert Pipeline.poll + Pipeline.index_search; baseline {bare}; {OUTSIDE}]",
         cell(g_items, indexed), f"{cell(fp[1], fp[0])} (bare feedparser, 1 core)",
         f"{g_items / indexed.wall / fp_rate:.2f}×", "(reported, no target)", None)  # fmt: skip
    vs_reader = (f"[timed: geoalert {poll}; baseline {TIMERS['reader']}; {OUTSIDE}, search "
                 "indexing and update_search]")  # fmt: skip
    vs_304 = f"[timed: {TIMERS['304']}; not timed: the cold polls before]"
    if r is None:
        skipped = "skipped (reader not installed)"
        emit(f"pipeline: cold poll vs reader {vs_reader}", cell(g_items, g_cold_s), skipped, "—",
             "≥ 1.5×", None)  # fmt: skip
        emit(f"pipeline: all-304 poll vs reader {vs_304}", cell(n_feeds, g_warm_s, "feeds"),
             skipped, "—", "≥ 2×", None)  # fmt: skip
        return
    r_rate = r[1] / r[0].wall
    g_feeds_rate, r_feeds_rate = n_feeds / g_warm_s.wall, n_feeds / r[2].wall
    emit(f"pipeline: cold poll vs reader {vs_reader}", cell(g_items, g_cold_s),
         f"{cell(r[1], r[0])} (reader, {WORKERS} workers)", f"{g_rate / r_rate:.2f}×", "≥ 1.5×",
         g_rate >= 1.5 * r_rate)  # fmt: skip
    emit(f"pipeline: all-304 poll vs reader {vs_304}", cell(n_feeds, g_warm_s, "feeds"),
         f"{cell(n_feeds, r[2], 'feeds')} (reader)", f"{g_feeds_rate / r_feeds_rate:.2f}×", "≥ 2×",
         g_feeds_rate >= 2 * r_feeds_rate)  # fmt: skip


if __name__ == "__main__":
    main()
