"""Container tests build and run the real image; `.ci/container-test.sh` prepares and runs them.

They need root, podman and a base image that the script makes without any registry, so the
ordinary test run (`python -m pytest`) does not collect them: the script sets
GEOALERT_CONTAINER_TEST=1 (and the base image / wheelhouse it prepared) and selects
`-m container`.
"""

from __future__ import annotations

import os

import pytest

collect_ignore_glob = [] if os.environ.get("GEOALERT_CONTAINER_TEST") == "1" else ["test_*.py"]


TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="session")
def timings() -> dict[str, float]:
    """Durations of the steps worth watching (printed at the end of the run)."""
    return TIMINGS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for name, seconds in TIMINGS.items():
        terminalreporter.write_line(f"container timing: {name:<26} {seconds:6.1f} s")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "container: builds and runs the container image (.ci/container-test.sh)"
    )
