"""`geoalert eval --stories`: pairwise scoring of story grouping, the labelled story sets, and the
quality gate on the dev set and floors on the spent holdouts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.errors import GeoalertError
from bot.story_evaluation import (
    StoryReport,
    _partition,
    as_feed,
    evaluate_stories,
    feeds_in_order,
    group_set,
    load_story_set,
    score_grouping,
)
from tests.test_cli import geoalert

STORIES = Path(__file__).resolve().parent / "data" / "stories"
WHEN = datetime(2024, 11, 28, 9, tzinfo=UTC)


def report(id_: str, event: str, lang: str = "en", outlet: str = "A") -> StoryReport:
    return StoryReport(id_, event, lang, outlet, WHEN, f"headline {id_}", f"text {id_}")


# Event e1: a1, a2 (English), a3 (Russian); event e2: b1 (English); event e3: c1 (Russian).
SET = [
    report("a1", "e1"), report("a2", "e1", outlet="B"), report("a3", "e1", "ru", "C"),
    report("b1", "e2", outlet="B"), report("c1", "e3", "ru"),
]  # fmt: skip


def test_pairs_are_scored_per_language_relation() -> None:
    # a1+a2+b1 in one story (one right and two wrong same-language pairs), a3 alone, c1 alone.
    grouping = score_grouping(SET, {"a1": 1, "a2": 1, "b1": 1, "a3": 2, "c1": 3})

    same, cross = grouping.same_language, grouping.cross_language
    assert (same.predicted, same.expected, same.correct) == (3, 1, 1)
    assert (cross.predicted, cross.expected, cross.correct) == (0, 2, 0)
    assert same.precision == pytest.approx(1 / 3) and same.recall == 1.0
    assert cross.precision == 0.0 and cross.recall == 0.0  # nothing predicted, two expected
    assert grouping.events_whole == 0 and grouping.events_multi == 1
    assert sorted(grouping.merged) == [("a1", "b1"), ("a2", "b1")]
    assert sorted(grouping.split) == [("a1", "a3"), ("a2", "a3")]


def test_an_event_is_whole_only_when_its_story_holds_nothing_else() -> None:
    whole = score_grouping(SET, {"a1": 1, "a2": 1, "a3": 1, "b1": 2, "c1": 3})
    assert whole.events_whole == 1
    assert whole.same_language.precision == 1.0 and whole.cross_language.recall == 1.0
    assert score_grouping(SET, {"a1": 1, "a2": 1, "a3": 1, "b1": 1}).events_whole == 0


def test_each_outlet_is_one_feed_and_orders_are_reproducible() -> None:
    first = [[i.id for i in feed] for feed in feeds_in_order(SET, None)]
    assert first == [["a1", "c1"], ["a2", "b1"], ["a3"]]  # outlet-name order
    shuffled = [[i.id for i in feed] for feed in feeds_in_order(SET, 3)]
    assert shuffled == [[i.id for i in feed] for feed in feeds_in_order(SET, 3)]
    assert sorted(i for feed in shuffled for i in feed) == sorted(r.id for r in SET)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("[1]", "must be a JSON object"),
        ('{"id": "x"}', "missing required key 'event'"),
        (
            '{"id":"x","event":"e","lang":"english","outlet":"o","published":"2024-01-01T00:00Z",'
            '"title":"t","text":"t"}',
            "'lang' must be a code",
        ),
        (
            '{"id":"x","event":"e","lang":"en","outlet":"o","published":"yesterday",'
            '"title":"t","text":"t"}',
            "'published' is not an ISO 8601 date-time",
        ),
        (
            '{"id":"x","event":"e","lang":"en","outlet":"o","published":"2024-01-01T00:00",'
            '"title":"t","text":"t"}',
            "needs a time zone",
        ),
    ],
)
def test_a_bad_line_is_named_by_file_and_line(tmp_path: Path, line: str, reason: str) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text("\n" + line + "\n", encoding="utf-8")
    with pytest.raises(GeoalertError, match=rf"set\.jsonl:2: .*{reason}"):
        load_story_set([path])


# The holdouts scored once, then tuned on:
SPENT = ("dev-2", "dev-3", "dev-4", "dev-5", "dev-6", "dev-7")
# Each spent holdout's figures once tuned on, as floors (below the targets: README says so):
# worst same-language P, R and English–Russian P, R over arrival orders.
# Raised by the s17 work (#15) to about one pair below each set's figures then.
SPENT_FLOORS = {
    "dev-2": (0.9, 0.9, 0.95, 0.95),  # the first holdout (a reply relabelled 2026-12-05)
    "dev-3": (0.95, 0.85, 0.95, 0.9),  # the second, spent by the average-linkage work
    "dev-4": (0.95, 0.8, 0.9, 0.9),  # the third, spent by the polity work (replies: P 1.0)
    "dev-5": (0.95, 0.75, 0.95, 0.9),  # the fourth, the near misses (s18: third parties)
    "dev-6": (0.85, 0.85, 0.9, 0.9),  # the fifth (four reactions relabelled 2026-12-05)
    "dev-7": (0.9, 0.8, 0.95, 0.85),  # the sixth, spent by the reply and acting-upon work
    "holdout": (0.95, 0.8, 0.95, 0.85),  # the seventh, spent by the s17 work (request, members)
    "holdout-8": (0.8, 0.8, 0.9, 0.85),  # the eighth (a reaction relabelled 2026-12-05)
    "holdout-9": (0.65, 0.8, 0.85, 0.9),  # the ninth, spent by the s19 work (time decay)
    "holdout-10": (0.75, 0.85, 0.9, 0.85),  # the tenth, spent by the s20 work (no weak pair)
    "holdout-11": (0.3, 0.75, 0.8, 0.9),  # the eleventh, spent by the s21 and s22 work (days)
    "holdout-12": (0.65, 0.7, 0.8, 0.8),  # the twelfth, spent by the s22 work (days)
    "holdout-13": (0.55, 0.75, 0.8, 0.85),  # the thirteenth, its merges read by the s23 work
    "holdout-14": (0.65, 0.85, 0.85, 0.9),  # the fourteenth, spent by the s24 work (particles)
    "holdout-15": (0.7, 0.75, 0.85, 0.85),  # the fifteenth, spent by the s24 organisations veto
    "holdout-16": (0.75, 0.85, 0.85, 0.9),  # the sixteenth, spent by the s24 buy/sell reading
    "holdout-17": (0.9, 0.9, 0.95, 0.9),  # the seventeenth, spent by the s24 councils veto
    "holdout-19": (0.8, 0.8, 0.9, 0.9),  # the nineteenth, spent by the s25 statement work
    "holdout-20": (0.95, 0.8, 0.95, 0.9),  # the twentieth, spent by the s25 sanctions verb
    "holdout-21": (0.65, 0.65, 0.85, 0.75),  # the twenty-first (feed-style leads), by s25 names
    "holdout-22": (0.9, 0.9, 0.95, 0.9),  # the twenty-second, spent by the s25 institutions
    "holdout-23": (0.85, 0.65, 0.9, 0.8),  # the twenty-third, spent by the s25 name spellings
}


@cache
def story_set(name: str) -> list[StoryReport]:
    return load_story_set([STORIES / f"{name}.jsonl"])


@pytest.fixture(scope="module")
def dev() -> list[StoryReport]:
    return story_set("dev")


@pytest.mark.parametrize(
    "name",
    ["dev", *SPENT, "holdout", *(f"holdout-{n}" for n in range(8, 24))],
)
def test_story_sets_have_the_promised_shape(name: str) -> None:
    reports = story_set(name)
    events: dict[str, set[str]] = {}
    for r in reports:
        events.setdefault(r.event, set()).add(r.lang)
    multi = [langs for e, langs in events.items() if sum(x.event == e for x in reports) > 1]
    assert {r.lang for r in reports} == {"en", "ru"}
    assert len(multi) >= 25 and sum(langs == {"en", "ru"} for langs in multi) >= 20
    assert len(events) - len(multi) >= 5  # single reports


# Headlines a later holdout repeats word for word for another event: the 2024 South Ossetian
# parliamentary vote (holdout-22) is headlined as the 2019 one was (holdout-19).
REPEATED_HEADLINES = {"в южной осетии завершились выборы в парламент"}


def test_holdout_headlines_are_not_dev_headlines() -> None:
    tuned_on = {r.title.casefold() for name in ("dev", *SPENT) for r in story_set(name)}
    assert not tuned_on & {r.title.casefold() for r in story_set("holdout")}
    # each later holdout (scored once, some tuned on since) shares no headline with a set before it
    before = tuned_on | {r.title.casefold() for r in story_set("holdout")}
    for n in range(8, 24):
        titles = {r.title.casefold() for r in story_set(f"holdout-{n}")}
        assert not (before & titles) - REPEATED_HEADLINES, f"holdout-{n}"
        before |= titles


def test_story_grouping_meets_the_targets_on_dev_in_any_arrival_order(dev) -> None:
    result = evaluate_stories(dev, orders=5)
    assert result.orders_identical == result.orders
    assert result.worst_same_precision >= 0.95 and result.worst_same_recall >= 0.85
    assert result.worst_cross_precision >= 0.95 and result.worst_cross_recall >= 0.6


@pytest.mark.parametrize("name", SPENT_FLOORS)
def test_story_grouping_holds_its_level_on_the_spent_holdouts(name: str) -> None:
    same_p, same_r, cross_p, cross_r = SPENT_FLOORS[name]
    result = evaluate_stories(story_set(name), orders=5)
    assert result.orders_identical == result.orders
    assert result.worst_same_precision >= same_p and result.worst_same_recall >= same_r
    assert result.worst_cross_precision >= cross_p and result.worst_cross_recall >= cross_r


def test_eval_stories_command_prints_the_table_and_the_wrong_pairs(tmp_path: Path) -> None:
    rows = [
        {"id": "e1", "event": "pkg12", "lang": "en", "outlet": "Wire",
         "published": "2023-12-18T14:20:00Z",
         "title": "EU adopts 12th sanctions package against Russia",
         "text": "EU governments approved the 12th package of sanctions on Monday."},
        {"id": "r1", "event": "pkg12", "lang": "ru", "outlet": "Лента",
         "published": "2023-12-18T15:00:00Z",
         "title": "ЕС утвердил 12-й пакет санкций против России",
         "text": "Совет ЕС одобрил двенадцатый пакет санкций против РФ."},
    ]  # fmt: skip
    (tmp_path / "set.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8"
    )
    full = geoalert("eval", "--stories", "set.jsonl", "--orders", "3", cwd=tmp_path)
    assert full.returncode == 0, full.stderr
    assert full.stdout.startswith("2 reports, 1 events")
    assert "cross language" in full.stdout
    assert "arrival orders giving the same stories" in full.stdout
    assert "merged (different events, one story)" in full.stdout
    bad = geoalert("eval", "--stories", "missing.jsonl", cwd=tmp_path)
    assert bad.returncode != 0 and "missing.jsonl: cannot read the story set" in bad.stderr


def test_a_scan_of_the_dev_set_as_feeds_forms_the_stories_eval_measures(
    tmp_path: Path, feed_server, dev
) -> None:
    """What `eval --stories` scores is what a user gets: the dev set served as one loopback
    feed per outlet, one `geoalert scan`, stories read back from `timeline --format json`."""
    by_outlet: dict[str, list[StoryReport]] = {}
    for r in dev:
        by_outlet.setdefault(r.outlet, []).append(r)
    lines = []
    for n, (outlet, reports) in enumerate(sorted(by_outlet.items())):
        feed_server.route(
            f"/outlet/{n}.xml", body=as_feed(outlet, reports, "https://wire.example/")
        )
        lines.append(f"- url: {feed_server.url(f'/outlet/{n}.xml')}\n  name: Outlet {n}\n")
    (tmp_path / "feeds.yaml").write_text("".join(lines), encoding="utf-8")
    scan = geoalert("scan", "--json", cwd=tmp_path, GEOALERT_ALLOW_PRIVATE_FEEDS="true")
    assert scan.returncode == 0, scan.stderr

    story_of: dict[str, int] = {}
    for topic in ("csto", "sanctions", "non_recognition"):
        shown = geoalert("timeline", topic, "--format", "json", cwd=tmp_path)
        for entry in json.loads(shown.stdout)["entries"]:
            story_of.update((item_id, entry["story"]) for item_id in entry["items"])
    printed = [json.loads(line) for line in scan.stdout.splitlines()]
    report_of = {
        m["id"]: m["link"].rsplit("/", 1)[1]
        for m in printed
        if (m["link"] or "").startswith("https://wire.example/")
    }  # not the seeds
    assert report_of, "no report of the dev set matched a topic"
    stored = {report_of[i]: s for i, s in story_of.items() if i in report_of}
    matched = [r for r in dev if r.id in stored]
    assert len(matched) >= 0.5 * len(dev)  # stories group the reports that match a topic
    # The same reports, grouped by the pure function in outlet order, form the same stories.
    assert _partition(stored) == _partition(group_set(matched))


@pytest.mark.parametrize(
    ("name", "seed"), [("dev-2", None), ("dev-3", 1), ("dev-3", 3), ("dev-4", None)]
)
def test_stored_stories_equal_the_pure_grouping_in_any_order(tmp_path: Path, name, seed) -> None:
    """The store (members a re-clustering moves, stories it splits off, recounts) ends with
    the stories the pure grouping forms, feed by feed in the same order. (dev-3 in orders 1
    and 3 splits stored stories.)"""
    from bot.stories import StoryCache, assign_stories
    from storage import items as item_store
    from storage import make_engine, upgrade
    from storage import stories as story_store
    from storage.engine import session_scope

    reports = load_story_set([STORIES / f"{name}.jsonl"])
    engine = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    upgrade(engine)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    cache = StoryCache(started=now)
    for feed in feeds_in_order(reports, seed):
        with session_scope(engine) as s:
            item_store.add_new_items(s, feed)
            assign_stories(story_store.StoryRows(s), feed, now=now, cache=cache)
    with session_scope(engine) as s:
        stored = story_store.stories_of(s, [r.id for r in reports])
        counts = dict(s.execute(sa.text(
            "SELECT s.id, s.member_count FROM stories s")).all())  # fmt: skip
        per_story = dict(s.execute(sa.text(
            "SELECT story_id, COUNT(*) FROM story_items GROUP BY story_id")).all())  # fmt: skip
    engine.dispose()
    assert _partition(stored) == _partition(group_set(reports, seed))
    assert counts == per_story  # no empty story left, every count recounted


# Two adoptions of "a package" a year apart, worded alike, and one report that dates itself.
UNDATED = [
    StoryReport("p1", "pk-2023", "en", "Wire", datetime(2023, 6, 23, 12, tzinfo=UTC),
                "EU adopts new package of sanctions against Russia",
                "EU governments adopted a new package of sanctions against Russia."),
    StoryReport("p2", "pk-2023", "en", "Daily", datetime(2023, 6, 23, 15, tzinfo=UTC),
                "EU approves new sanctions package against Russia",
                "The EU approved a new package of sanctions on Russia on 23 June 2023."),
    StoryReport("p3", "pk-2022", "en", "Herald", datetime(2022, 2, 25, 12, tzinfo=UTC),
                "EU adopts new package of sanctions against Russia",
                "EU governments adopted a new package of sanctions against Russia."),
]  # fmt: skip


def test_undated_feeds_give_each_report_the_fetch_time_unless_its_text_dates_it() -> None:
    items = {i.id: i for feed in feeds_in_order(UNDATED, None, undated=True) for i in feed}
    fetched = datetime(2023, 6, 24, 15, tzinfo=UTC)  # a day after the last report
    assert (items["p1"].published, items["p1"].published_origin) == (fetched, "fetched")
    assert (items["p3"].published, items["p3"].published_origin) == (fetched, "fetched")
    assert items["p2"].published_origin == "text"
    assert items["p2"].published.date() == datetime(2023, 6, 23).date()
    dated = {i.id: i for feed in feeds_in_order(UNDATED, None) for i in feed}
    assert dated["p3"].published == UNDATED[2].published and dated["p3"].published_origin == "feed"


def test_undated_evaluation_loses_what_the_dates_told_apart() -> None:
    """A year apart, the two adoptions are two stories; served undated, nothing tells them
    apart: the measure of what the model does without time."""
    assert group_set(UNDATED)["p1"] != group_set(UNDATED)["p3"]
    undated = group_set(UNDATED, undated=True)
    assert undated["p1"] == undated["p3"]
    dated_p = evaluate_stories(UNDATED, orders=1).first.same_language.precision
    undated_p = evaluate_stories(UNDATED, orders=1, undated=True).first.same_language.precision
    assert dated_p > undated_p


# A backlog of feeds that give no dates, fetched in 2024: one report of a 2022 event dates
# itself in its first line, its sibling does not; a report of 2024 beside them.
BACKLOG = [
    StoryReport("d1", "skies-2022", "en", "Wire", datetime(2022, 2, 27, 18, tzinfo=UTC),
                "Canada closes its airspace to Russian aircraft",
                "February 27, 2022\nCanada closed its airspace to all Russian aircraft on "
                "Sunday, Transport Minister Omar Alghabra said."),
    StoryReport("d2", "skies-2022", "en", "Daily", datetime(2022, 2, 27, 20, tzinfo=UTC),
                "Canada shuts airspace to Russian planes",
                "Ottawa barred all Russian aircraft from Canadian airspace, the transport "
                "minister said."),
    StoryReport("d3", "pk-2024", "en", "Herald", datetime(2024, 2, 23, 12, tzinfo=UTC),
                "EU adopts 13th package of sanctions against Russia",
                "EU governments adopted a 13th package of sanctions against Russia."),
]  # fmt: skip


@pytest.mark.parametrize("seed", [None, 1, 2, 3])
def test_a_report_dated_by_its_text_meets_its_undated_siblings_at_the_fetch_time(seed) -> None:
    """Its text dates d1 to 2022; d2 has only the 2024 fetch time. Set against each other the
    two would be two years apart and never one story: an unknown time is not a time, so the
    pair compares fetch times (`bot.stories.clock`), in whichever order the feeds answer."""
    items = {i.id: i for feed in feeds_in_order(BACKLOG, seed, undated=True) for i in feed}
    assert items["d1"].published_origin == "text" and items["d1"].published.year == 2022
    assert items["d2"].published_origin == "fetched" and items["d2"].published.year == 2024
    story_of = group_set(BACKLOG, seed, undated=True)
    assert story_of["d1"] == story_of["d2"] != story_of["d3"]


def test_two_reports_dated_by_their_texts_are_compared_by_those_dates() -> None:
    """Like with like: a year apart by the dates their texts give, two renewals worded alike
    stay two stories, though both were fetched at once."""
    renewals = [
        StoryReport(f"r{n}", f"renewal-{year}", "en", outlet, datetime(year, 7, 26, tzinfo=UTC),
                    "EU extends economic sanctions on Russia by six months",
                    f"July 26, {year}\nEU governments extended the economic sanctions on "
                    "Russia by six months.")
        for n, (year, outlet) in enumerate([(2022, "Wire"), (2023, "Daily")], 1)
    ]  # fmt: skip
    items = {i.id: i for feed in feeds_in_order(renewals, None, undated=True) for i in feed}
    assert {i.published_origin for i in items.values()} == {"text"}
    story_of = group_set(renewals, undated=True)
    assert story_of["r1"] != story_of["r2"]


def test_a_scan_of_undated_feeds_keeps_a_self_dated_report_with_its_sibling(
    tmp_path: Path, feed_server
) -> None:
    """What a user gets: feeds without `<pubDate>` on loopback, one `geoalert scan`, the story
    read back from `timeline --format json`: the report its text dates to 2022 and its undated
    sibling, fetched today, are one story."""
    lines = []
    for n, r in enumerate(BACKLOG[:2]):
        body = as_feed(r.outlet, [r], "https://wire.example/", dated=False)
        feed_server.route(f"/outlet/{n}.xml", body=body)
        lines.append(f"- url: {feed_server.url(f'/outlet/{n}.xml')}\n  name: Outlet {n}\n")
    (tmp_path / "feeds.yaml").write_text("".join(lines), encoding="utf-8")
    scan = geoalert("scan", "--json", cwd=tmp_path, GEOALERT_ALLOW_PRIVATE_FEEDS="true")
    assert scan.returncode == 0, scan.stderr
    report_of = {
        m["id"]: m["link"].rsplit("/", 1)[1]
        for m in map(json.loads, scan.stdout.splitlines())
        if (m["link"] or "").startswith("https://wire.example/")
    }
    assert sorted(report_of.values()) == ["d1", "d2"]
    shown = geoalert("timeline", "sanctions", "--format", "json", cwd=tmp_path)
    stories = [
        sorted(report_of[i] for i in entry["items"] if i in report_of)
        for entry in json.loads(shown.stdout)["entries"]
    ]
    assert ["d1", "d2"] in stories


def test_eval_stories_undated_flag_prints_the_table(tmp_path: Path) -> None:
    rows = [
        {"id": r.id, "event": r.event, "lang": r.lang, "outlet": r.outlet,
         "published": r.published.isoformat(), "title": r.title, "text": r.text}
        for r in UNDATED
    ]  # fmt: skip
    (tmp_path / "set.jsonl").write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    done = geoalert("eval", "--stories", "--undated", "--summary", "set.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "same language    0.333  1.000" in done.stdout


@pytest.mark.parametrize("name", ["dev-2", "dev-3", "holdout-23"])
def test_an_undated_backlog_gives_the_same_stories_in_any_arrival_order(name: str) -> None:
    """Feeds that give no dates put a set of about 90 reports in one instant, one neighbourhood
    of dozens of reports; up to `MAX_COMPONENT` reports it is re-clustered whole, so the
    stories do not depend on which feed answered first (with neighbourhoods capped at 24
    reports, each of these gave other stories in 4 of 5 orders)."""
    result = evaluate_stories(story_set(name), orders=5, undated=True)
    assert result.orders_identical == result.orders
