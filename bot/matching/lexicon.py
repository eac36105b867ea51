"""The vocabulary of a compiled rule set: every distinct word and regex, each one *atom*.

Compile time registers each word of each term once (exact form, morphological root, or a
`*` prefix) and every regex once. Match time looks up each token of a text in a bounded
cache (token → the atoms it satisfies), so a text is scanned once however many rules there
are, and one RE2 set pass says which regexes occur at all.
"""

from __future__ import annotations

from typing import Any

from bot.matching.morphology import root, token_roots
from bot.matching.regex import SET_SIZE, compile_sets
from bot.text import normalise_word, script_of

Atoms = tuple[int, ...]
CACHE_SIZE = 200_000  # distinct tokens remembered; the cache is emptied when it is full


class Lexicon:
    """Atoms of a rule set and the token → atoms lookup used on every text."""

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        self._ids: dict[tuple[str, str], int] = {}
        self._exact: dict[str, list[int]] = {}
        self._root: dict[str, list[int]] = {}
        self._prefix: dict[str, list[int]] = {}
        self._prefix_lengths: tuple[int, ...] = ()
        self._regex_atoms: list[int] = []
        self._regex_sources: list[str] = []
        self._sets: list[Any] = []
        self._cache: dict[str, Atoms] = {}
        self._cache_size = cache_size

    def _atom(self, kind: str, key: str, table: dict[str, list[int]] | None) -> int:
        atom = self._ids.get((kind, key))
        if atom is None:
            atom = self._ids[(kind, key)] = len(self._ids)
            if table is not None:
                table.setdefault(key, []).append(atom)
            self._cache.clear()
        return atom

    def word(self, word: str, *, morph: bool) -> int:
        """The atom of one term word: `stem*` (prefix), a root (morph) or the exact word."""
        if word.endswith("*"):
            return self._atom("prefix", normalise_word(word[:-1]), self._prefix)
        norm = normalise_word(word)
        if morph and script_of(norm) is not None:
            return self._atom("root", root(norm), self._root)
        return self._atom("exact", norm, self._exact)

    def regex(self, guarded_source: str) -> int:
        """The atom of a (guarded, RE2) regex; found in texts by one set pass."""
        key = ("regex", guarded_source)
        if key not in self._ids:
            self._regex_atoms.append(self._atom(*key, None))
            self._regex_sources.append(guarded_source)
        return self._ids[key]

    def freeze(self) -> None:
        """Finish compilation: build the regex set and the wildcard prefix lengths."""
        self._prefix_lengths = tuple(sorted({len(p) for p in self._prefix}))
        self._sets = compile_sets(self._regex_sources)

    @property
    def has_regexes(self) -> bool:
        return bool(self._sets)

    def _lookup(self, token: str) -> Atoms:
        norm = normalise_word(token)
        found = list(self._exact.get(norm, ()))
        for length in self._prefix_lengths:
            if length > len(norm):
                break
            found.extend(self._prefix.get(norm[:length], ()))
        if self._root and script_of(norm) is not None:
            for key in token_roots(norm):
                found.extend(self._root.get(key, ()))
        atoms = tuple(sorted(set(found)))
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[token] = atoms
        return atoms

    def token_atoms(self, tokens: list[str]) -> list[Atoms]:
        """For each token, the word atoms it satisfies (mostly empty)."""
        found = list(map(self._cache.get, tokens))
        if None in found:
            lookup = self._lookup
            found = [lookup(t) if a is None else a for t, a in zip(tokens, found, strict=True)]
        return found  # type: ignore[return-value]

    def regex_atoms(self, data: bytes) -> set[int]:
        """The regex atoms with at least one whole-word hit in UTF-8 `data`."""
        found: set[int] = set()
        for offset, regex_set in enumerate(self._sets):
            indexes = regex_set.Match(data)
            if indexes:
                found.update(self._regex_atoms[offset * SET_SIZE + i] for i in indexes)
        return found
