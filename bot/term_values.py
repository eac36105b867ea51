"""The values of event terms: a kind in the top three bits, a hash of the term's key below (pure).

A fingerprint stays an array of 32-bit integers, and the kind of a term is read back from its
value. `bot.event_terms` reads text into these values and re-exports them.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

WORD, CONCEPT, ENTITY, CITY, ACTION, NUMBER, ORDINAL, DATE = range(8)
KIND_NAMES = ("word", "concept", "entity", "city", "action", "number", "ordinal", "date")
KIND_SHIFT = 29  # a term's kind is its top three bits
KEY_MASK = (1 << KIND_SHIFT) - 1  # …and a hash of its key the rest
NEUTRAL_KINDS = frozenset({CONCEPT, ENTITY, CITY, ACTION, NUMBER, ORDINAL, DATE})

_CACHED_WORDS = 1 << 17  # bounded: a long-running bot meets an open-ended vocabulary


@lru_cache(maxsize=_CACHED_WORDS)
def hash32(value: str) -> int:
    """A stable 32-bit hash of a string (BLAKE2b: the same in every process and run)."""
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=4).digest(), "big")


def term(kind: int, key: str) -> int:
    """The 32-bit value of a term: kind in the top bits, a hash of the key below."""
    return kind << KIND_SHIFT | hash32(key) & KEY_MASK


def kind_of(value: int) -> int:
    """The kind of a term value (`WORD` … `DATE`)."""
    return value >> KIND_SHIFT
