"""A name the lexicon does not hold, keyed the same in English and Russian (bot/event_names.py)."""

from __future__ import annotations

import pytest

from bot.event_names import name_base, skeleton_of
from bot.event_terms import ENTITY, stem, term
from bot.stories.fingerprint import fingerprint_text


@pytest.mark.parametrize(
    ("english", "russian"),
    [
        ("Gryzlov", "Грызлов"),  # "-ов" ends the name: the Russian stemmer takes it off
        ("Gryzlov", "Грызлова"),
        ("Gryzlov", "Грызловым"),
        ("Energoatom", "Энергоатом"),
        ("Energoatom", "Энергоатома"),
        ("Bezhuashvili", "Безиашвили"),
        ("Tokayev", "Токаева"),
        ("Yandex", "Яндекс"),
    ],
)
def test_one_name_has_one_skeleton_in_both_scripts(english: str, russian: str) -> None:
    en, ru = english.lower(), russian.lower()
    assert skeleton_of(en, stem(en)) == skeleton_of(ru, stem(ru)) is not None


def test_a_case_ending_goes_and_the_name_stays() -> None:
    assert name_base("грызлова") == name_base("грызлов") == "грызлов"
    assert name_base("ия") == "ия"  # too short to lose anything
    assert skeleton_of("grzlv", "grzlv") != skeleton_of("mandelson", "mandelson")


def test_a_name_spelled_another_way_is_the_lexicons_entity() -> None:
    lead = "Incumbent Arkady Ghukasian won another term, officials said."
    variant = fingerprint_text("Ghukasian wins landslide in Karabakh poll", lead)
    known = fingerprint_text("Ghukasyan wins landslide in Karabakh poll", lead)
    assert term(ENTITY, "ghukasyan") in variant.title
    assert variant.title == known.title
    unknown = fingerprint_text("Kasyanov wins", "Mr Kasyanov said so.")  # another skeleton
    assert term(ENTITY, "ghukasyan") not in unknown.title
