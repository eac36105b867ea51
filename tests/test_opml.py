"""OPML import/export and merging imported feeds into feeds.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import FeedError
from bot.models import FeedConfig
from bot.sources.feedlist import add_feeds, load_feeds
from bot.sources.opml import parse_opml, render_opml

BAD = Path(__file__).resolve().parent / "data" / "bad_feeds"

OPML = b"""<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="Central Asia">
      <outline text="Wires">
        <outline type="rss" text="Steppe Wire" xmlUrl="https://steppewire.example/rss"
                 language="en-US"/>
      </outline>
      <outline type="rss" title="\xd0\x92\xd0\xb5\xd1\x81\xd1\x82\xd0\xbd\xd0\xb8\xd0\xba"
               text="ignored when title is set" xmlUrl="https://vestnik.example/rss.xml"
               language="ru" category="state media"/>
    </outline>
    <outline type="rss" xmlUrl="https://untitled.example/feed"/>
    <outline type="rss" text="Duplicate" xmlUrl="https://steppewire.example/rss#again"/>
    <outline text="Empty folder"/>
  </body>
</opml>
"""


def test_nested_outlines_become_feeds_with_tags() -> None:
    feeds = parse_opml(OPML)
    assert feeds == [
        FeedConfig(
            url="https://steppewire.example/rss",
            name="Steppe Wire",
            language="en",
            tags=("Central Asia", "Wires"),
        ),
        FeedConfig(
            url="https://vestnik.example/rss.xml",
            name="Вестник",
            language="ru",
            tags=("Central Asia", "state media"),
        ),
        FeedConfig(url="https://untitled.example/feed", name="untitled.example"),
    ]


def test_render_then_parse_round_trips() -> None:
    feeds = parse_opml(OPML)
    rendered = render_opml(feeds)
    assert rendered.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert "Вестник".encode() in rendered
    assert parse_opml(rendered) == feeds


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "OPML: not well-formed XML"),
        (b"<opml><body><outline", "OPML: not well-formed XML"),
        (b"<rss version='2.0'><channel/></rss>", "OPML: not an OPML document (root <rss>"),
        (b"<opml version='2.0'><head/></opml>", "OPML: not an OPML document"),
        (
            b"<opml><body><outline text='x' xmlUrl='javascript:alert(1)'/></body></opml>",
            "OPML: outline 'x': invalid URL",
        ),
        (
            b"<opml><body><outline text='x' xmlUrl='https://u:p@a.example/'/></body></opml>",
            "OPML: outline 'x': refused https://a.example/: credentials",
        ),
        (
            b"<opml><body>" + b"<outline text='d'>" * 30 + b"</outline>" * 30 + b"</body></opml>",
            "OPML: outlines nested deeper than 20 levels",
        ),
    ],
)
def test_invalid_opml_is_a_feed_error_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(FeedError) as caught:
        parse_opml(data)
    assert str(caught.value).startswith(reason)


@pytest.mark.parametrize("name", ["billion-laughs.xml", "xxe-etc-hostname.xml"])
def test_hostile_opml_is_refused(name: str) -> None:
    body = (BAD / name).read_bytes().replace(b"<rss", b"<opml").replace(b"</rss>", b"</opml>")
    with pytest.raises(FeedError, match="OPML: refused: DTDForbidden"):
        parse_opml(body)


def test_billion_laughs_opml_with_feed_outlines_is_refused() -> None:
    laughs = (BAD / "billion-laughs.xml").read_text().split("<rss", 1)[0]
    body = laughs + "<opml><body><outline text='&lol9;' xmlUrl='https://a.example/'/></body></opml>"
    with pytest.raises(FeedError, match="refused"):
        parse_opml(body.encode())


def test_imported_feeds_are_appended_keeping_existing_entries(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    original = (
        "# my hand-written list\n"
        "- url: https://steppewire.example/rss  # the wire\n"
        "  name: Steppe (mine)\n"
        "  interval: 300\n"
    )
    path.write_text(original)
    added = add_feeds(path, parse_opml(OPML))
    assert [f.url for f in added] == [
        "https://vestnik.example/rss.xml",
        "https://untitled.example/feed",
    ]
    text = path.read_text()
    assert text.startswith(original)  # comments and the existing entry untouched
    feeds = load_feeds(path)
    assert [f.name for f in feeds] == ["Steppe (mine)", "Вестник", "untitled.example"]
    assert feeds[0].interval == 300
    assert feeds[1].tags == ("Central Asia", "state media") and feeds[1].language == "ru"
    assert add_feeds(path, parse_opml(OPML)) == []  # importing again adds nothing
    assert path.read_text() == text


def test_importing_into_a_missing_or_flow_style_file(tmp_path: Path) -> None:
    missing = tmp_path / "new" / "feeds.yaml"
    assert len(add_feeds(missing, parse_opml(OPML))) == 3
    assert len(load_feeds(missing)) == 3
    flow = tmp_path / "flow.yaml"
    flow.write_text("[]\n")
    assert len(add_feeds(flow, parse_opml(OPML))) == 3
    assert load_feeds(flow)[0].url == "https://steppewire.example/rss"


def test_feeds_file_urls_with_credentials_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("- url: https://user:pw@a.example/rss\n  name: A\n")
    with pytest.raises(FeedError, match="must not contain credentials"):
        load_feeds(path)
