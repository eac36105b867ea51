"""Which topics can possibly fire on a text, from the atoms it contains (no positions needed).

Every compiled topic gets a *trigger set*: atoms of which at least one must occur for any of
its blocks to fire. For a block, that is either the union of its `any` terms' triggers (a
positive threshold needs one hit) or the triggers of one `all` entry (each must hit) —
whichever is smaller. A `near` needs both sides, so its smaller side suffices; a phrase needs
all its words, so its longest word suffices. Topics whose set misses the text are skipped;
the rest are checked once more without positions (`block_possible`: could the possible `any`
terms reach the threshold, is every `all` entry possible?) before they are evaluated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.matching.terms import (
    Block,
    CompiledTopic,
    GroupTerm,
    NearTerm,
    PatternTerm,
    Term,
    WordPattern,
)


def _members(terms: Iterable[PatternTerm]) -> frozenset[int]:
    return frozenset(t.pattern.trigger for t in terms)


def term_triggers(term: Term) -> frozenset[int]:
    """Atoms of which one must occur for `term` to hit."""
    if isinstance(term, NearTerm):
        return min(_members(term.left), _members(term.right), key=len)
    if isinstance(term, GroupTerm):
        return _members(term.members)
    return frozenset((term.pattern.trigger,))


def block_triggers(block: Block) -> frozenset[int]:
    """Atoms of which one must occur for `block` to fire."""
    options = [frozenset().union(*(term_triggers(t) for t in group)) for group in block.all]
    if block.any:
        options.append(frozenset().union(*(term_triggers(t) for t in block.any)))
    return min(options, key=len)


# What a term needs, without positions: one of `singles` occurs, or every atom of one of
# `multi` (the words of a phrase) occurs; `firsts` holds one atom of each phrase, so most texts
# are ruled out by two set operations. A `near` needs both of its sides.
Need = tuple[frozenset[int], frozenset[int], tuple[frozenset[int], ...]]
TermNeeds = tuple[Need, ...]


def _need(terms: Iterable[PatternTerm]) -> Need:
    singles: set[int] = set()
    multi: list[frozenset[int]] = []
    for term in terms:
        pattern = term.pattern
        if isinstance(pattern, WordPattern) and len(set(pattern.words)) > 1:
            multi.append(frozenset(pattern.words))
        else:
            singles.add(pattern.trigger)
    firsts = frozenset(min(m) for m in multi)  # any one atom of a phrase is necessary
    return frozenset(singles), firsts, tuple(multi)


def term_needs(term: Term) -> TermNeeds:
    """What `term` needs in order to hit (every `Need` of the tuple)."""
    if isinstance(term, NearTerm):
        return (_need(term.left), _need(term.right))
    if isinstance(term, GroupTerm):
        return (_need(term.members),)
    return (_need((term,)),)


def _met(needs: TermNeeds, present: set[int]) -> bool:
    for singles, firsts, multi in needs:
        if present.isdisjoint(singles) and (
            present.isdisjoint(firsts) or not any(m <= present for m in multi)
        ):
            return False
    return True


BlockCheck = tuple[float, tuple[tuple[float, TermNeeds], ...], tuple[tuple[TermNeeds, ...], ...]]


def block_check(block: Block) -> BlockCheck:
    """A block's `any` weights and needs, and its `all` entries' needs."""
    any_ = tuple((t.weight, term_needs(t)) for t in block.any)
    all_ = tuple(tuple(term_needs(t) for t in group) for group in block.all)
    return (block.threshold if block.any else 0.0), any_, all_


def block_possible(check: BlockCheck, present: set[int]) -> bool:
    """Could the block fire: enough weight among possible `any` terms, every `all` entry?"""
    threshold, any_, all_ = check
    if any_ and sum(w for w, needs in any_ if _met(needs, present)) < threshold:
        return False
    return all(any(_met(needs, present) for needs in group) for group in all_)


class Prefilter:
    """An inverted index atom → topics, over the topics' trigger sets."""

    def __init__(self, topics: Sequence[CompiledTopic]) -> None:
        self._checks = [tuple(block_check(b) for b in topic.blocks) for topic in topics]
        index: dict[int, list[int]] = {}
        for position, topic in enumerate(topics):
            triggers = frozenset().union(*(block_triggers(b) for b in topic.blocks))
            for atom in triggers:
                index.setdefault(atom, []).append(position)
        self._index = {atom: tuple(positions) for atom, positions in index.items()}

    def candidates(self, present: set[int]) -> list[int]:
        """Positions of the topics that may fire, in order."""
        index = self._index
        found: set[int] = set()
        for atom in present:
            positions = index.get(atom)
            if positions:
                found.update(positions)
        checks = self._checks
        return [
            position
            for position in sorted(found)
            if any(block_possible(check, present) for check in checks[position])
        ]
