"""Build the project's Dockerfile and run the image for real (podman, no registry).

Run by `.ci/container-test.sh`, which installs podman, makes a local base image with debootstrap
and a wheelhouse for requirements.lock, then calls pytest with:

    GEOALERT_CONTAINER_TEST=1        collect these tests at all (see conftest.py)
    GEOALERT_CT_BASE_IMAGE           the local base image (else the Dockerfile's default)
    GEOALERT_CT_WHEELHOUSE           a directory of wheels served to the build (else PyPI)
    GEOALERT_CT_RUN_OPTS             extra `podman run` options (default: runc, ulimits)

The bot inside the container (host network) talks to the fake Bot API running in this process.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shlex
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.fake_bot_api import FakeBotAPI

pytestmark = pytest.mark.container

REPO = Path(__file__).resolve().parents[2]
ENGINE = os.environ.get("GEOALERT_CT_ENGINE", "podman")
BASE_IMAGE = os.environ.get("GEOALERT_CT_BASE_IMAGE")
WHEELHOUSE = os.environ.get("GEOALERT_CT_WHEELHOUSE")
IMAGE = "localhost/geoalert:container-test"
# runc (crun is not in Debian's podman 4.3 dependencies), and ulimits the sandbox accepts.
RUN_OPTS = shlex.split(
    os.environ.get(
        "GEOALERT_CT_RUN_OPTS",
        "--runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024",
    )
)
BUILD_OPTS = shlex.split(
    os.environ.get("GEOALERT_CT_BUILD_OPTS", "--isolation chroot --format docker")
)
STOP_WITHIN = 10.0  # seconds from SIGTERM to a stopped container


def engine(
    *args: str, timeout: float = 180, check: bool = True, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a podman command; on failure the assertion shows its output."""
    proc = subprocess.run(
        [ENGINE, *args], capture_output=True, text=True, timeout=timeout, input=input
    )
    if check:
        assert proc.returncode == 0, (
            f"{ENGINE} {shlex.join(args)} -> {proc.returncode}\n"
            f"--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}"
        )
    return proc


def run_once(*args: str, timeout: float = 120, check: bool = True):
    """`podman run --rm` of the image (no healthcheck timers for one-shot commands)."""
    return engine("run", "--rm", "--no-healthcheck", *RUN_OPTS, *args, timeout=timeout, check=check)


@contextlib.contextmanager
def serve_directory(directory: str | None) -> Iterator[str | None]:
    """Serve the wheelhouse over loopback HTTP for the build (pip --find-links URL)."""
    if not directory:
        yield None
        return

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=directory))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def image(timings: dict[str, float]) -> str:
    """Build the Dockerfile from the repository (from the local base image when given)."""
    args = ["build", *BUILD_OPTS, "--network", "host", "--tag", IMAGE]
    if BASE_IMAGE:
        args += ["--build-arg", f"BASE_IMAGE={BASE_IMAGE}"]
    with serve_directory(WHEELHOUSE) as url:
        if url:
            args += ["--build-arg", "PIP_NO_INDEX=1", "--build-arg", f"PIP_FIND_LINKS={url}"]
        start = time.monotonic()
        engine(*args, str(REPO), timeout=900)
        timings["image build"] = time.monotonic() - start
    return IMAGE


@pytest.fixture
def volume() -> Iterator[str]:
    """A fresh named volume for /data."""
    name = f"geoalert-ct-{uuid.uuid4().hex[:8]}"
    engine("volume", "create", name)
    yield name
    engine("volume", "rm", "--force", name, check=False)


def inspect_image(image: str) -> dict:
    return json.loads(engine("image", "inspect", image).stdout)[0]


def test_image_metadata(image: str) -> None:
    info = inspect_image(image)
    config = info["Config"]
    assert config["User"] == "10001:10001"
    assert config["Entrypoint"] == ["geoalert"]
    assert config["Cmd"] == ["run"]
    assert config["StopSignal"] == "SIGTERM"
    assert "/data" in config["Volumes"]
    # podman: top-level "Healthcheck"; docker: Config.Healthcheck
    healthcheck = info.get("Healthcheck") or config.get("Healthcheck")
    assert healthcheck and healthcheck["Test"] == ["CMD", "geoalert", "health"], info
    env = dict(line.split("=", 1) for line in config["Env"])
    assert env["DATABASE_URL"] == "sqlite:////data/geoalert.db"
    assert env["GEOALERT_RULES_DIR"] == "/app/rules"
    assert env["GEOALERT_FEEDS"] == "/app/feeds.yaml"


def test_runs_as_numeric_non_root_user(image: str, volume: str) -> None:
    out = run_once(
        "--volume", f"{volume}:/data", "--entrypoint", "sh", image, "-c",
        "id -u; id -g; touch /data/probe && echo data-writable; "
        "touch /app/probe 2>/dev/null || echo app-read-only",
    ).stdout.split()  # fmt: skip
    assert out == ["10001", "10001", "data-writable", "app-read-only"]


def test_scan_finds_the_seed_matches_and_keeps_them_in_the_data_volume(
    image: str, volume: str, timings: dict[str, float]
) -> None:
    start = time.monotonic()
    first = run_once("--volume", f"{volume}:/data", image, "scan", "--no-feeds")
    timings["run scan --no-feeds"] = time.monotonic() - start
    lines = first.stdout.splitlines()
    assert len(lines) == 5, first.stdout + first.stderr
    assert all(re.match(r"^[0-9a-f]{12}\s", line) for line in lines), lines
    assert "5 new matches" in first.stderr
    # The database lives in the volume: a second container finds nothing new.
    again = run_once("--volume", f"{volume}:/data", image, "scan", "--no-feeds")
    assert again.stdout == ""
    assert "0 new matches" in again.stderr


def test_bot_in_container_answers_start_reports_health_and_stops_on_sigterm(
    image: str, volume: str, tmp_path: Path, timings: dict[str, float]
) -> None:
    unhealthy = run_once("--volume", f"{volume}:/data", image, "health", check=False)
    assert unhealthy.returncode != 0
    assert "unhealthy" in unhealthy.stdout

    feeds = tmp_path / "feeds.yaml"  # mounted over the bundled list: no outside network here
    feeds.write_text("[]\n", encoding="utf-8")
    feeds.chmod(0o644)
    name = f"geoalert-ct-{uuid.uuid4().hex[:8]}"
    with FakeBotAPI() as api:
        try:
            start = time.monotonic()
            engine(
                "run", "--detach", "--name", name, "--hostname", "geoalert-ct", *RUN_OPTS,
                "--network", "host",
                "--volume", f"{volume}:/data",
                "--volume", f"{feeds}:/app/feeds.yaml:ro",
                "--volume", f"{REPO / 'rules'}:/app/rules:ro",
                "--env", f"TELEGRAM_BOT_TOKEN={api.token}",
                "--env", f"TELEGRAM_API_BASE_URL={api.base_url}",
                "--env", "GEOALERT_POLL_INTERVAL=60",
                image,
            )  # fmt: skip

            _wait_healthy(name, timeout=90)
            timings["start until healthy"] = time.monotonic() - start
            # The image's own HEALTHCHECK (not just the command) passes too.
            engine("healthcheck", "run", name)

            api.inject_message(4242, "/start")
            (welcome,) = api.wait_for(
                lambda c: c.method == "sendMessage" and str(c.chat_id) == "4242", timeout=30
            )
            assert "/subscribe" in welcome.params["text"]
            assert "csto" in welcome.params["text"]

            start = time.monotonic()
            engine("stop", "--time", "30", name, timeout=60)
            stopped_after = time.monotonic() - start
            timings["SIGTERM until stopped"] = stopped_after
            state = json.loads(engine("inspect", name).stdout)[0]["State"]
            logs = engine("logs", name).stdout + engine("logs", name).stderr
            assert state["ExitCode"] == 0, logs[-4000:]
            assert stopped_after < STOP_WITHIN, f"stop took {stopped_after:.1f}s\n{logs[-4000:]}"
            assert api.token not in logs
        finally:
            engine("rm", "--force", name, check=False)

    # A clean stop released the database lock: nobody is running on it any more.
    after = run_once("--volume", f"{volume}:/data", image, "health", check=False)
    assert after.returncode != 0
    assert "no geoalert run holds this database" in after.stdout


def _wait_healthy(name: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = engine("exec", name, "geoalert", "health", check=False)
        if last.returncode == 0:
            assert last.stdout.startswith("healthy"), last.stdout
            return
        state = json.loads(engine("inspect", name).stdout)[0]["State"]
        if not state.get("Running"):
            logs = engine("logs", name, check=False)
            pytest.fail(f"container exited ({state.get('ExitCode')}):\n{logs.stderr[-4000:]}")
        time.sleep(1)
    logs = engine("logs", name, check=False)
    pytest.fail(f"not healthy after {timeout}s: {last and last.stdout}\n{logs.stderr[-4000:]}")
