"""The level of a bloc meeting a headline tells (pure): a bloc's councils meet in one city the
same day or a day apart, and their reports share every name."""

from __future__ import annotations

from bot.event_terms import CONCEPT, ENTITY, term

LEADERS, MINISTERS, FOREIGN, DEFENCE, SECRETARIES = 1, 2, 3, 4, 5
_LEADERS_TERMS = frozenset(term(CONCEPT, k) for k in ("summit", "informal_summit", "leaders"))
_COUNCILS = (  # a bloc's councils below its leaders, the most specific first
    (FOREIGN, term(CONCEPT, "foreign_minister")),
    (DEFENCE, term(CONCEPT, "defence_minister")),
    (SECRETARIES, term(CONCEPT, "security_council_secretary")),
    (MINISTERS, term(CONCEPT, "minister")),
)
_BLOCS = frozenset(term(ENTITY, k) for k in ("csto", "cis", "eaeu", "sco", "brics", "g7", "nato"))


def meeting_level(title: frozenset[int]) -> int:
    """The level of the bloc meeting a headline tells: its council when it names a bloc and
    that council's members (`FOREIGN` ministers, `DEFENCE` ministers, security council
    `SECRETARIES`, or `MINISTERS` of no named portfolio: "Ministers clear papers for Friday's
    CSTO summit in Yerevan", the ministers' meeting the day before the summit), `LEADERS` when
    it names a summit or a bloc's leaders ("Putin and allies sign off on bloc strategy at
    Armenian summit"), else 0. A bloc's councils meet in one city the same day or a day apart,
    and their reports share every name."""
    if not title & _BLOCS and not title & _LEADERS_TERMS:
        return 0
    councils = [level for level, t in _COUNCILS if t in title]  # MINISTERS last, if at all
    if len(councils) > 1 and councils[1] != MINISTERS:
        return 0  # two councils named: a joint session, or both at once
    return councils[0] if councils else (LEADERS if title & _LEADERS_TERMS else 0)


def other_level(a: int, b: int) -> bool:
    """Whether two meeting levels tell two meetings: both read and different, except ministers
    of no named portfolio, who may be either council of ministers."""
    return bool(
        a and b and a != b and not ({a, b} <= {MINISTERS, FOREIGN, DEFENCE} and MINISTERS in (a, b))
    )


def other_council(a: int, b: int) -> bool:
    """Whether two headlines tell two named councils of a bloc (its foreign ministers', its
    defence ministers', its security council secretaries'): two meetings, whatever else the
    reports share (one city, one day)."""
    named = {FOREIGN, DEFENCE, SECRETARIES}
    return a in named and b in named and a != b
