"""One alert per story: three outlets report one event, a fourth another, through the bot."""

from __future__ import annotations

import re

from tests.support.bot_harness import EMPTY_RSS, bot_settings, rss, start_bot

OUTLETS = {
    "a": ("Wire A", "wire"),
    "b": ("State B", "state media"),
    "c": ("Independent C", "independent"),
    "d": ("Official D", "official"),
}
FREEZE = {
    "a": ("a-1", "Armenia freezes its participation in the CSTO",
          "Prime Minister Nikol Pashinyan said Armenia has frozen its participation in the "
          "Collective Security Treaty Organization."),
    "b": ("b-1", "Pashinyan: Yerevan has frozen its participation in the CSTO",
          "Armenia has frozen its participation in the Russia-led CSTO bloc, Prime Minister "
          "Pashinyan told parliament.", "Mon, 20 Nov 2023 11:00:00 GMT"),
    "c": ("c-1", "Armenia suspends involvement in CSTO, PM says",
          "Armenia has suspended its participation in the Collective Security Treaty "
          "Organization, Prime Minister Nikol Pashinyan said.", "Mon, 20 Nov 2023 12:00:00 GMT"),
}  # fmt: skip
EXERCISE = ("d-1", "CSTO holds joint exercises in Belarus",
            "Troops of the Collective Security Treaty Organization began joint exercises near "
            "Vitebsk in Belarus on Monday.")  # fmt: skip
CHAT = 4001


def feeds_file(tmp_path, server) -> str:
    path = tmp_path / "outlets.yaml"
    path.write_text(
        "".join(
            f"- url: {server.url(f'/{key}.xml')}\n  name: {name}\n  tags: [{tag}]\n"
            for key, (name, tag) in OUTLETS.items()
        )
    )
    for key in OUTLETS:
        server.route(f"/{key}.xml", body=EMPTY_RSS)
    return str(path)


async def test_one_alert_per_story_then_edited_with_the_other_sources(
    tmp_path, database_url, fake_bot_api, feed_server
):
    settings = bot_settings(
        tmp_path, database_url, fake_bot_api, feed_server,
        GEOALERT_FEEDS=feeds_file(tmp_path, feed_server),
    )  # fmt: skip
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        await bot.command(CHAT, "/subscribe csto")
        feed_server.route("/a.xml", body=rss(FREEZE["a"]))
        await bot.poll_now()
        (first,) = await fake_bot_api.await_calls(
            lambda c: c.method == "sendMessage" and "/source_" in c.params.get("text", "")
        )
        assert "Wire A (wire)" in first.params["text"]

        feed_server.route("/b.xml", body=rss(FREEZE["b"]))
        feed_server.route("/c.xml", body=rss(FREEZE["c"]))
        feed_server.route("/d.xml", body=rss(EXERCISE))
        await bot.poll_now()
        await fake_bot_api.await_calls(lambda c: EXERCISE[1] in c.params.get("text", ""))
        edits = await fake_bot_api.await_calls("editMessageText", count=2)

        alerts = [c for c in fake_bot_api.sent_messages(CHAT) if "/source_" in c.params["text"]]
        assert [
            FREEZE["a"][1] in alerts[0].params["text"],
            EXERCISE[1] in alerts[1].params["text"],
        ] == [True, True]
        assert len(alerts) == 2  # one per story, not one per outlet
        final = edits[-1].params
        assert final["message_id"] == first.result["message_id"]
        assert (
            "Also reported by: State B (state media), Independent C (independent)" in final["text"]
        )

        source_id = re.search(r"/source_([0-9a-f]{12})", first.params["text"]).group(1)
        provenance = (await bot.command(CHAT, f"/source {source_id}")).params["text"]
        assert provenance.index("State B") < provenance.index("Independent C")
        assert "Other sources of this story" in provenance

        latest = (await bot.command(CHAT, "/latest csto")).params["text"]
        assert sum(f"<b>{report[1]}</b>" in latest for report in FREEZE.values()) == 1
        assert "(+2)" in latest and EXERCISE[1] in latest


async def test_a_russian_report_of_the_event_edits_the_english_alert(
    tmp_path, database_url, fake_bot_api, feed_server
):
    settings = bot_settings(
        tmp_path, database_url, fake_bot_api, feed_server,
        GEOALERT_FEEDS=feeds_file(tmp_path, feed_server),
    )  # fmt: skip
    russian = ("b-ru", "Армения заморозила участие в ОДКБ",
               "Премьер-министр Никол Пашинян заявил, что Армения заморозила свое участие в "
               "Организации Договора о коллективной безопасности.",
               "Mon, 20 Nov 2023 11:00:00 GMT")  # fmt: skip
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        await bot.command(CHAT, "/subscribe csto")
        feed_server.route("/a.xml", body=rss(FREEZE["a"]))
        await bot.poll_now()
        (first,) = await fake_bot_api.await_calls(
            lambda c: c.method == "sendMessage" and "/source_" in c.params.get("text", "")
        )
        feed_server.route("/b.xml", body=rss(russian))
        await bot.poll_now()
        (edit,) = await fake_bot_api.await_calls("editMessageText", count=1)
        assert edit.params["message_id"] == first.result["message_id"]
        assert "Also reported by: State B (state media)" in edit.params["text"]
        alerts = [c for c in fake_bot_api.sent_messages(CHAT) if "/source_" in c.params["text"]]
        assert len(alerts) == 1  # one story across the two languages
