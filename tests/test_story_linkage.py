"""Average-linkage clustering (bot/stories/linkage.py) on hand-made score tables, and the reply
rule through story grouping."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from bot.stories import group_batches
from bot.stories.linkage import REPLY_THRESHOLD, average_linkage
from tests.factories import T0, item


def _cluster(scores: dict[tuple[int, int], float], n: int, vetoed=frozenset(), t=0.5):
    def score(a: int, b: int) -> float:
        return scores.get((a, b), scores.get((b, a), 0.0))

    return average_linkage(n, score, lambda a, b: (a, b) in vetoed or (b, a) in vetoed, t)


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
ACT, REPLY = (1, frozenset({1, 2})), (2, frozenset({1, 2}))
TABLE = {(0, 1): 0.8, (0, 2): 0.22, (1, 2): 0.22}  # the reply scores 0.22 with both


def _sided(sides, t=0.2):
    def score(a: int, b: int) -> float:
        return TABLE.get((a, b), TABLE.get((b, a), 0.0))

    return average_linkage(3, score, lambda a, b: False, t, sides)


def test_an_act_and_the_other_sides_reply_need_the_reply_threshold_to_join():
    assert REPLY_THRESHOLD > 0.22
    assert _sided([ACT, ACT, REPLY]) == [[0, 1], [2]]
    assert _sided(None) == [[0, 1, 2]]  # without the sides: one story


def test_a_third_partys_reaction_or_a_reply_few_reports_name_keeps_the_usual_threshold():
    third = (3, frozenset({1, 3}))  # polity 3 reacts to polity 1; the act does not name it
    assert _sided([ACT, ACT, third]) == [[0, 1, 2]]
    half = (1, frozenset({1}))  # one of the act's two headlines names polity 2
    assert _sided([ACT, half, REPLY]) == [[0, 1, 2]]
    same_side = (1, frozenset({1, 2}))  # the same polity again: not a reply
    assert _sided([ACT, ACT, same_side]) == [[0, 1, 2]]


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
    reports = [SANCTIONS[i] for i in order]
    feeds = [
        [item(key, source=f"https://{key}.example/rss", title=title, text=text,
              published=T0 + timedelta(hours=hours))]
        for key, hours, title, text in reports
    ]  # fmt: skip
    stories = {frozenset(i.key for i in story) for story in group_batches(feeds)}
    assert stories == {
        frozenset({"us-reuters", "us-kommersant"}),
        frozenset({"ru-tass", "ru-ap"}),
    }
