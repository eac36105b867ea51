"""The bot's rate limiter: Telegram's overall limit, kept whatever the requests' delays.

Telegram answers 429 to a bot sending more than about 30 messages in a second. PTB's
AIORateLimiter keeps that with a leaky bucket (aiolimiter), which must be a bucket of one,
`AsyncLimiter(1, 1/29)`, to never let a burst through, and a bucket of one loses every delay:
each send is timed from the one before, so a timer firing a millisecond late, an event loop
busy for 50 ms or the pause between two outbox batches pushes every later send back, for good
(bench_delivery: 29/s configured, 27.8/s achieved). Timing sends from the start of the send
30 earlier instead makes up for lost time, but then the figure Telegram counts, the requests
*arriving* in a second, depends on the delays on the way: with sends 1.015 s apart at the
30-send distance, the fake Bot API on loopback still counted 31 in a second under load.

`SendWindow` needs no assumption about delays: a request arrives after it was started and
before its answer came back. A send may start only when fewer than 30 requests are either
unanswered or answered less than a second ago; then no 31 requests can arrive within one
second (the last of them to start would have seen the other 30). A send costs one second plus
its round trip of one of the 30 places, so the rate is 30 / (1 s + round trip): close to 30 on
a fast link, and it slows down by itself when Telegram answers slowly.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import math
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter, BaseRateLimiter

JSONDict = dict[str, Any]
Result = bool | JSONDict | list[JSONDict]

OVERALL_MAX_SENDS = 30  # Telegram: about 30 messages a second, all chats together
OVERALL_PERIOD = 1.0
GROUP_MAX_RATE = 20  # per group and minute


class SendWindow:
    """At most `max_sends` requests can arrive in any `period` seconds (see the module
    docstring); sends start at least `min_gap` apart, first come first served."""

    def __init__(self, max_sends: int, period: float, *, min_gap: float = 0.0) -> None:
        self.max_sends, self.period, self.min_gap = max_sends, period, min_gap
        self.in_flight = 0
        self._answered: deque[float] = deque()  # loop times of recent answers, oldest first
        self._last_start = -math.inf
        self._turn = asyncio.Lock()
        self._freed: asyncio.Future[None] | None = None

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one place from before the request starts until after its answer is back."""
        await self._acquire()
        try:
            yield
        finally:
            self.in_flight -= 1
            self._answered.append(asyncio.get_running_loop().time())
            if self._freed is not None and not self._freed.done():
                self._freed.set_result(None)

    async def _acquire(self) -> None:
        async with self._turn:
            loop = asyncio.get_running_loop()
            while (wait := self._wait(loop.time())) > 0:
                if wait == math.inf:  # every place taken by an unanswered request
                    self._freed = loop.create_future()
                    await self._freed
                else:
                    await asyncio.sleep(wait)
            self.in_flight += 1
            self._last_start = loop.time()

    def _wait(self, now: float) -> float:
        """Seconds until a send may start (inf: until a request is answered)."""
        answered = self._answered
        while answered and answered[0] <= now - self.period:
            answered.popleft()
        wait = self._last_start + self.min_gap - now
        over = self.in_flight + len(answered) - self.max_sends  # places to free, minus one
        if over >= 0:
            if over >= len(answered):
                return math.inf
            wait = max(wait, answered[over] + self.period - now)
        return wait


class RateLimiter(BaseRateLimiter[None]):
    """Every request to a chat holds a place of `overall`; group limits (20 a minute), paid
    broadcasts and retries are AIORateLimiter's."""

    def __init__(
        self,
        *,
        max_sends: int = OVERALL_MAX_SENDS,
        period: float = OVERALL_PERIOD,
        group_max_rate: int = GROUP_MAX_RATE,
        max_retries: int = 0,
    ) -> None:
        # A late send may be made up for at 1.25 × the average rate, not in a sudden burst.
        self.overall = SendWindow(max_sends, period, min_gap=0.8 * period / max_sends)
        self._rest = AIORateLimiter(
            overall_max_rate=0, group_max_rate=group_max_rate, max_retries=max_retries
        )

    async def initialize(self) -> None:
        await self._rest.initialize()

    async def shutdown(self) -> None:
        await self._rest.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> Result:
        if data.get("chat_id") is not None and not data.get("allow_paid_broadcast"):
            callback = functools.partial(self._paced, callback)
        return await self._rest.process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )

    async def _paced(
        self, request: Callable[..., Coroutine[Any, Any, Result]], *args: Any, **kwargs: Any
    ) -> Result:
        async with self.overall.slot():  # after the group's limit: right around the request
            return await request(*args, **kwargs)
