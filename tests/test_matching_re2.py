"""Regexes run on RE2 (linear time); unsupported or invalid patterns are load errors."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from bot.errors import RuleError
from bot.matching import RuleSet, load_rules


def make_rules(tmp_path: Path, any_block: str) -> RuleSet:
    body = textwrap.indent(textwrap.dedent(any_block).strip(), "    ")
    text = f"id: t\nname: T\ndescription: d\nmatch:\n  any:\n{body}\n"
    (tmp_path / "t.yaml").write_text(text, encoding="utf-8")
    return load_rules(tmp_path)


def test_catastrophic_pattern_is_linear_time(tmp_path: Path) -> None:
    demo = make_rules(tmp_path, "- 're:(a+)+$'")
    text = "a" * 50_000 + "!"
    start = time.perf_counter()
    assert demo.match("", text) == []
    assert demo.match("", "a" * 50_000)
    assert time.perf_counter() - start < 2.0  # Python's re would take years here


def test_invalid_regex_is_a_rule_error_with_the_line(tmp_path: Path) -> None:
    with pytest.raises(RuleError) as info:
        make_rules(tmp_path, "- alpha\n- 're:sanction(s'")
    assert (
        str(info.value) == f"{tmp_path / 't.yaml'}:7: bad regex 'sanction(s': missing ): sanction(s"
    )


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(?<=new )sanctions", "invalid perl operator: (?<="),
        ("(?=x)y", "invalid perl operator: (?="),
        ("(a)\\1", "invalid escape sequence: \\1"),
        ("\\bsanctions", "'\\b' is not supported"),
        ("[\\W]x", "'\\W' inside [...] is not supported"),
    ],
)
def test_constructs_re2_lacks_are_rejected_never_silently_run_on_re(
    tmp_path: Path, pattern: str, reason: str
) -> None:
    with pytest.raises(RuleError, match="bad regex") as info:
        make_rules(tmp_path, f"- regex: '{pattern}'")
    assert reason in str(info.value)
    assert str(info.value).startswith(f"{tmp_path / 't.yaml'}:6: ")


def test_unicode_word_classes_work_as_in_python(tmp_path: Path) -> None:
    demo = make_rules(tmp_path, "- 're:санкци\\w*'\n- 're:\\d+-й пакет'")
    assert demo.match("", "Новые САНКЦИЯМИ")
    assert demo.match("", "Принят 14-й пакет")
    assert not demo.match("", "антисанкции")


def test_regex_hits_are_whole_words_and_adjacent_hits_are_all_found(tmp_path: Path) -> None:
    demo = make_rules(tmp_path, "- 're:CSTO'")
    assert not demo.match("", "CSTOX and xCSTO")
    (match,) = demo.match("", "CSTO CSTO (CSTO) CSTO’s")
    explanation = demo.explain("", "CSTO CSTO (CSTO) CSTO’s")[0].render()
    assert "(+1 more)" in explanation  # four hits: three shown, one more
    assert match.evidence.terms == ("CSTO",)


def test_regex_offsets_are_characters_in_cyrillic_text(tmp_path: Path) -> None:
    demo = make_rules(tmp_path, "- 're:ОДКБ'")
    (match,) = demo.match("", "Армения заморозила участие в ОДКБ.")
    assert match.evidence.terms == ("ОДКБ",)
