"""Publication dates read from text: header dates are trusted, ambiguity gives None."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from bot.dates import extract_date

NOW = date(2024, 1, 1)


@pytest.mark.parametrize(
    ("text", "expected", "confidence"),
    [
        (
            "Monday, April 25, 2022\n\nKazakhstan Overwhelmingly Opposes Putin’s War",
            date(2022, 4, 25),
            0.95,
        ),
        (
            "Putin’s Unexpected Challenge - Wall Street Journal - 24.07.22\n\nRussia’s invasion…",
            date(2022, 7, 24),
            0.85,
        ),
        ("25 апреля 2022 г.\nКазахстан против войны", date(2022, 4, 25), 0.95),
        ("Понедельник, 25 апреля 2022 года\nТекст", date(2022, 4, 25), 0.95),
        ("Опубликовано 3 мая 2023 в 10:00\nТекст", date(2023, 5, 3), 0.9),
        ("Posted 2022-04-25T10:00:00Z by staff", date(2022, 4, 25), 0.95),
        ("Updated: 7 Oct 2023, 10:00", date(2023, 10, 7), 0.9),
        ("By Jane Doe | Sept. 5th, 2023", date(2023, 9, 5), 0.95),
        ("Headline\n24/07/2022", date(2022, 7, 24), 0.85),
        ("Headline\n07/24/2022", date(2022, 7, 24), 0.85),
        ("Headline – 1.07.2022", date(2022, 7, 1), 0.85),
    ],
)
def test_header_dates_are_read_with_high_confidence(text, expected, confidence):
    guess = extract_date(text, not_after=NOW)
    assert guess is not None
    assert (guess.date, guess.confidence) == (expected, confidence)
    assert guess.evidence in text


@pytest.mark.parametrize(
    "text",
    [
        "Tuesday, April 25, 2022\nbody",  # April 25, 2022 was a Monday
        "Среда, 25 апреля 2022 года",
        "05/06/2022 summit",  # May 6 or 5 June
        "31.02.2022",
        "April 25, 2022 — updated 2022-04-26",  # two different header dates
        "Headline\nversion 3.10.12 released",
        "Population 1.5 million",
        "No date here at all",
        "",
        "Headline\n2031-01-01",  # after not_after
        "Headline\n1805-12-02",  # before MIN_YEAR
        "a\nb\nc\nOn March 18, 2014 Crimea was annexed; on 24 February 2022 the war began.",
    ],
)
def test_ambiguous_impossible_or_absent_dates_give_none(text):
    assert extract_date(text, not_after=NOW) is None


def test_a_lone_body_date_is_only_a_low_confidence_guess():
    text = "Headline\nbyline\nphoto credit\nThe talks on March 18, 2022 ended without a deal."
    guess = extract_date(text, not_after=NOW)
    assert guess is not None and guess.date == date(2022, 3, 18) and guess.confidence < 0.5


def test_the_same_date_twice_in_the_header_is_not_ambiguous():
    guess = extract_date("April 25, 2022\nFiled 25.04.2022", not_after=NOW)
    assert guess is not None and guess.date == date(2022, 4, 25)


def test_not_after_accepts_a_datetime_and_no_limit_accepts_the_future():
    assert extract_date("2031-01-01", not_after=datetime(2024, 1, 1)) is None
    assert extract_date("2031-01-01") is not None


def test_seed_corpus_header_dates_agree_with_the_index(repo: Path):
    texts = {p.name: p.read_text(encoding="utf-8") for p in (repo / "seeds").glob("*.txt")}
    assert extract_date(texts["003_dd24a2917543f6ee.txt"]).date == date(2022, 4, 25)  # type: ignore[union-attr]
    assert extract_date(texts["001_6c15f3c0ed2cc066.txt"]).date == date(2022, 7, 24)  # type: ignore[union-attr]
