"""Names in a report: words written with a capital inside a sentence, and the consonant skeleton
that keys a name the lexicon does not know the same in English and Russian (pure)."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.text import has_cyrillic

_CACHED_WORDS = 1 << 17  # bounded: a long-running bot meets an open-ended vocabulary

_TRANSLIT = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "i", "є": "e",
})  # fmt: skip
_DIGRAPHS = (
    ("shch", "s"), ("sch", "s"), ("sh", "s"), ("ch", "c"), ("zh", "z"), ("kh", "k"),
    ("ts", "c"), ("tz", "c"), ("ph", "f"), ("x", "ks"), ("w", "v"), ("q", "k"),
)  # fmt: skip
_VOWELS = re.compile(r"[aeiouyhj]")
_REPEATS = re.compile(r"(.)\1+")


@lru_cache(maxsize=_CACHED_WORDS)
def name_key(stemmed: str) -> str | None:
    """A name's consonant skeleton, the same for its English and Russian spellings
    ("tokayev", "токаев" → "tkv"); None when too short to tell names apart."""
    latin = stemmed.translate(_TRANSLIT)
    for digraph, single in _DIGRAPHS:
        latin = latin.replace(digraph, single)
    skeleton = _REPEATS.sub(r"\1", _VOWELS.sub("", latin))[:6]
    return skeleton if len(skeleton) >= 3 and skeleton.isascii() else None


_SENTENCE_WORDS = re.compile(r"[^\W_]+|[.!?:;«»\"\n]")


def names_in(headline: str, text: str) -> frozenset[str]:
    """Lower-cased words written with a capital inside a sentence of the headline or the text:
    names, not sentence starts. A headline in title case ("Russia Recognizes Rebel Regions")
    marks nothing."""
    found: set[str] = set()
    for part in (headline, text):
        tokens = _SENTENCE_WORDS.findall(part)
        words = [t for t in tokens if t[0].isalnum()]
        if part is headline:
            long = [w for w in words if len(w) > 3 and w[0].isalpha()]
            if len(long) >= 3 and sum(w[0].isupper() for w in long) > 0.6 * len(long):
                continue
        start = True
        for token in tokens:
            if not token[0].isalnum():
                start = True
                continue
            if not start and token[0].isupper() and not token.isupper():
                found.add(token.lower().replace("ё", "е"))
            start = False
    return frozenset(found)


# Russian case endings a name takes ("Грызлова", "Грызловым"); not "-ов", "-ев", "-ин", "-ом",
# which end names in the nominative ("Грызлов", "Энергоатом") and which a stemmer strips.
_CASE_ENDINGS = (  # the longest first
    "ами", "ями", "ого", "его", "ому", "ему", "ыми", "ими",
    "ой", "ей", "ым", "им", "ую", "юю", "ая", "яя", "ах", "ях", "ам", "ям",
    "а", "я", "у", "ю", "е", "ы", "и",
)  # fmt: skip


@lru_cache(maxsize=_CACHED_WORDS)
def skeleton_of(word: str, stemmed: str) -> str | None:
    """`name_key` of a name as written (`word`, lower case) and stemmed: a Cyrillic name's
    skeleton is taken without its case ending (`name_base`), a Latin one's from its stem."""
    return name_key(name_base(word) if has_cyrillic(word) else stemmed)


def name_base(word: str) -> str:
    """A Cyrillic name without its case ending, for `name_key` ("грызлова" → "грызлов"); the
    Snowball stem takes "-ов" off a nominative too ("грызлов" → "грызл"), and the English and
    Russian skeletons of one name then differ."""
    for ending in _CASE_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word
