"""Verdicts beyond a single alert: digest rows, a blocked chat's verdicts deleted, the migration
on SQLite and PostgreSQL, and the verdict file read by `rules apply --dry-run` and `explain`."""

from __future__ import annotations

import json
import shutil

import sqlalchemy as sa
from sqlmodel import Session, select

from storage import make_engine, upgrade
from storage.tables import VerdictRow
from tests.support.bot_harness import (
    CSTO_ITEM,
    SANCTIONS_ITEM,
    bot_settings,
    eventually,
    rss,
    start_bot,
)
from tests.test_cli import REPO, geoalert
from tests.test_digest import SECOND_SANCTIONS
from tests.test_verdicts_bot import delivered

CHAT = 7101


async def test_a_digest_has_one_button_row_per_story_and_its_taps_count(
    tmp_path, database_url, fake_bot_api, feed_server
):
    settings = bot_settings(tmp_path, database_url, fake_bot_api, feed_server)
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        await bot.command(CHAT, "/subscribe sanctions")
        await bot.command(CHAT, "/digest daily 00:00 UTC+0")
        bot.feeds.route("/wire.xml", body=rss(SANCTIONS_ITEM, SECOND_SANCTIONS))
        await bot.poll_now()
        await bot.g.runtime.send_digests()  # (or the scheduled job did it already)
        (digest,) = await bot.api.await_calls(
            lambda c: "<b>Daily digest</b>" in c.params.get("text", "")
        )
        await delivered(bot, CHAT)
        rows = digest.params["reply_markup"]["inline_keyboard"]
        assert [[b["text"] for b in row] for row in rows] == [
            ["1. 👍 Relevant", "👎 Not relevant"],
            ["2. 👍 Relevant", "👎 Not relevant"],
        ]
        assert "\n1. " in digest.params["text"] and "\n2. " in digest.params["text"]
        second = rows[1][1]["callback_data"]
        bot.api.inject_callback(CHAT, second, message_id=digest.result["message_id"])
        (redraw,) = await bot.api.await_calls("editMessageReplyMarkup")
        redrawn = redraw.params["reply_markup"]["inline_keyboard"]
        assert [b["text"] for b in redrawn[0]] == ["1. 👍 Relevant", "👎 Not relevant"]
        assert [b["text"] for b in redrawn[1]] == ["2. 👍 Relevant", "👎 Not relevant ✓", "↩ Undo"]
        with Session(bot.engine) as s:
            (row,) = s.exec(select(VerdictRow)).all()
        assert (row.chat_id, row.topic, row.relevant) == (CHAT, "sanctions", False)


async def test_a_chat_that_blocks_the_bot_loses_its_verdicts(
    tmp_path, database_url, fake_bot_api, feed_server
):
    settings = bot_settings(tmp_path, database_url, fake_bot_api, feed_server)
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        await bot.command(CHAT, "/subscribe csto sanctions")
        bot.feeds.route("/wire.xml", body=rss(CSTO_ITEM))
        await bot.poll_now()
        (alert,) = await bot.api.await_calls(lambda c: CSTO_ITEM[1] in c.params.get("text", ""))
        await delivered(bot, CHAT)
        data = alert.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        bot.api.inject_callback(CHAT, data, message_id=alert.result["message_id"])
        await bot.api.await_calls("editMessageReplyMarkup")
        with Session(bot.engine) as s:
            assert len(s.exec(select(VerdictRow)).all()) == 1

        bot.api.fail_next("sendMessage", status=403, chat_id=CHAT)
        bot.feeds.route("/wire.xml", body=rss(CSTO_ITEM, SANCTIONS_ITEM))
        await bot.poll_now()

        def forgotten() -> bool:
            with Session(bot.engine) as s:
                return s.exec(select(VerdictRow)).all() == []

        await eventually(forgotten)


def test_migration_0008_adds_verdicts_and_downgrades(database_url):
    from alembic import command

    from storage.migrate import alembic_config

    engine = make_engine(database_url)
    try:
        upgrade(engine)
        names = set(sa.inspect(engine).get_table_names())
        assert "verdicts" in names
        columns = {c["name"] for c in sa.inspect(engine).get_columns("chats")}
        assert "feedback" in columns
        assert "buttons" in {c["name"] for c in sa.inspect(engine).get_columns("notices")}
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0007")
        assert "verdicts" not in set(sa.inspect(engine).get_table_names())
        upgrade(engine)
        assert "verdicts" in set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


VERDICTS = [
    {  # judged not relevant: "CSTO" in a story about something else
        "id": "aaaaaaaaaaaa", "lang": "en", "topics": [], "judged": ["csto"],
        "title": "CSTO holds joint exercises in Belarus",
        "text": "Troops of the Collective Security Treaty Organization began joint exercises "
        "near Vitebsk in Belarus on Monday.",
    },
    {  # judged relevant
        "id": "bbbbbbbbbbbb", "lang": "en", "topics": ["csto"], "judged": ["csto"],
        "title": "Armenia freezes its participation in the CSTO",
        "text": "Prime Minister Nikol Pashinyan said Armenia has frozen its participation in "
        "the Collective Security Treaty Organization.",
    },
]  # fmt: skip


def _verdict_file(tmp_path) -> None:
    lines = "".join(json.dumps(v) + "\n" for v in VERDICTS)
    (tmp_path / "verdicts.jsonl").write_text(lines, encoding="utf-8")
    (tmp_path / "feeds.yaml").write_text("[]\n")


def test_rules_explain_points_at_the_blocks_and_terms_behind_not_relevant(tmp_path):
    _verdict_file(tmp_path)
    result = geoalert("rules", "explain", "--verdicts", "verdicts.jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("aaaaaaaaaaaa #csto judged not relevant: CSTO holds joint exercises")
    assert "bbbbbbbbbbbb" not in out  # judged relevant: nothing to explain
    assert "(line " in out and "fired (score" in out and "✓" in out
    missing = geoalert("rules", "explain", cwd=tmp_path)
    assert missing.returncode == 2
    assert "needs a text (or - for stdin), or --verdicts FILE" in missing.stderr


def test_rules_apply_dry_run_shows_which_judged_alerts_change_and_which_way(tmp_path):
    _verdict_file(tmp_path)
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    db = f"sqlite:///{tmp_path / 'g.db'}"
    same = geoalert("rules", "apply", "--dry-run", "--verdicts", "verdicts.jsonl",
                    cwd=tmp_path, database_url=db, GEOALERT_RULES_DIR=str(rules))  # fmt: skip
    assert same.returncode == 0, same.stderr
    assert "verdicts: 2 judged alerts; 0 would change" in same.stdout

    # An admin tightens csto: exercises no longer count.
    csto = rules / "csto.yaml"
    text = csto.read_text(encoding="utf-8")
    csto.write_text(_exclude_exercises(text), encoding="utf-8")
    edited = geoalert("rules", "apply", "--dry-run", "--verdicts", "verdicts.jsonl",
                      cwd=tmp_path, database_url=db, GEOALERT_RULES_DIR=str(rules))  # fmt: skip
    assert edited.returncode == 0, edited.stderr
    assert (
        "verdicts: 2 judged alerts; 1 would change: 1 judged not relevant no longer sent "
        "(better), 0 judged relevant no longer sent (worse)" in edited.stdout
    )
    assert "better aaaaaaaaaaaa #csto (judged not relevant, no longer matched)" in edited.stdout


def _exclude_exercises(text: str) -> str:
    """Add a `none` to csto's `match` block, the last block before its examples."""
    anchor = "\n\nexamples:"
    assert text.count(anchor) == 1 and "\nmatch:\n" in text.split(anchor)[0]
    return text.replace(anchor, "\n  none: [joint exercises]\n\nexamples:")
