"""Trends: weekly counts per topic and spikes of daily story volume over a baseline (pure).

Inputs are plain dates (one per match or, better, one per story: `storage.stories.
topic_story_dates`) and matches read back from the store, and the caller passes `today`, so
nothing here reads a clock or the database. Weeks start on
Monday (ISO weeks) and days are UTC days.

A *spike* is a day whose count is at least `minimum` and at least `factor` times the topic's own
baseline: the mean daily count over the `baseline_days` days before it. A baseline below one
story per window is floored to that (1 / `baseline_days`), so a quiet topic's first few stories
count as a spike only through `minimum`, and the reported factor stays finite.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.models import Spike as Spike  # re-exported: storage records announced spikes
from bot.models import StoredMatch

BASELINE_DAYS = 14
SPIKE_FACTOR = 3.0
SPIKE_MINIMUM = 4


@dataclass(frozen=True, slots=True)
class SpikeNews:
    """A spike with the top terms and sources behind it."""

    spike: Spike
    terms: tuple[str, ...]
    sources: tuple[str, ...]


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def week_start(value: datetime | date) -> date:
    """The Monday of the week `value` falls in."""
    day = _day(value)
    return day - timedelta(days=day.weekday())


def weekly_counts(
    dates: Iterable[datetime | date], *, weeks: int, today: date
) -> list[tuple[date, int]]:
    """(week start, count) for the `weeks` weeks ending with the current one, oldest first;
    weeks without dates count 0, dates outside the range are ignored."""
    if weeks < 1:
        raise ValueError("weeks must be >= 1")
    last = week_start(today)
    starts = [last - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    counts = Counter(week_start(d) for d in dates if _day(d) <= today)
    return [(start, counts.get(start, 0)) for start in starts]


def weekly_counts_by_topic(
    dates_by_topic: Mapping[str, Iterable[datetime | date]], *, weeks: int, today: date
) -> dict[str, list[tuple[date, int]]]:
    """`weekly_counts` for every topic."""
    return {
        topic: weekly_counts(dates, weeks=weeks, today=today)
        for topic, dates in dates_by_topic.items()
    }


def daily_counts(dates: Iterable[datetime | date], *, start: date, end: date) -> list[int]:
    """Counts per day from `start` to `end` inclusive."""
    counts = Counter(_day(d) for d in dates)
    return [counts.get(start + timedelta(days=n), 0) for n in range((end - start).days + 1)]


def detect_spikes(
    dates_by_topic: Mapping[str, Iterable[datetime | date]],
    *,
    start: date,
    end: date,
    baseline_days: int = BASELINE_DAYS,
    factor: float = SPIKE_FACTOR,
    minimum: int = SPIKE_MINIMUM,
) -> list[Spike]:
    """Spikes on the days from `start` to `end` inclusive, by day then topic.

    Pass `start = end = today` for "is anything spiking now", or a range for a chart.
    """
    if baseline_days < 1 or factor <= 0 or minimum < 1:
        raise ValueError("baseline_days and minimum must be >= 1, factor > 0")
    floor = 1.0 / baseline_days
    spikes: list[Spike] = []
    for topic, dates in sorted(dates_by_topic.items()):
        counts = daily_counts(dates, start=start - timedelta(days=baseline_days), end=end)
        for offset in range((end - start).days + 1):
            index = baseline_days + offset
            count = counts[index]
            baseline = sum(counts[index - baseline_days : index]) / baseline_days
            ratio = count / max(baseline, floor)
            if count >= minimum and ratio >= factor:
                day = start + timedelta(days=offset)
                spikes.append(Spike(topic, day, count, round(baseline, 3), round(ratio, 2)))
    spikes.sort(key=lambda s: (s.day, s.topic))
    return spikes


def new_spikes(
    dates_by_topic: Mapping[str, Iterable[datetime | date]],
    *,
    today: date,
    announced: Collection[str],
    factor: float = SPIKE_FACTOR,
    minimum: int = SPIKE_MINIMUM,
) -> list[Spike]:
    """The topics spiking `today` that were not `announced` yet, by topic."""
    found = detect_spikes(dates_by_topic, start=today, end=today, factor=factor, minimum=minimum)
    return [spike for spike in found if spike.topic not in announced]


def spike_news(spike: Spike, matches: Sequence[StoredMatch]) -> SpikeNews:
    """A spike with the five most frequent matched terms of its topic and the five most
    frequent publishers among `matches` (the topic's matches of the day)."""
    terms: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    for m in matches:
        sources[m.item.publisher] += 1
        for tm in m.topics:
            if tm.topic == spike.topic:
                terms.update(t.lower() for t in tm.evidence.terms)
    top_terms = tuple(t for t, _ in terms.most_common(5))
    return SpikeNews(spike, top_terms, tuple(s for s, _ in sources.most_common(5)))
