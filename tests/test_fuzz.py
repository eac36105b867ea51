"""Property-based fuzzing of the hostile-input edges: feed parsing and rule loading.

Bounded (`max_examples`) and without deadlines, so the suite stays fast and deterministic
enough for CI; a failure prints the minimal example hypothesis found.
"""

from __future__ import annotations

import contextlib
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import FeedError, RuleError
from bot.matching import load_rules
from bot.models import FeedConfig, Item
from bot.sources.charset import repair_encoding
from bot.sources.opml import parse_opml
from bot.sources.parse import MAX_TEXT_CHARS, MAX_TITLE_CHARS, parse_feed
from bot.sources.xmlguard import entity_problem

FETCHED = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)
FEED = FeedConfig(url="https://fuzz.example/rss", name="Fuzz")
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that XML 1.0 can carry (no C0 controls other than tab/newline/CR, no surrogates).
xml_text = st.text(
    st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="".join(chr(c) for c in range(32) if c not in (9, 10, 13))
        + "\ufffe\uffff",
    ),
    max_size=300,
)
pub_dates = st.one_of(
    st.none(),
    st.datetimes(
        min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(UTC)
    ).map(lambda d: d.strftime("%a, %d %b %Y %H:%M:%S GMT")),
    xml_text,
)


def check_items(items: list[Item]) -> None:
    """The invariants every item must satisfy, whatever the input."""
    for item in items:
        assert item.id and len(item.id) == 12
        assert item.key
        assert item.title and len(item.title) <= MAX_TITLE_CHARS
        assert len(item.text) <= MAX_TEXT_CHARS
        for when in (item.published, item.fetched):
            assert when.tzinfo is not None and when.utcoffset() == timedelta(0)
        assert datetime(1995, 1, 1, tzinfo=UTC) <= item.published <= FETCHED + timedelta(days=1)
        assert item.published_origin in {"feed", "fetched"}
        assert item.link is None or item.link.startswith(("http://", "https://"))
    assert len({i.id for i in items}) == len(items)


@FUZZ
@given(st.binary(max_size=4000))
def test_parse_feed_never_raises_on_arbitrary_bytes(body: bytes) -> None:
    items, problem = parse_feed(body, FEED, fetched=FETCHED)
    check_items(items)
    assert problem is None or "\n" not in problem


@FUZZ
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "title": st.one_of(st.none(), xml_text),
                "description": st.one_of(st.none(), xml_text),
                "guid": st.one_of(st.none(), xml_text),
                "link": st.one_of(st.none(), xml_text),
                "pubDate": pub_dates,
            }
        ),
        max_size=8,
    ),
    st.sampled_from([None, "text/xml", "application/rss+xml; charset=utf-8", "text/html"]),
)
def test_generated_rss_gives_well_formed_items(
    entries: list[dict], content_type: str | None
) -> None:
    items_xml = "".join(
        "<item>"
        + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in entry.items() if v is not None)
        + "</item>"
        for entry in entries
    )
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F</title>'
        f"{items_xml}</channel></rss>"
    )
    items, _ = parse_feed(body.encode(), FEED, fetched=FETCHED, content_type=content_type)
    check_items(items)
    assert len(items) <= len(entries)


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from([None, "text/xml; charset=windows-1251"]))
def test_encoding_repair_never_raises(body: bytes, content_type: str | None) -> None:
    repaired, _, note = repair_encoding(body, content_type)
    if note is not None:
        repaired.decode("utf-8")  # a repaired document is valid UTF-8


@FUZZ
@given(st.binary(max_size=2000))
def test_entity_guard_and_opml_never_raise_unexpectedly(body: bytes) -> None:
    entity_problem(body)
    with contextlib.suppress(FeedError):
        parse_opml(body)


yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), xml_text),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "name",
                    "match",
                    "any",
                    "all",
                    "not",
                    "near",
                    "term",
                    "lang",
                    "label",
                    "examples",
                    "en",
                    "ru",
                    "description",
                    "threshold",
                ]
            )
            | xml_text,
            inner,
            max_size=4,
        ),
    ),
    max_leaves=20,
)


def load_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "fuzz.yaml").write_text(text, encoding="utf-8")
        with contextlib.suppress(RuleError):
            load_rules(Path(tmp))


@FUZZ
@given(st.text(max_size=500))
def test_rule_loader_raises_only_rule_errors_on_arbitrary_text(text: str) -> None:
    load_text(text)


@FUZZ
@given(yaml_values)
def test_rule_loader_raises_only_rule_errors_on_rule_shaped_yaml(value: object) -> None:
    load_text(yaml.safe_dump(value, allow_unicode=True))
