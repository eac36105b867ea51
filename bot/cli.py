"""`geoalert` command line: one small function per command; output goes to stdout."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session

from bot import __version__
from bot.config import Settings, load_settings
from bot.errors import GeoalertError
from bot.logs import setup_logging
from bot.matching import load_rules
from bot.models import Topic
from bot.render import match_json, match_line, source_text
from bot.timeline import build_timeline, render_json, render_markdown, render_text

Handler = Callable[[argparse.Namespace, Settings], int]


def _date(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def cmd_scan(args: argparse.Namespace, settings: Settings) -> int:
    """One pass over the corpus and feeds; print each new match."""
    from bot.sources.fetch import make_http_client
    from bot.wiring import build_pipeline, initial_rules, open_store

    rules = initial_rules(settings)
    engine = open_store(settings)

    async def scan() -> int:
        http = None
        if not args.no_feeds:
            http = make_http_client(settings.fetch_timeout, settings.max_redirects)
        pipeline = build_pipeline(settings, engine, lambda: rules, http)
        try:
            report = await pipeline.update(feeds=not args.no_feeds)
        finally:
            pipeline.close()
            if http is not None:
                await http.aclose()
        for m in report.new_matches:
            print(match_json(m) if args.json else match_line(m))
        summary = (
            f"scan: {report.new_items} new items, {len(report.new_matches)} new matches, "
            f"{report.feeds_polled} feeds polled, {len(report.errors)} source errors"
        )
        print(summary, file=sys.stderr)
        return 0

    return asyncio.run(scan())


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Poll on the interval; deliver to Telegram when a token is set, else print."""
    from bot.runner import run

    return run(settings)


def cmd_match(args: argparse.Namespace, settings: Settings) -> int:
    """Match JSON lines from stdin against the rules; no database involved."""
    rules = load_rules(Path(args.rules) if args.rules else settings.rules_dir)
    status = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError("expected a JSON object")
            title, text = str(obj.get("title", "")), str(obj.get("text", ""))
        except ValueError as exc:
            print(f"stdin:{number}: {exc}", file=sys.stderr)
            status = 1
            continue
        found = rules.match(title, text, obj.get("lang"))
        out = {
            "id": obj.get("id"),
            "topics": [m.topic for m in found],
            "evidence": {m.topic: list(m.evidence.terms) for m in found},
        }
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return status


def cmd_rules_check(args: argparse.Namespace, settings: Settings) -> int:
    """Validate rule files."""
    directory = Path(args.dir) if args.dir else settings.rules_dir
    rules = load_rules(directory)
    print(f"{directory}: {len(rules.topics)} topics OK ({', '.join(t.id for t in rules.topics)})")
    return 0


def cmd_rules_test(args: argparse.Namespace, settings: Settings) -> int:
    """Run every rule's examples."""
    directory = Path(args.dir) if args.dir else settings.rules_dir
    failures = load_rules(directory).run_examples()
    for failure in failures:
        print(f"FAIL {failure}")
    print(f"{directory}: {len(failures)} failing examples")
    return 1 if failures else 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    """Precision, recall and F1 per topic on a labelled set, with the misclassified items."""
    from bot.evaluation import evaluate, load_labeled_files, render_report

    if args.stories:
        return _eval_stories(args)
    rules = load_rules(Path(args.rules) if args.rules else settings.rules_dir)
    report = evaluate(rules, load_labeled_files([Path(p) for p in args.labels]))
    print(render_report(report, items=not args.summary))
    return 0


def _eval_stories(args: argparse.Namespace) -> int:
    """Pairwise precision/recall of story grouping on a labelled story set."""
    from bot.story_evaluation import evaluate_stories, load_story_set, render_story_report

    if args.orders < 1:
        raise GeoalertError("--orders must be at least 1")
    reports = load_story_set([Path(p) for p in args.labels])
    report = evaluate_stories(reports, orders=args.orders)
    print(render_story_report(report, reports, pairs=not args.summary))
    return 0


def cmd_rules_explain(args: argparse.Namespace, settings: Settings) -> int:
    """Show, clause by clause, why a text matches each topic or not."""
    from bot.matching import explain_text

    rules = load_rules(Path(args.rules) if args.rules else settings.rules_dir)
    text = sys.stdin.read() if args.text == "-" else args.text
    print(explain_text(rules, text, title=args.title or "", language=args.lang))
    return 0


def cmd_rules_apply(args: argparse.Namespace, settings: Settings) -> int:
    """Re-match stored items with the current rules; list or store what changes (no alerts)."""
    from bot.matching import rematch_diff
    from bot.stories import assign_stories
    from bot.wiring import open_store
    from storage.engine import session_scope
    from storage.items import add_matches, iter_item_batches, remove_matches, stored_topics
    from storage.stories import StoryRows

    rules = load_rules(settings.rules_dir)
    engine = open_store(settings)
    added = removed = 0
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        for batch in iter_item_batches(session):
            by_id = {item.id: item for item in batch}
            stored = stored_topics(session, list(by_id))
            rows = [(i.id, i.title, i.text, i.language) for i in batch]
            for change in rematch_diff(rules, rows, stored):
                print(change.render())
                added, removed = added + len(change.added), removed + len(change.removed)
                if args.dry_run:
                    continue
                item = by_id[change.item_id]
                fresh = [m for m in rules.match(item.title, item.text, item.language)
                         if m.topic in change.added]  # fmt: skip
                add_matches(session, item.id, fresh, now=now)
                remove_matches(session, item.id, change.removed)
                if fresh:  # a newly matched item joins a story, as it would have when polled
                    assign_stories(StoryRows(session), [item], now=now)
        if args.dry_run:
            session.rollback()
    verb = "would change" if args.dry_run else "changed"
    print(f"{verb}: {added} new matches, {removed} matches removed (no alerts are sent)")
    return 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    """Full-text search over stored items, newest first."""
    from bot.search_query import search_query
    from bot.wiring import open_store
    from storage.search import search_items

    with Session(open_store(settings)) as session:
        found = search_items(session, search_query(" ".join(args.words)), limit=args.limit)
    for m in found:
        print(match_line(m))
    if not found:
        print("no items found", file=sys.stderr)
    return 0


def cmd_trend(args: argparse.Namespace, settings: Settings) -> int:
    """Stories per week of a topic; `--png FILE` draws the chart."""
    from bot.trend_report import topic_trend
    from bot.wiring import open_store

    topic = _require_topic(args.topic, settings)
    with Session(open_store(settings)) as session:
        report = topic_trend(session, topic.id, weeks=args.weeks, now=datetime.now(UTC))
    print(report.text())
    if args.png:
        Path(args.png).write_bytes(report.png(topic.label("en")))
        print(f"chart written to {args.png}")
    return 0


def cmd_timeline(args: argparse.Namespace, settings: Settings) -> int:
    """Print the chronology of a topic from the database."""
    from bot.wiring import open_store
    from storage.items import matched_items
    from storage.stories import stories_of

    _require_topic(args.topic, settings)
    with Session(open_store(settings)) as session:
        matches = matched_items(session, topic=args.topic, newest_first=False)
        story_of = stories_of(session, [m.item.id for m in matches])
    months = build_timeline(matches, story_of=story_of, since=args.since, until=args.until)
    render = {"text": render_text, "md": render_markdown, "json": render_json}[args.format]
    print(render(args.topic, months))
    return 0


def cmd_source(args: argparse.Namespace, settings: Settings) -> int:
    """Print the provenance of one stored item."""
    from bot.wiring import open_store
    from storage.items import get_item

    with Session(open_store(settings)) as session:
        found = get_item(session, args.item_id)
    if found is None:
        print(f"no item with id {args.item_id!r}", file=sys.stderr)
        return 1
    print(source_text(found))
    return 0


def cmd_feeds_status(args: argparse.Namespace, settings: Settings) -> int:
    """Print each feed's last poll, last error and item count."""
    from bot.wiring import open_store
    from storage.feeds import feed_statuses

    with Session(open_store(settings)) as session:
        statuses = feed_statuses(session, pause_after=settings.feed_pause_after)
    if not statuses:
        print("no feeds polled yet")
    for s in statuses:
        polled = f"{s.last_polled_at:%Y-%m-%d %H:%M}" if s.last_polled_at else "never"
        state = f"ERROR ({s.consecutive_failures}x): {s.last_error}" if s.last_error else "ok"
        if s.paused:
            state += " [PAUSED: geoalert feeds retry]"
        if s.silent_since is not None:
            state += f" [silent since {s.silent_since:%Y-%m-%d}]"
        print(f"{s.name}  {s.url}\n  last poll {polled}  items {s.items}  {state}")
    return 0


def cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 when the database answers and a `geoalert run` holds it with a fresh heartbeat."""

    from bot.runner import LOCK_NAME
    from storage import make_engine
    from storage.locks import STALE_AFTER, holder_heartbeat

    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            held = holder_heartbeat(session, LOCK_NAME)
    except Exception as exc:  # any failure to read is "unhealthy", with the reason
        print(f"unhealthy: database unreachable: {str(exc).splitlines()[0]}")
        return 1
    finally:
        engine.dispose()
    if held is None:
        print("unhealthy: no geoalert run holds this database")
        return 1
    holder, beat = held
    age = datetime.now(UTC) - beat
    if age > STALE_AFTER:
        print(f"unhealthy: last heartbeat of {holder} was {int(age.total_seconds())}s ago")
        return 1
    print(f"healthy: {holder}, heartbeat {int(age.total_seconds())}s ago")
    return 0


def cmd_feeds_import(args: argparse.Namespace, settings: Settings) -> int:
    """Append the feeds of an OPML file to the feed list (URLs checked as for /addfeed)."""
    from bot.sources.feedlist import add_feeds
    from bot.sources.netguard import check_url
    from bot.sources.opml import parse_opml

    feeds = parse_opml(Path(args.file).read_bytes())
    for feed in feeds:
        check_url(feed.url, allow_private=settings.allow_private_feeds)
    added = add_feeds(settings.feeds_file, feeds)
    for feed in added:
        print(f"added {feed.name}  {feed.url}")
    print(f"{len(added)} feeds added, {len(feeds) - len(added)} already listed")
    return 0


def cmd_feeds_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write the feed list as OPML (to a file, or stdout)."""
    from bot.sources.opml import render_opml
    from bot.wiring import feed_list

    data = render_opml(feed_list(settings))
    if args.file:
        Path(args.file).write_bytes(data)
    else:
        sys.stdout.write(data.decode("utf-8"))
    return 0


def cmd_feeds_retry(args: argparse.Namespace, settings: Settings) -> int:
    """Make failing or paused feeds due at the next poll."""
    from bot.wiring import open_store
    from storage.engine import session_scope
    from storage.feeds import retry_feeds

    with session_scope(open_store(settings)) as session:
        count = retry_feeds(session, args.url)
    print(f"{count} feeds will be retried at the next poll")
    return 0


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    """Apply database migrations."""
    from bot.wiring import open_store

    open_store(settings)
    print("database schema is up to date")
    return 0


def cmd_db_backup(args: argparse.Namespace, settings: Settings) -> int:
    """Copy the live SQLite database to a new file."""
    from storage.backup import backup_sqlite

    size = backup_sqlite(settings.database_url, Path(args.file))
    print(f"backup written to {args.file} ({size} bytes)")
    return 0


def cmd_db_prune(args: argparse.Namespace, settings: Settings) -> int:
    """Delete items older than the retention period that are not matched nor alerted."""
    from datetime import timedelta

    from bot.wiring import open_store
    from storage.engine import session_scope
    from storage.retention import prune_items

    cutoff = datetime.now(UTC) - timedelta(days=settings.retention_days)
    with session_scope(open_store(settings)) as session:
        removed = prune_items(session, older_than=cutoff)
    print(f"pruned {removed} items fetched before {cutoff:%Y-%m-%d}")
    return 0


def _require_topic(topic: str, settings: Settings) -> Topic:
    known = load_rules(settings.rules_dir).topics
    for candidate in known:
        if candidate.id == topic:
            return candidate
    names = ", ".join(t.id for t in known)
    raise GeoalertError(f"unknown topic {topic!r}; known topics: {names}")


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
    explain.add_argument("text", help='the text (or "-" for stdin)')
    explain.add_argument("--title", help="a title, matched like a feed item's")
    explain.add_argument("--lang", help="en or ru (default: detected)")
    explain.add_argument("--rules", help="rules directory (default GEOALERT_RULES_DIR)")
    explain.set_defaults(handler=cmd_rules_explain)
    apply = rules_sub.add_parser("apply", help="re-match stored items with the current rules")
    apply.add_argument("--dry-run", action="store_true", help="list the changes, store nothing")
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


if __name__ == "__main__":
    sys.exit(main())
