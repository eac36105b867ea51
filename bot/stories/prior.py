"""How common each event term is in this domain's news: the document frequencies story term
weights start from (pure, plus reading the bundled table).

A poll's own reports do not count in the term weights (they would make the stories depend on
which feed answered first), so on a fresh database every term of a kind weighed the same, and
"sanctions", "Russia" and "EU" counted as much as "Astana" or "Fico". The prior fixes that from
the first poll: the document frequency of every term over a corpus of this domain's reports
(the labelled rule-development sets in `tests/data/eval/`, 965 reports in English and Russian),
shipped as `bot/data/story_prior.json` and rebuilt by `python -m bot.stories.prior`. Reports
stored later add to it (`Weights.count`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from bot.stories.fingerprint import fingerprint_text

PRIOR_FILE = "story_prior.json"
MIN_DOCUMENTS = 2  # a term seen once says nothing the default (unseen) weight does not
# The rule-development sets: never the holdouts, and not the story sets it is measured on.
CORPUS = (
    "dev-en.jsonl", "dev-ru.jsonl", "dev-legacy.jsonl", "dev2-en.jsonl", "dev2-ru.jsonl",
    "dev3-en.jsonl", "dev3-ru.jsonl",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Prior:
    """Document frequencies of event terms over `reports` reports."""

    reports: int
    df: dict[int, int]


def build_prior(reports: Iterable[tuple[str, str]]) -> Prior:
    """The prior of (title, text) reports: each term counted once per report."""
    df: Counter[int] = Counter()
    count = 0
    for title, text in reports:
        df.update(set(fingerprint_text(title, text).terms))
        count += 1
    return Prior(count, {t: n for t, n in sorted(df.items()) if n >= MIN_DOCUMENTS})


def dumps(prior: Prior) -> str:
    """The bundled file's text: one term per line, so a rebuild's diff is readable."""
    lines = [f'{{"reports": {prior.reports}, "df": {{']
    lines.append(",\n".join(f'"{term}": {n}' for term, n in prior.df.items()))
    lines.append("}}")
    return "\n".join(lines) + "\n"


def loads(text: str) -> Prior:
    data = json.loads(text)
    return Prior(int(data["reports"]), {int(t): int(n) for t, n in data["df"].items()})


@cache
def bundled_prior() -> Prior:
    """The prior shipped with the package (read once per process)."""
    return loads(resources.files("bot").joinpath("data", PRIOR_FILE).read_text("utf-8"))


def corpus_reports(directory: Path) -> list[tuple[str, str]]:
    """(title, text) of every report in the corpus files under `directory`."""
    reports = []
    for name in CORPUS:
        for line in (directory / name).read_text("utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                reports.append((row.get("title", ""), row.get("text", "")))
    return reports


def main() -> None:  # pragma: no cover - the rebuild command; tests check its result
    root = Path(__file__).resolve().parents[2]
    prior = build_prior(corpus_reports(root / "tests" / "data" / "eval"))
    (root / "bot" / "data" / PRIOR_FILE).write_text(dumps(prior), "utf-8")
    print(f"{len(prior.df)} terms from {prior.reports} reports")


if __name__ == "__main__":
    main()
