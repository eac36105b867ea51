"""How many events of a labelled story set an earlier set already holds, told in other words (#15).

    python benchmarks/story_overlap.py holdout-16 holdout-17 holdout-18

A holdout measures new text only if its events are new: a blind writer who reads only the earlier
sets' headlines can still write an event they hold, in new words. An event of the named set
counts as held when one of its reports and a report of an earlier set (every set but the named
one and the numbered holdouts from it on) are published within 36 hours of each other and their
headlines share at least two entities, venues or actions. An upper bound: a near miss of the
same day (another meeting in the same city) counts too.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path

from bot.event_terms import ACTION, CITY, ENTITY, kind_of
from bot.stories.fingerprint import fingerprint_text

STORIES = Path(__file__).resolve().parent.parent / "tests" / "data" / "stories"
WINDOW_HOURS = 36
SHARED = 2  # headline entities, venues or actions in common


def _reports(name: str) -> list[dict[str, str]]:
    text = (STORIES / f"{name}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line]


def _holdout_number(name: str) -> int | None:
    tail = name.removeprefix("holdout-")
    return int(tail) if tail != name and tail.isdigit() else None


def earlier_sets(name: str) -> list[str]:
    """Every set but `name` and, for a numbered holdout, the holdouts numbered from it on."""
    number = _holdout_number(name)
    names = sorted(p.stem for p in STORIES.glob("*.jsonl"))
    return [
        other for other in names
        if other != name
        and not (number is not None and (n := _holdout_number(other)) is not None and n >= number)
    ]  # fmt: skip


def _when(report: dict[str, str]) -> datetime:
    return datetime.fromisoformat(report["published"].replace("Z", "+00:00"))


def _names(report: dict[str, str]) -> frozenset[int]:
    title = fingerprint_text(report["title"], report["text"]).title
    return frozenset(t for t in title if kind_of(t) in (ENTITY, CITY, ACTION))


def held_events(name: str) -> tuple[int, int]:
    """(events of `name` an earlier set holds, events of `name`)."""
    before = [(_when(r), _names(r)) for other in earlier_sets(name) for r in _reports(other)]
    events: dict[str, list[dict[str, str]]] = {}
    for report in _reports(name):
        events.setdefault(report["event"], []).append(report)
    held = sum(
        1 for reports in events.values()
        if any(
            abs((_when(r) - when).total_seconds()) < WINDOW_HOURS * 3600
            and len(_names(r) & names) >= SHARED
            for r in reports for when, names in before
        )
    )  # fmt: skip
    return held, len(events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", help="set names, e.g. holdout-18")
    for name in parser.parse_args().sets:
        held, total = held_events(name)
        print(f"{name}: {held} of {total} events held by an earlier set")


if __name__ == "__main__":
    main()
