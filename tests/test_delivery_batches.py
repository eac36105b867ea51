"""Delivery of a backlog bigger than one batch, through the real Application and fake Bot API."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from bot.config import load_settings
from bot.delivery import Delivery
from bot.telegram.app import make_bot
from storage import chats as chat_store
from storage import items as item_store
from storage import outbox
from storage.engine import session_scope
from tests.factories import item, topic_match


def queue_alerts(engine, chat_ids: list[int], items: int) -> None:  # type: ignore[no-untyped-def]
    """Each chat subscribed to `csto` an hour ago; `items` matched items queued for all."""
    now = datetime.now(UTC)
    with session_scope(engine) as session:
        for chat_id in chat_ids:
            chat_store.touch_chat(session, chat_id, chat_type="private", title=None,
                                  user_language="en", now=now - timedelta(hours=1))  # fmt: skip
            chat_store.subscribe(session, chat_id, ["csto"], thread_id=0,
                                 now=now - timedelta(hours=1))  # fmt: skip
    for n in range(items):
        news = item(f"batch-{n}", title=f"Headline number {n} about the CSTO", published=now)
        with session_scope(engine) as session:
            item_store.add_new_items(session, [news])
            item_store.add_matches(session, news.id, [topic_match("csto", "CSTO")], now=now)
            outbox.enqueue_alerts(session, news.id, ["csto"], now=now)


def pending(engine) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return outbox.backlog(session)


@pytest.fixture
async def application(database_url, fake_bot_api) -> AsyncIterator[object]:
    settings = load_settings(
        _env_file=None, DATABASE_URL=database_url, TELEGRAM_BOT_TOKEN=fake_bot_api.token,
        TELEGRAM_API_BASE_URL=fake_bot_api.base_url,
    )  # fmt: skip
    async with make_bot(settings) as bot:
        yield bot


async def test_one_drain_works_through_every_batch_keeping_each_chats_pace(
    engine, fake_bot_api, application
):
    chat_ids = [100_001, 100_002, 100_003]
    queue_alerts(engine, chat_ids, items=3)  # rows: item 1 for the 3 chats, item 2, item 3
    delivery = Delivery(engine, application, chat_min_interval=0.3)
    report = await delivery.drain(limit=2)  # 9 rows: 5 batches, a chat's alerts in different ones
    assert report.sent == 9 and pending(engine) == 0
    for chat_id in chat_ids:
        sends = fake_bot_api.sent_messages(chat_id)
        assert [f"number {n} " in c.params["text"] for n, c in enumerate(sends)] == [True] * 3
        gaps = [b.at - a.at for a, b in itertools.pairwise(sends)]
        assert min(gaps) >= 0.3 - 0.01, gaps  # across batch boundaries too


async def test_shutdown_stops_a_long_drain_after_its_in_flight_sends_and_loses_nothing(
    engine, fake_bot_api, application
):
    chat_ids = list(range(200_001, 200_041))
    queue_alerts(engine, chat_ids, items=1)
    fake_bot_api.set_latency(0.2)
    delivery = Delivery(engine, application, chat_min_interval=0)
    delivery.kick()
    await fake_bot_api.await_calls("sendMessage")
    await asyncio.wait_for(delivery.settle(), timeout=5)
    sent_before = len(fake_bot_api.sent_messages())
    assert 0 < sent_before < len(chat_ids)
    assert pending(engine) == len(chat_ids) - sent_before  # every answered send recorded
    fake_bot_api.set_latency(0)
    restarted = Delivery(engine, application, chat_min_interval=0)
    assert (await restarted.drain()).sent == len(chat_ids) - sent_before
    assert sorted(int(c.chat_id) for c in fake_bot_api.sent_messages()) == chat_ids  # once each
