"""Which office of a government speaks in a headline (pure).

One government speaks through several offices, and each speaks on its own: the Kremlin's
spokesman and the foreign ministry's comment on one act the same day are two statements, so two
events ("Kremlin expects Armenia to continue to work in CSTO" and "Zakharova: Armenia's decision
not to take part in CSTO events does not serve its interests"). Both read as the same polity
speaking (`bot.stories.speech`), so only the office tells them apart. Across every labelled
set, no two reports of one event named different offices of one government as their speaker.

An office counts only as the headline's subject: named within its first words and before its
first action ("В Кремле отреагировали…", "Maria Zakharova: …", "U.S. State Department says…"),
not as what is acted upon ("Obama hits Kremlin insiders…", "Sassoli defiant after Kremlin entry
ban").
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.event_terms import ACTION, CONCEPT, ENTITY, kind_of, lexicon, term

_OPENING = 3  # an office phrase must start within this many words of the headline's start
_IN = frozenset({"in", "at", "в", "во"})  # "В Кремле заявили…": the office, not a place
# "Kremlin-backed candidate wins…": a qualifier, not the office speaking
_QUALIFYING = frozenset({"backed", "linked", "friendly", "controlled", "loyal", "funded"})

# government → office → its names, as word sequences of `text_words` (lower case, "'s" a word)
_NAMES: dict[str, dict[str, tuple[tuple[str, ...], ...]]] = {
    "russia": {
        "kremlin": (
            ("kremlin",),
            ("кремль",),
            ("кремле",),
            ("кремля",),
            ("кремлем",),
            ("кремлём",),
            ("peskov",),
            ("песков",),
            ("пескова",),
            ("ushakov",),
            ("ушаков",),
        ),
        "foreign_ministry": (
            ("zakharova",),
            ("захарова",),
            ("lavrov",),
            ("лавров",),
            ("мид", "россии"),
            ("мид", "рф"),
            ("russian", "foreign", "ministry"),
            ("russia", "s", "foreign"),
            ("russia", "foreign", "ministry"),
        ),
    },
    "usa": {
        "white_house": (("white", "house"), ("белый", "дом"), ("белом", "доме")),
        "state_department": (
            ("state", "department"),
            ("госдеп",),
            ("госдепартамент",),
            ("госдепе",),
            ("госдепартаменте",),
            ("госдепа",),
        ),
    },
}
Name = tuple[tuple[str, ...], int, int]  # words, the office's term, its state's term


def _by_first_word() -> dict[str, list[Name]]:
    found: dict[str, list[Name]] = {}
    for government, offices in _NAMES.items():
        for office, names in offices.items():
            value = term(CONCEPT, f"office:{government}:{office}")
            for name in names:
                found.setdefault(name[0], []).append((name, value, term(ENTITY, government)))
    return found


_OFFICES = _by_first_word()
GOVERNMENT = {
    term(CONCEPT, f"office:{government}:{office}"): government
    for government, offices in _NAMES.items()
    for office in offices
}


def speaking_office(
    words: Sequence[str], located: Sequence[tuple[int, int]], label: int = 0
) -> int:
    """The office term of the headline's subject (`GOVERNMENT` names its government), or 0:
    an office named in the label before a colon, or within the first `_OPENING` words, before
    the headline's first action and after no one but its own state ("U.S. State Department
    says…"; not "Obama hits Kremlin insiders…")."""
    if not any(w in _OFFICES for w in words[: max(label, _OPENING + 1)]):
        return 0  # most headlines: no office's word opens them
    first_action = next((i for i, t in located if kind_of(t) == ACTION), len(words))
    reach = max(label, min(_OPENING + (bool(words) and words[0] in _IN), first_action))
    polities = lexicon().polities
    for start in range(min(reach, len(words))):
        for name, office, state in _OFFICES.get(words[start], ()):
            end = start + len(name)
            following = words[end] if end < len(words) else ""
            if tuple(words[start:end]) != name or following in _QUALIFYING:
                continue
            if not any(
                i < start and kind_of(t) == ENTITY and polities.get(t) != state for i, t in located
            ):
                return office
    return 0


def office_of(title: frozenset[int]) -> int:
    """The office term a headline's terms hold (`speaking_office` put it there), or 0."""
    return next((t for t in title if t in GOVERNMENT), 0)


def other_offices(a: int, b: int) -> bool:
    """Whether two headlines' offices (`office_of`) are different offices of one government:
    two statements, two events."""
    return bool(a and b and a != b and GOVERNMENT[a] == GOVERNMENT[b])
