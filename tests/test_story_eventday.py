"""The day a report says its event happened (bot/stories/eventday.py), and how two reports
naming different days weigh against each other."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest

from bot.stories.eventday import event_day
from tests.factories import stories_of

WEDNESDAY_EVENING = datetime(2022, 3, 16, 19, 30, tzinfo=UTC)
WEDNESDAY, TUESDAY = date(2022, 3, 16).toordinal(), date(2022, 3, 15).toordinal()


@pytest.mark.parametrize(
    ("title", "lead", "day"),
    [
        ("Council of Europe expels Russia", "The Committee of Ministers decided on Wednesday…",
         WEDNESDAY),
        ("Russia quits rights body", "Moscow said Tuesday it was leaving the Council.", TUESDAY),
        ("Russia quits rights body", "Late TUESDAY, Moscow said it was leaving.", TUESDAY),
        ("Госдума в среду приняла закон", "", WEDNESDAY),
        ("Россия вышла из Совета Европы", "МИД во вторник уведомил генсека СЕ.", TUESDAY),
        # the first weekday counts, and only the publication day or the day before
        ("Ministers meet", "EU envoys will discuss the text on Friday, and on Tuesday…", 0),
        ("Session called", "The assembly's session opens on Monday.", 0),
        ("No day in it", "The assembly voted to expel Russia.", 0),
    ],
)  # fmt: skip
def test_the_first_weekday_named_is_read_against_the_publication_day(title, lead, day):
    assert event_day(title, lead, WEDNESDAY_EVENING) == day


def test_a_weekday_just_after_midnight_utc_is_the_day_before():
    just_after = datetime(2022, 2, 22, 2, 20, tzinfo=UTC)  # a Tuesday
    assert event_day("U.S. bans trade with rebel regions", "Washington moved late Monday…",
                     just_after) == date(2022, 2, 21).toordinal()  # fmt: skip
    assert event_day("Anything", "on Monday", None) == 0  # no publication time: no day


# Three reports of two steps a day apart sharing every name: the assembly's vote on Tuesday and
# the expulsion on Wednesday. My own wording.
STEPS = [
    ("vote-wire", 0, "PACE backs Russia's expulsion from Council of Europe",
     "The Parliamentary Assembly of the Council of Europe voted unanimously on Tuesday that "
     "Russia should be expelled from the organisation over its invasion of Ukraine."),
    ("expel-wire", 22, "Council of Europe expels Russia over Ukraine war",
     "The Council of Europe's Committee of Ministers expelled Russia from the organisation on "
     "Wednesday, a day after the Parliamentary Assembly voted for the expulsion over Ukraine."),
    ("expel-paper", 23, "Russia expelled from Council of Europe after 26 years",
     "Russia was expelled from the Council of Europe on Wednesday, ending 26 years of membership "
     "of the continent's leading human rights body over the invasion of Ukraine."),
]  # fmt: skip
TUESDAY_MORNING = datetime(2022, 3, 15, 9, tzinfo=UTC)


def _stories(reports) -> set[frozenset[str]]:
    return stories_of(reports, TUESDAY_MORNING)


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_two_steps_told_on_different_days_are_two_stories_in_any_order(order):
    assert _stories([STEPS[i] for i in order]) == {
        frozenset({"vote-wire"}),
        frozenset({"expel-wire", "expel-paper"}),
    }


def test_the_same_steps_without_their_days_are_one_story():
    """The control: with the weekdays taken out, the reports share enough to be one story."""
    undated = [(k, h, t, x.replace(" on Tuesday", "").replace(" on Wednesday", ""))
               for k, h, t, x in STEPS]  # fmt: skip
    assert _stories(undated) == {frozenset({"vote-wire", "expel-wire", "expel-paper"})}
