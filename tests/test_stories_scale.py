"""Story assignment over a poll of 6,000 generated items, feeds arriving in a shuffled order.

Found by the memory benchmark at 300 feeds: a re-check moved a stored report into a story
created in that batch; the stored id the new story got was never given to that report in
the poll's index, so a later report joined a story key that was never stored and the whole
poll failed ("cannot attach item … to story 4611686018427388073: not stored").
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from benchmarks._common import make_corpus
from bot.matching import load_rules
from bot.sources.parse import FeedConfig, parse_feed
from bot.stories import StoryCache, assign_stories
from storage import items as item_store
from storage import stories as story_store
from storage.engine import session_scope
from tests.test_cli import REPO

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def test_a_large_poll_in_a_shuffled_feed_order_stores_every_story(engine) -> None:
    rules = load_rules(REPO / "rules")
    batches = [
        parse_feed(body, FeedConfig(url=f"http://bench.example{path}", name=path), fetched=NOW)[0]
        for path, body in make_corpus(300, 20, seed=3).items()
    ]
    random.Random(4).shuffle(batches)  # one of the orders that failed
    cache = StoryCache(started=NOW)
    assigned: dict[str, int] = {}
    for items in batches:
        with session_scope(engine) as session:
            fresh = item_store.add_new_items(session, items)
            storied = [i for i in fresh if rules.match(i.title, i.text, i.language)]
            assigned |= assign_stories(
                story_store.StoryRows(session), storied, now=NOW, cache=cache
            )
    with session_scope(engine) as session:
        stored = story_store.stories_of(session, list(assigned))
    assert len(assigned) > 500
    assert set(stored) == set(assigned)
