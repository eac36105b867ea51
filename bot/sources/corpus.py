"""The seed corpus: text files plus `seeds/index.yaml` metadata → `Item`s.

Pure apart from reading the files: the same directory always gives the same items with the same
ids. Every problem is a `CorpusError` whose message names `index.yaml:line` or the bad file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from bot.errors import CorpusError
from bot.models import Item, make_item_id

INDEX_NAME = "index.yaml"
SOURCE = "corpus"
SOURCE_NAME = "seed corpus"

REQUIRED_FIELDS = frozenset(
    {"id", "file", "title", "publisher", "language", "published", "date_precision", "date_evidence"}
)
OPTIONAL_FIELDS = frozenset({"author", "url", "header_lines", "footer_lines"})
DATE_PRECISIONS = frozenset({"exact", "estimated"})
TOP_LEVEL_KEYS = frozenset({"version", "items"})

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
_LANG_RE = re.compile(r"^[a-z]{2}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_URL_RE = re.compile(r"^https?://\S+$")
# Builds the error for a bad field value: (key, reason) -> CorpusError naming index.yaml:line.
_Fail = Callable[[str, str], CorpusError]

_SPACES_RE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")


@dataclass(frozen=True, slots=True)
class CorpusEntry:
    """One validated `index.yaml` entry (metadata of one seed file)."""

    id: str
    file: str
    title: str
    publisher: str
    language: str
    published: date
    date_precision: str
    date_evidence: str
    author: str | None = None
    url: str | None = None
    header_lines: int = 1
    footer_lines: int = 0
    line: int = 0  # line of the entry in index.yaml, for error messages


def load_corpus(seeds_dir: Path, *, fetched: datetime) -> list[Item]:
    """Read `seeds_dir/index.yaml` and its text files; return one `Item` per entry, index order."""
    if fetched.tzinfo is None:
        raise ValueError("fetched must be timezone-aware")
    entries = load_index(seeds_dir / INDEX_NAME)
    fetched_utc = fetched.astimezone(UTC)
    return [_make_item(entry, _read_body(seeds_dir, entry), fetched_utc) for entry in entries]


def load_index(path: Path) -> list[CorpusEntry]:
    """Parse and validate an index file; raise `CorpusError` naming `index.yaml:line`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise CorpusError(f"{path}: index file not found") from e
    except (OSError, UnicodeDecodeError) as e:
        raise CorpusError(f"{path}: cannot read index: {e}") from e
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{path.name}:{mark.line + 1}" if mark is not None else path.name
        raise CorpusError(f"{where}: invalid YAML: {getattr(e, 'problem', e)}") from e
    items_node = _items_node(root, path.name)
    entries = [_parse_entry(node, path.name) for node in items_node.value]
    _check_unique(entries, path.name)
    return entries


def _items_node(root: yaml.Node | None, name: str) -> yaml.SequenceNode:
    """The `items:` sequence of the index document, with the top level validated."""
    if not isinstance(root, yaml.MappingNode):
        line = root.start_mark.line + 1 if root is not None else 1
        raise CorpusError(f"{name}:{line}: expected a mapping with an 'items' list")
    fields = _mapping_fields(root, name)
    for key, (key_node, _) in fields.items():
        if key not in TOP_LEVEL_KEYS:
            raise CorpusError(f"{name}:{_line(key_node)}: unknown key {key!r}")
    if "version" in fields and _scalar(fields["version"][1], name) != "1":
        raise CorpusError(f"{name}:{_line(fields['version'][1])}: unsupported version")
    if "items" not in fields:
        raise CorpusError(f"{name}:{_line(root)}: missing 'items'")
    items = fields["items"][1]
    if not isinstance(items, yaml.SequenceNode) or not items.value:
        raise CorpusError(f"{name}:{_line(items)}: 'items' must be a non-empty list")
    return items


def _mapping_fields(node: yaml.MappingNode, name: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """Key → (key node, value node); duplicate or non-string keys are errors."""
    fields: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise CorpusError(f"{name}:{_line(key_node)}: keys must be plain strings")
        if key_node.value in fields:
            raise CorpusError(f"{name}:{_line(key_node)}: duplicate key {key_node.value!r}")
        fields[key_node.value] = (key_node, value_node)
    return fields


def _parse_entry(node: yaml.Node, name: str) -> CorpusEntry:
    """Validate one `items:` entry; values are taken as raw strings (no YAML coercion)."""
    if not isinstance(node, yaml.MappingNode):
        raise CorpusError(f"{name}:{_line(node)}: each item must be a mapping")
    fields = _mapping_fields(node, name)
    for key, (key_node, _) in fields.items():
        if key not in REQUIRED_FIELDS | OPTIONAL_FIELDS:
            raise CorpusError(f"{name}:{_line(key_node)}: unknown key {key!r}")
    missing = sorted(REQUIRED_FIELDS - fields.keys())
    if missing:
        raise CorpusError(f"{name}:{_line(node)}: missing field(s): {', '.join(missing)}")
    raw = {key: _scalar(value, name) for key, (_, value) in fields.items()}
    for key, value in raw.items():
        if not value:
            raise CorpusError(f"{name}:{_line(fields[key][1])}: {key!r} is empty")

    def fail(key: str, reason: str) -> CorpusError:
        return CorpusError(f"{name}:{_line(fields[key][1])}: {key!r} {reason}")

    return _build_entry(raw, fail, _line(node))


def _build_entry(raw: dict[str, str], fail: _Fail, line: int) -> CorpusEntry:
    """Check each field's shape and build the entry; `fail(key, reason)` makes the error."""
    checks = {
        "id": (_ID_RE, "must be lowercase letters, digits and '-' (max 32)"),
        "language": (_LANG_RE, "must be an ISO 639-1 code like 'en'"),
        "url": (_URL_RE, "must be an http(s) URL"),
    }
    for key, (pattern, reason) in checks.items():
        if key in raw and not pattern.match(raw[key]):
            raise fail(key, reason)
    if "/" in raw["file"] or "\\" in raw["file"] or raw["file"].startswith("."):
        raise fail("file", "must be a plain file name inside the seeds directory")
    if raw["date_precision"] not in DATE_PRECISIONS:
        raise fail("date_precision", f"must be one of {sorted(DATE_PRECISIONS)}")
    return CorpusEntry(
        id=raw["id"],
        file=raw["file"],
        title=_normalise_line(raw["title"]),
        publisher=_normalise_line(raw["publisher"]),
        language=raw["language"],
        published=_parse_date(raw["published"], fail),
        date_precision=raw["date_precision"],
        date_evidence=_normalise_line(raw["date_evidence"]),
        author=_normalise_line(raw["author"]) if "author" in raw else None,
        url=raw.get("url"),
        header_lines=_parse_count(raw, "header_lines", 1, fail),
        footer_lines=_parse_count(raw, "footer_lines", 0, fail),
        line=line,
    )


def _parse_date(value: str, fail: _Fail) -> date:
    if not _DATE_RE.match(value):
        raise fail("published", f"must be an ISO date YYYY-MM-DD, got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise fail("published", f"is not a valid date: {value!r} ({e})") from e


def _parse_count(raw: dict[str, str], key: str, default: int, fail: _Fail) -> int:
    if key not in raw:
        return default
    if not raw[key].isdigit() or int(raw[key]) > 20:
        raise fail(key, "must be a whole number from 0 to 20")
    return int(raw[key])


def _check_unique(entries: list[CorpusEntry], name: str) -> None:
    seen_ids: dict[str, int] = {}
    seen_files: dict[str, int] = {}
    for entry in entries:
        if entry.id in seen_ids:
            first = seen_ids[entry.id]
            raise CorpusError(f"{name}:{entry.line}: duplicate id {entry.id!r} (first at {first})")
        if entry.file in seen_files:
            raise CorpusError(f"{name}:{entry.line}: file {entry.file!r} is listed twice")
        seen_ids[entry.id] = entry.line
        seen_files[entry.file] = entry.line


def _scalar(node: yaml.Node, name: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise CorpusError(f"{name}:{_line(node)}: expected a single value, not a list or mapping")
    return str(node.value).strip()


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _read_body(seeds_dir: Path, entry: CorpusEntry) -> str:
    """The article body of a seed file: header/footer lines dropped, whitespace normalised."""
    path = seeds_dir / entry.file
    try:
        raw = path.read_bytes()
    except FileNotFoundError as e:
        raise CorpusError(
            f"{INDEX_NAME}:{entry.line}: file {entry.file!r} not found in {seeds_dir}"
        ) from e
    except OSError as e:
        raise CorpusError(f"{path}: cannot read: {e}") from e
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise CorpusError(f"{path}: not valid UTF-8 (byte {e.start})") from e
    if "\x00" in text:
        raise CorpusError(f"{path}: binary content (NUL byte)")
    body = normalise_body(text, header_lines=entry.header_lines, footer_lines=entry.footer_lines)
    if not body:
        raise CorpusError(f"{path}: no article body after the header/footer lines")
    return body


def normalise_body(text: str, *, header_lines: int = 1, footer_lines: int = 0) -> str:
    """Drop the first `header_lines` and last `footer_lines` non-blank lines; one paragraph per
    remaining line, spaces collapsed, paragraphs joined by a blank line."""
    lines = [_normalise_line(line) for line in text.splitlines()]
    paragraphs = [line for line in lines if line]
    end = len(paragraphs) - footer_lines
    return "\n\n".join(paragraphs[header_lines:end] if end > header_lines else [])


def _normalise_line(line: str) -> str:
    return _SPACES_RE.sub(" ", line).strip()


def _make_item(entry: CorpusEntry, body: str, fetched: datetime) -> Item:
    published = datetime(
        entry.published.year, entry.published.month, entry.published.day, tzinfo=UTC
    )
    return Item(
        id=make_item_id(SOURCE, entry.id),
        source=SOURCE,
        source_name=SOURCE_NAME,
        key=entry.id,
        title=entry.title,
        text=body,
        link=entry.url,
        publisher=entry.publisher,
        language=entry.language,
        published=published,
        published_origin="metadata",
        fetched=fetched,
        source_ref=entry.file,
    )
