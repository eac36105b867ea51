"""Average-linkage clustering (bot/stories/linkage.py) on hand-made score tables, and the reply
rule through story grouping."""

from __future__ import annotations

import itertools

import pytest

from bot.stories.linkage import (
    ACTS_ON_THRESHOLD,
    MIN_PAIR,
    REPLY_THRESHOLD,
    STATEMENT_THRESHOLD,
    average_linkage,
)
from tests.factories import stories_of


def _cluster(scores: dict[tuple[int, int], float], n: int, vetoed=frozenset(), t=0.5):
    def score(a: int, b: int) -> float:
        if (a, b) in vetoed or (b, a) in vetoed:
            return -1.0
        return scores.get((a, b), scores.get((b, a), 0.0))

    return average_linkage(n, score, t)


def test_a_report_close_to_one_member_only_does_not_join():
    """0-1 one event; 2 is the reaction, close to 1 only: its mean with {0, 1} is 0.4."""
    assert _cluster({(0, 1): 0.9, (1, 2): 0.8}, 3) == [[0, 1], [2]]


def test_a_report_close_to_every_member_joins_and_groups_come_in_order():
    table = {(0, 1): 0.9, (0, 2): 0.6, (1, 2): 0.7, (3, 4): 0.8}
    assert _cluster(table, 5) == [[0, 1, 2], [3, 4]]


def test_a_vetoed_pair_keeps_two_groups_apart_whatever_the_mean():
    table = {(0, 1): 0.9, (2, 3): 0.9, (0, 2): 0.9, (1, 3): 0.9, (0, 3): 0.9, (1, 2): 0.9}
    assert _cluster(table, 4, vetoed={(1, 2)}) == [[0, 1, 3], [2]]


def test_the_result_does_not_depend_on_the_order_of_equal_scores():
    table = {(0, 1): 0.6, (1, 2): 0.6, (0, 2): 0.2}
    assert _cluster(table, 3) == [[0, 1], [2]]  # ties: the earliest pair joins first
    assert _cluster({}, 3) == [[0], [1], [2]] and _cluster({}, 0) == []


# Replies: reports 0 and 1 are an act by polity 1 on polity 2, report 2 is polity 2's reply.
# A side: (subject, polities named, acting polity, polities acted upon, speaker); the last
# three unread here.
NONE: frozenset[int] = frozenset()
ACT, REPLY = (1, frozenset({1, 2}), 0, NONE, 0), (2, frozenset({1, 2}), 0, NONE, 0)
TABLE = {(0, 1): 0.8, (0, 2): 0.22, (1, 2): 0.22}  # the reply scores 0.22 with both


def _sided(sides, t=0.2):
    def score(a: int, b: int) -> float:
        return TABLE.get((a, b), TABLE.get((b, a), 0.0))

    return average_linkage(3, score, t, sides)


def test_an_act_and_the_other_sides_reply_need_the_reply_threshold_to_join():
    assert REPLY_THRESHOLD > 0.22
    assert _sided([ACT, ACT, REPLY]) == [[0, 1], [2]]
    assert _sided(None) == [[0, 1, 2]]  # without the sides: one story


def test_a_third_partys_reaction_or_a_reply_few_reports_name_keeps_the_usual_threshold():
    third = (
        3,
        frozenset({1, 3}),
        0,
        NONE,
        0,
    )  # polity 3 reacts to polity 1; the act does not name it
    assert _sided([ACT, ACT, third]) == [[0, 1, 2]]
    half = (1, frozenset({1}), 0, NONE, 0)  # one of the act's two headlines names polity 2
    assert _sided([ACT, half, REPLY]) == [[0, 1, 2]]
    same_side = (1, frozenset({1, 2}), 0, NONE, 0)  # the same polity again: not a reply
    assert _sided([ACT, ACT, same_side]) == [[0, 1, 2]]


# Acting upon each other: the same, with the roles read. Only polity 2 is named in the act's
# headlines as the one acted upon (the naming rule sees it too: `half` names no one).
DOES, ANSWERS = (1, frozenset({1}), 1, frozenset({2}), 0), (2, frozenset({2}), 2, frozenset({1}), 0)
BETWEEN = {(0, 1): 0.8, (0, 2): 0.3, (1, 2): 0.3}  # above the reply threshold, below the other


def _acting(sides, table=BETWEEN):
    def score(a: int, b: int) -> float:
        return table.get((a, b), table.get((b, a), 0.0))

    return average_linkage(3, score, 0.2, sides)


def test_groups_acting_upon_each_other_need_the_acts_on_threshold_to_join():
    assert REPLY_THRESHOLD < 0.3 < ACTS_ON_THRESHOLD
    assert _acting([DOES, DOES, ANSWERS]) == [[0, 1], [2]]
    assert _acting([DOES, DOES, ANSWERS], {**BETWEEN, (0, 2): 0.4, (1, 2): 0.4}) == [[0, 1, 2]]
    assert _acting(None) == [[0, 1, 2]]


def test_a_group_most_of_whose_headlines_act_upon_no_one_there_keeps_the_usual_threshold():
    nobody = (1, frozenset({1}), 1, NONE, 0)  # "Путин упростил получение гражданства РФ жителям …"
    assert _acting([DOES, nobody, ANSWERS]) == [[0, 1, 2]]
    third = (3, frozenset({3, 1}), 3, frozenset({1}), 0)  # a third party acting upon polity 1
    assert _acting([DOES, DOES, third]) == [[0, 1, 2]]
    same = (1, frozenset({1}), 1, frozenset({2}), 0)
    assert _acting([DOES, DOES, (2, frozenset({1, 2}), 2, frozenset({1, 3}), 0)]) == [
        [0, 1],
        [2],
    ]  # the same polity acting again
    assert _acting([DOES, DOES, same]) == [[0, 1, 2]]


# Statements on an act: reports 0 and 1 tell polity 1 acting (on polity 2), report 2 is
# polity 2's statement; the pair scores sit between the usual and the statement thresholds.
ACTS, STATES = (1, frozenset({1, 2}), 1, frozenset({2}), 0), (2, frozenset({1, 2}), 2, NONE, 2)
AROUND = {(0, 1): 0.8, (0, 2): 0.25, (1, 2): 0.25}


def test_statements_on_an_act_others_did_need_the_statement_threshold_to_join():
    assert REPLY_THRESHOLD <= 0.25 < STATEMENT_THRESHOLD
    assert _acting([ACTS, ACTS, STATES], AROUND) == [[0, 1], [2]]
    assert _acting([ACTS, ACTS, STATES], {**AROUND, (0, 2): 0.35, (1, 2): 0.35}) == [[0, 1, 2]]
    own = (1, frozenset({1, 2}), 1, NONE, 1)  # the actor speaking of its own act
    assert _acting([ACTS, ACTS, own], AROUND) == [[0, 1, 2]]
    unread = (0, frozenset({2}), 0, NONE, 0)  # nobody read acting in the other group
    assert _acting([unread, unread, STATES], AROUND) == [[0, 1, 2]]
    mixed = (1, frozenset({1, 2}), 1, frozenset({2}), 1)  # a statement among the act's reports
    assert _acting([ACTS, mixed, STATES], AROUND) == [[0, 1, 2]]
    together = (1, frozenset({1, 2}), 1, NONE, 0)  # polities 1 and 2 act together
    assert _acting([together, together, STATES], AROUND) == [[0, 1, 2]]


# dev-5: the U.S. tariff on India of 6 August 2025 and India's answer the same evening.
TARIFFS = [
    ("us-reuters", 0, "Trump slaps extra 25% tariff on India over Russian oil purchases",
     "President Donald Trump signed an executive order on Wednesday imposing an additional 25% "
     "tariff on goods from India as a penalty for its purchases of Russian oil, raising total "
     "duties on many Indian products to 50%. The extra levy will take effect in 21 days, leaving "
     "a window for negotiations between Washington and New Delhi."),
    ("us-vedomosti", 1.3, "США ввели дополнительную пошлину для Индии за закупки российской "
     "нефти", "Дональд Трамп подписал указ о дополнительной 25-процентной пошлине на импорт из "
     "Индии, объяснив это тем, что страна прямо или косвенно покупает российскую нефть. С учетом "
     "ранее объявленных тарифов совокупная ставка для многих индийских товаров достигнет 50%. "
     "Новые пошлины начнут действовать через три недели."),
    ("us-aljazeera", 14.3, "India becomes first target of Trump's 'secondary' penalties on "
     "Russian oil", "India has become the first country to be penalised by the United States "
     "for buying Russian crude, after President Trump's order doubling tariffs on Indian goods. "
     "The move threatens exporters of textiles, jewellery and seafood, while China, the biggest "
     "buyer of Russian oil, has so far faced no similar step."),
    ("in-afp", 2.8, "India calls US tariff move 'unfair, unjustified and unreasonable'",
     "India's foreign ministry said on Wednesday that Washington's decision to impose "
     "additional tariffs over its purchases of Russian oil was extremely unfortunate and vowed "
     "to take all actions necessary to protect national interests. New Delhi said its imports "
     "were driven by market factors and the need to ensure energy security for 1.4 billion "
     "people."),
]  # fmt: skip


@pytest.mark.parametrize("order", list(itertools.permutations(range(4)))[::5])
def test_a_tariff_and_the_answer_of_the_country_it_hits_are_two_stories_in_any_order(order):
    assert stories_of([TARIFFS[i] for i in order]) == {
        frozenset({"us-reuters", "us-vedomosti", "us-aljazeera"}),
        frozenset({"in-afp"}),
    }


# dev-4: the U.S. sanctions of 15 April 2021 and Russia's retaliation the next day.
SANCTIONS = [
    ("us-reuters", 0, "U.S. sanctions Russia over election interference, hacking; expels 10 "
     "diplomats", "The United States on Thursday imposed sanctions on dozens of Russian "
     "companies and individuals, expelled 10 diplomats and barred U.S. banks from buying newly "
     "issued Russian sovereign debt, punishing Moscow for interfering in the 2020 election, the "
     "SolarWinds hack and other hostile activities."),
    ("us-kommersant", 2.5, "Байден ввел санкции против российского госдолга", "Президент США "
     "Джо Байден подписал указ, запрещающий американским финансовым институтам с 14 июня "
     "участвовать в первичном размещении облигаций ЦБ, Минфина и Фонда национального "
     "благосостояния России. Одновременно Вашингтон высылает десять российских дипломатов и "
     "вводит санкции против 32 компаний и физических лиц."),
    ("ru-tass", 23.3, "Лавров объявил о высылке десяти американских дипломатов", "Россия в "
     "ответ на санкции США высылает десять американских дипломатов и вносит в стоп-лист восемь "
     "действующих и бывших чиновников, сообщил министр иностранных дел Сергей Лавров. Послу США "
     "Джону Салливану рекомендовано выехать в Вашингтон для консультаций. Министр добавил, что "
     "Москва могла бы принять и болезненные меры против американского бизнеса в России, но пока "
     "воздерживается от них."),
    ("ru-ap", 25, "Russia retaliates for US sanctions, orders 10 diplomats out", "Russia said "
     "Friday it will expel 10 U.S. diplomats and bar eight current and former officials, "
     "including Attorney General Merrick Garland and former national security adviser John "
     "Bolton, in retaliation for sanctions imposed by the Biden administration a day earlier."),
]  # fmt: skip


@pytest.mark.parametrize("order", list(itertools.permutations(range(4)))[::5])
def test_sanctions_and_the_retaliation_for_them_are_two_stories_in_any_order(order):
    assert stories_of([SANCTIONS[i] for i in order]) == {
        frozenset({"us-reuters", "us-kommersant"}),
        frozenset({"ru-tass", "ru-ap"}),
    }


def _floored(scores: dict[tuple[int, int], float], apart: set[tuple[int, int]], t=0.2):
    """`apart`: the pairs the floor holds for (headlines telling different actors, one language)."""

    def score(a: int, b: int) -> float:
        return scores.get((a, b), scores.get((b, a), 0.0))

    def floored(a: int, b: int) -> bool:
        return (a, b) in apart or (b, a) in apart

    n = 1 + max(max(pair) for pair in scores)
    return average_linkage(n, score, t, None, floored)


def test_a_weak_pair_telling_apart_keeps_two_groups_apart_whatever_the_mean():
    """0-1 the act, 2 a statement about it: the mean of 2 with {0, 1} is 0.25, but 2 shares next
    to nothing with 1."""
    assert MIN_PAIR > 0.1
    table = {(0, 1): 0.7, (0, 2): 0.4, (1, 2): 0.1}
    assert _floored(table, {(1, 2), (0, 2)}) == [[0, 1], [2]]
    assert _floored(table, {(0, 1), (0, 2)}) == [[0, 1, 2]]  # the weak pair is two angles
    assert _cluster(table, 3, t=0.2) == [[0, 1, 2]]  # …and without a floor, as before
    weak = {(0, 1): 0.7, (0, 2): 0.3, (1, 2): MIN_PAIR}
    assert _floored(weak, {(1, 2)}) == [[0, 1, 2]]  # the floor itself is enough


def test_the_weakest_pair_follows_the_groups_as_they_grow():
    """{0, 1} and {2, 3} form first; joining them needs every floored pair across."""
    table = {(0, 1): 0.9, (2, 3): 0.9, (0, 2): 0.5, (0, 3): 0.5, (1, 2): 0.5, (1, 3): 0.12}
    assert _floored(table, {(1, 3)}) == [[0, 1], [2, 3]]
    assert _floored(table, {(0, 3)}) == [[0, 1, 2, 3]]


def _joins_one_at_a_time(n, score, blocked, t, sides, floored):
    """The rule as `average_linkage` states it, the plain way: after every join, look at every
    pair of groups and join the best one the rules allow (m³ work; the heap must agree)."""
    from bot.stories.linkage import act_on_each_other, replies, statements_on_an_act

    groups = [[a] for a in range(n)]
    while True:
        best = None
        for x, y in itertools.combinations(range(len(groups)), 2):
            a, b = groups[x], groups[y]
            pairs = [(i, j) for i in a for j in b]
            if any(blocked(min(p), max(p)) for p in pairs):
                continue
            mean = sum(score(min(p), max(p)) for p in pairs) / len(pairs)
            floor = [score(min(p), max(p)) for p in pairs if floored(min(p), max(p))]
            if mean < t or (floor and min(floor) < MIN_PAIR):
                continue
            if sides is not None and (
                (mean < REPLY_THRESHOLD and replies(sides, a, b))
                or (mean < STATEMENT_THRESHOLD and statements_on_an_act(sides, a, b))
                or (mean < ACTS_ON_THRESHOLD and act_on_each_other(sides, a, b))
            ):
                continue
            if best is None or mean > best[0]:  # ties: the earliest groups (listed first)
                best = (mean, x, y)
        if best is None:
            return sorted(sorted(g) for g in groups)
        _, x, y = best
        groups[x] += groups.pop(y)


@pytest.mark.parametrize("seed", range(40))
def test_the_heap_joins_what_joining_one_at_a_time_joins(seed: int) -> None:
    """Random tables with ties (scores in steps of 0.05), vetoes, floored pairs and sides."""
    import random

    rng = random.Random(seed)
    n = rng.randint(2, 14)
    table = {p: rng.choice([0.0, 0.0, *[k / 20 for k in range(1, 20)]])
             for p in itertools.combinations(range(n), 2)}  # fmt: skip
    blocked = {p for p in table if rng.random() < 0.08}
    floor = {p for p in table if rng.random() < 0.3}

    def polities() -> frozenset[int]:
        return frozenset(rng.sample(range(1, 4), rng.randint(0, 2)))

    sides = [
        (rng.randint(0, 3), polities(), rng.randint(0, 3), polities(), rng.randint(0, 3))
        for _ in range(n)
    ] if seed % 2 else None  # fmt: skip
    signed = {p: (-1.0 if p in blocked else v) for p, v in table.items()}  # negative: vetoed
    assert average_linkage(
        n, lambda a, b: signed[a, b], 0.2, sides, lambda a, b: (a, b) in floor
    ) == _joins_one_at_a_time(
        n, lambda a, b: table[a, b], lambda a, b: (a, b) in blocked, 0.2, sides,
        lambda a, b: (a, b) in floor,
    )  # fmt: skip
