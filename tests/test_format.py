"""Telegram message formatting: escaped HTML, within Telegram's limits, readable."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

from bot.models import Evidence, StoredMatch, Topic, TopicMatch
from bot.telegram.format import MAX_MESSAGE, alert_html, alert_plain, timeline_pages, utf16_len
from bot.timeline import build_timeline
from tests.factories import T0, item

ALLOWED_TAGS = {"b", "i", "a", "code"}


class TagChecker(HTMLParser):
    """Collects tags so a test can prove only Telegram's allowed, balanced tags are used."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.unknown: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.unknown.append(tag)
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag, f"unbalanced </{tag}>"


def stored(**fields: object) -> StoredMatch:
    evidence = Evidence(terms=("CSTO",), snippet="the CSTO said")
    return StoredMatch(item(**fields), (TopicMatch("csto", evidence),), T0)


def test_hostile_titles_and_text_are_escaped():
    m = stored(
        title='<script>alert(1)</script> & "CSTO" <b>',
        text="The CSTO <i>met</i> & agreed. Second sentence about the CSTO.",
        link='https://example.org/?a=1&b="x"',
    )
    html = alert_html(m, lang="en")
    checker = TagChecker()
    checker.feed(html)
    assert checker.unknown == [] and checker.stack == []
    assert "&lt;script&gt;" in html and "&amp;" in html
    assert "/source_" + m.item.id in html


def test_an_enormous_item_still_fits_one_message():
    m = stored(title="CSTO " * 2000, text=("The CSTO met again. " * 50_000), link="https://x.org/")
    for text in (alert_html(m, lang="ru"), alert_plain(m, lang="en")):
        assert utf16_len(text) <= MAX_MESSAGE


def test_timeline_pages_each_fit_and_keep_order():
    matches = [
        stored(key=f"k{n}", title=f"CSTO event {n:03d} " + "x" * 120,
               published=T0 + timedelta(days=n))
        for n in range(120)
    ]  # fmt: skip
    topic = Topic("csto", {"en": "CSTO"})
    pages = timeline_pages(topic, build_timeline(matches), lang="en")
    assert len(pages) > 1
    assert all(utf16_len(p) <= 3500 for p in pages)
    numbers = [int(n) for p in pages for n in re.findall(r"CSTO event (\d{3})", p)]
    assert numbers == list(range(120))
