"""One event after another (pure): a request and the act it asks for, a claim and its
denial or explanation, a reaction and the act it reacts to, two parties' reactions, a
retaliation and the act it answers, a forecast and the act foretold, the next step of one
process. `bot.stories.similarity` vetoes the pairs of all but the last and counts the last less.
"""

from __future__ import annotations

from typing import Protocol

from bot.event_terms import ACTION, CONCEPT, ENTITY, term


class Report(Protocol):
    """What these readings need of a report (`bot.stories.similarity._Terms` holds it)."""

    @property
    def action(self) -> int: ...  # the headline's main action, or 0
    @property
    def title(self) -> frozenset[int]: ...  # the headline's terms
    @property
    def title_actions(self) -> frozenset[int]: ...  # the headline's actions
    @property
    def terms(self) -> frozenset[int]: ...  # every term of the report
    @property
    def speaker(self) -> int: ...  # who speaks in the headline (`Fingerprint.speaker`), or 0
    @property
    def subject(self) -> int: ...  # the polity the headline's first actor acts for, or 0
    @property
    def title_polities(self) -> frozenset[int]: ...  # every polity the headline's actors act for


_AMBASSADOR = term(CONCEPT, "ambassador")
_EU = term(ENTITY, "eu")

REQUESTS = frozenset(term(ACTION, k) for k in ("appeal", "urge", "demand"))
DENIALS = frozenset(term(ACTION, k) for k in ("deny", "clarify", "explain"))
_EXPLAIN = term(ACTION, "explain")
REACTIONS = frozenset({term(ACTION, "react")})
_COUNTERMEASURES = term(CONCEPT, "countermeasures")
_FORECAST = term(CONCEPT, "forecast")  # `bot.stories.roles.FORECAST`: a modal before the verb


def request_and_act(a: Report, b: Report) -> bool:
    """Whether `a`'s headline asks for what `b`'s headline does: `a`'s main action is a
    request ("Russian upper house urges Kremlin to recognise…"), `b`'s is not and its headline
    never names `a`'s request, and `b`'s headline holds an action `a` asks for ("Medvedev
    recognizes…"): the appeal and the act it asks for are two steps of one process."""
    return _about_the_act(a, b, REQUESTS)


def denial_and_claim(a: Report, b: Report) -> bool:
    """Whether `a`'s headline denies or explains what `b`'s headline tells: `a`'s main action
    is a denial ("Мирзоян опроверг информацию о выходе страны из ОДКБ", "МИД Армении пришлось
    разъяснить слова Пашиняна о выходе из ОДКБ"), `b`'s is not and its headline never names
    it, and `b`'s headline holds the act denied ("Armenian PM says his country will withdraw
    from Russian-led military alliance"): the claim and its denial are two events. An
    explanation against a statement by the same side is that side's account told twice."""
    if a.action == _EXPLAIN and b.speaker and b.speaker == a.speaker:
        return False  # one side's reasons told twice ("Песков назвал причину…", "уверены…")
    return _about_the_act(a, b, DENIALS)


def reaction_and_act(a: Report, b: Report) -> bool:
    """Whether `a`'s headline tells a polity's reaction to what another polity does in `b`'s:
    `a`'s main action is a reaction ("Лукашенко спокойно отреагировал на отказ Пашиняна от
    приезда на саммит", "Commenting on Pashinyan's refusal…, Peskov said…"), `b`'s headline
    is neither a reaction nor a statement ("Kremlin considers Armenia's ratification … an
    incorrect decision" is one more report of a reaction), the two headlines' first actors act
    for different polities, and `a` names `b`'s (or holds its act): a statement on an act is an
    event of its own. Reacting by an act of one's own ("Russia reacts to sanctions by
    expelling diplomats") has one polity on both sides and is not vetoed."""
    if a.action not in REACTIONS or b.action in REACTIONS or b.speaker:
        return False
    if not a.subject or not b.subject or a.subject == b.subject:
        return False
    return b.subject in a.title_polities or bool((a.title_actions - REACTIONS) & b.title_actions)


def two_reactions(a: Report, b: Report) -> bool:
    """Whether both headlines tell reactions, by actors acting for different polities ("В
    Кремле выразили отношение к отказу Пашиняна…" and "Лукашенко спокойно отреагировал на
    отказ Пашиняна…", the same morning): two parties' statements are two events, even when one
    names the other's capital as the venue of what they react to."""
    return bool(
        a.action in REACTIONS and b.action in REACTIONS
        and a.subject and b.subject and a.subject != b.subject
    )  # fmt: skip


def retaliation_and_act(a: Report, b: Report) -> bool:
    """Whether `a`'s headline tells the retaliation of a polity that `b`'s headline acts upon:
    countermeasures in `a`'s headline and not in `b`'s, and `a`'s first actor a polity `b`
    names but does not act for ("Белоруссия ввела ответные санкции против Евросоюза" and
    "EU leaders agree to impose sanctions on officials in Belarus", the same day): the answer
    is an event of its own."""
    return bool(
        _COUNTERMEASURES in a.title and _COUNTERMEASURES not in b.title
        and a.subject and b.subject and a.subject != b.subject
        and a.subject in b.title_polities
    )  # fmt: skip


def forecast_and_act(a: Report, b: Report) -> bool:
    """Whether `a`'s headline foretells the act `b`'s headline tells: a modal stands before
    `a`'s main verb ("New EU sanctions on Russia could be agreed Thursday or Friday, Borrell
    says"), not before `b`'s, and `b`'s headline holds `a`'s main action ("European Union
    countries agreed on Thursday on a Russian coal embargo…"): what may happen and what
    happened are two events, as an announcement and the act are. A forecast telling no act
    ("EU Sanctions on Russian Aluminium Could Shake Global Market", the day the Commission
    proposes the ban) is an outlook on the news, apart from any act."""
    return bool(
        _FORECAST in a.title and _FORECAST not in b.title and b.action
        and (not a.action or a.action in b.title_actions)
    )  # fmt: skip


def _about_the_act(a: Report, b: Report, verbs: frozenset[int]) -> bool:
    """Whether `a`'s main action is one of `verbs`, said of an act `b`'s headline tells
    (`b`'s main action not one of them, `b`'s headline not naming `a`'s)."""
    if a.action not in verbs or not b.action or b.action in verbs:
        return False
    if a.action in b.title:
        return False
    return bool((a.title_actions - verbs) & b.title_actions)


def other_action(a: Report, b: Report) -> bool:
    """Whether the headlines' main actions differ, neither report telling the other's."""
    return bool(a.action and b.action and (a.action not in b.terms or b.action not in a.terms))


def other_step(a: Report, b: Report) -> bool:
    """Whether two reports tell different steps of one process: their headlines' main actions
    differ (`other_action`), or one tells the EU's ambassadors acting and the other does not
    (the envoys agree a package; the Council adopts it the next day, both "approve" it). An
    ambassador named in other news is no step ("КНДР признала ДНР и ЛНР" and an embassy)."""
    return other_action(a, b) or envoys_step(a, b)


def envoys_step(a: Report, b: Report) -> bool:
    """Whether one report tells the EU's ambassadors acting and the other does not."""
    return _eu_envoys(a) != _eu_envoys(b)


def _eu_envoys(report: Report) -> bool:
    return _AMBASSADOR in report.terms and _EU in report.terms
