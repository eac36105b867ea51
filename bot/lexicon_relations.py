"""The relations the event lexicon declares between its entities, validated (pure): which
polity each actor acts for, the member states of blocs, and the bodies of one state that decide
apart (bot/data/event_lexicon.yaml: `polities`, `members`, `bodies`, `heads`). `bot.event_terms`
compiles the rest of the lexicon and calls these; each raises ValueError naming the section
and the key of a malformed entry.
"""

from __future__ import annotations

from bot.term_values import ENTITY, term


def section(data: dict[str, object], name: str) -> dict[str, object]:
    """A mapping section of the lexicon data ({} when absent)."""
    value = data.get(name) or {}
    if not isinstance(value, dict):
        raise ValueError(f"{name}: must be a mapping")
    return value


def polities(data: dict[str, object], countries: list[object]) -> dict[int, int]:
    """entity term → the term of the polity it acts for (a polity and a country: itself)."""
    entities = section(data, "entities")
    result = {term(ENTITY, str(c)): term(ENTITY, str(c)) for c in countries}
    for polity, members in section(data, "polities").items():
        if not isinstance(members, list):
            raise ValueError(f"polities.{polity}: must be a list of entity keys")
        unknown = [m for m in [polity, *members] if m not in entities]
        if unknown:
            raise ValueError(f"polities.{polity}: not entity keys: {unknown}")
        for member in [polity, *members]:
            result[term(ENTITY, str(member))] = term(ENTITY, str(polity))
    return result


def members(data: dict[str, object], countries: list[object]) -> frozenset[tuple[int, int]]:
    """(bloc, member state) polity terms (`members` in the lexicon)."""
    known = {*section(data, "polities"), *countries}
    pairs: set[tuple[int, int]] = set()
    for bloc, states in section(data, "members").items():
        if bloc not in known or not isinstance(states, list) or not known.issuperset(states):
            raise ValueError(f"members.{bloc}: must be a polity listing polities")
        pairs.update((term(ENTITY, str(bloc)), term(ENTITY, str(s))) for s in states)
    return frozenset(pairs)


def bodies(data: dict[str, object]) -> dict[int, int]:
    """entity term of a body → the number of its group (`bodies` in the lexicon)."""
    groups = data.get("bodies") or []
    entities = section(data, "entities")
    if not isinstance(groups, list) or not all(
        isinstance(g, list) and len(g) >= 2 and all(b in entities for b in g) for g in groups
    ):
        raise ValueError("bodies: must list groups of two or more entity keys")
    return {term(ENTITY, str(b)): n for n, group in enumerate(groups) for b in group}


def heads(data: dict[str, object], bodies: dict[int, int]) -> frozenset[int]:
    """entity terms of the bodies that are people (`heads` in the lexicon)."""
    keys = data.get("heads") or []
    if not isinstance(keys, list) or any(term(ENTITY, str(k)) not in bodies for k in keys):
        raise ValueError("heads: must list entity keys that are in a group of `bodies`")
    return frozenset(term(ENTITY, str(k)) for k in keys)
