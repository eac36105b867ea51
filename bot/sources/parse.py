"""Parse feed bytes (RSS 0.9x/1.0/2.0, Atom) and normalise entries into `Item`s.

Plain UTF-8 RSS 2.0 / Atom 1.0 documents are read by `plainfeed` (ElementTree, the same
entries feedparser gives, about 20 times faster); everything else by feedparser.

Pure: takes bytes and the fetch time, returns items; never touches the network or the clock.
Hostile input is bounded here: entity declarations are refused before feedparser runs
(`xmlguard`), at most `max_items` entries (the newest) are kept, raw text is cut before HTML
is stripped, and dates before 1995 or in the future are replaced by the fetch time.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from bot.models import DateOrigin, FeedConfig, Item, make_item_id
from bot.sources.charset import repair_encoding
from bot.sources.feeddates import feed_date, named_zone
from bot.sources.limits import MAX_ITEMS
from bot.sources.links import canonical_link
from bot.sources.markup import fix_markup
from bot.sources.plainfeed import read_plain_feed
from bot.sources.xmlguard import entity_problem
from bot.text import collapse_ws, html_to_text, truncate_words

log = logging.getLogger(__name__)

MAX_TEXT_CHARS = 20_000
MAX_TITLE_CHARS = 300  # a derived or runaway title is cut here
MAX_RAW_CHARS = 50 * MAX_TEXT_CHARS  # markup beyond this is never even stripped
FUTURE_SLACK = timedelta(days=1)  # dates further ahead than this are not trusted
OLDEST_TRUSTED = datetime(1995, 1, 1, tzinfo=UTC)  # older dates are epoch/default-value junk
_HARMLESS_BOZO = (feedparser.NonXMLContentType, feedparser.CharacterEncodingOverride)
_LANG = re.compile(r"^([a-zA-Z]{2})(?:[-_].*)?$")


@dataclass(frozen=True, slots=True)
class _FeedMeta:
    """What every item of one parsed feed shares."""

    feed: FeedConfig
    publisher: str
    language: str | None
    fetched: datetime


def parse_feed(
    body: bytes,
    feed: FeedConfig,
    *,
    fetched: datetime,
    content_type: str | None = None,
    max_items: int = MAX_ITEMS,
    plain: bool = True,
) -> tuple[list[Item], str | None]:
    """Parse `body` into items; the second value is an error (no items) or a warning.
    `plain=False` sends every document through feedparser (the fast reader's oracle).

    - a feed with no entries that feedparser flagged (or an HTML page) → `([], "not a feed: …")`;
    - a document declaring XML entities → `([], "refused: …")`, feedparser never runs;
    - a malformed feed that still yields entries → items plus `"malformed feed: …"` (logged);
    - a valid feed with no entries → `([], None)`;
    - more than `max_items` entries → the newest `max_items`, in document order.
    """
    refusal = entity_problem(body)
    if refusal is not None:
        return [], refusal
    body, content_type, repair = repair_encoding(body, content_type)
    if repair is not None:
        log.warning("feed encoding repaired feed=%s url=%s reason=%s", feed.name, feed.url, repair)
    body = fix_markup(body)
    fast = read_plain_feed(body, content_type) if plain else None
    channel: Mapping[str, Any]
    version: str | None
    if fast is not None:  # the common case, about 20 times faster; the same entries
        channel, found, version, problem = fast.feed, fast.entries, fast.version, None
    else:
        channel, found, version, problem = _feedparser(body, content_type)
    if not found:
        if version and not problem:
            return [], None
        return [], f"not a feed: {problem or 'no RSS or Atom elements found'}"
    meta = _feed_meta(channel, feed, fetched)
    entries = _newest(found, max_items, meta.fetched)
    items = _unique(_entry_to_item(entry, meta) for entry in entries)
    if not problem:
        return items, None
    log.warning("feed malformed but usable feed=%s url=%s reason=%s", feed.name, feed.url, problem)
    if not items:
        return [], f"not a feed: {problem}"
    return items, f"malformed feed: {problem}"


def _feedparser(
    body: bytes, content_type: str | None
) -> tuple[Mapping[str, Any], list[Any], str | None, str | None]:
    """(feed, entries, version, problem) as feedparser reads the document."""
    # Only the content type is passed: a Content-Location base would make feedparser's loose
    # (bozo) parser resolve bare guids into URLs, changing item ids. Links are resolved later.
    headers = {"content-type": content_type} if content_type else None
    # BytesIO, not bare bytes: feedparser would try to open a short bytes string as a file name.
    # No sanitising or URI resolving inside HTML: every HTML value becomes plain text here
    # (`html_to_text` drops scripts and styles), so that work — 40 % of feedparser's time on
    # typical items — would be thrown away.
    parsed = feedparser.parse(
        io.BytesIO(body), response_headers=headers, sanitize_html=False,
        resolve_relative_uris=False,
    )  # fmt: skip
    return parsed.feed, parsed.entries, parsed.get("version"), _bozo_reason(parsed)


def _bozo_reason(parsed: Mapping[str, Any]) -> str | None:
    """Why feedparser flagged the document, or None when it is fine or the flag is harmless."""
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    # A feed served as text/html, or with a charset header that disagrees with the XML prolog,
    # is still a well-formed feed: common misconfigurations, not problems worth a warning.
    if parsed.get("version") and isinstance(exc, _HARMLESS_BOZO):
        return None
    reason = collapse_ws(str(exc)) if exc is not None else ""
    return truncate_words(reason or type(exc).__name__, 200)


def _feed_meta(channel: Mapping[str, Any], feed: FeedConfig, fetched: datetime) -> _FeedMeta:
    title = collapse_ws(html_to_text(channel.get("title") or ""))
    publisher = feed.name or title or (urlsplit(feed.url).hostname or feed.url)
    language = feed.language or _language_code(channel.get("language"))
    fetched = fetched.replace(tzinfo=UTC) if fetched.tzinfo is None else fetched.astimezone(UTC)
    return _FeedMeta(feed=feed, publisher=publisher, language=language, fetched=fetched)


def _language_code(value: object) -> str | None:
    """'en-US' → 'en'; anything that is not a 2-letter code → None."""
    if not isinstance(value, str):
        return None
    match = _LANG.match(value.strip())
    return match.group(1).lower() if match else None


def _unique(items: Any) -> list[Item]:
    """Drop Nones and repeated ids, keeping the first occurrence."""
    seen: set[str] = set()
    out: list[Item] = []
    for item in items:
        if item is not None and item.id not in seen:
            seen.add(item.id)
            out.append(item)
    return out


def _newest(entries: list[Any], limit: int, fetched: datetime) -> list[Any]:
    """At most `limit` entries, the newest by date (undated ones count as just fetched)."""
    if len(entries) <= limit:
        return entries
    order = sorted(
        range(len(entries)), key=lambda i: _entry_date(entries[i], fetched)[0], reverse=True
    )
    keep = sorted(order[: max(limit, 0)])
    log.warning("feed has %d entries, keeping the newest %d", len(entries), limit)
    return [entries[i] for i in keep]


def _entry_to_item(entry: Mapping[str, Any], meta: _FeedMeta) -> Item | None:
    """One feedparser entry → Item; None when it has neither a title nor any text."""
    title = collapse_ws(_plain(entry.get("title"), entry.get("title_detail")))
    text = truncate_words(_entry_text(entry), MAX_TEXT_CHARS)
    if not title and not text:
        return None
    if not title:
        title = collapse_ws(text)
    title = truncate_words(title, MAX_TITLE_CHARS)
    raw_link = entry.get("link")
    link = canonical_link(urljoin(meta.feed.url, raw_link)) if raw_link else None
    key = _entry_key(entry, link, title, text)
    published, origin = _entry_date(entry, meta.fetched)
    return Item(
        id=make_item_id(meta.feed.url, key),
        source=meta.feed.url,
        source_name=meta.feed.name or meta.publisher,
        key=key,
        title=title,
        text=text,
        link=link,
        publisher=_entry_outlet(entry) or meta.publisher,
        language=meta.language,
        published=published,
        published_origin=origin,
        fetched=meta.fetched,
        source_ref=meta.feed.url,
    )


def _entry_outlet(entry: Mapping[str, Any]) -> str:
    """The outlet an aggregator's entry credits (RSS `<source>`: "Reuters" in a Google News
    feed), or "": it, not the aggregator, published the report."""
    source = entry.get("source")
    title = source.get("title") if isinstance(source, Mapping) else None
    return truncate_words(collapse_ws(title), 80) if isinstance(title, str) else ""


def _plain(value: object, detail: Mapping[str, Any] | None) -> str:
    """Plain text of a feedparser text construct, honouring its declared type."""
    if not isinstance(value, str) or not value:
        return ""
    value = value[:MAX_RAW_CHARS]
    kind = str((detail or {}).get("type") or "text/html").lower()
    if "html" in kind or "xml" in kind:
        return html_to_text(value)
    return "\n".join(line for line in (collapse_ws(x) for x in value.splitlines()) if line)


def _entry_text(entry: Mapping[str, Any]) -> str:
    """The fullest text among the entry's content blocks and its summary."""
    candidates = [_plain(c.get("value"), c) for c in entry.get("content") or []]
    candidates.append(_plain(entry.get("summary"), entry.get("summary_detail")))
    return max(candidates, key=len)


def _entry_key(entry: Mapping[str, Any], link: str | None, title: str, text: str) -> str:
    """guid, else the canonical link, else a hash of the content."""
    guid = entry.get("id")
    if isinstance(guid, str) and guid.strip():
        return guid.strip()
    if link:
        return link
    return "sha256:" + hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()


def _entry_date(entry: Mapping[str, Any], fetched: datetime) -> tuple[datetime, DateOrigin]:
    """Published (else updated) date in UTC; the fetch time when missing, before 1995 or in the
    future (a date cannot make an item look newer than it is, nor older than the web)."""
    for field in ("published", "updated", "created"):
        # dict.get: FeedParserDict.get would map a missing updated_parsed (with a warning).
        raw = dict.get(entry, field) if isinstance(entry, dict) else entry.get(field)
        parsed = f"{field}_parsed"
        value = dict.get(entry, parsed) if isinstance(entry, dict) else entry.get(parsed)
        when: datetime | None = None
        if isinstance(raw, str) and (named_zone(raw) or not isinstance(value, time.struct_time)):
            when = feed_date(raw)  # a zone feedparser took for UTC, or a form it cannot read
        if when is None and isinstance(value, time.struct_time):
            try:
                when = datetime(*value[:5], min(value[5], 59), tzinfo=UTC)
            except (ValueError, OverflowError):
                continue
        if when is None:
            continue
        if when > fetched + FUTURE_SLACK or when < OLDEST_TRUSTED:
            return fetched, "fetched"
        return when, "feed"
    return fetched, "fetched"
