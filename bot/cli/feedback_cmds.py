"""`geoalert feedback export`, and the verdict file as `rules apply --dry-run` and
`rules explain` read it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.config import Settings
from bot.matching import RuleSet


def cmd_feedback_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write the chats' verdicts as a labelled set `geoalert eval` reads (JSON lines)."""
    from bot.service import make_geoalert

    geo = make_geoalert(settings)
    try:
        if args.topic:
            geo.require_topic(args.topic)
        lines = geo.export_verdicts(since=args.since, topic=args.topic)
    finally:
        geo.close()
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    print(f"{len(lines)} judged items exported", file=sys.stderr)
    return 0


def print_verdict_shift(rules: RuleSet, path: str) -> None:
    """`--verdicts FILE`: which judged alerts the rules on disk would no longer send."""
    from bot.evaluation import load_labeled
    from bot.verdict_review import verdict_shift

    print(verdict_shift(rules, load_labeled(Path(path))).render())


def print_dismissed(rules: RuleSet, path: str) -> None:
    """`rules explain --verdicts FILE`: the blocks and terms behind each "not relevant"."""
    from bot.evaluation import load_labeled
    from bot.verdict_review import explain_dismissed

    print(explain_dismissed(rules, load_labeled(Path(path))))
