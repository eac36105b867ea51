"""Verdicts: subscribers' Relevant / Not relevant taps on alerts, and what they add up to.

One row per (chat, item, topic, user). A chat's view of an alert for a topic is the majority of
its rows (`bot.models.VerdictTally.view`: a private chat has one row, a tie is no view). Every
figure built here (precision, the exported labelled set, /quality) counts views, one per
(chat, item, topic), so they agree with each other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import VerdictTally
from storage.errors import storage_errors
from storage.tables import MatchRow, OutboxRow, VerdictRow

_RELEVANT = sa.func.sum(sa.case((col(VerdictRow.relevant), 1), else_=0))
_NOT_RELEVANT = sa.func.sum(sa.case((col(VerdictRow.relevant), 0), else_=1))


@dataclass(frozen=True, slots=True)
class ChatView:
    """One chat's view of one alert for one topic (the majority of its members' verdicts)."""

    chat_id: int
    item_id: str
    topic: str
    relevant: bool
    at: datetime  # the latest verdict behind it


@storage_errors
def received_topics(session: Session, chat_id: int, item_id: str) -> list[str]:
    """The topics the chat was alerted about `item_id` for (sent, in any thread); [] when the
    chat never received that item: a verdict on it is refused."""
    rows = session.exec(
        select(OutboxRow.topics).where(
            OutboxRow.chat_id == chat_id, OutboxRow.item_id == item_id, OutboxRow.status == "sent"
        )
    ).all()
    return sorted({topic for topics in rows for topic in topics})


@storage_errors
def record(
    session: Session,
    chat_id: int,
    user_id: int,
    item_id: str,
    topics: Sequence[str],
    *,
    relevant: bool,
    now: datetime,
) -> None:
    """Store (or change) this user's verdict on the item for each topic."""
    for topic in topics:
        row = session.exec(
            select(VerdictRow).where(
                VerdictRow.chat_id == chat_id, VerdictRow.item_id == item_id,
                VerdictRow.topic == topic, VerdictRow.user_id == user_id,
            )
        ).first()  # fmt: skip
        if row is None:
            row = VerdictRow(chat_id=chat_id, item_id=item_id, topic=topic, user_id=user_id,
                             relevant=relevant, created_at=now, updated_at=now)  # fmt: skip
        else:
            row.relevant, row.updated_at = relevant, now
        session.add(row)
    session.flush()


@storage_errors
def undo(session: Session, chat_id: int, user_id: int, item_id: str, topics: Sequence[str]) -> int:
    """Withdraw this user's verdicts on the item for these topics; how many went."""
    result = session.execute(
        sa.delete(VerdictRow).where(
            col(VerdictRow.chat_id) == chat_id, col(VerdictRow.user_id) == user_id,
            col(VerdictRow.item_id) == item_id, col(VerdictRow.topic).in_(list(topics)),
        )
    )  # fmt: skip
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@storage_errors
def tallies(session: Session, chat_id: int, item_id: str) -> dict[str, VerdictTally]:
    """topic → the chat's verdicts on the item (topics nobody judged are left out)."""
    rows = session.execute(
        sa.select(col(VerdictRow.topic), _RELEVANT, _NOT_RELEVANT)
        .where(col(VerdictRow.chat_id) == chat_id, col(VerdictRow.item_id) == item_id)
        .group_by(col(VerdictRow.topic))
    ).all()
    return {topic: VerdictTally(int(rel), int(nrel)) for topic, rel, nrel in rows}


@storage_errors
def views(
    session: Session,
    *,
    since: datetime | None = None,
    topic: str | None = None,
    chat_id: int | None = None,
    item_ids: Sequence[str] | None = None,
) -> list[ChatView]:
    """Every chat's view (ties left out) whose latest verdict is at or after `since`, oldest
    first; optionally of one topic, one chat, some items."""
    query = sa.select(
        col(VerdictRow.chat_id), col(VerdictRow.item_id), col(VerdictRow.topic),
        _RELEVANT, _NOT_RELEVANT, sa.func.max(col(VerdictRow.updated_at)),
    ).group_by(col(VerdictRow.chat_id), col(VerdictRow.item_id), col(VerdictRow.topic))  # fmt: skip
    if topic is not None:
        query = query.where(col(VerdictRow.topic) == topic)
    if chat_id is not None:
        query = query.where(col(VerdictRow.chat_id) == chat_id)
    if item_ids is not None:
        query = query.where(col(VerdictRow.item_id).in_(list(item_ids)))
    if since is not None:
        query = query.having(sa.func.max(col(VerdictRow.updated_at)) >= since)
    out = []
    for chat, item, tp, rel, nrel, at in session.execute(query).all():
        view = VerdictTally(int(rel), int(nrel)).view
        if view is not None:
            out.append(ChatView(chat, item, tp, view, _aware(at)))
    return sorted(out, key=lambda v: (v.at, v.chat_id, v.item_id, v.topic))


def _aware(at: datetime) -> datetime:
    # max() over a UTCDateTime column comes back untyped on SQLite: naive, but stored as UTC.
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


@storage_errors
def precision_counts(session: Session, *, since: datetime) -> dict[str, tuple[int, int]]:
    """topic → (relevant views, not-relevant views) of verdicts since `since`."""
    counts: dict[str, list[int]] = {}
    for view in views(session, since=since):
        pair = counts.setdefault(view.topic, [0, 0])
        pair[0 if view.relevant else 1] += 1
    return {topic: (pair[0], pair[1]) for topic, pair in sorted(counts.items())}


@storage_errors
def not_relevant_terms(
    session: Session, topic: str, *, since: datetime
) -> tuple[Counter[str], list[str]]:
    """The rule terms behind the topic's "not relevant" views since `since` (how many such
    views each term fired in), and their item ids, newest verdict first."""
    dismissed = [v for v in views(session, since=since, topic=topic) if not v.relevant]
    item_ids = list(dict.fromkeys(v.item_id for v in reversed(dismissed)))
    terms_of: dict[str, list[str]] = {}
    if item_ids:
        rows = session.exec(
            select(MatchRow.item_id, MatchRow.terms).where(
                MatchRow.topic == topic, col(MatchRow.item_id).in_(item_ids)
            )
        ).all()
        terms_of = {item_id: list(terms) for item_id, terms in rows}
    counts: Counter[str] = Counter()
    for view in dismissed:
        counts.update({term.lower() for term in terms_of.get(view.item_id, ())})
    return counts, item_ids


@storage_errors
def delete_chat(session: Session, chat_id: int) -> int:
    """Forget every verdict of a chat (it blocked the bot or is gone); how many went."""
    result = session.execute(sa.delete(VerdictRow).where(col(VerdictRow.chat_id) == chat_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@storage_errors
def counts_by_topic(session: Session) -> dict[tuple[str, bool], int]:
    """(topic, relevant) → stored verdicts (one per user), for the metrics endpoint."""
    rows = session.execute(
        sa.select(col(VerdictRow.topic), col(VerdictRow.relevant), sa.func.count()).group_by(
            col(VerdictRow.topic), col(VerdictRow.relevant)
        )
    ).all()
    return {(topic, bool(relevant)): int(n) for topic, relevant, n in rows}
