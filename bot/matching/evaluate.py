"""Evaluate compiled blocks against a document: which terms hit, the score, the verdict."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bot.matching.document import Document, Hit
from bot.matching.terms import Block, CompiledTopic, Term


@dataclass(frozen=True, slots=True)
class TermResult:
    """A term and its hits in one document (empty when it did not match)."""

    term: Term
    hits: tuple[Hit, ...]

    @property
    def matched(self) -> bool:
        return bool(self.hits)


@dataclass(frozen=True, slots=True)
class BlockResult:
    """Every term of a block evaluated, and the block's score against its threshold.

    With an `any` group the score is the sum of the weights of the distinct `any` terms that
    hit; without one it is the number of `all` entries satisfied, against their count.
    """

    block: Block
    any: tuple[TermResult, ...]
    all: tuple[tuple[TermResult, ...], ...]
    none: tuple[TermResult, ...]
    score: float
    threshold: float

    @property
    def any_ok(self) -> bool:
        return not self.block.any or self.score >= self.threshold

    @property
    def all_ok(self) -> bool:
        return all(any(r.matched for r in group) for group in self.all)

    @property
    def vetoed(self) -> bool:
        return any(r.matched for r in self.none)

    @property
    def fired(self) -> bool:
        return self.any_ok and self.all_ok and not self.vetoed

    def positive(self) -> Iterator[TermResult]:
        """The `any` and `all` results that hit, in rule order."""
        yield from (r for r in self.any if r.matched)
        for group in self.all:
            yield from (r for r in group if r.matched)


def _results(terms: tuple[Term, ...], doc: Document) -> tuple[TermResult, ...]:
    return tuple(TermResult(t, tuple(t.hits(doc))) for t in terms)


def evaluate_block(block: Block, doc: Document) -> BlockResult:
    """Evaluate one block completely (the explanation needs every term)."""
    any_ = _results(block.any, doc)
    all_ = tuple(_results(group, doc) for group in block.all)
    none = _results(block.none, doc)
    if block.any:
        score = sum(r.term.weight for r in any_ if r.matched)
        threshold = block.threshold
    else:
        score = float(sum(1 for group in all_ if any(r.matched for r in group)))
        threshold = float(len(all_))
    return BlockResult(block, any_, all_, none, score, threshold)


def block_fires(block: Block, doc: Document) -> bool:
    """Whether `block` fires, computing as few hits as possible.

    The same verdict as `evaluate_block(block, doc).fired`, but it stops at the first hit of
    each `all` entry and of `none`, and stops adding `any` weights as soon as the threshold is
    reached or can no longer be reached. Most candidate items do not fire, so `match` asks
    this first and evaluates fully (for the evidence) only the blocks that fire.
    """
    for group in block.all:
        if not any(t.hits(doc) for t in group):
            return False
    if block.any:
        score = 0.0
        remaining = sum(t.weight for t in block.any)
        for term in block.any_by_weight:
            remaining -= term.weight
            if term.hits(doc):
                score += term.weight
                if score >= block.threshold:
                    break
            elif score + remaining < block.threshold:
                return False
        if score < block.threshold:
            return False
    return not any(t.hits(doc) for t in block.none)


def evaluate_topic(topic: CompiledTopic, doc: Document) -> tuple[BlockResult, ...]:
    """Evaluate every alternative block of a topic."""
    return tuple(evaluate_block(b, doc) for b in topic.blocks)
