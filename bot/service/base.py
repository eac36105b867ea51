"""The facade's foundation: settings, the live rules, the store and its units of work."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.errors import GeoalertError
from bot.matching import RuleSet
from bot.models import FeedConfig, Topic
from bot.pipeline import Pipeline
from bot.wiring import open_store
from storage.engine import session_scope

T = TypeVar("T")


def now_or(now: datetime | None) -> datetime:
    """`now`, or the current UTC time (the facade's methods take `now` for tests)."""
    return now or datetime.now(UTC)


class Base:
    """What every part of the facade shares: one session per method, the rules, the topics."""

    def __init__(
        self,
        settings: Settings,
        rules: Callable[[], RuleSet],
        *,
        engine: Engine | None = None,
        pipeline: Pipeline | None = None,
    ) -> None:
        self.settings = settings
        self.rules = rules  # the live rule set (a RulesHolder in the bot)
        self.pipeline = pipeline  # when polling: its feed list follows feed changes
        self._engine = engine
        self._owns_engine = engine is None
        self._feeds: list[FeedConfig] | None = None

    # -- units of work -------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The store, opened (and migrated) on first use: a command that fails on its
        arguments never creates a database."""
        if self._engine is None:
            self._engine = open_store(self.settings)
        return self._engine

    def ensure_schema(self) -> None:
        """Open the store now, migrating it to the latest schema (`geoalert db upgrade`)."""
        _ = self.engine

    def read(self, fn: Callable[[Session], T]) -> T:
        """Run a read-only query. (Public for the runtime's jobs that still query directly.)"""
        with Session(self.engine) as session:
            return fn(session)

    def write(self, fn: Callable[[Session], T]) -> T:
        """Run one unit of work: committed, or rolled back on error."""
        with session_scope(self.engine) as session:
            return fn(session)

    def close(self) -> None:
        """Release the engine's connections (only when this facade opened it)."""
        if self._engine is not None and self._owns_engine:
            self._engine.dispose()

    # -- topics and feeds ----------------------------------------------------------------------

    @property
    def topics(self) -> list[Topic]:
        return self.rules().topics

    def topic(self, topic_id: str) -> Topic | None:
        """The topic named `topic_id` ("#CSTO" and " csto" too), or None."""
        wanted = topic_id.strip().lower().lstrip("#")
        return next((tp for tp in self.topics if tp.id == wanted), None)

    def require_topic(self, topic_id: str) -> Topic:
        """The topic with exactly this id; `GeoalertError` naming the known ones otherwise."""
        for candidate in self.topics:
            if candidate.id == topic_id:
                return candidate
        names = ", ".join(tp.id for tp in self.topics)
        raise GeoalertError(f"unknown topic {topic_id!r}; known topics: {names}")

    def topic_ids(self) -> str:
        return ", ".join(tp.id for tp in self.topics)

    def parse_topics(self, args: Iterable[str]) -> tuple[list[str], list[str]]:
        """(known topic ids, unknown names) in `args`, comma-separated or not, known ones once."""
        known: list[str] = []
        unknown: list[str] = []
        for arg in args:
            for part in arg.split(","):
                if not part.strip():
                    continue
                topic = self.topic(part)
                (known if topic else unknown).append(topic.id if topic else part)
        return list(dict.fromkeys(known)), unknown
