"""Repair a feed's character encoding when its declaration is wrong, before feedparser runs.

feedparser trusts the declared encoding and, when the bytes do not decode, falls back to a
Western single-byte encoding for the whole document: one stray byte in a UTF-8 feed turned all
its Russian text into mojibake, and a windows-1251 feed declared as UTF-8 came out as
"Ìèíôèí". Here the bytes decide:

- declared (or defaulted) UTF-8 that does not decode: mostly valid UTF-8 → the bad bytes become
  U+FFFD; otherwise Cyrillic-looking single-byte text → windows-1251, else windows-1252;
- declared as a single-byte encoding but valid UTF-8 with multi-byte characters → UTF-8.

A repaired document is re-encoded as UTF-8 with its declaration rewritten to say so. Pure.
"""

from __future__ import annotations

import codecs
import re

_PROLOG_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._:-]+)(["'])""")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE)
_UTF8 = "utf-8"


def repair_encoding(body: bytes, content_type: str | None) -> tuple[bytes, str | None, str | None]:
    """(body, content_type, note): unchanged when the declaration fits the bytes; otherwise
    UTF-8 bytes, a content type saying so, and a note naming the repair (for a log line)."""
    if body.startswith(_BOMS):
        return body, content_type, None
    declared = _declared(body, content_type)
    if declared is None:
        return body, content_type, None
    try:
        body.decode(declared)
        fits = True
    except UnicodeDecodeError:
        fits = False
    if declared == _UTF8 and not fits:
        text, used = _guess_not_utf8(body)
    elif declared != _UTF8 and _single_byte(declared) and _is_multibyte_utf8(body):
        text, used = body.decode(_UTF8), _UTF8
    else:
        return body, content_type, None
    media = (content_type or "application/xml").split(";", 1)[0].strip()
    repaired = _PROLOG_ENCODING.sub(rb"\g<1>utf-8\g<3>", text.encode(_UTF8), count=1)
    return repaired, f"{media}; charset=utf-8", f"declared {declared}, decoded as {used}"


def _declared(body: bytes, content_type: str | None) -> str | None:
    """The encoding a parser would use: the HTTP charset, else the XML prolog, else UTF-8."""
    match = _CHARSET.search(content_type or "")
    name = match.group(1) if match else None
    if name is None:
        prolog = _PROLOG_ENCODING.match(body[:200])
        name = prolog.group(2).decode("ascii") if prolog else _UTF8
    try:
        return codecs.lookup(name).name.replace("_", "-")
    except LookupError:
        return None


def _guess_not_utf8(body: bytes) -> tuple[str, str]:
    """Text of bytes that are not valid UTF-8, and the encoding it was read as."""
    lenient = body.decode(_UTF8, errors="replace")
    bad = lenient.count("\ufffd")
    good = sum(1 for ch in lenient if ord(ch) > 0x7F and ch != "\ufffd")
    if good >= 10 * bad:  # a few stray bytes in real UTF-8
        return lenient, "utf-8 with invalid bytes replaced"
    cyrillic = body.decode("cp1251", errors="replace")
    letters = [ch for ch in cyrillic if ord(ch) > 0x7F and ch.isalpha()]
    if letters and sum("\u0400" <= ch <= "\u04ff" for ch in letters) >= 0.8 * len(letters):
        return cyrillic, "windows-1251"
    return body.decode("cp1252", errors="replace"), "windows-1252"


def _single_byte(encoding: str) -> bool:
    """An ASCII-compatible encoding with one byte per character (windows-1251, koi8-r…)."""
    sample = bytes(range(256)).decode(encoding, errors="replace")
    return len(sample) == 256 and sample[:128] == bytes(range(128)).decode("ascii")


def _is_multibyte_utf8(body: bytes) -> bool:
    """Valid UTF-8 with at least one multi-byte character (ASCII alone proves nothing)."""
    try:
        text = body.decode(_UTF8)
    except UnicodeDecodeError:
        return False
    return any(ord(ch) > 0x7F for ch in text)
