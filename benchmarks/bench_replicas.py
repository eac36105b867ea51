"""Replicas on PostgreSQL: one poll of 2,000 feeds by 1 `geoalert run` and by 3 of them.

    python benchmarks/bench_replicas.py            # 2,000 feeds x 5 items, 100 ms, 1 round
    python benchmarks/bench_replicas.py --smoke    # 200 feeds

Needs PostgreSQL: GEOALERT_BENCH_POSTGRES_URL or GEOALERT_TEST_POSTGRES_URL (each run gets a
private schema, dropped afterwards). Not part of run_all.py, which needs no database server.

Corpus: `_common.write_corpus` (half English, half Russian, every 5th feed Atom), each feed on
its own loopback address served by a separate process with a fixed latency per response (as in
bench_process.py, so the per-server fetch cap does not bind). Each configuration starts its
replicas together as `python -m bot.cli run` in console mode, shipped settings (2 parsing
processes each), GEOALERT_POLL_INTERVAL=600 so each replica polls once. Timed, from spawning
the replicas until every feed row has `last_polled_at` set: the whole first poll including
start-up and migration; and the poll span alone, first to last `last_polled_at`. Reported too:
each replica's share of the fetches (from its "poll done feeds=N" log lines) and the CPU it
used (user + system of its process tree, read from /proc before it stops).

Honest about the machine: replicas on ONE host share its cores. On this 2-core machine three
replicas (nine processes with their parsers) compete for the same two cores, so a speed-up
can only come from overlapping network waits, not from more CPU; what replicas buy here is
failover. On separate machines, polling capacity grows with the cores added.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
from benchmarks._common import REPO, RULES_DIR, emit, machine, write_corpus
from benchmarks._process import feed_hosts_process

COUNT_POLLED = sa.text("SELECT count(*) FROM feeds WHERE last_polled_at IS NOT NULL")


def _tree_cpu(pid: int) -> float:
    """User + system seconds of `pid` and its live descendants (from /proc)."""
    total, todo = 0.0, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        todo.extend(int(c) for c in children)
    return total


def run_config(base: str, urls: list[str], replicas: int, work: Path) -> dict[str, object]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = f"{base}{'&' if '?' in base else '?'}options={quote(f'-csearch_path={schema}')}"
    feeds = work / f"feeds-{replicas}.yaml"
    feeds.write_text("".join(f"- url: {u}\n  name: Feed {n}\n" for n, u in enumerate(urls)))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEOALERT_", "TELEGRAM_"))}
    env.update(PYTHONPATH=str(REPO), DATABASE_URL=url, GEOALERT_FEEDS=str(feeds),
               GEOALERT_RULES_DIR=str(RULES_DIR), GEOALERT_SEEDS_DIR=str(work / "no-seeds"),
               GEOALERT_ALLOW_PRIVATE_FEEDS="true", GEOALERT_POLL_INTERVAL="600")  # fmt: skip
    engine = sa.create_engine(url)
    procs, logs = [], []
    began = time.monotonic()
    try:
        for n in range(replicas):
            log = work / f"replica-{replicas}-{n}.err"
            logs.append(log)
            with log.open("w") as err:
                cmd = [sys.executable, "-m", "bot.cli", "run"]
                procs.append(subprocess.Popen(cmd, cwd=work, env=env,
                                              stdout=subprocess.DEVNULL, stderr=err))  # fmt: skip
        polled = 0
        while polled < len(urls):
            time.sleep(0.25)
            if any(p.poll() is not None for p in procs):
                raise RuntimeError(f"a replica exited: {logs[0].read_text()[-2000:]}")
            if time.monotonic() - began > 900:
                raise RuntimeError(f"only {polled}/{len(urls)} feeds polled after 900 s")
            try:
                with engine.connect() as conn:
                    polled = conn.execute(COUNT_POLLED).scalar_one()
            except sa.exc.SQLAlchemyError:
                polled = 0  # the schema is still being created
        wall = time.monotonic() - began
        with engine.connect() as conn:
            first, last = conn.execute(
                sa.text("SELECT min(last_polled_at), max(last_polled_at) FROM feeds")
            ).one()
        time.sleep(1.0)  # the last "poll done" lines
        cpu = [_tree_cpu(p.pid) for p in procs]
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=60)
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
    shares = [
        sum(int(n) for n in re.findall(r"poll done feeds=(\d+)", log.read_text())) for log in logs
    ]
    return {"wall": wall, "span": (last - first).total_seconds(), "shares": shares, "cpu": cpu}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--feeds", type=int, default=None)
    parser.add_argument("--items", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()
    base = os.environ.get("GEOALERT_BENCH_POSTGRES_URL") or os.environ.get(
        "GEOALERT_TEST_POSTGRES_URL"
    )
    if not base:
        print("bench_replicas: set GEOALERT_BENCH_POSTGRES_URL (a PostgreSQL URL)", file=sys.stderr)
        return 2
    n_feeds = args.feeds or (200 if args.smoke else 2000)
    print(f"machine: {machine()}")
    print(f"{n_feeds} feeds x {args.items} items, {args.latency * 1000:.0f} ms per response")
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-replicas-") as tmp:
        work = Path(tmp)
        (work / "corpus").mkdir()
        write_corpus(work / "corpus", n_feeds, args.items)
        with feed_hosts_process(work / "corpus", args.latency) as (urls, _pid):
            for replicas in (1, 3):
                r = results[replicas] = run_config(base, urls, replicas, work)
                print(f"{replicas} replica(s): every feed polled {r['wall']:.1f} s after spawn, "
                      f"poll span {r['span']:.1f} s, fetches per replica {r['shares']}, "
                      f"CPU s per replica {[round(c, 1) for c in r['cpu']]}",
                      flush=True)  # fmt: skip
    one, three = results[1], results[3]
    ratio = float(one["wall"]) / float(three["wall"])  # type: ignore[arg-type]
    emit(
        f"replicas: first poll of {n_feeds} feeds, 1 vs 3 replicas (same 2-core host)",
        f"{three['wall']:.1f} s with 3", f"{one['wall']:.1f} s with 1", f"{ratio:.2f}x",
        "spread over all 3; no speed-up promised on one host", min(three["shares"]) > 0,  # type: ignore[call-overload]
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
