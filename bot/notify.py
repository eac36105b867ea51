"""What the bot pushes besides item alerts, queued as notices for the one sender
(`bot.delivery`): daily digests, spike alerts and admin notices.

Each function is one unit of work: what it decides and the notices that carry it commit
together, so a digest marked done or a spike claimed always has its messages queued, and the
sender retries them until Telegram accepts them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from html import escape

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.models import StoredMatch, Topic
from bot.pages import paginate
from bot.telegram.format import spike_html
from bot.telegram.i18n import t
from bot.telegram.verdict_buttons import Row, verdict_row
from bot.text import truncate_words
from bot.timeline import group_by_story
from bot.trend_report import spikes_today
from storage import chats, notices, outbox
from storage.engine import session_scope
from storage.feeds import FeedEvent
from storage.items import get_item
from storage.spikes import claim_spike, subscribers
from storage.stories import stories_of

log = logging.getLogger(__name__)

PAGE = 3800  # UTF-16 units of a digest page (Telegram takes 4096)
DIGEST_ROWS = 33  # verdict rows per page: up to 3 buttons each, Telegram takes 100


def queue_admin_notice(
    engine: Engine, admin_ids: Sequence[int], text: str, *, now: datetime
) -> int:
    """Queue an HTML notice for every admin; how many were queued."""
    with session_scope(engine) as session:
        for admin_id in admin_ids:
            notices.queue_notice(session, admin_id, text, kind="admin", now=now)
    return len(admin_ids)


def rule_error_text(message: str) -> str:
    return f"⚠️ Rule reload failed: {escape(message)}\nThe last good rules stay active."


def feed_event_text(event: FeedEvent) -> str:
    if event.kind == "paused":
        return (
            f"⏸ Feed <b>{escape(event.name)}</b> paused after {event.failures} failures in a "
            f"row: {escape(event.reason or '?')}\nIt is probed every 6 hours; "
            f"/feeds retry {escape(event.url)} tries it at the next poll."
        )
    return f"▶️ Feed <b>{escape(event.name)}</b> answers again and is polled as usual."


def queue_spikes(
    engine: Engine,
    topic: Callable[[str], Topic | None],
    *,
    now: datetime,
    factor: float,
    minimum: int,
) -> int:
    """Claim each topic spiking today and queue its alert for the topic's subscribers, in one
    transaction per spike (claimed once a day; never claimed without its alerts queued).
    Returns how many alerts were queued."""
    with Session(engine) as session:
        news = spikes_today(session, now=now, factor=factor, minimum=minimum)
    queued = 0
    for item in news:
        with session_scope(engine) as session:
            if not claim_spike(session, item.spike, now=now):
                continue  # another poll announced it
            log.info("spike topic=%s count=%d baseline=%s", item.spike.topic, item.spike.count,
                     item.spike.baseline)  # fmt: skip
            known = topic(item.spike.topic)
            for chat_id, thread_id, muted, lang in subscribers(session, item.spike.topic):
                label = known.label(lang or "en") if known else item.spike.topic
                notices.queue_notice(
                    session, chat_id, spike_html(item, label=label, lang=lang), kind="spike",
                    now=now, thread_id=thread_id, silent=muted,
                )  # fmt: skip
                queued += 1
    return queued


def queue_due_digests(engine: Engine, *, now: datetime) -> int:
    """Queue the digest of every chat whose local digest time has come, one transaction per
    chat (its pages queued, its held alerts covered by them, the day marked done); returns
    how many chats had something to read."""
    with Session(engine) as session:
        due = chats.digests_due(session, now=now)
    queued = 0
    for chat in due:
        with session_scope(engine) as session:
            entries = outbox.digest_entries(session, chat.chat_id)
            found = {e.item_id: m for e in entries if (m := get_item(session, e.item_id))}
            story_ids = stories_of(session, list(found))
            by_thread: dict[int, list[outbox.OutboxEntry]] = defaultdict(list)
            for entry in entries:
                by_thread[entry.thread_id].append(entry)
            for thread_id, group in by_thread.items():
                pages = digest_pages(group, found, story_ids, lang=chat.language,
                                     day=chat.local_date, buttons=chat.feedback)  # fmt: skip
                if not pages:  # none of its items is stored any more
                    for entry in group:
                        outbox.mark_dropped(session, entry.id, error="item no longer stored")
                    continue
                for number, (page, rows) in enumerate(pages):
                    notices.queue_notice(
                        session, chat.chat_id, page, kind="digest", now=now, thread_id=thread_id,
                        silent=chat.muted, covers=[e.id for e in group] if number == 0 else (),
                        buttons=rows,
                    )  # fmt: skip
            chats.mark_digest_done(session, chat.chat_id, chat.local_date)
        queued += 1 if entries else 0
    return queued


def digest_pages(
    entries: list[outbox.OutboxEntry],
    found: dict[str, StoredMatch],
    story_ids: dict[str, int],
    *,
    lang: str | None,
    day: str,
    buttons: bool = True,
) -> list[tuple[str, list[Row]]]:
    """The digest: per topic, one numbered line per story (its first report, +N other
    outlets); each page with one row of verdict buttons per story on it (with `buttons`)."""
    by_topic: dict[str, list[StoredMatch]] = defaultdict(list)
    for entry in entries:
        m = found.get(entry.item_id)
        if m is None:
            continue
        for topic in entry.topics:
            by_topic[topic].append(m)
    lines: list[str] = []
    stories: list[tuple[str, str]] = []  # (lead item, topic) of story line n + 1
    for topic in sorted(by_topic):
        lines.append(f"\n<b>#{escape(topic)}</b>")
        for members in group_by_story(by_topic[topic], story_ids).values():
            lead = min(members, key=lambda m: m.item.published)
            more = f" +{len(members) - 1}" if len(members) > 1 else ""
            stories.append((lead.item.id, topic))
            lines.append(
                f"{len(stories)}. {escape(truncate_words(lead.item.title, 200))} · "
                f"<i>{escape(lead.item.publisher)}</i>{more} · /source_{lead.item.id}"
            )
    if not lines:
        return []
    pages = paginate(lines, limit=PAGE, header=t(lang, "digest_header", day=day))
    out = []
    for page in pages:
        starts = {line.split(". ", 1)[0] for line in page.split("\n")}
        rows = [
            verdict_row(item_id, topic, lang=lang, heading=f"{n}.")
            for n, (item_id, topic) in enumerate(stories, start=1)
            if buttons and str(n) in starts
        ]
        out.append((page, rows[:DIGEST_ROWS]))
    return out
