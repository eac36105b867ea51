"""When two reports came out, as story grouping compares them (pure).

A report's publication time is known when its feed, its page or its own text gave one; when
none did, all we know is when it was fetched. Two reports are compared like with like: by their
publication times when both have one, else by their fetch times. An unknown publication time
is not a time: a feed without dates fetched at once says nothing about when each of its reports
came out, and a date read from one report's text set against another report's fetch time
compares two clocks (a backlog's dated report would sit years from its undated siblings).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple


class Clock(NamedTuple):
    """A report's times: its publication time (the fetch time when `dated` is False) and the
    time it was fetched."""

    published: datetime
    fetched: datetime
    dated: bool = True

    @classmethod
    def at(cls, published: datetime, fetched: datetime | None = None, dated: bool = True) -> Clock:
        """A clock; `fetched` defaults to `published` (a report fetched as it came out)."""
        return cls(published, published if fetched is None else fetched, dated)


def apart(a: Clock, b: Clock) -> timedelta:
    """How long after `b` report `a` came out, as far as both tell (see the module docstring)."""
    if a.dated and b.dated:
        return a.published - b.published
    return a.fetched - b.fetched
