"""Who acts upon whom in a headline (bot/stories/roles.py), in English and Russian."""

from __future__ import annotations

import pytest

from bot.event_terms import ACTION, CONCEPT, ENTITY, kind_of, lexicon, term
from bot.stories.fingerprint import fingerprint_text
from bot.stories.roles import roles


def _polity(key: str) -> int:
    return lexicon().polities[term(ENTITY, key)]


def _upon(*keys: str) -> frozenset[int]:
    return frozenset(_polity(k) for k in keys)


@pytest.mark.parametrize(
    ("title", "acting", "upon"),
    [
        ("Trump slaps extra 25% tariff on India over Russian oil purchases", "usa",
         ("india", "russia")),
        ("India calls US tariff move 'unfair, unjustified and unreasonable'", "india", ("usa",)),
        ("Moscow dismisses U.S. Crimea declaration, says issue closed", "russia",
         ("usa", "crimea")),
        ("Kyiv condemns Moscow's passport decree as legally void", "ukraine", ("russia",)),
        ("США ввели дополнительную пошлину для Индии за закупки российской нефти", "usa",
         ("india", "russia")),
        ("Приднестровье попросило у России «защиты»", "transnistria", ("russia",)),
        ("EU sanctions Belarusian officials over Ryanair diversion", "eu", ("belarus",)),
        ("Treasury sanctions Crimean officials over annexation", "usa", ("crimea",)),
    ],
)  # fmt: skip
def test_the_first_polity_acts_upon_the_others_after_the_action(title, acting, upon):
    assert roles(title) == (_polity(acting), _upon(*upon))


def test_every_other_polity_after_the_action_is_acted_upon():
    pompeo = roles("Pompeo Declares U.S. Will Never Recognize Russia's Annexation Of Crimea")
    assert pompeo == (_polity("usa"), _upon("russia", "crimea"))


def test_a_speaker_before_a_colon_acts_and_a_topic_label_does_not():
    speaker = roles("МИД РФ: защита жителей Приднестровья — один из приоритетов")
    assert speaker == (_polity("russia"), _upon("transnistria"))
    assert roles("Ukraine war: Putin annexes four regions")[0] == _polity("russia")


@pytest.mark.parametrize(
    ("title", "source_of", "acting"),
    [
        ("Пушилин: КНДР признала независимость ДНР", True, "north_korea"),  # the act, attributed
        ("Kremlin: Syria recognised Donetsk and Luhansk", True, "syria"),
        ("Пашинян: ОДКБ угрожает безопасности Армении", False, "armenia"),  # a claim, not an act
        ("Mandelson: Belarus to lose EU tariff perks next week", False, "eu"),  # an act to come
        ("Песков: Армения — наш близкий союзник", False, "russia"),  # no act: a statement
    ],
)
def test_a_label_before_an_act_done_by_another_polity_is_its_source(title, source_of, acting):
    """A label whose clause tells an act done by a polity names the act's source: the polity
    acts and no one speaks; before an act to come or no act at all it is a speaker's."""
    assert roles(title)[0] == _polity(acting)
    fp = fingerprint_text(title, "")
    assert (fp.speaker == 0) == source_of
    if source_of:
        assert fp.subject == _polity(acting)


def test_a_polity_qualifying_a_noun_after_a_label_is_not_an_attributed_act():
    void = fingerprint_text(
        "Foreign Ministry: Russia's 'elections' in Crimea are null and void",
        "Ukraine's foreign ministry said the vote had no legal effect.",
    )
    assert void.speaker == _polity("ukraine")  # the ministry of the lead's state speaks


def test_a_passive_agent_acts_upon_the_headlines_other_polity():
    passive = roles("India becomes first target of Trump's 'secondary' penalties on Russian oil")
    assert passive == (_polity("usa"), _upon("india", "russia"))
    assert roles("Belarus sanctioned by the EU") == (_polity("eu"), _upon("belarus"))


def test_places_and_qualifiers_are_not_acted_upon():
    breakaway = roles("Moldova's breakaway Transnistria asks Russia for protection")
    assert breakaway == (_polity("transnistria"), _upon("russia"))
    assert roles("Russia to build naval base in Georgia's breakaway Abkhazia") == (
        _polity("russia"), frozenset(),
    )  # fmt: skip
    located = roles("Separatist lawmakers in Transnistria seek Moscow's help amid customs row")
    assert located == (_polity("transnistria"), _upon("russia"))  # the place is all there is


def test_a_headline_naming_no_polity_has_no_roles():
    assert roles("Blasts at radio station heighten fears of spillover") == (0, frozenset())


def _opener(title: str) -> int:
    """The opening name as the story fingerprint reads it (`roles.opening_actor`)."""
    return fingerprint_text(title, "").opener


def test_a_name_opening_the_headline_and_acting_at_once_is_its_actor():
    boeing = _opener("Boeing suspends support for Russian carriers")
    assert kind_of(boeing) == CONCEPT  # a name the lexicon does not hold: its `name:` concept
    assert _opener("Boeing halts parts deliveries to Russian airlines") == boeing
    assert _opener("IKEA приостановила деятельность в России") != 0
    assert _opener("Gazprom halts gas to Poland") == term(ENTITY, "gazprom")
    # a polity opening the headline is read by `roles`; common nouns are concepts, not names
    assert _opener("Russia bans imports of Georgian wine") == 0
    assert _opener("Separatists declare independence in Donetsk") == 0
    assert _opener("Lawmakers approve sanctions bill") == 0
    # the verb must follow the name at once
    assert _opener("Boeing, Airbus halt support for Russian airlines") == 0
    assert _opener("Boeing says it will halt support") == 0  # "says" is no action


@pytest.mark.parametrize(
    ("title", "verb"),
    [
        ("U.S. sanctions second Rosneft unit over Venezuela trade", True),
        ("EU sanctions Belarusian officials over Ryanair diversion", True),
        ("EU sanctions on Russia take effect", False),  # the noun: "take effect" is the act
        ("US sanctions hit Russian bank profits", False),  # the noun, doing something
        ("New sanctions target Russian gold", False),  # no polity before it
    ],
)
def test_sanctions_after_a_polity_is_the_verb_when_its_object_follows(title, verb):
    action = fingerprint_text(title, "").action
    assert (action == term(ACTION, "blacklist")) is verb


def test_an_adverb_between_the_opening_name_and_its_verb_keeps_it_the_actor() -> None:
    opener = fingerprint_text("PACE unanimously backs expelling Moscow", "").opener
    assert opener == term(ENTITY, "pace")
    assert fingerprint_text("PACE backs expelling Moscow", "").opener == opener
    assert fingerprint_text("PACE unanimous on Moscow", "").opener == 0  # no verb follows


@pytest.mark.parametrize(
    ("title", "action"),
    [
        # the quotation is what was said: the act follows the colon
        ("«Это ударит по нашим отношениям»: в Киеве отреагировали на слова Лукашенко", "react"),
        ('"This will hit our ties": Kyiv reacts to Lukashenko remarks on Crimea', "react"),
        # a quoted name opening a longer label is no quotation: its verb is the act
        ("«Газпром» сократил поставки: Европа ищет замену", "reduce"),
    ],
)
def test_a_quotation_before_the_colon_is_what_was_said_not_the_act(title: str, action: str) -> None:
    assert fingerprint_text(title, "").action == term(ACTION, action)
