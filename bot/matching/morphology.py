"""Word normalisation and morphology: Snowball stems plus a light derivational trim.

A morphological term word and a text token match when they reduce to the same *root*:

1. normalise: lower-case, `ё` → `е`; English `-ise/-ised/-ising/-isation` → `-ize…` spelling;
2. stem with Snowball (Russian for Cyrillic words, English for Latin ones);
3. trim one derivational ending the stemmer leaves: English `-it` of `-ition`
   (recognit → recogn), Russian imperfective `-ыва/-ива/-ва` (признава → призна) and the
   participle/noun `-н` after a vowel (признан → призна).

A token also matches with its negation prefix removed (Russian `не-`, English `un-`), so
`признавать` finds `непризнание` and `recognise` finds `unrecognised`.

The analyser is chosen per word by its script, so an English name inside a Russian text is
still stemmed as English; the item's language only decides which `lang:` terms run.
"""

from __future__ import annotations

import re

from bot.text import script_of, snowball

_EN_ISE = re.compile(r"(?<=[a-z]{3})is(e|es|ed|ing|ation|ations|er|ers)$")
_MIN_ROOT = 4  # shorter roots are left alone: trimming them would merge unrelated words
_NEGATION = {"ru": "не", "en": "un"}
_RU_TRIMS = ("ыва", "ива", "ва")
_RU_VOWELS = "аяе"


def _trim(stem: str, language: str) -> str:
    """Remove one derivational ending that Snowball keeps (see the module docstring)."""
    if language == "en":
        if stem.endswith("it") and len(stem) - 2 > _MIN_ROOT:
            return stem[:-2]
        return stem
    for ending in _RU_TRIMS:
        if stem.endswith(ending) and len(stem) - len(ending) >= _MIN_ROOT:
            return stem[: -len(ending)]
    if stem.endswith("н") and len(stem) > _MIN_ROOT + 1 and stem[-2] in _RU_VOWELS:
        return stem[:-1]
    return stem


def root(word: str) -> str:
    """The comparison root of a normalised word (itself when it is not Latin/Cyrillic)."""
    language = script_of(word)
    if language is None:
        return word
    if language == "en":
        word = _EN_ISE.sub(r"iz\1", word)
    return _trim(snowball(word, language), language)


def token_roots(word: str) -> tuple[str, ...]:
    """Roots a text token can match: its own, and without a negation prefix (`не-`, `un-`)."""
    own = root(word)
    language = script_of(word)
    prefix = _NEGATION.get(language or "")
    if prefix and word.startswith(prefix) and len(word) - len(prefix) > _MIN_ROOT:
        bare = root(word[len(prefix) :])
        if bare != own:
            return (own, bare)
    return (own,)
