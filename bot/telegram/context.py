"""What the handlers and jobs share: the facade, settings, the rules, the delivery state."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ParamSpec, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram.ext import ContextTypes

from bot.config import Settings
from bot.delivery import Delivery
from bot.matching import RuleSet
from bot.metrics import Metrics
from bot.models import Topic
from bot.pipeline import Pipeline
from bot.service import Geoalert, make_geoalert
from bot.telegram.throttle import CommandThrottle

T = TypeVar("T")
P = ParamSpec("P")


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
    service: Geoalert = field(init=False)  # every question the handlers ask goes through it

    def __post_init__(self) -> None:
        self.service = make_geoalert(
            self.settings, rules=self.rules, engine=self.engine, pipeline=self.pipeline
        )

    @property
    def topics(self) -> list[Topic]:
        return self.service.topics

    def topic(self, topic_id: str) -> Topic | None:
        return self.service.topic(topic_id)

    def feed_tags(self) -> dict[str, tuple[str, ...]]:
        """Provenance tags per feed URL, from feeds.yaml."""
        return self.service.feed_tags()

    def topic_ids(self) -> str:
        return self.service.topic_ids()

    async def call(self, method: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Ask the facade off the event loop: its methods block on the database."""
        return await asyncio.to_thread(method, *args, **kwargs)

    def feeds_changed(self) -> None:
        """The feed list changed (the facade reloaded it): alerts show the new tags."""
        if self.delivery is not None:
            self.delivery.tags = self.feed_tags()

    async def read(self, fn: Callable[[Session], T]) -> T:
        """Run a read-only query off the event loop (the runtime's jobs; handlers use `call`)."""
        return await asyncio.to_thread(self.service.read, fn)

    async def write(self, fn: Callable[[Session], T]) -> T:
        """Run one unit of work (committed, or rolled back on error) off the event loop."""
        return await asyncio.to_thread(self.service.write, fn)


def geo(context: ContextTypes.DEFAULT_TYPE) -> BotContext:
    return context.application.bot_data["geoalert"]  # type: ignore[no-any-return]
