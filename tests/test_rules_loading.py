"""Broken rule files are rejected with `RuleError("file:line: reason")`; good ones load."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.errors import RuleError
from bot.matching import load_rules

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"

GOOD = """\
id: demo
name: Demo
description: A demo topic
match:
  any: [sanctions]
"""


def write(directory: Path, text: str, name: str = "demo.yaml") -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_error(directory: Path) -> str:
    with pytest.raises(RuleError) as info:
        load_rules(directory)
    return str(info.value)


BROKEN = {
    "yaml_syntax_error": (
        "id: demo\nname: Demo\ndescription: d\nmatch:\n  any: [sanctions\n",
        6,
        "YAML syntax error",
    ),
    "empty_file": ("", 1, "the rule file is empty"),
    "not_a_mapping": ("- a\n- b\n", 1, "must be a mapping"),
    "unknown_top_level_key": (GOOD + "colour: red\n", 6, "unknown key 'colour' in a topic"),
    "missing_match": ("id: demo\nname: Demo\ndescription: d\n", 1, "required key 'match'"),
    "bad_id": (GOOD.replace("id: demo", "id: Demo Topic"), 1, "'id' must be a lowercase"),
    "duplicate_yaml_key": (GOOD + "name: Again\n", 6, "duplicate key 'name'"),
    "name_without_en": (
        GOOD.replace("name: Demo", "name:\n  ru: Демо"),
        2,
        "'name' needs an 'en' entry",
    ),
    "description_wrong_type": (
        GOOD.replace("description: A demo topic", "description: [a, b]"),
        3,
        "'description' must be a string or a mapping",
    ),
    "any_not_a_list": (
        GOOD.replace("any: [sanctions]", "any: sanctions"),
        5,
        "'any' must be a list",
    ),
    "any_empty": (GOOD.replace("any: [sanctions]", "any: []"), 5, "'any' must not be empty"),
    "unknown_block_key": (GOOD + "  anyy: [x]\n", 6, "unknown key 'anyy' in a match block"),
    "block_without_any_or_all": (
        GOOD.replace("any: [sanctions]", "none: [sanctions]"),
        5,
        "needs 'any' or 'all'",
    ),
    "term_wrong_type": (GOOD.replace("any: [sanctions]", "any: [sanctions, 42]"), 5, "not int"),
    "bad_regex": (
        GOOD.replace("any: [sanctions]", "any:\n    - sanctions\n    - 're:sanction(s'"),
        7,
        "bad regex 'sanction(s'",
    ),
    "bad_regex_mapping": (
        GOOD.replace("any: [sanctions]", "any:\n    - regex: '[a-'\n      weight: 2"),
        6,
        "bad regex",
    ),
    "regex_lookbehind_is_rejected_by_re2": (
        GOOD.replace("any: [sanctions]", "any: ['re:(?<=new )sanctions']"),
        5,
        "bad regex '(?<=new )sanctions': invalid perl operator: (?<=",
    ),
    "regex_backreference_is_rejected_by_re2": (
        GOOD.replace("any: [sanctions]", "any: ['re:(a)\\1']"),
        5,
        "invalid escape sequence",
    ),
    "regex_word_boundary_is_rejected": (
        GOOD.replace("any: [sanctions]", "any: ['re:\\bsanctions']"),
        5,
        "is not supported (every term already matches whole words only)",
    ),
    "morph_must_be_a_flag": (
        GOOD.replace("any: [sanctions]", "any:\n    - term: sanctions\n      morph: maybe"),
        7,
        "'morph' must be true or false",
    ),
    "morph_not_with_regex": (
        GOOD.replace("any: [sanctions]", "any:\n    - regex: sanctions\n      morph: false"),
        7,
        "'morph' is not allowed with 'regex'",
    ),
    "morphology_must_be_a_flag": (
        GOOD.replace("match:", "morphology: sometimes\nmatch:"),
        4,
        "'morphology' must be true or false",
    ),
    "regex_matches_empty": (
        GOOD.replace("any: [sanctions]", "any: ['re:x*']"),
        5,
        "matches the empty string",
    ),
    "wildcard_in_middle": (
        GOOD.replace("any: [sanctions]", "any:\n    - 'sanc*ions'"),
        6,
        "'*' is allowed only at the end of a word",
    ),
    "weight_not_a_number": (
        GOOD.replace("any: [sanctions]", "any:\n    - term: sanctions\n      weight: heavy"),
        7,
        "'weight' must be a positive number",
    ),
    "threshold_negative": (GOOD + "  threshold: -1\n", 6, "'threshold' must be a positive"),
    "near_needs_two_sides": (
        GOOD.replace("any: [sanctions]", "any:\n    - near: [a, b, c]"),
        6,
        "'near' must be a list of two",
    ),
    "near_within_negative": (
        GOOD.replace("any: [sanctions]", "any:\n    - near: [a, b]\n      within: -2"),
        7,
        "'within' must be a whole number",
    ),
    "within_without_near": (
        GOOD.replace("any: [sanctions]", "any:\n    - term: a\n      within: 2"),
        7,
        "'within' is not allowed with 'term'",
    ),
    "unknown_group": (
        GOOD.replace("any: [sanctions]", "any: ['@nope']"),
        5,
        "unknown group '@nope'",
    ),
    "examples_not_a_list": (GOOD + "examples:\n  match: some text\n", 7, "must be a list"),
    "unknown_examples_key": (GOOD + "examples:\n  maybe: [x]\n", 7, "unknown key 'maybe'"),
}


@pytest.mark.parametrize(("text", "line", "reason"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_rule_file_names_file_and_line(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    path = tmp_path / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    message = load_error(tmp_path)
    assert message.startswith(f"{path}:{line}: "), message
    assert reason in message


def test_duplicate_topic_id_across_files(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.yaml")
    second = write(tmp_path, "# the same id again\n" + GOOD, "b.yaml")
    message = load_error(tmp_path)
    assert message.startswith(f"{second}:2: duplicate topic id 'demo'")
    assert f"{tmp_path / 'a.yaml'}:1" in message


def test_directory_without_rule_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a rule")
    assert "no rule files" in load_error(tmp_path)


def test_missing_directory(tmp_path: Path) -> None:
    assert "no such directory" in load_error(tmp_path / "missing")


def test_error_line_points_into_nested_list(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        id: demo
        name: {en: Demo, ru: Демо}
        description: {en: d, ru: д}
        match:
          - label: first
            any: [a]
          - label: second
            all:
              - [b, c]
              - ['re:(']
        """,
    )
    assert load_error(tmp_path).startswith(f"{path}:10: bad regex '('")


def test_a_file_with_every_feature_loads(tmp_path: Path) -> None:
    write(
        tmp_path,
        """\
        id: demo
        name: {en: Demo, ru: Демо}
        description: {en: A demo, ru: Пример}
        groups:
          verbs: [recogni*, призна*]
          places: [LPR, {regex: 'Donetsk|Luhansk', lang: en}]
        match:
          - label: weighted
            threshold: 2
            any:
              - {term: sanctions, weight: 1.5}
              - {term: '@places', weight: 0.5}
              - near: ['@verbs', '@places']
                within: 3
                ordered: true
                across_sentences: false
                weight: 2
                label: recognise near place
              - {term: recogni*, unless: [facial recognition]}
            none: [football]
          - all: ['@verbs', [a+b, c]]
        examples:
          match: [Kazakhstan does not recognise the LPR.]
          no_match: [{title: Football, text: LPR football club recognised}]
        """,
    )
    rules = load_rules(tmp_path)
    assert [t.id for t in rules.topics] == ["demo"]
    assert rules.run_examples() == []


def test_a_single_rule_file_can_be_loaded(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    assert [t.id for t in load_rules(path).topics] == ["demo"]


def test_bundled_rules_load_with_english_and_russian_names() -> None:
    rules = load_rules(RULES_DIR)
    assert [t.id for t in rules.topics] == ["csto", "non_recognition", "sanctions"]
    for topic in rules.topics:
        assert set(topic.name) >= {"en", "ru"}
        assert set(topic.description) >= {"en", "ru"}
        assert topic.source_file.endswith(f"{topic.id}.yaml")
