"""What the handlers and jobs share: the built runtime, the sender and the facade, reached
through the typed PTB context (`GeoContext`, whose `bot_data` is a `BotData` holding the
`BotContext`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.config import Settings
from bot.delivery import Delivery
from bot.matching import RuleSet
from bot.metrics import Metrics
from bot.models import Topic
from bot.pipeline import Pipeline
from bot.runtime import Runtime
from bot.service import Geoalert, make_geoalert
from bot.telegram.throttle import CommandThrottle

T = TypeVar("T")
P = ParamSpec("P")


@dataclass
class BotContext:
    """The built parts the handlers use, for the life of the process; a simple holder."""

    runtime: Runtime
    delivery: Delivery  # the one sender (also `runtime.output`)
    throttle: CommandThrottle = field(default_factory=lambda: CommandThrottle(limit=20))
    status_port: int | None = None  # where /healthz and /metrics listen, when enabled
    service: Geoalert = field(init=False)  # every question the handlers ask goes through it

    def __post_init__(self) -> None:
        runtime = self.runtime
        self.service = make_geoalert(
            runtime.settings, rules=runtime.rules, engine=runtime.engine, pipeline=runtime.pipeline
        )

    @property
    def settings(self) -> Settings:
        return self.runtime.settings

    @property
    def engine(self) -> Engine:
        return self.runtime.engine

    @property
    def rules(self) -> Callable[[], RuleSet]:
        return self.runtime.rules

    @property
    def pipeline(self) -> Pipeline:
        return self.runtime.pipeline

    @property
    def metrics(self) -> Metrics:
        return self.runtime.metrics

    @property
    def started_at(self) -> datetime:
        return self.runtime.started_at

    @property
    def last_poll_at(self) -> datetime | None:
        return self.runtime.last_poll_at

    @property
    def topics(self) -> list[Topic]:
        return self.service.topics

    def topic(self, topic_id: str) -> Topic | None:
        return self.runtime.topic(topic_id)

    def feed_tags(self) -> dict[str, tuple[str, ...]]:
        """Provenance tags per feed URL, from feeds.yaml."""
        return self.runtime.feeds.tags()

    def topic_ids(self) -> str:
        return self.service.topic_ids()

    async def call(self, method: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Ask the facade off the event loop: its methods block on the database."""
        return await asyncio.to_thread(method, *args, **kwargs)

    async def read(self, fn: Callable[[Session], T]) -> T:
        """Run a read-only query off the event loop (the runtime's jobs; handlers use `call`)."""
        return await asyncio.to_thread(self.service.read, fn)

    async def write(self, fn: Callable[[Session], T]) -> T:
        """Run one unit of work (committed, or rolled back on error) off the event loop."""
        return await asyncio.to_thread(self.service.write, fn)


class BotData:
    """`application.bot_data`: the `BotContext`, given when PTB creates it (see
    `context_types`), so nothing is stored in it afterwards."""

    __slots__ = ("geo",)

    def __init__(self, geo: BotContext) -> None:
        self.geo = geo


class GeoContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The context every handler and job gets: `context.geo` is the `BotContext`."""

    @property
    def geo(self) -> BotContext:
        return self.bot_data.geo


GeoTypes = ContextTypes[GeoContext, dict[Any, Any], dict[Any, Any], BotData]
GeoApp = Application[
    ExtBot[None], GeoContext, dict[Any, Any], dict[Any, Any], BotData, JobQueue[GeoContext]
]


def context_types(
    g: BotContext,
) -> ContextTypes[GeoContext, dict[Any, Any], dict[Any, Any], BotData]:
    """PTB context types whose `bot_data` is born holding `g` (PTB calls it without arguments)."""

    class Bound(BotData):
        __slots__ = ()

        def __init__(self) -> None:
            super().__init__(g)

    return ContextTypes(context=GeoContext, bot_data=Bound)


def geo(context: CallbackContext[Any, Any, Any, Any]) -> BotContext:
    """The `BotContext` of a handler's context (handlers typed `ContextTypes.DEFAULT_TYPE`
    get the same `GeoContext` object at run time)."""
    data = context.bot_data
    if not isinstance(data, BotData):
        raise TypeError("the application was not built by bot.telegram.app.build_application")
    return data.geo
