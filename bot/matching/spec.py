"""Validated, not yet compiled rule records: what a rule file says, with line numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ExampleKind = Literal["match", "no_match"]


@dataclass(frozen=True, slots=True)
class PatternSpec:
    """A plain word/phrase (with `*` wildcards) or a regular expression."""

    source: str  # as written, without the `re:` prefix
    is_regex: bool
    line: int
    morph: bool = True  # plain words match their inflections (see `morphology.py`)

    @property
    def label(self) -> str:
        return f"re:{self.source}" if self.is_regex else self.source


@dataclass(frozen=True, slots=True)
class PatternTermSpec:
    """One pattern with a weight; hits inside an `unless` hit (a pattern's or a `near`
    pair's) are discarded."""

    pattern: PatternSpec
    weight: float
    lang: str | None
    unless: tuple[PatternSpec | NearTermSpec, ...]
    label: str
    line: int


@dataclass(frozen=True, slots=True)
class NearTermSpec:
    """Two term groups whose hits lie within `within` words of each other."""

    left: tuple[PatternTermSpec, ...]
    right: tuple[PatternTermSpec, ...]
    within: int
    ordered: bool
    across_sentences: bool
    weight: float
    lang: str | None
    label: str
    line: int


@dataclass(frozen=True, slots=True)
class GroupTermSpec:
    """A named group used as one term: it hits where any member hits, counted once."""

    members: tuple[PatternTermSpec, ...]
    weight: float
    lang: str | None
    label: str
    line: int


TermSpec = PatternTermSpec | NearTermSpec | GroupTermSpec


@dataclass(frozen=True, slots=True)
class BlockSpec:
    """One combination block: weighted `any`, AND of OR-groups `all`, veto `none`."""

    label: str
    any: tuple[TermSpec, ...]
    all: tuple[tuple[TermSpec, ...], ...]
    none: tuple[TermSpec, ...]
    threshold: float
    line: int


@dataclass(frozen=True, slots=True)
class ExampleSpec:
    """A text the topic must (`match`) or must not (`no_match`) fire on."""

    kind: ExampleKind
    index: int
    title: str
    text: str
    language: str | None
    line: int


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """One rule file: a topic, its alternative blocks and its examples."""

    id: str
    name: dict[str, str]
    description: dict[str, str]
    blocks: tuple[BlockSpec, ...]
    examples: tuple[ExampleSpec, ...]
    source_file: str
    id_line: int
    priority: str = "normal"  # "high": delivered at once even to chats taking a daily digest
