"""Average-linkage clustering of a few dozen reports (pure).

Two groups of reports join when the mean score over every pair across them reaches the
threshold and no pair across them is vetoed. Unlike joining through the single closest report,
a report of the reaction to an event, close to the one report of the event that quotes it, does
not pull the two events together; and unlike deciding one report at a time, the result does not
depend on the order the reports arrived in.
"""

from __future__ import annotations

from collections.abc import Callable


def average_linkage(
    n: int,
    score: Callable[[int, int], float],
    blocked: Callable[[int, int], bool],
    threshold: float,
) -> list[list[int]]:
    """Cluster reports 0..n-1 (earliest first): repeatedly join the two groups with the highest
    mean pair score at or above `threshold` (ties: the earliest groups), never across a
    `blocked` pair. Returns the groups, each sorted, in the order of their earliest report.

    Group sums are kept per pair of groups and updated on each join (Lance–Williams for the
    average), so a component of m reports costs m² scores and about m² work per join.
    """
    sums: dict[tuple[int, int], float] = {}
    vetoes: set[tuple[int, int]] = set()
    for a in range(n):
        for b in range(a + 1, n):
            if blocked(a, b):
                vetoes.add((a, b))
            elif (value := score(a, b)) > 0:
                sums[a, b] = value
    groups: dict[int, list[int]] = {a: [a] for a in range(n)}
    while True:
        best: tuple[float, int, int] | None = None
        for (a, b), total in sums.items():
            mean = total / (len(groups[a]) * len(groups[b]))
            if mean >= threshold and (
                best is None or (mean, -a, -b) > (best[0], -best[1], -best[2])
            ):
                best = (mean, a, b)
        if best is None:
            break
        _, a, b = best  # b joins a (a < b: the group of the earlier report keeps its number)
        groups[a].extend(groups.pop(b))
        for c in groups:
            if c == a:
                continue
            ac, bc = (min(a, c), max(a, c)), (min(b, c), max(b, c))
            if ac in vetoes or bc in vetoes:
                vetoes.add(ac)
                sums.pop(ac, None)
            elif total := sums.get(ac, 0.0) + sums.get(bc, 0.0):
                sums[ac] = total
            sums.pop(bc, None)
            vetoes.discard(bc)
        sums.pop((a, b), None)
    return [sorted(group) for _, group in sorted(groups.items())]


def _rank(best: tuple[float, int, int]) -> tuple[float, int, int]:
    mean, a, b = best
    return mean, -a, -b
