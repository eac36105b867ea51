"""Load and validate the feed list (`feeds.yaml`) into `FeedConfig` records.

Every problem is reported as `file:line: reason`, using the YAML node marks, and all problems of
one file are reported together in a single `FeedError`. `add_feeds` appends new feeds to the file
(an OPML import), leaving the existing entries and their comments as they are.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.errors import FeedError
from bot.models import FeedConfig
from bot.sources.links import canonical_link, is_http_url

KNOWN_KEYS = frozenset({"url", "name", "interval", "language", "tags"})
# Same bounds as the global GEOALERT_POLL_INTERVAL.
MIN_INTERVAL = 10
MAX_INTERVAL = 7 * 86400
_LANGUAGE = re.compile(r"^[a-z]{2}$")


class _Problems:
    """Collects `file:line: reason` lines for one feeds file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: list[str] = []

    def add(self, node: yaml.Node, reason: str) -> None:
        self.lines.append(f"{self.path}:{node.start_mark.line + 1}: {reason}")


def load_feeds(path: Path) -> list[FeedConfig]:
    """Read `path` into feed configs; a missing file gives an empty list (the caller may warn).

    Raises `FeedError` listing every invalid entry as `file:line: reason`.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise FeedError(f"{path}: cannot read feeds file: {exc}") from exc
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        return _feeds_from_root(root, loader, _Problems(path))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"{mark.line + 1}" if mark else "?"
        raise FeedError(f"{path}:{line}: invalid YAML: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise FeedError(f"{path}: invalid YAML: {exc}") from exc
    finally:
        loader.dispose()


def _feeds_from_root(
    root: yaml.Node | None, loader: yaml.SafeLoader, problems: _Problems
) -> list[FeedConfig]:
    if root is None:  # empty file, or only comments
        return []
    if not isinstance(root, yaml.SequenceNode):
        problems.add(root, "the feeds file must be a list of feeds (- url: …)")
        raise FeedError("\n".join(problems.lines))
    feeds: list[FeedConfig] = []
    seen: dict[str, int] = {}
    for node in root.value:
        feed = _feed_from_node(node, loader, problems)
        if feed is None:
            continue
        key = canonical_link(feed.url) or feed.url
        if key in seen:
            problems.add(node, f"duplicate url {feed.url} (first listed at line {seen[key]})")
            continue
        seen[key] = node.start_mark.line + 1
        feeds.append(feed)
    if problems.lines:
        raise FeedError("\n".join(problems.lines))
    return feeds


def _feed_from_node(
    node: yaml.Node, loader: yaml.SafeLoader, problems: _Problems
) -> FeedConfig | None:
    """One list entry → FeedConfig, or None after recording why it is invalid."""
    if not isinstance(node, yaml.MappingNode):
        problems.add(node, "each feed must be a mapping with at least 'url' and 'name'")
        return None
    fields: dict[str, tuple[yaml.Node, Any]] = {}
    before = len(problems.lines)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str) or key not in KNOWN_KEYS:
            known = ", ".join(sorted(KNOWN_KEYS))
            problems.add(key_node, f"unknown key {key!r} (known: {known})")
            continue
        if key in fields:
            problems.add(key_node, f"duplicate key {key!r}")
            continue
        fields[key] = (value_node, loader.construct_object(value_node, deep=True))
    url = _check_url(node, fields, problems)
    name = _check_name(node, fields, problems)
    interval = _check_interval(fields, problems)
    language = _check_language(fields, problems)
    tags = _check_tags(fields, problems)
    if len(problems.lines) > before or url is None or name is None:
        return None
    return FeedConfig(url=url, name=name, interval=interval, language=language, tags=tags)


def _check_url(node: yaml.Node, fields: dict[str, Any], problems: _Problems) -> str | None:
    if "url" not in fields:
        problems.add(node, "missing 'url'")
        return None
    value_node, value = fields["url"]
    if not isinstance(value, str) or not is_http_url(value.strip()):
        problems.add(value_node, f"'url' must be an http:// or https:// URL, got {value!r}")
        return None
    if "@" in urlsplit(value.strip()).netloc:
        problems.add(value_node, "'url' must not contain credentials (user:password@)")
        return None
    return value.strip()


def _check_name(node: yaml.Node, fields: dict[str, Any], problems: _Problems) -> str | None:
    if "name" not in fields:
        problems.add(node, "missing 'name'")
        return None
    value_node, value = fields["name"]
    if not isinstance(value, str) or not value.strip():
        problems.add(value_node, "'name' must be a non-empty string")
        return None
    return value.strip()


def _check_interval(fields: dict[str, Any], problems: _Problems) -> int | None:
    if "interval" not in fields or fields["interval"][1] is None:
        return None
    value_node, value = fields["interval"]
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(value_node, f"'interval' must be a whole number of seconds, got {value!r}")
        return None
    if not MIN_INTERVAL <= value <= MAX_INTERVAL:
        problems.add(
            value_node,
            f"'interval' must be between {MIN_INTERVAL} and {MAX_INTERVAL} seconds, got {value}",
        )
        return None
    return value


def _check_language(fields: dict[str, Any], problems: _Problems) -> str | None:
    if "language" not in fields or fields["language"][1] is None:
        return None
    value_node, value = fields["language"]
    if not isinstance(value, str) or not _LANGUAGE.match(value.strip().lower()):
        problems.add(value_node, f"'language' must be a 2-letter code like en or ru, got {value!r}")
        return None
    return value.strip().lower()


def _check_tags(fields: dict[str, Any], problems: _Problems) -> tuple[str, ...]:
    if "tags" not in fields or fields["tags"][1] is None:
        return ()
    value_node, value = fields["tags"]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
        problems.add(value_node, "'tags' must be a list of non-empty strings")
        return ()
    return tuple(dict.fromkeys(t.strip() for t in value))


def add_feeds(path: Path, feeds: Sequence[FeedConfig]) -> list[FeedConfig]:
    """Append the feeds whose URL is not in `path` yet; returns the ones added.

    Existing entries (and comments) are kept byte for byte: new ones are appended as YAML. The
    result is validated with `load_feeds` before it replaces the file (atomically), so a file
    that cannot take an appended list (e.g. `[]`) is rewritten whole instead.
    """
    existing = load_feeds(path)
    known = {canonical_link(f.url) or f.url for f in existing}
    added: list[FeedConfig] = []
    for feed in feeds:
        key = canonical_link(feed.url) or feed.url
        if key not in known:
            known.add(key)
            added.append(feed)
    if not added:
        return []
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    text = old + ("" if not old or old.endswith("\n") else "\n") + _dump(added)
    try:
        _validated(path, text)
    except FeedError:
        text = _dump([*existing, *added])
    _replace(path, text)
    return added


def _dump(feeds: Sequence[FeedConfig]) -> str:
    entries = []
    for feed in feeds:
        entry: dict[str, Any] = {"url": feed.url, "name": feed.name}
        if feed.interval is not None:
            entry["interval"] = feed.interval
        if feed.language:
            entry["language"] = feed.language
        if feed.tags:
            entry["tags"] = list(feed.tags)
        entries.append(entry)
    return yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=100)


def _validated(path: Path, text: str) -> None:
    """Raise `FeedError` unless `text` is a valid feeds file (checked in a scratch file)."""
    with tempfile.TemporaryDirectory() as scratch:
        trial = Path(scratch) / path.name
        trial.write_text(text, encoding="utf-8")
        load_feeds(trial)


def _replace(path: Path, text: str) -> None:
    """Write `text` to `path` atomically (a crash leaves the old file or the new one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def remove_feed(path: Path, url: str) -> FeedConfig | None:
    """Remove the feed with `url` from `path`; returns it, or None when it was not listed.

    The file is rewritten from its entries (atomically), so comments in it are not kept.
    """
    existing = load_feeds(path)
    key = canonical_link(url) or url
    kept = [f for f in existing if (canonical_link(f.url) or f.url) != key]
    if len(kept) == len(existing):
        return None
    removed = next(f for f in existing if f not in kept)
    header = "# geoalert feed list (rewritten by geoalert when a feed was removed)\n"
    _replace(path, header + (_dump(kept) if kept else "[]\n"))
    return removed
