"""The text being matched: normalised fields, word positions, hits and snippets."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

_WORD = re.compile(r"\w+")
# A sentence ends at . ! ? … (plus closing quotes) followed by a capital, digit or opening quote.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*\s+(?=[\"“«(\[]?[A-ZА-ЯЁ0-9])")
SNIPPET_WIDTH = 200


def normalise(text: str) -> str:
    """NFC-normalise and collapse every run of whitespace into one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def normalise_language(language: str | None) -> str | None:
    """`"en-US"` → `"en"`; empty → None."""
    if not language:
        return None
    return language.strip().lower().replace("_", "-").split("-")[0] or None


@dataclass(frozen=True, slots=True)
class Field:
    """One normalised field (title or body) with the start offset of every word."""

    text: str
    word_starts: tuple[int, ...]
    sentence_starts: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Field:
        clean = normalise(text)
        words = tuple(m.start() for m in _WORD.finditer(clean))
        sentences = (0, *(m.end() for m in _SENTENCE_END.finditer(clean)))
        return cls(clean, words, sentences)

    def sentence_of(self, offset: int) -> int:
        """Index of the sentence that contains the character at `offset`."""
        return bisect_right(self.sentence_starts, offset) - 1

    def word_span(self, start: int, end: int) -> tuple[int, int]:
        """Indexes of the first and last word that the character span [start, end) covers."""
        first = bisect_left(self.word_starts, start)
        last = max(first, bisect_left(self.word_starts, end) - 1)
        return first, last


@dataclass(frozen=True, slots=True)
class Hit:
    """Where a term matched: field (0 title, 1 body), characters, words, sentence, text."""

    field: int
    start: int
    end: int
    first_word: int
    last_word: int
    sentence: int
    text: str
    parts: tuple[Hit, ...] = ()  # the two hits a `near` hit is made of

    def leaves(self) -> tuple[Hit, ...]:
        """The plain hits this hit is made of (itself, unless it is a `near` pair)."""
        return tuple(leaf for part in self.parts for leaf in part.leaves()) or (self,)

    def contains(self, other: Hit) -> bool:
        return self.field == other.field and self.start <= other.start and other.end <= self.end

    def overlaps(self, other: Hit) -> bool:
        return self.field == other.field and self.start < other.end and other.start < self.end

    def words_between(self, later: Hit) -> int:
        """Number of words strictly between this hit and a later one in the same field."""
        return later.first_word - self.last_word - 1


@dataclass(frozen=True, slots=True)
class Document:
    """A title and a body to match, plus the item's language when known."""

    fields: tuple[Field, Field]
    language: str | None

    @classmethod
    def of(cls, title: str, text: str, language: str | None = None) -> Document:
        return cls((Field.of(title), Field.of(text)), normalise_language(language))

    def hit(self, field: int, start: int, end: int, text: str | None = None) -> Hit:
        where = self.fields[field]
        first, last = where.word_span(start, end)
        found = where.text[start:end] if text is None else text
        return Hit(field, start, end, first, last, where.sentence_of(start), found)


def snippet(text: str, start: int, end: int, width: int = SNIPPET_WIDTH) -> str:
    """About `width` characters of `text` around [start, end), cut on word boundaries with "…"."""
    if len(text) <= width:
        return text
    lead = max(0, (width - (end - start)) // 3)
    a = max(0, start - lead)
    b = min(len(text), a + width)
    a = max(0, min(a, b - width))
    if a > 0 and text[a - 1] != " ":
        space = text.find(" ", a, start)
        a = space + 1 if space != -1 else a
    if b < len(text) and text[b] != " ":
        space = text.rfind(" ", max(end, a), b)
        b = space if space != -1 else b
    body = text[a:b].strip()
    return ("…" if a > 0 else "") + body + ("…" if b < len(text) else "")
