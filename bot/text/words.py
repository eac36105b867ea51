"""Words: tokenising, Snowball stems, scripts and language — one definition for matching,
stories, summaries and search.

Stems come from Snowball (English for Latin words, Russian for Cyrillic ones), one stemmer
per thread (`bot.text.stemming`), cached per word: a bot meets an open-ended vocabulary, so
the cache is bounded.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.text.stemming import stemmer

_CACHED_WORDS = 1 << 17
_WORD_RE = re.compile(r"[^\W_]+")
_CYRILLIC_RE = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN_RE = re.compile(r"[a-z]", re.IGNORECASE)


def normalise_word(word: str) -> str:
    """Case-fold a word for comparison: lower case, `ё` written as `е`."""
    return word.lower().replace("ё", "е")


def tokens(text: str) -> list[str]:
    """Lower-cased words (`ё` → `е`); hyphens and apostrophes split words ("Russia-led")."""
    return _WORD_RE.findall(text.lower().replace("ё", "е").replace("’", "'"))


def script_of(word: str) -> str | None:
    """`"ru"` for a Cyrillic word, `"en"` for a Latin one, None otherwise (digits, …)."""
    for char in word:
        if "\u0400" <= char <= "\u04ff":
            return "ru"
        if char.isascii() and char.isalpha():
            return "en"
    return None


def language_of(text: str) -> str:
    """ "ru" when Cyrillic letters outnumber Latin ones, else "en"."""
    return "ru" if len(_CYRILLIC_RE.findall(text)) > len(_LATIN_RE.findall(text)) else "en"


def snowball(word: str, language: str) -> str:
    """The Snowball stem of `word` in `language` ("en" or "ru"), uncached."""
    return stemmer("russian" if language == "ru" else "english").stemWord(word)


def has_cyrillic(word: str) -> bool:
    """Whether any letter of `word` is Cyrillic."""
    return any("\u0400" <= ch <= "\u04ff" for ch in word)


@lru_cache(maxsize=_CACHED_WORDS)
def stem(word: str) -> str:
    """Snowball stem of a lower-case word: Russian when it has a Cyrillic letter, else English."""
    return snowball(word, "ru" if has_cyrillic(word) else "en")


_RU_ENDING = re.compile(
    r"(?:иями|ями|ами|ого|его|ому|ему|ыми|ими|ая|яя|ое|ее|ие|ые|ой|ей|ий|ый|ую|юю|ом|ем|ам|ям"
    r"|ах|ях|ов|ев|ью|а|я|о|е|ы|и|у|ю|ь|й)$"
)


def light_stem(word: str) -> str:
    """A light stem, suffix stripping only, so that "санкции"/"санкций" and
    "sanction"/"sanctions" count together. Summaries score sentences with it: Snowball would
    pick other sentences in about one long text in five, a change users would see."""
    if has_cyrillic(word):
        stem = _RU_ENDING.sub("", word)
        return stem if len(stem) >= 3 else word
    word = re.sub(r"['’]s$", "", word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word
