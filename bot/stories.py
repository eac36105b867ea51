"""Stories: reports of one real-world event, from different outlets and in English or Russian,
grouped together (pure).

A report's `Fingerprint` holds what the comparison needs, as 32-bit values so it stores as bytes:

* `title` — the event terms of the headline (see `bot.event_terms`: entities, venues, actions,
  ordinals, numbers, dates, domain concepts shared by both languages, and other words);
* `terms` — the event terms of headline + lead (the first `LEAD_WORDS` words), at most
  `MAX_TERMS`, headline terms first;
* `minhash` — a bottom-k sketch of the word 3-shingles of the whole text, for near-duplicates;
* `script` — whether the headline is Cyrillic: words compare only within one language;
* `action` — the headline's first action term, its main verb ("Ukraine severs ties with Syria
  over recognition": `cut_ties`), or 0.

Same event, not same words. Two reports score by the weight of the terms they share over the
weight of the terms each has (a weighted Ochiai coefficient); headline terms weigh double. A
term's weight is its kind's weight times its inverse document frequency among the recent
reports the `StoryIndex` holds, so "sanctions" and "Russia", in every report of the week, cost
little and "Astana" or "12th" a lot; with few reports the kind weights decide. An English and a
Russian report compare on the language-neutral terms only. Three differences veto a pair
whatever it shares: different ordinals (the 11th and 12th packages), different venues in the
headlines (the Minsk and Astana summits), and opposite actions in the headlines (recognising
against cutting ties).

An item joins the story whose members, compared one by one, give the best score at or above
`THRESHOLD`, unless one of the members compared vetoes it (no chaining through a report that
fits two events); candidates are the members published within `WINDOW`. When an item reaches
two stories that do not veto each other, the stories are one event told twice: the index
merges them, so the stories formed do not depend on which of them arrived first.
"""

from __future__ import annotations

import math
import struct
from array import array
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.event_terms import (
    ACTION,
    CITY,
    DATE,
    ENTITY,
    KEY_MASK,
    KIND_SHIFT,
    NEUTRAL_KINDS,
    NUMBER,
    ORDINAL,
    WORD,
    event_terms,
    kind_of,
    lexicon,
    names_in,
    stem,
    tokens,
)
from bot.event_terms import (
    _hash32 as _hash32,
)
from bot.models import Item

WINDOW = timedelta(hours=72)  # members of a story are published within this of each other
THRESHOLD = 0.28  # score at or above which an item joins a story
LEAD_WORDS = 60  # words of the text that count as the lead
MAX_TERMS = 48  # terms kept per fingerprint
SHINGLE_WORDS = 3
MAX_SHINGLE_WORDS = 600
NUM_PERM = 64  # size of the bottom-k sketch
NEAR_DUPLICATE = 0.5  # shingle Jaccard at or above which two texts are one report
_BLOCK_POSITIONS = 16  # smallest sketch values indexed for near-duplicate look-up
MEMBERS_COMPARED = 16  # StoryIndex: most recent members of one story an item is compared with
TITLE_BOOST = 2.0  # a headline term weighs this much more than a lead term
PRIOR_REPORTS = 20  # IDF smoothing: a corpus this size of reports sharing nothing
RECENCY_GRACE_HOURS = 12  # reports this close in time score in full
RECENCY_HALF_HOURS = 36  # …and at half weight this much later again
COUNTRY_VETO = True
OTHER_ACTORS = 0.7
OTHER_ACTION = 0.75  # a pair's score when their headlines' main actions differ
COMMON_SHARE = 0.1  # a term in more than this share of the window's reports finds no candidates
DAYS_PER_KEY = 3  # StoryIndex: the postings of a term are kept per this many days
MAX_PLAUSIBLE = 16  # most members an item is scored against (besides near-copies)
COMMON_MINIMUM = 50  # …when that is more than this many (a small index compares everything)
KIND_WEIGHTS = {  # how much sharing a term of each kind says, before its rarity
    WORD: 1.0, 1: 1.0, 2: 1.5, CITY: 2.0, ACTION: 1.5, NUMBER: 1.5, ORDINAL: 2.0, DATE: 1.5,
}  # fmt: skip

# Version 3: event terms (kind in the top bits), a script byte and the main action. Versions 1
# and 2 are still read: their terms were plain word hashes, read as `WORD` terms; a version-1
# signature is not comparable and reads as empty.
_VERSION = 3
_READABLE = frozenset({1, 2, 3})
_MASK32 = (1 << 32) - 1
_TEMPORARY_KEYS = 1 << 62  # story keys above this are stories not stored yet
LATIN, CYRILLIC = 0, 1


def _uint32s(values: Iterable[int]) -> array[int]:
    """Sorted, de-duplicated 32-bit values, 4 bytes each: a recent-stories index holds
    thousands of fingerprints, and a frozenset of 48 Python ints costs ten times as much."""
    return array("I", sorted(set(values)))


@dataclass(frozen=True, slots=True, eq=True)
class Fingerprint:
    """What a story compares: headline terms, lead terms, a MinHash and the headline's script.

    The three arrays are sorted `array('I')`s; `terms` holds every headline term too.
    """

    title: array[int]
    terms: array[int]
    minhash: array[int]
    script: int = LATIN
    action: int = 0

    __hash__ = None  # type: ignore[assignment]  # arrays are mutable: not a dict key

    def to_bytes(self) -> bytes:
        """A compact encoding (version, script, three counts, main action, then big-endian
        uint32 values)."""
        title, terms = sorted(self.title), sorted(self.terms)
        head = struct.pack(
            ">BBHHHI", _VERSION, self.script, len(title), len(terms), len(self.minhash),
            self.action,
        )  # fmt: skip
        values = [*title, *terms, *self.minhash]
        return head + struct.pack(f">{len(values)}I", *values)

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        """Decode `to_bytes`; raises ValueError on a foreign or truncated encoding."""
        if len(data) < 7 or data[0] not in _READABLE:
            raise ValueError("not a story fingerprint (unknown version)")
        version = data[0]
        script, offset = (data[1], 12) if version >= 3 else (LATIN, 7)
        if len(data) < offset:
            raise ValueError("truncated story fingerprint")
        n_title, n_terms, n_hash = struct.unpack_from(">HHH", data, 2 if version >= 3 else 1)
        action = struct.unpack_from(">I", data, 8)[0] if version >= 3 else 0
        count = n_title + n_terms + n_hash
        if len(data) != offset + 4 * count:
            raise ValueError("truncated story fingerprint")
        values = struct.unpack_from(f">{count}I", data, offset)
        words: Iterable[int] = values[: n_title + n_terms]
        if version < 3:  # plain word hashes: read them as words
            words = [v & KEY_MASK for v in words]  # kind 0: WORD
        words = list(words)
        return cls(
            title=_uint32s(words[:n_title]),
            terms=_uint32s(words),  # ⊇ title
            minhash=array("I", values[n_title + n_terms :] if version >= 2 else ()),
            script=script,
            action=action,
        )


_KEY_KINDS = frozenset({ENTITY, CITY, ORDINAL, NUMBER, DATE})  # lead terms the index is keyed by


@dataclass(frozen=True, slots=True)
class StoryCandidate:
    """A member of a recent story, as the database hands it to `assign_story`."""

    story_key: int
    fingerprint: Fingerprint
    published: datetime
    item_id: str = ""  # the stored item, when a re-check may move it to another story


def _is_cyrillic(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return sum("\u0400" <= ch <= "\u04ff" for ch in letters) > len(letters) / 2


def _minhash(words: Sequence[int]) -> array[int]:
    """Bottom-k sketch of word-hash 3-shingles: the `NUM_PERM` smallest distinct 32-bit shingle
    hashes, ascending (Cohen & Kaplan's bottom-k estimator; one hash per shingle).

    A shingle's hash is the tuple hash of its word hashes: C speed, and not salted (only str
    and bytes hashes are), so every process and every run computes the same value.
    """
    if not words:
        return array("I")
    if len(words) < SHINGLE_WORDS:
        shingles = {hash(tuple(words)) & _MASK32}
    else:
        columns = (words[i:] for i in range(SHINGLE_WORDS))
        shingles = {hash(s) & _MASK32 for s in zip(*columns, strict=False)}
    return array("I", sorted(shingles)[:NUM_PERM])


def fingerprint_text(title: str, text: str) -> Fingerprint:
    """The fingerprint of a headline and its text."""
    lead = " ".join(text.split()[:LEAD_WORDS])
    names = names_in(title, lead)
    title_terms = list(event_terms(title, names))
    both = title_terms + list(event_terms(lead, names))
    counts = Counter(both)
    first = {t: i for i, t in reversed(list(enumerate(both)))}
    in_title = set(title_terms)
    ranked = sorted(counts, key=lambda t: (t not in in_title, -counts[t], first[t]))
    words = [_hash32(stem(w)) for w in tokens(f"{title}\n{text}")[:MAX_SHINGLE_WORDS]]
    return Fingerprint(
        title=_uint32s(in_title),
        terms=_uint32s([*in_title, *ranked[:MAX_TERMS]]),
        minhash=_minhash(words),
        script=CYRILLIC if _is_cyrillic(title or text[:200]) else LATIN,
        action=next((t for t in title_terms if kind_of(t) == ACTION), 0),
    )


def fingerprint(item: Item) -> Fingerprint:
    """The fingerprint of an item (its title and text)."""
    return fingerprint_text(item.title, item.text)


def minhash_jaccard(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated Jaccard similarity of the two texts' word 3-shingles (0 when either is empty).

    Bottom-k estimate: among the hashes of both sketches up to a cutoff — the smaller of the
    largest hashes of the full sketches (a sketch with fewer than k values holds every shingle
    and sets none) — the share that is in both. Exact when both texts have fewer than k
    shingles.
    """
    return _jaccard(a.minhash, frozenset(a.minhash), b.minhash)


def _jaccard(x: array[int], x_set: frozenset[int], y: array[int]) -> float:
    """`minhash_jaccard` with the first sketch also as a set (built once per probe)."""
    if not x or not y:
        return 0.0
    shared = x_set.intersection(y)
    if not shared:
        return 0.0
    full = [s[-1] for s in (x, y) if len(s) >= NUM_PERM]
    if not full:
        return len(shared) / (len(x) + len(y) - len(shared))
    cutoff = min(full)
    in_both = sum(1 for v in shared if v <= cutoff)
    return in_both / (bisect_right(x, cutoff) + bisect_right(y, cutoff) - in_both)


class Weights:
    """Term weights: kind weight × smoothed inverse document frequency over `reports`.

    Weights are memoised until the next `count` (an item is compared with many members that
    share most of their terms)."""

    __slots__ = ("_memo", "df", "reports", "version")

    def __init__(self) -> None:
        self.df: Counter[int] = Counter()
        self.reports = 0
        self.version = 0  # changes with every `count`: masses computed before are stale
        self._memo: dict[int, float] = {}

    def count(self, terms: Iterable[int]) -> None:
        """Count one more report holding `terms` (each once)."""
        self.df.update(terms)
        self.reports += 1
        self.version += 1
        self._memo.clear()

    def __call__(self, value: int) -> float:
        weight = self._memo.get(value)
        if weight is None:
            idf = math.log(1 + (self.reports + PRIOR_REPORTS) / (self.df.get(value, 0) + 1))
            weight = self._memo[value] = KIND_WEIGHTS[kind_of(value)] * idf
        return weight


_UNIFORM = Weights()


@dataclass(slots=True)
class _Terms:
    """A fingerprint's terms as sets, built once per report (not once per pair), with the
    weighted mass of its terms memoised for the weights it was last computed with."""

    title: frozenset[int]
    terms: frozenset[int]
    neutral: frozenset[int]
    script: int
    ordinals: frozenset[int]
    title_ordinals: frozenset[int]
    title_cities: frozenset[int]
    title_actors: frozenset[int]
    title_actions: frozenset[int]
    action: int
    keys: frozenset[int]  # what the index finds it by: headline terms, lead names and numbers
    _weighed: tuple[int, int] = (-1, -1)  # (id, version) of the weights `_weights` hold
    _weights: dict[int, float] | None = None  # term → weight, boosted in the headline
    _masses: tuple[float, float] = (0.0, 0.0)  # of all terms, of the neutral ones

    def weighed(self, weight: Weights) -> tuple[dict[int, float], float, float]:
        """Each term's weight (headline terms boosted), the mass of all terms and the mass of
        the neutral ones; computed once per weights version."""
        if self._weights is None or self._weighed != (id(weight), weight.version):
            title = self.title
            boosted = {t: weight(t) * (TITLE_BOOST if t in title else 1.0) for t in self.terms}
            self._weights = boosted
            self._masses = (
                sum(self._weights.values()),
                sum(self._weights[t] for t in self.neutral),
            )
            self._weighed = (id(weight), weight.version)
        return self._weights, *self._masses

    @classmethod
    def of(cls, fp: Fingerprint) -> _Terms:
        title = frozenset(fp.title)
        by_kind: dict[int, list[int]] = defaultdict(list)
        for t in fp.terms:
            by_kind[t >> KIND_SHIFT].append(t)
        neutral = frozenset(t for kind in NEUTRAL_KINDS for t in by_kind.get(kind, ()))
        ordinals = frozenset(by_kind.get(ORDINAL, ()))
        return cls(
            title=title,
            terms=frozenset(fp.terms),
            neutral=neutral,
            script=fp.script,
            ordinals=ordinals,
            title_ordinals=ordinals & title,
            title_cities=frozenset(by_kind.get(CITY, ())) & title,
            title_actors=frozenset(by_kind.get(ENTITY, ())) & title,
            title_actions=frozenset(by_kind.get(ACTION, ())) & title,
            action=fp.action,
            keys=title.union(*(by_kind.get(kind, ()) for kind in _KEY_KINDS)),
        )


def vetoed(a: _Terms, b: _Terms) -> bool:
    """Whether two reports tell different events whatever else they share: different
    ordinals; headline venues that neither report mentions of the other's; or headlines whose
    main actions are opposites."""
    if a.title_ordinals and b.ordinals and not a.title_ordinals & b.ordinals:
        return True
    if b.title_ordinals and a.ordinals and not b.title_ordinals & a.ordinals:
        return True
    if (
        a.title_cities and b.title_cities
        and not a.title_cities & b.terms and not b.title_cities & a.terms
    ):  # fmt: skip
        return True
    lex = lexicon()
    if (a.action, b.action) in lex.opposites:
        return True
    for x in a.title_actions - b.terms:  # opposite actions, each absent from the other report
        for y in b.title_actions - a.terms:
            if (x, y) in lex.opposites:
                return True
    if COUNTRY_VETO:
        a_states, b_states = a.title_actors & lex.countries, b.title_actors & lex.countries
        if a_states and b_states and not a_states & b.terms and not b_states & a.terms:
            return True
    return False


def recency(gap: timedelta) -> float:
    """How much a score counts at this distance in time: reports of one event come within a
    day of each other; the same actors three days later are usually the next event."""
    hours = abs(gap.total_seconds()) / 3600
    return 1.0 / (1.0 + max(0.0, hours - RECENCY_GRACE_HOURS) / RECENCY_HALF_HOURS)


def _score(a: _Terms, b: _Terms, weight: Weights) -> float:
    """Weighted Ochiai coefficient of two reports' terms; headline terms weigh `TITLE_BOOST`
    times more. Across scripts only the language-neutral terms count."""
    same = a.script == b.script
    x, y = (a.terms, b.terms) if same else (a.neutral, b.neutral)
    common = x & y
    if not common:
        return 0.0
    a_weights, a_full, a_neutral = a.weighed(weight)
    b_weights, b_full, b_neutral = b.weighed(weight)
    shared = sum(a_weights[t] + b_weights[t] for t in common) / 2
    score = shared / math.sqrt(a_full * b_full if same else a_neutral * b_neutral)
    if a.action and b.action and (a.action not in b.terms or b.action not in a.terms):
        score *= OTHER_ACTION  # the headlines say different things happened
    if a.title_actors - b.terms and b.title_actors - a.terms:
        score *= OTHER_ACTORS  # each headline names someone the other report never mentions
    return score


def similarity(
    a: Fingerprint,
    b: Fingerprint,
    weight: Weights | None = None,
    *,
    gap: timedelta = timedelta(0),
) -> float:
    """How likely two reports published `gap` apart tell the same event, 0..1 (symmetric; 0
    when vetoed). Without `weight`, every term of a kind weighs the same."""
    ta, tb = _Terms.of(a), _Terms.of(b)
    near = minhash_jaccard(a, b)
    if near >= NEAR_DUPLICATE:
        return near
    if vetoed(ta, tb):
        return 0.0
    return max(_score(ta, tb, weight or _UNIFORM) * recency(gap), near)


def assign_story(
    fp: Fingerprint,
    published: datetime,
    candidates: Iterable[StoryCandidate],
    *,
    window: timedelta = WINDOW,
    threshold: float = THRESHOLD,
) -> int | None:
    """The story an item joins, by a full scan of `candidates` (see the module docstring);
    None to start a new story. The reference `StoryIndex.assign` is checked against."""
    index = StoryIndex(window=window, threshold=threshold, find_all=True)
    for candidate in candidates:
        index.add(candidate)
    return index.assign(fp, published)


class StoryIndex:
    """Recent story members, indexed so `assign` compares an item only with plausible ones.

    Members are posted under their headline terms and the language-neutral terms of their
    lead, by day; an item is compared with the members that share two such terms with it (one,
    when it has at most two), leaving out terms in more than `COMMON_SHARE` of the index ("Russia"
    in hundreds of reports finds nothing the rarer terms do not), and with members that share one
    of the `_BLOCK_POSITIONS` smallest sketch values (near-duplicates). At most
    `MEMBERS_COMPARED` members of one story are compared, its most recent. `find_all` compares
    every member (the full scan). The index also holds the term weights (`Weights`) of its
    members. Build it once per batch and `add` each item once assigned.
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
        # (term, day published) → members: only the days within the window are read, which
        # matters when a first poll brings weeks of history.
        self._by_term: dict[int, list[int]] = defaultdict(list)
        # smallest sketch value → a member, or a list of them (most values belong to one member:
        # no list for those halves the index's memory)
        self._by_sketch: dict[int, int | list[int]] = {}
        self.weights = Weights()
        self.merged: dict[int, int] = {}  # story key → the story it was merged into
        self._fits: dict[int, float] = {}  # the last `place`: member → its score with the item
        self._members: dict[int, list[int]] = defaultdict(list)  # story → member positions
        self._probe: tuple[Fingerprint | None, _Terms | None] = (None, None)  # last decided
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
        merged = {}
        for gone in self.merged:
            kept = self.resolve(gone)
            merged[keys.get(gone, gone)] = keys.get(kept, kept)
        # SQLite hands out the id of a deleted story again (a merged story's row is deleted):
        # a new story with that id is not the old one. No member carries the old key any
        # more (`place` re-keys them), so the stale entry goes.
        for new in keys.values():
            merged.pop(new, None)
        self.merged = merged
        for old, new in keys.items():
            if old in self._members:
                self._members[new].extend(self._members.pop(old))

    def story_at(self, position: int) -> int:
        """The story of the member added `position`-th (after merges and moves)."""
        return self.resolve(self._candidates[position].story_key)

    def resolve(self, key: int) -> int:
        """The story a key stands for now (the story it was merged into, if it was)."""
        while key in self.merged:
            key = self.merged[key]
        return key

    def add(self, candidate: StoryCandidate, *, count: bool = True) -> None:
        """Make a story member available to later `assign` calls; `count` it in the term
        weights (the reports of the current poll are not: see the module docstring)."""
        index = len(self._candidates)
        self._candidates.append(candidate)
        self._members[self.resolve(candidate.story_key)].append(index)
        fp = candidate.fingerprint
        probe_fp, probe = self._probe
        terms = probe if probe_fp is fp and probe is not None else _Terms.of(fp)
        self._terms.append(terms)
        if count:
            self.weights.count(terms.terms)
        if candidate.story_key > _TEMPORARY_KEYS:
            self._temporary.append(index)
        for term in terms.keys:
            self._by_term[_day_key(term, candidate.published)].append(index)
        for value in fp.minhash[:_BLOCK_POSITIONS]:
            held = self._by_sketch.setdefault(value, index)
            if held is not index:
                if isinstance(held, int):
                    self._by_sketch[value] = [held, index]
                else:
                    held.append(index)

    def _plausible(self, probe: _Terms, published: datetime) -> set[int]:
        """Members sharing two terms that are not in every report (one if it has two)."""
        if self._find_all:
            return set(range(len(self._candidates)))
        common = max(COMMON_SHARE * len(self._candidates), COMMON_MINIMUM)
        first = _day_key(0, published - self.window)
        days = range(first, _day_key(0, published + self.window) + 1)
        postings = self._by_term
        found = []
        for term in probe.keys:
            lists = [held for d in days if (held := postings.get(term << 20 | d))]
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

    def _near(self, fp: Fingerprint) -> set[int]:
        found: set[int] = set()
        for value in fp.minhash[:_BLOCK_POSITIONS]:
            held = self._by_sketch.get(value)
            if isinstance(held, int):
                found.add(held)
            elif held is not None:
                found.update(held)
        return found

    def assign(self, fp: Fingerprint, published: datetime) -> int | None:
        """The story `fp` would join (None: a new story); changes nothing."""
        return self._decide(fp, published)[0]

    def place(self, fp: Fingerprint, published: datetime) -> int | None:
        """The story `fp` joins (None: a new story). When it reaches several stories that do not
        veto one another, they are one event told twice: they are merged into the oldest one
        (`merged`), which it joins. `add` it next."""
        target, kept, self._fits = self._decide(fp, published)
        for key in kept:
            if key != target:
                self.merged[key] = target
                moving = self._members.pop(key, [])
                for position in moving:
                    self._candidates[position] = replace(
                        self._candidates[position], story_key=target
                    )
                self._members[target].extend(moving)
        return target

    def recheck(self) -> list[StoryCandidate]:
        """After `place` and `add` of an item: move to its story the members of other stories
        that fit it better than they fit their own story (a report that came first and joined
        the nearest story of the time, before the story of its own event existed). Returns the
        members moved, with their new story key; nothing moves across a veto.

        This is what keeps the stories the same whichever report arrives first when vetoes
        split a neighbourhood (an offensive and the ceasefire the next day)."""
        if not self._candidates or not self._fits:
            return []
        newcomer = len(self._candidates) - 1
        target = self.resolve(self._candidates[newcomer].story_key)
        own = self._story_members(target, exclude=-1)
        moved = []
        for i, fit in sorted(self._fits.items(), key=lambda kv: (-kv[1], kv[0])):
            if fit < self.threshold or i == newcomer:
                continue
            candidate = self._candidates[i]
            home = self.resolve(candidate.story_key)
            if home == target:
                continue
            if any(vetoed(self._terms[i], self._terms[j]) for j in own):
                continue
            mates = self._story_members(home, exclude=i)
            at_home = max((self._pair(i, j) for j in mates), default=0.0)
            if fit > at_home:
                self._candidates[i] = replace(candidate, story_key=target)
                self._members[home].remove(i)
                if not self._members[home]:
                    del self._members[home]
                self._members[target].append(i)
                own.append(i)
                moved.append(self._candidates[i])
        self._fits = {}
        return moved

    def _story_members(self, key: int, *, exclude: int) -> list[int]:
        """The most recent members of a story (`MEMBERS_COMPARED` of them)."""
        recent = sorted(self._members.get(key, ()))[-MEMBERS_COMPARED - 1 :]
        return [i for i in recent if i != exclude][-MEMBERS_COMPARED:]

    def _pair(self, i: int, j: int) -> float:
        """Two members' score (0 when vetoed), as `_decide` scores an item and a member."""
        a, b = self._candidates[i], self._candidates[j]
        if vetoed(self._terms[i], self._terms[j]):
            return 0.0
        score = _score(self._terms[i], self._terms[j], self.weights)
        return score * recency(a.published - b.published)

    def _decide(
        self, fp: Fingerprint, published: datetime
    ) -> tuple[int | None, list[int], dict[int, float]]:
        """The story `fp` joins, the stories it brings together, and its score with each
        member compared that does not veto it."""
        probe = _Terms.of(fp)
        self._probe = (fp, probe)  # `add` of the same fingerprint reuses it
        by_terms = self._plausible(probe, published)
        by_sketch = set(range(len(self._candidates))) if self._find_all else self._near(fp)
        compared: dict[int, list[int]] = defaultdict(list)
        scores_of: dict[int, list[float]] = defaultdict(list)
        refused: set[int] = set()
        fits: dict[int, float] = {}
        earliest, latest = published - self.window, published + self.window
        sketch = frozenset(fp.minhash)
        for i in sorted(by_terms | by_sketch, reverse=True):  # most recent members first
            candidate = self._candidates[i]
            if not earliest <= candidate.published <= latest:
                continue
            key = self.resolve(candidate.story_key)
            if len(compared[key]) >= MEMBERS_COMPARED:
                continue
            near = (
                _jaccard(fp.minhash, sketch, candidate.fingerprint.minhash)
                if i in by_sketch
                else 0.0
            )
            if i not in by_terms and near < NEAR_DUPLICATE:
                continue  # a shared shingle and not two shared terms: unrelated
            compared[key].append(i)
            if near >= NEAR_DUPLICATE:
                score = near
            elif vetoed(probe, self._terms[i]):
                refused.add(key)
                continue
            else:
                gap = candidate.published - published
                score = max(near, _score(probe, self._terms[i], self.weights) * recency(gap))
            scores_of[key].append(score)
            fits[i] = score
        # Single linkage: an item joins a story through its closest member. The vetoes keep
        # it from chaining two events, and, unlike an average, it does not depend on which
        # members happen to have arrived yet.
        scores = {key: max(values) for key, values in scores_of.items()}
        fitting = [k for k, score in scores.items() if score >= self.threshold and k not in refused]
        joined = sorted(fitting, key=lambda k: (-scores[k], k))
        if not joined:
            return None, [], fits
        kept = [joined[0]]
        for key in joined[1:]:
            if not any(
                vetoed(self._terms[i], self._terms[j]) for k in kept
                for i in compared[k] for j in compared[key]
            ):  # fmt: skip
                kept.append(key)
        return min(kept), kept, fits  # the oldest story keeps its id


def _day_key(term: int, when: datetime) -> int:
    """(term, period of `DAYS_PER_KEY` days) as one int: the period number fits in 20 bits.
    Periods of three days: a 72 h window reads three or four lists per term, not seven."""
    return term << 20 | when.toordinal() // DAYS_PER_KEY


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
        for item in sorted(batch, key=lambda i: (i.published, i.id)):
            fp = fingerprint(item)
            key = index.place(fp, item.published)
            if key is None:
                key, stories = stories, stories + 1
            index.add(StoryCandidate(key, fp, item.published, item.id), count=False)
            placed.append(item)
            index.recheck()
    grouped: dict[int, list[Item]] = defaultdict(list)
    for position, item in enumerate(placed):
        grouped[index.story_at(position)].append(item)
    return [sorted(m, key=lambda i: (i.published, i.id)) for _, m in sorted(grouped.items())]
