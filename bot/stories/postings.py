"""The story index's postings: the members holding each key term, by the days they came out,
so an item is compared only with members that share its rarer terms and came out near it
(pure)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.stories.clock import Clock

COMMON_SHARE = 0.1  # a term in more than this share of the window's reports finds no candidates
DAYS_PER_KEY = 3  # the postings of a term are kept per this many days
# The two bounds below keep the work of a neighbourhood bounded; up to them, the links are
# complete, so the stories do not depend on arrival order (see `bot.stories.index`).
MAX_PLAUSIBLE = 40  # most members an item is scored against (besides near-copies)
COMMON_MINIMUM = 80  # …when that is more than this many (a small index compares everything)

_Postings = defaultdict[int, list[int]]


class Postings:
    """Members posted under their key terms by the period they came out in, read the way
    `bot.stories.clock.apart` compares two reports.

    A member with a publication time is posted by it; a member known only by its fetch time,
    by that. A dated item reads the dated members of its publication days and the undated ones
    of its fetch days; an undated item reads the undated members of its fetch days and the dated
    members *fetched* on them. That last posting is built at the first undated item: a poll of
    feeds that all give dates never needs it (a cold poll's postings would double)."""

    __slots__ = ("_dated", "_fetched", "_keys", "_undated", "clocks")

    def __init__(self) -> None:
        # (term, period) → members: only the periods within the window are read, which
        # matters when a first poll brings weeks of history.
        self._dated: _Postings = defaultdict(list)
        self._undated: _Postings = defaultdict(list)
        self._fetched: _Postings | None = None  # dated members by fetch time, once needed
        self._keys: list[Iterable[int]] = []  # each member's (to build `_fetched` from)
        self.clocks: list[Clock] = []  # each member's (the index reads them too)

    def add(self, member: int, keys: Iterable[int], clock: Clock) -> None:
        """Post member number `member` (members are added in order, from 0)."""
        self._keys.append(keys)
        self.clocks.append(clock)
        if clock.dated:
            _post(self._dated, member, keys, clock.published)
            if self._fetched is not None:
                _post(self._fetched, member, keys, clock.fetched)
        else:
            _post(self._undated, member, keys, clock.fetched)

    def plausible(
        self, keys: Iterable[int], clock: Clock, window: timedelta, members: int
    ) -> set[int]:
        """Members sharing two key terms with an item that are not in every report (one if it
        has two), in the periods within `window` of it; at most `MAX_PLAUSIBLE`, those sharing
        most terms."""
        common = max(COMMON_SHARE * members, COMMON_MINIMUM)
        sources = [(self._undated, clock.fetched)]
        if clock.dated:
            sources.append((self._dated, clock.published))
        else:
            sources.append((self._fetched_postings(), clock.fetched))
        spans = [(postings, _periods(when, window)) for postings, when in sources if postings]
        found = []
        for term in keys:
            lists = [
                held for postings, periods in spans for period in periods
                if (held := postings.get(term << 20 | period))
            ]  # fmt: skip
            if sum(map(len, lists)) <= common:  # a term in every report finds nothing
                found.append(lists)
        needed = 1 if len(found) <= 2 else 2
        hits: Counter[int] = Counter()
        for lists in found:
            for held in lists:
                hits.update(held)  # counted in C
        plausible = [i for i, n in hits.items() if n >= needed]
        if len(plausible) > MAX_PLAUSIBLE:  # the members sharing most terms, then the newest
            plausible = sorted(plausible, key=lambda i: (-hits[i], -i))[:MAX_PLAUSIBLE]
        return set(plausible)

    def _fetched_postings(self) -> _Postings:
        if self._fetched is None:
            self._fetched = defaultdict(list)
            for member, (keys, clock) in enumerate(zip(self._keys, self.clocks, strict=True)):
                if clock.dated:
                    _post(self._fetched, member, keys, clock.fetched)
        return self._fetched


def _post(postings: _Postings, member: int, keys: Iterable[int], when: datetime) -> None:
    period = _period(when)
    for term in keys:
        postings[term << 20 | period].append(member)


def _period(when: datetime) -> int:
    """The period of `DAYS_PER_KEY` days `when` falls in; with a term, one int (`term << 20 |
    period`: the period number fits in 20 bits). Periods of three days: a 72 h window reads
    three or four lists per term, not seven."""
    return when.toordinal() // DAYS_PER_KEY


def _periods(when: datetime, window: timedelta) -> range:
    return range(_period(when - window), _period(when + window) + 1)
