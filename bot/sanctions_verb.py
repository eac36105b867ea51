"""Whether "sanctions" in a headline is the verb (pure): "U.S. sanctions second Rosneft unit"
lists the unit, "EU sanctions on Russia take effect" names the measures. The commonest
sanctions headline has no other verb, and without one the roles reader takes the sanctioned
state for a co-actor."""

from __future__ import annotations

from collections.abc import Mapping

from bot.term_values import ACTION, CONCEPT, term
from bot.text import stem

SANCTIONS = (CONCEPT, "sanctions")  # the lexicon's (kind, key) of the noun
BLACKLIST = term(ACTION, "blacklist")  # what the verb reads as
_VERB_FORMS = frozenset({"sanctions", "sanctioned", "sanction"})
# Words after "EU sanctions" that make it a noun: "EU sanctions on Russia take effect".
_NOUN_FOLLOWER_WORDS = """
    on against over for to of in from and or are is were was will would could may might can
    have has had remain remains stay stays hit hits bite bites take takes target targets cost
    costs weigh weighs force forces push pushes spark sparks threaten threatens list lists
    package packages regime regimes relief law laws bill bills policy policies
"""
_NOUN_FOLLOWERS = frozenset(_NOUN_FOLLOWER_WORDS.split())


def sanctions_as_verb(
    words: list[str], i: int, acting: int, singles: Mapping[str, tuple[int, str]]
) -> bool:
    """Whether "sanctions" at word `i` is the verb: just after a polity named as the subject
    (at word `acting`), followed by its object, not by what the noun does (a word in
    `_NOUN_FOLLOWERS`, or an action in the lexicon's `singles`: "… take effect")."""
    if words[i] not in _VERB_FORMS or acting != i - 1 or i + 1 >= len(words):
        return False
    following = words[i + 1]
    if following in _NOUN_FOLLOWERS:
        return False
    found = singles.get(stem(following))
    return not (found is not None and found[0] == ACTION)
