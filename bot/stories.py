"""Stories: near-duplicate and same-event items from different sources grouped together (pure).

An item's `Fingerprint` holds three compact signals, all 32-bit hashes so it stores as bytes:

* `title` — the canonical terms of the headline;
* `terms` — the key terms of headline + lead (first `LEAD_WORDS` words of the text);
* `minhash` — a bottom-k MinHash sketch (the `NUM_PERM` smallest shingle hashes) of the word
  3-shingles of the whole text, for near-duplicates.

Terms are words lower-cased (`ё` → `е`), stripped of stopwords and news-speak, stemmed with
Snowball (Russian for Cyrillic words, English for Latin ones), then canonicalised by a small
lexicon: capitals and demonyms become their country ("Yerevan", "Armenian", "Ереван" →
`armenia`), acronyms and their expansions one key ("Collective Security Treaty Organization",
"ОДКБ" → `csto`), and a few event verbs/nouns their group ("frozen", "suspends", "заморозила" →
`suspend`). Canonical keys are language-neutral, so an EN and an RU report share entity terms,
but a story is only formed within one wording family: cross-language matching is not promised.

`similarity` = max(bottom-k Jaccard estimate, 0.6 · headline agreement + 0.4 · lead overlap),
where headline agreement is the *smaller* of the two directions "how much of A's headline is in
B's headline+lead" — so a story on another event that merely mentions this one in its lead
("…Armenia, which has frozen its participation, did not send troops") does not join it.
Candidates are the members of stories published within a 72 h window (from the database);
`StoryIndex` then compares an item only with members that share a headline term or one of the
smallest sketch values (blocking in the spirit of LSH banding), and `assign_story` is the plain
full scan.
Thresholds were tuned on the EN/RU sets in tests/test_stories.py and checked against the seed
corpus (same topic, different events: all pairs below 0.4).
"""

from __future__ import annotations

import hashlib
import math
import re
import struct
from array import array
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache, lru_cache

import snowballstemmer  # type: ignore[import-untyped]

from bot.models import Item

WINDOW = timedelta(hours=72)  # members of a story are published within this of each other
THRESHOLD = 0.5  # similarity at or above which an item joins a story
LEAD_WORDS = 80  # words of the text that count as the lead
MAX_TERMS = 48  # key terms kept per fingerprint
SHINGLE_WORDS = 3
MAX_SHINGLE_WORDS = 600
NUM_PERM = 64  # size of the bottom-k sketch
TITLE_WEIGHT = 0.6
_BLOCK_POSITIONS = 16  # smallest sketch values indexed for near-duplicate look-up
HEADLINE_SHARE = 0.2  # StoryIndex: share of the headline terms a compared member's headline shares
MEMBERS_COMPARED = 16  # StoryIndex: most recent members of one story an item is compared with

# Version 2: bottom-k sketch of blake2b shingle hashes. Version 1 (64 hash permutations, 30×
# slower to compute) is still read: its headline and lead terms are kept, its signature is
# not comparable and reads as empty.
_VERSION = 2
_READABLE = frozenset({1, 2})
_MASK32 = (1 << 32) - 1
_TEMPORARY_KEYS = 1 << 62  # story keys above this are stories not stored yet

_WORD_RE = re.compile(r"[^\W_]+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_STOPWORDS = _words(
    """a about after again against all also an and any are as at be been before being between both
    but by can could did do does during each for from further had has have having he her here his
    how i if in into is it its itself just more most no nor not now of off on once only or other
    our out over own same she should so some such than that the their them then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with would you your said says say saying told tells according added reported report
    reports news update updated live breaking video photo photos watch read more via per amid
    new week day today yesterday tomorrow year years month months time
    monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне
    было вот от меня еще нет о об из ему теперь когда даже ли если уже или ни быть был него до вас
    нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их
    чем была
    сам без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой ним здесь
    этом один почти мой тем чтобы нее сейчас были куда зачем всех можно при два другой после над
    больше тот через эти нас про всего них какая много три эту моя этой перед том такой им более
    всю между это также который которая которые которых году года лет заявил заявила заявили
    сообщил сообщила сообщили сообщает говорится отметил отметила фото видео читайте новости
    понедельник вторник среду четверг пятницу субботу воскресенье января февраля марта апреля мая
    июня июля августа сентября октября ноября декабря сегодня вчера"""
)

# canonical key -> words and phrases (any case, any script) that mean it.
_LEXICON: dict[str, str] = {
    "armenia": "armenia armenian armenians yerevan армения армянский ереван",
    "azerbaijan": "azerbaijan azerbaijani baku азербайджан азербайджанский баку",
    "belarus": "belarus belarusian belorussian minsk беларусь белоруссия белорусский минск",
    "china": "china chinese beijing китай китайский пекин",
    "csto": "csto одкб | collective security treaty organization"
    " | организация договора о коллективной безопасности",
    "eu": "eu brussels евросоюз ес | european union",
    "georgia": "georgia georgian tbilisi грузия грузинский тбилиси",
    "kazakhstan": "kazakhstan kazakh kazakhstani astana almaty казахстан казахский"
    " казахстанский астана алматы",
    "kyrgyzstan": "kyrgyzstan kyrgyz bishkek киргизия кыргызстан киргизский бишкек",
    "nato": "nato нато | north atlantic treaty organization",
    "russia": "russia russian moscow kremlin россия российский русский москва кремль рф",
    "tajikistan": "tajikistan tajik dushanbe таджикистан таджикский душанбе",
    "ukraine": "ukraine ukrainian kyiv kiev украина украинский киев",
    "usa": "usa american washington сша американский вашингтон | united states",
    "premier": "pm premier премьер | prime minister | премьер министр",
    "president": "president президент",
    "suspend": "freeze freezes frozen froze suspend suspension halt halts pause pauses"
    " заморозить заморозила заморожено заморозка приостановить приостановила приостановка",
    "particip": "participation involvement membership member участие членство участник",
    "bloc": "bloc alliance блок альянс союз",
    "exercise": "exercise exercises drills drill maneuvers manoeuvres учения",
    "withdraw": "withdraw withdrawal exit quit leave leaves выйти выход вышла вышел",
    "adopt": "adopt adopts adopted approve approves approved endorse endorses утвердить утвердил"
    " утвердила одобрить одобрил одобрила",
    "recogn": "recognize recognise recognition признать признание признала",
    "sanction": "sanction sanctions санкции санкция",
    "troops": "troops soldiers forces войска военные военнослужащие",
}


def _uint32s(values: Iterable[int]) -> array[int]:
    """Sorted, de-duplicated 32-bit values, 4 bytes each: a recent-stories index holds
    thousands of fingerprints, and a frozenset of 48 Python ints costs ten times as much."""
    return array("I", sorted(set(values)))


@dataclass(frozen=True, slots=True, eq=True)
class Fingerprint:
    """What a story compares: headline terms, lead key terms and a MinHash (32-bit values).

    All three are sorted `array('I')`s; `terms` holds every headline term too.
    """

    title: array[int]
    terms: array[int]
    minhash: array[int]

    __hash__ = None  # type: ignore[assignment]  # arrays are mutable: not a dict key

    def to_bytes(self) -> bytes:
        """A compact encoding (version, three counts, then big-endian uint32 values)."""
        title, terms = sorted(self.title), sorted(self.terms)
        head = struct.pack(">BHHH", _VERSION, len(title), len(terms), len(self.minhash))
        values = [*title, *terms, *self.minhash]
        return head + struct.pack(f">{len(values)}I", *values)

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        """Decode `to_bytes`; raises ValueError on a foreign or truncated encoding."""
        if len(data) < 7 or data[0] not in _READABLE:
            raise ValueError("not a story fingerprint (unknown version)")
        _, n_title, n_terms, n_hash = struct.unpack_from(">BHHH", data)
        count = n_title + n_terms + n_hash
        if len(data) != 7 + 4 * count:
            raise ValueError("truncated story fingerprint")
        values = struct.unpack_from(f">{count}I", data, 7)
        return cls(
            title=_uint32s(values[:n_title]),
            terms=_uint32s(values[: n_title + n_terms]),  # ⊇ title: see `_event_score`
            minhash=array("I", values[n_title + n_terms :] if data[0] == _VERSION else ()),
        )


@dataclass(frozen=True, slots=True)
class StoryCandidate:
    """A member of a recent story, as the database hands it to `assign_story`."""

    story_key: int
    fingerprint: Fingerprint
    published: datetime


@cache
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(language)


_CACHED_WORDS = 1 << 17  # bounded: a long-running bot meets an open-ended vocabulary


@lru_cache(maxsize=_CACHED_WORDS)
def stem(word: str) -> str:
    """Snowball stem of a lower-case word: Russian for Cyrillic, English otherwise."""
    cyrillic = any("\u0400" <= ch <= "\u04ff" for ch in word)
    return _stemmer("russian" if cyrillic else "english").stemWord(word)


def tokens(text: str) -> list[str]:
    """Lower-cased words (`ё` → `е`); hyphens and apostrophes split words ("Russia-led")."""
    return _WORD_RE.findall(text.lower().replace("ё", "е").replace("’", "'"))


@lru_cache(maxsize=_CACHED_WORDS)
def _content_stem(word: str) -> str | None:
    """The stem `terms` keeps for a token, or None for stopwords, 1-letter words and numbers
    (written too many ways); ordinals are spelled as numbers first ("eleventh" → "11th")."""
    word = _ORDINALS.get(word, word)
    if word in _STOPWORDS or len(word) <= 1:
        return None
    stemmed = stem(word)
    return None if stemmed.isdigit() else stemmed


@lru_cache(maxsize=_CACHED_WORDS)
def _word_hash(word: str) -> int:
    """A 32-bit hash of a token's stem, the same in every process (str hashes are salted)."""
    return _hash32(stem(word))


@cache
def _lexicon() -> tuple[dict[str, str], dict[tuple[str, ...], str], frozenset[str], int]:
    """Stem → canonical key for single words; stem tuple → key for phrases; the stems that
    start a phrase; the longest phrase."""
    singles: dict[str, str] = {}
    phrases: dict[tuple[str, ...], str] = {}
    for key, spec in _LEXICON.items():
        words, *multi = (part.strip() for part in spec.split("|"))
        for word in words.split():
            singles[stem(word)] = key
        for phrase in multi:
            phrases[tuple(stem(w) for w in tokens(phrase) if w not in _STOPWORDS)] = key
    starts = frozenset(p[0] for p in phrases)
    return singles, phrases, starts, max((len(p) for p in phrases), default=1)


def terms(text: str) -> list[str]:
    """Canonical content terms of `text`, in order (see the module docstring)."""
    singles, phrases, starts, longest = _lexicon()
    stems = [s for s in map(_content_stem, tokens(text)) if s is not None]
    result: list[str] = []
    i = 0
    while i < len(stems):
        if stems[i] in starts:
            for size in range(min(longest, len(stems) - i), 1, -1):
                key = phrases.get(tuple(stems[i : i + size]))
                if key is not None:
                    result.append(key)
                    i += size
                    break
            else:
                result.append(singles.get(stems[i], stems[i]))
                i += 1
        else:
            result.append(singles.get(stems[i], stems[i]))
            i += 1
    return result


_ORDINALS = {  # "eleventh package" and "11th package" are the same package
    "first": "1st", "second": "2nd", "third": "3rd", "fourth": "4th", "fifth": "5th",
    "sixth": "6th", "seventh": "7th", "eighth": "8th", "ninth": "9th", "tenth": "10th",
    "eleventh": "11th", "twelfth": "12th", "thirteenth": "13th", "fourteenth": "14th",
}  # fmt: skip


@lru_cache(maxsize=_CACHED_WORDS)
def _hash32(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=4).digest(), "big")


def _minhash(words: Sequence[int]) -> array[int]:
    """Bottom-k sketch of word-hash 3-shingles: the `NUM_PERM` smallest distinct 32-bit shingle
    hashes, ascending. One hash per shingle instead of one per shingle and permutation; the
    estimate in `minhash_jaccard` is as good (Cohen & Kaplan's bottom-k estimator).

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
    title_terms = terms(title)
    lead = " ".join(text.split()[:LEAD_WORDS])
    both = title_terms + terms(lead)
    counts = Counter(both)
    first = {t: i for i, t in reversed(list(enumerate(both)))}
    in_title = set(title_terms)
    ranked = sorted(counts, key=lambda t: (t not in in_title, -counts[t], first[t]))
    words = [_word_hash(w) for w in tokens(f"{title}\n{text}")[:MAX_SHINGLE_WORDS]]
    return Fingerprint(
        title=_uint32s(_hash32(t) for t in in_title),
        # Every headline term is a key term too (they rank first anyway): `_event_score` needs it.
        terms=_uint32s(_hash32(t) for t in [*in_title, *ranked[:MAX_TERMS]]),
        minhash=_minhash(words),
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
    x, y = a.minhash, b.minhash
    if not x or not y:
        return 0.0
    shared = set(x).intersection(y)
    if not shared:
        return 0.0
    full = [s[-1] for s in (x, y) if len(s) >= NUM_PERM]
    if not full:
        return len(shared) / (len(x) + len(y) - len(shared))
    cutoff = min(full)
    in_both = sum(1 for v in shared if v <= cutoff)
    return in_both / (bisect_right(x, cutoff) + bisect_right(y, cutoff) - in_both)


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """How likely two items report the same event, 0..1 (symmetric)."""
    return max(event_similarity(a, b), minhash_jaccard(a, b))


def event_similarity(a: Fingerprint, b: Fingerprint) -> float:
    """The headline-and-lead part of `similarity`: same event, whatever the wording."""
    return _event_score(frozenset(a.title), frozenset(a.terms), b)


def _event_score(a_title: frozenset[int], a_terms: frozenset[int], b: Fingerprint) -> float:
    """`event_similarity` with `a`'s terms as sets (built once per item, not per pair).

    Headline agreement: the share of each headline's terms found in the other item's terms
    (which hold its headline and lead), the smaller of the two directions.
    """
    return _score(a_title, a_terms, b.title, b.terms)


def _score(
    a_title: frozenset[int],
    a_terms: frozenset[int],
    b_title: Collection[int],
    b_terms: Collection[int],
) -> float:
    """`_event_score` on `b`'s terms as given: arrays, or frozensets (5× faster to intersect,
    which `StoryIndex` keeps for its members)."""
    forward = len(a_title.intersection(b_terms)) / len(a_title) if a_title else 0.0
    backward = len(a_terms.intersection(b_title)) / len(b_title) if b_title else 0.0
    headline = min(forward, backward)
    sizes = len(a_terms) * len(b_terms)
    lead = len(a_terms.intersection(b_terms)) / math.sqrt(sizes) if sizes else 0.0  # Ochiai
    return TITLE_WEIGHT * headline + (1 - TITLE_WEIGHT) * lead


def assign_story(
    fp: Fingerprint,
    published: datetime,
    candidates: Iterable[StoryCandidate],
    *,
    window: timedelta = WINDOW,
    threshold: float = THRESHOLD,
) -> int | None:
    """The story an item joins: the candidate most similar to `fp` (at least `threshold`)
    among those published within `window` of `published`; None to start a new story.

    Ties go to the older story (the smaller key), so the result never depends on row order.
    """
    best: tuple[float, int] | None = None
    for cand in candidates:
        if abs(cand.published - published) > window:
            continue
        score = similarity(fp, cand.fingerprint)
        if score < threshold:
            continue
        if best is None or (score, -cand.story_key) > (best[0], -best[1]):
            best = (score, cand.story_key)
    return None if best is None else best[1]


class StoryIndex:
    """Recent story members, indexed so `assign` compares an item only with plausible ones.

    An item is compared with a member whose headline shares at least `HEADLINE_SHARE` of the
    item's headline terms (canonical terms: "Yerevan" and "Armenian" are `armenia`), or that
    shares one of the `_BLOCK_POSITIONS` smallest sketch values (near-duplicates: at Jaccard 0.5
    they share none with probability 2⁻¹⁶); and with at most `MEMBERS_COMPARED` members of one
    story, its most recent. A full scan (`assign_story`) can still join two items whose
    headlines share no term when their leads are nearly the same, or through an older member
    of a big story: the index gives those up so that its cost stays flat when a common word
    ("Russia") is in hundreds of recent headlines or one event has hundreds of reports. Build it
    once per batch and `add` each item once assigned.
    """

    def __init__(
        self,
        candidates: Iterable[StoryCandidate] = (),
        *,
        window: timedelta = WINDOW,
        threshold: float = THRESHOLD,
    ) -> None:
        if threshold <= 1 - TITLE_WEIGHT:
            raise ValueError(f"threshold must be above {1 - TITLE_WEIGHT:g} for the index")
        self.window, self.threshold = window, threshold
        self._candidates: list[StoryCandidate] = []
        self._term_sets: list[tuple[frozenset[int], frozenset[int]]] = []  # (title, terms)
        self._temporary: list[int] = []  # positions of candidates with a temporary key
        self._next_temporary = 0
        # (headline term, day published) → members: only the days within the window are read,
        # which matters when a first poll brings weeks of history.
        self._by_term: dict[int, list[int]] = defaultdict(list)
        # smallest sketch value → a member, or a list of them (most values belong to one member:
        # no list for those halves the index's memory)
        self._by_sketch: dict[int, int | list[int]] = {}
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

    def add(self, candidate: StoryCandidate) -> None:
        """Make a story member available to later `assign` calls."""
        index = len(self._candidates)
        self._candidates.append(candidate)
        fp = candidate.fingerprint
        self._term_sets.append((frozenset(fp.title), frozenset(fp.terms)))
        if candidate.story_key > _TEMPORARY_KEYS:
            self._temporary.append(index)
        for term in fp.title:
            self._by_term[_day_key(term, candidate.published)].append(index)
        for value in fp.minhash[:_BLOCK_POSITIONS]:
            held = self._by_sketch.setdefault(value, index)
            if held is not index:
                if isinstance(held, int):
                    self._by_sketch[value] = [held, index]
                else:
                    held.append(index)

    def assign(self, fp: Fingerprint, published: datetime) -> int | None:
        """`assign_story` over the plausible candidates (see the class docstring)."""
        by_headline: set[int] = set()
        if fp.title:
            needed = max(1, math.ceil(HEADLINE_SHARE * len(fp.title) - 1e-9))
            first = _day_key(0, published - self.window)
            days = range(first, _day_key(0, published + self.window) + 1)
            postings = self._by_term
            hits = Counter(i for t in fp.title for d in days for i in postings.get(t << 20 | d, ()))
            by_headline.update(i for i, n in hits.items() if n >= needed)
        by_sketch: set[int] = set()
        for value in fp.minhash[:_BLOCK_POSITIONS]:
            held = self._by_sketch.get(value)
            if isinstance(held, int):
                by_sketch.add(held)
            elif held is not None:
                by_sketch.update(held)
        probe_title, probe_terms = frozenset(fp.title), frozenset(fp.terms)
        compared: dict[int, int] = defaultdict(int)
        best: tuple[float, int] | None = None
        for i in sorted(by_headline | by_sketch, reverse=True):  # most recent members first
            candidate = self._candidates[i]
            key = candidate.story_key
            compared[key] += 1
            if compared[key] > MEMBERS_COMPARED:
                continue
            if abs(candidate.published - published) > self.window:
                continue
            # Without a shared smallest sketch value, a near-duplicate score reaching the
            # threshold is a 2⁻¹⁶ chance: the headline-and-lead score decides.
            score = _score(probe_title, probe_terms, *self._term_sets[i])
            if i in by_sketch:
                score = max(score, minhash_jaccard(fp, candidate.fingerprint))
            if score >= self.threshold and (best is None or (score, -key) > (best[0], -best[1])):
                best = (score, key)
        return None if best is None else best[1]


def _day_key(term: int, when: datetime) -> int:
    """(term, day) as one int: the day number fits in 20 bits until the year 2870."""
    return term << 20 | when.toordinal()


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
    batch oldest first, joining the stories the earlier batches formed."""
    stories: list[list[Item]] = []
    index = StoryIndex(window=window, threshold=threshold)
    for batch in batches:
        for item in sorted(batch, key=lambda i: (i.published, i.id)):
            fp = fingerprint(item)
            key = index.assign(fp, item.published)
            if key is None:
                key = len(stories)
                stories.append([])
            stories[key].append(item)
            index.add(StoryCandidate(key, fp, item.published))
    return stories
