"""Bare ampersands, HTML entities and a feed's own declared entities are read as a browser
reads them (bot/sources/markup.py), through `parse_feed`, feedparser's strict parser included."""

from __future__ import annotations

from datetime import UTC, datetime

import feedparser
import pytest

from bot.sources.markup import fix_markup
from bot.sources.parse import FeedConfig, parse_feed

FETCHED = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def rss(title: str, link: str = "https://w.example/a?id=1", doctype: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{doctype}<rss version="2.0"><channel>'
        "<title>Wire</title><link>https://w.example/</link><description>d</description>"
        f"<item><title>{title}</title><link>{link}</link><guid>g1</guid>"
        "<pubDate>Wed, 02 Dec 2026 10:00:00 +0000</pubDate></item></channel></rss>"
    ).encode()


def read(body: bytes) -> tuple[str, str, str | None]:
    items, problem = parse_feed(
        body, FeedConfig(url="https://w.example/rss", name="w"), fetched=FETCHED
    )
    return items[0].title, items[0].link, problem


def test_a_bare_ampersand_stays_an_ampersand_in_titles_and_links() -> None:
    body = rss("Lithuania & Latvia tighten sanctions checks", "https://w.example/n?id=7781&lang=en")
    assert read(body) == (
        "Lithuania & Latvia tighten sanctions checks",
        "https://w.example/n?id=7781&lang=en",
        None,
    )


def test_html_entities_without_a_dtd_are_decoded() -> None:
    title, _, problem = read(
        rss("&laquo;CSTO&raquo; summit&nbsp;&mdash; Yerevan&rsquo;s seat empty")
    )
    assert title == "«CSTO» summit \u2014 Yerevan\u2019s seat empty" and problem is None


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE rss [<!ENTITY org "CSTO">]>\n',
        "<!DOCTYPE rss [<!ENTITY org 'CSTO'>]>\n",
        '<!DOCTYPE rss [\n  <!ENTITY nbsp "&#160;">\n  <!ENTITY org "CSTO">\n]>\n',
    ],
)
def test_entities_the_feed_declares_are_expanded_whatever_the_layout(doctype: str) -> None:
    assert read(rss("&org; drills&nbsp;approved", doctype=doctype))[0] == "CSTO drills approved"


def test_cdata_and_comments_are_left_as_written() -> None:
    body = rss("<![CDATA[Sanctions & <b>Belarus</b>]]><!-- a & b -->")
    assert read(body)[0] == "Sanctions & Belarus"
    assert b"<![CDATA[Sanctions & <b>Belarus</b>]]><!-- a & b -->" in fix_markup(body)


def test_after_the_repair_the_strict_parser_reads_the_feed() -> None:
    body = rss("EU &amp; UK: &eacute;lite & sanctions", "https://w.example/?a=1&b=2")
    assert feedparser.parse(body).bozo
    assert not feedparser.parse(fix_markup(body)).bozo


def test_a_well_formed_feed_is_returned_untouched() -> None:
    body = rss("EU &amp; UK sanctions &#8212; &lt;b&gt;")
    assert fix_markup(body) is body


def test_an_upper_case_hex_character_reference_is_read() -> None:
    title, _, problem = read(rss("&#X41;rmenia &#x26; CSTO"))
    assert title == "Armenia & CSTO" and problem is None
