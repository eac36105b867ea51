"""How alike two reports are: term weights, vetoes, recency and the pair score (pure)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from math import fsum

from bot.event_terms import (
    ACTION,
    CITY,
    DATE,
    ENTITY,
    KIND_SHIFT,
    NEUTRAL_KINDS,
    NUMBER,
    ORDINAL,
    WORD,
    kind_of,
    lexicon,
)
from bot.stories.fingerprint import NEAR_DUPLICATE, Fingerprint, minhash_jaccard
from bot.stories.meetings import meeting_level, other_council, other_level
from bot.stories.offices import office_of, other_offices
from bot.stories.prior import Prior
from bot.stories.steps import (
    denial_and_claim,
    envoys_step,
    forecast_and_act,
    other_action,
    reaction_and_act,
    request_and_act,
    retaliation_and_act,
    two_reactions,
)

TITLE_BOOST = 2.0  # a headline term weighs this much more than a lead term
PRIOR_REPORTS = 20  # IDF smoothing: a corpus this size of reports sharing nothing
RECENCY_GRACE_HOURS = 12  # reports this close in time score in full
RECENCY_HALF_HOURS = 20  # …and at half weight this much later again (32 h apart)
COUNTRY_VETO = True
OTHER_ACTORS = 0.95
OTHER_ACTION = 0.92  # a pair's score when their headlines' main actions differ
OTHER_SUBJECT = 0.8  # …when their headlines' first actors act for different polities
THIRD_PARTY = 0.5  # …when one headline tells a statement by a party the other never names
CONSEQUENCE = 0.7  # …when one headline's event follows from an act of the other's actor
OTHER_DAY = 0.5  # …when the two reports name different days for their events (`eventday`)
STEP_HOURS = 18  # reports this far apart telling different acts…
OTHER_STEP = 0.6  # …count this much less again (`recency`)
ENVOYS_STEP = 0.5  # …or this much when one tells the EU's ambassadors acting and the other not
OTHER_LEVEL = 0.5  # …when one headline tells a bloc's ministers meeting, the other its leaders'
KIND_WEIGHTS = {  # how much sharing a term of each kind says, before its rarity
    WORD: 1.0, 1: 1.0, 2: 1.5, CITY: 2.0, ACTION: 1.5, NUMBER: 1.5, ORDINAL: 2.0, DATE: 1.5,
}  # fmt: skip

_KEY_KINDS = frozenset({ENTITY, CITY, ORDINAL, NUMBER, DATE})  # lead terms the index is keyed by


class Weights:
    """Term weights: kind weight × smoothed inverse document frequency over `reports`,
    starting from a `Prior` (this domain's news: see `bot.stories.prior`) when given one.

    Weights are memoised until the next `count` (an item is compared with many members that
    share most of their terms)."""

    __slots__ = ("_memo", "df", "reports", "version")

    def __init__(self, prior: Prior | None = None) -> None:
        self.df: Counter[int] = Counter(prior.df if prior else ())
        self.reports = prior.reports if prior else 0
        self.version = 0  # changes with every `count`: masses computed before are stale
        self._memo: dict[int, float] = {}

    def count(self, terms: Iterable[int]) -> None:
        """Count one more report holding `terms` (each once)."""
        self.df.update(terms)
        self.reports += 1
        self.version += 1
        self._memo.clear()

    def __call__(self, value: int) -> float:
        weight = self._memo.get(value)
        if weight is None:
            idf = math.log(1 + (self.reports + PRIOR_REPORTS) / (self.df.get(value, 0) + 1))
            weight = self._memo[value] = KIND_WEIGHTS[kind_of(value)] * idf
        return weight


_UNIFORM = Weights()


@dataclass(slots=True)
class _Terms:
    """A fingerprint's terms as sets, built once per report (not once per pair), with the
    weighted mass of its terms memoised for the weights it was last computed with."""

    title: frozenset[int]
    terms: frozenset[int]
    neutral: frozenset[int]
    script: int
    ordinals: frozenset[int]
    title_ordinals: frozenset[int]
    title_cities: frozenset[int]
    title_actors: frozenset[int]
    title_actions: frozenset[int]
    action: int
    subject: int  # the polity the headline's first actor acts for, or 0
    title_polities: frozenset[int]  # every polity the headline's actors act for
    body: int  # the body that acts (`Fingerprint.body`), or 0
    agent: int  # the polity that acts (`Fingerprint.agent`), or 0
    targets: frozenset[int]  # the polities acted upon (`Fingerprint.targets`)
    speaker: int  # who speaks in the headline: a polity or a company (`Fingerprint.speaker`), or 0
    cause: int  # the polity whose act the headline's event follows from (`Fingerprint.cause`)
    day: int  # the day its event happened (`Fingerprint.day`), or 0
    level: int  # the level of the bloc meeting the headline tells (`meeting_level`), or 0
    opener: int  # the name the headline opens with as its subject (`Fingerprint.opener`), or 0
    office: int  # the office of a government heading the headline (`offices.office_of`), or 0
    keys: frozenset[int]  # what the index finds it by: headline terms, lead names and numbers
    _weighed: tuple[int, int] = (-1, -1)  # (id, version) of the weights `_weights` hold
    _weights: dict[int, float] | None = None  # term → weight, boosted in the headline
    _masses: tuple[float, float] = (0.0, 0.0)  # of all terms, of the neutral ones

    def weighed(self, weight: Weights) -> tuple[dict[int, float], float, float]:
        """Each term's weight (headline terms boosted), the mass of all terms and the mass of
        the neutral ones; computed once per weights version."""
        if self._weights is None or self._weighed != (id(weight), weight.version):
            title = self.title
            boosted = {t: weight(t) * (TITLE_BOOST if t in title else 1.0) for t in self.terms}
            self._weights = boosted
            self._masses = (
                sum(self._weights.values()),
                sum(self._weights[t] for t in self.neutral),
            )
            self._weighed = (id(weight), weight.version)
        return self._weights, *self._masses

    @classmethod
    def of(cls, fp: Fingerprint) -> _Terms:
        title = frozenset(fp.title)
        by_kind: dict[int, list[int]] = defaultdict(list)
        for t in fp.terms:
            by_kind[t >> KIND_SHIFT].append(t)
        neutral = frozenset(t for kind in NEUTRAL_KINDS for t in by_kind.get(kind, ()))
        ordinals = frozenset(by_kind.get(ORDINAL, ()))
        return cls(
            title=title,
            terms=frozenset(fp.terms),
            neutral=neutral,
            script=fp.script,
            ordinals=ordinals,
            title_ordinals=ordinals & title,
            title_cities=frozenset(by_kind.get(CITY, ())) & title,
            title_actors=frozenset(by_kind.get(ENTITY, ())) & title,
            title_actions=frozenset(by_kind.get(ACTION, ())) & title,
            action=fp.action,
            subject=fp.subject,
            title_polities=frozenset(
                p for t in title if (p := lexicon().polities.get(t)) is not None
            ),
            body=fp.body,
            agent=fp.agent,
            targets=frozenset(fp.targets),
            speaker=fp.speaker,
            cause=fp.cause,
            day=fp.day,
            level=meeting_level(title),
            opener=fp.opener,
            office=office_of(title),
            keys=title.union(*(by_kind.get(kind, ()) for kind in _KEY_KINDS)),
        )


def other_actors(a: _Terms, b: _Terms) -> bool:
    """Whether the headlines' first actors act for different polities, neither a bloc the other
    is a member of (the CSTO and Russia: "Russia and allies agree…", "Страны ОДКБ
    договорились…"), and neither headline names the other's ("Biden sanctions …" and "EU
    sanctions …"; "Lavrov expels …" and "US sanctions …")."""
    members = lexicon().members
    return bool(
        a.subject and b.subject and a.subject != b.subject
        and a.subject not in b.title_polities and b.subject not in a.title_polities
        and (a.subject, b.subject) not in members and (b.subject, a.subject) not in members
    )  # fmt: skip


def other_bodies(a: _Terms, b: _Terms) -> bool:
    """Whether different bodies of one group act, neither headline naming the other's ("Совфед
    одобрил …" and "Госдума ратифицировала …": one parliament's two votes)."""
    groups = lexicon().bodies
    return bool(
        a.body and b.body and a.body != b.body and groups[a.body] == groups[b.body]
        and a.body not in b.title and b.body not in a.title
    )  # fmt: skip


def parallel_actors(a: _Terms, b: _Terms) -> bool:
    """Whether two polities do the same thing: the headlines' first actors act for different
    polities, neither headline naming the other's (`other_actors`), and the headlines' main
    actions do not differ ("EU sanctions six Russian officials over Navalny poisoning" and
    "Navalny poisoning: UK sanctions Russian security chief", the same day). Headlines telling
    different actions of different polities may be two sides of one event (two leaders'
    speeches at one summit): `OTHER_SUBJECT` weighs those."""
    return other_actors(a, b) and not (a.action and b.action and a.action != b.action)


def parallel_organisations(a: _Terms, b: _Terms) -> bool:
    """Whether two organisations that act for no polity do the same thing: the headlines open
    with different names acting at once ("Boeing suspends support for Russian carriers" and
    "Airbus stops supplying spare parts…", the same day), neither named in the other report,
    and their main actions do not differ: `parallel_actors` for companies, courts and agencies.
    In one script only: an unknown name is a word, which English and Russian do not share."""
    return bool(
        a.opener and b.opener and a.opener != b.opener and a.script == b.script
        and a.opener not in b.terms and b.opener not in a.terms
        and not (a.action and b.action and a.action != b.action)
    )  # fmt: skip


def third_party(a: _Terms, b: _Terms) -> bool:
    """Whether `a`'s headline tells a statement by a party that does not act in `b`'s: a
    reaction to the event `b` tells, not that event.

    - A party `b`'s headline never names ("Georgia calls Russian pact with Abkhazia a step toward
      annexation" and "Russia and Abkhazia seal alliance treaty in Sochi"; "Могерини назвала
      выборы в ДНР и ЛНР незаконными" and "В Донецке и Луганске прошли выборы"). A bloc
      speaking of its member's act, or a member of the bloc's, is no third party ("Назарбаев:
      базы третьих стран в ОДКБ — только с согласия всех союзников" and "ОДКБ закрылась от
      чужих баз"). Against a headline naming no polity, a statement is a third party's when the
      two headlines' main actions differ ("Berlin rejects U.S. pipeline sanctions…" and "Санкции
      против газопроводов вступили в силу").
    - A party `b`'s headline names but not as the one acting: the target's reply ("Rosneft calls
      German takeover illegal" and "Berlin takes over Rosneft Deutschland"; "Tbilisi slams
      Moscow's border deals with breakaway regions" and "Russia to guard rebel Georgian
      regions' borders under new pacts"), when `b` tells an act, not a statement of its own.
    """
    if not a.speaker or a.speaker in (b.agent, b.opener):
        return False
    members = lexicon().members
    if a.speaker in b.title_polities:  # the target's reply, not a party to the act's words
        return bool(not b.speaker and b.agent != a.speaker and a.speaker in b.targets)
    if not b.title_polities:  # who acts is not known: a statement saying another thing
        return bool(
            a.action and b.action and a.action != b.action
            and (a.action not in b.terms or b.action not in a.terms)
        )  # fmt: skip
    return (a.speaker, b.subject) not in members and (b.subject, a.speaker) not in members


def consequence(a: _Terms, b: _Terms) -> bool:
    """Whether `a`'s headline tells what followed from an act of `b`'s acting polity: it names
    that polity only after "after", "as", "после", "в ответ на"… ("Moscow Exchange halts dollar
    trading after US penalties" and "US blacklists Moscow Exchange"), and `b`'s does not follow
    from it too."""
    return bool(a.cause and a.cause in (b.agent, b.subject) and b.cause != a.cause)


def told_apart(a: _Terms, b: _Terms) -> bool:
    """Whether the headlines tell different acting polities ("U.S. sanctions Turkish defence
    agency…" and "Turkey condemns U.S. sanctions…"), or one a statement and the other not
    ("Russia cuts off gas to Poland, Bulgaria…" and "Песков: остановка поставок газа… не
    шантаж"): then a weak score between them says they tell two events, not two angles on one
    (`bot.stories.linkage.MIN_PAIR`). A company or body speaking, named in the other headline,
    is not told apart from it ("Rosatom says it will quit Finnish project" and "Rosatom quits
    Finnish project"): one actor with and without a verb of speech."""
    different_actors = bool(a.subject and b.subject and a.subject != b.subject)
    if bool(a.speaker) == bool(b.speaker):
        return different_actors
    said, other = (a.speaker, b) if a.speaker else (b.speaker, a)
    return different_actors or said in _polities() or said not in other.title


@cache
def _polities() -> frozenset[int]:
    return frozenset(lexicon().polities.values())


def vetoed(a: _Terms, b: _Terms) -> bool:
    """Whether two reports tell different events whatever else they share: different
    ordinals; headline venues that neither report mentions of the other's; headlines whose
    main actions are opposites; different bodies of one state acting (`other_bodies`) or two
    councils of one bloc meeting (`other_council`); two polities or two organisations doing
    the same thing (`parallel_actors`, `parallel_organisations`); a request and the act it
    asks for (`request_and_act`); a claim and its denial (`denial_and_claim`); a reaction and
    the act it reacts to, or two parties' reactions (`reaction_and_act`, `two_reactions`); a
    forecast of an act and the act (`forecast_and_act`); two offices of one government
    speaking (`offices.other_offices`)."""
    if a.title_ordinals and b.ordinals and not a.title_ordinals & b.ordinals:
        return True
    if b.title_ordinals and a.ordinals and not b.title_ordinals & a.ordinals:
        return True
    if (
        a.title_cities and b.title_cities
        and not a.title_cities & b.terms and not b.title_cities & a.terms
    ):  # fmt: skip
        return True
    lex = lexicon()
    if (a.action, b.action) in lex.opposites:
        return True
    for x in a.title_actions - b.terms:  # opposite actions, each absent from the other report
        for y in b.title_actions - a.terms:
            if (x, y) in lex.opposites:
                return True
    if other_bodies(a, b) or other_council(a.level, b.level):
        return True
    if parallel_actors(a, b) or parallel_organisations(a, b):
        return True
    if request_and_act(a, b) or request_and_act(b, a):
        return True
    if denial_and_claim(a, b) or denial_and_claim(b, a):
        return True
    if reaction_and_act(a, b) or reaction_and_act(b, a) or two_reactions(a, b):
        return True
    if forecast_and_act(a, b) or forecast_and_act(b, a):
        return True
    if retaliation_and_act(a, b) or retaliation_and_act(b, a):
        return True
    if other_offices(a.office, b.office):
        return True
    if COUNTRY_VETO:
        a_states, b_states = a.title_actors & lex.countries, b.title_actors & lex.countries
        if a_states and b_states and not a_states & b.terms and not b_states & a.terms:
            return True
    return False


def recency(gap: timedelta, a: _Terms | None = None, b: _Terms | None = None) -> float:
    """How much a score counts at this distance in time: reports of one event come within a
    day of each other; the same actors three days later are usually the next event. Given the
    two reports, headlines telling different acts more than `STEP_HOURS` apart count
    `OTHER_STEP` as much again: the next step of one process (the ambassadors' agreement,
    then the Council's adoption; the decision, then its entry into force)."""
    hours = abs(gap.total_seconds()) / 3600
    weight = 1.0 / (1.0 + max(0.0, hours - RECENCY_GRACE_HOURS) / RECENCY_HALF_HOURS)
    if a is not None and b is not None and hours > STEP_HOURS:
        if envoys_step(a, b):  # one `other_step`, the EU's two approvals
            weight *= ENVOYS_STEP
        elif other_action(a, b):  # the other: different acts
            weight *= OTHER_STEP
    return weight


def overlap(a: _Terms, b: _Terms, weight: Weights) -> float:
    """Weighted Ochiai coefficient of two reports' terms; headline terms weigh `TITLE_BOOST`
    times more. Across scripts only the language-neutral terms count."""
    same = a.script == b.script
    x, y = (a.terms, b.terms) if same else (a.neutral, b.neutral)
    common = x & y
    if not common:
        return 0.0
    a_weights, a_full, a_neutral = a.weighed(weight)
    b_weights, b_full, b_neutral = b.weighed(weight)
    shared = (
        fsum(map(a_weights.__getitem__, common)) + fsum(map(b_weights.__getitem__, common))
    ) / 2
    return shared / math.sqrt(a_full * b_full if same else a_neutral * b_neutral)


def _score(a: _Terms, b: _Terms, weight: Weights) -> float:
    """The `overlap` of two reports, times the factors of what their headlines tell."""
    score = overlap(a, b, weight)
    if not score:
        return 0.0
    if other_action(a, b):
        score *= OTHER_ACTION  # the headlines say different things happened
    if a.title_actors - b.terms and b.title_actors - a.terms:
        score *= OTHER_ACTORS  # each headline names someone the other report never mentions
    if other_actors(a, b):
        score *= OTHER_SUBJECT  # (the same action of two polities is vetoed)
    if third_party(a, b) or third_party(b, a):
        score *= THIRD_PARTY  # a reaction to the event, not the event
    if consequence(a, b) or consequence(b, a):
        score *= CONSEQUENCE  # what followed from the event, not the event
    if a.day and b.day and a.day != b.day:
        score *= OTHER_DAY  # "on Tuesday" and "on Wednesday": two events
    if other_level(a.level, b.level):
        score *= OTHER_LEVEL  # the ministers' meeting and the leaders' summit
    return score


def similarity(
    a: Fingerprint,
    b: Fingerprint,
    weight: Weights | None = None,
    *,
    gap: timedelta = timedelta(0),
) -> float:
    """How likely two reports published `gap` apart tell the same event, 0..1 (symmetric; 0
    when vetoed). Without `weight`, every term of a kind weighs the same."""
    ta, tb = _Terms.of(a), _Terms.of(b)
    near = minhash_jaccard(a, b)
    if near >= NEAR_DUPLICATE:
        return near
    if vetoed(ta, tb):
        return 0.0
    return max(_score(ta, tb, weight or _UNIFORM) * recency(gap, ta, tb), near)
