"""Build the `Evidence` of a match: terms in order of first hit, snippet, score, clauses."""

from __future__ import annotations

from bot.matching.document import Document, Hit, snippet
from bot.matching.evaluate import BlockResult, TermResult
from bot.models import Evidence


def _quote(hit: Hit, limit: int = 60) -> str:
    text = hit.text if len(hit.text) <= limit else hit.text[: limit - 1] + "…"
    return f"“{text}”"


def _prefix(result: BlockResult) -> str:
    return f"[{result.block.label}] " if result.block.label else ""


def _best(group: tuple[TermResult, ...]) -> TermResult | None:
    return next((r for r in group if r.matched), None)


def clause_lines(result: BlockResult) -> list[str]:
    """Short lines saying which clauses of a fired block matched and on what."""
    prefix, lines = _prefix(result), []
    if result.block.any:
        parts = [
            f"{r.term.label} +{r.term.weight:g} {_quote(r.hits[0])}"
            for r in result.any
            if r.matched
        ]
        verdict = f"{result.score:g} ≥ {result.threshold:g}"
        lines.append(f"{prefix}any ({verdict}): " + "; ".join(parts))
    for group in result.all:
        best = _best(group)
        if best is not None:
            lines.append(f"{prefix}all: {best.term.label} {_quote(best.hits[0])}")
    if result.block.none:
        lines.append(f"{prefix}none: no exclusion matched")
    return lines


def _reasons(result: BlockResult) -> list[TermResult]:
    """The results that explain a fired block: its `any` hits when it has an `any` (its `all`
    entries are then gates, such as "Russia is named somewhere", shown in the clauses only),
    else its `all` hits."""
    if result.block.any:
        return [r for r in result.any if r.matched]
    return list(result.positive())


def _first_hits(fired: list[BlockResult]) -> list[Hit]:
    """Plain hits in text order; a hit inside a longer one ("CSTO" in "… (CSTO)") is dropped."""
    leaves = [
        leaf for result in fired for r in _reasons(result) for h in r.hits for leaf in h.leaves()
    ]
    leaves.sort(key=lambda h: (h.field, h.start, -h.end))
    kept: list[Hit] = []
    for hit in leaves:
        if not kept or not kept[-1].contains(hit):
            kept.append(hit)
    return kept


def _distinct_terms(hits: list[Hit]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for hit in hits:
        seen.setdefault(hit.text.casefold(), hit.text)
    return tuple(seen.values())


def _snippet(doc: Document, hits: list[Hit]) -> str:
    body = doc.fields[1].text
    in_body = [h for h in hits if h.field == 1]
    if in_body:
        return snippet(body, in_body[0].start, in_body[0].end)
    title = doc.fields[0].text
    return snippet(title, 0, 0) if title else snippet(body, 0, 0)


def build_evidence(doc: Document, fired: list[BlockResult]) -> Evidence:
    """Evidence for a topic from its fired blocks (score/threshold of the first one)."""
    hits = _first_hits(fired)
    clauses = tuple(line for result in fired for line in clause_lines(result))
    return Evidence(
        terms=_distinct_terms(hits),
        snippet=_snippet(doc, hits),
        score=fired[0].score,
        threshold=fired[0].threshold,
        clauses=clauses,
    )
