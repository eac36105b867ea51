"""Evaluation: metric arithmetic on a tiny real rule set, loader errors, and the quality gate."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bot.errors import GeoalertError
from bot.evaluation import (
    EvalReport,
    LabeledItem,
    TopicScore,
    evaluate,
    load_labeled,
    load_labeled_files,
    render_report,
)
from bot.matching import RuleSet, load_rules
from tests.factories import rules_with

REPO = Path(__file__).resolve().parent.parent
EVAL_DIR = REPO / "tests" / "data" / "eval"
TOPICS = ("csto", "non_recognition", "sanctions")
MIN_PRECISION = 0.95
MIN_RECALL = 0.9

FRUIT = """\
id: fruit
name: Fruit
description: Fruit news
match:
  any: [apple, banana]
"""
VEG = """\
id: veg
name: Vegetables
description: Vegetable news
match:
  any: [carrot]
"""


@pytest.fixture
def tiny_rules(tmp_path: Path) -> RuleSet:
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    (rules_dir / "fruit.yaml").write_text(FRUIT, encoding="utf-8")
    (rules_dir / "veg.yaml").write_text(VEG, encoding="utf-8")
    return load_rules(rules_dir)


def item(id_: str, text: str, *topics: str) -> LabeledItem:
    return LabeledItem(id=id_, lang="en", title="", text=text, topics=frozenset(topics))


TINY_ITEMS = [
    item("1", "An apple pie recipe.", "fruit"),  # fruit tp
    item("2", "Banana bread."),  # fruit fp (labelled with nothing)
    item("3", "Cherry season starts.", "fruit"),  # fruit fn
    item("4", "Carrot prices rise.", "veg"),  # veg tp
    item("5", "Apple and carrot salad.", "fruit", "veg"),  # tp for both
    item("6", "Nothing to see here."),  # true negative
]


def test_counts_and_metrics_per_topic(tiny_rules: RuleSet) -> None:
    report = evaluate(tiny_rules, TINY_ITEMS)

    fruit, veg = report.score("fruit"), report.score("veg")
    assert (fruit.tp, fruit.fp, fruit.fn) == (2, 1, 1)
    assert fruit.precision == pytest.approx(2 / 3)
    assert fruit.recall == pytest.approx(2 / 3)
    assert fruit.f1 == pytest.approx(2 / 3)
    assert (veg.tp, veg.fp, veg.fn) == (2, 0, 0)
    assert (veg.precision, veg.recall, veg.f1) == (1.0, 1.0, 1.0)
    assert report.items == 6


def test_micro_average_sums_counts_over_topics(tiny_rules: RuleSet) -> None:
    micro = evaluate(tiny_rules, TINY_ITEMS).micro

    assert (micro.tp, micro.fp, micro.fn) == (4, 1, 1)
    assert micro.precision == pytest.approx(0.8)
    assert micro.recall == pytest.approx(0.8)
    assert micro.f1 == pytest.approx(0.8)


def test_misclassified_items_carry_expected_predicted_and_evidence(tiny_rules: RuleSet) -> None:
    report = evaluate(tiny_rules, TINY_ITEMS)

    assert [m.item.id for m in report.misclassified] == ["2", "3"]
    false_pos, false_neg = report.misclassified
    assert false_pos.expected == frozenset()
    assert false_pos.predicted == {"fruit"}
    (fp,) = false_pos.false_positives
    assert fp.topic == "fruit"
    assert fp.evidence.terms == ("Banana",)
    assert "Banana bread" in fp.evidence.snippet
    assert fp.evidence.score >= fp.evidence.threshold
    assert false_neg.missed == {"fruit"}
    assert false_neg.false_positives == ()


def test_scores_are_also_given_per_language(tiny_rules: RuleSet) -> None:
    russian = LabeledItem("r", "ru", "", "Яблоко и банан.", frozenset({"fruit"}))  # fruit fn

    report = evaluate(tiny_rules, [*TINY_ITEMS, russian])

    (en, en_count, en_scores), (ru, ru_count, ru_scores) = report.by_language
    assert (en, en_count, ru, ru_count) == ("en", 6, "ru", 1)
    en_fruit = next(s for s in en_scores if s.topic == "fruit")
    ru_fruit = next(s for s in ru_scores if s.topic == "fruit")
    assert (en_fruit.tp, en_fruit.fp, en_fruit.fn) == (2, 1, 1)
    assert (ru_fruit.tp, ru_fruit.fp, ru_fruit.fn) == (0, 0, 1)
    text = render_report(report)
    assert "en: 6 items" in text and "ru: 1 items" in text


def test_a_missed_topic_says_by_how_much_its_block_fell_short(tmp_path: Path) -> None:
    rules = rules_with(
        tmp_path, "pair", "  threshold: 2\n  any: [apple, {near: [red, fox], within: 1}]\n"
    )
    text = "An apple; the red and very quick fox."
    missed = LabeledItem("m", "en", "", text, frozenset({"pair"}))

    (miss,) = evaluate(rules, [missed]).misclassified

    ((topic, verdict),) = miss.shortfalls
    assert topic == "pair"
    assert "score 1 < threshold 2 (short by 1)" in verdict
    assert "short by 1" in render_report(evaluate(rules, [missed]))


def test_summary_report_leaves_out_the_items(tiny_rules: RuleSet) -> None:
    text = render_report(evaluate(tiny_rules, TINY_ITEMS), items=False)

    assert "2 misclassified items (not listed)." in text
    assert "Banana bread" not in text


def test_several_files_are_read_as_one_set_with_unique_ids(tmp_path: Path) -> None:
    def write(name: str, *ids: str) -> Path:
        path = tmp_path / name
        rows = [{"id": i, "lang": "en", "title": "t", "text": "x", "topics": []} for i in ids]
        path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
        return path

    a, b = write("a.jsonl", "1", "2"), write("b.jsonl", "3")
    assert [i.id for i in load_labeled_files([a, b])] == ["1", "2", "3"]
    clash = write("c.jsonl", "2")
    with pytest.raises(GeoalertError, match=r"c\.jsonl: duplicate id '2' \(also in .*a\.jsonl\)"):
        load_labeled_files([a, clash])


def test_nothing_expected_and_nothing_predicted_scores_one(tiny_rules: RuleSet) -> None:
    report = evaluate(tiny_rules, [item("1", "Carrot cake.", "veg")])

    fruit = report.score("fruit")
    assert (fruit.tp, fruit.fp, fruit.fn) == (0, 0, 0)
    assert (fruit.precision, fruit.recall, fruit.f1) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((0, 0, 3), (0.0, 0.0, 0.0)),  # nothing predicted, something expected
        ((0, 2, 0), (0.0, 0.0, 0.0)),  # something predicted, nothing expected
        ((0, 2, 3), (0.0, 0.0, 0.0)),
        ((3, 1, 0), (0.75, 1.0, 6 / 7)),
    ],
)
def test_zero_division_is_only_perfect_when_both_sides_are_empty(
    counts: tuple[int, int, int], expected: tuple[float, float, float]
) -> None:
    score = TopicScore("t", *counts)

    assert (score.precision, score.recall, score.f1) == pytest.approx(expected)


def test_topic_only_in_labels_is_counted_as_missed(tiny_rules: RuleSet) -> None:
    report = evaluate(tiny_rules, [item("1", "Apple news.", "fruit", "nuts")])

    nuts = report.score("nuts")
    assert (nuts.tp, nuts.fp, nuts.fn) == (0, 0, 1)
    assert [s.topic for s in report.topics] == ["fruit", "nuts", "veg"]


def test_items_are_matched_in_their_title_too(tiny_rules: RuleSet) -> None:
    labeled = LabeledItem("t", "en", "Carrot harvest", "Farmers are happy.", frozenset({"veg"}))

    assert evaluate(tiny_rules, [labeled]).score("veg").tp == 1


def test_render_report_shows_table_and_false_positive_evidence(tiny_rules: RuleSet) -> None:
    text = render_report(evaluate(tiny_rules, TINY_ITEMS))

    lines = text.splitlines()
    assert lines[1].split() == ["topic", "P", "R", "F1", "tp", "fp", "fn"]
    assert any(
        line.split() == ["fruit", "0.667", "0.667", "0.667", "2", "1", "1"] for line in lines
    )
    assert any(line.split() == ["veg", "1.000", "1.000", "1.000", "2", "0", "0"] for line in lines)
    assert any(line.startswith("micro (all)") and "0.800" in line for line in lines)
    assert "Misclassified items (2):" in text
    assert "2 [en] expected: —; predicted: fruit" in text
    assert "false positive: fruit (score 1 ≥ 1); terms: “Banana”" in text
    assert "snippet: Banana bread." in text
    assert "missed (false negative): fruit" in text


def test_render_report_without_misses_says_so(tiny_rules: RuleSet) -> None:
    text = render_report(evaluate(tiny_rules, [item("1", "Carrot.", "veg")]))

    assert text.endswith("No misclassified items.")


# --- loader -------------------------------------------------------------------------------------

GOOD = {"id": "en-1", "lang": "en", "title": "T", "text": "Body.", "topics": ["csto"]}


def write_lines(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_loader_reads_items_and_skips_blank_lines(tmp_path: Path) -> None:
    second = {**GOOD, "id": "ru-1", "lang": "ru", "topics": [], "note": "hard"}
    path = write_lines(tmp_path, json.dumps(GOOD), "", json.dumps(second, ensure_ascii=False))

    items = load_labeled(path)

    assert items == [
        LabeledItem("en-1", "en", "T", "Body.", frozenset({"csto"}), ""),
        LabeledItem("ru-1", "ru", "T", "Body.", frozenset(), "hard"),
    ]


@pytest.mark.parametrize(
    ("bad_line", "reason"),
    [
        ('{"id": "x", ', "invalid JSON"),
        ("[1, 2]", "an item must be a JSON object, not list"),
        (
            json.dumps({k: v for k, v in GOOD.items() if k != "topics"}),
            "missing required key 'topics'",
        ),
        (json.dumps({**GOOD, "colour": "red"}), "unknown key 'colour'"),
        (json.dumps({**GOOD, "topics": "csto"}), "'topics' must be a list, not str"),
        (json.dumps({**GOOD, "topics": [1]}), "a topic must be a topic id"),
        (json.dumps({**GOOD, "lang": 7}), "'lang' must be a string, not int"),
        (json.dumps({**GOOD, "lang": "English"}), "'lang' must be a language code"),
        (json.dumps({**GOOD, "note": None}), "'note' must be a string, not NoneType"),
        (json.dumps({**GOOD, "id": " "}), "'id' must not be empty"),
        (json.dumps({**GOOD, "title": "", "text": ""}), "needs a non-empty 'title' or 'text'"),
        (json.dumps(GOOD), "duplicate id 'en-1' (first at line 1)"),
    ],
)
def test_loader_errors_name_path_and_line(tmp_path: Path, bad_line: str, reason: str) -> None:
    path = write_lines(tmp_path, json.dumps(GOOD), bad_line)

    with pytest.raises(GeoalertError) as excinfo:
        load_labeled(path)

    message = str(excinfo.value)
    assert message.startswith(f"{path}:2: "), message
    assert reason in message


def test_loader_error_for_missing_file_names_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.jsonl"

    with pytest.raises(GeoalertError, match=r"nope\.jsonl: cannot read the labelled set"):
        load_labeled(path)


# --- the bundled labelled sets: dev (tuned on, gated) and holdout (reported, never tuned on) ----


def _files(pattern: str) -> list[Path]:
    return sorted(EVAL_DIR.glob(pattern))


@pytest.fixture(scope="module")
def dev() -> list[LabeledItem]:
    return load_labeled_files(_files("dev*.jsonl"))


@pytest.fixture(scope="module")
def holdout() -> list[LabeledItem]:
    return load_labeled_files(_files("holdout*.jsonl"))


def test_wire_style_sets_meet_the_size_language_and_negative_shares(
    dev: list[LabeledItem], holdout: list[LabeledItem]
) -> None:
    wire = [i for i in [*dev, *holdout] if not i.id.startswith(("en-", "ru-"))]  # not legacy
    langs = Counter(i.lang for i in wire)
    assert len(wire) >= 600
    assert set(langs) == {"en", "ru"}
    assert langs["ru"] / len(wire) >= 0.40
    assert sum(not i.topics for i in wire) / len(wire) >= 0.40
    assert {t for i in wire for t in i.topics} == set(TOPICS)
    # A headline and a lead, not a one-line sentence.
    assert all(i.title.strip() and len(i.text.split()) >= 15 for i in wire)


def test_holdout_is_disjoint_from_dev(dev: list[LabeledItem], holdout: list[LabeledItem]) -> None:
    assert len(holdout) >= 250
    assert not {i.id for i in dev} & {i.id for i in holdout}
    assert not {i.title.casefold() for i in dev} & {i.title.casefold() for i in holdout}
    assert not {i.text for i in dev} & {i.text for i in holdout}
    for topic in TOPICS:
        positives = [i for i in holdout if topic in i.topics]
        assert len(positives) >= 35, topic
        assert sum(i.lang == "ru" for i in positives) >= 15, topic


def test_bundled_rules_meet_quality_targets_on_dev_in_each_language(
    dev: list[LabeledItem],
) -> None:
    report: EvalReport = evaluate(load_rules(REPO / "rules"), dev)

    failing = [
        f"{lang} {s.topic}: P={s.precision:.3f} R={s.recall:.3f}"
        for lang, _, scores in (("all", 0, report.topics), *report.by_language)
        for s in scores
        if s.precision < MIN_PRECISION or s.recall < MIN_RECALL
    ]
    assert not failing, (
        f"below targets (P ≥ {MIN_PRECISION}, R ≥ {MIN_RECALL}): {'; '.join(failing)}\n\n"
        + render_report(report)
    )


def test_eval_report_renders_for_the_bundled_set(dev: list[LabeledItem]) -> None:
    text = render_report(evaluate(load_rules(REPO / "rules"), dev))

    assert text.startswith(f"{len(dev)} labelled items")
    for topic in TOPICS:
        assert any(line.startswith(topic) for line in text.splitlines())


def test_labels_is_read_as_topics_and_not_both(tmp_path) -> None:
    """`geoalert feedback export` writes the issue's `labels`; eval reads it as `topics`."""
    row = {"id": "a", "lang": "en", "title": "CSTO drills", "text": "", "labels": ["csto"]}
    path = tmp_path / "v.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    assert load_labeled(path)[0].topics == frozenset({"csto"})
    path.write_text(json.dumps({**row, "topics": ["csto"]}) + "\n", encoding="utf-8")
    with pytest.raises(GeoalertError, match="both 'topics' and 'labels'"):
        load_labeled(path)
