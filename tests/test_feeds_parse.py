"""Parsing feed bytes into normalised `Item`s: RSS 2.0, Atom 1.0, RSS 1.0, Russian, broken feeds."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.models import FeedConfig, Item, make_item_id
from bot.sources.parse import MAX_TEXT_CHARS, parse_feed

DATA = Path(__file__).resolve().parent / "data" / "feeds"
FETCHED = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)


def parse(file: str, **feed_kwargs: object) -> tuple[list[Item], str | None]:
    """Parse a fixture file as if it came from https://feeds.example/<file>."""
    feed_kwargs.setdefault("url", f"https://feeds.example/{file}")
    feed_kwargs.setdefault("name", "Test Feed")
    feed = FeedConfig(**feed_kwargs)  # type: ignore[arg-type]
    return parse_feed((DATA / file).read_bytes(), feed, fetched=FETCHED)


def by_title(items: list[Item], start: str) -> Item:
    matches = [i for i in items if i.title.startswith(start)]
    assert len(matches) == 1, [i.title for i in items]
    return matches[0]


def test_rss2_feed_yields_normalised_items() -> None:
    items, problem = parse("rss2.xml")
    assert problem is None
    assert [i.title for i in items] == [
        "Armenia freezes participation in CSTO, Pashinyan says",
        "EU adopts 14th package of sanctions against Russia, targets LNG re-exports",
        "Tajikistan and Kyrgyzstan finish demarcation talks round",
        "Uzbekistan cotton harvest forecast raised",
        "Kazakhstan to host SCO summit in Astana",
        "Kyrgyz customs reported a rise in dual-use goods transit to Russia in May.",
    ]
    csto = items[0]
    assert csto.key == "steppewire-7731"
    assert csto.id == make_item_id("https://feeds.example/rss2.xml", "steppewire-7731")
    assert csto.source == csto.source_ref == "https://feeds.example/rss2.xml"
    assert csto.source_name == csto.publisher == "Test Feed"
    assert csto.language == "en"  # from <language>en-us</language>
    assert csto.fetched == FETCHED


def test_html_is_stripped_and_entities_decoded() -> None:
    items, _ = parse("rss2.xml")
    csto = by_title(items, "Armenia freezes")
    assert csto.text == (
        "Armenian Prime Minister Nikol Pashinyan said Yerevan had frozen its participation in "
        "the Collective Security Treaty Organization (CSTO) & would not pay its share of the "
        "budget.\n«The CSTO did not fulfil its obligations», he told parliament — the bloc’s "
        "secretariat declined to comment."
    )
    eu = by_title(items, "EU adopts")
    # content:encoded wins over the shorter description; script and style bodies are gone.
    assert "trackView" not in eu.text and "font-weight" not in eu.text
    assert eu.text.splitlines() == [
        "The Council of the EU on Monday adopted a 14th package of economic and individual "
        "sanctions against Russia.",
        "Ban on re-exports of Russian LNG in EU ports",
        "116 additional listings, including entities in Belarus and Kyrgyzstan",
        "Kazakh officials said companies would comply with the new rules.",
    ]


def test_dates_are_utc_with_their_origin() -> None:
    items, _ = parse("rss2.xml")
    csto = by_title(items, "Armenia freezes")
    assert csto.published == datetime(2024, 6, 24, 9, 15, tzinfo=UTC)  # 12:15 +0300
    assert csto.published_origin == "feed"
    undated = by_title(items, "Uzbekistan cotton")
    assert (undated.published, undated.published_origin) == (FETCHED, "fetched")
    future = by_title(items, "Kazakhstan to host")  # dated 2099: not trusted
    assert (future.published, future.published_origin) == (FETCHED, "fetched")
    for item in items:
        assert item.published.tzinfo == UTC


def test_item_without_guid_is_identified_by_its_canonical_link() -> None:
    items, _ = parse("rss2.xml")
    border = by_title(items, "Tajikistan and Kyrgyzstan")
    canonical = "https://steppewire.example/news/2024/06/border-talks"
    assert border.key == canonical
    assert border.link == canonical
    assert border.id == make_item_id("https://feeds.example/rss2.xml", canonical)


def test_links_lose_tracking_parameters_and_fragments() -> None:
    items, _ = parse("rss2.xml")
    csto = by_title(items, "Armenia freezes")
    assert csto.link == "https://steppewire.example/news/2024/06/armenia-csto-freeze?id=7731"


def test_duplicate_guids_keep_the_first_and_empty_entries_are_dropped() -> None:
    items, _ = parse("rss2.xml")
    assert len({i.id for i in items}) == len(items) == 6
    assert not any(i.title.endswith("(updated)") for i in items)


def test_entry_without_title_gets_one_from_its_text() -> None:
    items, _ = parse("rss2.xml")
    customs = by_title(items, "Kyrgyz customs")
    assert customs.text == customs.title
    assert customs.link is None


def test_ids_are_stable_across_parses() -> None:
    first, _ = parse("rss2.xml")
    second, _ = parse_feed(
        (DATA / "rss2.xml").read_bytes(),
        FeedConfig(url="https://feeds.example/rss2.xml", name="Renamed"),
        fetched=datetime(2025, 1, 1, tzinfo=UTC),
    )
    assert [i.id for i in first] == [i.id for i in second]


def test_atom_feed_uses_html_and_xhtml_content() -> None:
    items, problem = parse("atom.xml", name="")
    assert problem is None
    assert [i.publisher for i in items] == ["Borderlands Monitor"] * 3  # feed title as fallback
    unga = items[0]
    assert unga.title == 'UN General Assembly: no recognition of "LPR" and "DPR" annexation'
    assert unga.key == "tag:borderlands.example,2024:entry-1041"
    assert unga.text.endswith("The vote was 93 to 13.")
    assert "“people’s republics”" in unga.text
    assert unga.published == datetime(2024, 6, 20, 13, 30, tzinfo=UTC)
    assert unga.language == "en"
    tbilisi = items[1]
    assert tbilisi.text == (
        "Thousands marched along Rustaveli Avenue for the sixth week.\n"
        "Police used water cannon & tear gas."
    )
    # Only <updated>: still a feed date.
    assert (tbilisi.published, tbilisi.published_origin) == (
        datetime(2024, 6, 19, 21, 5, tzinfo=UTC),
        "feed",
    )
    # type="text" summary: the escaped <sic> is literal text, not markup.
    assert "breakaway regions <sic> as independent" in items[2].text


def test_rss1_rdf_feed() -> None:
    items, problem = parse("rdf.xml", name="Sanctions Notices")
    assert problem is None
    assert [i.title for i in items] == [
        "Russia-related designations; Belarus-related designations",
        "Counter-terrorism designation update",
    ]
    assert items[0].key == "https://treasury-notices.example/notices/2024-0612"
    assert items[0].published == datetime(2024, 6, 12, 18, 0, tzinfo=UTC)


def test_russian_windows_1251_feed() -> None:
    items, problem = parse("ru.xml", name="Вестник")
    assert problem is None
    assert items[0].title == "Совет коллективной безопасности ОДКБ соберётся в Минске"
    assert (
        items[0].text
        == "Заседание Совета коллективной безопасности ОДКБ пройдёт в ноябре 2024 года."
    )
    assert {i.language for i in items} == {"ru"}
    assert items[1].link == "https://vestnik-evrazii.example/news/sankcii-banki"
    assert items[0].published == datetime(2024, 6, 18, 8, 0, tzinfo=UTC)


def test_configured_language_wins_over_the_feed() -> None:
    items, _ = parse("ru.xml", language="en")
    assert {i.language for i in items} == {"en"}


def test_malformed_feed_with_entries_is_used_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.sources.parse"):
        items, problem = parse("broken.xml", name="CCA Digest")
    assert [i.key for i in items] == ["cca-101", "cca-102"]
    assert items[0].text == "Commission chairs met in Gazakh—first demarcation since 1991."
    assert problem is not None and problem.startswith("malformed feed: ")
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1
    assert lines[0].startswith("feed malformed but usable feed=CCA Digest url=")


def test_html_page_is_not_a_feed() -> None:
    items, problem = parse("not-a-feed.html")
    assert items == []
    assert problem is not None and problem.startswith("not a feed: ")


@pytest.mark.parametrize("body", [b"", b"just some text", b"/etc/passwd", b"{}"])
def test_garbage_is_not_a_feed(body: bytes) -> None:
    items, problem = parse_feed(
        body, FeedConfig(url="https://x.example/f", name="X"), fetched=FETCHED
    )
    assert items == []
    assert problem is not None and problem.startswith("not a feed")


def test_valid_empty_feed_is_not_an_error() -> None:
    assert parse("empty.xml") == ([], None)


def test_feed_served_as_text_html_is_still_a_feed() -> None:
    feed = FeedConfig(url="https://x.example/rss2.xml", name="X")
    body = (DATA / "rss2.xml").read_bytes()
    items, problem = parse_feed(body, feed, fetched=FETCHED, content_type="text/html")
    assert problem is None
    assert len(items) == 6


def test_long_text_is_truncated_on_a_word_boundary() -> None:
    words = "sanctions " * 5000
    body = (
        "<rss version='2.0'><channel><title>T</title><item><guid>g1</guid><title>Long</title>"
        f"<description>{words}</description></item></channel></rss>"
    ).encode()
    items, _ = parse_feed(body, FeedConfig(url="https://x.example/f", name="X"), fetched=FETCHED)
    text = items[0].text
    assert len(text) <= MAX_TEXT_CHARS
    assert text.endswith("sanctions…")


def test_relative_links_resolve_against_the_feed_url() -> None:
    body = (
        b"<rss version='2.0'><channel><title>T</title><item><title>Rel</title>"
        b"<link>/news/1?utm_source=x</link></item></channel></rss>"
    )
    feed = FeedConfig(url="https://site.example/rss/all.xml", name="X")
    items, _ = parse_feed(body, feed, fetched=FETCHED)
    assert items[0].link == "https://site.example/news/1"
    assert items[0].key == "https://site.example/news/1"


def test_item_without_guid_or_link_is_identified_by_a_content_hash() -> None:
    body = (
        b"<rss version='2.0'><channel><title>T</title>"
        b"<item><title>CSTO drills</title><description>In Tajikistan.</description></item>"
        b"</channel></rss>"
    )
    feed = FeedConfig(url="https://x.example/f", name="X")
    first, _ = parse_feed(body, feed, fetched=FETCHED)
    again, _ = parse_feed(body, feed, fetched=datetime(2030, 1, 1, tzinfo=UTC))
    assert first[0].key.startswith("sha256:")
    assert first[0].id == again[0].id


def test_an_aggregators_entry_is_published_by_the_outlet_it_credits() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>News aggregator</title>
<item><title>EU envoys approve 14th package - Steppe Wire</title><link>https://agg.example/1</link>
<source url="https://steppewire.example">Steppe Wire</source>
<description>EU envoys approved the 14th package on Thursday.</description></item>
<item><title>Armenia skips CSTO summit</title><link>https://agg.example/2</link>
<description>Armenia will not attend.</description></item>
</channel></rss>"""
    feed = FeedConfig(url="https://agg.example/rss", name="Aggregator")
    items, problem = parse_feed(body, feed, fetched=FETCHED)
    assert problem is None
    credited, plain = items
    assert credited.publisher == "Steppe Wire" and credited.source_name == "Aggregator"
    assert plain.publisher == plain.source_name == "Aggregator"
