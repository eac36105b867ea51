"""Per-chat command rate limit, so one user cannot flood the bot or the database (pure)."""

from __future__ import annotations

from collections import deque
from enum import Enum


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # the first refused command in a window gets one short reply
    DROP = "drop"  # later ones are ignored silently


class CommandThrottle:
    """At most `limit` commands per chat in any `window` seconds (a sliding window)."""

    def __init__(self, limit: int, window: float = 60.0, max_chats: int = 10_000) -> None:
        self.limit, self.window, self.max_chats = limit, window, max_chats
        self._seen: dict[int, deque[float]] = {}
        self._warned: set[int] = set()

    def check(self, chat_id: int, now: float) -> Verdict:
        if self.limit <= 0:
            return Verdict.ALLOW
        times = self._seen.get(chat_id)
        if times is None:
            if len(self._seen) >= self.max_chats:  # bound memory: forget idle chats
                self._forget_idle(now)
            times = self._seen[chat_id] = deque()
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            self._warned.discard(chat_id)
            return Verdict.ALLOW
        if chat_id in self._warned:
            return Verdict.DROP
        self._warned.add(chat_id)
        return Verdict.WARN

    def _forget_idle(self, now: float) -> None:
        for chat_id in [c for c, t in self._seen.items() if not t or now - t[-1] >= self.window]:
            del self._seen[chat_id]
            self._warned.discard(chat_id)
