"""Whether a headline tells what someone said, and who said it (pure).

A reaction to an event is told as a statement: a speaker, then a verb of speech or evaluation
("Georgia calls Russian pact with Abkhazia a step toward annexation", "Тбилиси осудил подписание
договора", "Kremlin says Armenia remains close ally"), or a speaker's label before a colon
("Песков: Армения — наш близкий союзник", "Mogherini: east Ukraine 'elections' illegal"). The
speaker is the polity (`lexicon().polities`) named before that verb, a possessive qualifier
giving way to the polity it qualifies ("Zelensky's team urges…": Ukraine). A headline whose first
verb is an act ("Russia and Abkhazia seal alliance treaty", "Pashinyan rules out hosting…") is no
statement, and its speaker is 0.

A headline may also name what its event follows from, after a connective ("Moscow Exchange
halts dollar trading after US penalties", "Swiss pipelayer halts Baltic work as US sanctions
bite", "… в ответ на санкции США"): `cause` is the first polity named after it, whose act the
headline's event answers or suffers.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.event_terms import ACTION, ENTITY, kind_of, lexicon, term, text_words

# Verbs of speech and evaluation, as wire headlines word them (surface forms, lower case).
_SPEECH_WORDS = """
    say says said calls called condemn condemns condemned slam slams slammed urge urges urged
    warn warns warned welcome welcomes welcomed respond responds responded retort retorts
    retorted reject rejects rejected criticise criticises criticised criticize criticizes
    criticized decry decries decried denounce denounces denounced accuse accuses deny denies
    denied praise praises praised hails hailed insist insists insisted scoff scoffs scoffed
    rebuff rebuffs rebuffed lash lashes lashed regret regrets regretted
    заявил заявила заявили заявляет заявляют назвал назвала назвали называет называют осудил
    осудила осудили осуждает осуждают призвал призвала призвали призывает призывают ответил
    ответила ответили отвечает раскритиковал раскритиковала раскритиковали критикует критикуют
    считает считают отверг отвергла отвергли отвергает приветствовал приветствовала
    приветствовали приветствует обвинил обвинила обвинили обвиняет обвиняют предупредил
    предупредила предупредили предупреждает выразил выразила выразили опроверг опровергла
    опровергли отреагировал отреагировала отреагировали прокомментировал прокомментировала
    прокомментировали высказался высказалась высказались возмутился возмутилась возмутились
    пригрозил пригрозила пригрозили уверен уверены
"""
_SPEECH = frozenset(_SPEECH_WORDS.split())
# Actions whose verb is a statement (the lexicon's keys): reacting to an act, not acting.
_SPEECH_ACTIONS = frozenset(
    term(ACTION, k)
    for k in ("condemn", "criticise", "reject", "welcome", "warn", "accuse", "urge", "deny")
)
# Words that open a clause naming what the headline's event follows from ("after US penalties").
_CAUSES = frozenset(
    [("after",), ("following",), ("после",), ("из", "за"), ("в", "ответ"), ("in", "response"),
     ("in", "retaliation")]
)  # fmt: skip
_NOT_CAUSES = frozenset({"such", "well", "same", "so"})  # "such as", "as well as"
_SUBJECT_REACH = 3  # words from the speaker's last name to the verb, at most
_QUALIFIES = 3  # words from a possessive polity to the polity it qualifies, at most


def speaker(title: str, words: Sequence[str], located: Sequence[tuple[int, int]]) -> int:
    """The polity whose statement the headline tells, or 0 when it tells an act (`words`:
    `text_words(title)`, `located`: `located_terms(words)`)."""
    lex = lexicon()
    polities = [(i, p) for i, t in located if (p := lex.polities.get(t)) is not None]
    if not polities:
        return 0
    if ":" in title:  # "Песков: …" — a label of names only, a person's or a body's among them
        label = len(text_words(title.split(":", 1)[0]))
        terms = [t for i, t in located if i < label]
        if (
            terms
            and all(kind_of(t) == ENTITY for t in terms)
            and any(t in lex.polities and t not in lex.countries for t in terms)
        ):
            return _head(words, [(i, p) for i, p in polities if i < label])
    actions = [i for i, t in located if kind_of(t) == ACTION and t not in _SPEECH_ACTIONS]
    verb = next(
        (i for i, w in enumerate(words) if w in _SPEECH and (i == 0 or words[i - 1] != "so")),
        None,
    )  # "so-called" calls no one
    if verb is None or (actions and actions[0] < verb):
        return 0
    before = [(i, p) for i, p in polities if i < verb]
    if not before or verb - before[-1][0] > _SUBJECT_REACH:  # "Russia isolated as … reject"
        return 0
    return _head(words, before)


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


def cause(words: Sequence[str], located: Sequence[tuple[int, int]]) -> int:
    """The first polity named after a connective that is not the headline's first word, and
    not before it ("… halts Baltic work as US sanctions bite": the U.S.), or 0."""
    lex = lexicon()
    for c in range(1, len(words)):
        two = tuple(words[c : c + 2])
        if ((words[c],) in _CAUSES and words[c - 1] not in _NOT_CAUSES) or two in _CAUSES:
            named = [(i, p) for i, t in located if (p := lex.polities.get(t)) is not None]
            before = {p for i, p in named if i < c}
            return next((p for i, p in named if i > c and p not in before), 0)
    return 0
