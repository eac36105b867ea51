"""Average-linkage clustering (bot/stories/linkage.py) on hand-made score tables."""

from __future__ import annotations

from bot.stories.linkage import average_linkage


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
