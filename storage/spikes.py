"""Spike alerts: what is spiking today, who to tell, and that they were told once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.trend import BASELINE_DAYS, Spike, detect_spikes
from storage.items import matched_items
from storage.stories import topic_story_dates
from storage.tables import ChatRow, SpikeAlertRow, SubscriptionRow


@dataclass(frozen=True, slots=True)
class SpikeNews:
    """A spike with the top terms and sources behind it."""

    spike: Spike
    terms: tuple[str, ...]
    sources: tuple[str, ...]


def spikes_today(
    session: Session, *, now: datetime, factor: float, minimum: int
) -> list[SpikeNews]:
    """Topics spiking today (UTC) that have not been announced yet."""
    today = now.date()
    dates = topic_story_dates(session, since=now - timedelta(days=BASELINE_DAYS + 1))
    found = detect_spikes(dates, start=today, end=today, factor=factor, minimum=minimum)
    announced = set(
        session.exec(select(SpikeAlertRow.topic).where(SpikeAlertRow.day == today.isoformat()))
    )
    start = datetime.combine(today, time.min, tzinfo=UTC)
    news = []
    for spike in found:
        if spike.topic in announced:
            continue
        items = matched_items(session, topic=spike.topic, since=start)
        terms: Counter[str] = Counter()
        sources: Counter[str] = Counter()
        for m in items:
            sources[m.item.publisher] += 1
            for tm in m.topics:
                if tm.topic == spike.topic:
                    terms.update(t.lower() for t in tm.evidence.terms)
        top_terms = tuple(t for t, _ in terms.most_common(5))
        news.append(SpikeNews(spike, top_terms, tuple(s for s, _ in sources.most_common(5))))
    return news


def claim_spike(session: Session, spike: Spike, *, now: datetime) -> bool:
    """Record that a spike is announced; False when another poll already did."""
    row = SpikeAlertRow(
        topic=spike.topic,
        day=spike.day.isoformat(),
        count=spike.count,
        baseline=spike.baseline,
        created_at=now,
    )
    try:
        with session.begin_nested():  # a savepoint: a duplicate leaves the session usable
            session.add(row)
    except IntegrityError:
        return False
    return True


def subscribers(session: Session, topic: str) -> list[tuple[int, int, bool, str | None]]:
    """(chat id, thread id, muted, language) of the active chats subscribed to `topic`."""
    rows = session.exec(
        select(
            SubscriptionRow.chat_id,
            SubscriptionRow.thread_id,
            ChatRow.muted,
            ChatRow.language,
            ChatRow.user_language,
        )
        .join(ChatRow, col(ChatRow.id) == col(SubscriptionRow.chat_id))
        .where(SubscriptionRow.topic == topic, col(ChatRow.active).is_(True))
    ).all()
    return [(c, t, bool(m), lang or user_lang) for c, t, m, lang, user_lang in rows]
