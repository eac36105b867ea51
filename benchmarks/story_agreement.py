"""How far two careful readings of one story set agree, and where the grouping stands (#15).

    python benchmarks/story_agreement.py SET.jsonl SECOND.jsonl [SET.jsonl SECOND.jsonl …]

SET is a labelled story set (`geoalert eval --stories` format); SECOND is a second labelling of
the same reports, one line per report: {"id", "event"}, made by another reader who saw only the
reports (ids anonymised, order shuffled, the labelling conventions of tests/data/stories/README.md)
and never the set's labels. Pairwise precision and recall, same-language and English–Russian,
are printed for three comparisons, per set and pooled:

- the second reading scored against the set's labels: how far two readings agree, the ceiling
  a pair target can be held to;
- the grouping (`group_set`, dated, outlet order) scored against the set's labels;
- the grouping scored against the second reading.

A report the second labelling leaves out is in no story there (its pairs count as split).
Nothing is timed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
from bot.story_evaluation import PairScore, StoryReport, group_set, load_story_set, score_grouping

COMPARISONS = (
    "second reading vs labels",
    "grouping vs labels",
    "grouping vs second reading",
)


def load_second(path: Path) -> dict[str, str]:
    """Report id → event of a second labelling."""
    labels: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not isinstance(row, dict) or not {"id", "event"} <= row.keys():
            raise SystemExit(f"{path}:{n}: expected an object with 'id' and 'event'")
        labels[str(row["id"])] = str(row["event"])
    return labels


def as_stories(labels: dict[str, str]) -> dict[str, int]:
    """A labelling as a grouping: report id → story key."""
    keys = {event: n for n, event in enumerate(sorted(set(labels.values())))}
    return {report: keys[event] for report, event in labels.items()}


def comparisons(
    reports: Sequence[StoryReport], second: dict[str, str]
) -> dict[str, tuple[PairScore, PairScore]]:
    """(same-language, English–Russian) pair scores of each of `COMPARISONS`."""
    grouping = group_set(reports)
    relabelled = [replace(r, event=second.get(r.id, f"\0{r.id}")) for r in reports]
    scored = (
        score_grouping(reports, as_stories(second)),
        score_grouping(reports, grouping),
        score_grouping(relabelled, grouping),
    )
    return {
        name: (g.same_language, g.cross_language)
        for name, g in zip(COMPARISONS, scored, strict=True)
    }


def _pooled(scores: Sequence[PairScore]) -> PairScore:
    return PairScore(*(sum(getattr(s, f) for s in scores) for f in PairScore.__slots__))


def _row(name: str, same: PairScore, cross: PairScore) -> str:
    return (
        f"  {name:28s} same {same.precision:.3f} / {same.recall:.3f}"
        f" ({same.correct}/{same.predicted}/{same.expected})"
        f"   cross {cross.precision:.3f} / {cross.recall:.3f}"
        f" ({cross.correct}/{cross.predicted}/{cross.expected})"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or len(args) % 2:
        print(__doc__.split("\n\n", 2)[1].strip())
        return 2
    totals: dict[str, list[tuple[PairScore, PairScore]]] = {name: [] for name in COMPARISONS}
    for set_path, second_path in zip(args[::2], args[1::2], strict=True):
        reports = load_story_set([Path(set_path)])
        second = load_second(Path(second_path))
        print(f"{Path(set_path).stem}: {len(reports)} reports, "
              f"{len({r.event for r in reports})} events labelled, "
              f"{len(set(second.values()))} in the second reading")  # fmt: skip
        for name, (same, cross) in comparisons(reports, second).items():
            totals[name].append((same, cross))
            print(_row(name, same, cross))
    if len(args) > 2:
        print("pooled:")
        for name, rows in totals.items():
            print(_row(name, _pooled([r[0] for r in rows]), _pooled([r[1] for r in rows])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
