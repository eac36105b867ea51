"""Storage on real databases: idempotent writes, outbox, chats, the run lock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from bot.errors import LockHeldError
from storage import chats, locks, outbox
from storage import items as item_store
from storage.engine import session_scope
from tests.factories import T0, item, topic_match


def test_adding_the_same_items_twice_stores_them_once(engine):
    batch = [item("a"), item("b"), item("a")]
    with session_scope(engine) as s:
        assert {i.key for i in item_store.add_new_items(s, batch)} == {"a", "b"}
    with session_scope(engine) as s:
        assert item_store.add_new_items(s, batch) == []
        assert item_store.totals(s) == (2, 0)


def test_items_round_trip_with_aware_utc_dates(engine):
    original = item("x", title="Заголовок <b>", published=T0 + timedelta(hours=3))
    with session_scope(engine) as s:
        item_store.add_new_items(s, [original])
        item_store.add_matches(s, original.id, [topic_match("csto", "CSTO")], now=T0)
    with Session(engine) as s:
        stored = item_store.get_item(s, original.id.upper())
    assert stored is not None
    assert stored.item == original
    assert stored.item.published.utcoffset() == timedelta(0)
    assert stored.topic_ids == ("csto",)
    assert stored.topics[0].evidence.terms == ("CSTO",)


def test_matches_are_idempotent_per_item_and_topic(engine):
    it = item("m")
    with session_scope(engine) as s:
        item_store.add_new_items(s, [it])
        first = item_store.add_matches(s, it.id, [topic_match("csto")], now=T0)
        again = item_store.add_matches(
            s, it.id, [topic_match("csto"), topic_match("sanctions")], now=T0
        )
    assert [m.topic for m in first] == ["csto"]
    assert [m.topic for m in again] == ["sanctions"]


def test_matched_items_filters_by_topic_and_orders_by_date(engine):
    old, new = item("old", published=T0 - timedelta(days=40)), item("new", published=T0)
    with session_scope(engine) as s:
        item_store.add_new_items(s, [old, new, item("nomatch")])
        item_store.add_matches(s, old.id, [topic_match("csto")], now=T0)
        item_store.add_matches(s, new.id, [topic_match("csto"), topic_match("sanctions")], now=T0)
    with Session(engine) as s:
        assert [m.item.key for m in item_store.matched_items(s, topic="csto")] == ["new", "old"]
        oldest_first = item_store.matched_items(s, topic="csto", newest_first=False)
        assert [m.item.key for m in oldest_first] == ["old", "new"]
        assert [m.item.key for m in item_store.matched_items(s, topic="sanctions")] == ["new"]
        assert item_store.match_counts(s, since=T0 - timedelta(days=30)) == {
            "csto": 1,
            "sanctions": 1,
        }


def _chat(s: Session, chat_id: int, when=T0) -> None:
    chats.touch_chat(s, chat_id, chat_type="private", title=None, user_language="ru", now=when)


def test_alerts_are_queued_only_for_chats_subscribed_before_the_match(engine):
    it = item("alert")
    with session_scope(engine) as s:
        _chat(s, 1)
        _chat(s, 2)
        chats.subscribe(s, 1, ["csto"], thread_id=0, now=T0 - timedelta(minutes=1))
        chats.subscribe(s, 2, ["csto"], thread_id=0, now=T0 + timedelta(minutes=1))
        item_store.add_new_items(s, [it])
        assert outbox.enqueue_alerts(s, it.id, ["csto"], now=T0) == 1
        assert outbox.enqueue_alerts(s, it.id, ["csto"], now=T0) == 0  # idempotent
    with Session(engine) as s:
        due = outbox.due_entries(s, now=T0)
    assert [(e.chat_id, e.item_id, e.topics, e.language) for e in due] == [
        (1, it.id, ("csto",), "ru")
    ]


def test_forum_threads_get_their_own_alerts(engine):
    it = item("thread")
    with session_scope(engine) as s:
        chats.touch_chat(s, -100, chat_type="supergroup", title="G", user_language=None, now=T0)
        chats.subscribe(s, -100, ["csto"], thread_id=7, now=T0)
        chats.subscribe(s, -100, ["sanctions"], thread_id=9, now=T0)
        item_store.add_new_items(s, [it])
        assert outbox.enqueue_alerts(s, it.id, ["csto", "sanctions"], now=T0) == 2
    with Session(engine) as s:
        due = outbox.due_entries(s, now=T0)
    assert sorted((e.thread_id, e.topics) for e in due) == [(7, ("csto",)), (9, ("sanctions",))]


def test_a_retry_defers_the_chats_later_alerts_to_keep_order(engine):
    a, b = item("a"), item("b")
    with session_scope(engine) as s:
        _chat(s, 1)
        chats.subscribe(s, 1, ["csto"], thread_id=0, now=T0 - timedelta(hours=1))
        item_store.add_new_items(s, [a, b])
        outbox.enqueue_alerts(s, a.id, ["csto"], now=T0)
        outbox.enqueue_alerts(s, b.id, ["csto"], now=T0)
    with session_scope(engine) as s:
        first = outbox.due_entries(s, now=T0)[0]
        outbox.mark_retry(s, first.id, error="timeout", at=T0 + timedelta(seconds=30))
    with Session(engine) as s:
        assert outbox.due_entries(s, now=T0 + timedelta(seconds=10)) == []
        later = outbox.due_entries(s, now=T0 + timedelta(seconds=30))
        assert [e.item_id for e in later] == [a.id, b.id]
        assert outbox.backlog(s) == 2


def test_migrating_a_group_keeps_subscriptions_and_pending_alerts(engine):
    it = item("mig")
    with session_scope(engine) as s:
        chats.touch_chat(s, -5, chat_type="group", title="G", user_language=None, now=T0)
        chats.subscribe(s, -5, ["csto"], thread_id=0, now=T0 - timedelta(hours=1))
        item_store.add_new_items(s, [it])
        outbox.enqueue_alerts(s, it.id, ["csto"], now=T0)
        chats.migrate_chat(s, -5, -1005, now=T0)
    with Session(engine) as s:
        assert chats.subscriptions(s, -1005) == {"csto": 0}
        assert chats.subscriptions(s, -5) == {}
        assert [e.chat_id for e in outbox.due_entries(s, now=T0)] == [-1005]


def test_a_second_live_holder_cannot_take_the_run_lock(engine):
    me, other = locks.Holder.me(), locks.Holder("elsewhere", 1, "abc")
    with session_scope(engine) as s:
        locks.acquire(s, "runner", me, now=T0)
    with pytest.raises(LockHeldError, match="another geoalert"), session_scope(engine) as s:
        locks.acquire(s, "runner", other, now=T0 + timedelta(seconds=30))
    # A stale heartbeat is taken over.
    with session_scope(engine) as s:
        locks.acquire(s, "runner", other, now=T0 + timedelta(minutes=5))
    with session_scope(engine) as s:
        assert not locks.heartbeat(s, "runner", me, now=T0 + timedelta(minutes=6))


def test_a_lock_left_by_a_dead_process_on_this_host_is_taken_over(engine):
    me = locks.Holder.me()
    dead = locks.Holder(me.host, 2**22 + 12345, "dead")  # a pid that does not exist
    with session_scope(engine) as s:
        locks.acquire(s, "runner", dead, now=T0)
    with session_scope(engine) as s:
        locks.acquire(s, "runner", me, now=T0 + timedelta(seconds=1))
    with session_scope(engine) as s:
        locks.release(s, "runner", me)
        locks.acquire(s, "runner", locks.Holder("x", 3, "n"), now=T0)


def test_database_errors_leave_storage_as_storage_errors(tmp_path):
    from bot.errors import DatabaseError, StorageError
    from storage import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")  # never migrated: no tables
    with Session(engine) as s, pytest.raises(DatabaseError, match="no such table") as caught:
        item_store.get_item(s, "abc")
    assert isinstance(caught.value, StorageError) and caught.value.__cause__ is not None
    with Session(engine) as s, pytest.raises(DatabaseError, match="no such table"):
        list(item_store.iter_item_batches(s))  # raised while the generator is iterated
    with pytest.raises(StorageError, match="no such table"), session_scope(engine) as s:
        s.connection().exec_driver_sql("INSERT INTO items (id) VALUES ('x')")
    engine.dispose()
