"""Average-linkage clustering of a few dozen reports (pure).

Two groups of reports join when the mean score over every pair across them reaches the
threshold and no pair across them is vetoed. Unlike joining through the single closest report,
a report of the reaction to an event, close to the one report of the event that quotes it, does
not pull the two events together; and unlike deciding one report at a time, the result does not
depend on the order the reports arrived in.

**Replies.** An act and the other side's reply to it ("U.S. sanctions Russia…" and "Russia
retaliates for US sanctions…"; "Transnistria asks Russia for protection" and "Moscow says
protecting Transnistria is a priority") share actors, place and words: pair by pair they score
like two reports of one event. What tells them apart is who acts: each group's headlines have
their own acting polities, and most of each group's headlines name the other group's actor as
the one acted upon. Two such groups join only at the stricter `REPLY_THRESHOLD`. A third party's
reaction ("EU, Turkey reject vote for new Karabakh leader"), which the event's reports do not
name, and a group only some of whose headlines name the other side, keep the usual threshold:
the labelled sets count those as one event as often as not.

**Acting upon each other.** A finer reading of the headlines (`bot.stories.roles`) tells who
acts and upon whom: "Trump slaps extra 25% tariff on India" acts for the U.S. upon India, "India
calls US tariff move 'unfair'" for India upon the U.S. Two groups whose acting polities differ,
most headlines of each acting upon a polity acting in the other, need `ACTS_ON_THRESHOLD`:
naming the other side as the one acted upon (not as a place, a qualifier or a topic label) is
stronger evidence of a reply than naming it at all. A decree and a condemnation of it with one
report of the decree naming no one acted upon ("Путин упростил получение гражданства РФ жителям
Херсонской и Запорожской областей") stay under the usual threshold: the sets label those one
event.

**Statements on an act.** A group whose every headline tells a statement and a group that
tells an act by others (none of its headlines a statement, none of its acting polities, nor any
polity it names but does not act upon, a speaker of the first) share the act's names and words,
pair by pair halved as a third party's (`bot.stories.similarity.THIRD_PARTY`) and still near the
threshold: the company's or the government's answer to sanctions on it. They join only at
`STATEMENT_THRESHOLD`. The actor's own statements (its acting polity speaking) and groups mixing
statements with acts keep the usual threshold.

**No weak pair telling two actors apart.** A mean can reach the threshold while one pair across
the two groups shares next to nothing: the reports of an act score high with each other and
fairly with a statement about it, so the statement's group passes on the act's strong pairs
("U.S. sanctions NATO ally Turkey over S-400" with "Turkey condemns US sanctions, vows to
retaliate"; "Medvedev makes surprise visit to South Ossetia" with "МИД Грузии назвал поездку
Медведева провокацией"). Two groups stay apart when a pair across them scores under `MIN_PAIR`
and its headlines tell different actors or a statement against an act
(`bot.stories.similarity.told_apart`), in one language: two reports of one event in one language
share their event's names and action, so such a pair is seldom that weak. A weak pair telling
the same actor the same way is another angle on one event ("EU blacklists Indian refinery, Nord
Stream in new Russia measures" and "EU Agrees to Lower Russian Oil Price Cap in Latest
Sanctions"): the mean decides. Pairs across languages compare on the language-neutral terms only
and score lower as a rule; they are left out of the floor.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence

REPLY_THRESHOLD = 0.25  # the mean score two groups that reply to each other need to join

ACTS_ON_THRESHOLD = 0.35  # the mean two groups that act upon each other need to join

MIN_PAIR = 0.15  # the score a `floored` pair across two groups needs for them to join

STATEMENT_THRESHOLD = 0.3  # the mean a group of statements needs to join an act others did

Side = tuple[int, frozenset[int], int, frozenset[int], int]  # subject, polities, agent, targets,
# speaker


def _apart_both_ways(
    sides: Sequence[Side],
    a: Sequence[int],
    b: Sequence[int],
    polity: Callable[[Side], int],
    holds: Callable[[Sequence[int], set[int]], bool],
) -> bool:
    """Whether the groups' headlines have `polity`s, none shared between the groups, and
    `holds(group, the other group's polities)` for each group."""
    of_a = {p for i in a if (p := polity(sides[i]))}
    of_b = {p for i in b if (p := polity(sides[i]))}
    if not of_a or not of_b or of_a & of_b:
        return False
    return holds(a, of_b) and holds(b, of_a)


def act_on_each_other(sides: Sequence[Side], a: Sequence[int], b: Sequence[int]) -> bool:
    """Whether groups `a` and `b` (report numbers) act upon each other: their headlines' acting
    polities (`bot.stories.roles`) differ, and most headlines of each act upon a polity acting
    in the other ("Trump slaps extra 25% tariff on India…" / "India calls US tariff move
    'unfair'…"). Computed when asked (only for a mean between the two thresholds)."""
    return _apart_both_ways(
        sides, a, b, lambda side: side[2], lambda group, agents: _most_act_on(sides, group, agents)
    )


def _most_act_on(sides: Sequence[Side], group: Sequence[int], agents: set[int]) -> bool:
    """Whether more than half of the group's headlines act upon one of `agents`."""
    return 2 * sum(not agents.isdisjoint(sides[i][3]) for i in group) > len(group)


def replies(sides: Sequence[Side], a: Sequence[int], b: Sequence[int]) -> bool:
    """Whether groups `a` and `b` (report numbers) are an act and the other side's reply: their
    headlines' acting polities differ, and most headlines of each name an actor of the other.
    Computed when asked (rarely: only for a mean between the two thresholds)."""
    return _apart_both_ways(
        sides, a, b, lambda side: side[0], lambda group, actors: _most_name(sides, group, actors)
    )


def _most_name(sides: Sequence[Side], group: Sequence[int], actors: set[int]) -> bool:
    """Whether more than half of the group's headlines name one of `actors`."""
    return any(2 * sum(p in sides[i][1] for i in group) > len(group) for p in actors)


def statements_on_an_act(sides: Sequence[Side], a: Sequence[int], b: Sequence[int]) -> bool:
    """Whether one group is all statements (`bot.stories.speech`) and the other tells an act
    by others ("Rosneft calls new U.S. sanctions unlawful" and "«Роснефть» назвала незаконными
    санкции США" against "U.S. sanctions second Rosneft unit…" and "США ввели санкции против еще
    одной «дочки» «Роснефти»"): none of its headlines a statement, its acting polities known,
    and no speaker of the first among them or among the polities it names but does not act upon
    (co-actors: "Armenia and Azerbaijan agree text of peace treaty" and "Баку заявил о
    согласовании текста мирного соглашения"). Computed when asked (only for a mean between the
    thresholds)."""
    return _statements_on(sides, a, b) or _statements_on(sides, b, a)


def _statements_on(sides: Sequence[Side], said: Sequence[int], done: Sequence[int]) -> bool:
    speakers = {sides[i][4] for i in said}
    if 0 in speakers or any(sides[i][4] for i in done):
        return False
    actors = {agent for i in done if (agent := sides[i][2])}
    named = set().union(*(sides[i][1] - sides[i][3] for i in done))  # not acted upon
    return bool(actors) and speakers.isdisjoint(actors | named)


def average_linkage(
    n: int,
    score: Callable[[int, int], float],
    threshold: float,
    sides: Sequence[Side] | None = None,
    floored: Callable[[int, int], bool] | None = None,
) -> list[list[int]]:
    """Cluster reports 0..n-1 (earliest first): repeatedly join the two groups with the highest
    mean pair score at or above `threshold` (ties: the earliest groups), never across a
    vetoed pair (one scoring below 0); with each report's `sides`,
    two groups that reply to each other need `REPLY_THRESHOLD`, two that act upon each other
    `ACTS_ON_THRESHOLD`, statements on an act others did `STATEMENT_THRESHOLD`; two groups
    with a pair scoring under `MIN_PAIR` among the pairs `floored` holds for stay apart.
    Returns the groups, each sorted, in the order of their earliest report.

    Group sums and weakest floored pairs are kept per pair of groups and updated on each
    join (Lance–Williams for the average and the minimum). The candidate joins wait in a heap,
    best first: one that fails a rule fails until one of its groups changes (the rules read
    only the two groups), and then it is pushed anew with its new mean. A component of m
    reports costs m² scores and about m² log m work, not m³.
    """
    sums: dict[tuple[int, int], float] = {}
    weakest: dict[tuple[int, int], float] = {}  # groups with a floored pair: its lowest score
    vetoes: set[tuple[int, int]] = set()
    for a in range(n):
        for b in range(a + 1, n):
            value = score(a, b)
            if value < 0:
                vetoes.add((a, b))
                continue
            if value > 0:
                sums[a, b] = value
            if floored is not None and floored(a, b):
                weakest[a, b] = value
    groups: dict[int, list[int]] = {a: [a] for a in range(n)}
    changed = dict.fromkeys(range(n), 0)  # how often each group has grown: stale heap entries
    # groups of one: the mean is the pair's score
    heap = [(-total, a, b, 0, 0) for (a, b), total in sums.items() if total >= threshold]
    heapq.heapify(heap)
    while heap:
        negative, a, b, seen_a, seen_b = heapq.heappop(heap)
        if changed.get(a) != seen_a or changed.get(b) != seen_b:
            continue  # a group it joined has grown (or gone) since
        if not _may_join(-negative, groups[a], groups[b], weakest.get((a, b)), sides):
            continue
        groups[a].extend(groups.pop(b))  # b joins a (a < b: the earlier group keeps its number)
        changed[a] += 1
        del changed[b]
        for c in groups:
            if c == a:
                continue
            ac, bc = (min(a, c), max(a, c)), (min(b, c), max(b, c))
            if ac in vetoes or bc in vetoes:
                vetoes.add(ac)
                sums.pop(ac, None)
            elif total := sums.get(ac, 0.0) + sums.get(bc, 0.0):
                sums[ac] = total
                mean = total / (len(groups[a]) * len(groups[c]))
                if mean >= threshold:
                    heapq.heappush(heap, (-mean, *ac, changed[ac[0]], changed[ac[1]]))
            if bc in weakest:
                weakest[ac] = min(weakest.get(ac, 1.0), weakest.pop(bc))
            sums.pop(bc, None)
            vetoes.discard(bc)
        sums.pop((a, b), None)
        weakest.pop((a, b), None)
    return [sorted(group) for _, group in sorted(groups.items())]


def _may_join(
    mean: float,
    a: Sequence[int],
    b: Sequence[int],
    weakest: float | None,
    sides: Sequence[Side] | None,
) -> bool:
    """Whether two groups whose mean reaches the threshold may join: no floored pair across
    them under `MIN_PAIR`, and the stricter mean that replies, statements on an act and groups
    acting upon each other need."""
    if weakest is not None and weakest < MIN_PAIR:
        return False
    if sides is None:
        return True
    if mean < REPLY_THRESHOLD and replies(sides, a, b):
        return False
    if mean < STATEMENT_THRESHOLD and statements_on_an_act(sides, a, b):
        return False
    return not (mean < ACTS_ON_THRESHOLD and act_on_each_other(sides, a, b))
