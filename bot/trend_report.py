"""A topic's trend from the store: weekly story counts, spikes, and the PNG chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session

from bot.trend import (
    BASELINE_DAYS,
    Spike,
    SpikeNews,
    detect_spikes,
    new_spikes,
    spike_news,
    weekly_counts,
)
from storage.items import matched_items
from storage.spikes import announced_topics
from storage.stories import topic_story_dates


@dataclass(frozen=True, slots=True)
class TrendReport:
    topic: str
    weeks: list[tuple[date, int]]
    spikes: list[Spike]

    def png(self, label: str) -> bytes:
        # Pillow (~3 MB) is loaded by the first chart, not by every process that polls.
        from bot.chart import render_trend_png

        return render_trend_png(label, self.weeks, self.spikes)

    def text(self) -> str:
        lines = [f"{self.topic}: stories per week"]
        for monday, count in self.weeks:
            lines.append(f"  {monday:%Y-%m-%d}  {count:4d}  {'█' * min(count, 60)}")
        for spike in self.spikes:
            lines.append(f"  spike {spike.day:%Y-%m-%d}: {spike.count} vs {spike.baseline:g}/day")
        return "\n".join(lines)


def topic_trend(session: Session, topic: str, *, weeks: int, now: datetime) -> TrendReport:
    """Weekly story counts of `topic` for the last `weeks` weeks, with its spikes."""
    since = now - timedelta(weeks=weeks, days=BASELINE_DAYS)
    dates = topic_story_dates(session, since=since, topic=topic).get(topic, [])
    counts = weekly_counts(dates, weeks=weeks, today=now.date())
    spikes = detect_spikes({topic: dates}, start=counts[0][0], end=now.date())
    return TrendReport(topic, counts, spikes)


def spikes_today(
    session: Session, *, now: datetime, factor: float, minimum: int
) -> list[SpikeNews]:
    """Topics spiking today (UTC) that have not been announced yet, with the top terms and
    sources of the day's matches: the store's counts, `bot.trend`'s decision."""
    today = now.date()
    dates = topic_story_dates(session, since=now - timedelta(days=BASELINE_DAYS + 1))
    found = new_spikes(
        dates, today=today, announced=announced_topics(session, today), factor=factor,
        minimum=minimum,
    )  # fmt: skip
    start = datetime.combine(today, time.min, tzinfo=UTC)
    return [
        spike_news(spike, matched_items(session, topic=spike.topic, since=start)) for spike in found
    ]
