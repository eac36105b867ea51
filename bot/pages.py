"""Messages as Telegram measures them: UTF-16 length, and entries split into pages (pure).

Telegram counts a message's length in UTF-16 code units after entity parsing, so a page of
Cyrillic or emoji measured with `len` can be rejected although it "fits". Every paginated
reply (/latest, /search, /timeline, the daily digest) goes through `paginate`.
"""

from __future__ import annotations

from collections.abc import Iterable


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def paginate(
    entries: Iterable[str],
    *,
    limit: int,
    header: str = "",
    sep: str = "\n",
    repeat_header: bool = True,
) -> list[str]:
    """Entries joined by `sep` into as few pages as fit `limit` UTF-16 units each.

    Each page opens with `header` (only the first one when `repeat_header` is false). An entry
    is never split: one longer than a page gets a page of its own. No entries and no header
    give no pages; a header alone gives one page.
    """
    pages: list[str] = []
    current: list[str] = [header] if header else []
    size = utf16_len(header)
    gap = utf16_len(sep)
    for entry in entries:
        cost = utf16_len(entry) + (gap if current else 0)
        if current and current != [header] and size + cost > limit:
            pages.append(sep.join(current))
            current = [header] if header and repeat_header else []
            size = utf16_len(header) if current else 0
            cost = utf16_len(entry) + (gap if current else 0)
        current.append(entry)
        size += cost
    if current:
        pages.append(sep.join(current))
    return pages
