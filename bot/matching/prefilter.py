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
from dataclasses import dataclass

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


# What a term needs, without positions: one of `singles` occurs, or every atom of one of the
# phrases occurs. Phrases are filed under their trigger (the atom of their longest, rarest
# word), so most texts are ruled out by two set operations and only the phrases whose
# trigger occurs are checked in full. A `near` needs both of its sides.
Need = tuple[frozenset[int], frozenset[int], dict[int, tuple[frozenset[int], ...]]]
TermNeeds = tuple[Need, ...]


def _need(terms: Iterable[PatternTerm]) -> Need:
    singles: set[int] = set()
    phrases: dict[int, list[frozenset[int]]] = {}
    for term in terms:
        pattern = term.pattern
        if isinstance(pattern, WordPattern) and len(set(pattern.words)) > 1:
            phrases.setdefault(pattern.trigger, []).append(frozenset(pattern.words))
        else:
            singles.add(pattern.trigger)
    by_trigger = {atom: tuple(found) for atom, found in phrases.items()}
    return frozenset(singles), frozenset(by_trigger), by_trigger


def term_needs(term: Term) -> TermNeeds:
    """What `term` needs in order to hit (every `Need` of the tuple)."""
    if isinstance(term, NearTerm):
        return (_need(term.left), _need(term.right))
    if isinstance(term, GroupTerm):
        return (_need(term.members),)
    return (_need((term,)),)


def _met(needs: TermNeeds, present: set[int]) -> bool:
    for singles, triggers, phrases in needs:
        if not present.isdisjoint(singles):
            continue
        if present.isdisjoint(triggers) or not any(
            words <= present for atom in triggers & present for words in phrases[atom]
        ):
            return False
    return True


@dataclass(frozen=True, slots=True)
class BlockCheck:
    """What a block needs, without positions (see `block_possible`)."""

    threshold: float
    any: tuple[tuple[float, TermNeeds], ...]  # heaviest first
    all: tuple[tuple[TermNeeds, ...], ...]
    # Atom -> positions in `any` of the terms that cannot hit without it (one atom of their
    # first need must occur), so a text only looks at the terms its atoms can reach.
    reach: dict[int, tuple[int, ...]]
    reach_atoms: frozenset[int]


def block_check(block: Block) -> BlockCheck:
    """A block's `any` weights and needs (heaviest first), and its `all` entries' needs."""
    any_ = tuple((t.weight, term_needs(t)) for t in block.any_by_weight)
    all_ = tuple(_entry_needs(group) for group in block.all)
    reach: dict[int, list[int]] = {}
    for position, (_, needs) in enumerate(any_):
        singles, triggers, _ = needs[0]
        for atom in singles | triggers:
            reach.setdefault(atom, []).append(position)
    return BlockCheck(
        threshold=block.threshold if block.any else 0.0,
        any=any_,
        all=all_,
        reach={atom: tuple(found) for atom, found in reach.items()},
        reach_atoms=frozenset(reach),
    )


def _entry_needs(group: tuple[Term, ...]) -> tuple[TermNeeds, ...]:
    """The needs of one `all` entry (an OR of terms): its plain terms merged into one need,
    so an entry written as a 100-word group costs two set operations, not a hundred."""
    plain = tuple(t for t in group if isinstance(t, PatternTerm))
    merged: tuple[TermNeeds, ...] = ((_need(plain),),) if plain else ()
    return merged + tuple(term_needs(t) for t in group if not isinstance(t, PatternTerm))


def block_possible(check: BlockCheck, present: set[int]) -> bool:
    """Could the block fire: every `all` entry possible, enough weight among `any` terms?

    The `all` gates are checked first; then only the `any` terms that the text's atoms can
    reach are looked at, heaviest first, and only if their weights could reach the threshold.
    """
    for group in check.all:
        if not any(_met(needs, present) for needs in group):
            return False
    if not check.any:
        return True
    reachable: set[int] = set()
    for atom in check.reach_atoms.intersection(present):
        reachable.update(check.reach[atom])
    terms = check.any
    if sum(terms[i][0] for i in reachable) < check.threshold:
        return False
    total = 0.0
    for i in sorted(reachable):
        weight, needs = terms[i]
        if _met(needs, present):
            total += weight
            if total >= check.threshold:
                return True
    return False


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
