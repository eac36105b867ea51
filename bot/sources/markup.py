"""Make three common real-world XML errors well-formed before feedparser reads a feed.

When a feed is not well-formed, feedparser's strict (expat) parser gives up and its loose
parser takes over, and the loose parser gets ampersands and entities wrong:

- a bare `&` in a URL query: `…?id=7781&lang=en` came out as `…?id=7781〈=en` (`&lang`
  read as the HTML entity 〈); in a title, "Lithuania & Latvia" marks the whole feed bozo;
- HTML entities no XML parser knows (`&nbsp;`, `&laquo;`, `&eacute;` with or without the
  XHTML entity sets declared);
- entities declared in the document's own DTD (`<!DOCTYPE rss [<!ENTITY org "CSTO">]>`):
  feedparser keeps such declarations only when each starts a line and uses double quotes, so
  `&org;` stayed in titles as literal text.

Here every `&` outside CDATA sections and comments becomes what a browser would make of it:
character references and the five XML entities stay; HTML entity names become numeric
references; names the document declared (`bot.sources.xmlguard` has already refused every
declaration that could amplify or reach out) become their values; anything else is a
literal `&amp;`. The internal DTD is then removed. A feed that needs none of this — the common
case — is returned as is after one regular-expression search. Pure.

Only ASCII-compatible documents are touched (UTF-16 keeps its bytes: the parser reads it).
"""

from __future__ import annotations

import html.entities
import re

_NEEDS_WORK = re.compile(
    rb"&(?!#[0-9]{1,7};|#x[0-9a-fA-F]{1,6};|(?:amp|lt|gt|quot|apos);)|<!DOCTYPE[^>\[]*\["
)
_REFERENCE = re.compile(rb"&(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][\w.:-]{0,31};)?")
_KEEP = frozenset({b"amp;", b"lt;", b"gt;", b"quot;", b"apos;"})
_VERBATIM = re.compile(rb"<!\[CDATA\[.*?(?:\]\]>|$)|<!--.*?(?:-->|$)", re.DOTALL)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_INTERNAL_DTD = re.compile(rb"<!DOCTYPE[^>\[]*\[(.*?)\]\s*>", re.DOTALL)
_DECLARATION = re.compile(rb"""<!ENTITY\s+([\w.:-]+)\s+(?:"([^"]*)"|'([^']*)')\s*>""")
_HTML = {
    name.encode("ascii"): "".join(f"&#{ord(ch)};" for ch in text).encode("ascii")
    for name, text in html.entities.html5.items()
    if name.endswith(";")
}


def fix_markup(body: bytes) -> bytes:
    """`body` with bare ampersands, HTML entities and its own declared entities made
    well-formed XML; the same object when nothing needed fixing."""
    if body[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in body[:4]:
        return body
    if _NEEDS_WORK.search(body) is None:
        return body
    head = b""
    declared: dict[bytes, bytes] = {}
    subset = _INTERNAL_DTD.search(body)
    root = _FIRST_ELEMENT.search(body)
    if subset is not None and (root is None or subset.start() < root.start()):
        for name, double, single in _DECLARATION.findall(subset.group(1)):
            declared.setdefault(name + b";", double or single)
        head, body = body[: subset.start()], body[subset.end() :]

    def reference(match: re.Match[bytes]) -> bytes:
        name = match.group(1)
        if name is None:
            return b"&amp;"
        if name[0] == 0x23:  # "#": a character reference; `&#X41;` is HTML, XML wants `&#x41;`
            return b"&#x" + name[2:] if name[1] == 0x58 else match.group(0)
        if name in _KEEP:
            return match.group(0)
        if name in declared:
            return declared[name]
        return _HTML.get(name) or b"&amp;" + name

    parts = []
    last = 0
    for verbatim in _VERBATIM.finditer(body):
        parts.append(_REFERENCE.sub(reference, body[last : verbatim.start()]))
        parts.append(verbatim.group(0))
        last = verbatim.end()
    parts.append(_REFERENCE.sub(reference, body[last:]))
    return head + b"".join(parts)
