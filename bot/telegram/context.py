"""What the handlers and jobs share: settings, the store, the rules, the delivery state."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.delivery import Delivery
from bot.matching import RuleSet
from bot.metrics import Metrics
from bot.models import Topic
from bot.pipeline import Pipeline
from bot.telegram.throttle import CommandThrottle
from storage.engine import session_scope

T = TypeVar("T")


@dataclass
class BotContext:
    """Lives in `application.bot_data["geoalert"]` for the life of the process."""

    settings: Settings
    engine: Engine
    rules: Callable[[], RuleSet]
    pipeline: Pipeline
    delivery: Delivery | None = None
    metrics: Metrics = field(default_factory=Metrics)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    last_poll_at: datetime | None = None
    rule_notices: list[str] = field(default_factory=list)  # rule errors admins must hear of
    throttle: CommandThrottle = field(default_factory=lambda: CommandThrottle(limit=20))
    digest_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    status_port: int | None = None  # where /healthz and /metrics listen, when enabled

    @property
    def topics(self) -> list[Topic]:
        return self.rules().topics

    def topic(self, topic_id: str) -> Topic | None:
        wanted = topic_id.strip().lower().lstrip("#")
        return next((tp for tp in self.topics if tp.id == wanted), None)

    def feed_tags(self) -> dict[str, tuple[str, ...]]:
        """Provenance tags per feed URL, from feeds.yaml."""
        return {feed.url: feed.tags for feed in self.pipeline.feeds}

    def topic_ids(self) -> str:
        return ", ".join(tp.id for tp in self.topics)

    async def read(self, fn: Callable[[Session], T]) -> T:
        """Run a read-only query off the event loop."""

        def work() -> T:
            with Session(self.engine) as session:
                return fn(session)

        return await asyncio.to_thread(work)

    async def write(self, fn: Callable[[Session], T]) -> T:
        """Run one unit of work (committed, or rolled back on error) off the event loop."""

        def work() -> T:
            with session_scope(self.engine) as session:
                return fn(session)

        return await asyncio.to_thread(work)


def geo(context: ContextTypes.DEFAULT_TYPE) -> BotContext:
    return context.application.bot_data["geoalert"]  # type: ignore[no-any-return]
