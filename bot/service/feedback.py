"""The facade's verdict side: a tap on an alert's buttons, /feedback, live precision, /quality,
and the verdicts exported as a labelled set for `geoalert eval`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.errors import GeoalertError
from bot.models import StoredMatch, VerdictTally
from bot.service.base import Base, now_or
from bot.text import language_of
from storage import chats, verdicts
from storage.items import get_item

QUALITY_DAYS = 30  # /status and /quality look at this many days of verdicts
_LANG = re.compile(r"^[a-z]{2}$")


class NotReceived(GeoalertError):
    """A verdict on an item this chat was never alerted about (a forged or stale button)."""


@dataclass(frozen=True, slots=True)
class VerdictState:
    """After a tap: the topics it judged and the chat's verdicts on the item per topic."""

    topics: tuple[str, ...]
    tallies: Mapping[str, VerdictTally]


@dataclass(frozen=True, slots=True)
class QualityReport:
    """What /quality shows of a topic: its views, the rule terms most often behind "not
    relevant" (term, how many such views), and the latest such items with their evidence."""

    topic: str
    relevant: int
    not_relevant: int
    terms: tuple[tuple[str, int], ...]
    latest: tuple[StoredMatch, ...]


def precision(relevant: int, not_relevant: int) -> float | None:
    """relevant / judged; None when nothing was judged."""
    judged = relevant + not_relevant
    return relevant / judged if judged else None


class FeedbackMixin(Base):
    """Verdicts: recorded from taps, counted for admins, exported for evaluation."""

    def set_feedback(self, chat_id: int, on: bool) -> None:
        """/feedback on|off: whether this chat's alerts carry the verdict buttons."""
        self.write(lambda s: chats.set_feedback(s, chat_id, on))

    def judge(
        self,
        chat_id: int,
        user_id: int,
        item_id: str,
        topic: str | None,
        relevant: bool | None,
        now: datetime | None = None,
    ) -> VerdictState:
        """Record (True/False) or withdraw (None) `user_id`'s verdict on an alert in this chat,
        for `topic` or every topic the chat was alerted for. Raises `NotReceived`, storing
        nothing, when the chat never received the item (for that topic)."""

        def store(s: Session) -> VerdictState:
            received = verdicts.received_topics(s, chat_id, item_id)
            topics = received if topic is None else [x for x in received if x == topic]
            if not topics:
                raise NotReceived(f"chat {chat_id} was never alerted about item {item_id}")
            if relevant is None:
                verdicts.undo(s, chat_id, user_id, item_id, topics)
            else:
                verdicts.record(s, chat_id, user_id, item_id, topics, relevant=relevant,
                                now=now_or(now))  # fmt: skip
            return VerdictState(tuple(topics), verdicts.tallies(s, chat_id, item_id))

        return self.write(store)

    def precision_by_topic(self, now: datetime | None = None) -> dict[str, tuple[int, int]]:
        """topic → (relevant, not relevant) chat views of the last 30 days."""
        since = now_or(now) - timedelta(days=QUALITY_DAYS)
        return self.read(lambda s: verdicts.precision_counts(s, since=since))

    def quality(
        self, topic: str, *, terms: int = 10, items: int = 5, now: datetime | None = None
    ) -> QualityReport:
        """The terms most often behind "not relevant" for `topic` in 30 days, and the latest
        such items (newest verdict first)."""
        since = now_or(now) - timedelta(days=QUALITY_DAYS)

        def query(s: Session) -> QualityReport:
            counts = verdicts.precision_counts(s, since=since).get(topic, (0, 0))
            behind, item_ids = verdicts.not_relevant_terms(s, topic, since=since)
            found = [m for i in item_ids[:items] if (m := get_item(s, i)) is not None]
            return QualityReport(topic, counts[0], counts[1], tuple(behind.most_common(terms)),
                                 tuple(found))  # fmt: skip

        return self.read(query)

    def export_verdicts(
        self, *, since: datetime | None = None, topic: str | None = None
    ) -> list[dict[str, object]]:
        """The chats' views as a labelled set `geoalert eval` reads: one line per (chat, item)
        — `labels` the topics judged relevant, `judged` every topic judged — with the item's
        stored title and text. Chat ids are left out; a second chat's line on the same item
        gets the id `ITEM.2`, and so on."""

        def query(s: Session) -> list[dict[str, object]]:
            lines: dict[tuple[int, str], dict[str, object]] = {}
            seen: dict[str, int] = {}
            stored: dict[str, StoredMatch | None] = {}
            for view in verdicts.views(s, since=since, topic=topic):
                if view.item_id not in stored:
                    stored[view.item_id] = get_item(s, view.item_id)
                found = stored[view.item_id]
                if found is None:
                    continue
                line = lines.get((view.chat_id, view.item_id))
                if line is None:
                    seen[view.item_id] = seen.get(view.item_id, 0) + 1
                    line = _line(found, seen[view.item_id])
                    lines[(view.chat_id, view.item_id)] = line
                judged = line["judged"]
                assert isinstance(judged, list)
                judged.append(view.topic)
                if view.relevant:
                    relevant = line["labels"]
                    assert isinstance(relevant, list)
                    relevant.append(view.topic)
            for line in lines.values():
                for key in ("labels", "judged"):
                    line[key] = sorted(line[key])  # type: ignore[call-overload]
            return list(lines.values())

        return self.read(query)


def _line(found: StoredMatch, nth: int) -> dict[str, object]:
    item = found.item
    lang = (item.language or "").lower()
    if not _LANG.match(lang):
        lang = language_of(f"{item.title} {item.text}")
    return {
        "id": item.id if nth == 1 else f"{item.id}.{nth}",
        "lang": lang,
        "title": item.title,
        "text": item.text,
        "labels": [],
        "judged": [],
    }
