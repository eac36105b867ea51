"""Stories in the store: membership, recent members, merges and moves, and the alert to edit.
The deciding is done by `bot.stories` (pure): this module reads the rows it needs (`StoryRows`)
and persists what it decided (`save_story_plan`). An item belongs to at most one story
(`story_items.item_id` is the primary key), so attaching twice is a no-op. A story's event
date is the earliest *reliable* published date of its members (from the feed, its metadata or
its text, not the fetch time), else the earliest of any.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.errors import StorageError
from bot.models import UNDATED_ORIGINS, Item, StoryJoin, StoryMember, StoryPlan
from storage.chunks import in_ids, rows_in
from storage.errors import storage_errors
from storage.items import _item
from storage.tables import ItemRow, MatchRow, OutboxRow, StoryItemRow, StoryRow

_STORIES: sa.Table = StoryRow.__table__  # type: ignore[attr-defined]
_MEMBERS: sa.Table = StoryItemRow.__table__  # type: ignore[attr-defined]
# Built once: the poll runs these for every feed it stores (see storage.items).
_STORIES_OF = sa.select(_MEMBERS.c.item_id, _MEMBERS.c.story_id).where(in_ids(_MEMBERS.c.item_id))
_STORY_DATES = sa.select(
    _STORIES.c.id, _STORIES.c.event_date, _STORIES.c.event_date_reliable,
    _STORIES.c.last_published, _STORIES.c.member_count,
).where(in_ids(_STORIES.c.id))  # fmt: skip
_UPDATE_STORY = sa.update(_STORIES).where(_STORIES.c.id == sa.bindparam("key"))
_INSERT_STORIES = sa.insert(_STORIES).returning(_STORIES.c.id, sort_by_parameter_order=True)
_INSERT_MEMBERS = sa.insert(_MEMBERS)
_MEMBERS_SINCE = (
    sa.select(
        _MEMBERS.c.story_id,
        _MEMBERS.c.fingerprint,
        _MEMBERS.c.published,
        _MEMBERS.c.added_at,
        _MEMBERS.c.item_id,
    )
    .where(_MEMBERS.c.published >= sa.bindparam("since"))
    .order_by(_MEMBERS.c.published, _MEMBERS.c.item_id)
)
_RELOCATE_MEMBER = (
    sa.update(_MEMBERS)
    .where(_MEMBERS.c.item_id == sa.bindparam("item"))
    .values(story_id=sa.bindparam("kept"))
)
_STORIES_WITH_MEMBERS = sa.select(_MEMBERS.c.story_id).where(in_ids(_MEMBERS.c.story_id)).distinct()
_ITEMS: sa.Table = ItemRow.__table__  # type: ignore[attr-defined]
_MEMBER_DATES = (
    sa.select(_MEMBERS.c.story_id, _ITEMS.c.id, _ITEMS.c.published, _ITEMS.c.published_origin)
    .join(_ITEMS, _ITEMS.c.id == _MEMBERS.c.item_id)
    .where(in_ids(_MEMBERS.c.story_id))
)
_MEMBERS_BETWEEN = _MEMBERS_SINCE.where(_MEMBERS.c.published <= sa.bindparam("until"))


@dataclass(frozen=True, slots=True)
class StoryInfo:
    """A story as the bot shows it: lead item, event date and how many items report it."""

    id: int
    lead_item_id: str
    event_date: datetime
    event_date_reliable: bool
    member_count: int
    created_at: datetime


def _info(row: StoryRow) -> StoryInfo:
    return StoryInfo(
        id=row.id or 0,
        lead_item_id=row.lead_item_id,
        event_date=row.event_date,
        event_date_reliable=row.event_date_reliable,
        member_count=row.member_count,
        created_at=row.created_at,
    )


@storage_errors
def members_between(session: Session, since: datetime, until: datetime) -> list[StoryMember]:
    """Members of stories published in [since, until], oldest first (no flush: the story index
    of a poll reads each range once, and its own members it already holds)."""
    rows = session.execute(_MEMBERS_BETWEEN, {"since": since, "until": until})
    return [StoryMember(*row) for row in rows]  # the columns in the record's order


@storage_errors
def recent_candidates(
    session: Session, since: datetime, until: datetime | None = None
) -> list[StoryMember]:
    """Members of stories published in [since, until], one record per member, oldest first."""
    session.flush()
    if until is not None:
        return members_between(session, since, until)
    return [StoryMember(*row) for row in session.execute(_MEMBERS_SINCE, {"since": since})]


@storage_errors
def attach(
    session: Session, item_id: str, story_key: int | None, fingerprint: bytes, *, now: datetime
) -> int:
    """Put a stored item into story `story_key`, or into a new story when None; return its id.

    An item already in a story stays there (idempotent re-runs). The item must be stored.
    """
    existing = session.get(StoryItemRow, item_id)
    if existing is not None:
        return existing.story_id
    item = session.get(ItemRow, item_id)
    if item is None:
        raise StorageError(f"cannot attach item {item_id} to a story: item not stored")
    reliable = item.published_origin not in UNDATED_ORIGINS
    blob = fingerprint
    story = session.get(StoryRow, story_key) if story_key is not None else None
    if story is None:
        story = StoryRow(
            lead_item_id=item_id,
            event_date=item.published,
            event_date_reliable=reliable,
            last_published=item.published,
            member_count=0,
            fingerprint=blob,
            created_at=now,
        )
    _widen(story, item.published, reliable)
    story.member_count += 1
    session.add(story)
    session.flush()
    assert story.id is not None
    session.add(
        StoryItemRow(
            item_id=item_id,
            story_id=story.id,
            published=item.published,
            fingerprint=blob,
            added_at=now,
        )
    )
    session.flush()
    return story.id


class StoryRows:
    """The story rows of one unit of work, as story assignment (`bot.stories.StoryStore`)
    reads and writes them: the caller owns `session`."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def stories_of(self, item_ids: Sequence[str]) -> dict[str, int]:
        return stories_of(self.session, item_ids)

    def members_between(self, since: datetime, until: datetime) -> list[StoryMember]:
        return members_between(self.session, since, until)

    def save(self, plan: StoryPlan) -> dict[int, int]:
        return save_story_plan(self.session, plan)


@storage_errors
def save_story_plan(session: Session, plan: StoryPlan) -> dict[int, int]:
    """Persist the story decisions of one batch; return temporary story key → stored id.

    A few statements whatever the batch: the new stories are inserted (their ids come back in
    one round trip) and the stored ones the items joined updated, relocated members move, the
    memberships are inserted, and the stories a move changed are recounted (those left empty
    deleted).
    """
    relocated, now = plan.relocated, plan.now
    # Read before anything moves: the stories relocated members leave.
    left = set(stories_of(session, list(relocated)).values()) if relocated else set()
    ids = _write_stories(session, plan.joins, plan.new_keys, now) if plan.joins else {}
    if plan.founded:  # dates and count are recounted below, from the members moved in
        rows = [{"lead_item_id": lead.item_id, "fingerprint": lead.fingerprint, "created_at": now,
                 **_columns(_StoryDates(lead.published, True, lead.published, 0))}
                for lead in plan.founded]  # fmt: skip
        found = session.execute(_INSERT_STORIES, rows).scalars().all()
        ids |= dict(zip([lead.story_key for lead in plan.founded], found, strict=True))
    if relocated:
        session.execute(
            _RELOCATE_MEMBER,
            [{"item": item_id, "kept": ids.get(key, key)} for item_id, key in relocated.items()],
        )
    members = [
        {"item_id": j.item.id, "story_id": ids.get(j.story_key, j.story_key),
         "published": j.item.published, "fingerprint": j.fingerprint, "added_at": now}
        for j in plan.joins
    ]  # fmt: skip
    if members:
        session.execute(_INSERT_MEMBERS, members)
    if relocated:
        _recount(session, left | {ids.get(k, k) for k in relocated.values()})
        emptied = left - set(
            session.execute(_STORIES_WITH_MEMBERS, {"ids": sorted(left)}).scalars()
        )
        if emptied:
            session.execute(sa.delete(_STORIES).where(_STORIES.c.id.in_(sorted(emptied))))
    return ids


def _recount(session: Session, story_ids: set[int]) -> None:
    """Recompute lead, dates and member count of stories from their members (after a move)."""
    members: dict[int, list[tuple[str, datetime, str]]] = defaultdict(list)
    for story_id, item_id, published, origin in rows_in(session, _MEMBER_DATES, sorted(story_ids)):
        members[story_id].append((item_id, published, origin))
    updates = []
    for story_id, rows in sorted(members.items()):
        rows.sort(key=lambda r: (r[1], r[0]))
        first_id, first_published, first_origin = rows[0]
        dates = _StoryDates(
            first_published, first_origin not in UNDATED_ORIGINS, first_published, 0
        )
        for _, published, origin in rows:
            _widen(dates, published, origin not in UNDATED_ORIGINS)
            dates.member_count += 1
        updates.append({"key": story_id, "lead_item_id": first_id, **_columns(dates)})
    if updates:
        session.execute(_UPDATE_STORY, updates)


@dataclass(slots=True)
class _StoryDates:
    """The columns of a story that its members change."""

    event_date: datetime
    event_date_reliable: bool
    last_published: datetime
    member_count: int


def _write_stories(
    session: Session,
    joins: Sequence[StoryJoin],
    new_keys: Sequence[int],
    now: datetime,
) -> dict[int, int]:
    """Insert the new stories and update the stored ones the items joined (two statements);
    return temporary key → stored id."""
    fresh = set(new_keys)
    stored = sorted({j.story_key for j in joins if j.story_key not in fresh})
    dates = {
        story_id: _StoryDates(*columns)
        for story_id, *columns in rows_in(session, _STORY_DATES, stored)
    }
    leads: dict[int, tuple[Item, bytes]] = {}
    for item, key, blob in ((j.item, j.story_key, j.fingerprint) for j in joins):
        reliable = item.published_origin not in UNDATED_ORIGINS
        if key not in dates:
            if key not in fresh:
                raise StorageError(f"cannot attach item {item.id} to story {key}: not stored")
            dates[key] = _StoryDates(item.published, reliable, item.published, 0)
            leads[key] = (item, blob)
        _widen(dates[key], item.published, reliable)
        dates[key].member_count += 1
    if stored:
        session.execute(_UPDATE_STORY, [{"key": key, **_columns(dates[key])} for key in stored])
    if not new_keys:
        return {}
    rows = [
        {"lead_item_id": leads[key][0].id, "fingerprint": leads[key][1], "created_at": now,
         **_columns(dates[key])}
        for key in new_keys
    ]  # fmt: skip
    return dict(zip(new_keys, session.execute(_INSERT_STORIES, rows).scalars().all(), strict=True))


def _columns(story: _StoryDates) -> dict[str, object]:
    return {
        "event_date": story.event_date,
        "event_date_reliable": story.event_date_reliable,
        "last_published": story.last_published,
        "member_count": story.member_count,
    }


def _widen(story: StoryRow | _StoryDates, published: datetime, reliable: bool) -> None:
    """Fold one member's date into the story's event date and last published date."""
    story.last_published = max(story.last_published, published)
    if reliable and not story.event_date_reliable:
        story.event_date, story.event_date_reliable = published, True
    elif reliable == story.event_date_reliable:
        story.event_date = min(story.event_date, published)


@storage_errors
def story_of(session: Session, item_id: str) -> int | None:
    """The id of the story an item belongs to, or None."""
    row = session.get(StoryItemRow, item_id)
    return None if row is None else row.story_id


@storage_errors
def stories_of(session: Session, item_ids: Sequence[str]) -> dict[str, int]:
    """item id → story id, for the items that belong to a story."""
    if not item_ids:
        return {}
    return {row.item_id: row.story_id for row in rows_in(session, _STORIES_OF, item_ids)}


@storage_errors
def get_story(session: Session, story_id: int) -> StoryInfo | None:
    """One story's summary record, or None."""
    row = session.get(StoryRow, story_id)
    return None if row is None else _info(row)


@storage_errors
def story_members(session: Session, story_id: int) -> list[Item]:
    """The items of a story, earliest published first."""
    query = (
        select(ItemRow)
        .join(StoryItemRow, col(StoryItemRow.item_id) == col(ItemRow.id))
        .where(StoryItemRow.story_id == story_id)
        .order_by(col(ItemRow.published), col(ItemRow.id))
    )
    return [_item(row) for row in session.exec(query).all()]


@storage_errors
def alerted_message(
    session: Session, chat_id: int, story_id: int, *, thread_id: int = 0
) -> tuple[int, datetime] | None:
    """The first alert Telegram accepted for any item of the story in this chat/thread:
    (message_id, sent_at), or None when the chat was never alerted about the story."""
    first = first_alert(session, chat_id, story_id, thread_id=thread_id)
    return None if first is None else (first[1], first[2])


@storage_errors
def first_alert(
    session: Session, chat_id: int, story_id: int, *, thread_id: int = 0
) -> tuple[str, int, datetime] | None:
    """(item_id, message_id, sent_at) of the first alert of the story in this chat/thread."""
    query = (
        select(OutboxRow.item_id, OutboxRow.message_id, OutboxRow.sent_at)
        .join(StoryItemRow, col(StoryItemRow.item_id) == col(OutboxRow.item_id))
        .where(
            StoryItemRow.story_id == story_id,
            OutboxRow.chat_id == chat_id,
            OutboxRow.thread_id == thread_id,
            OutboxRow.status == "sent",
            col(OutboxRow.message_id).is_not(None),
        )
        .order_by(col(OutboxRow.sent_at), col(OutboxRow.id))
        .limit(1)
    )
    row = session.exec(query).first()
    if row is None or row[1] is None or row[2] is None:
        return None
    return row[0], row[1], row[2]


@storage_errors
def topic_story_dates(
    session: Session, *, since: datetime, topic: str | None = None
) -> dict[str, list[datetime]]:
    """Per topic, one date per story that matched it since `since` (an item outside any story
    counts as its own): the earliest published date of the story's matching items, sorted.

    Feeds `bot.trend`: counting stories, not items, keeps one event reported by ten outlets
    from looking like a spike.
    """
    loose_item = sa.case((col(StoryItemRow.story_id).is_(None), col(ItemRow.id)), else_=None)
    query = (
        select(MatchRow.topic, sa.func.min(ItemRow.published))
        .join(ItemRow, col(ItemRow.id) == col(MatchRow.item_id))
        .outerjoin(StoryItemRow, col(StoryItemRow.item_id) == col(ItemRow.id))
        .where(col(ItemRow.published) >= since)
        .group_by(col(MatchRow.topic), col(StoryItemRow.story_id), loose_item)
    )
    if topic is not None:
        query = query.where(MatchRow.topic == topic)
    result: dict[str, list[datetime]] = defaultdict(list)
    for topic_id, first in session.exec(query).all():
        result[topic_id].append(first)
    return {t: sorted(dates) for t, dates in sorted(result.items())}
