"""geoalert's feed reading against plain feedparser on our compatibility corpus.

    python benchmarks/compat_feedparser.py [--verbose]

tests/data/compat/ holds 44 feeds, one real-world construct each, and cases.yaml the truth
(title a reader should see, link, publication instant). Both readers get the same bytes and
the same Content-Type header:
- geoalert: `bot.sources.parse.parse_feed` — what `geoalert scan` runs on every response
  (tests/test_compat_corpus.py runs the `geoalert scan` process itself);
- feedparser: `feedparser.parse(body, response_headers=…)`, defaults, its title with tags
  stripped, entities decoded and spaces collapsed (what any bot would display), `link`, and
  `published_parsed` or else `updated_parsed`.

An item is right when its title and link are exact and its date is within a minute (items
the truth leaves undated are judged on title and link). Prints per-field counts and, with
--verbose, every disagreement.
"""

from __future__ import annotations

import argparse
import calendar
import html
import logging
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.sources.parse import FeedConfig, parse_feed  # noqa: E402

COMPAT = REPO / "tests" / "data" / "compat"
FETCHED = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
_TAG = re.compile(r"<[^>]+>")


def _plain(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", text)).split())


def geoalert(body: bytes, content_type: str | None) -> list[tuple[str, str, datetime | None]]:
    items, _ = parse_feed(
        body,
        FeedConfig(url="https://compat.example/feed", name="c"),
        fetched=FETCHED,
        content_type=content_type,
    )
    return [(i.title, i.link, i.published) for i in items]


def plain_feedparser(
    body: bytes, content_type: str | None
) -> list[tuple[str, str, datetime | None]]:
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(body, response_headers=headers)
    out = []
    for entry in parsed.entries:
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        instant = datetime.fromtimestamp(calendar.timegm(when), UTC) if when else None
        out.append((_plain(entry.get("title", "")), entry.get("link", ""), instant))
    return out


def score(reader: Any, cases: list[dict[str, Any]], verbose: bool) -> dict[str, int]:
    counts = {"items": 0, "title": 0, "link": 0, "date": 0, "all": 0, "feeds whole": 0}
    for case in cases:
        body = (COMPAT / "feeds" / case["file"]).read_bytes()
        got = reader(body, case["content_type"])
        whole = True
        for n, item in enumerate(case["items"]):
            counts["items"] += 1
            title, link, date = got[n] if n < len(got) else ("", "", None)
            want = item["published"]
            ok = {
                "title": title == item["title"],
                "link": link == item["link"],
                "date": want is None
                or (
                    date is not None
                    and abs(
                        (date - datetime.fromisoformat(want.replace("Z", "+00:00"))).total_seconds()
                    )
                    <= 60
                ),
            }
            for field, right in ok.items():
                counts[field] += right
            counts["all"] += all(ok.values())
            whole &= all(ok.values())
            if verbose and not all(ok.values()):
                wrong = [f for f, r in ok.items() if not r]
                print(f"  {reader.__name__}: {case['file']}: {wrong}: {(title, link, date)}")
        counts["feeds whole"] += whole and len(got) == len(case["items"])
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # repaired encodings are logged per feed; not wanted here
    cases = yaml.safe_load((COMPAT / "cases.yaml").read_text(encoding="utf-8"))
    rows = {
        reader.__name__: score(reader, cases, args.verbose)
        for reader in (geoalert, plain_feedparser)
    }
    fields = list(next(iter(rows.values())))
    print(f"{len(cases)} feeds, {rows['geoalert']['items']} items")
    print(f"{'reader':<18}" + "".join(f"{f:>13}" for f in fields[1:]))
    for name, counts in rows.items():
        print(f"{name:<18}" + "".join(f"{counts[f]:>13}" for f in fields[1:]))


if __name__ == "__main__":
    main()
