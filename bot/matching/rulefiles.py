"""Read a directory of rule files into a compiled `RuleSet` (the I/O edge of matching)."""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.errors import RuleError
from bot.matching.compiler import CompileError, Compiler
from bot.matching.lexicon import Lexicon
from bot.matching.loader import TopicParser
from bot.matching.matcher import RuleSet
from bot.matching.regex import RegexError
from bot.matching.spec import TopicSpec
from bot.matching.terms import CompiledTopic
from bot.matching.yamlsource import parse_yaml_text, read_yaml
from bot.models import Topic

RULE_SUFFIXES = (".yaml", ".yml")


def parse_rule_file(path: Path) -> TopicSpec:
    """Read and validate one rule file (not yet compiled)."""
    label = str(path)
    return TopicParser(label).topic(read_yaml(path, label))


def compile_topic(spec: TopicSpec, compiler: Compiler) -> CompiledTopic:
    """Compile every pattern of a topic once; a bad pattern is a `RuleError` with its line."""
    try:
        blocks = tuple(compiler.block(b) for b in spec.blocks)
    except CompileError as e:
        raise RuleError(f"{spec.source_file}:{e.line}: {e.reason}") from e
    topic = Topic(spec.id, dict(spec.name), dict(spec.description), spec.source_file, spec.priority)
    return CompiledTopic(topic, blocks, spec.examples)


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
    """Compile validated topics into one rule set (one shared lexicon: one scan per item)."""
    seen: dict[str, str] = {}
    seen_specs: list[TopicSpec] = []
    topics = []
    lexicon = Lexicon()
    compiler = Compiler(lexicon)
    for spec in specs:
        if spec.id in seen:
            raise RuleError(
                f"{spec.source_file}:{spec.id_line}: duplicate topic id {spec.id!r}"
                f" (already defined at {seen[spec.id]})"
            )
        seen[spec.id] = f"{spec.source_file}:{spec.id_line}"
        seen_specs.append(spec)
        topics.append(compile_topic(spec, compiler))
    try:
        lexicon.freeze()
    except RegexError as e:
        raise RuleError(f"{where}: {e}") from e
    return RuleSet(topics, lexicon, source=(tuple(seen_specs), where))


_compiled: dict[bytes, RuleSet] = {}  # per process: rule sets rebuilt from their specs


def rebuild_rules(digest: bytes, blob: bytes) -> RuleSet:
    """The rule set compiled from pickled `(specs, where)`, once per process and rules version
    (`digest`): how a `RuleSet` crosses into a parse process."""
    rules = _compiled.get(digest)
    if rules is None:
        specs, where = pickle.loads(blob)
        rules = _compile_all(specs, where)
        _compiled.clear()  # one version at a time: reloaded rules replace the old ones
        _compiled[digest] = rules
    return rules
