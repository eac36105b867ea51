"""The structure issue #17 asked for, read from the code's own imports and calls.

- no import cycle between modules of `bot` and `storage` (imports inside functions and under
  TYPE_CHECKING count: grimp reads every import statement);
- the import-linter contracts in pyproject.toml hold (`lint-imports`): no `storage` import in
  `bot/telegram/` or the CLI, storage takes only `bot.models` and `bot.errors`, the pure core
  reaches no Telegram, storage, database or network;
- Telegram pushes (`send_message`, `edit_message_text`, `send_photo` called on a bot) are in
  one module only;
- no module over 400 lines.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "storage")
PUSHES = frozenset({"send_message", "edit_message_text", "send_photo"})
MAX_LINES = 400


def _sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (REPO / package).rglob("*.py"))


def test_no_import_cycles() -> None:
    graph = grimp.build_graph(*PACKAGES)
    cycles = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                cycles.add(" -> ".join((module, *back)))
    assert sorted(cycles) == []


def test_the_import_contracts_hold() -> None:
    linter = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert linter is not None, "import-linter is a test dependency"
    result = subprocess.run([linter], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:]


def _pushes(path: Path) -> list[int]:
    """Lines where `<something>.bot.<push>(…)` or `bot.<push>(…)` is called."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver = node.func.value
        on_bot = (isinstance(receiver, ast.Name) and receiver.id == "bot") or (
            isinstance(receiver, ast.Attribute) and receiver.attr == "bot"
        )
        if node.func.attr in PUSHES and on_bot:
            lines.append(node.lineno)
    return lines


def test_telegram_pushes_live_in_one_module() -> None:
    pushing = {str(p.relative_to(REPO)): _pushes(p) for p in _sources()}
    assert len([path for path, lines in pushing.items() if lines]) == 1, {
        path: lines for path, lines in pushing.items() if lines
    }


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(p.relative_to(REPO)): n
        for p in _sources()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_the_main_process_does_not_load_the_feed_parser() -> None:
    """feedparser and charset-normalizer cost about 11 MB: the parsing processes load them
    (`bot.sources.worker.prepare`); the process that fetches and stores does not. Nor does it
    load httpx's command-line client (rich, click: installed here beside the test tools)."""
    import subprocess
    import sys

    code = (
        "import sys, bot.runtime, bot.cli.app, bot.pipeline, bot.wiring, bot.sources.fetch\n"
        "heavy = {'feedparser', 'charset_normalizer', 'rich', 'click'}\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in heavy)\n"
        "assert not loaded, loaded[:5]\n"
        "from bot.sources import worker\n"
        "worker.prepare(None)\n"
        "assert 'feedparser' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_console_mode_does_not_load_python_telegram_bot() -> None:
    """PTB costs several MB per process: the console runtime, the notices and the CLI must not
    import it (Telegram mode does, with its sender, `bot.delivery`, and its keyboards)."""
    import subprocess
    import sys

    code = (
        "import sys, bot.runtime, bot.cli.app, bot.notify, bot.service\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'telegram')\n"
        "assert not loaded, loaded[:5]\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
