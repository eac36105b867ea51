"""Daily digests: held alerts arrive in one message at the chat's local time; high-priority
topics still arrive at once; /digest off releases what was held."""

from __future__ import annotations

from bot.telegram.digest import send_due_digests
from bot.telegram.digest_cmds import parse_offset
from tests.support.bot_harness import CSTO_ITEM, SANCTIONS_ITEM, bot_settings, rss, start_bot

CHAT = 7001
SECOND_SANCTIONS = (
    "sanc-2", "UK sanctions Belarusian potash exporters",
    "Britain imposed sanctions on Belarusian potash exporters and their Russian partners.",
)  # fmt: skip


def test_offsets_parse():
    assert parse_offset("UTC+3") == 180 and parse_offset("-05:30") == -330
    assert parse_offset("+15") is None and parse_offset("soon") is None


async def test_digest_holds_normal_topics_and_sends_them_once_a_day(
    tmp_path, database_url, fake_bot_api, feed_server
):
    settings = bot_settings(tmp_path, database_url, fake_bot_api, feed_server)
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        await bot.command(CHAT, "/subscribe csto sanctions")
        # A digest time already passed today in UTC: the next digest run sends it.
        past = "00:00"  # any time of day is past midnight
        reply = await bot.command(CHAT, "/digest daily 25:00")
        assert reply.params["text"].startswith("Usage: /digest")
        reply = await bot.command(CHAT, f"/digest daily {past} UTC+0")
        assert "Daily digest at" in reply.params["text"]

        bot.feeds.route("/wire.xml", body=rss(CSTO_ITEM, SANCTIONS_ITEM, SECOND_SANCTIONS))
        await bot.poll_now()
        # csto is high priority: instant. The sanctions items wait for the digest.
        (instant,) = await bot.api.await_calls(lambda c: CSTO_ITEM[1] in c.params.get("text", ""))
        assert instant.chat_id == CHAT
        assert not [c for c in bot.api.sent_messages(CHAT) if SANCTIONS_ITEM[1] in c.params["text"]]

        await send_due_digests(bot.g)  # (the scheduled job may have sent it already)
        await bot.api.await_calls(lambda c: "<b>Daily digest</b>" in c.params.get("text", ""))
        assert await send_due_digests(bot.g) == 0  # once a day
        (digest,) = [
            c for c in bot.api.sent_messages(CHAT) if "<b>Daily digest</b>" in c.params["text"]
        ]
        text = digest.params["text"]
        assert "#sanctions" in text and SANCTIONS_ITEM[1] in text and SECOND_SANCTIONS[1] in text
        assert CSTO_ITEM[1] not in text


async def test_digest_off_releases_held_alerts(tmp_path, database_url, fake_bot_api, feed_server):
    settings = bot_settings(tmp_path, database_url, fake_bot_api, feed_server)
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        await bot.command(CHAT, "/subscribe sanctions")
        await bot.command(CHAT, "/digest daily 23:59 UTC-12")
        bot.feeds.route("/wire.xml", body=rss(SANCTIONS_ITEM))
        await bot.poll_now()
        reply = await bot.command(CHAT, "/digest off")
        assert "1 held alert" in reply.params["text"]
        await bot.deliver_now()
        (alert,) = await bot.api.await_calls(
            lambda c: SANCTIONS_ITEM[1] in c.params.get("text", "")
        )
        assert alert.chat_id == CHAT
