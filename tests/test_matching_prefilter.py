"""The atom prefilter only skips topics that cannot fire: results equal a full evaluation."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching import RuleSet, load_rules
from bot.matching.evaluate import evaluate_topic

REPO = Path(__file__).resolve().parent.parent


@cache
def _rules_and_items() -> tuple[RuleSet, list[tuple[str, str, str | None]]]:
    """The bundled rules, and the labelled items and rule examples as (title, text, lang)."""
    rules = load_rules(REPO / "rules")
    items = [
        (item["title"], item["text"], item.get("lang"))
        for item in (
            json.loads(line)
            for line in (REPO / "tests/data/eval/dev-legacy.jsonl").read_text("utf-8").splitlines()
            if line.strip()
        )
    ]
    items += [(e.title, e.text, e.language) for e in rules.examples()]
    return rules, items


@cache
def _topical_items() -> list[tuple[str, str, str | None]]:
    rules, items = _rules_and_items()
    return [item for item in items if rules.match(*item)]


def _assert_prefilter_agrees(rules: RuleSet, title: str, text: str, lang: str | None) -> None:
    """The prefiltered match names the topics a full evaluation of every topic fires."""
    fast = [m.topic for m in rules.match(title, text, lang)]
    doc = rules.document(title, text, lang)
    full = [
        c.topic.id
        for c in rules._compiled().topics  # the prefilter's correctness is the point here
        if any(r.fired for r in evaluate_topic(c, doc))
    ]
    assert fast == full, title


def test_prefiltered_match_equals_evaluating_every_topic() -> None:
    rules, items = _rules_and_items()
    for title, text, lang in items:
        _assert_prefilter_agrees(rules, title, text, lang)


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_prefilter_never_drops_a_topic_near_its_threshold(data) -> None:
    """Topical items with words dropped at random sit on both sides of their topics' thresholds
    (weights summing to exactly a threshold, one side of a `near` gone, half a phrase, an `all`
    entry lost): the prefiltered match still equals a full evaluation."""
    rules, _ = _rules_and_items()
    title, text, lang = data.draw(st.sampled_from(_topical_items()))
    title_words, text_words = title.split(), text.split()
    keep = data.draw(st.lists(st.booleans(), min_size=len(title_words) + len(text_words),
                              max_size=len(title_words) + len(text_words)))  # fmt: skip
    title = " ".join(w for w, k in zip(title_words, keep, strict=False) if k)
    text = " ".join(w for w, k in zip(text_words, keep[len(title_words) :], strict=False) if k)
    _assert_prefilter_agrees(rules, title, text, lang)


def test_forgotten_compiled_rules_are_freed_and_rebuilt_the_same() -> None:
    """`forget_compiled` lets the compiled patterns go (the bot's main process holds none
    between polls); the next match compiles them again and gives the same matches."""
    import gc
    import weakref

    _, items = _rules_and_items()
    rules = load_rules(REPO / "rules")  # its own copy: the cached one stays compiled
    before = [rules.match(*item) for item in items]
    compiled = weakref.ref(rules._compiled().lexicon)  # the patterns, compiled into one scan
    rules.forget_compiled()
    gc.collect()
    assert compiled() is None
    assert [t.id for t in rules.topics] == [t.id for t in _rules_and_items()[0].topics]
    assert compiled() is None  # the topics' descriptions do not compile them
    assert [rules.match(*item) for item in items] == before
    assert rules.run_examples() == []
