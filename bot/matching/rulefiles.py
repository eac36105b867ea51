"""Read a directory of rule files into a compiled `RuleSet` (the I/O edge of matching)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.errors import RuleError
from bot.matching.build import compile_specs
from bot.matching.loader import TopicParser
from bot.matching.matcher import RuleSet
from bot.matching.spec import TopicSpec
from bot.matching.yamlsource import parse_yaml_text, read_yaml

RULE_SUFFIXES = (".yaml", ".yml")


def parse_rule_file(path: Path) -> TopicSpec:
    """Read and validate one rule file (not yet compiled)."""
    label = str(path)
    return TopicParser(label).topic(read_yaml(path, label))


def rule_files(directory: Path) -> list[Path]:
    """The rule files of a directory (`*.yaml`, `*.yml`, not hidden), sorted by name."""
    if directory.is_file():
        return [directory]
    if not directory.is_dir():
        raise RuleError(f"{directory}: no such directory of rule files")
    files = sorted(
        p
        for p in directory.iterdir()
        if p.is_file() and p.suffix in RULE_SUFFIXES and not p.name.startswith(".")
    )
    if not files:
        raise RuleError(f"{directory}: no rule files (*.yaml) found")
    return files


def load_rules(directory: Path) -> RuleSet:
    """Load, validate and compile every rule file in `directory` (or one file).

    Raises `RuleError` whose message starts with `file:line:` on the first problem.
    """
    specs = (parse_rule_file(path) for path in rule_files(Path(directory)))
    return _compile_all(specs, str(directory))


def rules_from_texts(sources: Sequence[tuple[str, str]]) -> RuleSet:
    """Compile rules given as YAML texts `(label, text)` — e.g. users' personal watches —
    with the same validation as rule files; errors start with `label:line:`."""
    specs = (TopicParser(label).topic(parse_yaml_text(text, label)) for label, text in sources)
    return _compile_all(specs, "watches")


def _compile_all(specs: Iterable[TopicSpec], where: str) -> RuleSet:
    topics, lexicon, kept = compile_specs(specs, where)
    return RuleSet(topics, lexicon, source=(kept, where))
