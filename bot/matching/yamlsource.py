"""Read one YAML rule file into plain values that remember their line numbers.

Mappings become `LineDict` and sequences `LineList`; both record the 1-based line of themselves,
of each key and of each value, so the validator can say `file:line: reason`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.errors import RuleError


class LineDict(dict[Any, Any]):
    """A mapping from YAML that knows where it, its keys and its values were written."""

    line: int
    key_lines: dict[Any, int]
    value_lines: dict[Any, int]


class LineList(list[Any]):
    """A sequence from YAML that knows where it and each of its items were written."""

    line: int
    item_lines: list[int]


class _Problem(Exception):
    """A structural problem found while constructing values (duplicate key, bad key)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


class _LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences carry line numbers."""


class _FastLineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same with libyaml's parser, when PyYAML has it: the bundled rule files parse in
    8 ms instead of 60 ms, at every start. Its syntax errors say less ("found character that
    cannot start any token"), so a file it refuses is parsed again by `_LineLoader` for the
    message."""


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line, result.key_lines, result.value_lines = _line(node), {}, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict)):
            raise _Problem(_line(key_node), "mapping keys must be plain strings")
        if key in result:
            raise _Problem(_line(key_node), f"duplicate key {key!r}")
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = _line(key_node)
        result.value_lines[key] = _line(value_node)
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = _line(node)
    result.item_lines = [_line(child) for child in node.value]
    return result


for _loader in (_LineLoader, _FastLineLoader):
    _loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
    _loader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def _yaml_error_line(error: yaml.YAMLError) -> int:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        if mark is not None:
            return mark.line + 1
    return 1


def read_yaml(path: Path, label: str) -> Any:
    """Parse `path`; every failure becomes a `RuleError` that starts with `label:line:`."""
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise RuleError(f"{label}:1: the file is not valid UTF-8 ({e.reason})") from e
    except OSError as e:
        raise RuleError(f"{label}:1: cannot read the file ({e.strerror or e})") from e
    return parse_yaml_text(source, label)


def parse_yaml_text(source: str, label: str) -> Any:
    """Parse YAML text with line numbers; failures become `RuleError("label:line: …")`."""
    try:
        try:  # SafeLoader subclasses: no arbitrary objects
            return yaml.load(source, Loader=_FastLineLoader)
        except yaml.YAMLError:
            return yaml.load(source, Loader=_LineLoader)  # the same error, better worded
    except _Problem as e:
        raise RuleError(f"{label}:{e.line}: {e.reason}") from e
    except yaml.YAMLError as e:
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise RuleError(f"{label}:{_yaml_error_line(e)}: YAML syntax error: {problem}") from e
