"""Daily digests: held alerts arrive in one message at the chat's local time; high-priority
topics still arrive at once; /digest off releases what was held."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.telegram.digest_cmds import parse_offset
from storage.tables import OutboxRow
from tests.support.bot_harness import (
    CSTO_ITEM,
    SANCTIONS_ITEM,
    bot_settings,
    eventually,
    rss,
    start_bot,
)

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

        await bot.g.runtime.send_digests()  # (the scheduled job may have sent it already)
        await bot.api.await_calls(lambda c: "<b>Daily digest</b>" in c.params.get("text", ""))
        assert await bot.g.runtime.send_digests() == 0  # once a day
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


async def test_a_digest_whose_send_fails_is_retried_and_its_alerts_marked_sent_after(
    tmp_path, database_url, fake_bot_api, feed_server
):
    settings = bot_settings(tmp_path, database_url, fake_bot_api, feed_server)
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        await bot.command(CHAT, "/subscribe sanctions")
        await bot.command(CHAT, "/digest daily 00:00 UTC+0")
        bot.feeds.route("/wire.xml", body=rss(SANCTIONS_ITEM, SECOND_SANCTIONS))
        await bot.poll_now()
        bot.api.fail_next("sendMessage", status=502, chat_id=CHAT)
        await bot.g.runtime.send_digests()  # (or the scheduled job did it already)
        refused = await bot.api.await_calls(
            lambda c: c.failed and "<b>Daily digest</b>" in c.params.get("text", "")
        )
        (digest,) = await bot.api.await_calls(
            lambda c: not c.failed and "<b>Daily digest</b>" in c.params.get("text", ""),
            timeout=10,
        )
        assert digest.at > refused[0].at and SECOND_SANCTIONS[1] in digest.params["text"]

        def delivered_with_the_digest() -> bool:
            with Session(bot.engine) as s:
                rows = s.exec(select(OutboxRow).where(OutboxRow.chat_id == CHAT)).all()
            return len(rows) == 2 and all(
                r.status == "sent" and r.message_id == digest.result["message_id"] for r in rows
            )

        await eventually(delivered_with_the_digest)
