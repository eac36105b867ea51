"""The live rule set: reloaded when rule files change; a broken file keeps the last good rules."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from bot.errors import RuleError
from bot.matching import RuleSet, load_rules

log = logging.getLogger(__name__)

Signature = tuple[tuple[str, int, int], ...]


def _signature(directory: Path) -> Signature:
    """Names, sizes and modification times of the rule files: cheap to compare."""
    files = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
    result = []
    for path in files:
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed between glob and stat
            continue
        result.append((path.name, stat.st_size, stat.st_mtime_ns))
    return tuple(result)


class RulesHolder:
    """Holds the current `RuleSet`; `refresh()` reloads it when the files changed.

    Calling the holder returns the current rules, so it can be handed to the pipeline as
    its `rules` callable.
    """

    def __init__(self, directory: Path, on_error: Callable[[str], None] | None = None) -> None:
        self.directory = directory
        self._on_error = on_error
        self._lock = threading.Lock()
        self._rules = load_rules(directory)  # start-up: a broken file stops us, loudly
        self._signature = _signature(directory)
        self.last_error: str | None = None

    def __call__(self) -> RuleSet:
        return self._rules

    def refresh(self) -> bool:
        """Reload if the files changed; True when new rules took effect."""
        signature = _signature(self.directory)
        with self._lock:
            if signature == self._signature:
                return False
            self._signature = signature
            try:
                rules = load_rules(self.directory)
            except RuleError as exc:
                message = str(exc)
                log.error("rules reload failed reason=%s; keeping the last good rules", message)
                if message != self.last_error and self._on_error is not None:
                    self._on_error(message)
                self.last_error = message
                return False
            self._rules, self.last_error = rules, None
        log.info("rules reloaded topics=%s", ",".join(t.id for t in rules.topics))
        return True
