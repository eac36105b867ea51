"""A name the lexicon does not hold, keyed the same in English and Russian (bot/event_names.py)."""

from __future__ import annotations

import pytest

from bot.event_names import name_base, skeleton_of
from bot.event_terms import stem


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
