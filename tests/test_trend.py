"""Trends: weekly counts, spikes over a topic's own baseline, and the PNG chart."""

from __future__ import annotations

import io
import struct
from datetime import UTC, date, datetime, timedelta

import pytest
from PIL import Image

from bot.chart import render_trend_png
from bot.trend import (
    Spike,
    daily_counts,
    detect_spikes,
    week_start,
    weekly_counts,
    weekly_counts_by_topic,
)

TODAY = date(2024, 3, 14)  # a Thursday


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_weeks_start_on_monday():
    assert week_start(TODAY) == date(2024, 3, 11)
    assert week_start(_at(date(2024, 3, 17), 23)) == date(2024, 3, 11)
    assert week_start(date(2024, 3, 18)) == date(2024, 3, 18)


def test_weekly_counts_cover_the_last_n_weeks_oldest_first_with_zeros():
    dates = [
        _at(TODAY),
        _at(date(2024, 3, 11), 0),
        _at(date(2024, 3, 1)),
        date(2024, 2, 26),
        _at(date(2023, 12, 1)),
        _at(date(2024, 3, 20)),
    ]  # too old, and in the future
    weeks = weekly_counts(dates, weeks=4, today=TODAY)
    assert weeks == [
        (date(2024, 2, 19), 0),
        (date(2024, 2, 26), 2),
        (date(2024, 3, 4), 0),
        (date(2024, 3, 11), 2),
    ]
    with pytest.raises(ValueError):
        weekly_counts(dates, weeks=0, today=TODAY)


def test_weekly_counts_by_topic():
    result = weekly_counts_by_topic({"csto": [_at(TODAY)], "sanctions": []}, weeks=2, today=TODAY)
    assert result == {
        "csto": [(date(2024, 3, 4), 0), (date(2024, 3, 11), 1)],
        "sanctions": [(date(2024, 3, 4), 0), (date(2024, 3, 11), 0)],
    }


def test_daily_counts_include_both_ends():
    assert daily_counts(
        [_at(TODAY), _at(TODAY, 1), date(2024, 3, 12)], start=date(2024, 3, 12), end=TODAY
    ) == [1, 0, 2]


def _steady(days: int, per_day: int, end: date) -> list[datetime]:
    return [_at(end - timedelta(days=n), h) for n in range(1, days + 1) for h in range(per_day)]


def test_a_jump_over_the_baseline_is_a_spike():
    dates = _steady(14, 1, TODAY) + [_at(TODAY, h) for h in range(5)]
    spikes = detect_spikes({"csto": dates}, start=TODAY, end=TODAY)
    assert spikes == [Spike("csto", TODAY, 5, 1.0, 5.0)]


def test_a_busy_topic_needs_a_jump_relative_to_its_own_baseline():
    busy = _steady(14, 4, TODAY) + [_at(TODAY, h) for h in range(10)]  # 2.5x of 4/day
    assert detect_spikes({"sanctions": busy}, start=TODAY, end=TODAY) == []
    assert detect_spikes({"sanctions": busy}, start=TODAY, end=TODAY, factor=2.5) == [
        Spike("sanctions", TODAY, 10, 4.0, 2.5)
    ]


def test_a_quiet_topic_spikes_only_from_the_minimum():
    three = {"csto": [_at(TODAY, h) for h in range(3)]}
    assert detect_spikes(three, start=TODAY, end=TODAY) == []
    spikes = detect_spikes(three, start=TODAY, end=TODAY, minimum=3)
    assert spikes == [Spike("csto", TODAY, 3, 0.0, 42.0)]  # floor: one story per 14 days


def test_spikes_over_a_range_are_ordered_by_day_then_topic():
    day1, day2 = TODAY - timedelta(days=3), TODAY
    data = {
        "b": [_at(day1, h) for h in range(4)],
        "a": [_at(day2, h) for h in range(4)],
        "c": [_at(day1, h) for h in range(4)],
    }
    spikes = detect_spikes(data, start=day1, end=day2, minimum=4)
    assert [(s.day, s.topic) for s in spikes] == [(day1, "b"), (day1, "c"), (day2, "a")]
    with pytest.raises(ValueError):
        detect_spikes(data, start=day1, end=day2, minimum=0)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_the_chart_is_a_png_of_the_requested_size():
    weeks = weekly_counts(_steady(60, 2, TODAY), weeks=12, today=TODAY)
    spikes = [Spike("csto", TODAY, 9, 1.0, 9.0)]
    data = render_trend_png("ОДКБ / CSTO", weeks, spikes, width=640, height=320)
    assert _png_size(data) == (640, 320)
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.format == "PNG"
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 16) or []}
    assert (204, 51, 51) in colours  # the spike week is highlighted
    assert (52, 101, 164) in colours  # ordinary weeks


def test_an_empty_chart_still_renders():
    assert _png_size(render_trend_png("csto", [])) == (720, 360)
    weeks = weekly_counts([], weeks=4, today=TODAY)
    assert _png_size(render_trend_png("csto", weeks)) == (720, 360)
