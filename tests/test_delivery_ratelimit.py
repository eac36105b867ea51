"""The production rate limiter, through the real Application and the fake Bot API's 30/s rule."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.config import load_settings
from bot.telegram.app import make_bot
from bot.telegram.ratelimit import RateLimiter


@pytest.fixture
async def bot(tmp_path, fake_bot_api) -> AsyncIterator[object]:
    settings = load_settings(
        _env_file=None, DATABASE_URL=f"sqlite:///{tmp_path / 'unused.db'}",
        TELEGRAM_BOT_TOKEN=fake_bot_api.token, TELEGRAM_API_BASE_URL=fake_bot_api.base_url,
    )  # fmt: skip
    bot = make_bot(settings)
    assert isinstance(bot.rate_limiter, RateLimiter)
    async with bot:
        yield bot


async def test_a_fan_out_never_exceeds_30_sends_in_any_second(bot, fake_bot_api):
    fake_bot_api.fail_rate_limit(global_per_sec=30)
    await asyncio.gather(*(bot.send_message(300_000 + n, f"alert {n}") for n in range(75)))
    sent = fake_bot_api.sent_messages()
    assert len(sent) == 75 and fake_bot_api.rejected_count() == 0
    assert fake_bot_api.max_rate("sendMessage") <= 30
    assert sent[-1].at - sent[0].at >= 2.0  # 75 sends: a third window was needed


async def test_an_unanswered_request_still_counts_against_the_second(bot, fake_bot_api):
    """Slow answers: the 31st send waits a second after the first *answer*, not the first
    start, since Telegram may have counted the first request as late as that."""
    fake_bot_api.set_latency(0.5)  # every request recorded at once, answered 0.5 s later
    await asyncio.gather(*(bot.send_message(400_000 + n, f"alert {n}") for n in range(31)))
    sent = fake_bot_api.sent_messages()
    assert sent[30].at - sent[0].at >= 1.5


async def test_groups_keep_their_20_a_minute(bot, fake_bot_api):
    group = -1_001_234_567_890
    sends = [asyncio.create_task(bot.send_message(group, f"alert {n}")) for n in range(21)]
    await fake_bot_api.await_calls("sendMessage", count=20)
    await asyncio.sleep(1.0)
    assert len(fake_bot_api.sent_messages(group)) == 20 and not sends[20].done()
    for task in sends:
        task.cancel()
    await asyncio.gather(*sends, return_exceptions=True)
