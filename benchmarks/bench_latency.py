"""Alert latency: from an item appearing in a feed to the Bot API receiving its alert.

    python benchmarks/bench_latency.py            # 30 items over ~2 minutes
    python benchmarks/bench_latency.py --smoke    # 2 items (CI)

The real bot (`bot.telegram.app.running_bot`, GEOALERT_POLL_INTERVAL=10, the production
chat_min_interval) polls 20 loopback feeds of 50 items each (100 ms per response, ETag and
Last-Modified, so unchanged feeds answer 304) and alerts one subscribed chat through the fake
Bot API. Topical items are appended to random feeds at random moments. For every item:

- total      = fake Bot API receives its sendMessage − the item was appended;
- waiting    = the feed host receives the first request that served it − the item was appended
               (time until the next poll reached that feed);
- processing = sendMessage received − that request received (fetch with its 100 ms latency,
               parse, match, store, the rest of the poll, the drain).

All three clocks are time.monotonic() in this process. Target: processing < 1 s median for the
alerts that find the chat free; an alert following another to the same chat within a second
also waits for Telegram's 1 message a second per chat (the production chat_min_interval), which
the table shows apart.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
from benchmarks._common import (
    RULES_DIR,
    SEEDS_DIR,
    FeedHost,
    GenItem,
    emit,
    machine,
    make_item,
    make_items,
    median,
    percentile,
    render_feed,
    sentence,
)

POLL_INTERVAL = 10
CHAT_SPACING = 1.0  # the production chat_min_interval: Telegram's ~1 message a second per chat
CHAT_ID = 31337
TOPICS = ["csto", "sanctions", "non_recognition"]


@dataclass
class Appended:
    marker: str
    path: str
    version: int
    at: float
    fetched_at: float | None = None
    sent_at: float | None = None


def subscribe_chat(engine) -> None:  # type: ignore[no-untyped-def]
    """Subscribe after the first poll, so the seed corpus's matches (older) are not alerted."""
    from storage import chats
    from storage.engine import session_scope

    now = datetime.now(UTC)
    with session_scope(engine) as session:
        chats.touch_chat(session, CHAT_ID, chat_type="private", title=None, user_language="en",
                         now=now)  # fmt: skip
        chats.subscribe(session, CHAT_ID, TOPICS, thread_id=0, now=now)


async def run(n_items: int, max_gap: float, tmp: Path, seed: int) -> list[Appended]:
    from bot.config import load_settings
    from bot.telegram.app import running_bot
    from tests.support.fake_bot_api import FakeBotAPI

    rng = random.Random(seed)
    n_feeds = 20
    feeds: dict[str, tuple[str, list[GenItem]]] = {}
    with FeedHost(latency=0.1) as host, FakeBotAPI() as api:
        api.fail_rate_limit(global_per_sec=30)
        lines = []
        for n in range(n_feeds):
            lang = "ru" if n % 2 else "en"
            path = f"/lat/{n}.xml"
            feeds[path] = (lang, make_items(rng, lang, f"lat{n}", 50, topical_share=0.0))
            host.put(path, render_feed(f"Latency {n}", lang, feeds[path][1]))
            lines.append(f"- url: {host.base_url}{path}\n  name: Latency {n}\n")
        feeds_file = tmp / "feeds.yaml"
        feeds_file.write_text("".join(lines))
        settings = load_settings(
            _env_file=None,
            DATABASE_URL=f"sqlite:///{tmp / 'latency.db'}",
            GEOALERT_FEEDS=feeds_file,
            GEOALERT_RULES_DIR=RULES_DIR,
            GEOALERT_SEEDS_DIR=SEEDS_DIR,
            GEOALERT_POLL_INTERVAL=POLL_INTERVAL,
            GEOALERT_ALLOW_PRIVATE_FEEDS=True,  # loopback feeds (ignored where not a setting)
            TELEGRAM_BOT_TOKEN=api.token,
            TELEGRAM_API_BASE_URL=api.base_url,
        )
        appended: list[Appended] = []
        async with running_bot(settings) as app:
            g = app.bot_data.geo
            deadline = time.monotonic() + 60
            while g.last_poll_at is None:  # the first poll ingests every feed
                if time.monotonic() > deadline:
                    raise SystemExit("the bot's first poll did not finish within 60 s")
                await asyncio.sleep(0.05)
            await asyncio.to_thread(subscribe_chat, g.engine)
            print(f"  first poll done; appending {n_items} items at random moments")
            for i in range(n_items):
                await asyncio.sleep(rng.uniform(0.3, max_gap))
                path = rng.choice(list(feeds))
                lang, items = feeds[path]
                marker = f"ref L{i:03d}"
                new = make_item(rng, lang, f"lat-new-{i}", topical=True, marker=marker)
                # A distinct event on a watched topic: with the template's headline alone, later
                # items joined the first one's story and were an edit, not a new alert.
                new.title = f"{sentence(rng, lang, 4, 4).rstrip('.')}: {new.title}"
                items.append(new)
                items[:] = items[-50:]
                item_at = time.monotonic()
                version = host.put(path, render_feed(f"Latency {path}", lang, items))
                item_at = (item_at + time.monotonic()) / 2
                appended.append(Appended(marker, path, version, item_at))
            wait_until = time.monotonic() + POLL_INTERVAL * 1.5 + 20
            while time.monotonic() < wait_until:
                texts = [(c.at, c.params.get("text", "")) for c in api.sent_messages(CHAT_ID)]
                for a in appended:
                    if a.sent_at is None:
                        a.sent_at = next((at for at, t in texts if a.marker in t), None)
                if all(a.sent_at is not None for a in appended):
                    break
                await asyncio.sleep(0.1)
        for a in appended:
            a.fetched_at = next(
                (h.at for h in host.hits_to(a.path) if h.status == 200 and h.version >= a.version),
                None,
            )
        texts = [c.params["text"] for c in api.sent_messages(CHAT_ID)]
        dupes = len(texts) - len(set(texts))
        if dupes:  # two drains at once (the poll job's and the deliver job's) can do this
            print(f"  warning: {dupes} alert(s) were sent more than once")
        edits = len(api.calls_to("editMessageText"))
        if edits:  # a later item judged the same event: its alert edits the first one
            print(f"  note: {edits} alert(s) were edits of an earlier alert of the same story")
        unsent = [a.marker for a in appended if a.sent_at is None]
        if unsent:
            print(f"  no alert for: {', '.join(unsent)}")
        r429 = api.rejected_count("sendMessage", status=429)
        if r429:
            print(f"  note: {r429} sendMessage calls answered 429")
    return appended


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="2 items (CI)")
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--max-gap", type=float, default=6.0, help="max seconds between items")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    n_items, max_gap = (2, 3.0) if args.smoke else (args.items, args.max_gap)
    logging.basicConfig(level=logging.ERROR)
    print(f"machine: {machine()}")
    print(f"real bot, poll interval {POLL_INTERVAL}s, 20 feeds x 50 items, 100 ms per response")
    with tempfile.TemporaryDirectory() as tmp:
        appended = asyncio.run(run(n_items, max_gap, Path(tmp), args.seed))

    done = [a for a in appended if a.sent_at is not None and a.fetched_at is not None]
    missing = len(appended) - len(done)
    if missing:
        print(f"  warning: {missing} of {len(appended)} items got no alert in time")
    if not done:
        emit("latency: feed → alert", "no alerts", f"poll interval {POLL_INTERVAL}s", "—",
             "processing < 1 s median", False)  # fmt: skip
        raise SystemExit(1)
    total = [a.sent_at - a.at for a in done]  # type: ignore[operator]
    waiting = [a.fetched_at - a.at for a in done]  # type: ignore[operator]
    processing = [a.sent_at - a.fetched_at for a in done]  # type: ignore[operator]
    # Telegram allows a chat about one message a second: a second alert for the one chat in the
    # same poll waits for it, a wait set by Telegram like the wait for the next poll. `free`:
    # processing of the alerts that found the chat free (no alert in the second before).
    free = []
    previous: float | None = None
    for a in sorted(done, key=lambda a: a.sent_at):  # type: ignore[arg-type,return-value]
        if previous is None or a.fetched_at >= previous + CHAT_SPACING:  # type: ignore[operator]
            free.append(a.sent_at - a.fetched_at)  # type: ignore[operator]
        previous = a.sent_at
    print(f"\n{'seconds':<12} {'median':>8} {'p95':>8} {'max':>8}")
    rows = (("total", total), ("waiting", waiting), ("processing", processing),
            ("  chat free", free))  # fmt: skip
    for name, values in rows:
        print(f"{name:<12} {median(values):>8.2f} {percentile(values, 95):>8.2f} "
              f"{max(values):>8.2f}")  # fmt: skip
    share = sum(waiting) / sum(total)
    print(f"share of latency spent waiting for the next poll: {share:.0%}, processing: "
          f"{1 - share:.0%} ({len(done)} items)\n")  # fmt: skip
    med_p = median(free)
    print(f"processing of the {len(free)} alerts that found the chat free: median {med_p:.2f}s; "
          f"the others waited for Telegram's 1 msg/s per chat\n")  # fmt: skip
    emit("latency: feed → alert",
         f"total median {median(total):.2f}s, p95 {percentile(total, 95):.2f}s; "
         f"processing median {median(processing):.2f}s ({med_p:.2f}s when the chat is free: "
         f"{len(free)} of {len(done)})",
         f"waiting for the poll (interval {POLL_INTERVAL}s): median {median(waiting):.2f}s",
         f"{1 - share:.0%} processing / {share:.0%} waiting", "processing < 1 s median",
         med_p < 1.0 and not missing)  # fmt: skip


if __name__ == "__main__":
    main()
