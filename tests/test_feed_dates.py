"""A feed's own date field, read as its author wrote it (issue #16): named zones, Russian and
numeric European dates. Through `feed_date` and `geoalert scan --json` over loopback."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.sources.feeddates import feed_date
from tests.test_cli import geoalert


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ср, 02 дек 2026 10:00:00 +0300", datetime(2026, 12, 2, 7, 0, tzinfo=UTC)),
        ("2 декабря 2026 г.", datetime(2026, 12, 2, tzinfo=UTC)),
        ("2 декабря 2026 г., 14:30 MSK", datetime(2026, 12, 2, 11, 30, tzinfo=UTC)),
        ("02.12.2026 10:00:00", datetime(2026, 12, 2, 10, 0, tzinfo=UTC)),
        ("Wed, 02 Dec 2026 10:00:00 MSK", datetime(2026, 12, 2, 7, 0, tzinfo=UTC)),
        ("Wed, 02 Dec 2026 10:00:00 CET", datetime(2026, 12, 2, 9, 0, tzinfo=UTC)),
        ("Wed, 02 Dec 2026 10:00:00 EET", datetime(2026, 12, 2, 8, 0, tzinfo=UTC)),
    ],
)
def test_feed_dates_in_the_forms_of_the_region(raw: str, expected: datetime) -> None:
    assert feed_date(raw) == expected


@pytest.mark.parametrize(
    "raw", ["garbage", "31.02.2026", "2 бреднября 2026", "Wed, 02 Dec 2026 10:00 XYZ"]
)
def test_what_is_not_a_date_stays_unread(raw: str) -> None:
    assert feed_date(raw) is None


def test_scan_takes_the_feed_date_over_the_fetch_time_and_the_zone_it_names(
    tmp_path, feed_server
) -> None:
    items = [
        ("msk", "Wed, 02 Dec 2026 10:00:00 MSK", "2026-12-02T07:00:00+00:00"),
        ("ru", "Ср, 02 дек 2026 10:00:00 +0300", "2026-12-02T07:00:00+00:00"),
        ("num", "01.12.2026 09:30:00", "2026-12-01T09:30:00+00:00"),
    ]
    body = "".join(
        f"<item><title>ОДКБ: учения {guid}</title><link>https://w.example/{guid}</link>"
        f"<guid>{guid}</guid><description>Учения ОДКБ начались в Таджикистане.</description>"
        f"<pubDate>{date}</pubDate></item>"
        for guid, date, _ in items
    )
    feed_server.route(
        "/dates.xml",
        body=(f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>W'
              f"</title><link>https://w.example/</link><description>d</description>{body}"
              "</channel></rss>").encode(),
    )  # fmt: skip
    (tmp_path / "feeds.yaml").write_text(f"- url: {feed_server.url('/dates.xml')}\n  name: W\n")
    scan = geoalert("scan", "--json", cwd=tmp_path, GEOALERT_ALLOW_PRIVATE_FEEDS="true",
                    GEOALERT_SEEDS_DIR=str(tmp_path / "none"))  # fmt: skip
    assert scan.returncode == 0, scan.stderr
    published = {json.loads(line)["link"].rsplit("/", 1)[1]: json.loads(line)["published"]
                 for line in scan.stdout.splitlines()}  # fmt: skip
    assert published == {guid: expected for guid, _, expected in items}
