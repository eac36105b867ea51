"""Small builders of domain records for tests (real records, no mocks)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.matching import RuleSet, load_rules
from bot.models import Evidence, Item, TopicMatch, make_item_id

T0 = datetime(2022, 6, 21, 12, 0, tzinfo=UTC)


def item(key: str = "a", *, source: str = "https://example.org/feed", **fields: object) -> Item:
    values: dict[str, object] = {
        "id": make_item_id(source, key),
        "source": source,
        "source_name": "Example",
        "key": key,
        "title": f"Title {key}",
        "text": f"Text of {key}.",
        "link": f"https://example.org/{key}",
        "publisher": "Example News",
        "language": "en",
        "published": T0,
        "published_origin": "feed",
        "fetched": T0,
        "source_ref": source,
    }
    values.update(fields)
    return Item(**values)  # type: ignore[arg-type]


def topic_match(topic: str, *terms: str) -> TopicMatch:
    return TopicMatch(topic, Evidence(terms=terms or (topic,), snippet=f"… {topic} …"))


def rules_with(directory: Path, topic: str, match: str) -> RuleSet:
    """A one-topic rule set written to `directory`: `match` is the YAML of its `match:` key."""
    (directory / f"{topic}.yaml").write_text(
        f"id: {topic}\nname: {topic.title()}\ndescription: d\nmatch:\n{match}", encoding="utf-8"
    )
    return load_rules(directory)


def stories_of(
    reports: Iterable[tuple[str, float, str, str]], start: datetime = T0
) -> set[frozenset[str]]:
    """The stories `group_batches` forms of (key, hours after `start`, headline, text) reports,
    each its own feed, in the order given: each story as the set of its reports' keys."""
    from bot.stories import group_batches

    feeds = [
        [item(key, source=f"https://{key}.example/rss", title=title, text=text,
              published=start + timedelta(hours=hours))]
        for key, hours, title, text in reports
    ]  # fmt: skip
    return {frozenset(i.key for i in story) for story in group_batches(feeds)}
