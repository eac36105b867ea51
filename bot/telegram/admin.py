"""Admin-only commands (`GEOALERT_ADMIN_IDS`)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from html import escape

from telegram import Update

from bot import __version__
from bot.service import FeedStatus, precision
from bot.telegram.context import GeoContext, geo
from bot.telegram.handlers.common import chat_language, reply
from bot.telegram.i18n import t


def is_admin(update: Update, context: GeoContext) -> bool:
    user = update.effective_user
    return user is not None and user.id in geo(context).settings.admin_ids


def _age(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = int((now - moment).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


def _feed_line(feed: FeedStatus, now: datetime) -> str:
    state = "ok" if not feed.last_error else f"⚠️ {escape(feed.last_error[:200])}"
    if feed.consecutive_failures > 1:
        state += f" ({feed.consecutive_failures} failures in a row)"
    if feed.paused:
        state += " — PAUSED (/feeds retry)"
    if feed.silent_since is not None:
        state += f" — silent since {feed.silent_since:%Y-%m-%d}"
    return (
        f"• <b>{escape(feed.name)}</b>: polled {_age(feed.last_polled_at, now)}, "
        f"{feed.items} items — {state}"
    )


def _precision_lines(counts: dict[str, tuple[int, int]], lang: str) -> list[str]:
    """Per topic: precision from the chats' verdicts, with the counts behind it."""
    if not counts:
        return [t(lang, "status_no_verdicts")]
    lines = [t(lang, "status_precision")]
    for topic, (relevant, not_relevant) in counts.items():
        share = precision(relevant, not_relevant)
        figure = "—" if share is None else f"{share:.0%}"
        lines.append(
            f"• #{escape(topic)}: {figure} ({relevant} relevant / {not_relevant} not relevant)"
        )
    return lines


async def cmd_status(update: Update, context: GeoContext) -> None:
    """/status (admins): feeds, last poll and error, counts, outbox backlog, uptime, version,
    per-topic precision from the last 30 days of verdicts."""
    g = geo(context)
    lang = await chat_language(update, g)
    if not is_admin(update, context):
        await reply(update, t(lang, "admins_only"))
        return
    now = datetime.now(UTC)
    report = await g.call(g.service.status, now)
    feeds = report.feeds
    uptime = _age(g.started_at, now).removesuffix(" ago")
    lines = [
        t(lang, "status_header", version=__version__, uptime=uptime),
        f"Last poll: {_age(g.last_poll_at, now)} · every {g.settings.poll_interval}s",
        f"Items: {report.items} · matches: {report.matches} · outbox backlog: {report.backlog}",
        f"Database: {report.database_size}",
    ]
    if g.delivery is not None and g.delivery.errors_by_kind:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(g.delivery.errors_by_kind.items()))
        lines.append(f"Telegram errors: {kinds}")
    replicas = await asyncio.to_thread(g.runtime.replica_lines, now)
    if replicas:  # PostgreSQL: every replica, its role, heartbeat and feed leases
        lines.append(f"Replicas ({len(replicas)}):")
        lines.extend(f"• {escape(line)}" for line in replicas)
    lines.extend(_precision_lines(report.precision, lang))
    lines.append(f"Feeds ({len(feeds)}):")
    lines.extend(_feed_line(f, now) for f in feeds[:40])
    if len(feeds) > 40:
        lines.append(f"… and {len(feeds) - 40} more (geoalert feeds status)")
    await reply(update, "\n".join(lines))
