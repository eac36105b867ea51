"""What an alert becomes: a new message, or an edit of its story's earlier alert in the chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.models import Item, StoredMatch
from storage.items import get_item
from storage.outbox import OutboxEntry
from storage.stories import first_alert, story_members, story_of

# Telegram lets bots edit their messages for 48 hours; stay clear of the edge.
EDIT_WINDOW = timedelta(hours=47)


@dataclass(frozen=True)
class StoryEdit:
    """An earlier alert of the same story in this chat, to edit instead of sending anew."""

    message_id: int
    shown: StoredMatch  # the item that alert announced
    members: tuple[Item, ...]  # every item of the story, earliest first


def plan_alert(
    session: Session, entry: OutboxEntry, *, now: datetime
) -> tuple[StoredMatch, StoryEdit | None] | None:
    """The item to announce, and the earlier alert of its story to edit instead, if any;
    None when the item is no longer stored."""
    stored = get_item(session, entry.item_id)
    if stored is None:
        return None
    story_id = story_of(session, entry.item_id)
    if story_id is None:
        return stored, None
    first = first_alert(session, entry.chat_id, story_id, thread_id=entry.thread_id)
    if first is None or now - first[2] > EDIT_WINDOW:
        return stored, None
    shown = get_item(session, first[0])
    if shown is None:
        return stored, None
    members = story_members(session, story_id)
    return stored, StoryEdit(first[1], shown, tuple(members))
