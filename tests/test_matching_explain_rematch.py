"""`explain_text` (the `rules explain` report) and `rematch_diff` (`rules apply --dry-run`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.matching import RematchChange, RuleSet, explain_text, load_rules, rematch_diff
from tests.factories import rules_with

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules(REPO / "rules")


def test_explain_text_reports_language_verdicts_and_every_clause(rules: RuleSet) -> None:
    report = explain_text(rules, "Казахстан не признаёт ЛНР и ДНР.")
    lines = report.splitlines()
    assert lines[0] == "language: ru (detected from Cyrillic vs Latin letters)"
    assert lines[1] == "matched: non_recognition"
    assert lines[3].startswith("non_recognition (") and lines[3].endswith("): MATCH")
    assert "✓ recognise ~6 entity +2: “признаёт … ЛНР”" in report
    assert "sanctions (" in report and "no match" in report
    assert "✗ @name +1" in report


def test_explain_text_with_a_given_language_and_title(rules: RuleSet) -> None:
    report = explain_text(rules, "Leaders met.", title="CSTO summit", language="en-GB")
    assert report.splitlines()[:2] == ["language: en (given)", "matched: csto"]
    assert "✓ @name +1: “CSTO”" in report


def test_explain_text_without_a_match(rules: RuleSet) -> None:
    assert explain_text(rules, "Nothing here.").splitlines()[1] == "matched: no topic"


def test_a_near_term_that_missed_says_how_far_apart_its_sides_were(tmp_path: Path) -> None:
    rules = rules_with(
        tmp_path, "pair", "  any: [{near: [recognise, LPR], within: 2, label: recognise ~2 LPR}]\n"
    )

    far = explain_text(rules, "They will not, the minister said, recognise the so-called LPR.")
    one_side = explain_text(rules, "They recognise nothing.")
    split = explain_text(rules, "They recognise it. The LPR is not.")

    assert "not fired: 'any' score 0 < threshold 1 (short by 1)" in far
    assert "has 3 words between, 2 allowed (short by 1)" in far
    assert "right side not found; the other side found “recognise”" in one_side
    assert "only in different sentences" in split


def test_rematch_diff_lists_only_changes(rules: RuleSet) -> None:
    items = [
        ("a", "", "Armenia froze its CSTO membership.", "en"),
        ("b", "", "The weather was fine.", None),
        ("c", "CSTO summit", "", None),
        ("d", "", "Kazakhstan will not recognize the LPR.", "en"),
    ]
    stored = {"a": {"csto"}, "b": {"sanctions"}, "d": {"csto", "retired_topic"}}
    changes = rematch_diff(rules, items, stored)
    assert changes == [
        RematchChange("b", frozenset(), frozenset({"sanctions"})),
        RematchChange("c", frozenset({"csto"}), frozenset()),
        RematchChange("d", frozenset({"non_recognition"}), frozenset({"csto", "retired_topic"})),
    ]
    assert changes[2].render() == "d: +non_recognition -csto -retired_topic"


def test_rematch_diff_of_nothing_is_empty(rules: RuleSet) -> None:
    assert rematch_diff(rules, [], {}) == []
