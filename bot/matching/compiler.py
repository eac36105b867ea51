"""Turn validated specs into compiled terms, blocks and topics, sharing one `Lexicon`.

Plain terms become sequences of word atoms (no regex at all); `re:` terms are compiled by
RE2 in `regex.py`. Identical patterns are compiled once per rule set, so their hits are
computed once per text however many topics use them.
"""

from __future__ import annotations

import itertools
import re

from bot.matching.lexicon import Lexicon
from bot.matching.regex import RegexError, compile_user_regex
from bot.matching.spec import (
    BlockSpec,
    GroupTermSpec,
    NearTermSpec,
    PatternSpec,
    PatternTermSpec,
    TermSpec,
)
from bot.matching.terms import (
    SEPARATORS,
    Block,
    GroupTerm,
    NearTerm,
    Pattern,
    PatternTerm,
    RegexPattern,
    Term,
    WordPattern,
)

# A term's words: runs of word characters, optionally ending in the `*` wildcard.
_TERM_WORD = re.compile(r"\w+\*?")
_CHUNK_SPLIT = re.compile(r"[\s+\-‐‑]+")


class CompileError(Exception):
    """A pattern that cannot be compiled; the loader adds the file name."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def _check_wildcards(source: str) -> None:
    for chunk in _CHUNK_SPLIT.split(source.strip()):
        if chunk == "*" or chunk.startswith("*"):
            raise ValueError("a wildcard '*' needs at least one letter before it")
        if "*" in chunk[:-1]:
            raise ValueError(f"'*' is allowed only at the end of a word (in {chunk!r})")


def split_term(source: str) -> tuple[list[str], list[str | None]]:
    """A plain term's words and the gaps between them (None: any separator run)."""
    _check_wildcards(source)
    found = list(_TERM_WORD.finditer(source))
    if not found:
        raise ValueError("a term must contain at least one word")
    words = [m.group() for m in found]
    gaps: list[str | None] = []
    for before, after in itertools.pairwise(found):
        between = source[before.end() : after.start()]
        literal = "".join(between.split()).replace("+", "")
        gaps.append(None if not literal.strip(SEPARATORS) else literal.casefold())
    return words, gaps


class Compiler:
    """Compiles the specs of one rule set into terms that share `lexicon`."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._patterns: dict[tuple[str, bool, bool], Pattern] = {}
        # Equal specs compile to one term (groups and `unless` lists shared through YAML
        # anchors appear many times), so a document computes their hits once (`doc.memo`).
        self._terms: dict[TermSpec, Term] = {}

    def pattern(self, spec: PatternSpec) -> Pattern:
        """Compile (once) a word/phrase or a regex into a whole-word pattern."""
        key = (spec.source, spec.is_regex, spec.morph)
        if key not in self._patterns:
            self._patterns[key] = self._build(spec)
        return self._patterns[key]

    def _build(self, spec: PatternSpec) -> Pattern:
        if spec.is_regex:
            try:
                guarded, regex = compile_user_regex(spec.source)
            except RegexError as e:
                raise CompileError(spec.line, f"bad regex {spec.source!r}: {e}") from e
            return RegexPattern(spec.label, self.lexicon.regex(guarded), regex)
        try:
            words, gaps = split_term(spec.source)
        except ValueError as e:
            raise CompileError(spec.line, str(e)) from e
        atoms = tuple(self.lexicon.word(w, morph=spec.morph) for w in words)
        longest = max(range(len(words)), key=lambda i: len(words[i].rstrip("*")))
        return WordPattern(spec.label, atoms, tuple(gaps), atoms[longest])

    def _pattern_term(self, spec: PatternTermSpec) -> PatternTerm:
        unless = tuple(
            self._near(p) if isinstance(p, NearTermSpec) else self.pattern(p) for p in spec.unless
        )
        return PatternTerm(
            spec.label, spec.weight, spec.lang, spec.line, self.pattern(spec.pattern), unless
        )

    def term(self, spec: TermSpec) -> Term:
        """Compile one `any`/`all`/`none` term (a pattern, a group or a `near` pair), once."""
        found = self._terms.get(spec)
        if found is None:
            found = self._terms[spec] = self._term(spec)
        return found

    def _near(self, spec: NearTermSpec) -> NearTerm:
        """A `near` pair used as an `unless` of a pattern term (compiled once, like any term)."""
        near = self.term(spec)
        assert isinstance(near, NearTerm)
        return near

    def _term(self, spec: TermSpec) -> Term:
        if isinstance(spec, NearTermSpec):
            return NearTerm(
                spec.label,
                spec.weight,
                spec.lang,
                spec.line,
                tuple(self._pattern_term(t) for t in spec.left),
                tuple(self._pattern_term(t) for t in spec.right),
                spec.within,
                spec.ordered,
                spec.across_sentences,
            )
        if isinstance(spec, GroupTermSpec):
            members = tuple(self._pattern_term(t) for t in spec.members)
            return GroupTerm(spec.label, spec.weight, spec.lang, spec.line, members)
        return self._pattern_term(spec)

    def block(self, spec: BlockSpec) -> Block:
        """Compile every term of a block once."""
        return Block(
            label=spec.label,
            any=tuple(self.term(t) for t in spec.any),
            all=tuple(tuple(self.term(t) for t in group) for group in spec.all),
            none=tuple(self.term(t) for t in spec.none),
            threshold=spec.threshold,
            line=spec.line,
        )
