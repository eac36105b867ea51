"""Turn validated specs into compiled terms, blocks and topics.

This is the only module that calls `re.compile`, so a linear-time engine (RE2) can replace
Python's `re` here without touching the rest of the matcher.
"""

from __future__ import annotations

import re

from bot.matching.spec import (
    BlockSpec,
    GroupTermSpec,
    NearTermSpec,
    PatternSpec,
    PatternTermSpec,
    TermSpec,
)
from bot.matching.terms import Block, GroupTerm, NearTerm, Pattern, PatternTerm, Term

FLAGS = re.IGNORECASE
# What may separate the words of a phrase: whitespace, hyphens/dashes, quotes and apostrophes.
_SEPARATOR = r"[\s\-‐‑‒–—'\"“”„«»‘’ʼ]+"
_WORD_SPLIT = re.compile(r"[\s+\-‐‑]+")
_APOSTROPHE = "['’ʼ]"


class CompileError(Exception):
    """A pattern that cannot be compiled; the loader adds the file name."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def compile_regex(source: str) -> re.Pattern[str]:
    """Compile one regex with the matcher's flags (case-insensitive, Unicode)."""
    return re.compile(source, FLAGS)


def _word_regex(word: str) -> str:
    stem, wildcard = (word[:-1], True) if word.endswith("*") else (word, False)
    if not stem:
        raise ValueError("a wildcard '*' needs at least one letter before it")
    if "*" in stem:
        raise ValueError(f"'*' is allowed only at the end of a word (in {word!r})")
    out = []
    for char in stem:
        if char in "еёЕЁ":
            out.append("[её]")  # Russian texts write ё as е more often than not
        elif char in "'’ʼ":
            out.append(_APOSTROPHE)
        else:
            out.append(re.escape(char))
    return "".join(out) + (r"\w*" if wildcard else "")


def phrase_regex(source: str) -> str:
    """Regex for a plain term: words in order, `*` = any word ending, `a+b` = adjacent words."""
    words = [w for w in _WORD_SPLIT.split(source.strip()) if w]
    if not words:
        raise ValueError("a term must contain at least one word")
    return _SEPARATOR.join(_word_regex(w) for w in words)


def _guard(inner: str) -> str:
    # Every term matches whole words only: no word character may touch either end.
    return rf"(?<!\w)(?:{inner})(?!\w)"


def compile_pattern(spec: PatternSpec) -> Pattern:
    """Compile a word/phrase or a regex into a whole-word `Pattern`."""
    if not spec.is_regex:
        try:
            return Pattern(spec.label, compile_regex(_guard(phrase_regex(spec.source))))
        except ValueError as e:
            raise CompileError(spec.line, str(e)) from e
    try:
        inner = compile_regex(spec.source)
        guarded = compile_regex(_guard(spec.source))  # fails on e.g. a global flag mid-pattern
    except re.error as e:
        where = f" at position {e.pos}" if e.pos is not None and e.pattern == spec.source else ""
        raise CompileError(spec.line, f"bad regex {spec.source!r}: {e.msg}{where}") from e
    if inner.match("") is not None:
        raise CompileError(spec.line, f"regex {spec.source!r} matches the empty string")
    return Pattern(spec.label, guarded)


def _pattern_term(spec: PatternTermSpec) -> PatternTerm:
    unless = tuple(compile_pattern(p) for p in spec.unless)
    return PatternTerm(
        spec.label, spec.weight, spec.lang, spec.line, compile_pattern(spec.pattern), unless
    )


def compile_term(spec: TermSpec) -> Term:
    """Compile one `any`/`all`/`none` term (a pattern or a `near` pair)."""
    if isinstance(spec, NearTermSpec):
        left = tuple(_pattern_term(t) for t in spec.left)
        right = tuple(_pattern_term(t) for t in spec.right)
        return NearTerm(
            spec.label,
            spec.weight,
            spec.lang,
            spec.line,
            left,
            right,
            spec.within,
            spec.ordered,
            spec.across_sentences,
        )
    if isinstance(spec, GroupTermSpec):
        members = tuple(_pattern_term(t) for t in spec.members)
        return GroupTerm(spec.label, spec.weight, spec.lang, spec.line, members)
    return _pattern_term(spec)


def compile_block(spec: BlockSpec) -> Block:
    """Compile every term of a block once."""
    return Block(
        label=spec.label,
        any=tuple(compile_term(t) for t in spec.any),
        all=tuple(tuple(compile_term(t) for t in group) for group in spec.all),
        none=tuple(compile_term(t) for t in spec.none),
        threshold=spec.threshold,
        line=spec.line,
    )
