"""The facade (`bot.service.Geoalert`) over a real database holding the seed corpus."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from bot.config import Settings, load_settings
from bot.errors import FeedError, GeoalertError, RuleError
from bot.models import FeedConfig
from bot.pages import paginate, utf16_len
from bot.service import Geoalert, make_geoalert
from bot.timeline import build_timeline
from bot.watches import MAX_WATCHES_PER_CHAT
from bot.wiring import build_pipeline
from storage.items import matched_items, totals
from storage.stories import stories_of

REPO = Path(__file__).resolve().parent.parent
CHAT = 4242


def settings_for(tmp_path: Path, database_url: str, **extra: object) -> Settings:
    values: dict[str, object] = {
        "DATABASE_URL": database_url,
        "GEOALERT_FEEDS": tmp_path / "feeds.yaml",
        "GEOALERT_RULES_DIR": REPO / "rules",
        "GEOALERT_SEEDS_DIR": REPO / "seeds",
        "GEOALERT_PARSE_WORKERS": 0,
    }
    values.update(extra)
    return load_settings(_env_file=None, **values)


def scan_seeds(geo: Geoalert) -> None:
    """What `geoalert scan --no-feeds` does: the seed corpus, matched and stored."""
    pipeline = build_pipeline(geo.settings, geo.engine, geo.rules, None, feeds=[])
    try:
        asyncio.run(pipeline.poll(feeds=False))
    finally:
        pipeline.close()


@pytest.fixture
def geo(tmp_path: Path, database_url: str) -> Iterator[Geoalert]:
    facade = make_geoalert(settings_for(tmp_path, database_url))
    yield facade
    facade.close()


@pytest.fixture
def seeded(geo: Geoalert) -> Geoalert:
    scan_seeds(geo)
    return geo


def test_latest_shows_one_entry_per_story_newest_first(seeded: Geoalert) -> None:
    with Session(seeded.engine) as s:
        found = matched_items(s, topic="csto")
        story_ids = stories_of(s, [m.item.id for m in found])
    latest = seeded.latest("csto", 20)
    keys = [story_ids.get(e.match.item.id, e.match.item.id) for e in latest]
    assert latest and len(keys) == len(set(keys))  # no story twice
    assert all("csto" in e.match.topic_ids for e in latest)
    dates = [e.match.item.published for e in latest]
    assert dates == sorted(dates, reverse=True)
    assert len(seeded.latest("csto", 2)) == 2
    assert seeded.latest(None, 3) and seeded.latest("no_such_topic", 3) == []


def test_timeline_is_the_chronology_of_the_stored_matches(seeded: Geoalert) -> None:
    with Session(seeded.engine) as s:
        found = matched_items(s, topic="non_recognition", newest_first=False)
        expected = build_timeline(found, story_of=stories_of(s, [m.item.id for m in found]))
    assert seeded.timeline("non_recognition") == expected
    since = datetime(2022, 5, 1, tzinfo=UTC)
    later = seeded.timeline("non_recognition", since=since)
    assert all(e.date >= since for month in later for e in month.entries)
    newest = seeded.timeline("non_recognition", limit=1)
    assert sum(len(month.entries) for month in newest) == 1


def test_source_returns_the_item_its_evidence_and_its_story(seeded: Geoalert) -> None:
    (entry,) = seeded.latest("csto", 1)
    view = seeded.source(entry.match.item.id)
    assert view is not None and view.match.item == entry.match.item
    assert view.match.topics and view.match.topics[0].evidence.terms
    assert not view.story or entry.match.item.id in {m.id for m in view.story}
    assert seeded.source("000000000000") is None


def test_search_and_trend_answer_from_the_store(seeded: Geoalert) -> None:

    pipeline = build_pipeline(seeded.settings, seeded.engine, seeded.rules, None, feeds=[])
    try:
        asyncio.run(pipeline.index_search())
    finally:
        pipeline.close()
    found = seeded.search("CSTO", limit=3)
    assert 0 < len(found) <= 3
    report = seeded.trend("csto", weeks=4, now=datetime(2022, 7, 1, tzinfo=UTC))
    assert report.topic == "csto" and len(report.weeks) == 4


def test_subscriptions_toggle_and_chat_settings(geo: Geoalert) -> None:
    geo.register_chat(CHAT, chat_type="private", title="me", user_language="ru")
    assert geo.chat_language(CHAT) == "ru"
    geo.set_language(CHAT, "en")
    assert geo.chat_language(CHAT) == "en"
    assert geo.chat_language(CHAT + 1) is None

    assert geo.subscribe(CHAT, ["csto", "sanctions"]) == ["csto", "sanctions"]
    assert geo.subscribe(CHAT, ["csto"]) == []
    assert geo.toggle_topic(CHAT, "csto") is False
    assert geo.subscriptions(CHAT) == ["sanctions"]
    assert geo.toggle_topic(CHAT, "csto") is True
    overview = geo.topics_overview(CHAT)
    assert overview.subscribed == {"csto", "sanctions"}
    assert sorted(geo.unsubscribe(CHAT, None)) == ["csto", "sanctions"]
    assert geo.subscriptions(CHAT) == []
    geo.set_muted(CHAT, True)  # stored; the sender reads it


def test_topics_are_parsed_with_or_without_hash_and_commas(geo: Geoalert) -> None:
    assert geo.parse_topics(["#CSTO,sanctions", "csto", "nope"]) == (
        ["csto", "sanctions"],
        ["nope"],
    )
    assert geo.topic(" #Csto") is not None and geo.topic("nope") is None
    with pytest.raises(GeoalertError, match="unknown topic 'nope'; known topics: "):
        geo.require_topic("nope")


def test_a_chat_has_at_most_the_watch_limit_but_may_edit_a_watch(geo: Geoalert) -> None:
    geo.register_chat(CHAT, chat_type="private", title=None, user_language="en")
    for n in range(MAX_WATCHES_PER_CHAT):
        assert geo.add_watch(geo.watch_from(CHAT, f"w{n}", "Tokayev"))
    assert not geo.add_watch(geo.watch_from(CHAT, "one_more", "Lukashenko"))
    assert geo.add_watch(geo.watch_from(CHAT, "w0", "Lukashenko"))  # an edit, not a new one
    watches = {w.name: w.query for w in geo.watches(CHAT)}
    assert len(watches) == MAX_WATCHES_PER_CHAT and watches["w0"] == "Lukashenko"
    assert geo.remove_watch(CHAT, "w0") and not geo.remove_watch(CHAT, "w0")
    with pytest.raises(RuleError):
        geo.watch_from(CHAT, "Bad Name!", "x")


def test_digest_settings_round_trip(geo: Geoalert) -> None:
    geo.register_chat(CHAT, chat_type="private", title=None, user_language="en")
    assert geo.digest_settings(CHAT).time is None
    geo.set_digest(CHAT, "08:30", offset_minutes=180)
    state = geo.digest_settings(CHAT)
    assert (state.time, state.offset_minutes) == ("08:30", 180)
    assert geo.digest_off(CHAT) == 0  # nothing was held
    assert geo.digest_settings(CHAT).time is None


def test_status_counts_what_is_stored(seeded: Geoalert) -> None:
    report = seeded.status()
    with Session(seeded.engine) as s:
        assert (report.items, report.matches) == totals(s)
    assert report.backlog == 0 and report.feeds == ()
    assert report.database_size


def test_feeds_are_added_checked_listed_and_removed(tmp_path: Path, database_url: str) -> None:
    geo = make_geoalert(settings_for(tmp_path, database_url, GEOALERT_ALLOW_PRIVATE_FEEDS=True))
    assert geo.feeds() == []
    assert geo.add_feed("http://127.0.0.1:9/rss", "Local") is True
    assert geo.add_feed("http://127.0.0.1:9/rss", "Local again") is False
    assert [f.name for f in geo.feeds()] == ["Local"]
    assert geo.feed_tags() == {"http://127.0.0.1:9/rss": ()}
    with pytest.raises(FeedError):
        geo.add_feed("file:///etc/passwd", "no")
    removed = geo.remove_feed("http://127.0.0.1:9/rss")
    assert removed is not None and removed.name == "Local"
    assert geo.feeds() == [] and geo.remove_feed("http://127.0.0.1:9/rss") is None
    assert geo.retry_feeds() == 0

    strict = make_geoalert(settings_for(tmp_path, database_url))
    with pytest.raises(FeedError):
        strict.import_feeds([FeedConfig(url="http://10.0.0.1/rss", name="private")])


def test_rematch_lists_changes_and_stores_them_only_when_asked(
    tmp_path: Path, database_url: str
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    geo = make_geoalert(settings_for(tmp_path, database_url, GEOALERT_RULES_DIR=rules))
    scan_seeds(geo)
    assert geo.rematch(dry_run=True).changes == ()
    (rules / "csto.yaml").unlink()
    with Session(geo.engine) as s:
        before = totals(s)
    dry = geo.rematch(dry_run=True)
    assert dry.changes and dry.removed > 0 and dry.added == 0 and not dry.stored
    with Session(geo.engine) as s:
        assert totals(s) == before
    applied = geo.rematch()
    assert applied.stored and applied.removed == dry.removed
    with Session(geo.engine) as s:
        assert totals(s)[1] == before[1] - dry.removed
    assert geo.rematch(dry_run=True).changes == ()


def test_prune_keeps_matched_items(seeded: Geoalert) -> None:
    with Session(seeded.engine) as s:
        before = totals(s)
    removed, cutoff = seeded.prune(now=datetime.now(UTC) + timedelta(days=10_000))
    assert cutoff > datetime.now(UTC)
    with Session(seeded.engine) as s:
        after = totals(s)
    assert after[1] == before[1] and after[0] == before[0] - removed


def test_a_command_refused_on_its_arguments_creates_no_database(tmp_path: Path) -> None:
    database = tmp_path / "never.db"
    geo = make_geoalert(settings_for(tmp_path, f"sqlite:///{database}"))
    with pytest.raises(GeoalertError):
        geo.require_topic("nope")
    assert not database.exists()


def test_pages_are_measured_in_utf16_and_never_split_an_entry() -> None:
    entries = ["😀" * 30, "ж" * 40, "x" * 10]  # 60, 40 and 10 UTF-16 units
    pages = paginate(entries, header="H", limit=64)
    assert pages == ["H\n" + "😀" * 30, "H\n" + "ж" * 40 + "\n" + "x" * 10]
    assert all(utf16_len(p) <= 64 for p in pages)
    once = paginate(entries, header="H", sep="\n\n", limit=64, repeat_header=False)
    assert once[0].startswith("H\n\n") and not once[1].startswith("H")
    assert paginate([], header="H", limit=10) == ["H"] and paginate([], limit=10) == []
    assert paginate(["y" * 50], header="H", limit=10) == ["H\n" + "y" * 50]
