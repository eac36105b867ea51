"""Retention: old unmatched items are pruned; matched or alerted ones stay."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from bot.search_query import search_query
from bot.stories import assign_stories
from storage import chats, outbox
from storage import items as item_store
from storage.engine import session_scope
from storage.retention import prune_items
from storage.search import index_pending, search_items
from storage.stories import StoryRows, story_of
from tests.factories import T0, item, topic_match

OLD = T0 - timedelta(days=400)


def test_old_unmatched_items_go_and_everything_needed_stays(engine):
    old_plain = item("old-plain", fetched=OLD, title="Cotton harvest in Fergana valley")
    old_matched = item("old-matched", fetched=OLD)
    old_alerted = item("old-alerted", fetched=OLD)  # a personal watch alerted it
    recent = item("recent", fetched=T0)
    with session_scope(engine) as s:
        item_store.add_new_items(s, [old_plain, old_matched, old_alerted, recent])
        assign_stories(StoryRows(s), [old_plain, old_matched, old_alerted, recent], now=T0)
        item_store.add_matches(s, old_matched.id, [topic_match("csto")], now=OLD)
        chats.touch_chat(s, 1, chat_type="private", title=None, user_language=None, now=OLD)
        outbox.enqueue_direct(s, 1, old_alerted.id, ["watch_x"], now=OLD)
    with session_scope(engine) as s:
        index_pending(s)
    with Session(engine) as s:
        assert [m.item.id for m in search_items(s, search_query("Fergana"))] == [old_plain.id]
    with session_scope(engine) as s:
        assert prune_items(s, older_than=T0 - timedelta(days=365)) == 1
    with Session(engine) as s:
        assert item_store.get_item(s, old_plain.id) is None
        assert story_of(s, old_plain.id) is None
        for kept in (old_matched, old_alerted, recent):
            assert item_store.get_item(s, kept.id) is not None
        assert search_items(s, search_query("Fergana")) == []  # the search index forgot it too
