"""Hostile and broken feeds over real loopback sockets: every case stays up, bounded in time,
with a one-line reason, without hurting other feeds, and recovers when the feed is fixed."""

from __future__ import annotations

import io
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import httpx
import pytest
from sqlmodel import Session

from bot.matching import load_rules
from bot.models import FeedConfig, FetchResult, FetchState
from bot.pipeline import Pipeline
from bot.sources.fetch import fetch_feed, make_http_client
from bot.sources.parse import MAX_ITEMS, MAX_TEXT_CHARS, parse_feed
from storage.feeds import (
    PAUSE_PROBE,
    feed_statuses,
    is_due,
    record_fetch,
    retry_feeds,
    silent_since,
)
from tests.support.feed_server import (
    BAD_DIR,
    DATA_DIR,
    FeedServer,
    install_hostile_routes,
    quadratic_blowup_feed,
    serve_feeds,
    with_secret,
)

NOW = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)
TIMEOUT = 0.5
MAX_BYTES = 10_000_000
SECRET = "geoalert-secret-7f3a9c"
BOUND = 3.0  # seconds any single hostile fetch may take (the slow routes take 3 s)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with serve_feeds(slow_delay=3.0) as running:
        install_hostile_routes(running)
        yield running


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with make_http_client(timeout=TIMEOUT, max_redirects=5) as http:
        yield http


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET + "\n")
    return path


async def fetch(client: httpx.AsyncClient, server: FeedServer, path: str) -> FetchResult:
    feed = FeedConfig(url=server.url(path), name=f"hostile{path}")
    started = time.monotonic()
    result = await fetch_feed(client, feed, FetchState(), max_bytes=MAX_BYTES, now=NOW)
    assert time.monotonic() - started < BOUND, path
    if result.error is not None:
        assert "\n" not in result.error and len(result.error) <= 300, result.error
    return result


def everything(result: FetchResult) -> str:
    """All text a result could leak into a message or the database."""
    parts = [result.error or ""]
    for item in result.items:
        parts += [item.title, item.text, item.link or "", item.key, item.publisher]
    return "\n".join(parts)


@pytest.mark.parametrize(
    "path",
    [
        "/bad/billion-laughs.xml",
        "/bad/billion-laughs-one-line.xml",
        "/bad/xxe-etc-hostname.xml",
        "/bad/quadratic",
    ],
)
async def test_entity_declarations_are_refused_before_parsing(
    client: httpx.AsyncClient, server: FeedServer, path: str
) -> None:
    result = await fetch(client, server, path)
    assert result.items == ()
    assert result.error is not None
    assert result.error.startswith("refused: XML entity declaration at line ")
    assert result.status == 200


async def test_xxe_never_reads_the_local_file(
    client: httpx.AsyncClient, server: FeedServer, secret: Path
) -> None:
    server.route("/xxe", body=with_secret("xxe-template.xml", secret))
    server.route("/dtd", body=with_secret("external-dtd-template.xml", secret))
    refused = await fetch(client, server, "/xxe")
    assert refused.error and refused.error.startswith("refused: XML entity declaration")
    # An external DTD declares no entity here, so it is parsed; it is never loaded either.
    parsed = await fetch(client, server, "/dtd")
    assert parsed.error is None and [i.title for i in parsed.items] == ["External DTD"]
    for result in (refused, parsed):
        assert SECRET not in everything(result)


def test_feedparser_alone_would_expand_a_big_internal_entity() -> None:
    """Why the guard exists: feedparser keeps "safe" internal entities and its loose parser
    expands them at every reference (a 10 kB entity x 1,000 references → 10 MB of text)."""
    body = quadratic_blowup_feed(entity=10_000, refs=1_000)
    parsed = feedparser.parse(io.BytesIO(body))
    assert len(parsed.entries[0].summary) >= 10_000_000
    feed = FeedConfig(url="https://x.example/q", name="Q")
    assert parse_feed(body, feed, fetched=NOW)[0] == []


def test_xxe_files_from_the_corpus_leak_nothing_through_parse_feed(secret: Path) -> None:
    feed = FeedConfig(url="https://x.example/f", name="X")
    for template in ("xxe-template.xml", "external-dtd-template.xml"):
        items, _ = parse_feed(with_secret(template, secret), feed, fetched=NOW)
        assert all(SECRET not in f"{i.title} {i.text}" for i in items)


@pytest.mark.parametrize(
    ("path", "reason", "status", "retry_after"),
    [
        ("/missing", "HTTP 404 Not Found", 404, None),
        ("/gone", "HTTP 410 Gone", 410, None),
        ("/error", "HTTP 500 Internal Server Error", 500, None),
        ("/unavailable", "HTTP 503 Service Unavailable", 503, 120.0),
        ("/bad/too-many", "HTTP 429 Too Many Requests", 429, 900.0),
        ("/bad/empty", "not a feed: ", 200, None),
        ("/page.html", "not a feed: ", 200, None),
        ("/bad/gzip-bomb", f"response larger than {MAX_BYTES} bytes", 200, None),
        ("/trickle", "timed out after 0.5s", None, None),
        ("/slow", "timed out after 0.5s", None, None),
        ("/loop/a", "too many redirects (more than 5; redirect loop?)", None, None),
        ("/bad/to-metadata", "refused: 169.254.169.254 (cloud metadata address)", None, None),
        ("/bad/to-file", "invalid URL: 'file:///etc/passwd'", None, None),
        ("/bad/to-credentials", "refused http://127.0.0.1:", None, None),
    ],
)
async def test_failures_have_a_clear_one_line_reason(
    client: httpx.AsyncClient,
    server: FeedServer,
    path: str,
    reason: str,
    status: int | None,
    retry_after: float | None,
) -> None:
    result = await fetch(client, server, path)
    assert result.items == ()
    assert result.error is not None and result.error.startswith(reason), result.error
    assert (result.status, result.retry_after) == (status, retry_after)
    assert "secret" not in result.error  # credentials of a redirect target are not echoed


async def test_retry_after_as_a_date_is_honoured(
    client: httpx.AsyncClient, server: FeedServer
) -> None:
    result = await fetch(client, server, "/bad/down-until")
    assert result.status == 503 and result.retry_after is not None
    assert result.retry_after > 365 * 86400  # the date is in 2099


async def test_truncated_feed_keeps_its_complete_items(
    client: httpx.AsyncClient, server: FeedServer
) -> None:
    result = await fetch(client, server, "/bad/truncated.xml")
    assert result.error is None
    assert result.items[0].key == "cut-1"


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/bad/cp1251.xml", "application/rss+xml"),  # correctly declared windows-1251
        ("/bad/cp1251.xml", "application/rss+xml; charset=utf-8"),  # header contradicts it
        ("/bad/wrong-encoding.xml", "application/xml"),  # windows-1251 bytes declared UTF-8
    ],
)
async def test_russian_text_comes_out_right_whatever_the_declaration(
    client: httpx.AsyncClient, server: FeedServer, path: str, content_type: str
) -> None:
    body = (BAD_DIR / path.removeprefix("/bad/")).read_bytes()
    server.route("/ru", body=body, content_type=content_type)
    result = await fetch(client, server, "/ru")
    assert result.error is None
    assert result.items[0].title == "Минфин США расширил санкции против российских банков"
    assert result.items[0].language == "ru"


async def test_invalid_utf8_bytes_are_replaced_not_the_whole_feed(
    client: httpx.AsyncClient, server: FeedServer
) -> None:
    result = await fetch(client, server, "/bad/invalid-utf8.xml")
    assert result.error is None
    item = result.items[0]
    assert item.title == "Переговоры по границе \ufffd продолжатся \ufffd МИД"
    assert item.text.startswith("Делегации Таджикистана и Киргизии")


async def test_items_missing_fields_get_ids_titles_and_dates(
    client: httpx.AsyncClient, server: FeedServer
) -> None:
    result = await fetch(client, server, "/bad/missing-fields.xml")
    assert result.error is None
    by_title = {i.title: i for i in result.items}
    assert set(by_title) == {
        "Only a description: no title, link, guid or date.",
        "Only a title",
        "Blank guid, has a link",
    }
    assert by_title["Only a title"].key.startswith("sha256:")
    assert by_title["Blank guid, has a link"].key == "https://sparse.example/news/blank-guid"
    for item in result.items:
        assert item.id and item.published == NOW and item.published_origin == "fetched"


async def test_duplicate_guids_keep_the_first_item(
    client: httpx.AsyncClient, server: FeedServer
) -> None:
    result = await fetch(client, server, "/bad/duplicate-guids.xml")
    assert [i.title for i in result.items] == ["First version", "Another story"]


async def test_implausible_dates_are_replaced_by_the_fetch_time(
    client: httpx.AsyncClient, server: FeedServer
) -> None:
    result = await fetch(client, server, "/bad/odd-dates.xml")
    dates = {i.key: (i.published, i.published_origin) for i in result.items}
    for key in ("epoch", "old", "future", "far", "junk"):
        assert dates[key] == (NOW, "fetched"), key
    assert dates["good"] == (datetime(2024, 6, 24, 9, 15, tzinfo=UTC), "feed")


async def test_a_5000_item_feed_keeps_the_newest_items_in_bounded_time(
    client: httpx.AsyncClient, server: FeedServer
) -> None:
    result = await fetch(client, server, "/bad/5000-items")
    assert result.error is None
    assert len(result.items) == MAX_ITEMS == 1000
    assert result.items[0].key == "n-5000"  # newest first, as the feed lists them
    assert result.items[-1].key == "n-4001"


async def test_a_5mb_description_is_truncated(
    client: httpx.AsyncClient, server: FeedServer
) -> None:
    result = await fetch(client, server, "/bad/huge-description")
    assert result.error is None
    (item,) = result.items
    assert len(item.text) <= MAX_TEXT_CHARS and item.text.endswith("…")


# --- the real pipeline: several feeds, one hostile, then fixed -------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.mark.parametrize(
    ("bad_path", "reason"),
    [
        ("/bad/xxe-etc-hostname.xml", "refused: XML entity declaration"),
        ("/bad/quadratic", "refused: XML entity declaration"),
        ("/bad/empty", "not a feed"),
        ("/bad/gzip-bomb", "response larger than"),
        ("/trickle", "timed out"),
    ],
)
async def test_pipeline_survives_one_hostile_feed_and_it_recovers(
    engine, repo: Path, server: FeedServer, bad_path: str, reason: str
) -> None:
    feeds = [
        FeedConfig(url=server.url("/feeds/rss2.xml"), name="good"),
        FeedConfig(url=server.url("/feeds/ru.xml"), name="also good"),
        FeedConfig(url=server.url(bad_path), name="hostile"),
    ]
    rules = load_rules(repo / "rules")
    clock = Clock()
    async with make_http_client(TIMEOUT, 5) as http:
        pipeline = Pipeline(
            allow_private=True,  # loopback test servers
            engine=engine,
            rules=lambda: rules,
            seeds_dir=None,
            feeds=feeds,
            http=http,
            max_feed_bytes=MAX_BYTES,
            clock=clock,
        )
        started = time.monotonic()
        first = await pipeline.poll()
        assert time.monotonic() - started < BOUND
        with Session(engine) as s:
            statuses = {f.name: f for f in feed_statuses(s, now=clock.now)}
        assert statuses["good"].items > 0 and statuses["also good"].items > 0
        assert statuses["good"].last_error is None
        hostile = statuses["hostile"]
        assert hostile.last_error and hostile.last_error.startswith(reason)
        assert "\n" not in hostile.last_error and hostile.items == 0
        assert first.errors == [f"hostile: {hostile.last_error}"]
        # The publisher fixes the feed; once its back-off has passed it is polled and recovers.
        server.route(bad_path, body=(DATA_DIR / "atom.xml").read_bytes())
        clock.now += timedelta(minutes=11)
        again = await pipeline.poll()
    assert again.errors == []
    with Session(engine) as s:
        fixed = next(f for f in feed_statuses(s, now=clock.now) if f.name == "hostile")
    assert fixed.last_error is None and fixed.consecutive_failures == 0 and fixed.items == 3


# --- failing feeds: pause after N failures, slow probe, events once, retry; silent feeds ----


def failure(feed: FeedConfig, error: str = "HTTP 500 Internal Server Error") -> FetchResult:
    return FetchResult(feed=feed, error=error, status=500)


def test_a_feed_pauses_once_probes_slowly_and_announces_its_recovery(engine) -> None:
    feed = FeedConfig(url="https://down.example/rss", name="down")
    now = NOW
    events = []
    with Session(engine) as s:
        for _ in range(4):
            assert is_due(s, feed, now=now, interval=600, force=True)
            events.append(record_fetch(s, failure(feed), now=now, pause_after=3))
            now += timedelta(hours=7)  # past any back-off
        assert [e.kind if e else None for e in events] == [None, None, "paused", None]
        paused = events[2]
        assert paused is not None
        assert (paused.url, paused.failures, paused.reason) == (
            feed.url,
            3,
            "HTTP 500 Internal Server Error",
        )
        # Paused: not due within the probe period, even when forced; due after it.
        assert not is_due(s, feed, now=now - timedelta(hours=7, minutes=-1), interval=0, force=True)
        (status,) = feed_statuses(s, now=now, pause_after=3)
        assert status.paused and status.consecutive_failures == 4
        assert status.next_poll_at == now - timedelta(hours=7) + PAUSE_PROBE
        recovered = record_fetch(s, FetchResult(feed=feed, status=200), now=now, pause_after=3)
        assert recovered is not None and recovered.kind == "recovered"
        assert recovered.failures == 4
        (status,) = feed_statuses(s, now=now, pause_after=3)
        assert not status.paused and status.last_error is None
        assert record_fetch(s, FetchResult(feed=feed, status=200), now=now, pause_after=3) is None


def test_retry_makes_failing_feeds_due_at_the_next_poll(engine) -> None:
    down = FeedConfig(url="https://down.example/rss", name="down")
    flaky = FeedConfig(url="https://flaky.example/rss", name="flaky")
    fine = FeedConfig(url="https://fine.example/rss", name="fine")
    with Session(engine) as s:
        for _ in range(3):
            record_fetch(s, failure(down), now=NOW, pause_after=3)
        record_fetch(s, failure(flaky), now=NOW, pause_after=3)
        record_fetch(s, FetchResult(feed=fine, status=200), now=NOW)
        later = NOW + timedelta(minutes=30)
        assert not is_due(s, down, now=later, interval=0, force=True)
        assert retry_feeds(s, down.url) == 1
        assert is_due(s, down, now=later, interval=0, force=True)
        assert not is_due(s, flaky, now=NOW + timedelta(seconds=30), interval=0, force=True)
        assert retry_feeds(s) == 2  # every failing feed; the healthy one is untouched
        # A retry that fails again keeps it paused and does not announce it twice.
        assert record_fetch(s, failure(down), now=later, pause_after=3) is None


def test_silent_feed_detection_is_relative_to_its_usual_cadence() -> None:
    hourly = [NOW - timedelta(hours=h) for h in range(20)]
    assert silent_since(hourly, now=NOW + timedelta(days=1), answering=True) is None
    assert silent_since(hourly, now=NOW + timedelta(days=3), answering=True) == NOW
    weekly = [NOW - timedelta(weeks=w) for w in range(10)]
    assert silent_since(weekly, now=NOW + timedelta(days=20), answering=True) is None
    assert silent_since(weekly, now=NOW + timedelta(days=22), answering=True) == NOW
    # Failing feeds are failing, not silent; two items say nothing about a cadence.
    assert silent_since(hourly, now=NOW + timedelta(days=30), answering=False) is None
    assert silent_since(hourly[:2], now=NOW + timedelta(days=30), answering=True) is None


async def test_a_feed_answering_200_without_new_items_is_reported_silent(
    engine, repo: Path, server: FeedServer
) -> None:
    feeds = [FeedConfig(url=server.url("/bad/5000-items"), name="firehose")]
    rules = load_rules(repo / "rules")
    async with make_http_client(TIMEOUT, 5) as http:
        pipeline = Pipeline(
            allow_private=True,  # loopback test servers
            engine=engine,
            rules=lambda: rules,
            seeds_dir=None,
            feeds=feeds,
            http=http,
            max_feed_bytes=MAX_BYTES,
            clock=lambda: datetime(2024, 7, 1, tzinfo=UTC),
        )
        await pipeline.poll()
    with Session(engine) as s:
        (fresh,) = feed_statuses(s, now=datetime(2024, 6, 5, tzinfo=UTC))
        (quiet,) = feed_statuses(s, now=datetime(2024, 7, 10, tzinfo=UTC))
    assert fresh.silent_since is None
    assert quiet.silent_since == datetime(2024, 6, 4, 11, 20, tzinfo=UTC)  # item n-5000
