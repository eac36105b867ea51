"""Refuse XML that declares entities, before any XML parser sees the bytes.

Entity declarations are how "billion laughs" (nested expansion), quadratic blow-up (one big
entity referenced a million times) and XXE (an entity read from a file or URL) work. feedparser
strips nested and external entities but keeps "safe" ones, and its fallback (loose) parser then
expands a 1 MB entity at every reference: a 100 kB feed became 100 MB of text in 3 s, a 3 MB one
exhausted memory. So any `<!ENTITY` outside comments and CDATA sections is
refused, except four harmless forms real feeds use, which cannot amplify or reach out:

- a character reference, in either quotes: `<!ENTITY nbsp "&#160;">`, `<!ENTITY nbsp '&#160;'>`;
- a literal character: `<!ENTITY mdash "—">`;
- a short plain string (at most `SHORT_VALUE` characters, no `&`, `%` or `<`): the document
  size limit bounds what it can add;
- the XHTML entity sets by their W3C public identifiers
  (`<!ENTITY % HTMLlat1 PUBLIC "-//W3C//ENTITIES Latin 1 for XHTML//EN" "…">`), which parsers
  resolve from their own tables, never by fetching the URL.

docs/reliability.md lists what is refused on purpose.

The scan is linear in the document size and also covers UTF-16/32 and EBCDIC encodings, which
would otherwise hide the declaration from a byte search.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

SHORT_VALUE = 32  # longest plain-string entity value allowed
_NAME = r"[\w.:-]+"
_HARMLESS_ENTITY = re.compile(
    r"<!ENTITY\s+" + _NAME + r"\s+(?:"
    r'"&#(?:[0-9]{1,7}|x[0-9a-fA-F]{1,6});"|' + r"'&#(?:[0-9]{1,7}|x[0-9a-fA-F]{1,6});'|"
    r'"[^"&%<]{1,' + str(SHORT_VALUE) + r'}"|' + r"'[^'&%<]{1," + str(SHORT_VALUE) + r"}'"
    r")\s*>"
)
_XHTML_SET = re.compile(
    r"<!ENTITY\s+%\s+" + _NAME + r'\s+PUBLIC\s+"-//W3C//ENTITIES (?:Latin 1|Symbols|Special)'
    r' for XHTML//EN"\s+"[^"<>]*"\s*>'
)
_EBCDIC_PROLOG = b"\x4c\x6f\xa7\x94"  # "<?xm" in EBCDIC
_WIDE_ENCODINGS = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


def entity_problem(body: bytes) -> str | None:
    """Why `body` must not be parsed (it declares entities), or None when it is safe."""
    for text in _decodings(body):
        at = _first_entity_declaration(text)
        if at is not None:
            line = text.count("\n", 0, at) + 1
            return (
                f"refused: XML entity declaration at line {line} "
                "(possible entity expansion or XXE attack)"
            )
    return None


def _decodings(body: bytes) -> Iterator[str]:
    """The document as text in every encoding a parser might read it in."""
    # latin-1 maps bytes 1:1, so every ASCII-compatible encoding (UTF-8, windows-1251…) is
    # covered: the markup we look for is plain ASCII in all of them.
    yield body.decode("latin-1")
    if b"\x00" in body:
        for encoding in _WIDE_ENCODINGS:
            for start in range(4 if encoding.startswith("utf-32") else 2):
                yield body[start:].decode(encoding, errors="ignore")
    if body.startswith(_EBCDIC_PROLOG):
        yield body.decode("cp037", errors="ignore")


def _first_entity_declaration(text: str) -> int | None:
    """The first `<!ENTITY …` outside comments and CDATA that is not a character reference."""
    pos = 0
    while True:
        pos = text.find("<!", pos)
        if pos < 0:
            return None
        for opener, closer in (("<!--", "-->"), ("<![CDATA[", "]]>")):
            if text.startswith(opener, pos):
                end = text.find(closer, pos + len(opener))
                # Unterminated: scan on from the opener, which can only refuse more.
                pos = end + len(closer) if end >= 0 else pos + len(opener)
                break
        else:
            if text[pos + 2 : pos + 8].upper() == "ENTITY" and not (
                _HARMLESS_ENTITY.match(text, pos) or _XHTML_SET.match(text, pos)
            ):
                return pos
            pos += 2
