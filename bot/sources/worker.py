"""What a parsing process runs: turn a fetched body into items, match and fingerprint them.

The feed parser (`bot.sources.parse`: feedparser, charset-normalizer, about 11 MB) is imported
on first use, by `prepare` in a parsing process: the main process, which only fetches and
stores when parsing processes exist, never loads it.

This module imports only the feed parser, the rules engine and the story fingerprint — no
HTTP client, database or Telegram library — because a parsing process imports what it needs
to unpickle its work: a process started through `bot.pipeline` imported SQLAlchemy, httpx and
the rest, about 85 MB each; through this module about 40 MB.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from bot.event_terms import lexicon
from bot.matching import RuleSet
from bot.memory import exit_without_collecting
from bot.models import FeedConfig, FetchResult, FetchState
from bot.stories import fingerprint

log = logging.getLogger("bot.sources.fetch")  # the fetch's one log line per failed feed


class FetchFailed(Exception):
    """A fetch failed for `reason` (with an HTTP status / Retry-After when known)."""

    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Response:
    """The parts of a successful response that the rest of the fetch needs."""

    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    content_type: str | None


def finish(
    feed: FeedConfig,
    state: FetchState,
    response: Response,
    now: datetime,
    max_items: int,
    rules: RuleSet | None = None,
) -> FetchResult:
    """Hash the body, skip parsing when unchanged, otherwise parse into items, fingerprint them
    and (given `rules`) match them."""
    digest = hashlib.sha256(response.body).hexdigest()
    new_state = FetchState(
        etag=response.etag or None,
        last_modified=response.last_modified or None,
        content_hash=digest,
    )
    if digest == state.content_hash:
        return FetchResult(feed=feed, state=new_state, not_modified=True, status=response.status)
    from bot.sources.parse import parse_feed

    items, problem = parse_feed(
        response.body, feed, fetched=now, content_type=response.content_type, max_items=max_items
    )
    if problem and not items:
        return failed(feed, state, FetchFailed(problem, status=response.status))
    matches = None
    storied = items  # the items that may join a story: the matched ones, once known
    if rules is not None:
        found = ((item.id, rules.match(item.title, item.text, item.language)) for item in items)
        matches = tuple((item_id, tuple(hits)) for item_id, hits in found if hits)
        matched = {item_id for item_id, _ in matches}
        storied = [item for item in items if item.id in matched]
    fingerprints = tuple((item.id, fingerprint(item).to_bytes()) for item in storied)
    return FetchResult(
        feed=feed,
        items=tuple(items),
        state=new_state,
        status=response.status,
        fingerprints=fingerprints,
        matches=matches,
    )


def failed(feed: FeedConfig, state: FetchState, exc: FetchFailed) -> FetchResult:
    """Log the one failure line and keep the previous state so the next poll retries cleanly."""
    log.warning("feed fetch failed feed=%s url=%s reason=%s", feed.name, feed.url, exc.reason)
    return FetchResult(
        feed=feed, state=state, error=exc.reason, status=exc.status, retry_after=exc.retry_after
    )


def prepare(rules: RuleSet | None) -> None:
    """Runs first in each parsing process: unpickling `rules` compiled them (cached for the
    process); the story lexicon that fingerprints matched items and the parser are loaded
    here."""
    import bot.sources.parse  # noqa: F401

    lexicon()
    exit_without_collecting()  # the main process waits for this one's exit
    parent = multiprocessing.parent_process()  # None: not started by multiprocessing
    if parent is not None and parent.pid is not None:
        _exit_with_parent(parent.pid)


def _exit_with_parent(parent: int, every: float = 1.0) -> None:
    """End this process soon after the process that started it is gone (killed with SIGKILL,
    say, outside a container): its queues would never tell, since this process holds both ends
    of its task pipe, and it stayed, with the resource tracker it keeps open, until reboot.
    `parent` is the pid the start-up data names, not `os.getppid()` now: the parent may have
    died before this process got here."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def ready(rules: RuleSet | None = None) -> bool:
    """A task that does nothing: submitting one per process starts them all. Unpickling its
    `rules` compiled them in this process (about 0.5 s of CPU, cached), so the first feed,
    which carries the same rules, does not wait for that."""
    return True
