"""Pure text helpers: HTML → plain text, whitespace collapsing, word-boundary truncation.

No I/O here; feeds, the corpus, summaries and message formatting all reuse these.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

# Elements whose content is never readable text.
_SKIPPED = frozenset({"script", "style", "noscript", "template", "head", "svg", "math", "iframe"})
# Elements that start or end a line when rendered.
_BLOCKS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot",
        "th", "thead", "tr", "ul",
    }
)  # fmt: skip
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr", "area", "base", "col"})

# Whitespace is collapsed with `" ".join(s.split())`: str.split() and the regex \s both use
# Unicode's whitespace (NBSP included), and the C split is ~5× faster than a regex substitution
# that rewrites every single space.
# Zero-width characters and C0/C1 controls other than tab/newline: invisible noise in feeds.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class _TextExtractor(HTMLParser):
    """Collects the readable text of an HTML fragment, one line per block element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip_depth += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <hr/>, <script/>: self-closing, so no matching end tag will come.
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCKS and tag not in _VOID:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            # In HTML a line break in the source is just whitespace; only block tags break lines.
            self.parts.append(data.replace("\r", " ").replace("\n", " "))


# A plain start or end tag whose attributes hold no '<' or '>' (quoted or not).
_SIMPLE_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)([^<>]*)>")


def _simple_markup_parts(s: str) -> list[str] | None:
    """What `_TextExtractor` would collect, for the markup feeds mostly carry (paragraphs,
    links, line breaks, emphasis, entities) at a fraction of HTMLParser's cost; None when the
    fragment has anything else — a comment, a doctype, a skipped element, a '<' that starts no
    plain tag — so the caller uses the parser. tests/test_feeds_text.py checks they agree."""
    parts: list[str] = []
    at = 0
    for tag in _SIMPLE_TAG.finditer(s):
        data = s[at : tag.start()]
        if "<" in data:
            return None
        if data:
            parts.append(html.unescape(data).replace("\r", " ").replace("\n", " "))
        closing, name, rest = tag.group(1), tag.group(2).lower(), tag.group(3)
        if name in _SKIPPED or (closing and rest.strip()):
            return None
        if name in _BLOCKS and not (closing and name in _VOID):
            parts.append("\n")
        at = tag.end()
    tail = s[at:]
    if "<" in tail:
        return None
    if tail:
        parts.append(html.unescape(tail).replace("\r", " ").replace("\n", " "))
    return parts


def collapse_ws(s: str) -> str:
    """Collapse every run of whitespace (newlines included) to one space and strip the ends."""
    return " ".join(_INVISIBLE.sub("", s).split())


def html_to_text(s: str) -> str:
    """Plain text of an HTML fragment.

    Scripts and styles are dropped, block elements become line breaks, entities are decoded,
    whitespace inside each line is collapsed and empty lines are removed. As in a browser, line
    breaks in the source are plain spaces; only block elements start new lines.
    """
    if not s:
        return ""
    if "<" not in s and "&" not in s:  # no markup, no entities: only whitespace to tidy
        return " ".join(_INVISIBLE.sub("", s).split())
    parts = _simple_markup_parts(s)
    if parts is None:  # comments, scripts, stray '<'…: the full parser
        parser = _TextExtractor()
        parser.feed(s)
        parser.close()
        parts = parser.parts
    raw = _INVISIBLE.sub("", "".join(parts))
    lines = (" ".join(line.split()) for line in raw.split("\n"))
    return "\n".join(line for line in lines if line)


def truncate_words(s: str, n: int, ellipsis: str = "…") -> str:
    """Shorten `s` to at most `n` characters, cutting at a word boundary and adding `ellipsis`.

    Text already within `n` is returned unchanged. A single word longer than the limit is cut
    mid-word rather than dropped.
    """
    if n <= 0:
        return ""
    if len(s) <= n:
        return s
    room = max(0, n - len(ellipsis))
    cut = s[:room]
    # Prefer the last whitespace unless that would throw away more than half the text.
    boundary = max(cut.rfind(" "), cut.rfind("\n"))
    if boundary > room // 2:
        cut = cut[:boundary]
    return cut.rstrip(" \n\t,;:-–—") + ellipsis
