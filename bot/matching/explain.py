"""Clause-by-clause explanations of why a topic did or did not match (`rules explain`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.matching.evaluate import BlockResult, TermResult
from bot.matching.terms import NearTerm

if TYPE_CHECKING:
    from bot.matching.document import Document


@dataclass(frozen=True, slots=True)
class BlockExplanation:
    """One block of a topic: verdict, score vs threshold, and one line per term."""

    label: str
    line: int
    fired: bool
    score: float
    threshold: float
    verdict: str
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TopicExplanation:
    """Why one topic matched or not, block by block."""

    topic: str
    source_file: str
    matched: bool
    blocks: tuple[BlockExplanation, ...]

    def render(self) -> str:
        """Plain text for a terminal."""
        head = f"{self.topic} ({self.source_file}): {'MATCH' if self.matched else 'no match'}"
        out = [head]
        for block in self.blocks:
            name = f"block {block.label} " if block.label else "block "
            out.append(f"  {name}(line {block.line}): {block.verdict}")
            out.extend(f"    {line}" for line in block.lines)
        return "\n".join(out)


def _term_line(result: TermResult, weighted: bool, doc: Document | None) -> str:
    mark = "✓" if result.matched else "✗"
    weight = f" +{result.term.weight:g}" if weighted else ""
    line = f"{mark} {result.term.label}{weight}"
    if result.matched:
        shown = ", ".join(f"“{h.text}”" for h in result.hits[:3])
        more = f" (+{len(result.hits) - 3} more)" if len(result.hits) > 3 else ""
        line += f": {shown}{more}"
    elif doc is not None and isinstance(result.term, NearTerm):
        line += f" — {result.term.shortfall(doc)}"
    return line


def _verdict(result: BlockResult) -> str:
    if result.fired:
        return f"fired (score {result.score:g} ≥ {result.threshold:g})"
    reasons = []
    if not result.any_ok:
        short = result.threshold - result.score
        reasons.append(
            f"'any' score {result.score:g} < threshold {result.threshold:g} (short by {short:g})"
        )
    if not result.all_ok:
        missing = sum(1 for g in result.all if not any(r.matched for r in g))
        reasons.append(f"{missing} of {len(result.all)} 'all' entries did not match")
    if result.vetoed:
        reasons.append("vetoed by 'none'")
    return "not fired: " + "; ".join(reasons)


def explain_block(result: BlockResult, doc: Document | None = None) -> BlockExplanation:
    """Explain one evaluated block; with `doc`, a `near` term that missed says by how much."""
    lines: list[str] = []
    if result.block.any:
        lines.append(f"any (threshold {result.threshold:g}):")
        lines.extend(f"  {_term_line(r, True, doc)}" for r in result.any)
    for index, group in enumerate(result.all, start=1):
        ok = "✓" if any(r.matched for r in group) else "✗"
        lines.append(f"all #{index} {ok} (one of):")
        lines.extend(f"  {_term_line(r, False, doc)}" for r in group)
    if result.block.none:
        lines.append("none (any hit vetoes):")
        lines.extend(f"  {_term_line(r, False, None)}" for r in result.none)
    block = result.block
    return BlockExplanation(
        block.label,
        block.line,
        result.fired,
        result.score,
        result.threshold,
        _verdict(result),
        tuple(lines),
    )
