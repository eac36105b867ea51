"""A user's search words, prepared for the database's full-text index (pure).

SQLite's FTS5 index uses the `porter unicode61 remove_diacritics 2` tokenizer: Porter stems
English words in the index and in the query, so "sanction" finds "sanctions". Porter leaves
Cyrillic alone, so a Russian query word is stemmed here with Snowball and sent as a prefix
query: "санкции" → `"санкц"*` finds "санкциями". Stems shorter than `MIN_PREFIX` are matched as
whole words (a prefix "ан"* would match half the corpus). PostgreSQL gets the plain words
(`plainto_tsquery` stems both scripts itself).

User input never reaches the query syntax: words are extracted with a regex and every FTS5
term is a double-quoted string.
"""

from __future__ import annotations

import re

from bot.models import SearchQuery
from bot.text import snowball

MAX_TERMS = 12
MIN_PREFIX = 4
_WORD_RE = re.compile(r"[^\W_]+")


def query_words(query: str) -> list[str]:
    """The words of a user query, lower-cased (`ё` → `е`), without duplicates, at most 12."""
    words = [w.lower().replace("ё", "е") for w in _WORD_RE.findall(query)]
    return list(dict.fromkeys(words))[:MAX_TERMS]


def fts5_query(query: str) -> str:
    """An FTS5 MATCH expression for a user query: every word required, each safely quoted.

    Empty when the query has no words.
    """
    return _fts5(query_words(query))


def _fts5(words: list[str]) -> str:
    parts = []
    for word in words:
        if any("\u0400" <= ch <= "\u04ff" for ch in word):
            stem = snowball(word, "ru")
            parts.append(f'"{stem}"*' if len(stem) >= MIN_PREFIX else f'"{word}"')
        else:
            parts.append(f'"{word}"')  # porter stems it like the indexed text
    return " ".join(parts)


def search_query(query: str) -> SearchQuery:
    """A user query as `storage.search.search_items` takes it."""
    words = query_words(query)
    return SearchQuery(words=tuple(words), fts5=_fts5(words))
