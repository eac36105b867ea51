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


# Hits already computed for one document, by term identity: `match` asks `block_fires` and
# then `evaluate_block` about the same terms of the same item.
HitCache = dict[int, tuple[Hit, ...]]


def _hits(term: Term, doc: Document, cache: HitCache | None) -> tuple[Hit, ...]:
    if cache is None:
        return tuple(term.hits(doc))
    key = id(term)
    found = cache.get(key)
    if found is None:
        found = cache[key] = tuple(term.hits(doc))
    return found


def _results(
    terms: tuple[Term, ...], doc: Document, cache: HitCache | None = None
) -> tuple[TermResult, ...]:
    return tuple(TermResult(t, _hits(t, doc, cache)) for t in terms)


def _first_hit(
    terms: tuple[Term, ...], doc: Document, cache: HitCache | None
) -> tuple[TermResult, ...]:
    """Results up to the first term that hits; the rest count as not hitting."""
    out = []
    for term in terms:
        hits = _hits(term, doc, cache)
        out.append(TermResult(term, hits))
        if hits:
            break
    return tuple(out) + tuple(TermResult(t, ()) for t in terms[len(out) :])


def evaluate_block(
    block: Block, doc: Document, *, complete: bool = True, cache: HitCache | None = None
) -> BlockResult:
    """Evaluate one block: every term (for explanations), or, with `complete=False`, the
    `all` entries of a block with `any` only up to their first hit.

    There the `all` entries are gates ("Russia is named somewhere"); the evidence shows one
    hit of each and the `any` hits in full (see `bot.matching.evidence`), so a gate written as
    a hundred-word group is not searched a hundred times for an alert. `cache` shares hits
    already computed for this document (by `block_fires`).
    """
    any_ = _results(block.any, doc, cache)
    if complete or not block.any:
        all_ = tuple(_results(group, doc, cache) for group in block.all)
    else:
        all_ = tuple(_first_hit(group, doc, cache) for group in block.all)
    none = _results(block.none, doc, cache)
    if block.any:
        score = sum(r.term.weight for r in any_ if r.matched)
        threshold = block.threshold
    else:
        score = float(sum(1 for group in all_ if any(r.matched for r in group)))
        threshold = float(len(all_))
    return BlockResult(block, any_, all_, none, score, threshold)


def block_fires(block: Block, doc: Document, cache: HitCache | None = None) -> bool:
    """Whether `block` fires, computing as few hits as possible.

    The same verdict as `evaluate_block(block, doc).fired`, but it stops at the first hit of
    each `all` entry and of `none`, and stops adding `any` weights as soon as the threshold is
    reached or can no longer be reached. Most candidate items do not fire, so `match` asks
    this first and evaluates fully (for the evidence) only the blocks that fire.
    """
    for group in block.all:
        if not any(_hits(t, doc, cache) for t in group):
            return False
    if block.any:
        score = 0.0
        remaining = sum(t.weight for t in block.any)
        for term in block.any_by_weight:
            remaining -= term.weight
            if _hits(term, doc, cache):
                score += term.weight
                if score >= block.threshold:
                    break
            elif score + remaining < block.threshold:
                return False
        if score < block.threshold:
            return False
    return not any(_hits(t, doc, cache) for t in block.none)


def evaluate_topic(topic: CompiledTopic, doc: Document) -> tuple[BlockResult, ...]:
    """Evaluate every alternative block of a topic."""
    return tuple(evaluate_block(b, doc) for b in topic.blocks)
