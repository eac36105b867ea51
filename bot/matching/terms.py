"""Compiled terms: find their hits in a `Document` (patterns, scoped exclusions, `near`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.matching.document import Document, Hit
from bot.matching.spec import ExampleSpec
from bot.models import Topic


@dataclass(frozen=True, slots=True)
class Pattern:
    """A compiled whole-word pattern and the label it was written as."""

    label: str
    regex: re.Pattern[str]

    def hits(self, doc: Document) -> list[Hit]:
        found: list[Hit] = []
        for index, field in enumerate(doc.fields):
            found.extend(
                doc.hit(index, m.start(), m.end()) for m in self.regex.finditer(field.text)
            )
        return found


def _language_ok(lang: str | None, doc: Document) -> bool:
    return lang is None or doc.language is None or doc.language == lang


@dataclass(frozen=True, slots=True)
class PatternTerm:
    """A weighted pattern; a hit overlapping a hit of an `unless` pattern does not count."""

    label: str
    weight: float
    lang: str | None
    line: int
    pattern: Pattern
    unless: tuple[Pattern, ...] = ()

    def hits(self, doc: Document) -> list[Hit]:
        if not _language_ok(self.lang, doc):
            return []
        found = self.pattern.hits(doc)
        if found and self.unless:
            vetoes = [v for p in self.unless for v in p.hits(doc)]
            found = [h for h in found if not any(h.overlaps(v) for v in vetoes)]
        return found


def _pair(doc: Document, first: Hit, second: Hit) -> Hit:
    """One hit spanning two hits of the same field, shown as "first … second"."""
    hit = doc.hit(first.field, first.start, second.end, f"{first.text} … {second.text}")
    return replace(hit, parts=(first, second))


@dataclass(frozen=True, slots=True)
class NearTerm:
    """Fires where a hit of `left` and a hit of `right` have at most `within` words between."""

    label: str
    weight: float
    lang: str | None
    line: int
    left: tuple[PatternTerm, ...]
    right: tuple[PatternTerm, ...]
    within: int
    ordered: bool = False
    across_sentences: bool = False

    def hits(self, doc: Document) -> list[Hit]:
        if not _language_ok(self.lang, doc):
            return []
        lefts = [h for t in self.left for h in t.hits(doc)]
        rights = [h for t in self.right for h in t.hits(doc)] if lefts else []
        pairs: dict[tuple[int, int, int], Hit] = {}
        for a in lefts:
            for b in rights:
                if a.field != b.field or a.overlaps(b):
                    continue
                if a.sentence != b.sentence and not self.across_sentences:
                    continue
                first, second = (a, b) if a.start < b.start else (b, a)
                if self.ordered and first is not a:
                    continue
                if first.words_between(second) <= self.within:
                    pairs.setdefault((a.field, first.start, second.end), _pair(doc, first, second))
        return sorted(pairs.values(), key=lambda h: (h.field, h.start, h.end))


@dataclass(frozen=True, slots=True)
class GroupTerm:
    """A named group as one term: the hits of all its members, weighted once."""

    label: str
    weight: float
    lang: str | None
    line: int
    members: tuple[PatternTerm, ...]

    def hits(self, doc: Document) -> list[Hit]:
        if not _language_ok(self.lang, doc):
            return []
        found = [h for member in self.members for h in member.hits(doc)]
        return sorted(found, key=lambda h: (h.field, h.start, h.end))


Term = PatternTerm | NearTerm | GroupTerm


@dataclass(frozen=True, slots=True)
class Block:
    """A compiled combination block (see `BlockSpec`)."""

    label: str
    any: tuple[Term, ...]
    all: tuple[tuple[Term, ...], ...]
    none: tuple[Term, ...]
    threshold: float
    line: int


@dataclass(frozen=True, slots=True)
class CompiledTopic:
    """A topic ready to match: its public record, alternative blocks and examples."""

    topic: Topic
    blocks: tuple[Block, ...]
    examples: tuple[ExampleSpec, ...]
