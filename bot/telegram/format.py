"""Telegram message formatting: HTML with everything escaped, never over Telegram's limits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from bot.models import Item, StoredMatch, Topic
from bot.pages import paginate, utf16_len
from bot.render import ORIGIN_LABELS
from bot.summarize import summarize
from bot.telegram.i18n import t
from bot.text import truncate_words
from bot.timeline import TimelineMonth
from bot.trend import SpikeNews

MAX_MESSAGE = 4096  # Telegram's limit, in UTF-16 code units after entity parsing
TITLE_CHARS = 300
SUMMARY_CHARS = 400
MAX_LINK = 2000
ALSO_CHARS = 600
SUMMARY_INPUT_CHARS = 20_000


__all__ = ["MAX_MESSAGE", "utf16_len"]  # utf16_len: re-exported, callers measure with it


def fit(text: str, limit: int = MAX_MESSAGE) -> str:
    """Cut plain text to `limit` UTF-16 units on a word boundary."""
    if utf16_len(text) <= limit:
        return text
    cut = text
    while utf16_len(cut) > limit - 1:
        cut = truncate_words(cut, max(1, len(cut) - max(1, (utf16_len(cut) - limit) + 1)))
    return cut


def _summary(m: StoredMatch) -> str:
    terms = [term for tm in m.topics for term in tm.evidence.terms]
    # Summaries need the lede, not a 5 MB body: bound the work per alert.
    return summarize(
        m.item.title,
        m.item.text[:SUMMARY_INPUT_CHARS],
        language=m.item.language,
        evidence_terms=terms,
        max_chars=SUMMARY_CHARS,
    )


def alert_html(
    m: StoredMatch,
    *,
    lang: str | None,
    topics: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    also: Sequence[str] = (),
) -> str:
    """The alert: bold title, summary, topic tags, publisher (with its provenance tags), date,
    link, the /source handle, and the other outlets of the same story."""
    item = m.item
    hashtags = " ".join(f"#{tid}" for tid in (topics or m.topic_ids))
    head = [f"<b>{escape(truncate_words(item.title, TITLE_CHARS))}</b>"]
    summary = _summary(m)
    if summary:
        head.append(escape(summary))
    foot = [
        f"{hashtags} · {escape(publisher_label(item.publisher, tags))} · {item.published:%Y-%m-%d}"
    ]
    if item.link and len(item.link) <= MAX_LINK:
        foot.append(f'<a href="{escape(item.link, quote=True)}">{escape(_host(item.link))}</a>')
    foot.append(t(lang, "alert_source", id=item.id))
    if also:
        listed = truncate_words(", ".join(also), ALSO_CHARS)
        foot.append(t(lang, "also_reported", sources=escape(listed)))
    return "\n\n".join(head) + "\n\n" + "\n".join(foot)


def publisher_label(publisher: str, tags: Sequence[str]) -> str:
    """ "TASS (state media)": the outlet with its provenance tags from feeds.yaml."""
    return f"{publisher} ({', '.join(tags)})" if tags else publisher


def also_reported(
    shown: Item, members: Sequence[Item], tags: Mapping[str, tuple[str, ...]]
) -> list[str]:
    """Other outlets of a story, earliest first, each once (the shown one left out)."""
    seen = {shown.publisher}
    labels = []
    for member in members:
        if member.publisher not in seen:
            seen.add(member.publisher)
            labels.append(publisher_label(member.publisher, tags.get(member.source, ())))
    return labels


def alert_plain(m: StoredMatch, *, lang: str | None, topics: tuple[str, ...] = ()) -> str:
    """The same alert without markup: the fallback when Telegram rejects the HTML."""
    item = m.item
    tags = " ".join(f"#{tid}" for tid in (topics or m.topic_ids))
    lines = [truncate_words(item.title, TITLE_CHARS), "", _summary(m), ""]
    lines.append(f"{tags} · {item.publisher} · {item.published:%Y-%m-%d}")
    if item.link and len(item.link) <= MAX_LINK:
        lines.append(item.link)
    lines.append(t(lang, "alert_source", id=item.id))
    return fit("\n".join(lines))


def _host(link: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(link).hostname or link


def match_entry_html(m: StoredMatch, *, with_summary: bool = True, sources: int = 1) -> str:
    """One entry of /latest: date, publisher, title, summary and the id."""
    item = m.item
    more = f" (+{sources - 1})" if sources > 1 else ""
    head = (
        f"<b>{escape(truncate_words(item.title, TITLE_CHARS))}</b>\n"
        f"{item.published:%Y-%m-%d} · {escape(item.publisher)}{more} · "
        f"{' '.join('#' + x for x in m.topic_ids)} · /source_{item.id}"
    )
    if not with_summary:
        return head
    return head + "\n" + escape(truncate_words(_summary(m), 300))


def source_html(
    m: StoredMatch,
    *,
    lang: str | None,
    tags: Mapping[str, tuple[str, ...]] | None = None,
    story: Sequence[Item] = (),
) -> str:
    """Provenance of an item, the rule evidence for each of its topics, and the other
    sources of its story, earliest first."""
    tags = tags or {}
    item = m.item
    origin = (
        f"seed corpus file <code>{escape(item.source_ref)}</code>"
        if item.source == "corpus"
        else f"feed {escape(item.source_name)} (<code>{escape(item.source)}</code>)"
    )
    lines = [
        t(lang, "source_header", id=item.id),
        f"<b>{escape(truncate_words(item.title, TITLE_CHARS))}</b>",
        f"Publisher: {escape(publisher_label(item.publisher, tags.get(item.source, ())))}",
        f"Source: {origin}",
        f"Link: {escape(item.link) if item.link else '—'}",
        f"Published: {item.published:%Y-%m-%d %H:%M} UTC "
        f"({escape(ORIGIN_LABELS.get(item.published_origin, item.published_origin))})",
        f"Fetched: {item.fetched:%Y-%m-%d %H:%M} UTC",
    ]
    for tm in m.topics:
        ev = tm.evidence
        lines.append(
            f"\n<b>#{escape(tm.topic)}</b> score {ev.score:g} / threshold {ev.threshold:g}"
            f"\nTerms: {escape(', '.join(ev.terms))}"
        )
        if ev.snippet:
            lines.append(f"<i>“{escape(truncate_words(ev.snippet, 400))}”</i>")
    others = [member for member in story if member.id != item.id]
    if others:
        lines.append(f"\n<b>{t(lang, 'story_sources')}</b>")
        for member in others:
            label = publisher_label(member.publisher, tags.get(member.source, ()))
            lines.append(
                f"{member.published:%Y-%m-%d %H:%M} · {escape(label)} · "
                f"{escape(truncate_words(member.title, 120))} · /source_{member.id}"
            )
    return _fit_html("\n".join(lines))


def _fit_html(html: str) -> str:
    # Only source_html can grow with many topics; the pieces are small, so cut whole lines.
    lines = html.split("\n")
    while utf16_len("\n".join(lines)) > MAX_MESSAGE and len(lines) > 1:
        lines.pop()
    return "\n".join(lines)


def topic_list_html(topics: list[Topic], *, lang: str | None) -> str:
    return "\n".join(
        f"• <b>{escape(tp.label(lang or 'en'))}</b> (<code>{escape(tp.id)}</code>): "
        f"{escape(tp.describe(lang or 'en'))}"
        for tp in topics
    )


def timeline_pages(
    topic: Topic, months: list[TimelineMonth], *, lang: str | None, limit: int = 3500
) -> list[str]:
    """The timeline as HTML pages, each under `limit` (room left for the page footer)."""
    count = sum(len(mo.entries) for mo in months)
    header = t(lang, "timeline_header", topic=escape(topic.label(lang or "en")), count=count)
    lines: list[str] = []
    for month in months:
        lines.append(f"\n<b>{month.label}</b>")
        for e in month.entries:
            mark = "≈" if e.estimated else ""
            also = f" +{len(e.sources) - 1}" if len(e.sources) > 1 else ""
            lines.append(
                f"{mark}{e.date:%d %b} — {escape(e.gist)} · <i>{escape(e.publisher)}</i>{also} "
                f"· /source_{e.item_id}"
            )
    return paginate(lines, header=header, limit=limit)


def spike_html(news: SpikeNews, *, label: str, lang: str | None) -> str:
    """A spike alert: the topic, today's count against its baseline, top terms and sources."""
    spike = news.spike
    return t(
        lang, "spike_alert", topic=escape(label), count=spike.count,
        baseline=f"{spike.baseline:.1f}", terms=escape(", ".join(news.terms) or "—"),
        sources=escape(", ".join(news.sources) or "—"), id=spike.topic,
    )  # fmt: skip
