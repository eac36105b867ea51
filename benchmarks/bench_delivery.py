"""Fan one alert out to many subscribed chats through the fake Bot API under Telegram's limit.

    python benchmarks/bench_delivery.py               # 10,000 chats (~6 minutes at 30 msg/s)
    python benchmarks/bench_delivery.py --chats 2000
    python benchmarks/bench_delivery.py --smoke       # 100 chats (CI)

Real pieces only: a SQLite file populated through the storage functions (touch_chat, subscribe,
add_new_items, enqueue_alerts), the Bot API client from `bot.telegram.app.make_bot`
(so the bot has the production rate limiter, `bot/telegram/ratelimit.py`), the real `Delivery`
with the production `chat_min_interval`, and `drain()` called the way the deliver job calls it:
every DELIVERY_INTERVAL seconds, never two at once (a drain that overruns skips the missed
ticks, as APScheduler's max_instances=1 does). The fake Bot API answers 429 to any send beyond
30 in a sliding second (`fail_rate_limit(global_per_sec=30)`), as Telegram does.

Reports messages/s (alerts delivered / time from the first drain to the empty outbox), the
busiest second seen by the fake, and the 429s provoked. Target: ≥ 29 msg/s with zero 429s.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
from benchmarks._common import emit, machine

TELEGRAM_LIMIT = 30  # messages per second, all chats together (Telegram's bot FAQ)
GROUP_SHARE = 10  # every 10th chat is a group (negative id), the rest private chats


def populate(engine, chats: int) -> str:  # type: ignore[no-untyped-def]
    """`chats` chats subscribed to `csto` an hour ago, one matched item, its alerts queued."""
    from sqlmodel import Session

    from bot.models import Evidence, Item, TopicMatch, make_item_id
    from storage import chats as chat_store
    from storage import items as item_store
    from storage import outbox
    from storage.engine import session_scope

    now = datetime.now(UTC)
    earlier = now - timedelta(hours=1)
    with session_scope(engine) as session:
        for n in range(1, chats + 1):
            group = n % GROUP_SHARE == 0
            chat_id = -(1_000_000_000_000 + n) if group else 100_000 + n
            chat_store.touch_chat(
                session, chat_id, chat_type="supergroup" if group else "private",
                title=f"Group {n}" if group else None, user_language="ru" if n % 3 else "en",
                now=earlier,
            )  # fmt: skip
            chat_store.subscribe(session, chat_id, ["csto"], thread_id=0, now=earlier)
    url = "https://news.example/feed.xml"
    item = Item(
        id=make_item_id(url, "csto-bench-1"), source=url, source_name="Bench Wire",
        key="csto-bench-1", title="Armenia freezes its participation in the CSTO",
        text="Prime Minister Nikol Pashinyan said Armenia has frozen its participation in the "
        "Collective Security Treaty Organization, the Russia-led military alliance.",
        link="https://news.example/csto-bench-1", publisher="Bench Wire", language="en",
        published=now, published_origin="feed", fetched=now, source_ref=url,
    )  # fmt: skip
    match = TopicMatch("csto", Evidence(terms=("CSTO",), snippet="…in the CSTO…"))
    with session_scope(engine) as session:
        item_store.add_new_items(session, [item])
        item_store.add_matches(session, item.id, [match], now=now)
        queued = outbox.enqueue_alerts(session, item.id, ["csto"], now=now)
    with Session(engine) as session:
        assert outbox.backlog(session) == queued == chats, (queued, chats)
    return item.id


async def run(chats: int, db: Path) -> dict[str, float]:
    from sqlmodel import Session

    from bot.config import load_settings
    from bot.delivery import Delivery
    from bot.telegram import app as app_module
    from storage import make_engine, upgrade
    from storage.outbox import backlog
    from tests.support.fake_bot_api import FakeBotAPI

    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    start = time.perf_counter()
    populate(engine, chats)
    print(f"  {chats} chats subscribed and {chats} alerts queued in "
          f"{time.perf_counter() - start:.1f}s")  # fmt: skip

    with FakeBotAPI() as api:
        api.fail_rate_limit(global_per_sec=TELEGRAM_LIMIT)
        settings = load_settings(
            _env_file=None, DATABASE_URL=f"sqlite:///{db}", TELEGRAM_BOT_TOKEN=api.token,
            TELEGRAM_API_BASE_URL=api.base_url,
        )  # fmt: skip
        async with app_module.make_bot(settings) as telegram_bot:
            delivery = Delivery(engine, telegram_bot, chat_min_interval=settings.chat_min_interval)
            interval = getattr(app_module, "DELIVERY_INTERVAL", 2.0)
            budget = chats / TELEGRAM_LIMIT * 3 + 60
            drains = 0
            t0 = time.monotonic()
            while True:
                await delivery.drain()
                drains += 1
                with Session(engine) as session:
                    left = backlog(session)
                now = time.monotonic()
                if left == 0 or now - t0 > budget:
                    break
                ticks = math.floor((now - t0) / interval) + 1  # next scheduler tick
                await asyncio.sleep(t0 + ticks * interval - now)
            elapsed = time.monotonic() - t0
        sent = api.sent_messages()
        return {
            "sent": len(sent),
            "left": left,
            "elapsed": elapsed,
            "drains": drains,
            "active": (sent[-1].at - sent[0].at) if len(sent) > 1 else elapsed,
            "max_1s": api.max_rate("sendMessage"),
            "r429": api.rejected_count("sendMessage", status=429),
            "interval": interval,
            "chat_min_interval": settings.chat_min_interval,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--smoke", action="store_true", help="100 chats (CI)")
    args = parser.parse_args()
    chats = 100 if args.smoke else args.chats
    logging.basicConfig(level=logging.ERROR)  # Delivery logs each RetryAfter at WARNING
    logging.getLogger("telegram").setLevel(logging.CRITICAL)  # and PTB each one with a traceback
    print(f"machine: {machine()}")
    print(f"fan-out of one alert to {chats} chats ({chats // GROUP_SHARE} groups), fake Bot API "
          f"answering 429 above {TELEGRAM_LIMIT} sends in any second")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        r = asyncio.run(run(chats, Path(tmp) / "delivery.db"))
    rate = r["sent"] / r["elapsed"]
    print(f"  drain() every {r['interval']:g}s, chat_min_interval={r['chat_min_interval']:g}s: "
          f"{r['drains']} drains")  # fmt: skip
    print(f"  delivered {r['sent']:.0f} of {chats} in {r['elapsed']:.1f}s "
          f"({r['left']:.0f} left): {rate:.1f} msg/s overall, "
          f"{r['sent'] / max(r['active'], 1e-9):.1f} msg/s first-to-last send")  # fmt: skip
    print(f"  busiest second at the fake: {r['max_1s']:.0f} sends; 429s provoked: {r['r429']:.0f}")
    print()
    met = rate >= 29 and r["r429"] == 0 and r["left"] == 0
    emit("delivery: fan-out msg/s", f"{rate:.1f} msg/s, {r['r429']:.0f}×429",
         f"{TELEGRAM_LIMIT} msg/s (Telegram limit)", f"{rate / TELEGRAM_LIMIT:.2f}×",
         "≥ 29 msg/s, 0×429", met)  # fmt: skip


if __name__ == "__main__":
    main()
