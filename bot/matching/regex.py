"""Regular expressions on RE2 (linear time): translation, whole-word guards, multi-pattern sets.

Rule authors write Python-flavoured regexes; RE2 differs in three ways that matter here, and
each is handled explicitly rather than by falling back to Python's `re`:

- `\\w`, `\\W`, `\\d`, `\\D` are ASCII-only in RE2: they are rewritten to Unicode classes so
  `санкци\\w*` keeps working;
- `\\b`/`\\B` are ASCII-only and lookarounds/backreferences do not exist: such a pattern is a
  load error (every term already matches whole words, see `guard`);
- the whole-word guard is not a lookbehind but a consumed boundary character plus a capture
  group; `find_spans` restarts after the captured span so adjacent hits are all found.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import re2

WORD_CLASS = r"\p{L}\p{N}_"
_BOUNDARY = rf"[^{WORD_CLASS}]"
_OUTSIDE = {"w": f"[{WORD_CLASS}]", "W": f"[^{WORD_CLASS}]", "d": r"\p{Nd}", "D": r"\P{Nd}"}
_INSIDE = {"w": WORD_CLASS, "d": r"\p{Nd}"}


class RegexError(ValueError):
    """A pattern RE2 cannot compile or that the matcher does not support."""


# Patterns per RE2 set: one pass per set and field. A set's DFA is built lazily, state by
# state, as texts are scanned; patterns with word gaps ("(?:\S+ ){0,6}") multiply its states,
# so the first texts get slow and memory grows (on a 112-regex rule set, 64 per set scanned
# cold text at 1,917 texts/s, 8 per set at 9,375). Write proximity as `near`, not as regex
# gaps: with few, gap-free regexes, 64 per set means fewer passes and is the faster choice.
SET_SIZE = 64
SET_MEMORY = 64 << 20


def _options(max_mem: int | None = None) -> Any:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    if max_mem is not None:
        options.max_mem = max_mem
    return options


def _escape(letter: str, in_class: bool) -> str:
    if letter in "bB":
        raise RegexError(
            rf"'\{letter}' is not supported (every term already matches whole words only)"
        )
    table = _INSIDE if in_class else _OUTSIDE
    if letter in table:
        return table[letter]
    if in_class and letter in "WD":
        raise RegexError(rf"'\{letter}' inside [...] is not supported; write [^...] instead")
    return "\\" + letter


def translate(source: str) -> str:
    """Rewrite Python's Unicode `\\w`/`\\d` shorthands into RE2's Unicode classes."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source):
            out.append(_escape(source[i + 1], in_class))
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            i += 1
            for literal in ("^", "]"):  # `[^]…]`, `[]…]`: a leading ']' is a literal
                if source.startswith(literal, i):
                    out.append(literal)
                    i += 1
            continue
        if char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    return "".join(out)


def _compile(source: str) -> Any:
    try:
        return re2.compile(source, _options())
    except re2.error as e:
        reason = e.args[0] if e.args else str(e)
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise RegexError(str(reason)) from e


def guard(source: str) -> str:
    """Whole words only: a non-word character (or an end) on each side; group 1 is the hit."""
    return rf"(?:^|{_BOUNDARY})({source})(?:{_BOUNDARY}|$)"


def compile_user_regex(source: str) -> tuple[str, Any]:
    """Validate and compile a rule's regex; returns (guarded RE2 source, compiled guard)."""
    inner = translate(source)
    guarded = guard(inner)
    try:
        compiled = _compile(guarded)
    except RegexError:
        _compile(inner)  # RE2's reason, quoting the rule's own pattern
        raise
    # The guard matches the empty text exactly when the pattern does (both ends are allowed).
    if compiled.search(b"") is not None:
        raise RegexError("matches the empty string")
    return guarded, compiled


def compile_sets(sources: list[str]) -> list[Any]:
    """RE2 sets of guarded patterns (`SET_SIZE` each): one pass each says which ones occur.

    Set `k` holds `sources[k * SET_SIZE:(k + 1) * SET_SIZE]`, so a set's match index `i`
    is source `k * SET_SIZE + i`.
    """
    sets = []
    for first in range(0, len(sources), SET_SIZE):
        regex_set = re2.Set.SearchSet(_options(SET_MEMORY))
        for source in sources[first : first + SET_SIZE]:
            regex_set.Add(source)
        try:
            regex_set.Compile()
        except re2.error as e:
            raise RegexError("the rules' regexes are too large for RE2 to combine") from e
        sets.append(regex_set)
    return sets


def find_spans(regex: Any, data: bytes) -> Iterator[tuple[int, int]]:
    """Byte spans of every whole-word hit of a guarded regex in UTF-8 `data`."""
    pos = 0
    while pos <= len(data):
        found = regex.search(data, pos)
        if found is None:
            return
        start, end = found.span(1)
        yield start, end
        pos = end if end > pos else pos + 1  # an empty hit must not stall the scan
