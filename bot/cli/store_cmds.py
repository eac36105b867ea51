"""Commands over the stored items, feeds and database, each through the facade."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.render import match_line, source_text
from bot.timeline import render_json, render_markdown, render_text

if TYPE_CHECKING:
    from bot.service import Geoalert

# The facade (and SQLAlchemy behind it) is imported inside the commands, so the commands that
# never touch a database (`geoalert match`, `rules check`) start quickly.


@contextmanager
def _geoalert(settings: Settings) -> Iterator[Geoalert]:
    from bot.service import make_geoalert

    geo = make_geoalert(settings)
    try:
        yield geo
    finally:
        geo.close()


def cmd_rules_apply(args: argparse.Namespace, settings: Settings) -> int:
    """Re-match stored items with the current rules; list or store what changes (no alerts)."""
    with _geoalert(settings) as geo:
        report = geo.rematch(dry_run=args.dry_run)
    for change in report.changes:
        print(change.render())
    verb = "changed" if report.stored else "would change"
    print(
        f"{verb}: {report.added} new matches, {report.removed} matches removed (no alerts are sent)"
    )
    if args.verdicts:
        from bot.cli.feedback_cmds import print_verdict_shift
        from bot.matching import load_rules

        print_verdict_shift(load_rules(settings.rules_dir), args.verdicts)
    return 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    """Full-text search over stored items, newest first."""
    with _geoalert(settings) as geo:
        found = geo.search(" ".join(args.words), limit=args.limit)
    for m in found:
        print(match_line(m))
    if not found:
        print("no items found", file=sys.stderr)
    return 0


def cmd_trend(args: argparse.Namespace, settings: Settings) -> int:
    """Stories per week of a topic; `--png FILE` draws the chart."""
    with _geoalert(settings) as geo:
        topic = geo.require_topic(args.topic)
        report = geo.trend(topic.id, weeks=args.weeks)
    print(report.text())
    if args.png:
        Path(args.png).write_bytes(report.png(topic.label("en")))
        print(f"chart written to {args.png}")
    return 0


def cmd_timeline(args: argparse.Namespace, settings: Settings) -> int:
    """Print the chronology of a topic from the database."""
    with _geoalert(settings) as geo:
        geo.require_topic(args.topic)
        months = geo.timeline(args.topic, since=args.since, until=args.until)
    render = {"text": render_text, "md": render_markdown, "json": render_json}[args.format]
    print(render(args.topic, months))
    return 0


def cmd_source(args: argparse.Namespace, settings: Settings) -> int:
    """Print the provenance of one stored item."""
    with _geoalert(settings) as geo:
        found = geo.source(args.item_id)
    if found is None:
        print(f"no item with id {args.item_id!r}", file=sys.stderr)
        return 1
    print(source_text(found.match))
    return 0


def cmd_feeds_status(args: argparse.Namespace, settings: Settings) -> int:
    """Print each feed's last poll, last error and item count."""
    with _geoalert(settings) as geo:
        statuses = geo.feed_statuses()
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
    from bot.service.maintenance import probe_health

    health = probe_health(settings, LOCK_NAME)
    print(f"{'healthy' if health.healthy else 'unhealthy'}: {health.reason}")
    return 0 if health.healthy else 1


def cmd_feeds_import(args: argparse.Namespace, settings: Settings) -> int:
    """Append the feeds of an OPML file to the feed list (URLs checked as for /addfeed)."""
    from bot.service import make_geoalert
    from bot.sources.opml import parse_opml

    feeds = parse_opml(Path(args.file).read_bytes())
    added = make_geoalert(settings).import_feeds(feeds)  # the feed list only: no store opened
    for feed in added:
        print(f"added {feed.name}  {feed.url}")
    print(f"{len(added)} feeds added, {len(feeds) - len(added)} already listed")
    return 0


def cmd_feeds_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write the feed list as OPML (to a file, or stdout)."""
    from bot.service import make_geoalert
    from bot.sources.opml import render_opml

    data = render_opml(make_geoalert(settings).feeds())
    if args.file:
        Path(args.file).write_bytes(data)
    else:
        sys.stdout.write(data.decode("utf-8"))
    return 0


def cmd_feeds_retry(args: argparse.Namespace, settings: Settings) -> int:
    """Make failing or paused feeds due at the next poll."""
    with _geoalert(settings) as geo:
        count = geo.retry_feeds(args.url)
    print(f"{count} feeds will be retried at the next poll")
    return 0


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    """Apply database migrations."""
    with _geoalert(settings) as geo:
        geo.ensure_schema()
    print("database schema is up to date")
    return 0


def cmd_db_backup(args: argparse.Namespace, settings: Settings) -> int:
    """Copy the live SQLite database to a new file."""
    from bot.service.maintenance import backup_database

    size = backup_database(settings, Path(args.file))
    print(f"backup written to {args.file} ({size} bytes)")
    return 0


def cmd_db_prune(args: argparse.Namespace, settings: Settings) -> int:
    """Delete items older than the retention period that are not matched nor alerted."""
    with _geoalert(settings) as geo:
        removed, cutoff = geo.prune()
    print(f"pruned {removed} items fetched before {cutoff:%Y-%m-%d}")
    return 0
