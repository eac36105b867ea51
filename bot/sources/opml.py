"""OPML import and export of the feed list: OPML bytes ⇄ `FeedConfig` records.

Import parses with defusedxml and no DTD at all (an OPML file never needs one), so entity
expansion and external entities are refused before anything is read. Nested outlines are
categories: their titles become the feeds' tags, as does an outline's own `category` attribute.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from urllib.parse import urlsplit

import defusedxml
import defusedxml.ElementTree as SafeET

from bot.errors import FeedError
from bot.models import FeedConfig
from bot.sources.links import canonical_link, is_http_url
from bot.sources.netguard import UnsafeURLError, check_url

MAX_OPML_BYTES = 5_000_000
MAX_DEPTH = 20  # outline nesting; deeper is a hostile or broken file
_NAME_LIMIT = 200


def parse_opml(data: bytes) -> list[FeedConfig]:
    """Every feed outline (one with `xmlUrl`) of an OPML document, in document order.

    Duplicate URLs keep the first outline. Raises `FeedError` for a document that is too big,
    not XML, hostile (DTD, entities) or not OPML, or listing every outline with a bad URL.
    """
    if len(data) > MAX_OPML_BYTES:
        raise FeedError(f"OPML: file larger than {MAX_OPML_BYTES} bytes")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise FeedError(f"OPML: refused: {type(exc).__name__} (DTDs and entities)") from exc
    except ET.ParseError as exc:
        raise FeedError(f"OPML: not well-formed XML: {exc}") from exc
    body = root.find("body") if root.tag == "opml" else None
    if body is None:
        raise FeedError(f"OPML: not an OPML document (root <{root.tag}>, expected <opml><body>)")
    feeds: list[FeedConfig] = []
    problems: list[str] = []
    _walk(body, (), 0, feeds, problems)
    if problems:
        raise FeedError("OPML: " + "; ".join(problems))
    return _dedupe(feeds)


def _walk(
    node: ET.Element,
    tags: tuple[str, ...],
    depth: int,
    feeds: list[FeedConfig],
    problems: list[str],
) -> None:
    """Collect feed outlines under `node`; category outlines add their title to `tags`."""
    if depth > MAX_DEPTH:
        problems.append(f"outlines nested deeper than {MAX_DEPTH} levels")
        return
    for outline in node.findall("outline"):
        label = _label(outline)
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url:
            inner = (*tags, label) if label else tags
            _walk(outline, inner, depth + 1, feeds, problems)
            continue
        feed = _feed(outline, url, label, tags, problems)
        if feed is not None:
            feeds.append(feed)


def _feed(
    outline: ET.Element, url: str, label: str, tags: tuple[str, ...], problems: list[str]
) -> FeedConfig | None:
    """One feed outline → FeedConfig, or None after recording why its URL is unusable."""
    try:
        check_url(url, allow_private=True)  # addresses are checked when fetched
    except UnsafeURLError as exc:
        problems.append(f"outline {label or url!r}: {exc}")
        return None
    if not is_http_url(url):
        problems.append(f"outline {label or url!r}: invalid URL {url!r}")
        return None
    name = label or urlsplit(url).hostname or url
    own = tuple(t.strip() for t in (outline.get("category") or "").replace("/", ",").split(","))
    return FeedConfig(
        url=url,
        name=name[:_NAME_LIMIT],
        language=_language(outline.get("language")),
        tags=tuple(dict.fromkeys(t for t in (*tags, *own) if t)),
    )


def _label(outline: ET.Element) -> str:
    return " ".join((outline.get("title") or outline.get("text") or "").split())


def _language(value: str | None) -> str | None:
    """'ru-RU' → 'ru'; anything that is not a 2-letter code → None."""
    code = (value or "").strip().lower()[:2]
    return code if len(code) == 2 and code.isascii() and code.isalpha() else None


def _dedupe(feeds: list[FeedConfig]) -> list[FeedConfig]:
    seen: set[str] = set()
    out: list[FeedConfig] = []
    for feed in feeds:
        key = canonical_link(feed.url) or feed.url
        if key not in seen:
            seen.add(key)
            out.append(feed)
    return out


def render_opml(feeds: Sequence[FeedConfig], title: str = "geoalert feeds") -> bytes:
    """An OPML 2.0 document listing `feeds` (name, URL, language, tags as `category`)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for feed in feeds:
        attrs = {"type": "rss", "text": feed.name, "title": feed.name, "xmlUrl": feed.url}
        if feed.language:
            attrs["language"] = feed.language
        if feed.tags:
            attrs["category"] = ",".join(feed.tags)
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
