"""Morphology: terms match inflected forms (Snowball stems plus a light derivational trim)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.matching import RuleSet, load_rules
from bot.matching.morphology import root, token_roots


def make_rules(tmp_path: Path, match: str, extra: str = "") -> RuleSet:
    body = textwrap.indent(textwrap.dedent(match).strip(), "  ")
    text = f"id: t\nname: T\ndescription: d\n{extra}match:\n{body}\n"
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    return load_rules(tmp_path)


def fires(rules: RuleSet, text: str, language: str | None = None) -> bool:
    return bool(rules.match("", text, language))


@pytest.mark.parametrize("text", ["санкции", "санкций", "санкциями", "Санкция"])
def test_russian_noun_matches_its_cases(tmp_path: Path, text: str) -> None:
    assert fires(make_rules(tmp_path, "any: [санкции]"), f"Новые {text} вводятся")


@pytest.mark.parametrize(
    "text", ["признавать", "не признаёт", "не признает", "признание", "непризнание", "признали"]
)
def test_russian_verb_matches_aspect_noun_and_negated_forms(tmp_path: Path, text: str) -> None:
    assert fires(make_rules(tmp_path, "any: [признавать]"), f"Казахстан {text} ЛНР")


@pytest.mark.parametrize(
    "text",
    ["recognise", "recognize", "recognised", "recognizes", "recognition", "unrecognised"],
)
def test_english_term_matches_spellings_verb_forms_and_noun(tmp_path: Path, text: str) -> None:
    assert fires(make_rules(tmp_path, "any: [recognise]"), f"they {text} it")


def test_english_plural_and_verb_forms(tmp_path: Path) -> None:
    demo = make_rules(tmp_path, "any: [sanction]")
    for text in ("sanctions", "sanctioned", "sanctioning", "Sanction"):
        assert fires(demo, f"new {text} today")
    assert not fires(demo, "sanctionsxyz")


def test_morphology_does_not_merge_false_friends(tmp_path: Path) -> None:
    assert not fires(make_rules(tmp_path, "any: [признание]"), "Эксперты видят признаки")
    assert not fires(make_rules(tmp_path, "any: [new]"), "the news today")


def test_phrases_match_word_by_word(tmp_path: Path) -> None:
    demo = make_rules(tmp_path, "any: [price cap]")
    assert fires(demo, "the prices capped by G7")
    assert not fires(demo, "the price of a cap")


def test_morph_false_on_a_term_keeps_the_exact_word(tmp_path: Path) -> None:
    demo = make_rules(tmp_path, "any:\n  - {term: sanctions, morph: false}")
    assert fires(demo, "new SANCTIONS")
    assert not fires(demo, "he sanctioned it")


def test_morphology_false_on_a_topic_turns_it_off(tmp_path: Path) -> None:
    demo = make_rules(tmp_path, "any: [санкции]", extra="morphology: false\n")
    assert fires(demo, "новые санкции")
    assert not fires(demo, "обход санкций")
    explicit = make_rules(
        tmp_path, "any:\n  - {term: санкции, morph: true}", extra="morphology: false\n"
    )
    assert fires(explicit, "обход санкций")


def test_wildcards_keep_their_prefix_semantics(tmp_path: Path) -> None:
    demo = make_rules(tmp_path, "any: [санкци*]")
    assert fires(demo, "санкционный список")
    assert not fires(demo, "антисанкции")


def test_analyser_follows_the_script_of_each_word() -> None:
    assert root("sanctions") == root("sanction")
    assert root("санкциями") == root("санкции")
    assert root("2022") == "2022"
    assert token_roots("непризнание") == ("непризна", "призна")


def test_lang_terms_use_the_detected_language_when_none_is_given(tmp_path: Path) -> None:
    demo = make_rules(tmp_path, "any:\n  - {term: санкции, lang: ru}\n  - {term: gift, lang: en}")
    assert fires(demo, "Новые санкции")
    assert fires(demo, "a gift")
    assert not fires(demo, "Новые санкции", language="en")
    assert not fires(demo, "Ein Gift", language="de")
