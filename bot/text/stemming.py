"""Snowball stemmers, one per thread.

A snowballstemmer stemmer keeps the word it is working on in its own attributes, so two
threads stemming with one object corrupt each other's words ("sanction" comes back as a
piece of another word, or an IndexError). Feeds are parsed and matched in worker threads
when no parse processes run, so every thread gets its own stemmers.
"""

from __future__ import annotations

import threading

import snowballstemmer

_local = threading.local()


def stemmer(language: str) -> snowballstemmer.stemmer:
    """This thread's stemmer for `language` ("english" or "russian")."""
    stemmers: dict[str, snowballstemmer.stemmer] | None = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    found = stemmers.get(language)
    if found is None:
        found = stemmers[language] = snowballstemmer.stemmer(language)
    return found
