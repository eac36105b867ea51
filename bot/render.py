"""Plain-text renderings of stored matches for the console (the bot has HTML twins)."""

from __future__ import annotations

import json

from bot.models import StoredMatch

ORIGIN_LABELS = {
    "feed": "from the feed",
    "metadata": "from the corpus metadata",
    "text": "from the article text",
    "fetched": "unknown; fetch time used",
}


def match_line(m: StoredMatch) -> str:
    """`id  date  publisher  title  [topics]` — one line per new match."""
    topics = ",".join(m.topic_ids)
    item = m.item
    return f"{item.id}  {item.published:%Y-%m-%d}  {item.publisher}  {item.title}  [{topics}]"


def match_json(m: StoredMatch) -> str:
    """One JSON object per match, for scripts."""
    return json.dumps(
        {
            "id": m.item.id,
            "published": m.item.published.isoformat(),
            "publisher": m.item.publisher,
            "title": m.item.title,
            "link": m.item.link,
            "topics": list(m.topic_ids),
            "evidence": {t.topic: list(t.evidence.terms) for t in m.topics},
        },
        ensure_ascii=False,
    )


def source_text(m: StoredMatch) -> str:
    """Provenance of an item: where it came from, how its date is known, why it matched."""
    item = m.item
    origin = "seed corpus file " + item.source_ref if item.source == "corpus" else item.source
    lines = [
        item.title,
        f"  id:         {item.id}",
        f"  publisher:  {item.publisher}",
        f"  source:     {origin}",
        f"  link:       {item.link or '-'}",
        f"  published:  {item.published:%Y-%m-%d %H:%M} UTC "
        f"({ORIGIN_LABELS.get(item.published_origin, item.published_origin)})",
        f"  fetched:    {item.fetched:%Y-%m-%d %H:%M} UTC",
    ]
    if not m.topics:
        lines.append("  topics:     none")
    for t in m.topics:
        ev = t.evidence
        lines.append(
            f"  topic {t.topic}: {', '.join(ev.terms)} (score {ev.score:g} / {ev.threshold:g})"
        )
        if ev.snippet:
            lines.append(f"    “{ev.snippet}”")
    return "\n".join(lines)
