"""Personal watches: `/watch NAME query` in the rule term syntax, compiled like topics (pure).

A query is a comma-separated list of terms; any of them fires the watch, and a word written
`-word` vetoes it. Terms use the rule syntax for words (`Tokayev`, `Токаев`, `санкци*`,
`price+cap`, phrases); regular expressions are not allowed in watches, so no user input can
make the matcher slow.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from bot.errors import RuleError
from bot.matching import RuleSet, rules_from_texts
from bot.models import Watch as Watch  # re-exported: the record lives with the others

MAX_WATCHES_PER_CHAT = 10
MAX_QUERY_CHARS = 300
MAX_TERMS = 12
MAX_TERM_CHARS = 60
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
# Letters (any script), digits, spaces and the few marks the term syntax uses.
_TERM = re.compile(r"^[\w\s'’\-.*+]+$")


class WatchError(RuleError):
    """A watch name or query that cannot be accepted; the message says why."""


def parse_query(query: str) -> tuple[list[str], list[str]]:
    """(terms, excluded terms) of a query, validated and length-limited."""
    if len(query) > MAX_QUERY_CHARS:
        raise WatchError(f"the query is longer than {MAX_QUERY_CHARS} characters")
    parts: list[str] = []
    for chunk in re.split(r",|\bOR\b", query):
        # "-word" after a space is an exclusion even without a comma before it.
        parts.extend("-" + x for x in re.findall(r"(?:^|\s)-(\S+)", chunk))
        parts.append(re.sub(r"(?:^|\s)-\S+", " ", chunk).strip())
    parts = [p.strip() for p in parts if p.strip()]
    if not parts:
        raise WatchError("the query has no terms")
    if len(parts) > MAX_TERMS:
        raise WatchError(f"at most {MAX_TERMS} terms, separated by commas")
    terms: list[str] = []
    excluded: list[str] = []
    for part in parts:
        negative = part.startswith("-")
        term = part[1:].strip() if negative else part
        if not term or len(term) > MAX_TERM_CHARS or not _TERM.match(term):
            raise WatchError(
                f"{part!r}: terms are words or phrases of at most {MAX_TERM_CHARS} characters "
                "(letters, digits, spaces, - ' * +)"
            )
        if term.startswith("re:") or term.strip("*+ ") == "":
            raise WatchError(f"{part!r} is not a word")
        (excluded if negative else terms).append(term)
    if not terms:
        raise WatchError("the query needs at least one term that is not excluded")
    return terms, excluded


def check_name(name: str) -> str:
    name = name.lower()
    if not _NAME.match(name):
        raise WatchError("a watch name is 1-32 characters: a-z, 0-9 and _, starting with a letter")
    return name


def topic_id(watch: Watch) -> str:
    """The topic id a watch compiles to (unique per chat and name)."""
    chat = f"m{-watch.chat_id}" if watch.chat_id < 0 else str(watch.chat_id)
    return f"w{chat}_{watch.name}"


def _rule_text(watch: Watch) -> str:
    terms, excluded = parse_query(watch.query)
    block: dict[str, object] = {"any": terms}
    if excluded:
        block["none"] = excluded
    rule = {"id": topic_id(watch), "name": watch.name, "description": watch.query,
            "match": block}  # fmt: skip
    return json.dumps(rule, ensure_ascii=False)  # JSON is YAML: no quoting surprises


def compile_watches(watches: Sequence[Watch]) -> tuple[RuleSet, dict[str, Watch]]:
    """One rule set for every watch (one scan per item), and topic id → watch."""
    sources = [(f"watch {w.name}", _rule_text(w)) for w in watches]
    return rules_from_texts(sources), {topic_id(w): w for w in watches}
