"""An explanation of an act and the act are two events (`steps.denial_and_claim`)."""

from __future__ import annotations

import pytest

from bot.event_terms import ACTION, term
from bot.stories import THRESHOLD, similarity
from bot.stories.fingerprint import fingerprint_text

ACT = fingerprint_text(
    "Kyrgyzstan cancels CSTO exercise on its territory",
    "The defence ministry called off the drill planned for next week near Balykchy.",
)


@pytest.mark.parametrize(
    "explanation",
    [
        "Kyrgyzstan explains cancellation of CSTO exercise",
        "Киргизия объяснила отмену учений ОДКБ",
    ],
)
def test_the_explanation_the_next_day_is_an_event_of_its_own(explanation: str) -> None:
    told = fingerprint_text(explanation, "The minister said the public mood after the clashes.")
    assert told.action == term(ACTION, "explain")
    assert similarity(ACT, told) == 0.0


def test_two_reports_of_one_explanation_are_one_event() -> None:
    a = fingerprint_text(
        "Kyrgyzstan explains cancellation of CSTO exercise",
        "The minister cited public opinion after the border clashes with Tajikistan.",
    )
    b = fingerprint_text(
        "Киргизия объяснила отмену учений ОДКБ",
        "Министр сослался на общественное мнение после столкновений на границе с Таджикистаном.",
    )
    assert similarity(a, b) >= THRESHOLD


def test_naming_the_reason_explains() -> None:
    told = fingerprint_text("Песков назвал причину признания Россией паспортов ДНР и ЛНР", "")
    assert told.action == term(ACTION, "explain")  # not the recognition it gives reasons for


def test_the_same_side_explaining_and_speaking_of_the_act_is_one_event() -> None:
    """The Kremlin's reasons and the Kremlin's words on the act they are reasons for, the
    same day, are one statement told twice, not an explanation against a claim."""
    reasons = fingerprint_text(
        "Песков назвал причину признания Россией паспортов ДНР и ЛНР",
        "Пресс-секретарь президента Дмитрий Песков заявил, что паспорта признаны по "
        "гуманитарным соображениям.",
    )
    words = fingerprint_text(
        "В Кремле уверены, что признание паспортов ДНР и ЛНР не противоречит нормам права",
        "Пресс-секретарь президента Дмитрий Песков заявил, что решение принято по "
        "гуманитарным соображениям.",
    )
    assert reasons.speaker and reasons.speaker == words.speaker
    assert similarity(reasons, words) >= THRESHOLD
