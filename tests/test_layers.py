"""The CLI and the Telegram commands reach the store only through the facade (bot.service)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# The runtime's side of bot/telegram (the application, its jobs and the digest sender) still
# queries the store itself until it moves into the runtime; every command module does not.
RUNTIME_MODULES = {"bot/telegram/app.py", "bot/telegram/digest.py"}
FACES = sorted(
    path
    for path in [*REPO.glob("bot/cli/*.py"), *REPO.glob("bot/telegram/**/*.py")]
    if path.relative_to(REPO).as_posix() not in RUNTIME_MODULES
)


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", FACES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_commands_never_import_storage(path: Path) -> None:
    storage = {m for m in imported_modules(path) if m == "storage" or m.startswith("storage.")}
    assert not storage, f"{path.relative_to(REPO)} imports {sorted(storage)}: ask bot.service"


def test_every_module_of_the_faces_is_under_400_lines() -> None:
    long = {p.relative_to(REPO).as_posix(): n for p in FACES
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}  # fmt: skip
    assert not long
