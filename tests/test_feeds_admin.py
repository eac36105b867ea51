"""Admins manage feeds from Telegram: add (validated), remove, retry; paused feeds are announced."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.bot_harness import CSTO_ITEM, RunningBot, bot_settings, rss, start_bot

ADMIN, USER = 777, 5001


@pytest.fixture
async def bot(tmp_path, database_url, fake_bot_api, feed_server) -> AsyncIterator[RunningBot]:
    settings = bot_settings(
        tmp_path, database_url, fake_bot_api, feed_server, GEOALERT_FEED_PAUSE_AFTER=2
    )
    async with start_bot(settings, fake_bot_api, feed_server) as running:
        yield running


async def test_addfeed_validates_and_the_new_feed_is_polled(bot, tmp_path):
    refused = await bot.command(USER, f"/addfeed {bot.feeds.url('/new.xml')}")
    assert "administrators" in refused.params["text"]
    for bad in ("file:///etc/passwd", "https://user:secret@example.org/rss"):
        reply = (await bot.command(ADMIN, f"/addfeed {bad}")).params["text"]
        assert reply.startswith("Feed not added:") and "secret" not in reply

    bot.feeds.route("/new.xml", body=rss(CSTO_ITEM))
    added = await bot.command(ADMIN, f"/addfeed {bot.feeds.url('/new.xml')} New Wire")
    assert "Added <b>New Wire</b>" in added.params["text"]
    assert "New Wire" in (tmp_path / "feeds.yaml").read_text()
    await bot.command(USER, "/subscribe csto")
    await bot.poll_now()
    await bot.api.await_calls(lambda c: CSTO_ITEM[1] in c.params.get("text", ""))

    removed = await bot.command(ADMIN, f"/removefeed {bot.feeds.url('/new.xml')}")
    assert "Removed <b>New Wire</b>" in removed.params["text"]
    assert "New Wire" not in (tmp_path / "feeds.yaml").read_text()


async def test_a_failing_feed_is_announced_once_when_paused_and_retried_on_demand(bot):
    bot.feeds.route("/wire.xml", status=500, body=b"boom")
    await bot.poll_now()
    bot.advance(120)  # past the first back-off
    await bot.poll_now()  # the second failure in a row pauses it (GEOALERT_FEED_PAUSE_AFTER=2)
    bot.advance(600)
    await bot.poll_now()  # paused: not polled again, not announced again
    notices = [c.params["text"] for c in bot.api.sent_messages(ADMIN)]
    assert len(notices) == 1 and "paused after 2 failures" in notices[0]
    status = (await bot.command(ADMIN, "/status")).params["text"]
    assert "PAUSED" in status

    bot.feeds.route("/wire.xml", body=rss(CSTO_ITEM))
    reply = await bot.command(ADMIN, "/feeds retry")
    assert "1 feed(s) will be retried" in reply.params["text"]
    await bot.poll_now()
    recovered = await bot.api.await_calls(
        lambda c: c.chat_id == ADMIN and "answers again" in c.params.get("text", "")
    )
    assert len(recovered) == 1
