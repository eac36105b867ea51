"""Measure rules against a hand-labelled set: per-topic precision, recall, F1, and every miss.

The labelled set is JSON Lines, one news item per line:

    {"id": "en-001", "lang": "en", "title": "…", "text": "…", "topics": ["csto"], "note": "…"}

An item may say which topics its labels speak for, `"judged": ["csto", "sanctions"]` (what
`geoalert feedback export` writes: subscribers judged only the topics they were alerted for);
its other topics are then not scored, whatever the rules say. Without `judged`, every topic is.

`load_labeled` (the only I/O here) validates it; `evaluate` and `render_report` are pure.

Division by zero is defined so that agreement on "nothing" is perfect and anything else is not:
precision is tp / (tp + fp), and when nothing was predicted it is 1.0 if nothing was expected
either (fn == 0) and 0.0 otherwise; recall is tp / (tp + fn), and when nothing was expected it
is 1.0 if nothing was predicted (fp == 0) and 0.0 otherwise. F1 is 0.0 when P + R is 0.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.errors import GeoalertError
from bot.jsonl import check_keys, json_lines, line_error
from bot.matching import RuleSet
from bot.models import Evidence

_KEYS = {"id", "lang", "title", "text", "topics", "labels", "note", "judged"}
_REQUIRED = ("id", "lang", "title", "text")
_LANG = re.compile(r"^[a-z]{2}$")
_TOPIC = re.compile(r"^[a-z0-9_]+$")


@dataclass(frozen=True, slots=True)
class LabeledItem:
    """One hand-labelled news item: the topics an analyst wants it alerted for."""

    id: str
    lang: str
    title: str
    text: str
    topics: frozenset[str]
    note: str = ""
    judged: frozenset[str] | None = None  # the topics the labels speak for; None: every topic


@dataclass(frozen=True, slots=True)
class TopicScore:
    """Confusion counts of one topic (or of all topics, micro-averaged) and the derived metrics."""

    topic: str
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        """tp / (tp + fp); with nothing predicted, 1.0 if nothing was expected, else 0.0."""
        if self.tp + self.fp == 0:
            return 1.0 if self.fn == 0 else 0.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        """tp / (tp + fn); with nothing expected, 1.0 if nothing was predicted, else 0.0."""
        if self.tp + self.fn == 0:
            return 1.0 if self.fp == 0 else 0.0
        return self.tp / (self.tp + self.fn)

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall; 0.0 when both are 0."""
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def micro_average(scores: Sequence[TopicScore]) -> TopicScore:
    """Counts summed over `scores` (a micro average), as topic `micro`."""
    return TopicScore(
        topic="micro",
        tp=sum(s.tp for s in scores),
        fp=sum(s.fp for s in scores),
        fn=sum(s.fn for s in scores),
    )


@dataclass(frozen=True, slots=True)
class FalsePositive:
    """A topic that fired although the item is not labelled with it, and why it fired."""

    topic: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Misclassified:
    """An item whose predicted topics differ from its labels."""

    item: LabeledItem
    expected: frozenset[str]
    predicted: frozenset[str]
    false_positives: tuple[FalsePositive, ...]  # by topic id, with the evidence that fired
    shortfalls: tuple[tuple[str, str], ...] = ()  # (missed topic, its closest block's verdict)

    @property
    def missed(self) -> frozenset[str]:
        """Labelled topics the rules did not find (false negatives)."""
        return self.expected - self.predicted


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Per-topic scores (by topic id), their micro average, and the misclassified items.

    `by_language` holds the same per-topic scores for each item language (by language code),
    so a rule that works in English and fails in Russian shows up as such.
    """

    items: int
    topics: tuple[TopicScore, ...]
    misclassified: tuple[Misclassified, ...]
    by_language: tuple[tuple[str, int, tuple[TopicScore, ...]], ...] = ()

    @property
    def micro(self) -> TopicScore:
        """Counts summed over all topics (micro average), as topic `micro`."""
        return micro_average(self.topics)

    def score(self, topic: str) -> TopicScore:
        """The score of one topic; `KeyError` if it was not evaluated."""
        for s in self.topics:
            if s.topic == topic:
                return s
        raise KeyError(topic)


_fail = line_error


def _parse_item(raw: Any, path: Path, line: int) -> LabeledItem:
    raw = check_keys(raw, path, line, what="an item", keys=_KEYS, required=_REQUIRED)
    for key in ("id", "lang", "title", "text", "note"):
        if key in raw and not isinstance(raw[key], str):
            raise _fail(path, line, f"'{key}' must be a string, not {type(raw[key]).__name__}")
    if not raw["id"].strip():
        raise _fail(path, line, "'id' must not be empty")
    if not _LANG.match(raw["lang"]):
        raise _fail(
            path, line, f"'lang' must be a language code like 'en' or 'ru', not {raw['lang']!r}"
        )
    if not raw["title"].strip() and not raw["text"].strip():
        raise _fail(path, line, "an item needs a non-empty 'title' or 'text'")
    # `labels` is another name of `topics`: what `geoalert feedback export` writes.
    named = [key for key in ("topics", "labels") if key in raw]
    if len(named) != 1:
        problem = "both 'topics' and 'labels'" if named else "missing required key 'topics'"
        raise _fail(path, line, problem)
    topics = _topic_list(raw, named[0], path, line)
    judged = _topic_list(raw, "judged", path, line) if "judged" in raw else None
    if judged is not None and not topics <= judged:
        extra = sorted(topics - judged)[0]
        raise _fail(path, line, f"topic '{extra}' is labelled but not in 'judged'")
    return LabeledItem(
        id=raw["id"],
        lang=raw["lang"],
        title=raw["title"],
        text=raw["text"],
        topics=topics,
        note=raw.get("note", ""),
        judged=judged,
    )


def _topic_list(raw: dict[str, Any], key: str, path: Path, line: int) -> frozenset[str]:
    topics = raw[key]
    if not isinstance(topics, list):
        raise _fail(path, line, f"'{key}' must be a list, not {type(topics).__name__}")
    for topic in topics:
        if not isinstance(topic, str) or not _TOPIC.match(topic):
            raise _fail(path, line, f"a topic must be a topic id like 'sanctions', not {topic!r}")
    if len(set(topics)) != len(topics):
        raise _fail(path, line, f"'{key}' lists a topic twice")
    return frozenset(topics)


def load_labeled(path: Path) -> list[LabeledItem]:
    """Read and validate a JSON Lines labelled set; blank lines are skipped.

    Raises `GeoalertError` with `path:line: reason` for invalid JSON, a missing or unknown key,
    a value of the wrong type, or a duplicate id; `path: reason` if the file cannot be read.
    """
    items: list[LabeledItem] = []
    first_line: dict[str, int] = {}
    for number, raw in json_lines(path, "labelled set"):
        item = _parse_item(raw, path, number)
        if item.id in first_line:
            raise _fail(
                path, number, f"duplicate id '{item.id}' (first at line {first_line[item.id]})"
            )
        first_line[item.id] = number
        items.append(item)
    return items


def load_labeled_files(paths: Sequence[Path]) -> list[LabeledItem]:
    """Read several labelled sets as one; an id may appear only once across all of them."""
    items: list[LabeledItem] = []
    origin: dict[str, Path] = {}
    for path in paths:
        for item in load_labeled(path):
            if item.id in origin:
                raise GeoalertError(f"{path}: duplicate id '{item.id}' (also in {origin[item.id]})")
            origin[item.id] = path
            items.append(item)
    return items


def _tally(
    topic_ids: Sequence[str], outcomes: Sequence[tuple[frozenset[str], frozenset[str]]]
) -> tuple[TopicScore, ...]:
    """Per-topic confusion counts of (expected, predicted) pairs."""
    counts = {t: [0, 0, 0] for t in topic_ids}  # tp, fp, fn
    for expected, predicted in outcomes:
        for topic in predicted & expected:
            counts[topic][0] += 1
        for topic in predicted - expected:
            counts[topic][1] += 1
        for topic in expected - predicted:
            counts[topic][2] += 1
    return tuple(TopicScore(t, *counts[t]) for t in topic_ids)


def _shortfalls(
    rules: RuleSet, item: LabeledItem, missed: frozenset[str]
) -> tuple[tuple[str, str], ...]:
    """For each missed topic, the verdict of its block that came closest to firing."""
    if not missed:
        return ()
    out = []
    for explanation in rules.explain(item.title, item.text, item.lang):
        if explanation.topic in missed and explanation.blocks:
            closest = max(explanation.blocks, key=lambda b: b.score / (b.threshold or 1))
            label = f"block {closest.label} " if closest.label else "block "
            out.append((explanation.topic, f"{label}(line {closest.line}) {closest.verdict}"))
    return tuple(out)


def evaluate(rules: RuleSet, items: Sequence[LabeledItem]) -> EvalReport:
    """Match every item with `rules` and score the predictions against the labels.

    Topics evaluated: every topic of the rule set plus any topic only the labels use (those
    can only be missed). Items are matched with their `lang` as the language.
    """
    topic_ids = sorted({t.id for t in rules.topics} | {t for item in items for t in item.topics})
    outcomes: list[tuple[frozenset[str], frozenset[str]]] = []
    misclassified: list[Misclassified] = []
    for item in items:
        matches = [
            m for m in rules.match(item.title, item.text, item.lang)
            if item.judged is None or m.topic in item.judged
        ]  # fmt: skip
        predicted = frozenset(m.topic for m in matches)
        outcomes.append((item.topics, predicted))
        if predicted != item.topics:
            false_positives = tuple(
                FalsePositive(m.topic, m.evidence) for m in matches if m.topic not in item.topics
            )
            shortfalls = _shortfalls(rules, item, item.topics - predicted)
            misclassified.append(
                Misclassified(item, item.topics, predicted, false_positives, shortfalls)
            )
    by_language = tuple(
        (
            lang,
            sum(1 for item in items if item.lang == lang),
            _tally(
                topic_ids,
                [o for item, o in zip(items, outcomes, strict=True) if item.lang == lang],
            ),
        )
        for lang in sorted({item.lang for item in items})
    )
    return EvalReport(
        items=len(items),
        topics=_tally(topic_ids, outcomes),
        misclassified=tuple(misclassified),
        by_language=by_language,
    )


def _row(name: str, s: TopicScore, width: int) -> str:
    return (
        f"{name:<{width}}  {s.precision:5.3f}  {s.recall:5.3f}  {s.f1:5.3f}"
        f"  {s.tp:4d}  {s.fp:4d}  {s.fn:4d}"
    )


def _names(topics: frozenset[str]) -> str:
    return ", ".join(sorted(topics)) or "—"


def _render_miss(miss: Misclassified) -> list[str]:
    item = miss.item
    lines = [
        f"{item.id} [{item.lang}] expected: {_names(miss.expected)}; "
        f"predicted: {_names(miss.predicted)}",
        f"  title: {item.title}",
        f"  text:  {item.text}",
    ]
    if item.note:
        lines.append(f"  note:  {item.note}")
    if miss.missed:
        lines.append(f"  missed (false negative): {_names(miss.missed)}")
        lines.extend(f"    {topic}: {verdict}" for topic, verdict in miss.shortfalls)
    for fp in miss.false_positives:
        ev = fp.evidence
        terms = ", ".join(f"“{t}”" for t in ev.terms) or "—"
        lines.append(
            f"  false positive: {fp.topic} (score {ev.score:g} ≥ {ev.threshold:g}); terms: {terms}"
        )
        lines.append(f"    snippet: {ev.snippet}")
        lines.extend(f"    {clause}" for clause in ev.clauses)
    return lines


def _table(scores: Sequence[TopicScore], width: int) -> list[str]:
    header = f"{'topic':<{width}}  {'P':>5}  {'R':>5}  {'F1':>5}  {'tp':>4}  {'fp':>4}  {'fn':>4}"
    lines = [header, "-" * len(header)]
    lines.extend(_row(s.topic, s, width) for s in scores)
    lines.append(_row("micro (all)", micro_average(scores), width))
    return lines


def render_report(report: EvalReport, *, items: bool = True) -> str:
    """Tables (topic, P, R, F1, tp, fp, fn) for all items and per language, then every
    misclassified item with its evidence (left out when `items` is false)."""
    width = max([len("topic"), len("micro (all)"), *(len(s.topic) for s in report.topics)])
    lines = [f"{report.items} labelled items", *_table(report.topics, width), ""]
    if len(report.by_language) > 1:
        for lang, count, scores in report.by_language:
            lines.extend([f"{lang}: {count} items", *_table(scores, width), ""])
    if not items:
        lines.append(f"{len(report.misclassified)} misclassified items (not listed).")
        return "\n".join(lines)
    if not report.misclassified:
        lines.append("No misclassified items.")
        return "\n".join(lines)
    lines.append(f"Misclassified items ({len(report.misclassified)}):")
    for miss in report.misclassified:
        lines.append("")
        lines.extend(_render_miss(miss))
    return "\n".join(lines)
