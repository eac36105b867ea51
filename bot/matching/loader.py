"""Parsed rule files → validated `TopicSpec`s; every mistake is a `RuleError` `file:line: why`."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, NoReturn

from bot.errors import RuleError
from bot.matching.spec import (
    BlockSpec,
    ExampleKind,
    ExampleSpec,
    GroupTermSpec,
    NearTermSpec,
    PatternSpec,
    PatternTermSpec,
    TermSpec,
    TopicSpec,
)
from bot.matching.yamlsource import LineDict, LineList

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_LANG = re.compile(r"^[a-z]{2,3}$")
TOPIC_KEYS = (
    "id", "name", "description", "priority", "morphology", "groups", "match", "examples",
)  # fmt: skip
PRIORITIES = ("normal", "high")
BLOCK_KEYS = ("label", "any", "all", "none", "threshold")
TERM_KEYS = (
    "term",
    "regex",
    "near",
    "within",
    "ordered",
    "across_sentences",
    "weight",
    "lang",
    "unless",
    "label",
    "morph",
)
NEAR_KEYS = ("within", "ordered", "across_sentences")
EXAMPLE_KEYS = ("title", "text", "language")
DEFAULT_WITHIN = 5


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class TopicParser:
    """Validates one parsed rule file; `label` is the file name used in error messages."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.groups: dict[str, list[PatternTermSpec]] = {}
        self.morph = True  # the topic's `morphology` default for plain terms

    def fail(self, line: int, reason: str) -> NoReturn:
        raise RuleError(f"{self.label}:{line}: {reason}")

    def check_keys(self, mapping: LineDict, allowed: tuple[str, ...], where: str) -> None:
        for key in mapping:
            if key not in allowed:
                expected = ", ".join(allowed)
                self.fail(mapping.key_lines[key], f"unknown key {key!r} in {where} ({expected})")

    def require(self, mapping: LineDict, key: str, where: str) -> Any:
        if key not in mapping:
            self.fail(mapping.line, f"{where} is missing the required key {key!r}")
        return mapping[key]

    def topic(self, doc: Any) -> TopicSpec:
        """Validate a whole rule file."""
        if doc is None:
            self.fail(1, "the rule file is empty")
        if not isinstance(doc, LineDict):
            self.fail(getattr(doc, "line", 1), "a rule file must be a mapping (id, name, …)")
        self.check_keys(doc, TOPIC_KEYS, "a topic")
        topic_id = self.require(doc, "id", "the topic")
        if not isinstance(topic_id, str) or not _ID.match(topic_id):
            self.fail(
                doc.key_lines["id"], "'id' must be a lowercase name like 'sanctions' (a-z 0-9 _)"
            )
        self.morph = self.flag(doc, "morphology", True)
        name = self.texts(doc, "name")
        description = self.texts(doc, "description")
        if "groups" in doc:
            self.parse_groups(doc["groups"], doc.key_lines["groups"])
        blocks = self.match(self.require(doc, "match", "the topic"), doc.key_lines["match"])
        examples = (
            self.examples(doc["examples"], doc.key_lines["examples"]) if "examples" in doc else ()
        )
        priority = doc.get("priority", "normal")
        if priority not in PRIORITIES:
            self.fail(doc.key_lines["priority"], "'priority' must be 'normal' or 'high'")
        return TopicSpec(
            topic_id, name, description, blocks, examples, self.label, doc.key_lines["id"],
            priority,
        )  # fmt: skip

    def flag(self, mapping: LineDict, key: str, default: bool) -> bool:
        """An optional true/false key."""
        value = mapping.get(key, default)
        if not isinstance(value, bool):
            self.fail(mapping.key_lines[key], f"{key!r} must be true or false")
        return value

    def texts(self, doc: LineDict, key: str) -> dict[str, str]:
        """`name`/`description`: a string (English) or a mapping of language code to string."""
        value, line = self.require(doc, key, "the topic"), doc.key_lines.get(key, doc.line)
        if isinstance(value, str) and value.strip():
            return {"en": value.strip()}
        if not isinstance(value, LineDict):
            self.fail(line, f"{key!r} must be a string or a mapping like {{en: …, ru: …}}")
        out: dict[str, str] = {}
        for lang, text in value.items():
            if not isinstance(lang, str) or not _LANG.match(lang):
                self.fail(value.key_lines[lang], f"{lang!r} in {key!r} is not a language code")
            if not isinstance(text, str) or not text.strip():
                self.fail(value.key_lines[lang], f"'{key}.{lang}' must be a non-empty string")
            out[lang] = text.strip()
        if "en" not in out:
            self.fail(line, f"{key!r} needs an 'en' entry")
        return out

    def parse_groups(self, value: Any, line: int) -> None:
        """`groups: {name: [terms]}`: named term lists, referenced elsewhere as `@name`."""
        if not isinstance(value, LineDict) or not value:
            self.fail(line, "'groups' must be a non-empty mapping of name to a list of terms")
        for name, terms in value.items():
            key_line = value.key_lines[name]
            if not isinstance(name, str) or not _ID.match(name):
                self.fail(key_line, f"group name {name!r} must be lowercase (a-z 0-9 _)")
            where = f"groups.{name}"
            parsed = self.term_list(terms, key_line, where, compound=False)
            members = [t for t in parsed if isinstance(t, PatternTermSpec)]
            for member in members:
                if member.weight != 1.0:
                    self.fail(member.line, "weights inside a group have no effect")
            self.groups[name] = members

    def match(self, value: Any, line: int) -> tuple[BlockSpec, ...]:
        """`match`: one block (a mapping) or a list of alternative blocks."""
        if isinstance(value, LineDict):
            return (self.block(value, ""),)
        if not isinstance(value, LineList):
            self.fail(line, "'match' must be a mapping (any/all/none) or a list of them")
        if not value:
            self.fail(line, "'match' must not be empty")
        blocks = []
        for index, (item, item_line) in enumerate(zip(value, value.item_lines, strict=True)):
            if not isinstance(item, LineDict):
                self.fail(item_line, "each 'match' alternative must be a mapping (any/all/none)")
            blocks.append(self.block(item, f"#{index + 1}"))
        return tuple(blocks)

    def block(self, value: LineDict, default_label: str) -> BlockSpec:
        """One combination block."""
        self.check_keys(value, BLOCK_KEYS, "a match block")
        if "any" not in value and "all" not in value:
            self.fail(value.line, "a match block needs 'any' or 'all'")
        lines = value.key_lines
        any_ = self.term_list(value["any"], lines["any"], "any") if "any" in value else []
        all_ = self.all_groups(value["all"], lines["all"]) if "all" in value else ()
        none = self.term_list(value["none"], lines["none"], "none") if "none" in value else []
        threshold = 1.0
        if "threshold" in value:
            threshold = value["threshold"]
            if not _is_number(threshold) or threshold <= 0:
                self.fail(lines["threshold"], "'threshold' must be a positive number")
            if not any_:
                self.fail(lines["threshold"], "'threshold' applies to 'any', which is missing")
        label = value.get("label", default_label)
        if not isinstance(label, str):
            self.fail(lines["label"], "'label' must be a string")
        return BlockSpec(label, tuple(any_), tuple(all_), tuple(none), float(threshold), value.line)

    def all_groups(self, value: Any, line: int) -> tuple[tuple[TermSpec, ...], ...]:
        """`all`: every entry must hit; an entry that is a list (or `@group`) is an OR-group."""
        self.check_list(value, line, "all")
        groups = []
        for item, item_line in zip(value, value.item_lines, strict=True):
            if isinstance(item, LineList):
                groups.append(tuple(self.term_list(item, item_line, "all")))
            else:
                groups.append(tuple(self.term(item, item_line, "all", compound=True)))
        return tuple(groups)

    def check_list(self, value: Any, line: int, where: str) -> None:
        if not isinstance(value, LineList):
            self.fail(line, f"{where!r} must be a list")
        if not value:
            self.fail(line, f"{where!r} must not be empty")

    def term_list(
        self, value: Any, line: int, where: str, *, compound: bool = True
    ) -> list[TermSpec]:
        """A list of terms; `@group` items expand to the group's terms."""
        self.check_list(value, line, where)
        out: list[TermSpec] = []
        for item, item_line in zip(value, value.item_lines, strict=True):
            if isinstance(item, LineList):
                self.fail(item_line, f"items of {where!r} must be terms, not lists")
            out.extend(self.term(item, item_line, where, compound=compound))
        return out

    def group(self, ref: str, line: int) -> list[PatternTermSpec]:
        if ref[1:] not in self.groups:
            known = ", ".join(f"@{g}" for g in self.groups) or "none defined"
            self.fail(line, f"unknown group {ref!r} (groups: {known})")
        return self.groups[ref[1:]]

    def term(self, item: Any, line: int, where: str, *, compound: bool) -> list[TermSpec]:
        """One term: a string, `@group`, or a mapping (term/regex/near + options).

        In `any`/`none` a `@group` is one term (any member hits, weighted once); in `all`
        entries, `near` sides and other groups it stands for its members.
        """
        if isinstance(item, str) and item.startswith("@"):
            members = self.group(item, line)
            if compound and where in ("any", "none"):
                return [GroupTermSpec(tuple(members), 1.0, None, item, line)]
            return list(members)
        if isinstance(item, str):
            pattern = self.pattern(item, line, where)
            return [PatternTermSpec(pattern, 1.0, None, (), pattern.label, line)]
        if isinstance(item, LineDict):
            return [self.term_mapping(item, where, compound=compound)]
        self.fail(line, f"a term in {where!r} must be a string or a mapping, not {_kind(item)}")

    def pattern(self, value: Any, line: int, where: str) -> PatternSpec:
        """A plain term, or a regex when written `re:…`."""
        if not isinstance(value, str):
            self.fail(line, f"a term in {where!r} must be a string, not {_kind(value)}")
        if value.startswith("re:"):
            return self.regex(value[3:], line)
        if not value.strip():
            self.fail(line, f"empty term in {where!r}")
        return PatternSpec(value.strip(), False, line, self.morph)

    def regex(self, value: Any, line: int) -> PatternSpec:
        if not isinstance(value, str) or not value.strip():
            self.fail(line, "a regex must be a non-empty string")
        return PatternSpec(value, True, line)

    def term_mapping(self, item: LineDict, where: str, *, compound: bool) -> TermSpec:
        """`{term|regex|near: …, weight, lang, label, unless, within, ordered}`."""
        self.check_keys(item, TERM_KEYS, "a term")
        kinds = [k for k in ("term", "regex", "near") if k in item]
        if len(kinds) != 1:
            self.fail(item.line, "a term mapping needs exactly one of 'term', 'regex', 'near'")
        kind, lines = kinds[0], item.key_lines
        if kind == "near" and not compound:
            self.fail(lines["near"], f"'near' is not allowed in {where!r}")
        for key in NEAR_KEYS if kind != "near" else ("unless", "morph"):
            if key in item:
                self.fail(lines[key], f"{key!r} is not allowed with {kind!r}")
        if kind == "regex" and "morph" in item:
            self.fail(lines["morph"], "'morph' is not allowed with 'regex'")
        weight, lang, label = self.term_options(item)
        if kind == "near":
            return self.near(item, weight, lang, label)
        if kind == "term" and isinstance(item["term"], str) and item["term"].startswith("@"):
            return self.group_term(item, where, compound, (weight, lang, label))
        if kind == "regex":
            pattern = self.regex(item["regex"], lines["regex"])
        else:
            pattern = self.pattern(item["term"], lines["term"], where)
            if pattern.is_regex and "morph" in item:
                self.fail(lines["morph"], "'morph' is not allowed with 're:' regexes")
            pattern = replace(pattern, morph=self.flag(item, "morph", pattern.morph))
        unless = tuple(self.unless(item["unless"], lines["unless"])) if "unless" in item else ()
        return PatternTermSpec(pattern, weight, lang, unless, label or pattern.label, item.line)

    def group_term(
        self, item: LineDict, where: str, compound: bool, options: tuple[float, str | None, Any]
    ) -> GroupTermSpec:
        """`{term: "@group", weight: …}`: a group as one weighted term."""
        if not compound:
            self.fail(item.key_lines["term"], f"a weighted @group is not allowed in {where!r}")
        for key in ("unless", "morph"):
            if key in item:
                self.fail(item.key_lines[key], f"{key!r} belongs on the group's members")
        members = tuple(self.group(item["term"], item.key_lines["term"]))
        weight, lang, label = options
        return GroupTermSpec(members, weight, lang, label or item["term"], item.line)

    def term_options(self, item: LineDict) -> tuple[float, str | None, str | None]:
        weight, lang, label = item.get("weight", 1), item.get("lang"), item.get("label")
        if not _is_number(weight) or weight <= 0:
            self.fail(item.key_lines["weight"], "'weight' must be a positive number")
        if lang is not None and (not isinstance(lang, str) or not _LANG.match(lang)):
            self.fail(item.key_lines["lang"], "'lang' must be a language code like 'en' or 'ru'")
        if label is not None and (not isinstance(label, str) or not label.strip()):
            self.fail(item.key_lines["label"], "'label' must be a non-empty string")
        return float(weight), lang, label

    def unless(self, value: Any, line: int) -> list[PatternSpec | NearTermSpec]:
        """Plain terms, `re:` regexes, or `{near: [A, B], within: N}` pairs."""
        self.check_list(value, line, "unless")
        out: list[PatternSpec | NearTermSpec] = []
        for v, ln in zip(value, value.item_lines, strict=True):
            if isinstance(v, LineDict) and "near" in v:
                self.check_keys(v, ("near", *NEAR_KEYS, "label"), "an 'unless' near")
                weight, lang, label = self.term_options(v)  # only the label can be set here
                out.append(self.near(v, weight, lang, label))
            else:
                out.append(self.pattern(v, ln, "unless"))
        return out

    def near(
        self, item: LineDict, weight: float, lang: str | None, label: str | None
    ) -> NearTermSpec:
        """`near: [A, B]` with `within: N` (words between, default 5) and `ordered`."""
        value, line = item["near"], item.key_lines["near"]
        if not isinstance(value, LineList) or len(value) != 2:
            self.fail(line, "'near' must be a list of two terms or term lists: [A, B]")
        sides = [self.near_side(v, ln) for v, ln in zip(value, value.item_lines, strict=True)]
        within = item.get("within", DEFAULT_WITHIN)
        if not isinstance(within, int) or isinstance(within, bool) or within < 0:
            self.fail(item.key_lines["within"], "'within' must be a whole number of words ≥ 0")
        ordered, across = item.get("ordered", False), item.get("across_sentences", False)
        for key, flag in (("ordered", ordered), ("across_sentences", across)):
            if not isinstance(flag, bool):
                self.fail(item.key_lines[key], f"{key!r} must be true or false")
        if label is None:
            label = f"{_side_label(value[0])} ~{within} {_side_label(value[1])}"
        left, right = sides
        return NearTermSpec(left, right, within, ordered, across, weight, lang, label, item.line)

    def near_side(self, value: Any, line: int) -> tuple[PatternTermSpec, ...]:
        if isinstance(value, LineList):
            terms = self.term_list(value, line, "near", compound=False)
        else:
            terms = self.term(value, line, "near", compound=False)
        return tuple(t for t in terms if isinstance(t, PatternTermSpec))

    def examples(self, value: Any, line: int) -> tuple[ExampleSpec, ...]:
        """`examples: {match: [...], no_match: [...]}`."""
        if not isinstance(value, LineDict):
            self.fail(line, "'examples' must be a mapping with 'match' and/or 'no_match'")
        self.check_keys(value, ("match", "no_match"), "'examples'")
        out: list[ExampleSpec] = []
        kinds: tuple[ExampleKind, ...] = ("match", "no_match")
        for kind in kinds:
            if kind in value:
                items, key_line = value[kind], value.key_lines[kind]
                self.check_list(items, key_line, f"examples.{kind}")
                for index, (item, item_line) in enumerate(
                    zip(items, items.item_lines, strict=True)
                ):
                    out.append(self.example(item, item_line, kind, index))
        return tuple(out)

    def example(self, item: Any, line: int, kind: ExampleKind, index: int) -> ExampleSpec:
        """A string (the text), or `{title, text, language}`."""
        if isinstance(item, str) and item.strip():
            return ExampleSpec(kind, index, "", item, None, line)
        if not isinstance(item, LineDict):
            self.fail(
                line, f"an example in 'examples.{kind}' must be a non-empty string or mapping"
            )
        self.check_keys(item, EXAMPLE_KEYS, "an example")
        for key in EXAMPLE_KEYS:
            if key in item and not isinstance(item[key], str):
                self.fail(item.key_lines[key], f"example {key!r} must be a string")
        if not item.get("title", "").strip() and not item.get("text", "").strip():
            self.fail(line, "an example needs a 'title' or a 'text'")
        title, text = item.get("title", ""), item.get("text", "")
        return ExampleSpec(kind, index, title, text, item.get("language"), line)


def _kind(value: Any) -> str:
    if isinstance(value, LineList):
        return "a list"
    if isinstance(value, LineDict):
        return "a mapping"
    return "null" if value is None else type(value).__name__


def _side_label(value: Any) -> str:
    if isinstance(value, LineList):
        shown = [str(v) for v in value[:2]]
        return "(" + " | ".join(shown) + (" | …" if len(value) > 2 else "") + ")"
    if isinstance(value, LineDict):
        return str(value.get("label") or value.get("term") or value.get("regex") or "…")
    return str(value)
