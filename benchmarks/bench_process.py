"""Whole processes, as a user runs them: `geoalert scan`, `geoalert run`, and reader.

    python benchmarks/bench_process.py            # 200 feeds x 50 items, 100 ms, 3 rounds
    python benchmarks/bench_process.py --smoke    # 20 feeds x 10 items, 10 ms, 1 round (CI)
    python benchmarks/bench_process.py --feeds 100 --only run   # VPS sizing (docs/deploy.md)

Corpus: `_common.make_corpus` (half English, half Russian, ~1 KB HTML descriptions, ~10 %
topical, every 5th feed Atom), each feed served from its OWN loopback address (127.0.1.1,
127.0.1.2, …) by a separate process, with a fixed latency per response, ETag/Last-Modified.
So geoalert's cap of 4 fetches at once per server does not bind, as with real feeds.

Measured, each a fresh process on a fresh temporary directory and database, the three runs
interleaved (their order rotates each round) and repeated (full: 3 rounds):
1. `python -m bot.cli scan --json` as shipped: feeds.yaml listing every feed URL, the bundled
   rules/ and seeds/ (the 5 seed items are stored too), SQLite file in the temporary directory,
   GEOALERT_ALLOW_PRIVATE_FEEDS=true, every other setting at its default (parse processes:
   cores − 1, at least 1, at most 2).
   A scan is `Pipeline.update()`: poll, then search indexing of what it stored.
2. reader: `make_reader(db)`, `add_feed` for every URL, `update_feeds(workers=20)`, exit.
3. reader + search: the same, then `enable_search()` and `update_search()`.
Inside each timer: the whole process, from spawn to exit (interpreter start, imports, rules,
fetch, parse, match, store, indexing where done, exit). Outside: corpus generation, the feed
server, counting stored rows afterwards. CPU: user + system seconds of the whole process tree
(`os.wait4` rusage of the process and of every orphan it leaves, this process being a child
subreaper). Memory: PSS summed over the tree (/proc/<pid>/smaps_rollup), sampled every 50 ms.
Same work: rows in geoalert's `items` table from feeds vs reader's `entries`.

4. `python -m bot.cli run` in console mode (no token), GEOALERT_POLL_INTERVAL=600, same feeds:
   tree PSS sampled every 100 ms; its `items` table polled every 100 ms. The poll's last item
   is stored when the count stops growing and the run has logged "poll done". Reported: the
   peak PSS from start to the rest point, and PSS at rest, 8 s (smoke: 2 s) after the last item
   was stored; then SIGTERM. For sizing a server, also RSS summed over the tree (peak and at
   rest: what `ps`/`top` show, shared pages counted in each process) and the tree's CPU seconds
   from spawn to the rest point (start-up and one first poll in which every item is new;
   /proc/<pid>/stat, children the tree waited for included).
`--only` runs a subset of the four (e.g. `--only run` for sizing).

MB are 10^6 bytes. Targets (issue #18), fixed before measuring: whole scan ≥ 1.5× reader's
update_feeds (reader seconds / geoalert seconds, medians); `geoalert run` tree PSS ≤ 200 MB at
peak and ≤ 120 MB at rest. Linux only (/proc, prctl).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
from benchmarks._common import REPO, RULES_DIR, SEEDS_DIR, emit, machine, median, write_corpus
from benchmarks._process import (
    MB,
    READER_SCRIPT,
    Measured,
    Sampler,
    cpu_of,
    feed_hosts_process,
    make_subreaper,
    measure,
    reap,
    tree_cpu,
)

TARGET_RATIO = 1.5  # whole scan vs reader update_feeds
TARGET_PEAK = 200 * MB  # `geoalert run`, whole tree PSS during the first poll
TARGET_REST = 120 * MB  # … 8 s after its last item is stored
WORKERS = 20  # reader's update_feeds(workers=…)
KINDS = ("scan", "reader", "reader+search")
LABELS = {
    "scan": "geoalert scan --json",
    "reader": f"reader update_feeds({WORKERS})",
    "reader+search": "reader update_feeds + update_search",
}


def base_env() -> dict[str, str]:
    """This environment without any geoalert setting (no token: console mode; no DATABASE_URL)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GEOALERT_", "TELEGRAM_")) and k != "DATABASE_URL"}  # fmt: skip
    env["PYTHONPATH"] = str(REPO)
    return env


def geoalert_dir(work: Path, urls: list[str]) -> dict[str, str]:
    """Write work/feeds.yaml; the environment geoalert runs with there."""
    lines = [f"- url: {json.dumps(u)}\n  name: {json.dumps(f'Bench {i}')}"
             for i, u in enumerate(urls)]  # fmt: skip
    (work / "feeds.yaml").write_text("\n".join(lines) + "\n")
    env = base_env()
    env.update(GEOALERT_ALLOW_PRIVATE_FEEDS="true", GEOALERT_RULES_DIR=str(RULES_DIR),
               GEOALERT_SEEDS_DIR=str(SEEDS_DIR))  # fmt: skip
    return env


def count(db: Path, sql: str) -> int:
    """One number from a SQLite file, read-only (raises sqlite3.Error while it is not there)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.05)
    try:
        return int(con.execute(sql).fetchone()[0])
    finally:
        con.close()


FEED_ITEMS = "SELECT count(*) FROM items WHERE source LIKE 'http%'"


def run_one(kind: str, urls: list[str], exclude: int, work: Path) -> tuple[Measured, int]:
    """One measured process of `kind`; (measurement, items/entries it stored from feeds)."""
    if kind == "scan":
        env = geoalert_dir(work, urls)
        m = measure([sys.executable, "-m", "bot.cli", "scan", "--json"], work, env, exclude)
        stored = count(work / "geoalert.db", FEED_ITEMS)
    else:
        (work / "urls.json").write_text(json.dumps(urls))
        (work / "update.py").write_text(READER_SCRIPT)
        search = "search" if kind == "reader+search" else "no"
        cmd = [sys.executable, str(work / "update.py"), str(work / "reader.sqlite"),
               str(work / "urls.json"), search, str(WORKERS)]  # fmt: skip
        m = measure(cmd, work, base_env(), exclude)
        stored = count(work / "reader.sqlite", "SELECT count(*) FROM entries")
    if m.code != 0:
        err = (work / "stderr.txt").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{LABELS[kind]} exited {m.code}:\n{err}")
    return m, stored


def run_console(
    urls: list[str], exclude: int, work: Path, rest: float, timeout: float
) -> dict[str, float]:
    """`geoalert run` (console mode) until `rest` seconds after the first poll's last item is
    stored; its tree PSS peak and at rest, and when things happened (seconds from spawn)."""
    env = geoalert_dir(work, urls)
    env["GEOALERT_POLL_INTERVAL"] = "600"
    db, err_path = work / "geoalert.db", work / "stderr.txt"
    with (
        open(work / "stdout.txt", "wb") as out,
        open(err_path, "wb") as err,
        Sampler(exclude, 0.1, with_rss=True) as sampler,
    ):
        start = time.monotonic()
        cmd = [sys.executable, "-m", "bot.cli", "run"]
        proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=out, stderr=err).pid
        stored, last_at, done_at = -1, start, None
        while True:
            now = time.monotonic()
            if os.waitid(os.P_PID, proc, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                raise RuntimeError("geoalert run exited early:\n" + err_path.read_text()[-3000:])
            if now - start > timeout:
                os.kill(proc, signal.SIGKILL)
                raise RuntimeError(f"geoalert run: no poll done after {timeout:g}s")
            try:
                n = count(db, FEED_ITEMS)
            except sqlite3.Error:
                n = stored
            if n != stored:
                stored, last_at = n, now
            if done_at is None and b"poll done" in err_path.read_bytes():
                done_at = now
            if done_at is not None and now >= last_at + rest:
                break
            time.sleep(0.1)
        at_rest, rss_rest, cpu_rest = sampler.now(), sampler.rss_now(), tree_cpu(exclude)
        peak = max(sampler.peak(), at_rest)
        rss_peak = max([*sampler.rss, rss_rest])
        os.kill(proc, signal.SIGTERM)
        stop_by = time.monotonic() + 30
        while not (exited := os.wait4(proc, os.WNOHANG))[0]:
            if time.monotonic() > stop_by:
                print("  WARNING: geoalert run still alive 30 s after SIGTERM: killed")
                os.kill(proc, signal.SIGKILL)
                stop_by = float("inf")
            time.sleep(0.05)
        cpu = cpu_of(exited[2]) + reap(exclude)
    return {"peak": peak, "rest": at_rest, "rss_peak": rss_peak, "rss_rest": rss_rest,
            "cpu_rest": cpu_rest, "stored": stored, "last_item": last_at - start,
            "poll_done": done_at - start, "cpu": cpu, "procs": sampler.procs}  # fmt: skip


def spread(values: list[float], fmt: str, unit: str = "") -> str:
    """`median<unit> (min–max)`, or the one value."""
    mid = format(median(values), fmt) + unit
    if len(values) == 1:
        return mid
    return f"{mid} ({format(min(values), fmt)}–{format(max(values), fmt)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="20 feeds x 10 items, 1 round (CI)")
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds per response")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rest", type=float, default=8.0, help="seconds after the last item")
    parser.add_argument(
        "--only", default=",".join((*KINDS, "run")),
        help="comma-separated subset of: scan, reader, reader+search, run (default: all); "
        "a ratio needs scan and reader",
    )  # fmt: skip
    args = parser.parse_args()
    only = set(args.only.split(","))
    if unknown := only - {*KINDS, "run"}:
        parser.error(f"--only: unknown {', '.join(sorted(unknown))}")
    if args.smoke:
        args.feeds, args.items, args.latency, args.rounds, args.rest = 20, 10, 0.01, 1, 2.0
    timeout = 120.0 if args.smoke else 600.0
    make_subreaper()
    print(f"machine: {machine()}")
    print(f"corpus: {args.feeds} feeds x {args.items} items, each feed on its own 127.0.x.y, "
          f"{args.latency * 1000:.0f} ms per response; {args.rounds} round(s)")  # fmt: skip
    # reader is the `bench` extra; CI's smoke run has only the test extra: geoalert alone.
    kinds = KINDS if importlib.util.find_spec("reader") is not None else ("scan",)
    if len(kinds) == 1:
        print("reader: skipped (reader not installed; pip install '.[bench]')")
    kinds = tuple(k for k in kinds if k in only)
    runs: dict[str, list[Measured]] = {k: [] for k in KINDS}
    stored: dict[str, list[int]] = {k: [] for k in KINDS}
    console: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "feeds").mkdir()
        write_corpus(tmp / "feeds", args.feeds, args.items)
        with feed_hosts_process(tmp / "feeds", args.latency) as (urls, server):
            for r in range(args.rounds):
                turn = r % max(len(kinds), 1)
                order = kinds[turn:] + kinds[:turn]
                for kind in order:
                    work = tmp / f"{kind}-{r}"
                    work.mkdir()
                    m, n = run_one(kind, urls, server, work)
                    runs[kind].append(m)
                    stored[kind].append(n)
                    print(f"  round {r + 1}: {LABELS[kind]:<36} {m.wall:6.2f} s wall "
                          f"{m.cpu:6.2f} s CPU {m.peak / MB:6.0f} MB PSS peak  {n} stored, "
                          f"{m.procs} processes")  # fmt: skip
                if "run" not in only:
                    continue
                work = tmp / f"run-{r}"
                work.mkdir()
                c = run_console(urls, server, work, args.rest, timeout)
                console.append(c)
                print(f"  round {r + 1}: geoalert run: last item stored at {c['last_item']:.1f} s, "
                      f"poll done at {c['poll_done']:.1f} s, PSS peak {c['peak'] / MB:.0f} MB, "
                      f"at rest {c['rest'] / MB:.0f} MB, RSS peak {c['rss_peak'] / MB:.0f} MB, "
                      f"at rest {c['rss_rest'] / MB:.0f} MB, {c['stored']:.0f} stored, "
                      f"{c['cpu_rest']:.1f} s CPU to rest, {c['cpu']:.1f} s to SIGTERM, "
                      f"{c['procs']:.0f} processes")  # fmt: skip

    expected = args.feeds * args.items
    print(f"\nmedian (min–max) over {args.rounds} round(s); {expected} items in the feeds")
    print(f"{'':<38} {'wall s':>18} {'CPU s, tree':>18} {'PSS peak MB, tree':>18}  stored")
    for kind in kinds:
        ms = runs[kind]
        walls, cpus = spread([m.wall for m in ms], ".2f"), spread([m.cpu for m in ms], ".2f")
        peak = spread([m.peak / MB for m in ms], ".0f")
        print(f"{LABELS[kind]:<38} {walls:>18} {cpus:>18} {peak:>18}  {sorted(set(stored[kind]))}")
    peaks, rests = [c["peak"] / MB for c in console], [c["rest"] / MB for c in console]
    if console:
        kept = sorted({int(c["stored"]) for c in console})
        print(f"{'geoalert run, first poll':<38} {'':>18} {'':>18} {spread(peaks, '.0f'):>18}  "
              f"{kept}; at rest {spread(rests, '.0f')} MB")  # fmt: skip
        rss_peaks = spread([c["rss_peak"] / MB for c in console], ".0f")
        print(f"{'':<38} sizing (feeds, PSS peak/rest, RSS peak/rest MB, CPU s to rest): "
              f"{args.feeds} | {spread(peaks, '.0f')} / {spread(rests, '.0f')} | {rss_peaks} / "
              f"{spread([c['rss_rest'] / MB for c in console], '.0f')} | "
              f"{spread([c['cpu_rest'] for c in console], '.1f')}")  # fmt: skip
    print()
    same = all(set(stored[k]) == {expected} for k in kinds) and all(
        c["stored"] == expected for c in console
    )
    if not same:
        print(f"WARNING: not every run stored the {expected} feed items (see 'stored' above)")

    if "scan" in kinds:
        _emit_scan(runs, same)
    if console:
        _emit_run(runs, peaks, rests, args.rest)


def _emit_scan(runs: dict[str, list[Measured]], same: bool) -> None:
    """The RESULT lines of the scan against reader (and reader + search, when run)."""
    g = runs["scan"]
    timer = "timer: spawn → exit of the whole process"

    def versus(kind: str) -> tuple[str, str, float | None]:
        if not runs[kind]:
            return "skipped (reader not installed, or not in --only)", "—", None
        ratios = [b.wall / a.wall for a, b in zip(g, runs[kind], strict=True)]
        ms = runs[kind]
        base = (f"{LABELS[kind]}: {spread([m.wall for m in ms], '.2f')} s, "
                f"{median([m.cpu for m in ms]):.1f} s CPU, "
                f"{median([m.peak / MB for m in ms]):.0f} MB PSS peak; {timer}")  # fmt: skip
        return base, f"{spread(ratios, '.2f', '×')} (reader s / geoalert s)", median(ratios)

    mine = (f"{spread([m.wall for m in g], '.2f')} s, {median([m.cpu for m in g]):.1f} s CPU "
            f"(tree), {median([m.peak / MB for m in g]):.0f} MB PSS peak; {timer} (imports, "
            f"rules, seeds, fetch, parse, match, store, search index)")  # fmt: skip
    base, ratio, r1 = versus("reader")
    emit("process: whole scan vs reader update_feeds", mine, base, ratio,
         f"≥ {TARGET_RATIO}×", None if r1 is None else r1 >= TARGET_RATIO and same)  # fmt: skip
    base, ratio, _ = versus("reader+search")
    emit("process: whole scan vs reader + update_search", mine, base, ratio,
         "(reported, no target)", None)  # fmt: skip


def _emit_run(
    runs: dict[str, list[Measured]], peaks: list[float], rests: list[float], rest: float
) -> None:
    """The RESULT lines of `geoalert run`'s tree PSS, at peak and at rest."""
    reader_peaks = [m.peak / MB for m in runs["reader"]]
    reader_peak = median(reader_peaks) if reader_peaks else None
    emit("process: `geoalert run` tree PSS peak, first poll",
         f"{spread(peaks, '.0f')} MB (PSS summed over the tree, sampled every 100 ms, spawn → "
         f"rest point)",
         f"{reader_peak:.0f} MB (reader update_feeds, whole process)" if reader_peak else "—",
         f"{median(peaks) / reader_peak:.1f}×" if reader_peak else "—", f"≤ {TARGET_PEAK // MB} MB",
         median(peaks) * MB <= TARGET_PEAK)  # fmt: skip
    emit("process: `geoalert run` tree PSS at rest",
         f"{spread(rests, '.0f')} MB ({rest:g} s after the poll's last item is stored)",
         "—", "—", f"≤ {TARGET_REST // MB} MB", median(rests) * MB <= TARGET_REST)  # fmt: skip


if __name__ == "__main__":
    main()
