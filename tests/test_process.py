"""`geoalert run` as a real process: restarts after SIGKILL, the run lock, console mode, and
a token that never reaches the logs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage import chats, make_engine, upgrade
from storage.engine import session_scope
from tests.support.bot_harness import rss
from tests.support.fake_bot_api import FakeBotAPI
from tests.support.feed_server import FeedServer

REPO = Path(__file__).resolve().parent.parent
OUTPUTS: dict[int, tuple[Path, Path]] = {}
CHATS = [3000 + n for n in range(8)]
# Five different CSTO events (similar reports would merge into one story and one alert).
ITEMS = [
    ("e-0", "CSTO holds joint exercises in Tajikistan",
     "Troops of the CSTO began joint exercises near Dushanbe on Monday."),
    ("e-1", "Armenia freezes its participation in the CSTO",
     "Prime Minister Pashinyan said Yerevan has frozen its participation in the bloc."),
    ("e-2", "CSTO secretary general visits Bishkek for border talks",
     "The CSTO secretary general met Kyrgyz officials to discuss the Tajik border."),
    ("e-3", "Kazakhstan hosts CSTO defence ministers in Astana",
     "Defence ministers of the CSTO member states gathered in Astana for their annual meeting."),
    ("e-4", "ОДКБ проведёт учения сил быстрого реагирования в Белоруссии",
     "Коллективные силы быстрого реагирования ОДКБ соберутся на полигоне под Витебском."),
]  # fmt: skip


def start(tmp_path: Path, database_url: str, **env: str) -> subprocess.Popen[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("GEOALERT_", "TELEGRAM_"))}
    environ.update(
        PYTHONPATH=str(REPO),
        DATABASE_URL=database_url,
        GEOALERT_RULES_DIR=str(REPO / "rules"),
        GEOALERT_SEEDS_DIR=str(REPO / "seeds"),
        GEOALERT_FEEDS=str(tmp_path / "feeds.yaml"),
        GEOALERT_CHAT_MIN_INTERVAL="0",
        GEOALERT_POLL_INTERVAL="10",
        GEOALERT_ALLOW_PRIVATE_FEEDS="true",
    )
    environ.update(env)
    # Output goes to files: a verbose run would fill a pipe nobody reads and block.
    runs = len(list(tmp_path.glob("run-*.out")))
    out_path, err_path = tmp_path / f"run-{runs}.out", tmp_path / f"run-{runs}.err"
    with out_path.open("w") as out, err_path.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            cwd=tmp_path, env=environ, stdout=out, stderr=err, text=True,
        )  # fmt: skip
    OUTPUTS[proc.pid] = (out_path, err_path)
    return proc


def health(tmp_path: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEOALERT_", "TELEGRAM_"))}
    env.update(PYTHONPATH=str(REPO), DATABASE_URL=database_url)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "health"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def output(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """Everything the process wrote so far to stdout and stderr."""
    out_path, err_path = OUTPUTS[proc.pid]
    return out_path.read_text(), err_path.read_text()


def stop(proc: subprocess.Popen[str], sig: int = signal.SIGTERM) -> tuple[str, str]:
    if proc.poll() is None:
        proc.send_signal(sig)
    proc.wait(timeout=30)
    return output(proc)


def wait_or_explain(proc: subprocess.Popen[str], wait: Callable[[], object]) -> None:
    """Run a wait; when it times out, show what the process logged."""
    try:
        wait()
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- process stderr ---\n{output(proc)[1][-4000:]}") from None


def restart_until_all_delivered(
    tmp_path: Path, database_url: str, api: FakeBotAPI, env: dict[str, str]
) -> None:
    """Start `geoalert run` again and wait until every (chat, item) alert arrived, then stop."""
    proc = start(tmp_path, database_url, **env)
    expected = len(CHATS) * len(ITEMS)
    try:
        wait_or_explain(
            proc,
            lambda: api.wait_for(lambda _c: len(alerts_by_pair(api)) >= expected, timeout=60),
        )
    finally:
        stop(proc)


def subscribe_chats(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    past = datetime.now(UTC) - timedelta(hours=1)
    with session_scope(engine) as s:
        for chat in CHATS:
            chats.touch_chat(s, chat, chat_type="private", title=None, user_language="en", now=past)
            chats.subscribe(s, chat, ["csto"], thread_id=0, now=past)
    engine.dispose()


def alerts_by_pair(api: FakeBotAPI) -> Counter[tuple[int, str]]:
    pairs: Counter[tuple[int, str]] = Counter()
    for call in api.sent_messages():
        for _, title, _ in ITEMS:
            if title in call.params["text"]:
                pairs[(int(call.params["chat_id"]), title)] += 1
    return pairs


@pytest.fixture
def feeds(tmp_path: Path, feed_server: FeedServer) -> FeedServer:
    (tmp_path / "feeds.yaml").write_text(f"- url: {feed_server.url('/wire.xml')}\n  name: Wire\n")
    feed_server.route("/wire.xml", body=rss(*ITEMS))
    return feed_server


@pytest.mark.parametrize("kill_after", [3, 11, 24])
def test_sigkill_mid_delivery_then_restart_delivers_everything_once(
    tmp_path, database_url, fake_bot_api, feeds, kill_after
):
    subscribe_chats(database_url)
    fake_bot_api.set_latency(0.15)
    env = {"TELEGRAM_BOT_TOKEN": fake_bot_api.token, "TELEGRAM_API_BASE_URL": fake_bot_api.base_url}
    first = start(tmp_path, database_url, **env)
    try:
        # The wait spans the whole start-up (imports, two parsing processes, the first poll):
        # about 5 s on a loaded 2-core machine, so the fake API's 5 s default is too tight.
        wait_or_explain(
            first, lambda: fake_bot_api.wait_for("sendMessage", count=kill_after, timeout=30)
        )
    finally:
        first.kill()
        first.wait(timeout=10)
    sent_before = sum(alerts_by_pair(fake_bot_api).values())
    assert sent_before < len(CHATS) * len(ITEMS), "killed too late to test anything"

    restart_until_all_delivered(tmp_path, database_url, fake_bot_api, env)
    pairs = alerts_by_pair(fake_bot_api)
    assert len(pairs) == len(CHATS) * len(ITEMS)  # every alert delivered
    for chat in CHATS:
        duplicates = sum(n - 1 for (c, _), n in pairs.items() if c == chat)
        assert duplicates <= 1, f"chat {chat} got {duplicates} duplicates"


def test_token_never_appears_in_the_output_of_a_faulty_run(
    tmp_path, database_url, fake_bot_api, feeds
):
    subscribe_chats(database_url)
    (tmp_path / "feeds.yaml").write_text(
        f"- url: {feeds.url('/wire.xml')}\n  name: Wire\n"
        f"- url: {feeds.url('/missing')}\n  name: Missing\n"
    )
    fake_bot_api.fail_next("sendMessage", status=500, times=3)
    fake_bot_api.fail_next("sendMessage", status=400, description="Bad Request: chat not found",
                           chat_id=CHATS[0])  # fmt: skip
    fake_bot_api.fail_next("getUpdates", status=502, times=2)
    env = {
        "TELEGRAM_BOT_TOKEN": fake_bot_api.token,
        "TELEGRAM_API_BASE_URL": fake_bot_api.base_url,
        "GEOALERT_LOG_LEVEL": "DEBUG",
    }
    proc = start(tmp_path, database_url, **env)
    try:
        fake_bot_api.wait_for(
            lambda _c: len(alerts_by_pair(fake_bot_api)) >= (len(CHATS) - 1) * len(ITEMS),
            timeout=60,
        )
    finally:
        out, err = stop(proc)
    assert "feed=Missing" in err and "DEBUG" in err  # the run did log, verbosely
    secret = fake_bot_api.token.split(":", 1)[1]
    assert secret not in out and secret not in err


def test_a_second_run_on_the_same_sqlite_database_refuses_to_start(tmp_path, feeds):
    # SQLite only: on PostgreSQL a second run is a replica (tests/test_replicas.py).
    database_url = f"sqlite:///{tmp_path / 'geoalert.db'}"
    first = start(tmp_path, database_url)
    try:
        deadline = time.monotonic() + 30
        while "poll done" not in output(first)[1]:
            assert first.poll() is None and time.monotonic() < deadline, "first run never polled"
            time.sleep(0.05)
        assert health(tmp_path, database_url).returncode == 0
        second = start(tmp_path, database_url)
        second.wait(timeout=30)
        out, err = output(second)
        assert second.returncode == 2
        assert err.strip().splitlines()[-1].startswith("geoalert: another geoalert")
    finally:
        out, _ = stop(first)
    assert first.returncode == 0
    stopped = health(tmp_path, database_url)
    assert stopped.returncode == 1 and "no geoalert run holds" in stopped.stdout
    # Console mode printed the seed corpus and feed matches as they were found.
    assert ITEMS[0][1] in out and "Pound sand" in out


def test_sigkill_mid_poll_then_restart_loses_nothing(tmp_path, database_url, fake_bot_api, feeds):
    subscribe_chats(database_url)
    # The feed answers slowly: the process is killed while the poll is waiting for it.
    feeds.route("/wire.xml", body=rss(*ITEMS), delay=5.0)
    env = {"TELEGRAM_BOT_TOKEN": fake_bot_api.token, "TELEGRAM_API_BASE_URL": fake_bot_api.base_url}
    first = start(tmp_path, database_url, **env)
    try:
        deadline = time.monotonic() + 30
        while not feeds.requests_to("/wire.xml"):
            assert first.poll() is None and time.monotonic() < deadline, output(first)[1][-2000:]
            time.sleep(0.02)
    finally:
        first.kill()
        first.wait(timeout=10)
    assert alerts_by_pair(fake_bot_api) == {}
    feeds.route("/wire.xml", body=rss(*ITEMS))
    restart_until_all_delivered(tmp_path, database_url, fake_bot_api, env)
    assert all(n == 1 for n in alerts_by_pair(fake_bot_api).values())
