"""The text being matched: normalised fields, word positions, hits and snippets."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import accumulate, compress

from bot.matching.lexicon import Atoms, Lexicon
from bot.text import language_of

_WORD = re.compile(r"(\w+)")  # captured, so `split` keeps the words
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


class Field:
    """One normalised field (title or body): its tokens, their atoms, and lazy positions.

    Only the token strings and their atoms are computed for every text; character spans,
    sentences and occurrence lists are built on first use (i.e. for candidate topics).
    """

    __slots__ = (
        "_occurrences",
        "_offsets",
        "_parts",
        "_sentences",
        "_starts",
        "_utf8",
        "atoms",
        "text",
    )

    def __init__(self, text: str, lexicon: Lexicon) -> None:
        self.text = normalise(text)
        # [gap, token, gap, token, …, gap]: tokens and, on demand, their offsets in one pass.
        self._parts: list[str] = _WORD.split(self.text)
        self.atoms: list[Atoms] = lexicon.token_atoms(self.tokens)
        self._offsets: list[int] | None = None
        self._starts: list[int] | None = None
        self._sentences: list[int] | None = None
        self._occurrences: dict[int, list[int]] | None = None
        self._utf8: bytes | None = None

    @property
    def tokens(self) -> list[str]:
        """The words of the field (runs of letters, digits and `_`)."""
        return self._parts[1::2]

    @property
    def offsets(self) -> list[int]:
        """Token `i` spans characters `offsets[2 * i]` to `offsets[2 * i + 1]`."""
        if self._offsets is None:
            self._offsets = list(accumulate(map(len, self._parts)))
        return self._offsets

    @property
    def word_starts(self) -> list[int]:
        if self._starts is None:
            self._starts = self.offsets[0:-1:2]
        return self._starts

    @property
    def sentence_starts(self) -> list[int]:
        if self._sentences is None:
            self._sentences = [0, *(m.end() for m in _SENTENCE_END.finditer(self.text))]
        return self._sentences

    @property
    def occurrences(self) -> dict[int, list[int]]:
        """Atom → indexes of the tokens that satisfy it."""
        if self._occurrences is None:
            found: dict[int, list[int]] = {}
            for index in compress(range(len(self.atoms)), self.atoms):  # tokens with atoms
                for atom in self.atoms[index]:
                    found.setdefault(atom, []).append(index)
            self._occurrences = found
        return self._occurrences

    @property
    def utf8(self) -> bytes:
        if self._utf8 is None:
            self._utf8 = self.text.encode("utf-8")
        return self._utf8

    def char_offset(self, byte_offset: int) -> int:
        """Character offset of a byte offset into `utf8`."""
        if len(self.utf8) == len(self.text):
            return byte_offset
        return len(self.utf8[:byte_offset].decode("utf-8"))

    def sentence_of(self, offset: int) -> int:
        """Index of the sentence that contains the character at `offset`."""
        return bisect_right(self.sentence_starts, offset) - 1

    def word_span(self, start: int, end: int) -> tuple[int, int]:
        """Indexes of the first and last word that the character span [start, end) covers."""
        starts = self.word_starts
        first = bisect_left(starts, start)
        last = max(first, bisect_left(starts, end) - 1)
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


class Document:
    """A title and a body to match, the item's language, and per-document hit memos."""

    __slots__ = ("_language", "_present", "_regexes", "fields", "given_language", "lexicon", "memo")

    def __init__(self, fields: tuple[Field, Field], language: str | None, lexicon: Lexicon):
        self.fields = fields
        self.given_language = language
        self.lexicon = lexicon
        self.memo: dict[int, list[Hit]] = {}  # id(pattern) → hits (patterns are shared)
        self._language: str | None = language
        self._regexes: list[set[int] | None] = [None, None]
        self._present: set[int] | None = None

    @classmethod
    def of(
        cls, title: str, text: str, language: str | None = None, lexicon: Lexicon | None = None
    ) -> Document:
        lexicon = lexicon or Lexicon()
        fields = (Field(title, lexicon), Field(text, lexicon))
        return cls(fields, normalise_language(language), lexicon)

    @property
    def language(self) -> str:
        """The given language, or "ru"/"en" by Cyrillic vs Latin letters (detected lazily)."""
        if self._language is None:
            self._language = language_of(f"{self.fields[0].text} {self.fields[1].text}")
        return self._language

    def regexes(self, field: int) -> set[int]:
        """Regex atoms with a hit in one field (one RE2 set pass, on first use)."""
        found = self._regexes[field]
        if found is None:
            found = self._regexes[field] = self.lexicon.regex_atoms(self.fields[field].utf8)
        return found

    @property
    def present(self) -> set[int]:
        """Every atom (word or regex) that occurs somewhere in the document."""
        if self._present is None:
            title, body = self.fields
            present: set[int] = set().union(*filter(None, title.atoms), *filter(None, body.atoms))
            if self.lexicon.has_regexes:
                present |= self.regexes(0) | self.regexes(1)
            self._present = present
        return self._present

    def hit(self, field: int, start: int, end: int, text: str | None = None) -> Hit:
        where = self.fields[field]
        first, last = where.word_span(start, end)
        found = where.text[start:end] if text is None else text
        return Hit(field, start, end, first, last, where.sentence_of(start), found)

    def word_hit(self, field: int, first: int, last: int) -> Hit:
        """A hit covering tokens `first`..`last` of a field."""
        where = self.fields[field]
        start, end = where.offsets[2 * first], where.offsets[2 * last + 1]
        text = where.text[start:end]
        return Hit(field, start, end, first, last, where.sentence_of(start), text)


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
