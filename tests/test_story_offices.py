"""Two offices of one government speaking are two statements (`bot.stories.offices`)."""

from __future__ import annotations

import pytest

from bot.stories import THRESHOLD, similarity
from bot.stories.fingerprint import fingerprint_text
from bot.stories.offices import GOVERNMENT

KREMLIN = fingerprint_text(
    "Kremlin hopes Armenia will keep working within the CSTO",
    "Yerevan has skipped every CSTO meeting this year, and Moscow wants it back at the table.",
)


def _office(headline: str) -> str | None:
    found = [GOVERNMENT[t] for t in fingerprint_text(headline, "").title if t in GOVERNMENT]
    return found[0] if found else None


@pytest.mark.parametrize(
    "ministry",
    [
        "Zakharova: Armenia's absence from CSTO events does not serve its people",
        "Захарова: отказ Армении участвовать в мероприятиях ОДКБ не отвечает ее интересам",
        "МИД России: решение Армении по ОДКБ не отвечает интересам армянского народа",
    ],
)
def test_the_kremlin_and_the_foreign_ministry_speak_apart(ministry: str) -> None:
    said = fingerprint_text(ministry, "Armenia has skipped every CSTO meeting this year.")
    assert similarity(KREMLIN, said) == 0.0


def test_one_office_in_two_wordings_is_one_statement() -> None:
    peskov = fingerprint_text(
        "Peskov hopes Armenia will keep working within the CSTO",
        "Yerevan has skipped the CSTO's meetings this year, and Moscow wants it back.",
    )
    assert similarity(KREMLIN, peskov) >= THRESHOLD


@pytest.mark.parametrize(
    ("headline", "office"),
    [
        ("В Кремле отреагировали на отказ Пашиняна", "russia"),
        ("U.S. State Department says new visas are suspended", "usa"),
        ("Maria Zakharova: sanctions will not work", "russia"),
        # what is acted upon, or a qualifier, is no office speaking
        ("Obama hits Kremlin insiders and their bank with new sanctions", None),
        ("Kremlin-backed candidate wins Abkhazia presidency", None),
        ("EU envoy defiant after Kremlin entry ban", None),
    ],
)
def test_an_office_speaks_only_as_the_headlines_subject(headline: str, office: str | None) -> None:
    assert _office(headline) == office
