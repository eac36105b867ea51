"""Re-apply (changed) rules to stored items: which topics would newly match or stop matching.

Pure: the caller reads the items and their stored topics (`geoalert rules apply --dry-run`)
and decides what to do with the changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.matching.matcher import RuleSet

RematchItem = tuple[str, str, str, str | None]  # item id, title, text, language


@dataclass(frozen=True, slots=True)
class RematchChange:
    """How the topics of one stored item would change under `rules`."""

    item_id: str
    added: frozenset[str]  # topics that would newly match
    removed: frozenset[str]  # stored topics that would no longer match (or no longer exist)

    def render(self) -> str:
        """One line, e.g. `en-001: +sanctions -csto`."""
        parts = [f"+{t}" for t in sorted(self.added)] + [f"-{t}" for t in sorted(self.removed)]
        return f"{self.item_id}: {' '.join(parts)}"


def rematch_diff(
    rules: RuleSet, items: Iterable[RematchItem], stored: Mapping[str, set[str]]
) -> list[RematchChange]:
    """For every item whose topics would change, the change (in the order of `items`).

    `stored` maps an item id to the topics recorded for it; a missing id means none.
    """
    changes = []
    for item_id, title, text, language in items:
        now = {m.topic for m in rules.match(title, text, language)}
        before = set(stored.get(item_id, ()))
        if now != before:
            changes.append(RematchChange(item_id, frozenset(now - before), frozenset(before - now)))
    return changes
