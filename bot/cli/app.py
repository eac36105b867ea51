"""`geoalert` command line: one small function per command; output goes to stdout."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from bot import __version__
from bot.cli.feedback_cmds import cmd_feedback_export
from bot.cli.rules_cmds import (
    cmd_eval,
    cmd_match,
    cmd_rules_check,
    cmd_rules_explain,
    cmd_rules_test,
    cmd_run,
    cmd_scan,
)
from bot.cli.store_cmds import (
    cmd_db_backup,
    cmd_db_prune,
    cmd_db_upgrade,
    cmd_feeds_export,
    cmd_feeds_import,
    cmd_feeds_retry,
    cmd_feeds_status,
    cmd_health,
    cmd_rules_apply,
    cmd_search,
    cmd_source,
    cmd_timeline,
    cmd_trend,
)
from bot.config import Settings, load_settings
from bot.errors import GeoalertError
from bot.logs import setup_logging

Handler = Callable[[argparse.Namespace, Settings], int]


def _date(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="geoalert", description=__doc__)
    parser.add_argument("--version", action="version", version=f"geoalert {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    scan = add("scan", cmd_scan, "one pass over corpus and feeds; print new matches")
    scan.add_argument("--no-feeds", action="store_true", help="scan the seed corpus only")
    scan.add_argument("--json", action="store_true", help="one JSON object per line")
    add("run", cmd_run, "poll on the interval; Telegram bot when TELEGRAM_BOT_TOKEN is set")
    match = add("match", cmd_match, "match JSON lines from stdin (id, title, text, lang)")
    match.add_argument("--jsonl", action="store_true", required=True, help="JSON lines in/out")
    match.add_argument("--rules", help="rules directory (default GEOALERT_RULES_DIR)")
    evaluation = add("eval", cmd_eval, "precision/recall of the rules on a labelled JSONL set")
    evaluation.add_argument(
        "labels", nargs="+", help="JSON lines files: id, lang, title, text, topics"
    )
    evaluation.add_argument(
        "--summary", action="store_true", help="the tables only, without the misclassified items"
    )
    evaluation.add_argument("--rules", help="rules directory (default GEOALERT_RULES_DIR)")
    evaluation.add_argument(
        "--stories", action="store_true",
        help="the files are story sets (id, event, lang, outlet, published, title, text): "
        "pairwise precision/recall of story grouping",
    )  # fmt: skip
    evaluation.add_argument(
        "--orders", type=int, default=5,
        help="with --stories: arrival orders tried (outlet order, then shuffled); default 5",
    )  # fmt: skip
    evaluation.add_argument(
        "--undated", action="store_true",
        help="with --stories: served by feeds that give no dates (each report fetched at one "
        "instant, dated only by its own text)",
    )  # fmt: skip
    timeline = add("timeline", cmd_timeline, "chronology of a topic")
    timeline.add_argument("topic")
    timeline.add_argument("--since", type=_date, help="YYYY-MM-DD")
    timeline.add_argument("--until", type=_date, help="YYYY-MM-DD (exclusive)")
    timeline.add_argument("--format", choices=("text", "md", "json"), default="text")
    search = add("search", cmd_search, "full-text search over stored items, newest first")
    search.add_argument("words", nargs="+")
    search.add_argument("--limit", type=int, default=10)
    trend = add("trend", cmd_trend, "stories per week of a topic, with spikes")
    trend.add_argument("topic")
    trend.add_argument("--weeks", type=int, default=12)
    trend.add_argument("--png", help="also draw the chart into this PNG file")
    source = add("source", cmd_source, "provenance of a stored item")
    source.add_argument("item_id")

    rules = sub.add_parser("rules", help="validate, test, explain and apply rule files")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True, metavar="ACTION")
    explain = rules_sub.add_parser("explain", help="why a text matches or not, clause by clause")
    explain.add_argument("text", nargs="?", help='the text (or "-" for stdin)')
    explain.add_argument("--title", help="a title, matched like a feed item's")
    explain.add_argument("--lang", help="en or ru (default: detected)")
    explain.add_argument("--rules", help="rules directory (default GEOALERT_RULES_DIR)")
    explain.add_argument(
        "--verdicts", metavar="FILE",
        help="instead of a text: for each alert judged not relevant in this verdict file "
        "(geoalert feedback export), the blocks and terms that fired",
    )  # fmt: skip
    explain.set_defaults(handler=cmd_rules_explain)
    apply = rules_sub.add_parser("apply", help="re-match stored items with the current rules")
    apply.add_argument("--dry-run", action="store_true", help="list the changes, store nothing")
    apply.add_argument(
        "--verdicts", metavar="FILE",
        help="also show which judged alerts of this verdict file the rules would no longer "
        "send, and which way each change goes",
    )  # fmt: skip
    apply.set_defaults(handler=cmd_rules_apply)
    for name, handler, text in (
        ("check", cmd_rules_check, "validate rule files"),
        ("test", cmd_rules_test, "run every rule's examples"),
    ):
        p = rules_sub.add_parser(name, help=text, description=text)
        p.add_argument("dir", nargs="?", help="rules directory (default GEOALERT_RULES_DIR)")
        p.set_defaults(handler=handler)

    feeds = sub.add_parser("feeds", help="feed state")
    feeds_sub = feeds.add_subparsers(dest="feeds_command", required=True, metavar="ACTION")
    feeds_sub.add_parser("status", help="last poll and error per feed").set_defaults(
        handler=cmd_feeds_status
    )
    opml_in = feeds_sub.add_parser("import", help="append the feeds of an OPML file")
    opml_in.add_argument("file")
    opml_in.set_defaults(handler=cmd_feeds_import)
    opml_out = feeds_sub.add_parser("export", help="the feed list as OPML")
    opml_out.add_argument("file", nargs="?", help="default: stdout")
    opml_out.set_defaults(handler=cmd_feeds_export)
    retry = feeds_sub.add_parser("retry", help="retry failing or paused feeds at the next poll")
    retry.add_argument("url", nargs="?")
    retry.set_defaults(handler=cmd_feeds_retry)
    feedback = sub.add_parser("feedback", help="subscribers' verdicts on alerts")
    feedback_sub = feedback.add_subparsers(dest="feedback_command", required=True, metavar="ACTION")
    export = feedback_sub.add_parser(
        "export", help="the verdicts as a labelled JSONL set for geoalert eval"
    )
    export.add_argument("--since", type=_date, help="verdicts from this day on (YYYY-MM-DD)")
    export.add_argument("--topic", help="one topic only")
    export.add_argument("--output", "-o", help="write to this file (default: stdout)")
    export.set_defaults(handler=cmd_feedback_export)
    add("health", cmd_health, "exit 0 when a running geoalert holds the database and is alive")
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="apply migrations").set_defaults(handler=cmd_db_upgrade)
    backup = db_sub.add_parser("backup", help="online copy of the SQLite database")
    backup.add_argument("file", help="where to write the copy (must not exist)")
    backup.set_defaults(handler=cmd_db_backup)
    db_sub.add_parser(
        "prune", help="drop old unmatched items (GEOALERT_RETENTION_DAYS)"
    ).set_defaults(handler=cmd_db_prune)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `geoalert` console script."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        setup_logging(settings.log_level, secrets=(settings.token or "",))
        return int(args.handler(args, settings))
    except GeoalertError as exc:
        print(f"geoalert: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`geoalert eval … | head`): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
