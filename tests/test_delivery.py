"""Delivery under Telegram's errors and limits, and access control, through the real bot."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from sqlmodel import Session

from storage import chats
from storage.outbox import backlog
from tests.support.bot_harness import (
    CSTO_ITEM,
    SANCTIONS_ITEM,
    RunningBot,
    bot_settings,
    eventually,
    rss,
    start_bot,
)

ALICE, BOB = 2001, 2002


@pytest.fixture
async def bot(tmp_path, database_url, fake_bot_api, feed_server) -> AsyncIterator[RunningBot]:
    settings = bot_settings(tmp_path, database_url, fake_bot_api, feed_server)
    async with start_bot(settings, fake_bot_api, feed_server) as running:
        yield running


def pending(bot: RunningBot) -> int:
    with Session(bot.engine) as s:
        return backlog(s)


def titled(title: str):
    return lambda c: c.method == "sendMessage" and not c.failed and title in c.params["text"]


async def subscribe_both(bot: RunningBot) -> None:
    for chat in (ALICE, BOB):
        await bot.command(chat, "/subscribe csto sanctions")


async def test_retry_after_is_honoured_and_nothing_is_lost(bot):
    await bot.command(ALICE, "/subscribe csto sanctions")
    bot.api.fail_next("sendMessage", status=429, retry_after=2)
    bot.feeds.route("/wire.xml", body=rss(CSTO_ITEM, SANCTIONS_ITEM))
    await bot.poll_now()
    refused = (await bot.api.await_calls(lambda c: c.failed and c.status == 429))[0]
    delivered = await bot.api.await_calls(
        lambda c: c.method == "sendMessage" and not c.failed and "/source_" in c.params["text"],
        count=2,
        timeout=15,
    )
    assert min(c.at for c in delivered) - refused.at >= 2.0, "sent before retry_after elapsed"
    texts = [c.params["text"] for c in delivered]
    assert CSTO_ITEM[1] in texts[0] and SANCTIONS_ITEM[1] in texts[1]  # order kept
    await eventually(lambda: pending(bot) == 0)


async def test_blocked_user_is_deactivated_and_others_still_served(bot):
    await subscribe_both(bot)
    bot.api.fail_next(
        "sendMessage", status=403, description="Forbidden: bot was blocked by the user",
        chat_id=ALICE,
    )  # fmt: skip
    bot.feeds.route("/wire.xml", body=rss(CSTO_ITEM, SANCTIONS_ITEM))
    await bot.poll_now()
    got = await bot.api.await_calls(lambda c: c.chat_id == BOB and "/source_" in c.params["text"],
                                    count=2)  # fmt: skip
    assert len(got) == 2
    await eventually(lambda: pending(bot) == 0)
    with Session(bot.engine) as s:
        assert chats.get_chat(s, ALICE).active is False
    assert bot.api.rejected_count("sendMessage", status=403) == 1  # no hammering a closed door
    # The user unblocks the bot and says /start: active again, subscriptions kept.
    await bot.command(ALICE, "/start")
    with Session(bot.engine) as s:
        assert chats.get_chat(s, ALICE).active is True
        assert chats.subscriptions(s, ALICE) == {"csto": 0, "sanctions": 0}


async def test_html_rejected_by_telegram_is_resent_once_as_plain_text(bot):
    await bot.command(ALICE, "/subscribe csto")
    bot.api.fail_next(
        "sendMessage", status=400, description="Bad Request: can't parse entities: bad tag",
        chat_id=ALICE,
    )  # fmt: skip
    bot.feeds.route("/wire.xml", body=rss(CSTO_ITEM))
    await bot.poll_now()
    (plain,) = await bot.api.await_calls(titled(CSTO_ITEM[1]))
    assert "parse_mode" not in plain.params
    assert "<b>" not in plain.params["text"] and "/source_" in plain.params["text"]


async def test_server_errors_are_retried_with_backoff(bot):
    await bot.command(ALICE, "/subscribe csto")
    bot.api.fail_next("sendMessage", status=500, chat_id=ALICE)
    bot.feeds.route("/wire.xml", body=rss(CSTO_ITEM))
    await bot.poll_now()
    await bot.api.await_calls(lambda c: c.failed and c.status == 500)
    with Session(bot.engine) as s:
        assert backlog(s) == 1  # kept for the retry, not lost
    (alert,) = await bot.api.await_calls(titled(CSTO_ITEM[1]), timeout=10)
    assert alert.chat_id == ALICE


async def test_allowlist_refuses_other_chats_and_stores_nothing(
    tmp_path, database_url, fake_bot_api, feed_server
):
    settings = bot_settings(
        tmp_path, database_url, fake_bot_api, feed_server, GEOALERT_ALLOWED_CHAT_IDS=str(ALICE)
    )
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        refused = await bot.command(BOB, "/subscribe csto")
        assert "not on its allowlist" in refused.params["text"]
        bot.api.inject_callback(BOB, "sub:csto", message_id=refused.result["message_id"])
        (answer,) = await bot.api.await_calls("answerCallbackQuery")
        assert "allowlist" in answer.params["text"]
        accepted = await bot.command(ALICE, "/subscribe csto")
        assert "Subscribed" in accepted.params["text"]
        with Session(bot.engine) as s:
            assert chats.get_chat(s, BOB) is None
            assert chats.subscriptions(s, BOB) == {}


async def test_status_is_for_admins_only(bot):
    refused = await bot.command(ALICE, "/status")
    assert "administrators" in refused.params["text"]
    status = (await bot.command(777, "/status")).params["text"]
    assert "geoalert" in status and "outbox backlog: 0" in status
    assert "Wire" in status and "Items: 5" in status
    assert re.search(r"Database: \d+\.\d (KB|MB)", status)


async def test_a_flooding_chat_is_throttled_without_affecting_others(
    tmp_path, database_url, fake_bot_api, feed_server
):
    settings = bot_settings(
        tmp_path, database_url, fake_bot_api, feed_server, GEOALERT_COMMANDS_PER_MINUTE=5
    )
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        for _ in range(12):
            fake_bot_api.inject_message(ALICE, "/help")
        # Updates are handled in order: once Bob is answered, Alice's flood was handled.
        await bot.command(BOB, "/help")
        replies = [c.params["text"] for c in fake_bot_api.sent_messages(ALICE)]
        assert len(replies) == 6
        assert replies[-1].startswith("Too many commands")


async def test_concurrent_drains_never_send_an_alert_twice(bot):
    await subscribe_both(bot)
    bot.api.set_latency(0.2)
    bot.feeds.route("/wire.xml", body=rss(CSTO_ITEM, SANCTIONS_ITEM))
    await bot.g.pipeline.poll(force=True)  # queue without delivering
    await asyncio.gather(*(bot.g.delivery.drain() for _ in range(3)), bot.deliver_now())
    await eventually(lambda: pending(bot) == 0)
    for chat in (ALICE, BOB):
        alerts = [c for c in bot.api.sent_messages(chat) if "/source_" in c.params["text"]]
        assert len(alerts) == 2


async def test_a_telegram_outage_queues_alerts_that_all_arrive_in_order_after(bot):
    await bot.command(ALICE, "/subscribe csto sanctions")
    bot.api.down = True  # Telegram unreachable: every request hung up on
    bot.feeds.route("/wire.xml", body=rss(CSTO_ITEM, SANCTIONS_ITEM))
    await bot.poll_now()
    await bot.deliver_now()
    await eventually(lambda: pending(bot) == 2)  # queued, not lost
    status_before = len(bot.api.sent_messages(ALICE))
    bot.api.down = False
    delivered = await bot.api.await_calls(
        lambda c: c.chat_id == ALICE and not c.failed and "/source_" in c.params.get("text", ""),
        count=2,
        timeout=20,
    )
    assert CSTO_ITEM[1] in delivered[0].params["text"]
    assert SANCTIONS_ITEM[1] in delivered[1].params["text"]
    assert status_before == 1  # only the /subscribe reply got through before
    await eventually(lambda: pending(bot) == 0)
