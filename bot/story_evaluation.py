"""Measure story grouping against a labelled story set: pairwise precision and recall.

The set is JSON Lines, one report per line (see tests/data/stories/README.md):

    {"id": "sd-001", "event": "sd-e01", "lang": "en", "outlet": "Reuters",
     "published": "2023-12-18T14:20:00Z", "title": "…", "text": "…", "note": "…"}

Two reports belong in one story exactly when their `event` is the same. Every pair of reports
is scored: a pair in one story is predicted, a pair of one event is expected. Pairs are split
into same-language and cross-language pairs, because the two are different problems (shared
words against shared names). "Events kept whole" counts the events of two or more reports
whose reports form one story that holds nothing else.

Arrival order: each outlet is served as one feed, and each feed is one batch, as in a poll.
`evaluate_stories` groups the set once per order (the first in outlet-name order, the others
shuffled with fixed seeds) and reports whether every order gave the same stories.

Undated (`undated=True`, `geoalert eval --stories --undated`): the reports as feeds that give
no dates serve them. Every report is published when it is fetched, one instant for the whole
set, unless its own text dates it (`bot.dates.with_text_dates`, as a poll does): nothing of
its real publication time is left to tell two events apart. The issue's measurement (#15)
merged events months apart, which a 72 h window cannot do with the reports' real dates.

`load_story_set` is the only I/O; the rest is pure.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from itertools import combinations
from pathlib import Path
from typing import Any

from bot.dates import with_text_dates
from bot.jsonl import check_keys, json_lines, line_error
from bot.models import Item
from bot.stories import group_batches

_KEYS = {"id", "event", "lang", "outlet", "published", "title", "text", "note"}
_REQUIRED = ("id", "event", "lang", "outlet", "published", "title", "text")
_LANG = re.compile(r"^[a-z]{2}$")


@dataclass(frozen=True, slots=True)
class StoryReport:
    """One labelled report."""

    id: str
    event: str
    lang: str
    outlet: str
    published: datetime
    title: str
    text: str
    note: str = ""

    def item(self, fetched: datetime | None = None) -> Item:
        """The report as the pipeline sees it: an item of the outlet's feed; fetched at
        `fetched` from a feed that gives no date, when given."""
        return Item(
            id=self.id, source=f"feed:{self.outlet}", source_name=self.outlet, key=self.id,
            title=self.title, text=self.text, link=None, publisher=self.outlet,
            language=self.lang, published=fetched or self.published,
            published_origin="fetched" if fetched else "feed", fetched=fetched or self.published,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class PairScore:
    """Pairwise agreement: pairs predicted together, expected together, and both."""

    predicted: int
    expected: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else float(not self.expected)

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else float(not self.predicted)


@dataclass(frozen=True, slots=True)
class Grouping:
    """The scores of one grouping of the set."""

    same_language: PairScore
    cross_language: PairScore
    events_whole: int
    events_multi: int
    merged: tuple[tuple[str, str], ...]  # (report, report) of different events in one story
    split: tuple[tuple[str, str], ...]  # (report, report) of one event in different stories


@dataclass(frozen=True, slots=True)
class StoryEvalReport:
    """The grouping in the first order, and how many orders agreed with it."""

    reports: int
    events: int
    first: Grouping
    orders: int
    orders_identical: int  # orders whose stories equal the first order's
    worst_same_precision: float
    worst_same_recall: float
    worst_cross_precision: float
    worst_cross_recall: float


_fail = line_error


def _parse(raw: Any, path: Path, line: int) -> StoryReport:
    raw = check_keys(raw, path, line, what="a report", keys=_KEYS, required=_REQUIRED)
    for key in _KEYS & set(raw):
        if not isinstance(raw[key], str):
            raise _fail(path, line, f"'{key}' must be a string, not {type(raw[key]).__name__}")
    if not _LANG.match(raw["lang"]):
        raise _fail(path, line, f"'lang' must be a code like 'en' or 'ru', not {raw['lang']!r}")
    try:
        published = datetime.fromisoformat(raw["published"].replace("Z", "+00:00"))
    except ValueError as e:
        raise _fail(path, line, f"'published' is not an ISO 8601 date-time: {e}") from e
    if published.tzinfo is None:
        raise _fail(path, line, "'published' needs a time zone (…Z or +03:00)")
    return StoryReport(
        id=raw["id"], event=raw["event"], lang=raw["lang"], outlet=raw["outlet"],
        published=published.astimezone(UTC), title=raw["title"], text=raw["text"],
        note=raw.get("note", ""),
    )  # fmt: skip


def load_story_set(paths: Sequence[Path]) -> list[StoryReport]:
    """Read and validate story sets as one; raises `GeoalertError` naming file, line, reason."""
    reports: list[StoryReport] = []
    seen: dict[str, str] = {}
    for path in paths:
        for number, raw in json_lines(path, "story set"):
            report = _parse(raw, path, number)
            if report.id in seen:
                first = seen[report.id]
                raise _fail(path, number, f"duplicate id '{report.id}' (first in {first})")
            seen[report.id] = f"{path}:{number}"
            reports.append(report)
    return reports


def undated_instant(reports: Sequence[StoryReport]) -> datetime:
    """When an undated set is fetched: a day after its last report (so a date its text
    gives is in the past, as it would be)."""
    return max(r.published for r in reports) + timedelta(days=1)


def feeds_in_order(
    reports: Sequence[StoryReport], seed: int | None, *, undated: bool = False
) -> list[list[Item]]:
    """One batch per outlet, in outlet-name order (seed None) or shuffled by `seed`; the
    reports within a feed are shuffled too (feeds list items in any order). `undated`: the
    feeds give no dates (see the module docstring)."""
    fetched = undated_instant(reports) if undated and reports else None
    by_outlet: dict[str, list[Item]] = defaultdict(list)
    for report in reports:
        by_outlet[report.outlet].append(report.item(fetched))
    if fetched is not None:
        by_outlet = {name: with_text_dates(items, fetched) for name, items in by_outlet.items()}
    feeds = [by_outlet[name] for name in sorted(by_outlet)]
    if seed is not None:
        rng = random.Random(seed)
        rng.shuffle(feeds)
        for feed in feeds:
            rng.shuffle(feed)
    return feeds


def score_grouping(reports: Sequence[StoryReport], story_of: dict[str, int]) -> Grouping:
    """Pairwise scores of one grouping (report id → story key; a missing id is its own story)."""
    counts = {True: [0, 0, 0], False: [0, 0, 0]}  # same language → predicted, expected, correct
    merged: list[tuple[str, str]] = []
    split: list[tuple[str, str]] = []
    for a, b in combinations(reports, 2):
        together = a.id in story_of and story_of.get(a.id) == story_of.get(b.id)
        expected = a.event == b.event
        tally = counts[a.lang == b.lang]
        tally[0] += together
        tally[1] += expected
        tally[2] += together and expected
        if together and not expected:
            merged.append((a.id, b.id))
        elif expected and not together:
            split.append((a.id, b.id))
    members: dict[str, set[str]] = defaultdict(set)
    for report in reports:
        members[report.event].add(report.id)
    stories: dict[int, set[str]] = defaultdict(set)
    for report in reports:
        if report.id in story_of:
            stories[story_of[report.id]].add(report.id)
    multi = [ids for ids in members.values() if len(ids) > 1]
    whole = sum(
        1
        for ids in multi
        if (first := next(iter(ids))) in story_of and stories[story_of[first]] == ids
    )
    return Grouping(
        same_language=PairScore(*counts[True]),
        cross_language=PairScore(*counts[False]),
        events_whole=whole,
        events_multi=len(multi),
        merged=tuple(merged),
        split=tuple(split),
    )


def as_feed(outlet: str, reports: Sequence[StoryReport], link: str, *, dated: bool = True) -> bytes:
    """One outlet's reports as an RSS 2.0 feed, each item's link `link` + its report id (how a
    stored item is traced back to its report); without `<pubDate>` unless `dated`."""
    items = "".join(
        f"<item><title>{escape(r.title)}</title><description>{escape(r.text)}</description>"
        f"<link>{link}{r.id}</link><guid>{r.id}</guid>"
        + (f"<pubDate>{format_datetime(r.published)}</pubDate>" if dated else "")
        + "</item>"
        for r in reports
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(outlet)}</title><link>https://example.org/</link>"
        f"<description>news</description>{items}</channel></rss>"
    ).encode()


def _partition(story_of: dict[str, int]) -> frozenset[frozenset[str]]:
    stories: dict[int, set[str]] = defaultdict(set)
    for item_id, key in story_of.items():
        stories[key].add(item_id)
    return frozenset(frozenset(ids) for ids in stories.values())


def group_set(
    reports: Sequence[StoryReport], seed: int | None = None, *, undated: bool = False
) -> dict[str, int]:
    """Report id → story key, with the feeds arriving in the order `seed` gives."""
    stories = group_batches(feeds_in_order(reports, seed, undated=undated))
    return {item.id: key for key, members in enumerate(stories) for item in members}


def evaluate_stories(
    reports: Sequence[StoryReport], *, orders: int = 5, undated: bool = False
) -> StoryEvalReport:
    """Score the grouping in outlet order, and check `orders - 1` shuffled orders against it;
    `undated`: served by feeds that give no dates."""
    first_map = group_set(reports, undated=undated)
    first = score_grouping(reports, first_map)
    partition = _partition(first_map)
    identical = 1
    worst = [
        first.same_language.precision, first.same_language.recall,
        first.cross_language.precision, first.cross_language.recall,
    ]  # fmt: skip
    for seed in range(1, orders):
        story_of = group_set(reports, seed, undated=undated)
        identical += _partition(story_of) == partition
        g = score_grouping(reports, story_of)
        figures = (
            g.same_language.precision, g.same_language.recall,
            g.cross_language.precision, g.cross_language.recall,
        )  # fmt: skip
        worst = [min(w, f) for w, f in zip(worst, figures, strict=True)]
    return StoryEvalReport(
        reports=len(reports),
        events=len({r.event for r in reports}),
        first=first,
        orders=orders,
        orders_identical=identical,
        worst_same_precision=worst[0],
        worst_same_recall=worst[1],
        worst_cross_precision=worst[2],
        worst_cross_recall=worst[3],
    )


def _row(name: str, s: PairScore, worst_p: float, worst_r: float) -> str:
    return (
        f"{name:<15}  {s.precision:5.3f}  {s.recall:5.3f}  {s.correct:5d}  {s.predicted:5d}"
        f"  {s.expected:5d}   {worst_p:5.3f} / {worst_r:5.3f}"
    )


def render_story_report(
    report: StoryEvalReport, reports: Sequence[StoryReport], *, pairs: bool = True
) -> str:
    """The pairwise table, events kept whole, order agreement, then every wrong pair."""
    g = report.first
    header = (
        f"{'pairs':<15}  {'P':>5}  {'R':>5}  {'right':>5}  {'pred':>5}  {'exp':>5}"
        f"   worst P / R over orders"
    )
    lines = [
        f"{report.reports} reports, {report.events} events",
        header,
        "-" * len(header),
        _row("same language", g.same_language, report.worst_same_precision,
             report.worst_same_recall),
        _row("cross language", g.cross_language, report.worst_cross_precision,
             report.worst_cross_recall),
        f"events kept whole: {g.events_whole} of {g.events_multi}",
        f"arrival orders giving the same stories: {report.orders_identical} of {report.orders}",
    ]  # fmt: skip
    if not pairs:
        return "\n".join(lines)
    by_id = {r.id: r for r in reports}
    for title, wrong in (("merged (different events, one story)", g.merged),
                         ("split (one event, different stories)", g.split)):  # fmt: skip
        lines.extend(["", f"{title}: {len(wrong)} pairs"])
        for a, b in wrong:
            lines.append(f"  {a} [{by_id[a].lang}] {by_id[a].title}")
            lines.append(f"  {b} [{by_id[b].lang}] {by_id[b].title}")
            lines.append("")
    return "\n".join(lines).rstrip()
