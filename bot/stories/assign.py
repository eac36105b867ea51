"""Story assignment: which story each new item joins, in memory (`group_batches`) or against
the stored stories (`assign_stories`), which reads and writes through a `StoryStore`.

The deciding is here; the store only hands over the rows it needs (the members of a time range,
the stories of some items) and persists the decision (`bot.models.StoryPlan`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.models import Item, StoryJoin, StoryLead, StoryMember, StoryPlan
from bot.stories.fingerprint import Fingerprint, fingerprint
from bot.stories.index import _TEMPORARY_KEYS, THRESHOLD, WINDOW, StoryCandidate, StoryIndex

_CHUNK_SPAN = timedelta(days=7)  # items this close share one candidate query


def assign_story(
    fp: Fingerprint,
    published: datetime,
    candidates: Iterable[StoryCandidate],
    *,
    window: timedelta = WINDOW,
    threshold: float = THRESHOLD,
) -> int | None:
    """The story an item joins, by a full scan of `candidates` (see `bot.stories`);
    None to start a new story. The reference `StoryIndex.assign` is checked against."""
    index = StoryIndex(window=window, threshold=threshold, find_all=True)
    for candidate in candidates:
        index.add(candidate)
    return index.assign(fp, published)


class StoryStore(Protocol):
    """The stored stories, as assignment reads and writes them (`storage.stories.StoryRows`)."""

    def stories_of(self, item_ids: Sequence[str]) -> dict[str, int]:
        """item id → story id, for the items that belong to a story."""
        ...

    def members_between(self, since: datetime, until: datetime) -> Iterable[StoryMember]:
        """Members published in [since, until], oldest first."""
        ...

    def save(self, plan: StoryPlan) -> dict[int, int]:
        """Persist `plan`; return temporary story key → stored id."""
        ...


class StoryCache:
    """Recent stories indexed once and reused by every feed of one poll.

    Rebuilding the index from the database for each feed made a cold poll quadratic in the
    number of new items; this loads each time range once and adds new members as they are
    assigned. Drop it (make a new one) after a failed transaction.
    """

    def __init__(
        self,
        *,
        window: timedelta = WINDOW,
        threshold: float = THRESHOLD,
        started: datetime | None = None,
    ) -> None:
        self.window, self.threshold = window, threshold
        self.started = started or datetime.now(UTC)
        self.index = StoryIndex(window=window, threshold=threshold)
        self._loaded: tuple[datetime, datetime] | None = None

    def cover(self, store: StoryStore, since: datetime, until: datetime) -> StoryIndex:
        """The index, with every stored member published in [since, until] loaded."""
        if self._loaded is None:
            ranges = [(since, until)]
        else:
            low, high = self._loaded
            ranges = []
            if since < low:
                ranges.append((since, low - timedelta(microseconds=1)))
            if until > high:
                ranges.append((high + timedelta(microseconds=1), until))
            since, until = min(since, low), max(until, high)
        for start, end in ranges:
            for member in store.members_between(start, end):
                fp = Fingerprint.from_bytes(member.fingerprint)
                # A stored member counts as dated and fetched when it joined: the store keeps
                # no date origin, and a member joins in the poll that fetched it.
                candidate = StoryCandidate(
                    member.story_id, fp, member.published, member.item_id,
                    fetched=_aware(member.added_at),
                )  # fmt: skip
                # Term weights come from what was stored before this poll, so the reports of
                # the poll weigh the same whichever feed answered first.
                self.index.add(candidate, count=_aware(member.added_at) < self.started)
        self._loaded = (since, until)
        return self.index


def assign_stories(
    store: StoryStore,
    items: Sequence[Item],
    *,
    now: datetime,
    window: timedelta = WINDOW,
    threshold: float = THRESHOLD,
    cache: StoryCache | None = None,
    fingerprints: Mapping[str, Fingerprint] | None = None,
) -> dict[str, int]:
    """Put each stored item into a story (an existing one within `window`, or a new one);
    return item id -> story id. Oldest first, so a story's lead is its earliest item.

    Items close in time share one candidate query; an item joins a story formed by an earlier
    item of the same batch too. Items already in a story stay there. Every story is decided
    first, then `store.save` persists the decisions in a few statements.
    """
    if cache is None:
        cache = StoryCache(window=window, threshold=threshold, started=now)
    ordered = sorted(items, key=lambda i: (i.published, i.id))
    known = store.stories_of([item.id for item in ordered])
    prints = fingerprints or {}
    decided: list[tuple[Item, int, bytes]] = []  # story keys: stored ids or temporary
    position: dict[str, int] = {}  # item id → its place in the index
    start = 0
    while start < len(ordered):
        end = start
        while (
            end < len(ordered) and ordered[end].published - ordered[start].published <= _CHUNK_SPAN
        ):
            end += 1
        since, until = ordered[start].published - window, ordered[end - 1].published + window
        index = cache.cover(store, since, until)
        for item in ordered[start:end]:
            fp = prints.get(item.id) or fingerprint(item)
            key = known.get(item.id)
            if key is None:
                key = index.place(fp, item.published, fetched=item.fetched, dated=item.dated)
                if key is None:
                    key = index.temporary_key()
                decided.append((item, key, fp.to_bytes()))
            index.add(_candidate(key, fp, item), count=False)
            position[item.id] = len(index) - 1
        start = end
    index = cache.index
    # Re-cluster what this batch touched: the stories then do not depend on arrival order.
    moved = {c.item_id: c for c in index.settle(position[item.id] for item, _, _ in decided)}
    if not decided:
        return known
    joins = tuple(
        StoryJoin(item, index.story_at(position[item.id]), blob) for item, _, blob in decided
    )
    alive = {j.story_key for j in joins}
    batch = {j.item.id for j in joins}
    # Stored members the re-clustering moved.
    relocated = {
        item_id: c.story_key for item_id, c in moved.items() if item_id and item_id not in batch
    }
    # A re-clustering may split a stored story: the part that leaves, with no member of this
    # batch, becomes a new story led by its earliest member.
    founded = _founded(index, [c for i, c in moved.items() if i in relocated], alive)
    plan = StoryPlan(
        joins=joins,
        new_keys=tuple(dict.fromkeys(k for j in joins if (k := j.story_key) > _TEMPORARY_KEYS)),
        founded=founded,
        relocated=relocated,
        now=now,
    )
    ids = store.save(plan)
    index.rekey(ids)
    result = known | {j.item.id: ids.get(j.story_key, j.story_key) for j in joins}
    return result | {i: ids.get(k, k) for i, k in relocated.items() if i in result}


def _founded(
    index: StoryIndex, moved: Iterable[StoryCandidate], alive: set[int]
) -> tuple[StoryLead, ...]:
    """The new stories only stored members moved into, each with its earliest member."""
    leads: dict[int, StoryCandidate] = {}
    for candidate in moved:
        key = candidate.story_key
        if key > _TEMPORARY_KEYS and key not in alive:
            held = leads.get(key)
            if held is None or (candidate.published, candidate.item_id) < (
                held.published,
                held.item_id,
            ):
                leads[key] = candidate
    return tuple(
        StoryLead(key, c.item_id, c.published, c.fingerprint.to_bytes())
        for key, c in sorted(leads.items())
    )


def _candidate(key: int, fp: Fingerprint, item: Item) -> StoryCandidate:
    return StoryCandidate(key, fp, item.published, item.id, item.fetched, item.dated)


def _aware(when: datetime) -> datetime:
    """SQLite hands back naive UTC datetimes, PostgreSQL aware ones."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def group(
    items: Sequence[Item], *, window: timedelta = WINDOW, threshold: float = THRESHOLD
) -> list[list[Item]]:
    """Cluster items into stories, oldest first within and across stories (for the CLI/tests)."""
    return group_batches([items], window=window, threshold=threshold)


def group_batches(
    batches: Iterable[Sequence[Item]],
    *,
    window: timedelta = WINDOW,
    threshold: float = THRESHOLD,
) -> list[list[Item]]:
    """Cluster items arriving in batches (one per feed of a poll), as the pipeline does: each
    batch oldest first, joining the stories the earlier batches formed. The batches are one
    poll: the term weights count no stored reports (there are none here)."""
    index = StoryIndex(window=window, threshold=threshold)
    placed: list[Item] = []  # index position → item
    stories = 0
    for batch in batches:
        first = len(placed)
        for item in sorted(batch, key=lambda i: (i.published, i.id)):
            fp = fingerprint(item)
            key = index.place(fp, item.published, fetched=item.fetched, dated=item.dated)
            if key is None:
                key, stories = stories, stories + 1
            index.add(_candidate(key, fp, item), count=False)
            placed.append(item)
        index.settle(range(first, len(placed)))
    grouped: dict[int, list[Item]] = defaultdict(list)
    for position, item in enumerate(placed):
        grouped[index.story_at(position)].append(item)
    return [sorted(m, key=lambda i: (i.published, i.id)) for _, m in sorted(grouped.items())]
