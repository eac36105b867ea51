"""The recent-stories index: which story an item joins, merges, and the re-clustering of a
batch's neighbourhood (pure)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.stories.clock import Clock, apart
from bot.stories.fingerprint import NEAR_DUPLICATE, Fingerprint, _jaccard
from bot.stories.linkage import average_linkage
from bot.stories.pair_scores import PairScores, pair_key
from bot.stories.postings import Postings
from bot.stories.prior import bundled_prior
from bot.stories.similarity import Weights, _score, _Terms, recency, told_apart, vetoed

WINDOW = timedelta(hours=72)  # members of a story are published within this of each other
THRESHOLD = 0.20  # score at or above which an item joins a story
_BLOCK_POSITIONS = 16  # smallest sketch values indexed for near-duplicate look-up
# This bound and the two of `bot.stories.postings` keep the work of a neighbourhood bounded; up
# to them, the links and the re-clustering are complete, so the stories do not depend on
# arrival order. 80 holds a backlog of feeds that give no dates (every report at one instant):
# the labelled real sets of 67-96 reports, the issue's own set of 69 (#15).
MAX_COMPONENT = 80  # StoryIndex.settle: larger neighbourhoods keep the online decisions
_TEMPORARY_KEYS = 1 << 62  # story keys above this are stories not stored yet
_VETOED = -1.0  # `StoryIndex._pair` of a vetoed pair


@dataclass(frozen=True, slots=True)
class StoryCandidate:
    """A member of a recent story, as the index holds it (a stored one comes from a
    `bot.models.StoryMember`)."""

    story_key: int
    fingerprint: Fingerprint
    published: datetime  # the fetch time when `dated` is False
    item_id: str = ""  # the stored item, when a re-clustering may move it to another story
    fetched: datetime | None = None  # when it was fetched; None: when it was published
    dated: bool = True  # whether its feed, page or text gave a publication time

    @property
    def clock(self) -> Clock:
        """Its times, as grouping compares two reports (`bot.stories.clock`)."""
        return Clock.at(self.published, self.fetched, self.dated)


class StoryIndex:
    """Recent story members, indexed so `assign` compares an item only with plausible ones.

    Members are posted under their headline terms and the language-neutral terms of their
    lead, by day (`bot.stories.postings`); an item is compared with the members that share two
    such terms with it (one, when it has at most two), leaving out terms in more than
    `COMMON_SHARE` of the index ("Russia" in hundreds of reports finds nothing the rarer terms do
    not), and with members that share one of the `_BLOCK_POSITIONS` smallest sketch values
    (near-duplicates); at most `MAX_PLAUSIBLE` of the first, those sharing most terms. Two
    reports are compared in time like with like (`bot.stories.clock`). `find_all` compares every
    member (the full scan). The index also holds the term weights (`Weights`) of its members.
    Build it once per batch and `add` each item once assigned.
    """

    def __init__(
        self,
        candidates: Iterable[StoryCandidate] = (),
        *,
        window: timedelta = WINDOW,
        threshold: float = THRESHOLD,
        find_all: bool = False,
    ) -> None:
        self.window, self.threshold = window, threshold
        self._find_all = find_all
        self._candidates: list[StoryCandidate] = []
        self._terms: list[_Terms] = []
        self._temporary: list[int] = []  # positions of candidates with a temporary key
        self._next_temporary = 0
        self._postings = Postings()
        self._clocks = self._postings.clocks  # each member's times, posted with its terms
        # smallest sketch value → a member, or a list of them (most values belong to one member:
        # no list for those halves the index's memory)
        self._by_sketch: dict[int, int | list[int]] = {}
        self.weights = Weights(bundled_prior())
        self._members: dict[int, list[int]] = defaultdict(list)  # story → member positions
        self._probe: tuple[Fingerprint | None, _Terms | None] = (None, None)  # last decided
        self._fits: dict[int, float] = {}  # the last `place`: members it scored at threshold
        # member → the members it scores at or above the threshold with (both directions), for
        # the members whose links are known: the ones `place`d, and the ones `settle` reached.
        self._links: dict[int, dict[int, float]] = {}
        self._known: set[int] = set()  # members whose links were all looked for
        self._pairs = PairScores()  # `_pair` scores, while the weights stay the same
        for candidate in candidates:
            self.add(candidate)

    def __len__(self) -> int:
        return len(self._candidates)

    def temporary_key(self) -> int:
        """A key for a story not stored yet: above every stored id, so ties still go to the
        older story; `rekey` swaps it for the stored id."""
        self._next_temporary += 1
        return _TEMPORARY_KEYS + self._next_temporary

    def rekey(self, keys: Mapping[int, int]) -> None:
        """Replace temporary story keys by the ids the stories got when stored."""
        pending = []
        for position in self._temporary:
            candidate = self._candidates[position]
            key = keys.get(candidate.story_key)
            if key is None:
                pending.append(position)
            else:
                self._candidates[position] = replace(candidate, story_key=key)
        self._temporary = pending
        for old, new in keys.items():
            if old in self._members:
                self._members[new].extend(self._members.pop(old))

    def story_at(self, position: int) -> int:
        """The story of the member added `position`-th (after moves)."""
        return self._candidates[position].story_key

    def add(self, candidate: StoryCandidate, *, count: bool = True) -> None:
        """Make a story member available to later `assign` calls; `count` it in the term
        weights (the reports of the current poll are not: see `assign.StoryCache`)."""
        index = len(self._candidates)
        self._candidates.append(candidate)
        self._members[candidate.story_key].append(index)
        fp = candidate.fingerprint
        probe_fp, probe = self._probe
        terms = probe if probe_fp is fp and probe is not None else _Terms.of(fp)
        self._terms.append(terms)
        if probe_fp is fp and probe is not None:
            self._link(index, self._fits)
            self._known.add(index)
            self._fits = {}
            if not self._find_all:  # (the full scan reads every near-copy, not a block's)
                self._pairs.keep_placed(index, self.weights.version)
        if count:
            self.weights.count(terms.terms)
        if candidate.story_key > _TEMPORARY_KEYS:
            self._temporary.append(index)
        self._postings.add(index, terms.keys, candidate.clock)
        for value in fp.minhash[:_BLOCK_POSITIONS]:
            held = self._by_sketch.setdefault(value, index)
            if held is not index:
                if isinstance(held, int):
                    self._by_sketch[value] = [held, index]
                else:
                    held.append(index)

    def _plausible(self, probe: _Terms, clock: Clock) -> set[int]:
        """Members sharing two terms that are not in every report (one if it has two)."""
        if self._find_all:
            return set(range(len(self._candidates)))
        return self._postings.plausible(probe.keys, clock, self.window, len(self._candidates))

    def _near(self, fp: Fingerprint) -> set[int]:
        found: set[int] = set()
        for value in fp.minhash[:_BLOCK_POSITIONS]:
            held = self._by_sketch.get(value)
            if isinstance(held, int):
                found.add(held)
            elif held is not None:
                found.update(held)
        return found

    def assign(
        self, fp: Fingerprint, published: datetime, *, fetched: datetime | None = None,
        dated: bool = True,
    ) -> int | None:  # fmt: skip
        """The story `fp` would be placed in (None: a new story); changes nothing. `fetched`
        and `dated` as in `StoryCandidate`."""
        return self._decide(fp, Clock.at(published, fetched, dated))

    def place(
        self, fp: Fingerprint, published: datetime, *, fetched: datetime | None = None,
        dated: bool = True,
    ) -> int | None:  # fmt: skip
        """The story `fp` is first placed in (None: a new story); `add` it next. `settle`
        revises the placement with the rest of the batch."""
        return self._decide(fp, Clock.at(published, fetched, dated))

    def settle(self, positions: Iterable[int]) -> list[StoryCandidate]:
        """Re-cluster the neighbourhood of these members from scratch; return the members
        whose story changed, with their new key.

        The neighbourhood is the single-linkage component at the threshold: every member
        reachable through pairs scoring at or above it. Average linkage never joins two reports
        across components (an average at or above the threshold needs one pair at or above it),
        so clustering each component alone gives the stories clustering everything would, and
        the same stories whichever report arrived first (ties go to the earlier report)."""
        moved: list[StoryCandidate] = []
        sketches: dict[int, frozenset[int]] = {}
        known = self._pairs.current(self.weights.version)

        covered: set[int] = set()
        for start in sorted(set(positions)):
            if start in covered:
                continue
            component = self._component(start)
            covered.update(component)
            if not 2 <= len(component) <= MAX_COMPONENT:
                continue  # alone, or too large to re-cluster: the placement stands

            def score(a: int, b: int, members: list[int] = component) -> float:
                i, j = members[a], members[b]  # `_VETOED` (negative) when vetoed
                held = known.get(pair_key(i, j))
                return self._scored(i, j, sketches) if held is None else held

            terms = [self._terms[i] for i in component]
            sides = [(t.subject, t.title_polities, t.agent, t.targets, t.speaker) for t in terms]

            def floored(a: int, b: int, held: list[_Terms] = terms) -> bool:
                return held[a].script == held[b].script and told_apart(held[a], held[b])

            clusters = average_linkage(len(component), score, self.threshold, sides, floored)
            moved += self._relabel([[component[a] for a in group] for group in clusters])
        return moved

    def _component(self, start: int) -> list[int]:
        """The members reachable from `start` through links and shared stories (stops a
        little past `MAX_COMPONENT`), earliest first."""
        seen: set[int] = set()
        frontier = [start]
        while frontier and len(seen) <= MAX_COMPONENT:
            i = frontier.pop()
            if i not in seen:
                seen.add(i)
                frontier.extend(j for j in self._neighbours(i) if j not in seen)
                # …and the other members of its story: a story is re-clustered whole
                key = self._candidates[i].story_key
                frontier.extend(j for j in self._members.get(key, ()) if j not in seen)
        return sorted(seen, key=self._order)

    def _order(self, i: int) -> tuple[datetime, str, int]:
        candidate = self._candidates[i]
        return candidate.published, candidate.item_id, i

    def _relabel(self, clusters: list[list[int]]) -> list[StoryCandidate]:
        """Give each cluster the story most of its members are in (each story once, the
        oldest cluster first), or a new key; move the members that change story."""
        taken: set[int] = set()
        moved = []
        for group in clusters:
            held = Counter(self._candidates[i].story_key for i in group)
            free = sorted((k for k in held if k not in taken), key=lambda k: (-held[k], k))
            key = free[0] if free else self.temporary_key()
            taken.add(key)
            for i in group:
                candidate = self._candidates[i]
                home = candidate.story_key
                if home == key:
                    continue
                self._candidates[i] = replace(candidate, story_key=key)
                if key > _TEMPORARY_KEYS and i not in self._temporary:
                    self._temporary.append(i)
                self._members[home].remove(i)
                if not self._members[home]:
                    del self._members[home]
                self._members[key].append(i)
                moved.append(self._candidates[i])
        return moved

    def _scored(self, i: int, j: int, sketches: dict[int, frozenset[int]]) -> float:
        """`_pair`, remembered until the weights change."""
        key = pair_key(i, j)
        scores = self._pairs.current(self.weights.version)
        score = scores.get(key)
        if score is None:
            score = scores[key] = self._pair(i, j, sketches, self._pairs.unvetoed(key))
        return score

    def _pair(
        self,
        i: int,
        j: int,
        sketches: dict[int, frozenset[int]] | None = None,
        unvetoed: float | None = None,
    ) -> float:
        """Two members' score as `_decide` scores an item and a member, `_VETOED` when vetoed;
        `sketches` keeps the members' smallest sketch values as sets from one call to the next."""
        a, b = self._candidates[i], self._candidates[j]
        gap = apart(self._clocks[i], self._clocks[j])
        if abs(gap) > self.window:  # too far apart to be one event
            return _VETOED if vetoed(self._terms[i], self._terms[j]) else 0.0
        sketch, other = a.fingerprint.minhash, b.fingerprint.minhash
        block = sketches.get(i) if sketches is not None else None
        if block is None:
            block = frozenset(sketch[:_BLOCK_POSITIONS])
            if sketches is not None:
                sketches[i] = block
        near = 0.0  # as in `_decide`: only members sharing a block value are near-copies
        if not block.isdisjoint(other[:_BLOCK_POSITIONS]):
            near = _jaccard(sketch, frozenset(sketch), other)
            if near >= NEAR_DUPLICATE:
                return near
        if vetoed(self._terms[i], self._terms[j]):
            return _VETOED
        if unvetoed is not None:  # the placement's score: the same `max` below
            return unvetoed
        score = _score(self._terms[i], self._terms[j], self.weights)
        return max(near, score * recency(gap, self._terms[i], self._terms[j]))

    def _decide(self, fp: Fingerprint, clock: Clock) -> int | None:
        """The story `fp` joins (its closest member's, unless a member of that story vetoes
        it), as a first placement that `settle` revises; records the members it scores at or
        above the threshold with (its links)."""
        probe = _Terms.of(fp)
        self._probe = (fp, probe)  # `add` of the same fingerprint reuses it
        by_terms = self._plausible(probe, clock)
        by_sketch = set(range(len(self._candidates))) if self._find_all else self._near(fp)
        sketch = frozenset(fp.minhash)
        scored: list[tuple[int, int, float, bool]] = []  # member, its story, score, near-copy
        for i in sorted(by_terms | by_sketch, reverse=True):  # most recent members first
            candidate = self._candidates[i]
            gap = apart(self._clocks[i], clock)
            if abs(gap) > self.window:
                continue
            near = (
                _jaccard(fp.minhash, sketch, candidate.fingerprint.minhash)
                if i in by_sketch
                else 0.0
            )
            if i not in by_terms and near < NEAR_DUPLICATE:
                continue  # a shared shingle and not two shared terms: unrelated
            if near >= NEAR_DUPLICATE:
                scored.append((i, candidate.story_key, near, True))
                continue
            score = _score(probe, self._terms[i], self.weights) * recency(
                gap, probe, self._terms[i]
            )
            scored.append((i, candidate.story_key, max(near, score), False))
        # Vetoes are read only in the stories the item could join (a member at the threshold):
        # a veto elsewhere changes nothing, and most members are elsewhere.
        stories = {key for _, key, score, _ in scored if score >= self.threshold}
        vetoing = {
            i: key
            for i, key, _, copy in scored
            if key in stories and not copy and vetoed(probe, self._terms[i])
        }
        refused = set(vetoing.values())
        best: dict[int, float] = {}
        fits: dict[int, float] = {}
        for i, key, score, _ in scored:
            if score >= self.threshold and i not in vetoing:
                fits[i] = score
                best[key] = max(best.get(key, 0.0), score)
        self._fits = fits
        self._pairs.placed(
            self.weights.version,
            [(i, _VETOED if i in vetoing else score)
             for i, key, score, copy in scored if copy or key in stories],
            [(i, score) for i, key, score, copy in scored if not copy and key not in stories],
        )  # fmt: skip
        joined = sorted((k for k in best if k not in refused), key=lambda k: (-best[k], k))
        return joined[0] if joined else None

    def _link(self, i: int, fits: Mapping[int, float]) -> None:
        """Record member `i`'s links (both directions)."""
        mine = self._links.setdefault(i, {})
        for j, score in fits.items():
            mine[j] = score
            self._links.setdefault(j, {})[i] = score

    def _neighbours(self, i: int) -> dict[int, float]:
        """The members `i` scores at or above the threshold with; computed once for a member
        that was not placed here (a stored one)."""
        links = self._links.get(i)
        if links is None or i not in self._known:
            clock = self._clocks[i]
            found = self._plausible(self._terms[i], clock) | {
                j for j in self._near(self._candidates[i].fingerprint)
                if abs(apart(self._clocks[j], clock)) <= self.window
            }  # fmt: skip
            found.discard(i)
            sketches: dict[int, frozenset[int]] = {}
            self._link(
                i, {j: s for j in found if (s := self._scored(i, j, sketches)) >= self.threshold}
            )
            self._known.add(i)
            links = self._links[i]
        return links
