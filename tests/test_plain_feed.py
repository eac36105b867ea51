"""The fast reader for plain feeds gives exactly the items feedparser gives.

feedparser is the oracle: every document is parsed twice, once as shipped (the fast reader
where it accepts the document) and once with `plain=False` (feedparser always), and the items
and problems must be equal. The documents are every feed file the tests have (hostile feeds,
real-world constructs, encodings) and constructs written here for the corners of feedparser's
behaviour the fast reader reproduces.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.models import FeedConfig
from bot.sources.charset import repair_encoding
from bot.sources.markup import fix_markup
from bot.sources.parse import parse_feed
from bot.sources.plainfeed import read_plain_feed

DATA = Path(__file__).parent / "data"
FETCHED = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
FEED = FeedConfig(url="https://news.example.org/feeds/world.xml", name="Example")
CONTENT_TYPES = [
    None,
    "application/rss+xml",
    "text/xml",
    "application/xml; charset=UTF-8",
    "text/html",
]
FILES = sorted(
    p for p in DATA.rglob("*") if p.suffix in {".xml", ".html"} and p.is_file()
)  # fmt: skip


def accepted(body: bytes, content_type: str | None) -> bool:
    """Whether the fast reader takes the document (after the same repairs parse_feed does)."""
    repaired, content_type, _ = repair_encoding(body, content_type)
    return read_plain_feed(fix_markup(repaired), content_type) is not None


def both(body: bytes, content_type: str | None = None) -> tuple[object, object]:
    fast = parse_feed(body, FEED, fetched=FETCHED, content_type=content_type)
    oracle = parse_feed(body, FEED, fetched=FETCHED, content_type=content_type, plain=False)
    return fast, oracle


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(DATA)))
def test_every_test_feed_gives_feedparsers_items(path: Path) -> None:
    body = path.read_bytes()
    for content_type in CONTENT_TYPES:
        fast, oracle = both(body, content_type)
        assert fast == oracle, content_type


def test_the_fast_reader_takes_the_common_feeds() -> None:
    """Otherwise the comparison above would hold trivially."""
    common = ["feeds/rss2.xml", "compat/feeds/enc-utf8-bom.xml"]  # atom.xml: XHTML inside
    for name in common:
        for content_type in CONTENT_TYPES:
            assert accepted((DATA / name).read_bytes(), content_type), (name, content_type)
    taken = sum(accepted(p.read_bytes(), None) for p in FILES)
    assert taken >= len(FILES) // 3


def rss(items: str, *, prolog: str = '<?xml version="1.0" encoding="utf-8"?>',
        channel: str = "<title>Example news</title><language>en-gb</language>",
        root: str = 'version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
                    'xmlns:media="http://search.yahoo.com/mrss/"') -> bytes:  # fmt: skip
    return f"{prolog}<rss {root}><channel>{channel}{items}</channel></rss>".encode()


def atom(entries: str, *, feed: str = "<title>Example</title>", lang: str = "") -> bytes:
    attrs = f' xml:lang="{lang}"' if lang else ""
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"'
            f"{attrs}>{feed}{entries}</feed>").encode()  # fmt: skip


DATE = "<pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate>"
CORNERS = {
    "aggregator credits": rss(
        f"<item><title>EU adopts package - Steppe Wire</title>{DATE}"
        '<source url="https://steppewire.example/?a=1&amp;b=2"> Steppe &amp; Wire </source></item>'
        f"<item><title>Armenia skips summit</title>{DATE}<source>Caspian Post</source></item>"
    ),
    "guid is the link": rss(
        f"<item><title>EU sanctions</title>{DATE}<guid>https://news.example.org/a/1</guid></item>"
    ),
    "guid not a permalink": rss(
        f'<item><title>EU sanctions</title>{DATE}<guid isPermaLink="false">abc-1</guid></item>'
    ),
    "relative guid and link": rss(
        f"<item><title>CSTO drills</title>{DATE}"
        "<link>/world/csto-drills?id=1&amp;lang=en</link>"
        "<guid>/world/csto-drills</guid></item>"
    ),
    "link after guid": rss(
        f"<item><title>CSTO</title><guid>https://x.example/g</guid>"
        f"<link>https://x.example/l</link>{DATE}</item>"
    ),
    "empty link": rss(
        f"<item><title>Crimea</title><link></link>{DATE}<guid>https://x.example/g</guid></item>"
    ),
    "html-looking title": rss(
        f"<item><title>Pashinyan &lt;b&gt;skips&lt;/b&gt; summit</title>{DATE}</item>"
    ),
    "title with entity text": rss(
        f"<item><title>AT&amp;T &amp;amp; sanctions</title>{DATE}</item>"
    ),
    "content before description": rss(
        f"<item><title>Price cap</title>{DATE}<content:encoded>&lt;p&gt;Long body of the "
        "report about the price cap.&lt;/p&gt;</content:encoded><description>Short"
        "</description></item>"
    ),
    "description only, CDATA": rss(
        f"<item><title>Kherson</title>{DATE}<description><![CDATA[<p>Non-recognition of the "
        "<b>vote</b> in Kherson.</p>]]></description></item>"
    ),
    "no title": rss(f"<item><description>Only a lead about Abkhazia.</description>{DATE}</item>"),
    "dc:date instead of pubDate": rss(
        "<item><title>Transnistria</title><dc:date>2026-12-01T10:00:00+03:00</dc:date></item>"
    ),
    "odd date": rss(
        "<item><title>South Ossetia</title><pubDate>1 Dec 2026 10:00 MSK</pubDate></item>"
    ),
    "double-encoded utf-8": rss(f"<item><title>&#226;&#128;&#166; Lavrov</title>{DATE}</item>"),
    "C1 characters": rss(
        f"<item><title>Sanctions&#150;evasion &#147;probe&#148;</title>{DATE}</item>"
    ),
    "Cyrillic": rss(
        f"<item><title>ЕС утвердил 12-й пакет санкций</title>{DATE}"
        "<description>Совет ЕС утвердил пакет.</description></item>"
    ),
    "media and categories": rss(
        f"<item><title>OFAC listing</title>{DATE}<category>Sanctions</category>"
        '<media:content url="https://x.example/i.jpg" medium="image"/>'
        '<enclosure url="https://x.example/a.mp3" type="audio/mpeg" length="1"/>'
        "<dc:creator>Staff</dc:creator></item>"
    ),
    "source element": rss(
        f'<item><title>Summit</title>{DATE}<source url="https://y.example/'
        'rss">Other outlet</source></item>'
    ),
    "root language": rss(
        f"<item><title>CSTO</title>{DATE}</item>",
        channel="<title>T</title>",
        root='version="2.0" xml:lang="ru-RU"',
    ),
    "no version": rss(f"<item><title>CSTO</title>{DATE}</item>", root=""),
    "no prolog": rss(f"<item><title>CSTO</title>{DATE}</item>", prolog=""),
    "atom links": atom(
        "<entry><title>DPR and LPR</title><id>tag:x.example,2026:1</id>"
        '<link rel="self" href="https://x.example/self"/>'
        '<link rel="alternate" type="application/pdf" href="https://x.example/a.pdf"/>'
        '<link href="/a/1"/><updated>2026-12-01T10:00:00Z</updated>'
        '<summary type="html">&lt;p&gt;Recognition &lt;i&gt;denied&lt;/i&gt;&lt;/p&gt;</summary>'
        "</entry>"
    ),
    "atom id as link": atom(
        '<entry><title type="html">Crimea &amp;amp; Sevastopol</title>'
        "<id>https://x.example/id/2</id><published>2026-12-01T10:00:00Z"
        "</published><content>Plain content, no markup.</content></entry>",
        lang="en",
    ),
    "atom urn id": atom(
        "<entry><title>Sanctions</title><id>urn:uuid:1234</id>"
        "<author><name>Desk</name><email>d@x.example</email></author>"
        "<updated>2026-12-01T10:00:00+01:00</updated></entry>"
    ),
}


@pytest.mark.parametrize("name", list(CORNERS))
def test_corners_of_feedparsers_behaviour_are_reproduced(name: str) -> None:
    body = CORNERS[name]
    assert accepted(body, None), "the fast reader should take this document"
    for content_type in CONTENT_TYPES:
        fast, oracle = both(body, content_type)
        assert fast == oracle, content_type
        assert fast[0], "items expected"


DECLINED = {
    "doctype": rss(
        f"<item><title>A</title>{DATE}</item>",
        prolog='<?xml version="1.0"?><!DOCTYPE rss SYSTEM "x.dtd">',
    ),
    "windows-1251": rss(
        f"<item><title>A</title>{DATE}</item>",
        prolog='<?xml version="1.0" encoding="windows-1251"?>',
    ),
    "xml:base": atom('<entry xml:base="https://x.example/"><title>A</title><id>i</id></entry>'),
    "xhtml content": atom(
        '<entry><title>A</title><id>i</id><content type="xhtml"><div '
        'xmlns="http://www.w3.org/1999/xhtml">x</div></content></entry>'
    ),
    "unknown item element": rss(f"<item><title>A</title>{DATE}<summary>s</summary></item>"),
    "two titles": rss(f"<item><title>A</title><title>B</title>{DATE}</item>"),
    "media title inside": rss(
        f"<item><title>A</title>{DATE}<media:content url='u'>"
        "<media:title>B</media:title></media:content></item>"
    ),
    "markup inside title": rss(f"<item><title>A <b>bold</b></title>{DATE}</item>"),
    "base64": atom(
        '<entry><title>A</title><id>i</id><content type="image/png">AAAA</content></entry>'
    ),
    "RSS 1.0": b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    b'xmlns="http://purl.org/rss/1.0/"><item rdf:about="u"><title>A</title>'
    b"</item></rdf:RDF>",
    "not well-formed": rss(f"<item><title>A</title>{DATE}<item>"),
}


@pytest.mark.parametrize("name", list(DECLINED))
def test_what_the_fast_reader_does_not_reproduce_goes_to_feedparser(name: str) -> None:
    body = DECLINED[name]
    assert not accepted(body, None)
    fast, oracle = both(body)
    assert fast == oracle


def test_a_charset_other_than_utf8_in_the_header_goes_to_feedparser() -> None:
    body = CORNERS["guid is the link"]  # ASCII: no repair makes the header say UTF-8
    assert accepted(body, "application/rss+xml; charset=UTF-8")
    assert not accepted(body, "application/rss+xml; charset=koi8-r")
    fast, oracle = both(body, "application/rss+xml; charset=koi8-r")
    assert fast == oracle
