"""Spike alerts: a topic whose volume jumps is announced to its subscribers once a day."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

from tests.support.bot_harness import bot_settings, rss, start_bot

NOW = format_datetime(datetime.now(UTC), usegmt=True)
EVENTS = [
    ("s-0", "CSTO holds joint exercises in Tajikistan",
     "Troops of the CSTO began joint exercises near Dushanbe on Monday.", NOW),
    ("s-1", "Armenia freezes its participation in the CSTO",
     "Prime Minister Pashinyan said Yerevan has frozen its participation in the bloc.", NOW),
    ("s-2", "CSTO secretary general visits Bishkek for border talks",
     "The CSTO secretary general met Kyrgyz officials to discuss the Tajik border.", NOW),
    ("s-3", "Kazakhstan hosts CSTO defence ministers in Astana",
     "Defence ministers of the CSTO member states gathered in Astana.", NOW),
]  # fmt: skip


async def test_a_spike_is_announced_once_to_subscribers(
    tmp_path, database_url, fake_bot_api, feed_server
):
    settings = bot_settings(
        tmp_path, database_url, fake_bot_api, feed_server, GEOALERT_SPIKE_MINIMUM=3
    )
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        await bot.command(6001, "/subscribe csto")
        await bot.command(6002, "/subscribe sanctions")
        feed_server.route("/wire.xml", body=rss(*EVENTS[:2]))
        await bot.poll_now()  # two stories: below the minimum
        feed_server.route("/wire.xml", body=rss(*EVENTS))
        await bot.poll_now()
        await bot.poll_now()
        (spike,) = await fake_bot_api.await_calls(
            lambda c: "Spike" in c.params.get("text", "") and c.chat_id == 6001
        )
        await bot.command(6001, "/help")  # everything before it was handled
    text = spike.params["text"]
    assert "4 stories today" in text and "csto" in text.lower() and "Sources: Wire" in text
    spikes = [c for c in fake_bot_api.sent_messages() if "Spike" in c.params["text"]]
    assert len(spikes) == 1  # once, and not to the sanctions subscriber


async def test_a_spike_alert_whose_send_fails_is_retried_not_lost(
    tmp_path, database_url, fake_bot_api, feed_server
):
    settings = bot_settings(
        tmp_path, database_url, fake_bot_api, feed_server, GEOALERT_SPIKE_MINIMUM=3
    )
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        await bot.command(6001, "/subscribe csto")
        feed_server.route("/wire.xml", body=rss(*EVENTS[:2]))
        await bot.poll_now()
        await fake_bot_api.await_calls(lambda c: c.chat_id == 6001 and "/source_" in
                                       c.params.get("text", ""), count=2)  # fmt: skip
        # Telegram fails this chat's next sends: its two new alerts and the spike alert.
        fake_bot_api.fail_next("sendMessage", status=500, chat_id=6001, times=3)
        feed_server.route("/wire.xml", body=rss(*EVENTS))
        await bot.poll_now()
        await fake_bot_api.await_calls(
            lambda c: c.failed and "Spike" in c.params.get("text", ""), timeout=10
        )
        (spike,) = await fake_bot_api.await_calls(
            lambda c: not c.failed and "Spike" in c.params.get("text", ""), timeout=15
        )
        assert spike.chat_id == 6001 and "4 stories today" in spike.params["text"]
        await bot.poll_now()  # claimed once a day: not announced again
        await bot.command(6001, "/help")
    delivered = [c for c in fake_bot_api.sent_messages() if "Spike" in c.params["text"]]
    assert len(delivered) == 1
