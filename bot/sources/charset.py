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
   charset-normalizer's reading, ties going to windows-1252, then windows-1251 and KOI8-R.
   On our own texts with no declaration (benchmarks/charset_guess.py) it read 976 of 986
   one-item feeds right, where a hand-written windows-1251/1252 choice read 489 (it knew no
   KOI8-R, ISO-8859-5 or Central European encodings).

A document read otherwise than feedparser would read it is re-encoded as UTF-8 with its
declaration rewritten to say so. Pure.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

_PROLOG_ENCODING = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*["'])([A-Za-z0-9._:-]+)(["'])""")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.IGNORECASE)
_BOMS = (  # UTF-32 first: its little-endian mark starts with UTF-16's
    (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)  # fmt: skip
_FEEDPARSER_BOMS = frozenset({"utf-8", "utf-16-be", "utf-16-le"})
_UTF8 = "utf-8"
# The legacy encodings the WHATWG Encoding Standard keeps for the web (DOS code pages such as
# cp775 read short Western text with no chaos at all, but no feed is written in them).
_WEB_ENCODINGS = (
    "cp1252", "cp1251", "koi8_r", "koi8_u", "cp1250", "iso8859_5", "cp1254", "iso8859_2",
    "iso8859_3", "iso8859_4", "iso8859_6", "iso8859_7", "iso8859_8", "iso8859_10", "iso8859_13",
    "iso8859_14", "iso8859_15", "iso8859_16", "cp1253", "cp1255", "cp1256", "cp1257", "cp1258",
    "cp874", "cp866", "mac_roman", "mac_cyrillic", "gb18030", "big5", "euc_jp", "shift_jis",
    "iso2022_jp", "euc_kr",
)  # fmt: skip
_TIE = 0.005  # charset-normalizer "chaos" differences below this are noise
_PREFERRED = {  # most used first: Western, then Russian, then the rest of Europe
    name: rank
    for rank, name in enumerate(
        ("cp1252", "cp1251", "koi8_r", "cp1250", "iso8859_5", "cp1254", "iso8859_1",
         "iso8859_2", "iso8859_15", "mac_cyrillic", "cp866")
    )
}  # fmt: skip


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
    used: str = http or prolog or _UTF8  # what feedparser would decode with
    said = f"declared {used}" if http or prolog else "undeclared"
    if _is_multibyte_utf8(body):
        if used == _UTF8:
            return body, content_type, None
        return _as_utf8(body.decode(_UTF8), content_type, f"{said}, decoded as utf-8")
    for declared in (http, prolog):
        if declared is not None and _fits(body, declared):
            if declared == used:
                return body, content_type, None
            note = f"{said}, decoded as {declared}"
            return _as_utf8(body.decode(declared), content_type, note)
    if _fits(body, _UTF8):  # ASCII: any ASCII-compatible reading is right
        return body, content_type, None
    text, guess = _guess_not_utf8(body)
    return _as_utf8(text, content_type, f"{said}, decoded as {guess}")


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
    return _detect(body)


def _detect(body: bytes) -> tuple[str, str]:
    """charset-normalizer's reading, ties broken towards the encodings feeds use.

    Several single-byte encodings often read a text with no "chaos" at all (Spanish is as
    clean in windows-1250 as in windows-1252, except that ñ becomes ń); among readings within
    `_TIE` of the cleanest, the one earliest in `_PREFERRED` wins. With nothing readable,
    windows-1252 — what feedparser and browsers fall back to.
    """
    readings = charset_normalizer.from_bytes(body, cp_isolation=list(_WEB_ENCODINGS))
    if not readings:
        return body.decode("cp1252", errors="replace"), "windows-1252 (nothing fitted better)"
    cleanest = min(reading.chaos for reading in readings)
    best = min(
        (reading for reading in readings if reading.chaos <= cleanest + _TIE),
        key=lambda reading: min(
            _PREFERRED.get(name, len(_PREFERRED)) for name in reading.could_be_from_charset
        ),
    )
    return str(best), _label(best.encoding)


def _label(codec: str) -> str:
    """A name a reader knows: "cp1251" → "windows-1251", "koi8_r" → "koi8-r"."""
    name = codec.replace("_", "-")
    return "windows-" + name[2:] if name.startswith("cp12") else name


def _is_multibyte_utf8(body: bytes) -> bool:
    """Valid UTF-8 with at least one multi-byte character (ASCII alone proves nothing).

    A byte above 0x7F in valid UTF-8 is part of a multi-byte character, so the bytes decide
    (`isascii` in C) instead of looking at every decoded character in Python."""
    if body.isascii():
        return False
    try:
        body.decode(_UTF8)
    except UnicodeDecodeError:
        return False
    return True
