"""Bounded growth: prune old items nobody needs (not matched, never alerted)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from storage.errors import storage_errors
from storage.tables import ItemRow, MatchRow, OutboxRow, StoryItemRow, StoryRow

BATCH = 500


@storage_errors
def prune_items(session: Session, *, older_than: datetime) -> int:
    """Delete items fetched before `older_than` that have no match and no alert, with their
    story memberships (a story losing its lead gets its next member as lead, or goes);
    returns how many items went."""
    removed = 0
    while True:
        ids = list(
            session.exec(
                select(ItemRow.id)
                .where(col(ItemRow.fetched) < older_than)
                .where(~sa.exists().where(col(MatchRow.item_id) == col(ItemRow.id)))
                .where(~sa.exists().where(col(OutboxRow.item_id) == col(ItemRow.id)))
                .limit(BATCH)
            ).all()
        )
        if not ids:
            return removed
        stories = set(
            session.exec(
                select(StoryItemRow.story_id).where(col(StoryItemRow.item_id).in_(ids))
            ).all()
        )
        session.execute(sa.delete(StoryItemRow).where(col(StoryItemRow.item_id).in_(ids)))
        for story_id in stories:
            _relead(session, story_id, set(ids))
        session.execute(sa.delete(ItemRow).where(col(ItemRow.id).in_(ids)))
        session.flush()
        removed += len(ids)


def _relead(session: Session, story_id: int, gone: set[str]) -> None:
    story = session.get(StoryRow, story_id)
    if story is None or story.lead_item_id not in gone:
        return
    successor = session.exec(
        select(StoryItemRow)
        .where(StoryItemRow.story_id == story_id)
        .order_by(col(StoryItemRow.published))
        .limit(1)
    ).first()
    if successor is None:
        session.delete(story)
    else:
        story.lead_item_id = successor.item_id
        story.fingerprint = successor.fingerprint
        session.add(story)
    session.flush()
