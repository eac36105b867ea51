"""A topic's trend from the store: weekly story counts, spikes, and the PNG chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.chart import render_trend_png
from bot.trend import Spike, detect_spikes, weekly_counts
from storage.stories import topic_story_dates

BASELINE_DAYS = 14


@dataclass(frozen=True, slots=True)
class TrendReport:
    topic: str
    weeks: list[tuple[date, int]]
    spikes: list[Spike]

    def png(self, label: str) -> bytes:
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
