"""Two reports compared in time like with like (`bot.stories.clock`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.stories.clock import Clock, apart

T = datetime(2024, 2, 24, 12, tzinfo=UTC)
YEARS_AGO = datetime(2022, 2, 27, tzinfo=UTC)


def test_two_publication_times_are_compared() -> None:
    assert apart(Clock.at(T, T), Clock.at(YEARS_AGO, T)) == T - YEARS_AGO


def test_an_unknown_publication_time_compares_fetch_times() -> None:
    undated = Clock.at(T, T, dated=False)
    dated_long_ago = Clock.at(YEARS_AGO, T - timedelta(hours=2))
    assert apart(undated, dated_long_ago) == timedelta(hours=2)
    assert apart(dated_long_ago, undated) == timedelta(hours=-2)


def test_the_fetch_time_defaults_to_the_publication_time() -> None:
    assert Clock.at(T) == Clock(T, T, True)
