"""Decode a feed the way a careful reader does, before feedparser runs.

feedparser trusts the declared encoding and, when the bytes do not decode, falls back to a
Western single-byte encoding for the whole document; a wrong HTTP charset (nginx's `charset
utf-8;`) also hides a correct `<?xml encoding=…?>`. Here the bytes decide, in this order:

1. a byte-order mark (UTF-8, UTF-16, UTF-32; feedparser misses UTF-32);
2. bytes that are valid UTF-8 with multi-byte characters are UTF-8, whatever a single-byte
   label says;
3. the HTTP charset, if the bytes are valid in it;
4. the XML prolog's encoding, if the bytes are valid in it;
5. a guess: mostly valid UTF-8 with a few bad bytes → UTF-8 with U+FFFD for them; otherwise
   windows-1251 or windows-1252, whichever reads as real words (Cyrillic read as windows-1252
   is words of accented letters only; accented Latin read as windows-1251 is words mixing
   scripts, and letters like Ђ that Russian does not use).

A document read otherwise than feedparser would read it is re-encoded as UTF-8 with its
declaration rewritten to say so. Pure.
"""

from __future__ import annotations

import codecs
import re

_PROLOG_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._:-]+)(["'])""")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)  # fmt: skip
_FEEDPARSER_BOMS = frozenset({"utf-8", "utf-16-be", "utf-16-le"})
_UTF8 = "utf-8"
_WORDS = re.compile(r"[^\W\d_]+")
_NOT_RUSSIAN = re.compile("[\u0400-\u040f\u0450-\u045f]")  # Ђ Ѓ Є … (Ё/ё aside): cp1251's 0x80-0xBF
_NOT_RUSSIAN_KEEP = frozenset("Ёё")


def repair_encoding(body: bytes, content_type: str | None) -> tuple[bytes, str | None, str | None]:
    """(body, content_type, note): unchanged when feedparser would read the bytes right;
    otherwise UTF-8 bytes, a content type saying so, and a note naming the repair (for a log
    line)."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            if name in _FEEDPARSER_BOMS:
                return body, content_type, None
            text = body[len(bom) :].decode(name, errors="replace")
            return _as_utf8(text, content_type, f"byte-order mark, decoded as {name}")
    http = _lookup(_http_charset(content_type))
    prolog = _lookup(_prolog_charset(body))
    used = http or prolog or _UTF8  # what feedparser would decode with
    if _is_multibyte_utf8(body):
        if used == _UTF8:
            return body, content_type, None
        return _as_utf8(body.decode(_UTF8), content_type, f"declared {used}, decoded as utf-8")
    for name in (http, prolog):
        if name is not None and _fits(body, name):
            if name == used:
                return body, content_type, None
            return _as_utf8(body.decode(name), content_type, f"declared {used}, decoded as {name}")
    if _fits(body, _UTF8):  # ASCII: any ASCII-compatible reading is right
        return body, content_type, None
    text, guess = _guess_not_utf8(body)
    return _as_utf8(text, content_type, f"declared {used}, decoded as {guess}")


def _as_utf8(text: str, content_type: str | None, note: str) -> tuple[bytes, str, str]:
    media = (content_type or "application/xml").split(";", 1)[0].strip()
    repaired = _PROLOG_ENCODING.sub(rb"\g<1>utf-8\g<3>", text.encode(_UTF8), count=1)
    return repaired, f"{media}; charset=utf-8", note


def _http_charset(content_type: str | None) -> str | None:
    match = _CHARSET.search(content_type or "")
    return match.group(1) if match else None


def _prolog_charset(body: bytes) -> str | None:
    prolog = _PROLOG_ENCODING.match(body[:200])
    return prolog.group(2).decode("ascii") if prolog else None


def _lookup(name: str | None) -> str | None:
    """The codec's canonical name ("windows-1251" → "cp1251"), None if unknown or absent."""
    if name is None:
        return None
    try:
        return codecs.lookup(name).name.replace("_", "-")
    except LookupError:
        return None


def _fits(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _guess_not_utf8(body: bytes) -> tuple[str, str]:
    """Text of bytes that are not valid UTF-8, and the encoding it was read as."""
    lenient = body.decode(_UTF8, errors="replace")
    bad = lenient.count("\ufffd")
    good = sum(1 for ch in lenient if ord(ch) > 0x7F and ch != "\ufffd")
    if good >= 10 * bad:  # a few stray bytes in real UTF-8
        return lenient, "utf-8 with invalid bytes replaced"
    cyrillic = body.decode("cp1251", errors="replace")
    latin = body.decode("cp1252", errors="replace")
    if _implausible(cyrillic) <= _implausible(latin):
        return cyrillic, "windows-1251"
    return latin, "windows-1252"


def _implausible(text: str) -> int:
    """How many words of `text` no language writes: words mixing Latin and Cyrillic letters
    ("Cafй"), words of two or more letters that are all accented Latin ("Ìèíôèí"), and
    Cyrillic letters Russian does not use (Ђ for €)."""
    count = 0
    for word in _WORDS.findall(text):
        latin = sum(1 for ch in word if ch < "\u0250")
        cyrillic = sum(1 for ch in word if "\u0400" <= ch <= "\u04ff")
        accented = sum(1 for ch in word if "\u00c0" <= ch < "\u0250")
        if (latin and cyrillic) or (len(word) >= 2 and accented == len(word)):
            count += 1
    not_russian = [ch for ch in _NOT_RUSSIAN.findall(text) if ch not in _NOT_RUSSIAN_KEEP]
    return count + len(not_russian)


def _is_multibyte_utf8(body: bytes) -> bool:
    """Valid UTF-8 with at least one multi-byte character (ASCII alone proves nothing)."""
    try:
        text = body.decode(_UTF8)
    except UnicodeDecodeError:
        return False
    return any(ord(ch) > 0x7F for ch in text)
