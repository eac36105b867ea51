"""Compiled terms: find their hits in a `Document` (patterns, scoped exclusions, `near`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace
from typing import Any

from bot.matching.document import Document, Field, Hit
from bot.matching.regex import find_spans
from bot.matching.spec import ExampleSpec
from bot.models import Topic

# What may separate the words of a phrase in a text: spaces, hyphens/dashes, quotes, apostrophes.
SEPARATORS = " -‐‑‒–—'\"“”„«»‘’ʼ"


@dataclass(frozen=True, slots=True, eq=False)
class WordPattern:
    """A word or phrase: a sequence of word atoms, each gap a separator run (None) or literal."""

    label: str
    words: tuple[int, ...]
    gaps: tuple[str | None, ...]
    trigger: int  # one atom every hit needs (the longest word's): used by the prefilter

    def _continues(self, field: Field, first: int) -> bool:
        offsets, text = field.offsets, field.text
        for offset, (atom, gap) in enumerate(zip(self.words[1:], self.gaps, strict=True), 1):
            index = first + offset
            if atom not in field.atoms[index]:
                return False
            between = text[offsets[2 * index - 1] : offsets[2 * index]]
            if gap is None and between.strip(SEPARATORS):
                return False
            if gap is not None and "".join(between.split()).casefold() != gap:
                return False
        return True

    def hits(self, doc: Document) -> list[Hit]:
        found = doc.memo.get(id(self))
        if found is not None:
            return found
        found, extra = [], len(self.words) - 1
        for index, field in enumerate(doc.fields):
            for first in field.occurrences.get(self.words[0], ()):
                if first + extra < len(field.tokens) and (
                    not extra or self._continues(field, first)
                ):
                    found.append(doc.word_hit(index, first, first + extra))
        doc.memo[id(self)] = found
        return found


@dataclass(frozen=True, slots=True, eq=False)
class RegexPattern:
    """A regex (RE2, guarded to whole words); `atom` is its entry in the lexicon's set."""

    label: str
    atom: int
    regex: Any

    @property
    def trigger(self) -> int:
        return self.atom

    def hits(self, doc: Document) -> list[Hit]:
        found = doc.memo.get(id(self))
        if found is not None:
            return found
        found = []
        for index, field in enumerate(doc.fields):
            if self.atom in doc.regexes(index):
                for start, end in find_spans(self.regex, field.utf8):
                    found.append(doc.hit(index, field.char_offset(start), field.char_offset(end)))
        doc.memo[id(self)] = found
        return found


Pattern = WordPattern | RegexPattern


def _language_ok(lang: str | None, doc: Document) -> bool:
    return lang is None or doc.language == lang


@dataclass(frozen=True, slots=True)
class PatternTerm:
    """A weighted pattern; a hit overlapping a hit of an `unless` pattern (or of an `unless`
    near pair, which spans both of its words) does not count."""

    label: str
    weight: float
    lang: str | None
    line: int
    pattern: Pattern
    unless: tuple[Pattern | NearTerm, ...] = ()

    def hits(self, doc: Document) -> list[Hit]:
        if self.pattern.trigger not in doc.present or not _language_ok(self.lang, doc):
            return []
        found = self.pattern.hits(doc)
        if found and self.unless:
            vetoes = [v for p in self.unless for v in p.hits(doc)]
            found = [h for h in found if not any(h.overlaps(v) for v in vetoes)]
        return found


def triggers_of(terms: tuple[PatternTerm, ...]) -> frozenset[int]:
    """The atoms of which one must occur for any of `terms` to hit."""
    return frozenset(t.pattern.trigger for t in terms)


def by_trigger(terms: tuple[PatternTerm, ...]) -> dict[int, tuple[PatternTerm, ...]]:
    """Terms filed under their trigger atom, so a text only visits the terms it can hit."""
    found: dict[int, list[PatternTerm]] = {}
    for term in terms:
        found.setdefault(term.pattern.trigger, []).append(term)
    return {atom: tuple(group) for atom, group in found.items()}


def _side_hits(
    terms: dict[int, tuple[PatternTerm, ...]], triggers: frozenset[int], doc: Document
) -> list[Hit]:
    """The hits of several pattern terms (filed by trigger): only those whose trigger occurs."""
    present = doc.present
    if present.isdisjoint(triggers):
        return []
    return [h for atom in triggers.intersection(present) for t in terms[atom] for h in t.hits(doc)]


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
    left_triggers: frozenset[int] = dataclasses.field(init=False, repr=False, compare=False)
    right_triggers: frozenset[int] = dataclasses.field(init=False, repr=False, compare=False)
    left_by_trigger: dict[int, tuple[PatternTerm, ...]] = dataclasses.field(
        init=False, repr=False, compare=False
    )
    right_by_trigger: dict[int, tuple[PatternTerm, ...]] = dataclasses.field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "left_triggers", triggers_of(self.left))
        object.__setattr__(self, "right_triggers", triggers_of(self.right))
        object.__setattr__(self, "left_by_trigger", by_trigger(self.left))
        object.__setattr__(self, "right_by_trigger", by_trigger(self.right))

    def hits(self, doc: Document) -> list[Hit]:
        if not _language_ok(self.lang, doc):
            return []
        present = doc.present
        if present.isdisjoint(self.left_triggers) or present.isdisjoint(self.right_triggers):
            return []
        found = doc.memo.get(id(self))
        if found is None:
            found = doc.memo[id(self)] = self._pairs(doc)
        return found

    def _pairs(self, doc: Document) -> list[Hit]:
        lefts = _side_hits(self.left_by_trigger, self.left_triggers, doc)
        rights = _side_hits(self.right_by_trigger, self.right_triggers, doc) if lefts else []
        pairs: dict[tuple[int, int, int], Hit] = {}
        for a in lefts:
            for b in rights:
                paired = self._pairing(a, b)
                if isinstance(paired, str):
                    continue
                first, second, gap = paired
                if gap <= self.within:
                    pairs.setdefault((a.field, first.start, second.end), _pair(doc, first, second))
        return sorted(pairs.values(), key=lambda h: (h.field, h.start, h.end))

    def _pairing(self, a: Hit, b: Hit) -> tuple[Hit, Hit, int] | str:
        """A left hit `a` and a right hit `b` in text order with the words between them, or
        why they cannot pair whatever the distance (for `shortfall`)."""
        if a.field != b.field or a.overlaps(b):
            return "only in different fields (title vs body)"
        first, second = (a, b) if a.start < b.start else (b, a)
        if self.ordered and first is not a:
            return "only in the wrong order"
        if a.sentence != b.sentence and not self.across_sentences:
            return "only in different sentences"
        return first, second, first.words_between(second)

    def shortfall(self, doc: Document) -> str:
        """Why this term did not hit: a side missing, or how far apart the closest pair is.

        Only for explanations; it computes every side hit, ignoring the trigger shortcut.
        """
        lefts = [h for t in self.left for h in t.hits(doc)]
        rights = [h for t in self.right for h in t.hits(doc)]
        if not lefts or not rights:
            missing = [name for name, hits in (("left", lefts), ("right", rights)) if not hits]
            found = (lefts or rights)[:1]
            seen = f"; the other side found “{found[0].text}”" if found else ""
            return f"{' and '.join(missing)} side not found{seen}"
        pairings = [self._pairing(a, b) for a in lefts for b in rights]
        pairs = [p for p in pairings if not isinstance(p, str)]
        if not pairs:
            reasons = sorted({p for p in pairings if isinstance(p, str)})
            return "both sides found, " + " or ".join(reasons)
        first, second, gap = min(pairs, key=lambda p: p[2])
        return (
            f"closest pair “{first.text} … {second.text}” has {gap} words between, "
            f"{self.within} allowed (short by {gap - self.within})"
        )


@dataclass(frozen=True, slots=True)
class GroupTerm:
    """A named group as one term: the hits of all its members, weighted once."""

    label: str
    weight: float
    lang: str | None
    line: int
    members: tuple[PatternTerm, ...]
    triggers: frozenset[int] = dataclasses.field(init=False, repr=False, compare=False)
    members_by_trigger: dict[int, tuple[PatternTerm, ...]] = dataclasses.field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "triggers", triggers_of(self.members))
        object.__setattr__(self, "members_by_trigger", by_trigger(self.members))

    def hits(self, doc: Document) -> list[Hit]:
        if not _language_ok(self.lang, doc):
            return []
        found = _side_hits(self.members_by_trigger, self.triggers, doc)
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
    # `any` by decreasing weight, plain terms before `near` ones: the order in which
    # `block_fires` tries them, so the threshold is reached (or ruled out) soonest.
    any_by_weight: tuple[Term, ...] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ordered = sorted(self.any, key=lambda t: (-t.weight, isinstance(t, NearTerm)))
        object.__setattr__(self, "any_by_weight", tuple(ordered))


@dataclass(frozen=True, slots=True)
class CompiledTopic:
    """A topic ready to match: its public record, alternative blocks and examples."""

    topic: Topic
    blocks: tuple[Block, ...]
    examples: tuple[ExampleSpec, ...]
