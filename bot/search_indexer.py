"""Search indexing of what polls stored (SQLite's FTS5; PostgreSQL indexes on insert).

A poll's items are queued for the index as they are stored; this module drains the queue, one
transaction per batch, under the pipeline's writer lock so stores and batches take turns.
During a poll it indexes small batches in the gaps between feeds (`while_polling`): the
index's writer time — about 0.8 s for 10,000 new items — then overlaps the fetching and
parsing instead of following the poll's last store.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable
from typing import TypeVar

from sqlalchemy.engine import Engine

from bot import poll_report
from bot.errors import StorageError
from storage.engine import session_scope
from storage.search import INDEX_BATCH, index_pending

log = logging.getLogger("bot.pipeline")

DURING_POLL_BATCH = 500  # queued items per transaction while feeds are still being stored
# Seconds between those batches. At 0.25 s a 200-feed cold poll indexed about half its items
# while feeds came in and the rest after the last one: 0.32-0.35 s of a 4.1 s scan spent on
# the index alone. At 0.05 s the index keeps pace (0.02-0.05 s after the last feed), and a
# batch of 500 holds the writer for a few tens of milliseconds, so stores still alternate.
DURING_POLL_PAUSE = 0.05

T = TypeVar("T")


class SearchIndexer:
    """Drains the search queue of one database; `writer` is the pipeline's writer lock."""

    def __init__(self, engine: Engine, writer: threading.Lock) -> None:
        self.engine = engine
        self.writer = writer
        # PostgreSQL indexes on insert: its queue is always empty, so no batches during a poll
        # (each would open a transaction and take the writer lock for nothing).
        self.queued = engine.dialect.name == "sqlite"

    async def drain(self) -> int:
        """Index everything queued; returns the queue entries taken."""
        return await asyncio.to_thread(self._drain, INDEX_BATCH, None)

    async def while_polling(self, poll: Awaitable[T]) -> T:
        """Run `poll`, indexing one small batch whenever it has left the index alone for
        `DURING_POLL_PAUSE`; then what is left. The poll's own stores go first: a batch waits
        for the writer lock like any store, and holds it for a few tens of milliseconds."""
        task = asyncio.ensure_future(poll)
        try:
            while self.queued and not task.done():
                await asyncio.wait({task}, timeout=DURING_POLL_PAUSE)
                if not task.done():
                    await asyncio.to_thread(self._drain, DURING_POLL_BATCH, 1)
            result = await task
        except BaseException:
            task.cancel()  # cancelled (shutdown): the poll goes with it
            raise
        await self.drain()
        return result

    def _drain(self, batch: int, at_most: int | None) -> int:
        indexed, rounds = 0, 0
        while at_most is None or rounds < at_most:  # one transaction per batch
            rounds += 1
            try:
                with self.writer, session_scope(self.engine) as session:
                    done = index_pending(session, batch=batch)
            except StorageError as exc:  # still queued: indexed after the next poll
                log.warning("search index not updated reason=%s", poll_report.first_line(exc))
                return indexed
            if not done:
                break
            indexed += done
        return indexed
