"""The text toolkit every part of geoalert uses: HTML to plain text, whitespace, truncation,
words, Snowball stems, scripts and language. Pure: no I/O.

Matching (`bot.matching.morphology` adds its derivational trimming on top), stories
(`bot.event_terms`), summaries (`bot.summarize`), search queries and message formatting all
take their text work from here, so "a word", "its stem" and "Russian or English" mean the
same thing everywhere.
"""

from bot.text.plain import collapse_ws, html_to_text, truncate_words
from bot.text.stemming import stemmer
from bot.text.words import (
    has_cyrillic,
    language_of,
    light_stem,
    normalise_word,
    script_of,
    snowball,
    stem,
    tokens,
)

__all__ = [
    "collapse_ws",
    "has_cyrillic",
    "html_to_text",
    "language_of",
    "light_stem",
    "normalise_word",
    "script_of",
    "snowball",
    "stem",
    "stemmer",
    "tokens",
    "truncate_words",
]
