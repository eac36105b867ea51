"""Story grouping as a user gets it: a story set served as feeds, one `geoalert scan` (#15).

    python benchmarks/story_scan.py tests/data/stories/holdout-22.jsonl [--unmatched] [--undated]

The way the issue measured it: every outlet of the set is one RSS feed on a loopback host, one
`geoalert scan` (the shipped command, in a fresh directory: SQLite, the bundled rules and seeds)
polls them all, and the stories are read back with `geoalert timeline T --format json` for each
topic. Pairs are scored over every report of the set, as `geoalert eval --stories` scores them;
a report that matched no topic is in no story, so its pairs count as split. The second line is
`eval --stories` on the same set (every report grouped, whether a topic matched it or not), so
the difference is what the rules leave out. `--undated` serves feeds without `<pubDate>` (and
scores `eval --stories --undated` beside them).

Runs the scan and timeline commands as subprocesses of this Python; nothing is timed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
from benchmarks._common import FeedHost, newcomer_env
from bot.story_evaluation import (
    Grouping,
    StoryReport,
    as_feed,
    group_set,
    load_story_set,
    score_grouping,
)

TOPICS = ("csto", "sanctions", "non_recognition")
LINK = "https://wire.example/"  # each report's link: how a stored item is traced to its report


def _geoalert(directory: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], cwd=directory, capture_output=True, text=True,
        env=newcomer_env(directory / "feeds.yaml", GEOALERT_ALLOW_PRIVATE_FEEDS="true"),
        check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"geoalert {args[0]} failed: {done.stderr.strip()}")
    return done.stdout


def scanned_stories(reports: list[StoryReport], *, dated: bool = True) -> dict[str, int]:
    """Report id → story id, as one `geoalert scan` of the set's feeds stores them."""
    by_outlet: dict[str, list[StoryReport]] = {}
    for report in reports:
        by_outlet.setdefault(report.outlet, []).append(report)
    with FeedHost(latency=0.0) as host, tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        lines = []
        for n, (outlet, items) in enumerate(sorted(by_outlet.items())):
            host.put(f"/{n}.xml", as_feed(outlet, items, LINK, dated=dated))
            lines.append(f"- url: {host.base_url}/{n}.xml\n  name: {json.dumps(outlet)}\n")
        (directory / "feeds.yaml").write_text("".join(lines), encoding="utf-8")
        printed = _geoalert(directory, "scan", "--json")
        report_of = {
            match["id"]: match["link"].removeprefix(LINK)
            for match in map(json.loads, printed.splitlines())
            if (match.get("link") or "").startswith(LINK)
        }
        story_of: dict[str, int] = {}
        for topic in TOPICS:
            shown = json.loads(_geoalert(directory, "timeline", topic, "--format", "json"))
            for entry in shown["entries"]:
                for item_id in entry["items"]:
                    if item_id in report_of:
                        story_of[report_of[item_id]] = entry["story"]
    return story_of


def _line(name: str, g: Grouping) -> str:
    s, c = g.same_language, g.cross_language
    return (
        f"{name:<28} same P {s.precision:.3f} R {s.recall:.3f} ({s.correct}/{s.predicted}/"
        f"{s.expected})  cross P {c.precision:.3f} R {c.recall:.3f} ({c.correct}/{c.predicted}/"
        f"{c.expected})  whole {g.events_whole} of {g.events_multi}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="+", type=Path, help="story sets (JSON lines)")
    parser.add_argument("--unmatched", action="store_true", help="list the reports left out")
    parser.add_argument("--undated", action="store_true", help="feeds that give no dates")
    args = parser.parse_args()
    for path in args.sets:
        reports = load_story_set([path])
        story_of = scanned_stories(reports, dated=not args.undated)
        print(f"{path.name}: {len(reports)} reports, {len(story_of)} in a topic's stories")
        print(_line("  geoalert scan + timeline", score_grouping(reports, story_of)))
        grouped = group_set(reports, undated=args.undated)
        print(_line("  eval --stories (all)", score_grouping(reports, grouped)))
        if args.unmatched:
            for report in reports:
                if report.id not in story_of:
                    print(f"  no topic: {report.id} [{report.lang}] {report.title}")


if __name__ == "__main__":
    main()
