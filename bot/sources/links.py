"""URL helpers for feeds: the canonical form of an item link, and http(s) URL checks."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

# Query parameters that only track the click and never change the article.
_TRACKING_PREFIXES = ("utm_",)
_TRACKING_NAMES = frozenset({"fbclid", "gclid", "yclid", "mc_cid", "mc_eid", "_openstat"})
_WHITESPACE = re.compile(r"\s")  # str.isspace()'s characters, found in C (every item has links)


def is_http_url(url: str) -> bool:
    """True for an absolute http:// or https:// URL with a host and no whitespace."""
    if not url or _WHITESPACE.search(url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)


def _is_tracking(param: str) -> bool:
    name = param.split("=", 1)[0].lower()
    return name.startswith(_TRACKING_PREFIXES) or name in _TRACKING_NAMES


def canonical_link(url: str) -> str | None:
    """The link an item is identified by: tracking params and fragment removed.

    Scheme and host are lowercased, `utm_*` (and a few other click-tracking) query parameters are
    dropped, the remaining query is kept byte-for-byte in its order, the fragment is dropped.
    Returns None for anything that is not an absolute http(s) URL.
    """
    url = url.strip()
    if not is_http_url(url):
        return None
    parts = urlsplit(url)
    netloc = parts.netloc
    # Lowercase only the host part: user info (rare) is case-sensitive.
    userinfo, at, hostport = netloc.rpartition("@")
    netloc = f"{userinfo}{at}{hostport.lower()}"
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p))
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), netloc, path, query, ""))
