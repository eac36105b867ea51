"""The pipeline end to end: seed corpus + loopback feeds → bundled rules → a real database."""

from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from bot.matching import load_rules
from bot.models import FeedConfig
from bot.pipeline import Pipeline
from bot.sources.fetch import make_http_client
from bot.sources.parse_pool import PIPE_BYTES, ParsePool
from storage.feeds import feed_statuses
from storage.items import iter_item_batches, matched_items, totals
from storage.stories import stories_of
from tests.support.feed_server import FeedServer, serve_feeds

SEED_FILES = {
    "000": "000_9cae5fad716b7d4a.txt",
    "001": "001_6c15f3c0ed2cc066.txt",
    "002": "002_250678edc94afa10.txt",
    "003": "003_dd24a2917543f6ee.txt",
    "004": "004_82964e3a3d4d29cf.txt",
}


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with serve_feeds(slow_delay=3.0) as running:
        yield running


class Clock:
    """A settable clock, so tests move time instead of sleeping."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def make_pipeline(engine, repo, feeds, http, clock=None) -> Pipeline:
    rules = load_rules(repo / "rules")
    return Pipeline(
        allow_private=True,  # loopback test servers
        engine=engine,
        rules=lambda: rules,
        seeds_dir=repo / "seeds",
        feeds=feeds,
        http=http,
        poll_interval=600,
        max_feed_bytes=200_000,
        clock=clock or Clock(),
    )


def topics_by_seed(engine) -> dict[str, set[str]]:
    by_file = {v: k for k, v in SEED_FILES.items()}
    result: dict[str, set[str]] = {k: set() for k in SEED_FILES}
    with Session(engine) as s:
        for m in matched_items(s):
            if m.item.source == "corpus":
                result[by_file[m.item.source_ref]] = set(m.topic_ids)
    return result


async def test_seed_corpus_lands_in_the_expected_topics(engine, repo):
    report = await make_pipeline(engine, repo, [], None).poll(feeds=False)
    assert report.new_items == 5
    seen = topics_by_seed(engine)
    for seed in ("002", "004"):
        assert "csto" in seen[seed], seed
    for seed in ("001", "003", "004"):
        assert "sanctions" in seen[seed], seed
    for seed in ("000", "001", "003", "004"):
        assert "non_recognition" in seen[seed], seed
    assert "sanctions" not in seen["000"]
    assert "csto" not in seen["003"]


async def test_scanning_twice_stores_nothing_new(engine, repo, server):
    feeds = [FeedConfig(url=server.url("/feeds/rss2.xml"), name="Steppe Wire")]
    clock = Clock()
    async with make_http_client(2.0, 5) as http:
        pipeline = make_pipeline(engine, repo, feeds, http, clock)
        first = await pipeline.poll()
        with Session(engine) as s:
            stored = totals(s)
        clock.now += timedelta(hours=1)
        second = await pipeline.poll()
    assert first.new_items > 5 and first.new_matches
    assert second.new_items == 0 and second.new_matches == []
    with Session(engine) as s:
        assert totals(s) == stored


async def test_feeds_in_every_format_are_stored_and_matched(engine, repo, server):
    feeds = [
        FeedConfig(url=server.url(f"/feeds/{name}"), name=name)
        for name in ("rss2.xml", "atom.xml", "rdf.xml", "ru.xml")
    ]
    async with make_http_client(2.0, 5) as http:
        report = await make_pipeline(engine, repo, feeds, http).poll(corpus=False)
    assert report.errors == []
    with Session(engine) as s:
        titles = {m.item.title: set(m.topic_ids) for m in matched_items(s)}
    assert "csto" in titles["Armenia freezes participation in CSTO, Pashinyan says"]
    assert (
        "sanctions"
        in titles["EU adopts 14th package of sanctions against Russia, targets LNG re-exports"]
    )
    assert "csto" in titles["Совет коллективной безопасности ОДКБ соберётся в Минске"]
    assert "sanctions" in titles["Минфин США расширил санкции против российских банков"]
    assert "Uzbekistan cotton harvest forecast raised" not in titles


async def test_parse_processes_match_and_fingerprint_like_the_main_process(engine, repo, server):
    """With parse workers, items are matched in another process (the rules are rebuilt there
    from their specs): every stored item has exactly the topics the rules give it here."""
    feeds = [
        FeedConfig(url=server.url(f"/feeds/{name}"), name=name)
        for name in ("rss2.xml", "atom.xml", "rdf.xml", "ru.xml")
    ]
    async with make_http_client(2.0, 5) as http:
        pipeline = make_pipeline(engine, repo, feeds, http)
        pipeline.parse_workers = 2
        try:
            await pipeline.start_parsers()  # as the bot does at start-up
            assert pipeline._parse_pool is not None
            started = set(pipeline._parse_pool._processes)  # type: ignore[attr-defined]
            report = await pipeline.poll(corpus=False)
            assert set(pipeline._parse_pool._processes) == started  # type: ignore[attr-defined]
        finally:
            pipeline.close()
    assert len(started) == 2
    assert report.errors == [] and report.new_matches
    rules = load_rules(repo / "rules")
    with Session(engine) as s:
        stored = {m.item.id: set(m.topic_ids) for m in matched_items(s)}
        items = [i for batch in iter_item_batches(s) for i in batch]
    expected = {i.id: {m.topic for m in rules.match(i.title, i.text, i.language)} for i in items}
    assert stored == {k: v for k, v in expected.items() if v}


async def test_between_polls_no_parse_process_tracker_or_story_index_is_held(engine, repo, server):
    """After `stop_parsers` nothing of the poll's parsing is left: no parsing process, no
    multiprocessing resource tracker; and the poll's story index is dropped when it ends."""
    from multiprocessing import resource_tracker

    feeds = [FeedConfig(url=server.url(f"/feeds/{n}"), name=n) for n in ("rss2.xml", "ru.xml")]
    async with make_http_client(2.0, 5) as http:
        pipeline = make_pipeline(engine, repo, feeds, http)
        pipeline.parse_workers = 1
        try:
            report = await pipeline.poll(corpus=False)
            assert pipeline._parse_pool is not None
            pipeline.stop_parsers()
        finally:
            pipeline.close()
    assert report.errors == [] and report.new_matches
    assert pipeline._parse_pool is None
    if hasattr(resource_tracker._resource_tracker, "_stop"):
        assert resource_tracker._resource_tracker._pid is None  # type: ignore[attr-defined]
    assert len(pipeline._stories.index) == 0  # a fresh, empty index


async def test_a_poll_starts_its_parsing_processes_before_the_first_body_arrives(
    engine, repo, server
):
    """The parsing processes are started as the poll begins (they import and compile the rules
    while the first feeds are fetched), not when the first feed body needs parsing."""
    feeds = [FeedConfig(url=server.url("/feeds/rss2.xml"), name="rss2")]
    async with make_http_client(2.0, 5) as http:
        pipeline = make_pipeline(engine, repo, feeds, http)
        pipeline.parse_workers = 2
        try:
            pipeline._start_parsing_processes()
            assert pipeline._parse_pool is not None
            assert len(pipeline._parse_pool._processes) == 2  # type: ignore[attr-defined]
            report = await pipeline.poll(corpus=False)
        finally:
            pipeline.close()
    assert report.errors == [] and report.new_items


def test_a_feed_body_and_its_items_cross_to_a_parsing_process_in_one_write() -> None:
    """The executor's pipes hold 1 MB instead of 64 KB, so neither side waits for the other
    to read in the middle of a ~60 KB body or its items."""
    pool = ParsePool(lambda: None)
    executor = pool.get(1)
    assert executor is not None
    try:
        ends = (executor._call_queue._writer, executor._result_queue._reader)  # type: ignore[attr-defined]
        for end in ends:
            assert fcntl.fcntl(end.fileno(), fcntl.F_GETPIPE_SZ) == PIPE_BYTES
    finally:
        pool.close()


def test_a_parsing_process_ends_soon_after_its_parent_is_killed() -> None:
    """Killed with SIGKILL, the main process cannot stop its parsing processes; they end
    within about a second on their own (they had stayed, with the resource tracker, until
    reboot)."""
    code = (
        "import time\n"
        "from bot.sources.parse_pool import ParsePool\n"
        "pool = ParsePool(lambda: None)\n"
        "executor = pool.get(1)\n"
        "executor.submit(int).result()\n"
        "print(*[p.pid for p in executor._processes.values()], flush=True)\n"
        "time.sleep(60)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    main = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                            env=env)  # fmt: skip
    try:
        assert main.stdout is not None
        worker = int(main.stdout.readline())
        assert _running(worker)
    finally:
        main.kill()
        main.wait()
    deadline = time.monotonic() + 10
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(worker)


def _running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie waiting for its reaper is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


async def test_matched_items_join_stories_and_the_rest_stay_out(engine, repo, server):
    """Stories group what someone is alerted about: an item no topic matched is not compared
    with recent stories (a cold poll of thousands of items would pay for nothing)."""
    feeds = [FeedConfig(url=server.url(f"/feeds/{n}"), name=n) for n in ("rss2.xml", "ru.xml")]
    async with make_http_client(2.0, 5) as http:
        report = await make_pipeline(engine, repo, feeds, http).poll(corpus=False)
    assert report.new_matches and report.new_items > len(report.new_matches)
    with Session(engine) as s:
        items = [i.id for batch in iter_item_batches(s) for i in batch]
        in_story = stories_of(s, items)
    matched = {m.item.id for m in report.new_matches}
    assert set(in_story) == matched


async def test_broken_feeds_are_logged_per_feed_and_good_ones_still_stored(
    engine, repo, server, caplog
):
    good = FeedConfig(url=server.url("/feeds/rss2.xml"), name="good")
    bad = {
        "missing": "/missing",
        "html page": "/page.html",
        "slow": "/slow",
        "oversized": "/big",
        "redirect loop": "/loop/a",
    }
    feeds = [good] + [FeedConfig(url=server.url(path), name=name) for name, path in bad.items()]
    caplog.set_level(logging.WARNING)
    async with make_http_client(0.5, 5) as http:
        report = await make_pipeline(engine, repo, feeds, http).poll(corpus=False)
    assert report.new_matches, "the good feed's matches are stored"
    assert len(report.errors) == len(bad)
    with Session(engine) as s:
        statuses = {f.name: f for f in feed_statuses(s)}
    assert statuses["good"].last_error is None and statuses["good"].items > 0
    reasons = {name: statuses[name].last_error or "" for name in bad}
    assert "404" in reasons["missing"]
    assert "not a feed" in reasons["html page"]
    assert "timed out" in reasons["slow"]
    assert "larger than" in reasons["oversized"]
    assert "redirect" in reasons["redirect loop"].lower()
    for name in bad:
        lines = [r for r in caplog.records if f"feed={name}" in r.getMessage()]
        assert len(lines) == 1, (name, [r.getMessage() for r in caplog.records])


async def test_an_unchanged_feed_is_fetched_conditionally_and_not_reparsed(engine, repo, server):
    feed = FeedConfig(url=server.url("/feeds/atom.xml"), name="atom")
    clock = Clock()
    async with make_http_client(2.0, 5) as http:
        pipeline = make_pipeline(engine, repo, [feed], http, clock)
        await pipeline.poll(corpus=False)
        clock.now += timedelta(minutes=5)
        skipped = await pipeline.poll(corpus=False)  # not due yet: no request at all
        clock.now += timedelta(minutes=10)
        again = await pipeline.poll(corpus=False)
    requests = server.requests_to("/feeds/atom.xml")
    assert skipped.feeds_polled == 0
    assert len(requests) == 2
    assert requests[1].headers.get("if-none-match") or requests[1].headers.get("if-modified-since")
    assert again.feeds_not_modified == 1 and again.new_items == 0


async def test_a_failing_feed_backs_off_then_recovers(engine, repo, server):
    feed = FeedConfig(url=server.url("/flaky.xml"), name="flaky")
    server.route("/flaky.xml", status=503, body=b"down", headers={"Retry-After": "1200"})
    clock = Clock()
    async with make_http_client(2.0, 5) as http:
        pipeline = make_pipeline(engine, repo, [feed], http, clock)
        await pipeline.poll(corpus=False)
        clock.now += timedelta(minutes=11)  # the feed interval passed, Retry-After has not
        assert (await pipeline.poll(corpus=False)).feeds_polled == 0
        body = (repo / "tests/data/feeds/rss2.xml").read_bytes()
        server.route("/flaky.xml", status=200, body=body)
        clock.now += timedelta(minutes=10)
        recovered = await pipeline.poll(corpus=False)
    assert recovered.feeds_polled == 1 and recovered.new_items > 0
    with Session(engine) as s:
        status = next(f for f in feed_statuses(s) if f.name == "flaky")
    assert status.last_error is None and status.consecutive_failures == 0


async def test_feeds_that_finish_while_the_database_is_busy_share_one_commit(
    repo, server, tmp_path
):
    """Group commit: while another writer holds SQLite's lock, the feeds that finish queue up
    and are stored together once it lets go (one commit, not one per feed); every feed's items
    and fetch state are stored."""
    import sqlite3
    import threading

    import sqlalchemy as sa

    from tests.support.databases import migrated_engine

    path = tmp_path / "group.db"
    commits: list[int] = []
    for engine in migrated_engine(f"sqlite:///{path}"):
        sa.event.listen(engine, "commit", lambda _conn: commits.append(1))
        names = ("rss2.xml", "atom.xml", "rdf.xml", "ru.xml")
        feeds = [FeedConfig(url=server.url(f"/feeds/{name}"), name=name) for name in names]
        other_writer = sqlite3.connect(path, check_same_thread=False)
        other_writer.execute("BEGIN IMMEDIATE")
        release = threading.Timer(1.5, other_writer.commit)
        release.start()
        try:
            async with make_http_client(2.0, 5) as http:
                pipeline = make_pipeline(engine, repo, feeds, http)
                pipeline.parse_workers = 0  # parsed here: the test does not wait for processes
                report = await pipeline.poll(corpus=False)
        finally:
            release.join()
            other_writer.close()
        assert report.errors == []
        # One commit for the first feed (it waited for the lock) and one for the three that
        # finished meanwhile; one per feed (4) without grouping.
        assert len(commits) <= 2, len(commits)
        with Session(engine) as s:
            statuses = {st.url: st for st in feed_statuses(s)}
            assert {f.url for f in feeds} <= set(statuses)
            assert all(statuses[f.url].last_success_at is not None for f in feeds)
            assert all(statuses[f.url].items > 0 for f in feeds)
            assert report.new_items == totals(s)[0]
