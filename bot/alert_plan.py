"""What an alert becomes: a new message, an edit of its story's earlier alert in the chat, or
nothing, when the chat judged that story not relevant."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.models import Item, StoredMatch, VerdictTally
from storage import verdicts
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
    shown_topics: tuple[str, ...] = ()  # the topics that alert was sent for (its buttons)
    tallies: Mapping[str, VerdictTally] = field(default_factory=dict)  # the chat's verdicts


@dataclass(frozen=True)
class AlertPlan:
    """The item to announce and how."""

    stored: StoredMatch
    edit: StoryEdit | None = None
    # The chat judged an earlier report of this story not relevant for every topic of this
    # alert: it is not pushed (neither edited in nor sent anew).
    dismissed: bool = False


def plan_alert(session: Session, entry: OutboxEntry, *, now: datetime) -> AlertPlan | None:
    """The item to announce, and the earlier alert of its story to edit instead, if any;
    None when the item is no longer stored."""
    stored = get_item(session, entry.item_id)
    if stored is None:
        return None
    story_id = story_of(session, entry.item_id)
    if story_id is None:
        return AlertPlan(stored)
    members = story_members(session, story_id)
    judged = verdicts.views(session, chat_id=entry.chat_id, item_ids=[m.id for m in members])
    dismissed = {v.topic for v in judged if not v.relevant}
    if entry.topics and set(entry.topics) <= dismissed:
        return AlertPlan(stored, dismissed=True)
    first = first_alert(session, entry.chat_id, story_id, thread_id=entry.thread_id)
    if first is None or now - first[2] > EDIT_WINDOW:
        return AlertPlan(stored)
    shown = get_item(session, first[0])
    if shown is None:
        return AlertPlan(stored)
    topics = tuple(verdicts.received_topics(session, entry.chat_id, shown.item.id))
    tallies = verdicts.tallies(session, entry.chat_id, shown.item.id)
    return AlertPlan(stored, StoryEdit(first[1], shown, tuple(members), topics, tallies))
