"""Where `geoalert run` puts its results: the console, Telegram through the one sender, or, on
a replica without the sender role, a `NOTIFY` that wakes the replica that holds it."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

from bot.models import StoredMatch
from bot.render import match_line
from bot.replicas import Replica


class Output(Protocol):
    """Where the runtime's results go: the console, or Telegram through the outbox."""

    def show(self, matches: Sequence[StoredMatch]) -> None:
        """New matches of a poll (their alerts are in the outbox already)."""

    async def drain(self) -> object:
        """Push what is due in the outbox now."""

    def kick(self) -> None:
        """Start a drain soon (called as each feed's alerts are stored)."""

    async def settle(self) -> None:
        """Shutdown: wait for the sends in flight."""


class ConsoleOutput:
    """Console mode: each new match printed on a line; the outbox waits for a Telegram run."""

    def show(self, matches: Sequence[StoredMatch]) -> None:
        for m in matches:
            print(match_line(m), flush=True)

    async def drain(self) -> None:
        return None

    def kick(self) -> None:
        return None

    async def settle(self) -> None:
        return None


class SenderGate:
    """The runtime's output on a replica: pushes go through the wrapped sender only while this
    replica holds the sender role; otherwise queued work wakes the sender with `NOTIFY`."""

    def __init__(self, inner: Output, replica: Replica) -> None:
        self.inner = inner
        self.replica = replica
        self._tasks: set[asyncio.Task[None]] = set()

    def show(self, matches: Sequence[StoredMatch]) -> None:
        self.inner.show(matches)

    async def drain(self) -> object:
        if self.replica.is_sender:
            return await self.inner.drain()
        await asyncio.to_thread(self.replica.notify)
        return None

    def kick(self) -> None:
        if self.replica.is_sender:
            self.inner.kick()
            return
        task = asyncio.get_running_loop().create_task(asyncio.to_thread(self.replica.notify))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settle(self) -> None:
        await self.inner.settle()
