"""Whether a headline tells what someone said, and who said it (pure).

A reaction to an event is told as a statement: a speaker, then a verb of speech or evaluation
("Georgia calls Russian pact with Abkhazia a step toward annexation", "Тбилиси осудил подписание
договора", "Kremlin says Armenia remains close ally", "Ukraine protests Medvedev's Crimea trip"),
a statement's own verb ("Грузия не признает выборы в Абхазии", "МИД Украины выразил протест"),
or a speaker's label before a colon: a person's, a body's, a capital's or an institution's with
its state ("Песков: Армения — наш близкий союзник", "Baku: 'election' in occupied Karabakh is
illegitimate", "МИД Азербайджана: выборы … не имеют юридической силы"); a label before another
polity's act done is its source, not a speaker ("Пушилин: КНДР признала независимость ДНР":
`roles.attributed`). The speaker is the
polity (`lexicon().polities`) named before that verb, a possessive qualifier giving way to the
polity it qualifies ("Zelensky's team urges…": Ukraine). With no polity before the verb, a
company or body of no state the lexicon names speaks for itself ("Rosneft calls German takeover
illegal": Rosneft), and so does a name it does not know ("Carlsberg says…": its `name:`
concept); an institution named alone ("Foreign Ministry: …", "Правительство: …") speaks for the
polity the report's lead names first. A
headline whose first verb is an act ("Russia and Abkhazia seal alliance treaty", "Pashinyan
rules out hosting…") is no statement, and neither is a court's ("ICJ: Russia must ensure…",
"European court says it can hear…": its words are its ruling); their speaker is 0.

A headline may also name what its event follows from, after a connective ("Moscow Exchange
halts dollar trading after US penalties", "… в ответ на санкции США"): `cause` is the first
polity named after it and not before it, whose act the headline's event answers or suffers.
"As" and "amid" are not read: they mostly mean "while" ("Russian diamonds hit as Brussels
agrees fresh round of penalties" tells the package itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from bot.event_terms import ACTION, CITY, CONCEPT, ENTITY, kind_of, lexicon, term
from bot.stories.roles import STATEMENT_ACTIONS, attributed, label_words, name_term

# Verbs of speech and evaluation, as wire headlines word them (surface forms, lower case).
_SPEECH_WORDS = """
    say says said calls called condemn condemns condemned slam slams slammed urge urges urged
    warn warns warned welcome welcomes welcomed respond responds responded retort retorts
    retorted reject rejects rejected criticise criticises criticised criticize criticizes
    criticized decry decries decried denounce denounces denounced accuse accuses deny denies
    denied praise praises praised hails hailed insist insists insisted scoff scoffs scoffed
    rebuff rebuffs rebuffed lash lashes lashed regret regrets regretted dubs dubbed reacts reacted
    deems deemed considers
    заявил заявила заявили заявляет заявляют назвал назвала назвали называет называют осудил
    осудила осудили осуждает осуждают призвал призвала призвали призывает призывают ответил
    ответила ответили отвечает раскритиковал раскритиковала раскритиковали критикует критикуют
    считает считают отверг отвергла отвергли отвергает приветствовал приветствовала
    приветствовали приветствует обвинил обвинила обвинили обвиняет обвиняют предупредил
    предупредила предупредили предупреждает выразил выразила выразили опроверг опровергла
    опровергли отреагировал отреагировала отреагировали прокомментировал прокомментировала
    прокомментировали высказался высказалась высказались возмутился возмутилась возмутились
    пригрозил пригрозила пригрозили уверен уверены
    disappointed protest protests protested concerned alarmed outraged defiant dismayed
    обеспокоен обеспокоена обеспокоены возмущен возмущена возмущены
    заявило назвало осудило призвало ответило раскритиковало отвергло приветствовало обвинило
    предупредило выразило опровергло отреагировало прокомментировало высказалось пригрозило
"""
_SPEECH = frozenset(_SPEECH_WORDS.split())
# Words that open a clause naming what the headline's event follows from ("after US penalties").
_CAUSE_WORDS = frozenset({"after", "following", "после"})
_CAUSE_PAIRS = frozenset({("из", "за"), ("в", "ответ"), ("in", "response"), ("in", "retaliation")})
_CAUSE_STARTS = frozenset(first for first, _ in _CAUSE_PAIRS)
# Institutions a speaker's label names with its state ("МИД Азербайджана: …").
_INSTITUTIONS = frozenset(
    term(CONCEPT, k)
    for k in (
        "foreign_ministry", "ministry", "government", "parliament", "president", "administration",
    )
)  # fmt: skip
# Courts speak by ruling: "ICJ: Russia must ensure…", "European court says it can hear…" tell
# the ruling itself, not a reaction to it.
_COURTS = frozenset(
    term(ENTITY, k)
    for k in (
        "european_court_of_justice", "icc", "icj", "echr", "constitutional_court", "supreme_court",
    )
) | {term(CONCEPT, "court")}  # fmt: skip
_NOT_SPOKEN = frozenset({"off", "of"})  # "calls off" cancels; "accused of" is the accused
_SUBJECT_REACH = 3  # words from the speaker's last name to the verb, at most
_QUALIFIES = 3  # words from a possessive polity to the polity it qualifies, at most


def speech_roles(
    title: str,
    words: Sequence[str],
    located: Sequence[tuple[int, int]],
    names: frozenset[str] = frozenset(),
    home: int = 0,
) -> tuple[int, int]:
    """The headline's `speaker` and `cause` (`words`: `text_words(title)`, `located`:
    `located_terms(words)`), reading its polities once."""
    polities = lexicon().polities
    named = [(i, p) for i, t in located if (p := polities.get(t)) is not None]
    said, end = _said_by(title, words, located, named, names, home)
    if said and any(t in _COURTS for i, t in located if i < end):
        said = 0  # a court's words are its ruling
    return said, _cause(words, named)


def speaker(title: str, words: Sequence[str], located: Sequence[tuple[int, int]]) -> int:
    """The polity whose statement the headline tells, or 0 when it tells an act."""
    return speech_roles(title, words, located)[0]


def cause(title: str, words: Sequence[str], located: Sequence[tuple[int, int]]) -> int:
    """The first polity named after a connective that is not the headline's first word, and
    not before it ("… halts dollar trading after US penalties": the U.S.), or 0."""
    return speech_roles(title, words, located)[1]


def _said_by(
    title: str,
    words: Sequence[str],
    located: Sequence[tuple[int, int]],
    polities: Sequence[tuple[int, int]],
    names: frozenset[str],
    home: int,
) -> tuple[int, int]:
    """The speaker, and the word its label or verb of speech is at (0, 0 for no statement).
    `home` is the polity the report's lead names first: the state of an institution the
    headline names alone ("Foreign Ministry: Russia's 'elections' in Crimea are null and void",
    "Правительство: так называемый референдум нелегитимен")."""
    lex = lexicon()
    label = label_words(title)
    if label and not attributed(words, located, label):  # "Песков: …" — a label of names only, a
        terms = [t for i, t in located if i < label]  # person's or a body's among them
        speaks = any(  # a person, a body, a capital, an institution: not a country alone
            (t in lex.polities and t not in lex.countries) or kind_of(t) != ENTITY for t in terms
        )
        if terms and speaks and all(_labels(t) for t in terms):
            return _head(words, [(i, p) for i, p in polities if i < label]) or home, label
    verb = next((i for i, w in enumerate(words) if w in _SPEECH and _speaks(words, i)), None)
    stated = next(((i, t) for i, t in located if kind_of(t) == ACTION), None)
    if (
        stated is not None
        and stated[1] in STATEMENT_ACTIONS
        and _speaks(words, stated[0])
        and (verb is None or stated[0] < verb)
    ):
        verb = stated[0]  # a statement's own verb ("Грузия не признает выборы в Абхазии")
    if verb is None or verb == len(words) - 1:  # "…, Macron says": the act, attributed
        return 0, 0
    if any(i <= verb and kind_of(t) == ACTION and t not in STATEMENT_ACTIONS for i, t in located):
        return 0, 0  # the headline's first verb is an act ("Kyrgyzstan Calls Off CSTO Drills")
    before = [(i, p) for i, p in polities if i < verb]
    named = [(i, t) for i, t in located if i < verb and kind_of(t) == ENTITY]
    if not before and named and verb - named[-1][0] <= _SUBJECT_REACH:
        return named[-1][1], verb  # a company or a body of no state ("Rosatom says … groundless")
    if not before and not named and any(i < verb and t in _INSTITUTIONS for i, t in located):
        return home, verb  # "Foreign Ministry says …": the lead names its state
    if not before and not named and verb <= _SUBJECT_REACH:  # "Carlsberg says …": a name only
        name = next((w for w in words[:verb] if w in names), None)
        if name is not None:
            return name_term(name), verb
    if not before or verb - before[-1][0] > _SUBJECT_REACH:  # "Russia isolated as … reject"
        return 0, 0
    return _head(words, before), verb


def _labels(value: int) -> bool:
    """Whether a term may stand in a speaker's label: a name, a capital, an institution."""
    kind = kind_of(value)
    return kind == ENTITY or (kind == CITY and value in _capitals()) or value in _INSTITUTIONS


@cache
def _capitals() -> frozenset[int]:
    return frozenset(term(CITY, city) for city in lexicon().capitals)


def _speaks(words: Sequence[str], i: int) -> bool:
    """Whether the speech verb at word `i` speaks: "so-called" calls no one, "calls off"
    cancels, a Russian "accused of smuggling" is accused, not accusing."""
    following = words[i + 1] if i + 1 < len(words) else ""
    return (i == 0 or words[i - 1] != "so") and following not in _NOT_SPOKEN


def _head(words: Sequence[str], found: Sequence[tuple[int, int]]) -> int:
    """The first polity in `found` that qualifies no later one ("Moldova's Transnistria")."""
    for k, (i, p) in enumerate(found):
        qualifies = (
            k + 1 < len(found)
            and i + 1 < len(words)
            and words[i + 1] == "s"
            and found[k + 1][0] - i <= _QUALIFIES
        )
        if not qualifies:
            return p
    return 0


def _cause(words: Sequence[str], polities: Sequence[tuple[int, int]]) -> int:
    for c in range(1, len(words)):
        w = words[c]
        if w in _CAUSE_WORDS or (
            w in _CAUSE_STARTS and c + 1 < len(words) and (w, words[c + 1]) in _CAUSE_PAIRS
        ):
            before = {p for i, p in polities if i < c}
            return next((p for i, p in polities if i > c and p not in before), 0)
    return 0
