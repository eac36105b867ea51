"""Verdicts on alerts through the real bot and a fake Bot API: buttons, taps, undo, groups,
/feedback, forged taps, /status and /quality; then `feedback export` read by `eval`."""

from __future__ import annotations

import json
import re

from sqlmodel import Session, select

from storage.tables import OutboxRow, VerdictRow
from tests.support.bot_harness import bot_settings as harness_settings
from tests.support.bot_harness import eventually, rss, start_bot
from tests.test_cli import geoalert
from tests.test_stories_bot import EXERCISE, FREEZE, feeds_file

CHAT, OTHER, ADMIN = 4001, 4002, 777


def settings_for(tmp_path, database_url, api, server):
    return harness_settings(
        tmp_path, database_url, api, server, GEOALERT_FEEDS=feeds_file(tmp_path, server)
    )


def keyboard(call) -> list[list[dict]]:
    return call.params["reply_markup"]["inline_keyboard"]


def texts(call) -> list[str]:
    return [button["text"] for row in keyboard(call) for button in row]


async def alert_in(bot, chat_id: int, title: str):
    """The alert sent to the chat, once the bot recorded it as sent (Telegram answered): a tap
    can only come after that."""
    (call,) = await bot.api.await_calls(
        lambda c: c.method == "sendMessage" and c.chat_id == chat_id and title in c.params["text"]
    )
    await delivered(bot, chat_id)
    return call


async def delivered(bot, chat_id: int) -> None:
    def sent() -> bool:
        with Session(bot.engine) as s:
            rows = s.exec(select(OutboxRow).where(OutboxRow.chat_id == chat_id)).all()
            return bool(rows) and all(r.status in ("sent", "dropped") for r in rows)

    await eventually(sent)


async def tap(bot, chat_id: int, data: str, message_id: int, refused: bool = False, **kwargs):
    """Press a button; the bot's answerCallbackQuery and (unless refused) its new keyboard."""
    before = len(bot.api.calls_to("answerCallbackQuery"))
    redraws = len(bot.api.calls_to("editMessageReplyMarkup"))
    bot.api.inject_callback(chat_id, data, message_id=message_id, **kwargs)
    answers = await bot.api.await_calls("answerCallbackQuery", count=before + 1)
    answer = answers[-1].params
    assert ("show_alert" in answer) == refused, answer
    if refused:  # nothing to redraw
        return answer, None
    edits = await bot.api.await_calls("editMessageReplyMarkup", count=redraws + 1)
    return answer, edits[-1]


def status_precision(text: str) -> str:
    return text.split("Precision from verdicts (30 days):", 1)[1].split("Feeds (", 1)[0].strip()


async def test_not_relevant_stops_the_story_moves_precision_and_feeds_eval(
    tmp_path, database_url, fake_bot_api, feed_server
):
    settings = settings_for(tmp_path, database_url, fake_bot_api, feed_server)
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        for chat in (CHAT, OTHER):
            await bot.command(chat, "/subscribe csto")
        before = (await bot.command(ADMIN, "/status")).params["text"]
        assert "Precision from verdicts (30 days): no verdicts yet." in before

        # 1. an alert arrives with buttons
        feed_server.route("/a.xml", body=rss(FREEZE["a"]))
        await bot.poll_now()
        alert = await alert_in(bot, CHAT, FREEZE["a"][1])
        item_id = re.search(r"/source_([0-9a-f]{12})", alert.params["text"]).group(1)
        assert texts(alert) == ["👍 Relevant", "👎 Not relevant"]
        assert [b["callback_data"] for b in keyboard(alert)[0]] == [
            f"v:r:{item_id}:csto",
            f"v:n:{item_id}:csto",
        ]
        other = await alert_in(bot, OTHER, FREEZE["a"][1])

        # 2. "Not relevant" is pressed, and the keyboard edits (with an undo)
        answer, redraw = await tap(bot, CHAT, f"v:n:{item_id}:csto", alert.result["message_id"])
        assert "marked not relevant" in answer["text"]
        assert redraw.params["message_id"] == alert.result["message_id"]
        assert texts(redraw) == ["👍 Relevant", "👎 Not relevant ✓", "↩ Undo"]
        await tap(bot, OTHER, f"v:r:{item_id}:csto", other.result["message_id"])

        # 3. a later report of the same story is not edited into that chat (the other chat,
        # which found it relevant, still gets the edit, its buttons kept)
        feed_server.route("/b.xml", body=rss(FREEZE["b"]))
        await bot.poll_now()
        (edit,) = await fake_bot_api.await_calls("editMessageText")
        assert edit.params["chat_id"] == OTHER
        assert texts(edit) == ["👍 Relevant ✓", "👎 Not relevant", "↩ Undo"]

        def dropped() -> bool:
            with Session(bot.engine) as s:
                rows = s.exec(select(OutboxRow).where(OutboxRow.chat_id == CHAT)).all()
                return any(r.status == "dropped" for r in rows)

        await eventually(dropped)
        assert not [c for c in fake_bot_api.calls_to("editMessageText") if c.chat_id == CHAT]
        assert (
            len([c for c in fake_bot_api.sent_messages(CHAT) if "/source_" in c.params["text"]])
            == 1
        )

        # 4. /status shows the topic's precision moved
        after = (await bot.command(ADMIN, "/status")).params["text"]
        assert status_precision(after) == "• #csto: 50% (1 relevant / 1 not relevant)"

    # 5. feedback export feeds eval, which reports the same figure
    exported = geoalert("feedback", "export", "-o", "verdicts.jsonl", cwd=tmp_path,
                        database_url=database_url)  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    lines = [json.loads(x) for x in (tmp_path / "verdicts.jsonl").read_text().splitlines()]
    assert sorted((x["id"], x["labels"], x["judged"]) for x in lines) == [
        (item_id, [], ["csto"]),
        (f"{item_id}.2", ["csto"], ["csto"]),
    ]
    assert {x["title"] for x in lines} == {FREEZE["a"][1]}
    report = geoalert("eval", "--summary", "verdicts.jsonl", cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    (row,) = [x for x in report.stdout.splitlines() if x.startswith("csto ")]
    assert row.split()[1:] == ["0.500", "1.000", "0.667", "1", "1", "0"]


async def test_undo_withdraws_the_verdict_and_restores_the_buttons(
    tmp_path, database_url, fake_bot_api, feed_server
):
    settings = settings_for(tmp_path, database_url, fake_bot_api, feed_server)
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        await bot.command(CHAT, "/subscribe csto")
        feed_server.route("/d.xml", body=rss(EXERCISE))
        await bot.poll_now()
        alert = await alert_in(bot, CHAT, EXERCISE[1])
        data = keyboard(alert)[0][1]["callback_data"]
        message_id = alert.result["message_id"]
        await tap(bot, CHAT, data, message_id)
        answer, redraw = await tap(bot, CHAT, data.replace("v:n:", "v:u:"), message_id)
        assert answer["text"] == "Your verdict is withdrawn."
        assert texts(redraw) == ["👍 Relevant", "👎 Not relevant"]
        with Session(bot.engine) as s:
            assert s.exec(select(VerdictRow)).all() == []
        status = (await bot.command(ADMIN, "/status")).params["text"]
        assert "no verdicts yet" in status


async def test_a_group_takes_the_majority_of_its_members(
    tmp_path, database_url, fake_bot_api, feed_server
):
    group = -100777
    settings = settings_for(tmp_path, database_url, fake_bot_api, feed_server)
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        await bot.command(group, "/subscribe csto", chat_title="Desk")
        feed_server.route("/a.xml", body=rss(FREEZE["a"]))
        await bot.poll_now()
        alert = await alert_in(bot, group, FREEZE["a"][1])
        message_id = alert.result["message_id"]
        relevant, not_relevant = (b["callback_data"] for b in keyboard(alert)[0])
        await tap(bot, group, not_relevant, message_id, user_id=1, chat_title="Desk")
        await tap(bot, group, relevant, message_id, user_id=2, chat_title="Desk")
        _, redraw = await tap(bot, group, relevant, message_id, user_id=3, chat_title="Desk")
        assert texts(redraw) == ["👍 Relevant · 2 ✓", "👎 Not relevant · 1", "↩ Undo"]
        # A member changing their mind replaces their verdict: still one per member.
        _, redraw = await tap(bot, group, not_relevant, message_id, user_id=2, chat_title="Desk")
        assert texts(redraw) == ["👍 Relevant · 1", "👎 Not relevant · 2 ✓", "↩ Undo"]
        status = (await bot.command(ADMIN, "/status")).params["text"]
        assert status_precision(status) == "• #csto: 0% (0 relevant / 1 not relevant)"
        with Session(bot.engine) as s:
            rows = s.exec(select(VerdictRow)).all()
        assert sorted((r.user_id, r.relevant) for r in rows) == [(1, False), (2, False), (3, True)]

        # The group's majority said "not relevant": the story's next report stays out.
        feed_server.route("/b.xml", body=rss(FREEZE["b"]))
        await bot.poll_now()

        def dropped() -> bool:
            with Session(bot.engine) as s:
                found = s.exec(select(OutboxRow).where(OutboxRow.chat_id == group)).all()
                return [r.status for r in found] == ["sent", "dropped"]

        await eventually(dropped)
        assert fake_bot_api.calls_to("editMessageText") == []


async def test_feedback_off_sends_alerts_without_buttons(
    tmp_path, database_url, fake_bot_api, feed_server
):
    settings = settings_for(tmp_path, database_url, fake_bot_api, feed_server)
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        await bot.command(CHAT, "/subscribe csto")
        usage = await bot.command(CHAT, "/feedback maybe")
        assert "Usage: /feedback off|on" in usage.params["text"]
        reply = await bot.command(CHAT, "/feedback off")
        assert "without the Relevant / Not relevant buttons" in reply.params["text"]
        feed_server.route("/d.xml", body=rss(EXERCISE))
        await bot.poll_now()
        alert = await alert_in(bot, CHAT, EXERCISE[1])
        assert "reply_markup" not in alert.params
        await bot.command(CHAT, "/feedback on")
        feed_server.route("/a.xml", body=rss(FREEZE["a"]))
        await bot.poll_now()
        alert = await alert_in(bot, CHAT, FREEZE["a"][1])
        assert texts(alert) == ["👍 Relevant", "👎 Not relevant"]


async def test_a_forged_or_stale_tap_is_refused_and_stores_nothing(
    tmp_path, database_url, fake_bot_api, feed_server
):
    settings = settings_for(tmp_path, database_url, fake_bot_api, feed_server)
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        await bot.command(CHAT, "/subscribe csto")
        feed_server.route("/a.xml", body=rss(FREEZE["a"]))
        await bot.poll_now()
        alert = await alert_in(bot, CHAT, FREEZE["a"][1])
        data = keyboard(alert)[0][1]["callback_data"]
        # Another chat replays a button of an alert it never received.
        answer, _ = await tap(bot, OTHER, data, alert.result["message_id"], refused=True)
        assert answer["text"] == "This chat never received that alert; nothing was recorded."
        assert answer["show_alert"] is True
        # The right chat, a topic it was not alerted for; and data we never built.
        answer, _ = await tap(bot, CHAT, data.replace(":csto", ":sanctions"), 1, refused=True)
        assert "never received" in answer["text"]
        for forged in ("v:n:zzzz", "v:x:0123456789ab:csto", "v:n:" + "a" * 70):
            answer, _ = await tap(bot, CHAT, forged, alert.result["message_id"], refused=True)
            assert answer["text"] == "This button is no longer valid."
        with Session(bot.engine) as s:
            assert s.exec(select(VerdictRow)).all() == []


async def test_quality_lists_the_terms_behind_not_relevant(
    tmp_path, database_url, fake_bot_api, feed_server
):
    settings = settings_for(tmp_path, database_url, fake_bot_api, feed_server)
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        await bot.command(CHAT, "/subscribe csto")
        denied = await bot.command(CHAT, "/quality csto")
        assert "for the bot's administrators" in denied.params["text"]
        feed_server.route("/d.xml", body=rss(EXERCISE))
        await bot.poll_now()
        alert = await alert_in(bot, CHAT, EXERCISE[1])
        item_id = re.search(r"/source_([0-9a-f]{12})", alert.params["text"]).group(1)
        await tap(bot, CHAT, keyboard(alert)[0][1]["callback_data"], alert.result["message_id"])
        text = (await bot.command(ADMIN, "/quality csto")).params["text"]
        assert "precision 0%, 0 of 1 judged alerts relevant" in text
        assert "Terms most often behind “not relevant”:" in text
        assert "×1" in text and f"/source_{item_id}" in text
        metrics = bot.g.metrics.registry.get_sample_value(
            "geoalert_verdict_taps_total", {"topic": "csto", "verdict": "not_relevant"}
        )
        assert metrics == 1.0
        stored = bot.g.metrics.registry.get_sample_value(
            "geoalert_verdicts", {"topic": "csto", "verdict": "not_relevant"}
        )
        assert stored == 1.0


async def test_taps_share_the_chat_command_budget(
    tmp_path, database_url, fake_bot_api, feed_server
):
    """A chat over its budget (2 a minute here: the /subscribe and one tap) is told to slow
    down once, and the tap records nothing."""
    settings = harness_settings(
        tmp_path, database_url, fake_bot_api, feed_server,
        GEOALERT_FEEDS=feeds_file(tmp_path, feed_server), GEOALERT_COMMANDS_PER_MINUTE=2,
    )  # fmt: skip
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        await bot.command(CHAT, "/subscribe csto")
        feed_server.route("/d.xml", body=rss(EXERCISE))
        await bot.poll_now()
        alert = await alert_in(bot, CHAT, EXERCISE[1])
        data = keyboard(alert)[0][1]["callback_data"]
        message_id = alert.result["message_id"]
        await tap(bot, CHAT, data, message_id)  # the second action this minute: recorded
        before = len(bot.api.calls_to("answerCallbackQuery"))
        bot.api.inject_callback(CHAT, data.replace("v:n:", "v:r:"), message_id=message_id)
        answers = await bot.api.await_calls("answerCallbackQuery", count=before + 1)
        assert (
            answers[-1].params["text"] == "Too many commands from this chat; please wait a minute."
        )
        with Session(bot.engine) as s:
            (verdict,) = s.exec(select(VerdictRow)).all()
        assert verdict.relevant is False  # the throttled "Relevant" changed nothing
