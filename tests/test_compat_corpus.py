"""Real-world feed constructs, read through `geoalert scan --json` as a user runs it.

`tests/data/compat/` holds our own feeds, one construct each (mislabelled encodings, UTF-32,
harmless DTDs, named zones, Russian dates, xml:base, CDATA titles …), and `cases.yaml` the
truth for every item: the title a reader should see, the link, and the instant it was
published. The whole corpus is served from the loopback feed server with each case's own
Content-Type, one `geoalert scan --json` process reads it, and every item must come out
with exactly that title and link and a date within a minute of the truth.

`benchmarks/compat_feedparser.py` scores plain feedparser on the same bytes and headers, so
README can say where each reader is right.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.feed_server import FeedServer, serve_feeds
from tests.test_cli import geoalert

COMPAT = Path(__file__).resolve().parent / "data" / "compat"
CASES: list[dict[str, Any]] = yaml.safe_load((COMPAT / "cases.yaml").read_text(encoding="utf-8"))
DATE_SLACK_SECONDS = 60


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, list[dict]]]:
    """Every case's items as `geoalert scan --json` printed them, keyed by file name."""
    workdir = tmp_path_factory.mktemp("compat")
    with serve_feeds() as server:
        _route_cases(server)
        (workdir / "feeds.yaml").write_text(
            yaml.safe_dump(
                [{"url": server.url(f"/compat/{c['file']}"), "name": c["file"]} for c in CASES]
            )
        )
        result = geoalert(
            "scan",
            "--json",
            cwd=workdir,
            GEOALERT_ALLOW_PRIVATE_FEEDS="true",
            GEOALERT_PARSE_WORKERS="2",
        )
    assert result.returncode == 0, result.stderr
    by_feed: dict[str, list[dict]] = {c["file"]: [] for c in CASES}
    for line in result.stdout.splitlines():
        record = json.loads(line)
        if record["publisher"] in by_feed:
            by_feed[record["publisher"]].append(record)
    yield by_feed


def _route_cases(server: FeedServer) -> None:
    for case in CASES:
        server.route(
            f"/compat/{case['file']}",
            body=(COMPAT / "feeds" / case["file"]).read_bytes(),
            content_type=case["content_type"],
        )


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_every_item_keeps_its_title_link_and_date(case: dict[str, Any], scanned) -> None:
    got = {record["title"]: record for record in scanned[case["file"]]}
    expected = {item["title"]: item for item in case["items"]}
    assert sorted(got) == sorted(expected), case["construct"]
    for title, item in expected.items():
        assert got[title]["link"] == item["link"], (case["construct"], title)
        if item["published"] is not None:
            lag = abs(
                (_instant(got[title]["published"]) - _instant(item["published"])).total_seconds()
            )
            assert lag <= DATE_SLACK_SECONDS, (case["construct"], title, got[title]["published"])


def test_the_corpus_has_one_manifest_entry_per_feed_file() -> None:
    files = sorted(p.name for p in (COMPAT / "feeds").iterdir())
    assert files == sorted(c["file"] for c in CASES)
