"""A forecast of an act and the act are two events (`bot.stories.steps.forecast_and_act`)."""

from __future__ import annotations

import pytest

from bot.stories import THRESHOLD, similarity
from bot.stories.fingerprint import fingerprint_text
from bot.stories.roles import FORECAST

LEAD = "The bloc's envoys met in Brussels to discuss restrictions on Russian metals and banks."
ACT_LEAD = "The measures add 140 names to the list and ban imports of Russian diamonds."


@pytest.mark.parametrize(
    "forecast",
    [
        "EU's 12th sanctions package could be approved on Friday, diplomats say",
        "EU may approve 12th sanctions package this week",
        "Страны ЕС могут утвердить 12-й пакет санкций в пятницу",
        "EU expected to approve 12th sanctions package on Friday",
        "12-й пакет санкций ЕС, скорее всего, будет утвержден в пятницу",
        "EU unlikely to approve 12th sanctions package on Friday",
        "Послы ЕС не смогут утвердить 12-й пакет санкций в пятницу",
        "EU envoys seem to be able to approve 12th sanctions package",
    ],
)
def test_a_forecast_and_the_act_it_foretells_are_two_events(forecast: str) -> None:
    act = fingerprint_text("EU approves 12th sanctions package against Russia", ACT_LEAD)
    told = fingerprint_text(forecast, LEAD)
    assert FORECAST in told.title
    assert FORECAST not in act.title
    assert similarity(told, act) == 0.0


def test_two_reports_of_one_forecast_are_one_event() -> None:
    a = fingerprint_text("EU's 12th sanctions package could be approved on Friday", LEAD)
    b = fingerprint_text("EU could approve 12th sanctions package on Friday, envoys say", LEAD)
    assert similarity(a, b) >= THRESHOLD


@pytest.mark.parametrize(
    "headline",
    [
        # the modal belongs to a later verb: the agreement itself is told
        "Страны ЕС согласовали 12-й пакет санкций, окончательно утвердить его могут в пятницу",
        # a negated modal is a refusal, not a forecast
        "Serbia cannot recognise the referendums in Donetsk and Luhansk",
        "EU approves 12th sanctions package against Russia",
        # a plan is told as the act it plans ("plans to freeze" was reported as the freeze)
        "EU plans to approve 12th sanctions package",
        # an ability in the past is the act done
        "Ukraine was able to export grain through the Black Sea",
    ],
)
def test_no_forecast_without_a_modal_before_the_main_verb(headline: str) -> None:
    assert FORECAST not in fingerprint_text(headline, "").title


@pytest.mark.parametrize(
    "outlook",
    [
        "EU sanctions on Russian aluminium could shake the global market",
        "The 12th package of EU sanctions against Russia may turn out to be the weakest",
    ],
)
def test_an_outlook_telling_no_act_is_not_the_act(outlook: str) -> None:
    """A headline whose only verb follows a modal tells what may come of the news, not the news:
    it is a forecast against any act ("…could shake global market" the day the Commission
    proposes the ban)."""
    act = fingerprint_text("EU approves 12th sanctions package against Russia", ACT_LEAD)
    told = fingerprint_text(outlook, LEAD)
    assert FORECAST in told.title
    assert similarity(told, act) == 0.0


def test_a_speaker_saying_could_tells_no_forecast() -> None:
    """With no act in the headline, a modal in a speaker's words is what was said."""
    said = fingerprint_text("Putin says Kosovo independence could set precedent for Abkhazia", "")
    assert FORECAST not in said.title
