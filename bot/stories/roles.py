"""Who acts upon whom in a headline: the polity that acts and the polities acted upon.

A shallow reading of wire headlines, in English and Russian, from the event terms' places in
the headline (`located_terms`). The headline's first action — or its colon after a speaker,
"МИД РФ: …", "Пашинян: …" — divides who acts from what is acted upon. The acting polity is the
first one before it, the polities acted upon the other ones after it:

* "Trump slaps extra 25% tariff on India …" — the U.S. upon India;
* "Moscow dismisses U.S. Crimea declaration …" — Russia upon the U.S.;
* "Съезд депутатов Приднестровья обратился к Федеральному собранию РФ" — Transnistria upon Russia;
* "Pompeo Declares U.S. Will Never Recognize Russia's Annexation Of Crimea" — the U.S. upon
  Russia and Crimea.

A passive agent ("… sanctioned by the EU", "target of Trump's …", "со стороны США") acts, and the
headline's other polities are acted upon. A place ("in Ukraine", "в Крыму", "off Crimea") acts upon
no one and is acted upon by no one, unless it is all the headline names before the action
("Separatist lawmakers in Transnistria seek Moscow's help"). A polity qualifying the next one
("Moldova's breakaway Transnistria") gives way to it. A label before a colon naming only
countries or places ("Ukraine war: …", "Belarus: …") is the topic, not the speaker, and a label
before another polity's act done is its source (`attributed`: "Пушилин: КНДР признала
независимость ДНР" — North Korea acts upon the DPR).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.event_names import skeleton_of
from bot.event_terms import (
    ACTION,
    CONCEPT,
    ENTITY,
    WORD,
    kind_of,
    lexicon,
    located_terms,
    stem,
    term,
    text_words,
)

_PLACE = frozenset({"in", "at", "off", "near", "inside", "across", "в", "во", "на", "под"})
_AGENT = frozenset({("by",), ("target", "of"), ("targets", "of"), ("со", "стороны")})
_AGENT_ENDS = frozenset(m[-1] for m in _AGENT)
_ARTICLES = frozenset({"the", "a", "an"})
_QUALIFIES = 3  # words from a possessive polity to the polity it qualifies, at most
_SUBJECT_REACH = 3  # words from an attributed clause's polity to its verb, at most
_PAST_RU = ("л", "ла", "ло", "ли", "лся", "лась", "лось", "лись")
_PAST_EN_WORDS = "won began cut quit set sent left led met broke froze shut struck"
_PAST_EN = frozenset(_PAST_EN_WORDS.split())
# Words before a verb that make its act one to come, not one done ("Belarus to lose…").
_TO_COME_WORDS = """
    to will would must should may might could can должна должен должно должны будет будут может
    могут
"""
_TO_COME = frozenset(_TO_COME_WORDS.split())
# A modal before a headline's main verb makes it a forecast of the act ("New EU sanctions on
# Russia could be agreed Thursday", "ЕС могут утвердить пакет", "EU expected to adopt…", "скорее
# всего, будет отозван"), with `_FORECAST_GAP` words between; not after a negation ("Serbia
# cannot recognise…" is a refusal). Plans and intentions are not read ("E.U. plans to freeze
# assets…" was reported as the freeze), nor "set to" and "to" alone: headlinese for the act.
_MODALS = frozenset(
    "could might may likely unlikely expected seem seems может могут могли".split()  # noqa: SIM905
)
# Future modals foretell whether negated or not ("Министры ЕС не смогут согласовать 20-й пакет").
_FUTURE_MODALS = frozenset(["сможет", "смогут"])
_FORECAST_GAP = frozenset(
    ["be", "to", "able", "soon", "still", "also", "yet", "уже", "будет", "будут", "ожидаемо"]
)
_PROBABLY = ("скорее", "всего")  # "скорее всего, будет отозван"
_NEGATIONS = frozenset(["not", "never", "cannot", "не"])
FORECAST = term(CONCEPT, "forecast")

Roles = tuple[int, frozenset[int]]  # the acting polity (0: none read), the polities acted upon
# Actions whose verb is a statement (the lexicon's keys): reacting to an act, not acting.
_STATEMENTS = (
    "condemn criticise reject welcome warn accuse urge deny label protest_note non_recognition"
    " react clarify explain"
)
STATEMENT_ACTIONS = frozenset(term(ACTION, k) for k in _STATEMENTS.split())


def roles(title: str, names: frozenset[str] = frozenset()) -> Roles:
    """The headline's acting polity and the polities it acts upon (`lexicon().polities`)."""
    words = text_words(title)
    return read_roles(title, words, list(located_terms(words, names)))


def label_words(title: str) -> int:
    """How many words the label before a headline's colon has ("Пушилин: …"), or 0."""
    return len(text_words(title.split(":", 1)[0])) if ":" in title else 0


def attributed(words: Sequence[str], located: Sequence[tuple[int, int]], label: int) -> bool:
    """Whether the clause after a label tells an act of its own, the label its source: a polity
    opens the clause as its subject and its verb, an act done and not a statement, follows at
    once ("Пушилин: КНДР признала независимость ДНР" is North Korea's recognition, as "…,
    Macron says" is the act). Not a polity qualifying a noun ("Foreign Ministry: Russia's
    'elections' in Crimea are null and void") nor an act to come ("Mandelson: Belarus to lose
    EU tariff perks")."""
    after = [(i, t) for i, t in located if i >= label]
    if not label or len(after) < 2:
        return False
    (i, actor), (j, verb) = after[0], after[1]
    return bool(
        actor in lexicon().polities and not _possessive(words, i)
        and kind_of(verb) == ACTION and verb not in STATEMENT_ACTIONS
        and j - i <= _SUBJECT_REACH and words[j - 1] not in _TO_COME and _done(words[j])
    )  # fmt: skip


def _done(verb: str) -> bool:
    """Whether a verb tells an act done, in the past tense ("признала", "recognised"): in the
    present a label's clause is the speaker's claim ("Пашинян: ОДКБ угрожает безопасности
    Армении")."""
    return verb.endswith(_PAST_RU) or verb.endswith("ed") or verb in _PAST_EN


def clause(
    title: str, words: Sequence[str], located: Sequence[tuple[int, int]]
) -> Sequence[tuple[int, int]]:
    """The headline's terms that tell its act: after the label when the act is `attributed`,
    after an opening clause naming what is reacted to ("Commenting on Pashinyan's declining
    …, Dmitry Peskov … said": Peskov acts)."""
    label = label_words(title)
    if attributed(words, located, label):
        return [(i, t) for i, t in located if i >= label]
    topic = _topic_words(title, words)
    if topic:
        return [(i, t) for i, t in located if i >= topic]
    return located


_TOPIC_OPENERS = (("commenting", "on"), ("reacting", "to"), ("комментируя",), ("отвечая", "на"))


def forecast(words: Sequence[str], located: Sequence[tuple[int, int]], action: int) -> bool:
    """Whether the headline's main action is foretold, not told: a modal stands just before its
    verb ("New EU sanctions on Russia could be agreed Thursday or Friday, Borrell says"). A
    forecast and the act it foretells are two events, as an announcement and the act are; a
    modal before another verb of the headline ("…, окончательно утвердить их могут в пятницу"
    after "согласовали") leaves the act told. A headline telling no act at all is an outlook
    when a modal stands anywhere in it ("EU Sanctions on Russian Aluminium Could Shake Global
    Market"); the caller leaves out a speaker's words ("Putin says … could set precedent")."""
    if not action:  # no act told: a modal before any verb foretells ("…could shake markets")
        return any(_modal_at(words, k) for k in range(len(words)))
    j = next((i for i, t in located if t == action), -1)
    k = j - 1
    while k > 0 and words[k] in _FORECAST_GAP:
        k -= 1
    if k < 0:
        return False
    return tuple(words[k - 1 : k + 1]) == _PROBABLY or _modal_at(words, k)


def _modal_at(words: Sequence[str], k: int) -> bool:
    """Whether word `k` foretells: a future modal, negated or not ("не смогут"), or another
    modal not after a negation ("cannot recognise" refuses)."""
    return words[k] in _FUTURE_MODALS or (
        words[k] in _MODALS and (k == 0 or words[k - 1] not in _NEGATIONS)
    )


def _topic_words(title: str, words: Sequence[str]) -> int:
    """How many words an opening "Commenting on …," clause has, or 0."""
    if "," not in title or not any(tuple(words[: len(o)]) == o for o in _TOPIC_OPENERS):
        return 0
    return len(text_words(title.split(",", 1)[0]))


def read_roles(title: str, words: Sequence[str], located: Sequence[tuple[int, int]]) -> Roles:
    """`roles` from the headline's words and its terms with their word numbers."""
    lex = lexicon()
    topic = _topic_words(title, words)  # "Commenting on Pashinyan's …, Peskov said": Russia
    reacting = [p for i, t in located if i >= topic and (p := lex.polities.get(t)) is not None]
    if topic and reacting:  # …acts upon what its opening clause names
        upon = {p for _, t in located if (p := lex.polities.get(t)) is not None}
        return reacting[0], frozenset(upon - {reacting[0]})
    label = label_words(title)
    speaker = (
        label > 0
        and any(i < label and t in lex.polities and t not in lex.countries for i, t in located)
        and not attributed(words, located, label)
    )
    if label and not speaker:  # a topic: "Ukraine war: Putin annexes …"
        located = [(i, t) for i, t in located if i >= label]
    found: list[tuple[int, int]] = []  # (word number, polity), one per word
    for i, t in located:
        p = lex.polities.get(t)
        if p is not None and (not found or found[-1][0] != i):
            found.append((i, p))
    if not found:
        return 0, frozenset()
    verb = next((i for i, t in located if kind_of(t) == ACTION), found[0][0] + 1)
    if speaker:  # "МИД РФ: …" acts by speaking
        verb = min(verb, label)
    verb = max(verb, found[0][0] + 1)
    qualifiers = {
        k for k in range(len(found) - 1)
        if _possessive(words, found[k][0]) and found[k + 1][0] - found[k][0] <= _QUALIFIES
    }  # fmt: skip
    places, heads = set(), []
    for k, (i, p) in enumerate(found):
        start = k
        while start > 0 and start - 1 in qualifiers:
            start -= 1
        if set(_preceding(words, found[start][0], 1)) & _PLACE:
            places.add(i)
        if k not in qualifiers:
            heads.append((i, p))
    agents = [p for i, p in heads if _after_agent_marker(words, i)]
    if agents:
        upon = {p for i, p in heads if p != agents[0] and i not in places}
        return agents[0], frozenset(upon)
    before = [(i, p) for i, p in heads if i < verb]
    acting = [p for i, p in before if i not in places] or [p for _, p in before]
    acting = acting or [p for i, p in heads if i >= verb and i not in places][:1]
    subject = acting[0] if acting else 0
    upon = {p for i, p in heads if i >= verb and p != subject and i not in places}
    return subject, frozenset(upon)


def _possessive(words: Sequence[str], i: int) -> bool:
    return i + 1 < len(words) and words[i + 1] == "s"


def _preceding(words: Sequence[str], i: int, n: int) -> tuple[str, ...]:
    """The `n` words before word `i`, articles skipped ("by the EU", "in the Donbas")."""
    before = [w for w in words[max(0, i - n - 2) : i] if w not in _ARTICLES]
    return tuple(before[-n:])


def _after_agent_marker(words: Sequence[str], i: int) -> bool:
    if i == 0 or (words[i - 1] not in _AGENT_ENDS and words[i - 1] not in _ARTICLES):
        return False
    before = _preceding(words, i, 2)
    return before in _AGENT or before[-1:] in _AGENT


def opening_actor(
    words: Sequence[str], located: Sequence[tuple[int, int]], names: frozenset[str]
) -> int:
    """The name a headline opens with when its verb follows at once and it acts for no polity
    ("Boeing suspends support for Russian carriers", "IKEA приостановила деятельность в
    России", "Gazprom halts…"): a company, a court or an agency as the subject. A name the
    lexicon does not hold is given as its `name:` concept (`event_names.skeleton_of`; a name too
    short for one, by its stem), whether the headline marks it as a name or not, so two reports
    opening with one company agree. 0 otherwise: a polity opening the headline is read by
    `read_roles`, and the common nouns of this news ("Separatists declare…", "Lawmakers
    approve…") are lexicon concepts, not names."""
    if len(located) < 2:
        return 0
    (i, first), (j, verb) = located[0], located[1]
    if j == 1 and words[1].endswith("ly") and len(located) > 2 and located[2][0] == 2:
        verb = located[2][1]  # an adverb before the verb: "PACE unanimously backs …"
    if i != 0 or j != 1 or kind_of(verb) != ACTION or first in lexicon().polities:
        return 0
    kind = kind_of(first)
    if kind == ENTITY:
        return first
    if kind == WORD or (kind == CONCEPT and words[0] in names):
        return name_term(words[0])
    return 0


def name_term(word: str) -> int:
    """A name the lexicon does not hold, as its `name:` concept: its skeleton
    (`event_names.skeleton_of`), or its stem when too short for one ("Nokia")."""
    stemmed = stem(word)
    return term(CONCEPT, f"name:{skeleton_of(word, stemmed) or stemmed}")
