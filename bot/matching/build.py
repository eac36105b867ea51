"""Compile validated topic specs into compiled topics sharing one lexicon.

Used by `rulefiles` (rule files, watches) and by `RuleSet` itself when a pickled set is
rebuilt in a parse process; it returns the parts, not a `RuleSet`, so it needs nothing from
`matcher` (no import cycle).
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.errors import RuleError
from bot.matching.compiler import CompileError, Compiler
from bot.matching.lexicon import Lexicon
from bot.matching.regex import RegexError
from bot.matching.spec import TopicSpec
from bot.matching.terms import CompiledTopic
from bot.models import Topic


def compile_topic(spec: TopicSpec, compiler: Compiler) -> CompiledTopic:
    """Compile every pattern of a topic once; a bad pattern is a `RuleError` with its line."""
    try:
        blocks = tuple(compiler.block(b) for b in spec.blocks)
    except CompileError as e:
        raise RuleError(f"{spec.source_file}:{e.line}: {e.reason}") from e
    topic = Topic(spec.id, dict(spec.name), dict(spec.description), spec.source_file, spec.priority)
    return CompiledTopic(topic, blocks, spec.examples)


def compile_specs(
    specs: Iterable[TopicSpec], where: str
) -> tuple[list[CompiledTopic], Lexicon, tuple[TopicSpec, ...]]:
    """Compile validated topics (one shared lexicon: one scan per item); the specs kept are
    what a `RuleSet` pickles. Raises `RuleError` on a duplicate id or a bad pattern."""
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
    return topics, lexicon, tuple(seen_specs)
