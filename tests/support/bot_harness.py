"""Run the real geoalert bot in-process against the fake Bot API and a loopback feed server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.config import Settings, load_settings
from bot.telegram.app import running_bot
from bot.telegram.context import BotContext, GeoApp
from tests.support.fake_bot_api import Call, FakeBotAPI
from tests.support.feed_server import FeedServer

REPO = Path(__file__).resolve().parent.parent.parent

EMPTY_RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
<link>https://wire.example/</link><description>d</description></channel></rss>"""


def rss(*items: tuple[str, ...]) -> bytes:
    """An RSS 2.0 feed with (guid, title, description[, pubDate]) items."""
    body = "".join(
        f"<item><guid>{i[0]}</guid><title>{i[1]}</title><description>{i[2]}</description>"
        f"<link>https://wire.example/{i[0]}</link>"
        f"<pubDate>{i[3] if len(i) > 3 else 'Mon, 20 Nov 2023 10:00:00 GMT'}</pubDate></item>"
        for i in items
    )
    return EMPTY_RSS.replace(b"</channel>", body.encode() + b"</channel>")


CSTO_ITEM = (
    "csto-1",
    "Armenia freezes its participation in the CSTO",
    "Prime Minister Nikol Pashinyan said Armenia has frozen its participation in the "
    "Collective Security Treaty Organization, the Russia-led military alliance.",
)
SANCTIONS_ITEM = (
    "sanc-1",
    "EU adopts new sanctions package against Russia",
    "The European Union adopted a new package of sanctions against Russia targeting "
    "banks and oil traders that help Moscow evade earlier restrictions.",
)


def bot_settings(
    tmp_path: Path, database_url: str, api: FakeBotAPI, feeds: FeedServer, **extra: object
) -> Settings:
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_text(f"- url: {feeds.url('/wire.xml')}\n  name: Wire\n  tags: [wire]\n")
    feeds.route("/wire.xml", body=EMPTY_RSS)
    values: dict[str, object] = {
        "DATABASE_URL": database_url,
        "GEOALERT_FEEDS": feeds_file,
        "GEOALERT_RULES_DIR": REPO / "rules",
        "GEOALERT_SEEDS_DIR": REPO / "seeds",
        "GEOALERT_POLL_INTERVAL": 3600,
        "GEOALERT_CHAT_MIN_INTERVAL": 0,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_BASE_URL": api.base_url,
        "GEOALERT_ADMIN_IDS": "777",
        "GEOALERT_ALLOW_PRIVATE_FEEDS": True,  # the feed server is on loopback
        # Bot behaviour, not parsing concurrency: a worker thread parses here, so a busy CI
        # machine does not spend the tests' 5 s waits starting two parsing processes per bot
        # (tests/test_pipeline.py and tests/test_process.py run the processes).
        "GEOALERT_PARSE_WORKERS": 0,
    }
    values.update(extra)
    return load_settings(_env_file=None, **values)


@dataclass
class RunningBot:
    """A started bot plus handles to drive it."""

    app: GeoApp
    api: FakeBotAPI
    feeds: FeedServer

    @property
    def g(self) -> BotContext:
        return self.app.bot_data.geo

    @property
    def engine(self) -> Engine:
        return self.g.engine

    async def poll_now(self) -> None:
        """What the scheduled poll job does, now, for every feed (interval ignored)."""
        await self.g.runtime.poll(force=True)

    def advance(self, seconds: float) -> None:
        """Move the pipeline's clock forward (back-off and intervals elapse without sleeping)."""
        shift = timedelta(seconds=seconds) + (self.g.pipeline.clock() - datetime.now(UTC))
        self.g.pipeline.clock = lambda: datetime.now(UTC) + shift

    async def deliver_now(self) -> None:
        assert self.app.job_queue is not None
        (job,) = self.app.job_queue.get_jobs_by_name("deliver")
        await job.run(self.app)

    async def command(self, chat_id: int, text: str, **kwargs: object) -> Call:
        """Send a message as a user and wait for the bot's reply in that chat."""
        before = len(self.api.sent_messages(chat_id))
        self.api.inject_message(chat_id, text, **kwargs)  # type: ignore[arg-type]
        calls = await self.api.await_calls(
            lambda c: c.method == "sendMessage" and c.chat_id == chat_id and not c.failed,
            count=before + 1,
        )
        return calls[-1]


@contextlib.asynccontextmanager
async def start_bot(
    settings: Settings, api: FakeBotAPI, feeds: FeedServer
) -> AsyncIterator[RunningBot]:
    async with running_bot(settings) as app:
        bot = RunningBot(app, api, feeds)
        # The first scheduled poll ingests the seed corpus; wait until it has run.
        await api.await_calls("setMyCommands", count=2)
        await bot.poll_now()
        yield bot


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until `check()` holds (state written by the bot after Telegram answered)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition still false after {timeout}s")
        await asyncio.sleep(0.02)
