"""Whether a headline tells a statement, and whose, and what its event follows from
(bot/stories/speech.py); how a third party's statement and a consequence weigh against the act."""

from __future__ import annotations

import pytest

from bot.event_terms import ENTITY, lexicon, located_terms, term, text_words
from bot.stories.fingerprint import fingerprint_text
from bot.stories.similarity import (
    CONSEQUENCE,
    THIRD_PARTY,
    _Terms,
    consequence,
    third_party,
    told_apart,
)
from bot.stories.speech import cause, speaker


def _speaker(title: str) -> int:
    words = text_words(title)
    return speaker(title, words, list(located_terms(words)))


def _polity(key: str) -> int:
    return lexicon().polities[term(ENTITY, key)]


@pytest.mark.parametrize(
    ("title", "said_by"),
    [
        ("Georgia calls Russian pact with Abkhazia a step toward annexation", "georgia"),
        ("Тбилиси осудил подписание договора между Москвой и Сухуми", "georgia"),
        ("Kremlin says Armenia remains close ally after exercises remark", "russia"),
        ("Песков: Армения — наш близкий союзник", "russia"),
        ("Могерини назвала выборы в ДНР и ЛНР незаконными", "eu"),
        ("Zelensky's team urges more sanctions after Kremlin passport move", "ukraine"),
        ("Berlin rejects U.S. pipeline sanctions as meddling in its affairs", "germany"),
        ("Baku: vote in occupied Khankendi has no legal force", "azerbaijan"),  # a capital
        ("Tbilisi deeply concerned by Lukashenko trip to Sukhumi", "georgia"),  # a state of mind
        ("Киев возмущен визитом Лукашенко в Крым", "ukraine"),
        ("Brussels defiant after Moscow bars eight EU officials", "eu"),
        ("МИД Молдавии: «выборы» в Тирасполе ничтожны", "moldova"),  # an institution
        ("Грузия не признает «парламент» Цхинвали", "georgia"),  # a statement's own verb
        ("Армения выразила протест Баку из-за обстрела", "armenia"),
        ("Ukraine protests Lavrov's trip to Sevastopol", "ukraine"),
        ("Kyiv 'disappointed' by Berlin's turbine waiver", "ukraine"),
        ("Kyiv condemns court's ban on Crimean Tatar council", "ukraine"),  # a court acted upon
        ("Chisinau, Western partners reject Tiraspol 'referendum'", "moldova"),  # first of two
        ("Moldova, West reject Tiraspol 'referendum'", "moldova"),  # a polity before a bloc
        ("Moldovan MFA: Tiraspol 'referendum' has no legal effect", "moldova"),
        ("Kremlin dubs Yerevan's vote on the court treaty a mistake", "russia"),
        ("Moscow reacts to Armenia's ratification of the court treaty", "russia"),
        ("Kremlin considers Armenia's ratification an unfriendly step", "russia"),
    ],
)
def test_a_statement_is_read_with_its_speaker(title: str, said_by: str) -> None:
    assert _speaker(title) == _polity(said_by)


@pytest.mark.parametrize(
    "title",
    [
        "Russia and Abkhazia seal alliance treaty in Sochi",  # an act
        "Pashinyan rules out hosting Russia-led bloc's exercises",  # an act before any speech
        "Russia isolated as 143 nations reject annexation of Ukrainian regions",  # too far
        "Moldova's Transnistria hit by new blasts at radio masts",  # "blasts" is no speech
        "Transnistria without gas: industry halted, homes left cold",  # a topic, not a speaker
        "Kremlin criticises so-called elections",  # no speech verb but "so-called"
        "Хаджимба переизбран президентом Абхазии во втором туре",
        "French navy boards suspected Russian shadow fleet tanker, Macron says",  # attributed
        "Kyrgyzstan Calls Off CSTO Drills On Its Territory",  # "calls off" cancels
        "ICJ: Moscow must let Crimean Tatar council work",  # a court's words are its ruling
        "European court says Russia answers for abuses in Transnistria",
        "Ukraine war: Putin annexes four regions",  # a topic before the colon
        "Russian accused of smuggling chips flees house arrest",  # accused, not accusing
    ],
)
def test_an_act_has_no_speaker(title: str) -> None:
    if "criticises" in title:  # a speech action still makes a statement
        assert _speaker(title) == _polity("russia")
    else:
        assert _speaker(title) == 0


def test_a_statement_by_a_party_the_act_never_names_is_a_third_partys() -> None:
    act = _Terms.of(fingerprint_text("Russia and Abkhazia seal alliance treaty in Sochi", ""))
    georgia = _Terms.of(
        fingerprint_text("Georgia calls Russian pact with Abkhazia a step toward annexation", "")
    )
    abkhazia = _Terms.of(fingerprint_text("Abkhazia says pact with Russia guarantees security", ""))
    assert third_party(georgia, act) and not third_party(act, georgia)
    assert not third_party(abkhazia, act)  # a party to the act speaks of it
    treaty = _Terms.of(fingerprint_text("Inside the Sochi treaty", ""))
    assert not third_party(georgia, treaty)  # neither who acts nor what it does is known
    in_force = _Terms.of(fingerprint_text("Санкции против газопроводов вступили в силу", ""))
    berlin = _Terms.of(fingerprint_text("Berlin rejects U.S. pipeline sanctions", ""))
    assert third_party(berlin, in_force)  # a statement saying another thing
    assert 0 < THIRD_PARTY < 1


@pytest.mark.parametrize(
    ("title", "after"),
    [
        ("Moscow Exchange Halts Dollar, Euro Trading After US Penalties", "usa"),
        ("Zelensky's team urges more sanctions after Kremlin passport move", "russia"),
        ("Москва выслала дипломатов в ответ на санкции США", "usa"),
    ],
)
def test_a_headline_names_what_its_event_follows_from(title: str, after: str) -> None:
    words = text_words(title)
    assert cause(title, words, list(located_terms(words))) == _polity(after)


@pytest.mark.parametrize(
    "title",
    [
        "Russian diamonds hit as Brussels agrees fresh round of penalties",  # "as": at once
        "After talks, Russia and Ukraine agree prisoner swap",  # no clause after the event
        "Russia retaliates after Russian diplomats expelled",  # named before it too
    ],
)
def test_a_headline_without_a_cause_clause_has_no_cause(title: str) -> None:
    words = text_words(title)
    assert cause(title, words, list(located_terms(words))) == 0


def test_what_followed_from_an_act_is_not_the_act() -> None:
    act = _Terms.of(fingerprint_text("US blacklists Moscow Exchange, widens threat to banks", ""))
    halt = _Terms.of(
        fingerprint_text("Moscow Exchange Halts Dollar, Euro Trading After US Penalties", "")
    )
    assert consequence(halt, act) and not consequence(act, halt)
    assert 0 < CONSEQUENCE < 1


def test_a_company_of_no_state_speaks_for_itself() -> None:
    assert _speaker("Rosatom calls Helsinki's contract exit groundless") == term(ENTITY, "rosatom")
    assert _speaker("«Роснефть» назвала решение Берлина незаконным") == term(ENTITY, "rosneft")


def test_a_name_the_lexicon_does_not_know_speaks_as_itself() -> None:
    said = _Terms.of(
        fingerprint_text(
            "Carlsberg says Moscow's seizure of its brewery wrecks the sale",
            "The Danish brewer Carlsberg said it had not been told of the decree.",
        )
    )
    assert said.speaker
    seizure = _Terms.of(fingerprint_text("Russia seizes control of Baltika brewery", ""))
    assert third_party(said, seizure)  # the owner's answer to the act done to it
    own = _Terms.of(
        fingerprint_text(
            "Carlsberg sells Baltika stake to local managers",
            "The Danish brewer Carlsberg agreed to sell its Russian business.",
        )
    )
    assert not third_party(said, own)  # the company speaking of its own act


def test_the_targets_reply_is_not_the_act() -> None:
    def terms(title: str) -> _Terms:
        return _Terms.of(fingerprint_text(title, ""))

    act = terms("Russia seizes Georgia's border posts near Abkhazia")
    reply = terms("Tbilisi condemns Moscow's seizure of border posts")
    assert third_party(reply, act) and not third_party(act, reply)
    party = terms("Abkhazia says treaty with Russia guarantees its security")
    assert not third_party(party, terms("Russia and Abkhazia seal alliance treaty"))
    takeover = terms("Berlin takes over Rosneft refinery in Schwedt")
    assert third_party(terms("Rosneft calls Berlin's takeover illegal"), takeover)
    assert not third_party(terms("Germany says it acted to secure fuel supply"), takeover)


def test_an_institution_named_alone_speaks_for_the_state_its_lead_names() -> None:
    lead = "Georgia's foreign ministry said the vote held in the occupied region had no force."
    for title in (
        "Foreign Ministry: 'elections' in occupied Tskhinvali have no legal force",
        "Foreign Ministry says Tskhinvali 'elections' have no legal force",
    ):
        assert fingerprint_text(title, lead).speaker == _polity("georgia")
    assert fingerprint_text("Foreign Ministry: the vote has no legal force", "").speaker == 0


def test_a_government_speaks_in_the_neuter() -> None:
    assert _speaker("Правительство ФРГ осудило санкции США против газопровода") == _polity(
        "germany"
    )


def test_headlines_told_apart_are_different_actors_or_a_statement_against_an_act():
    def told(a: str, b: str) -> bool:
        return told_apart(_Terms.of(fingerprint_text(a, "")), _Terms.of(fingerprint_text(b, "")))

    act = "U.S. sanctions Turkish defence agency over Russian missile purchase"
    assert told(act, "Turkey condemns U.S. sanctions, vows response")  # the target's statement
    assert told("Russia cuts off gas to Poland and Bulgaria", "Песков: остановка газа не шантаж")
    assert told("Medvedev visits South Ossetia", "Georgia condemns Medvedev trip to Tskhinvali")
    # the same actor acting, from two angles: a weak score between them is no evidence
    assert not told(
        "EU blacklists Indian refinery in new measures", "EU agrees lower oil price cap"
    )
    assert not told(act, "Washington hits Ankara's arms agency with penalties")
    # a company speaking of its own act, told with and without a verb of speech
    assert not told("Rosatom says it will quit Finnish project", "Rosatom quits Finnish project")
