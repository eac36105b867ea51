"""A retaliation and the act it answers are two events (`steps.retaliation_and_act`)."""

from __future__ import annotations

import pytest

from bot.stories import THRESHOLD, similarity
from bot.stories.fingerprint import fingerprint_text

ACT = fingerprint_text(
    "EU imposes sanctions on forty Belarusian officials over the vote",
    "The bloc froze the assets of officials it holds responsible for rigging the election.",
)


@pytest.mark.parametrize(
    "answer",
    [
        "Belarus imposes retaliatory sanctions on the EU",
        "Белоруссия ввела ответные санкции против Евросоюза",
        "Минск введет ответные меры против ЕС",
    ],
)
def test_the_targets_countermeasures_are_an_event_of_their_own(answer: str) -> None:
    told = fingerprint_text(answer, "Minsk named the officials and firms it will bar.")
    assert similarity(ACT, told) == 0.0


def test_two_reports_of_one_retaliation_are_one_event() -> None:
    a = fingerprint_text(
        "Belarus imposes retaliatory sanctions on the EU",
        "Minsk barred entry to EU officials in response to the bloc's listings.",
    )
    b = fingerprint_text(
        "Белоруссия ввела ответные санкции против Евросоюза",
        "Минск закрыл въезд чиновникам ЕС в ответ на санкции.",
    )
    assert similarity(a, b) >= THRESHOLD


def test_the_sanctioning_side_telling_of_retaliation_is_not_vetoed() -> None:
    """A headline whose first actor is the one that sanctions is no answer by the target."""
    both = fingerprint_text(
        "EU imposes sanctions on Belarusian officials, braces for countermeasures",
        "The bloc froze the assets of officials it holds responsible for rigging the election.",
    )
    assert similarity(ACT, both) >= THRESHOLD
