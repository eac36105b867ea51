"""Feed decoding in the order a careful reader uses (issue #16): byte-order mark, valid
multi-byte UTF-8, the HTTP charset if the bytes fit it, the XML prolog if they fit it, then a
guess that tells Cyrillic from accented Latin. Through `repair_encoding` and `geoalert scan`."""

from __future__ import annotations

import codecs
import json

import pytest

from bot.sources.charset import repair_encoding
from tests.test_cli import geoalert

LATIN = "Café à Zürich: €2 bn deal for Łódź"
RUSSIAN = "Минфин России ввёл новые санкции против банков"
# A headline and a short description: one Polish headline alone is read as windows-1252
# (benchmarks/charset_guess.py: 11 of 18 one-item Central European feeds read right).
POLISH = (
    "Sankcje wobec Rosji: Sejm popiera zaostrzenie, mówi źródło. Posłowie zagłosowali za "
    "rezolucją wzywającą Komisję Europejską do szybszego przyjęcia kolejnego pakietu. "
    "Ministerstwo Spraw Zagranicznych poinformowało, że Polska będzie też zabiegać o "
    "ściślejszą kontrolę eksportu."
)


def feed(title: str, prolog: str = "") -> str:
    head = f'<?xml version="1.0"{prolog}?>'
    return (
        f'{head}<rss version="2.0"><channel><title>Wire</title><link>https://w.example/</link>'
        f"<description>d</description><item><title>{title}</title>"
        "<link>https://w.example/1</link><guid>1</guid>"
        "<pubDate>Wed, 02 Dec 2026 10:00:00 +0000</pubDate></item></channel></rss>"
    )


def decoded(body: bytes, content_type: str | None) -> tuple[str, str | None]:
    repaired, _, note = repair_encoding(body, content_type)
    return repaired.decode("utf-8"), note


@pytest.mark.parametrize("content_type", [None, "application/rss+xml; charset=utf-8"])
def test_accented_latin_is_not_read_as_cyrillic(content_type) -> None:
    text, note = decoded(feed(LATIN.replace("Łódź", "Lodz")).encode("cp1252"), content_type)
    assert "Café à Zürich: €2 bn" in text and note and "windows-1252" in note


@pytest.mark.parametrize("content_type", [None, "application/rss+xml; charset=utf-8"])
def test_undeclared_or_misdeclared_windows_1251_still_reads_as_russian(content_type) -> None:
    text, note = decoded(feed(RUSSIAN).encode("cp1251"), content_type)
    assert RUSSIAN in text and note and "windows-1251" in note


@pytest.mark.parametrize(
    ("encoding", "title", "label"),
    [
        ("koi8-r", RUSSIAN, "koi8-r"),
        ("iso8859-5", RUSSIAN, "iso8859-5"),
        ("cp1250", POLISH, "windows-1250"),
    ],
)
@pytest.mark.parametrize("content_type", [None, "application/rss+xml; charset=utf-8"])
def test_other_undeclared_legacy_encodings_are_guessed(
    encoding, title, label, content_type
) -> None:
    text, note = decoded(feed(title).encode(encoding), content_type)
    assert title in text and note and label in note


@pytest.mark.parametrize("encoding", ["koi8-r", "gb2312"])
def test_a_correct_prolog_beats_a_wrong_http_charset(encoding) -> None:
    title = RUSSIAN if encoding == "koi8-r" else "俄罗斯制裁"
    body = feed(title, f' encoding="{encoding}"').encode(encoding)
    text, note = decoded(body, "application/rss+xml; charset=utf-8")
    assert title in text and 'encoding="utf-8"' in text and encoding in (note or "")


def test_utf32_with_a_byte_order_mark_is_read() -> None:
    body = codecs.BOM_UTF32_BE + feed(RUSSIAN).encode("utf-32-be")
    text, note = decoded(body, None)
    assert RUSSIAN in text and note == "byte-order mark, decoded as utf-32-be"


def test_todays_repairs_and_correct_declarations_are_kept() -> None:
    utf8 = feed(RUSSIAN).encode("utf-8")
    assert decoded(utf8, "text/xml; charset=windows-1251")[0].count(RUSSIAN) == 1
    one_bad_byte = utf8.replace("банков".encode(), "банков".encode() + b"\xff")
    assert RUSSIAN in decoded(one_bad_byte, None)[0]
    declared = feed(RUSSIAN).encode("cp1251")
    assert repair_encoding(declared, "text/xml; charset=windows-1251") == (
        declared,
        "text/xml; charset=windows-1251",
        None,
    )  # feedparser reads it right: untouched


def test_scan_reads_latin_and_misdeclared_feeds_like_their_authors_wrote_them(
    tmp_path, feed_server
) -> None:
    feed_server.route("/latin.xml", body=feed(LATIN.replace("Łódź", "Lodz"), "").encode("cp1252"),
                      content_type="application/rss+xml")  # fmt: skip
    feed_server.route("/koi8.xml", body=feed(RUSSIAN, ' encoding="koi8-r"').encode("koi8-r"),
                      content_type="application/rss+xml; charset=utf-8")  # fmt: skip
    (tmp_path / "feeds.yaml").write_text(
        f"- url: {feed_server.url('/latin.xml')}\n  name: Latin\n"
        f"- url: {feed_server.url('/koi8.xml')}\n  name: Koi8\n"
    )
    scan = geoalert("scan", "--json", cwd=tmp_path, GEOALERT_ALLOW_PRIVATE_FEEDS="true",
                    GEOALERT_SEEDS_DIR=str(tmp_path / "no-seeds"))  # fmt: skip
    assert scan.returncode == 0, scan.stderr
    status = geoalert("search", "Zürich", cwd=tmp_path)
    assert "Café à Zürich" in status.stdout, status.stdout + status.stderr
    found = geoalert("search", "санкции", cwd=tmp_path)
    assert RUSSIAN in found.stdout, found.stdout + found.stderr
    assert all(json.loads(line) for line in scan.stdout.splitlines())
