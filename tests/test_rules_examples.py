"""Every example in every bundled rule file is its own test case (ids like `csto:match:0`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.matching import Example, RuleSet, load_rules

RULES = load_rules(Path(__file__).resolve().parent.parent / "rules")
EXAMPLES = RULES.examples()


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return RULES


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_rule_example(rules: RuleSet, example: Example) -> None:
    failure = rules.check_example(example)
    assert failure is None, failure


def test_every_rule_file_has_several_examples_of_each_kind() -> None:
    for topic in RULES.topics:
        kinds = [e.kind for e in EXAMPLES if e.topic == topic.id]
        assert kinds.count("match") >= 4, topic.id
        assert kinds.count("no_match") >= 4, topic.id
