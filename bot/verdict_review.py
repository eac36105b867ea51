"""Subscribers' verdicts against edited rules, before they are reloaded: what changes, and why
an alert judged "not relevant" fired. Pure: takes rules and labelled items, returns text.

The items are a verdict file (`geoalert feedback export`): each was alerted, so every topic it
was judged for (`judged`) matched the rules of the time. Under the rules given here a judged
topic either still matches (no change) or no longer does: an alert judged not relevant that
goes is a fix; one judged relevant that goes is a loss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.evaluation import LabeledItem
from bot.matching import RuleSet


@dataclass(frozen=True, slots=True)
class VerdictChange:
    """A judged alert the rules would no longer send."""

    item: LabeledItem
    topic: str
    relevant: bool  # what the subscribers said of it

    @property
    def better(self) -> bool:
        return not self.relevant

    def render(self) -> str:
        way = "better" if self.better else "worse "
        said = "relevant" if self.relevant else "not relevant"
        return (
            f"  {way} {self.item.id} #{self.topic} (judged {said}, no longer matched): "
            + (self.item.title[:120])
        )


@dataclass(frozen=True, slots=True)
class VerdictShift:
    """How the judged alerts of a verdict file fare under some rules."""

    judged: int  # (item, topic) verdicts considered
    changes: tuple[VerdictChange, ...]

    @property
    def fixed(self) -> int:
        return sum(1 for c in self.changes if c.better)

    @property
    def lost(self) -> int:
        return sum(1 for c in self.changes if not c.better)

    def render(self) -> str:
        head = (
            f"verdicts: {self.judged} judged alerts; {len(self.changes)} would change: "
            f"{self.fixed} judged not relevant no longer sent (better), "
            f"{self.lost} judged relevant no longer sent (worse)"
        )
        return "\n".join([head, *(c.render() for c in self.changes)])


def verdict_shift(rules: RuleSet, items: Sequence[LabeledItem]) -> VerdictShift:
    """Which judged alerts `rules` would no longer send, and which way each change goes."""
    judged = 0
    changes = []
    for item in items:
        topics = item.judged if item.judged is not None else item.topics
        if not topics:
            continue
        now = {m.topic for m in rules.match(item.title, item.text, item.lang)}
        for topic in sorted(topics):
            judged += 1
            if topic not in now:
                changes.append(VerdictChange(item, topic, topic in item.topics))
    return VerdictShift(judged, tuple(changes))


def explain_dismissed(rules: RuleSet, items: Sequence[LabeledItem]) -> str:
    """For every alert judged not relevant: the blocks of its topic that fire under `rules`,
    with the terms that fired (✓) — what to tighten; or that it no longer matches."""
    out: list[str] = []
    for item in items:
        dismissed = (item.judged or frozenset()) - item.topics
        if not dismissed:
            continue
        explanations = {e.topic: e for e in rules.explain(item.title, item.text, item.lang)}
        for topic in sorted(dismissed):
            out.append(f"{item.id} #{topic} judged not relevant: {item.title[:120]}")
            explanation = explanations.get(topic)
            if explanation is None or not explanation.matched:
                out.append("  no longer matches under these rules")
                continue
            out.append(f"  rule file {explanation.source_file}")
            for block in explanation.blocks:
                if not block.fired:
                    continue
                name = f"block {block.label} " if block.label else "block "
                out.append(f"  {name}(line {block.line}): {block.verdict}")
                out.extend(f"    {line.strip()}" for line in block.lines if "✓" in line)
    return "\n".join(out) if out else "no alert judged not relevant in this file"
