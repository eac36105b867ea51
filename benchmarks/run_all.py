"""Run every benchmark (each in its own process) and print one summary table.

    python benchmarks/run_all.py            # full sizes (~16 minutes; delivery alone ~6)
    python benchmarks/run_all.py --smoke    # seconds-scale sizes; what CI runs

Each benchmark's own output is printed as it finishes; the table collects their `RESULT` lines
(benchmarks/_common.py: emit). A benchmark that exits non-zero, or prints no result, gets a
FAILED row and makes this script exit 1; missed targets are reported, never a failure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BENCHMARKS = [
    "bench_pipeline", "bench_delivery", "bench_latency", "bench_memory", "bench_matcher",
    "bench_prune", "bench_process",
]  # fmt: skip
COLUMNS = ("benchmark", "geoalert", "baseline", "ratio", "target", "met?")


Outcome = tuple[str, "subprocess.CompletedProcess[str] | None", float, str]


def execute(name: str, smoke: bool, timeout: float | None) -> Outcome:
    """Run one benchmark script; (name, finished process or None on timeout, seconds, output)."""
    cmd = [sys.executable, str(HERE / f"{name}.py"), *(["--smoke"] if smoke else [])]
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        return name, None, time.monotonic() - start, out
    return name, proc, time.monotonic() - start, proc.stdout


def collect(
    outcome: Outcome, smoke: bool, timeout: float | None
) -> tuple[list[dict[str, object]], bool]:
    """Print one benchmark's output; its result rows and whether it ran cleanly."""
    name, proc, took, out = outcome
    print(f"=== {name} {'--smoke' if smoke else ''}".rstrip(), flush=True)
    if proc is None:
        print(out.rstrip())
        print(f"--- {name}: timed out after {timeout:g}s", flush=True)
        return [_failed(name, f"timed out after {timeout:g}s")], False
    rows = [
        json.loads(line[len("RESULT ") :])
        for line in proc.stdout.splitlines()
        if line.startswith("RESULT ")
    ]
    shown = "\n".join(line for line in proc.stdout.splitlines() if not line.startswith("RESULT "))
    print(shown.rstrip())
    if proc.returncode != 0:
        print(proc.stderr[-4000:].rstrip())
        print(f"--- {name}: exit {proc.returncode} after {took:.0f}s", flush=True)
        return [*rows, _failed(name, f"exit {proc.returncode}")], False
    if not rows:
        print(proc.stderr[-4000:].rstrip())
        return [_failed(name, "printed no RESULT line")], False
    print(f"--- {name}: {took:.0f}s\n", flush=True)
    return rows, True


def _failed(name: str, why: str, *, ok: bool = False) -> dict[str, object]:
    return {"benchmark": name, "geoalert": "FAILED" if not ok else "see output",
            "baseline": why, "ratio": "—", "target": "—", "met": None}  # fmt: skip


def table(rows: list[dict[str, object]]) -> str:
    def met(v: object) -> str:
        return "yes" if v is True else "NO" if v is False else "—"

    cells = [[str(r["benchmark"]), str(r["geoalert"]), str(r["baseline"]), str(r["ratio"]),
              str(r["target"]), met(r["met"])] for r in rows]  # fmt: skip
    widths = [max(len(c[i]) for c in [list(COLUMNS), *cells]) for i in range(len(COLUMNS))]

    def line(c: list[str] | tuple[str, ...]) -> str:
        return "| " + " | ".join(x.ljust(w) for x, w in zip(c, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(COLUMNS), sep, *(line(c) for c in cells)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small sizes, seconds-scale (CI)")
    parser.add_argument("--only", nargs="*", help="run only these (e.g. bench_pipeline)")
    args = parser.parse_args()
    names = [
        n for n in BENCHMARKS if (not args.only or n in args.only) and (HERE / f"{n}.py").exists()
    ]
    timeout = 120.0 if args.smoke else None
    rows: list[dict[str, object]] = []
    ok = True
    if args.smoke:  # figures are meaningless in smoke mode anyway: run them side by side
        with ThreadPoolExecutor(len(names) or 1) as pool:
            outcomes = list(pool.map(lambda n: execute(n, True, timeout), names))
    else:  # one at a time, so they do not compete for the 2 cores
        outcomes = []
        for name in names:
            print(f"... running {name}", flush=True)
            outcomes.append(execute(name, False, timeout))
    for outcome in outcomes:
        got, fine = collect(outcome, args.smoke, timeout)
        rows.extend(got)
        ok = ok and fine
    print(table(rows))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
