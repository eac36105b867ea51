"""The real bot (PTB Application, JobQueue, store) against a fake Bot API over loopback."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from sqlmodel import Session

from storage import chats
from storage.items import matched_items
from tests.support.bot_harness import (
    CSTO_ITEM,
    SANCTIONS_ITEM,
    RunningBot,
    bot_settings,
    rss,
    start_bot,
)

USER = 1001


@pytest.fixture
async def bot(tmp_path, database_url, fake_bot_api, feed_server) -> AsyncIterator[RunningBot]:
    settings = bot_settings(tmp_path, database_url, fake_bot_api, feed_server)
    async with start_bot(settings, fake_bot_api, feed_server) as running:
        yield running


def alerts(bot: RunningBot, chat_id: int, title: str) -> list:
    return [c for c in bot.api.sent_messages(chat_id) if title in c.params["text"]]


async def test_commands_are_registered_in_both_languages(bot):
    calls = bot.api.calls_to("setMyCommands")
    names = [c["command"] for c in calls[0].params["commands"]]
    assert {"start", "help", "topics", "subscribe", "latest", "timeline", "source"} <= set(names)
    assert {c.params.get("language_code") for c in calls} == {None, "ru"}


async def test_subscriber_gets_exactly_one_alert_for_a_new_item(bot):
    welcome = await bot.command(USER, "/start")
    assert "csto" in welcome.params["text"] and "/subscribe" in welcome.params["text"]
    reply = await bot.command(USER, "/subscribe csto")
    assert "csto" in reply.params["text"]
    # The seed corpus was matched before the subscription: no flood of old items.
    await bot.deliver_now()
    assert len(bot.api.sent_messages(USER)) == 2

    bot.feeds.route("/wire.xml", body=rss(CSTO_ITEM, SANCTIONS_ITEM))
    await bot.poll_now()
    await bot.api.await_calls(lambda c: CSTO_ITEM[1] in c.params.get("text", ""))
    await bot.poll_now()
    await bot.deliver_now()

    (alert,) = alerts(bot, USER, CSTO_ITEM[1])
    text = alert.params["text"]
    assert alert.params["parse_mode"] == "HTML"
    assert f"<b>{CSTO_ITEM[1]}</b>" in text
    assert "Collective Security Treaty Organization" in text  # the summary
    assert "#csto" in text and "Wire" in text
    assert re.search(r"/source_[0-9a-f]{12}", text)
    assert alerts(bot, USER, SANCTIONS_ITEM[1]) == []  # not subscribed to sanctions


async def test_timeline_lists_the_seeds_in_order_of_publication(bot):
    reply = await bot.command(USER, "/timeline non_recognition")
    text = reply.params["text"]
    ids = re.findall(r"/source_([0-9a-f]{12})", text)
    with Session(bot.engine) as s:
        seeds = matched_items(s, topic="non_recognition", newest_first=False)
    assert ids == [m.item.id for m in seeds]
    assert [m.item.published.month for m in seeds] == [2, 4, 6, 7]
    assert text.index("2022-02") < text.index("2022-07")


async def test_source_shows_provenance_and_evidence(bot):
    with Session(bot.engine) as s:
        item = next(m for m in matched_items(s) if m.item.source_ref.startswith("004"))
    for command in (f"/source {item.item.id}", f"/source_{item.item.id}"):
        text = (await bot.command(USER, command)).params["text"]
        assert item.item.publisher in text
        assert "004_82964e3a3d4d29cf.txt" in text
        assert "2022-06" in text and "corpus metadata" in text
        assert "#non_recognition" in text and "Terms:" in text
    missing = await bot.command(USER, "/source 000000000000")
    assert "No item" in missing.params["text"]


async def test_latest_shows_newest_matches_with_ids(bot):
    text = (await bot.command(USER, "/latest non_recognition 2")).params["text"]
    assert text.count("/source_") == 2
    assert "2022-07" in text  # the newest seed first
    bad = await bot.command(USER, "/latest 500")
    assert "not a number between 1 and 20" in bad.params["text"]


async def test_unknown_commands_and_topics_name_the_valid_ones(bot):
    text = (await bot.command(USER, "/frobnicate")).params["text"]
    assert "Unknown command /frobnicate" in text and "/subscribe" in text
    text = (await bot.command(USER, "/subscribe weather")).params["text"]
    assert "Unknown topic weather" in text and "csto, non_recognition, sanctions" in text


async def test_group_commands_addressed_to_the_bot(bot):
    group = -200
    reply = await bot.command(group, "/subscribe@geoalert_test_bot sanctions", chat_title="Desk")
    assert "sanctions" in reply.params["text"]
    with Session(bot.engine) as s:
        assert chats.subscriptions(s, group) == {"sanctions": 0}
    # A command for another bot is not ours to answer.
    bot.api.inject_message(group, "/frobnicate@other_bot")
    reply = await bot.command(group, "/help@geoalert_test_bot")
    assert "/timeline" in reply.params["text"]
    assert not any("frobnicate" in c.params["text"] for c in bot.api.sent_messages(group))


async def test_forum_subscription_delivers_into_its_thread(bot):
    forum = -100500
    await bot.command(forum, "/subscribe csto", message_thread_id=42, is_topic_message=True)
    bot.feeds.route("/wire.xml", body=rss(CSTO_ITEM))
    await bot.poll_now()
    (alert,) = await bot.api.await_calls(lambda c: CSTO_ITEM[1] in c.params.get("text", ""))
    assert alert.params["chat_id"] == forum and alert.params["message_thread_id"] == 42


async def test_mute_sends_alerts_silently(bot):
    await bot.command(USER, "/subscribe sanctions")
    await bot.command(USER, "/mute")
    bot.feeds.route("/wire.xml", body=rss(SANCTIONS_ITEM))
    await bot.poll_now()
    (alert,) = await bot.api.await_calls(lambda c: SANCTIONS_ITEM[1] in c.params.get("text", ""))
    assert alert.params["disable_notification"] is True


async def test_topics_buttons_toggle_subscriptions(bot):
    reply = await bot.command(USER, "/topics")
    keyboard = reply.params["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in keyboard] == [
        "sub:csto",
        "sub:non_recognition",
        "sub:sanctions",
    ]
    bot.api.inject_callback(USER, "sub:csto", message_id=reply.result["message_id"])
    await bot.api.await_calls("answerCallbackQuery")
    edit = (await bot.api.await_calls("editMessageText"))[-1]
    assert "✅" in edit.params["text"]
    with Session(bot.engine) as s:
        assert chats.subscriptions(s, USER) == {"csto": 0}


async def test_russian_interface_follows_the_user_and_lang_overrides(bot):
    text = (await bot.command(USER, "/start", language_code="ru")).params["text"]
    assert "следит за новостями" in text
    await bot.command(USER, "/lang en", language_code="ru")
    text = (await bot.command(USER, "/help", language_code="ru")).params["text"]
    assert text.startswith("Commands:")


async def test_group_upgraded_to_supergroup_keeps_subscriptions(bot):
    await bot.command(-300, "/subscribe csto", chat_title="Old group")
    bot.api.inject_update(
        {
            "message": {
                "message_id": 99,
                "date": 1700000000,
                "chat": {"id": -300, "type": "group", "title": "Old group"},
                "from": {"id": 4242, "is_bot": False, "first_name": "A"},
                "migrate_to_chat_id": -1000300,
            }
        }
    )
    reply = await bot.command(-1000300, "/subscriptions")
    assert "csto" in reply.params["text"]


async def test_rule_files_are_reloaded_live_and_a_broken_one_is_reported_to_admins(
    tmp_path, database_url, fake_bot_api, feed_server, repo
):
    rules = tmp_path / "live-rules"
    shutil.copytree(repo / "rules", rules)
    settings = bot_settings(
        tmp_path, database_url, fake_bot_api, feed_server, GEOALERT_RULES_DIR=rules
    )
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        (rules / "csto.yaml").write_text("id: csto\nmatch: [unclosed\n")
        await bot.g.runtime.refresh_rules()
        (notice,) = await bot.api.await_calls(lambda c: c.chat_id == 777 and not c.failed)
        assert "csto.yaml:" in notice.params["text"] and "last good rules" in notice.params["text"]
        topics = (await bot.command(USER, "/topics")).params["text"]
        assert "csto" in topics  # the last good rules are still active

        (rules / "csto.yaml").write_text((repo / "rules" / "csto.yaml").read_text())
        (rules / "weather.yaml").write_text(
            "id: weather\nname: Weather\ndescription: storms\nmatch:\n  any: [blizzard]\n"
        )
        await bot.g.runtime.refresh_rules()
        reply = await bot.command(USER, "/subscribe weather")
        assert "Subscribed to: weather" in reply.params["text"]
        assert len(bot.api.sent_messages(777)) == 1  # admins were told once


async def test_a_personal_watch_alerts_on_new_matching_items(bot):
    bad = await bot.command(USER, "/watch evil re:(a+)+$")
    assert bad.params["text"].startswith("Watch not saved:")
    saved = await bot.command(USER, "/watch pashinyan Pashinyan*, Пашинян* -football")
    assert "Watch <b>pashinyan</b> saved" in saved.params["text"]
    listing = await bot.command(USER, "/watch")
    assert "Pashinyan*, Пашинян* -football" in listing.params["text"]
    bot.feeds.route("/wire.xml", body=rss(CSTO_ITEM, SANCTIONS_ITEM))
    await bot.poll_now()
    (alert,) = await bot.api.await_calls(lambda c: CSTO_ITEM[1] in c.params.get("text", ""))
    assert alert.chat_id == USER and "#watch_pashinyan" in alert.params["text"]
    removed = await bot.command(USER, "/unwatch pashinyan")
    assert "removed" in removed.params["text"]


async def test_search_finds_inflected_words_newest_first(bot):
    text = (await bot.command(USER, "/search recognize Luhansk")).params["text"]
    assert "/source_" in text and "Kazakhstan" in text
    nothing = (await bot.command(USER, "/search zzzqqq")).params["text"]
    assert "Nothing stored matches" in nothing


async def test_trend_sends_a_png_chart(bot):
    yesterday = format_datetime(datetime.now(UTC) - timedelta(days=1), usegmt=True)
    bot.feeds.route("/wire.xml", body=rss((*CSTO_ITEM, yesterday)))
    await bot.poll_now()
    bot.api.inject_message(USER, "/trend csto 8")
    (photo,) = await bot.api.await_calls("sendPhoto")
    assert photo.params["photo"].data.startswith(b"\x89PNG\r\n\x1a\n")
    assert "1 stories in 8 weeks" in photo.params["caption"]


async def test_timeline_and_trend_explain_a_missing_or_unknown_topic(bot):
    for command, usage in (
        ("/timeline", "Usage: /timeline TOPIC"),
        ("/trend", "Usage: /trend TOPIC"),
    ):
        missing = (await bot.command(USER, command)).params["text"]
        assert missing.startswith(usage) and "csto" in missing
        unknown = (await bot.command(USER, f"{command} nope")).params["text"]
        assert unknown.startswith("Unknown topic nope.") and "csto" in unknown
