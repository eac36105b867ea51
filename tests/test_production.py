"""Production modes: webhook with a secret token, and the /healthz + /metrics endpoint."""

from __future__ import annotations

import asyncio
import json
import re
import socket

import httpx

from tests.support.bot_harness import CSTO_ITEM, bot_settings, rss, start_bot

SECRET = "s3cret_Token-for-tests"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def update(update_id: int, chat_id: int, text: str) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1700000000,
            "chat": {"id": chat_id, "type": "private", "first_name": "W"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "W", "language_code": "en"},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


async def test_webhook_mode_registers_the_secret_and_rejects_wrong_ones(
    tmp_path, database_url, fake_bot_api, feed_server
):
    port = free_port()
    url = f"http://127.0.0.1:{port}/tg-hook"
    settings = bot_settings(
        tmp_path, database_url, fake_bot_api, feed_server,
        GEOALERT_WEBHOOK_URL=url, GEOALERT_WEBHOOK_SECRET=SECRET,
        GEOALERT_WEBHOOK_LISTEN="127.0.0.1", GEOALERT_WEBHOOK_PORT=port,
    )  # fmt: skip
    async with start_bot(settings, fake_bot_api, feed_server), httpx.AsyncClient() as client:
        (registered,) = fake_bot_api.calls_to("setWebhook")
        assert registered.params["url"] == url
        assert registered.params["secret_token"] == SECRET
        assert fake_bot_api.calls_to("getUpdates") == []

        wrong = await client.post(
            url, json=update(1, 51, "/help"),
            headers={"X-Telegram-Bot-Api-Secret-Token": "guess"},
        )  # fmt: skip
        assert wrong.status_code == 403
        right = await client.post(
            url, json=update(2, 52, "/help"),
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )  # fmt: skip
        assert right.status_code == 200
        (reply,) = await fake_bot_api.await_calls(lambda c: c.method == "sendMessage")
        assert reply.chat_id == 52 and "/subscribe" in reply.params["text"]
        assert fake_bot_api.sent_messages(51) == []


# On PostgreSQL every sample also carries the replica label (docs/scaling.md).
SENT_ONE = re.compile(r'geoalert_alerts_sent_total(\{replica="[^"]+"\})? 1\.0')


async def test_status_endpoint_reports_health_and_metrics(
    tmp_path, database_url, fake_bot_api, feed_server
):
    settings = bot_settings(
        tmp_path, database_url, fake_bot_api, feed_server,
        GEOALERT_HTTP_PORT=0, GEOALERT_HTTP_LISTEN="127.0.0.1",
    )  # fmt: skip
    async with start_bot(settings, fake_bot_api, feed_server) as bot:
        await bot.command(61, "/subscribe csto")
        bot.feeds.route("/wire.xml", body=rss(CSTO_ITEM))
        await bot.poll_now()
        await fake_bot_api.await_calls(lambda c: CSTO_ITEM[1] in c.params.get("text", ""))
        base = f"http://127.0.0.1:{bot.g.status_port}"
        async with httpx.AsyncClient() as client:
            health = await client.get(f"{base}/healthz")
            metrics = ""
            for _ in range(100):  # the counter moves right after Telegram's answer is stored
                metrics = (await client.get(f"{base}/metrics")).text
                if SENT_ONE.search(metrics):
                    break
                await asyncio.sleep(0.02)
            missing = await client.get(f"{base}/nope")
    assert health.status_code == 200
    body = json.loads(health.text)
    assert body["ok"] is True and body["database"] == "ok" and body["scheduler"] == "running"
    # On PostgreSQL every sample also carries the replica label (docs/scaling.md).
    assert re.search(r'geoalert_matches_total\{(replica="[^"]+",)?topic="csto"\}', metrics)
    assert "geoalert_feeds_polled_total" in metrics
    assert "geoalert_outbox_backlog" in metrics
    assert "geoalert_poll_duration_seconds_bucket" in metrics
    assert SENT_ONE.search(metrics)
    assert missing.status_code == 404
