"""The atom prefilter only skips topics that cannot fire: results equal a full evaluation."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching import RuleSet, load_rules
from bot.matching.evaluate import evaluate_topic

REPO = Path(__file__).resolve().parent.parent


def test_prefiltered_match_equals_evaluating_every_topic() -> None:
    rules = load_rules(REPO / "rules")
    texts = [
        json.loads(line)
        for line in (REPO / "tests/data/labeled.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    texts += [{"title": e.title, "text": e.text, "lang": e.language} for e in rules.examples()]
    for item in texts:
        title, text, lang = item["title"], item["text"], item.get("lang")
        fast = [m.topic for m in rules.match(title, text, lang)]
        doc = rules.document(title, text, lang)
        full = [
            c.topic.id
            for c in rules._topics  # the prefilter's correctness is the point of this test
            if any(r.fired for r in evaluate_topic(c, doc))
        ]
        assert fast == full, title


@cache
def _rules_and_topical_texts() -> tuple[RuleSet, list[tuple[list[str], list[str], str | None]]]:
    """The bundled rules, and the labelled items and rule examples that fire a topic, as
    (title words, text words, language)."""
    rules = load_rules(REPO / "rules")
    items = [
        json.loads(line)
        for line in (REPO / "tests/data/labeled.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    items += [{"title": e.title, "text": e.text, "lang": e.language} for e in rules.examples()]
    words = re.compile(r"\S+")
    return rules, [
        (words.findall(i["title"]), words.findall(i["text"]), i.get("lang"))
        for i in items
        if rules.match(i["title"], i["text"], i.get("lang"))
    ]


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_prefilter_never_drops_a_topic_near_its_threshold(data) -> None:
    """Topical items with words dropped at random sit on both sides of their topics' thresholds
    (weights summing to exactly a threshold, one side of a `near` gone, half a phrase, an `all`
    entry lost): the prefiltered match still equals a full evaluation."""
    rules, texts = _rules_and_topical_texts()
    title_words, text_words, lang = data.draw(st.sampled_from(texts))
    keep = data.draw(st.lists(st.booleans(), min_size=len(title_words) + len(text_words),
                              max_size=len(title_words) + len(text_words)))  # fmt: skip
    title = " ".join(w for w, k in zip(title_words, keep, strict=False) if k)
    text = " ".join(w for w, k in zip(text_words, keep[len(title_words) :], strict=False) if k)
    fast = [m.topic for m in rules.match(title, text, lang)]
    doc = rules.document(title, text, lang)
    full = [c.topic.id for c in rules._topics if any(r.fired for r in evaluate_topic(c, doc))]
    assert fast == full
