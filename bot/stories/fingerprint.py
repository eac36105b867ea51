"""Story fingerprints: what a report reduces to for comparison, and the near-copy sketch.

A report's `Fingerprint` holds what the comparison needs, as 32-bit values so it stores as bytes
(see the package docstring of `bot.stories` for the fields and how they are compared).
"""

from __future__ import annotations

import struct
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.dateline import strip_credit, strip_dateline
from bot.event_names import names_in
from bot.event_terms import (
    ACTION,
    KEY_MASK,
    KIND_SHIFT,
    Lexicon,
    event_terms,
    kind_of,
    lexicon,
    located_terms,
    stem,
    term,
    text_words,
    tokens,
)
from bot.models import Item
from bot.stories.eventday import event_day
from bot.stories.offices import speaking_office
from bot.stories.roles import FORECAST, clause, forecast, label_words, opening_actor, read_roles
from bot.stories.speech import speech_roles
from bot.term_values import hash32

LEAD_WORDS = 60  # words of the text that count as the lead
MAX_TERMS = 48  # terms kept per fingerprint
SHINGLE_WORDS = 3
MAX_SHINGLE_WORDS = 600
NUM_PERM = 64  # size of the bottom-k sketch
NEAR_DUPLICATE = 0.5  # shingle Jaccard at or above which two texts are one report
_BODY_WORDS = 12  # lead terms read for the acting body when the headline names none
_BEGIN = term(ACTION, "begin")
_PHASES = (term(ACTION, "take_effect"), term(ACTION, "publish"))  # a measure's later steps
_OPENING_QUOTES, _CLOSING_QUOTES = "«\"“„'", "»\"”“'"


# Version 9: event terms (kind in the top bits), a script byte, the main action, the acting
# polity, the acting body, the headline's roles (`bot.stories.roles`: the polity that acts,
# and after the values the polities acted upon), the speaker of a statement and the polity
# named as its cause (`bot.stories.speech`), the day its event happened (`bot.stories.eventday`),
# the name the headline opens with as its subject (`roles.opening_actor`).
# Older versions are read with what they lack as none: version 8 (no opening name), 7 (no day
# either), 6 (no speaker or cause either), 5 (no roles), 4 (no body), 3 (no polity); versions 1
# and 2 too: their terms were plain word hashes, read as `WORD` terms; a version-1 signature is
# not comparable and reads as empty.
_VERSION = 9
_READABLE = frozenset({1, 2, 3, 4, 5, 6, 7, 8, 9})
_HEADER = {3: 12, 4: 16, 5: 20, 6: 26, 7: 34, 8: 38, 9: 42}  # bytes before the values
_MASK32 = (1 << 32) - 1
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
    subject: int = 0  # the polity the headline's first actor acts for (`lexicon().polities`)
    body: int = 0  # the body that acts (`lexicon().bodies`): the headline's first, else the lead's
    agent: int = 0  # the polity that acts in the headline (`roles`), or 0
    targets: array[int] = field(default_factory=lambda: array("I"))  # the polities acted upon
    speaker: int = 0  # the polity (or company) whose statement the headline tells (`speech`), or 0
    cause: int = 0  # the polity named after "after", "as", "после"… (`speech.cause`), or 0
    day: int = 0  # the day its event happened (`eventday.event_day`: an ordinal), or 0
    opener: int = 0  # the name the headline opens with, acting at once (`roles.opening_actor`)

    __hash__ = None  # type: ignore[assignment]  # arrays are mutable: not a dict key

    def to_bytes(self) -> bytes:
        """A compact encoding (version, script, three counts, main action, acting polity, acting
        body, the polity acting in the roles, how many it acts upon, the speaker, the cause, the
        day, the opening name, then big-endian uint32 values: headline terms, terms, sketch, the
        polities acted upon)."""
        title, terms = sorted(self.title), sorted(self.terms)
        head = struct.pack(
            ">BBHHHIIIIHIIII", _VERSION, self.script, len(title), len(terms), len(self.minhash),
            self.action, self.subject, self.body, self.agent, len(self.targets), self.speaker,
            self.cause, self.day, self.opener,
        )  # fmt: skip
        values = [*title, *terms, *self.minhash, *self.targets]
        return head + struct.pack(f">{len(values)}I", *values)

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        """Decode `to_bytes`; raises ValueError on a foreign or truncated encoding."""
        if len(data) < 7 or data[0] not in _READABLE:
            raise ValueError("not a story fingerprint (unknown version)")
        version = data[0]
        script, offset = (data[1], _HEADER[version]) if version >= 3 else (LATIN, 7)
        if len(data) < offset:
            raise ValueError("truncated story fingerprint")
        n_title, n_terms, n_hash = struct.unpack_from(">HHH", data, 2 if version >= 3 else 1)
        action = struct.unpack_from(">I", data, 8)[0] if version >= 3 else 0
        subject = struct.unpack_from(">I", data, 12)[0] if version >= 4 else 0
        body = struct.unpack_from(">I", data, 16)[0] if version >= 5 else 0
        agent, n_targets = struct.unpack_from(">IH", data, 20) if version >= 6 else (0, 0)
        said_by, after = struct.unpack_from(">II", data, 26) if version >= 7 else (0, 0)
        day = struct.unpack_from(">I", data, 34)[0] if version >= 8 else 0
        opener = struct.unpack_from(">I", data, 38)[0] if version >= 9 else 0
        count = n_title + n_terms + n_hash
        if len(data) != offset + 4 * (count + n_targets):
            raise ValueError("truncated story fingerprint")
        values = struct.unpack_from(f">{count}I", data, offset)
        targets = struct.unpack_from(f">{n_targets}I", data, offset + 4 * count)
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
            subject=subject,
            body=body,
            agent=agent,
            targets=_uint32s(targets),
            speaker=said_by,
            cause=after,
            day=day,
            opener=opener,
        )


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


def fingerprint_text(title: str, text: str, published: datetime | None = None) -> Fingerprint:
    """The fingerprint of a headline and its text, published at `published` (when known: the
    weekday its lead names is read against it)."""
    text = strip_dateline(text)  # "MOSCOW, March 3 (Reuters) -": the desk, not the event
    lead = " ".join(text.split()[:LEAD_WORDS])
    names = names_in(title, lead)
    title_words = text_words(title)
    located = list(located_terms(title_words, names))
    title_terms = [t for _, t in located]
    lex = lexicon()
    polities = lex.polities
    lead_terms = list(event_terms(lead, names))
    both = title_terms + lead_terms
    counts = Counter(both)
    first = {t: i for i, t in reversed(list(enumerate(both)))}
    in_title = set(title_terms)
    action = main_action(title_terms)
    label = label_words(title)
    if label and _quoted_label(title):
        # «Это нанесёт удар по отношениям»: в Киеве отреагировали…: the quote is what was
        # said; the headline's act follows its colon
        action = main_action([t for i, t in located if i >= label]) or action
    home = next((polities[t] for t in lead_terms if t in polities), 0)  # an institution's state
    said_by, after = speech_roles(title, title_words, located, names, home)
    if (action or not said_by) and forecast(title_words, located, action):
        in_title.add(FORECAST)  # (with no act told, a speaker's "could" is what was said)
    if office := speaking_office(title_words, located, label):
        in_title.add(office)  # the Kremlin or the foreign ministry: two statements
    ranked = sorted(counts, key=lambda t: (t not in in_title, -counts[t], first[t]))
    words = [hash32(stem(w)) for w in tokens(f"{title}\n{text}")[:MAX_SHINGLE_WORDS]]
    agent, targets = read_roles(title, title_words, located)
    acting = clause(title, title_words, located)  # an attributed act's terms, its source's not
    return Fingerprint(
        title=_uint32s(in_title),
        terms=_uint32s([*in_title, *ranked[:MAX_TERMS]]),
        minhash=_minhash(words),
        script=CYRILLIC if _is_cyrillic(title or text[:200]) else LATIN,
        action=action,
        subject=next((polities[t] for _, t in acting if t in polities), 0),
        body=_acting_body(located, lex)
        or _acting_body(list(enumerate(lead_terms[:_BODY_WORDS])), lex, heads=False),
        agent=agent,
        targets=_uint32s(targets),
        speaker=said_by,
        cause=after,
        day=event_day(title, lead, published),
        opener=opening_actor(title_words, located, names),
    )


def _quoted_label(title: str) -> bool:
    """Whether the headline's label before its colon is a quotation, all of it ("«Мы выйдем»:
    Пашинян высказался…"; not "«Яндекс» окончательно разделят: …")."""
    label = title.split(":", 1)[0].strip() if ":" in title else ""
    return len(label) > 2 and label[0] in _OPENING_QUOTES and label[-1] in _CLOSING_QUOTES


def main_action(title_terms: Sequence[int]) -> int:
    """The headline's main action: its first, unless it tells a measure taking effect or
    published ("Запрет на полеты белорусских авиакомпаний … вступил в силу", "ЕС разместил
    11-й пакет санкций в официальном журнале"): the measure named first is what takes effect,
    and the event is that step after the decision. Beginning an act is that act ("ЕС начал
    процедуру утверждения 12-го пакета": the adoption, against Austria blocking it)."""
    actions = [t for t in title_terms if kind_of(t) == ACTION]
    if actions and actions[0] == _BEGIN:  # "ЕС начал процедуру утверждения …": the adoption
        actions = actions[1:] or actions
    return next((t for t in _PHASES if t in actions), next(iter(actions), 0))


def _acting_body(located: Sequence[tuple[int, int]], lex: Lexicon, *, heads: bool = True) -> int:
    """The first body named before the first action ("Russia's State Duma voted…"), or 0: a
    body named after it is acted upon ("Russia bars nine U.S. officials and lawmakers"), and
    with no action read, who acts is not known ("МИД России закрыл въезд … сенаторам"). A
    head of state (`Lexicon.heads`) acts only with `heads` and its verb the next term
    ("Путин подписал указ…"; not "Putin gets green light for Ukraine deployment")."""
    body = 0
    for n, (_, t) in enumerate(located):
        if t >> KIND_SHIFT == ACTION:
            return body
        if body or t not in lex.bodies:
            continue
        if t not in lex.heads or (
            heads and n + 1 < len(located) and located[n + 1][1] >> KIND_SHIFT == ACTION
        ):
            body = t
    return 0


def fingerprint(item: Item) -> Fingerprint:
    """The fingerprint of an item: its title (without its outlet's name, "… - Reuters") and
    its text."""
    return fingerprint_text(strip_credit(item.title, item.publisher), item.text, item.published)


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
