"""Spike alerts in the store: which were announced, who to tell, and that they were told once.

`bot.trend` decides what is spiking (from `storage.stories.topic_story_dates`)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.models import Spike
from storage.errors import storage_errors
from storage.tables import ChatRow, SpikeAlertRow, SubscriptionRow


@storage_errors
def announced_topics(session: Session, day: date) -> set[str]:
    """The topics whose spike on `day` was already announced."""
    query = select(SpikeAlertRow.topic).where(SpikeAlertRow.day == day.isoformat())
    return set(session.exec(query))


@storage_errors
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


@storage_errors
def subscribers(session: Session, topic: str) -> list[tuple[int, int, bool, str | None]]:
    """(chat id, thread id, muted, language) of the active chats subscribed to `topic`."""
    rows = session.execute(
        sa.select(
            col(SubscriptionRow.chat_id),
            col(SubscriptionRow.thread_id),
            col(ChatRow.muted),
            col(ChatRow.language),
            col(ChatRow.user_language),
        )
        .join(ChatRow, col(ChatRow.id) == col(SubscriptionRow.chat_id))
        .where(col(SubscriptionRow.topic) == topic, col(ChatRow.active).is_(True))
    ).all()
    return [(c, t, bool(m), lang or user_lang) for c, t, m, lang, user_lang in rows]
