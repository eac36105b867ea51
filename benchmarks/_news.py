"""News-like items for the matcher benchmark, from real prose: the words of the labelled texts
(tests/data/eval/*.jsonl, tests/data/stories/*.jsonl; English and Russian) at their natural
frequency, split into general words and rule-near words, and the labelled on-topic texts.

A word is *rule-near* when it is a term word of the rules, or when its first five letters (the
whole word, for four letters) are those of a term word of four letters or more (`Russian`,
`sanctioned`, `recognised`, `безопасности`…); stopwords (`bot.event_terms.STOPWORDS`) never
are (terms such as "military bloc led by Moscow" would make `with`, `from` and `в` rule-near).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.event_terms import STOPWORDS
from bot.text import tokens

REPO = Path(__file__).resolve().parent.parent
SOURCES = sorted((REPO / "tests" / "data" / "eval").glob("*.jsonl")) + sorted(
    (REPO / "tests" / "data" / "stories").glob("*.jsonl")
)
LANGS = ("en", "ru")
KINDS = ("topical", "near", "general")


@dataclass(frozen=True)
class Vocabulary:
    general: dict[str, tuple[str, ...]]  # language → tokens (repeats kept: natural frequency)
    near: dict[str, tuple[str, ...]]  # language → rule-near tokens (repeats kept)
    density: dict[str, float]  # language → share of rule-near tokens in the labelled texts
    topical: dict[str, tuple[tuple[str, str], ...]]  # language → on-topic (title, text)

    def describe(self) -> str:
        return "; ".join(
            f"{lang}: {len(set(self.general[lang])):,} distinct general words, "
            f"{len(set(self.near[lang])):,} distinct rule-near words ({self.density[lang]:.0%} "
            f"of the words), {len(self.topical[lang])} on-topic texts"
            for lang in LANGS
        )


def _key(word: str) -> str:
    return word[:5]


def vocabulary(rule_words: Iterable[str]) -> Vocabulary:
    """The labelled texts' words, split by `rule_words` (term words of the rules, `*` allowed)."""
    rows = [json.loads(line) for path in SOURCES for line in path.read_text("utf-8").splitlines()]
    words = {lang: [w for r in rows if r["lang"] == lang
                    for w in tokens(f"{r['title']} {r['text']}") if w.isalpha()]
             for lang in LANGS}  # fmt: skip
    ruled = {w for term_word in rule_words for w in tokens(term_word.rstrip("*")) if len(w) > 1}
    ruled -= STOPWORDS  # and no single letters ("Russia's" → "russia", "s")
    keys = {_key(w) for w in ruled if len(w) >= 4}

    def near(w: str) -> bool:
        return w not in STOPWORDS and (w in ruled or (len(w) >= 4 and _key(w) in keys))

    near_words = {lang: tuple(w for w in words[lang] if near(w)) for lang in LANGS}
    return Vocabulary(
        general={lang: tuple(w for w in words[lang] if not near(w)) for lang in LANGS},
        near=near_words,
        density={lang: len(near_words[lang]) / len(words[lang]) for lang in LANGS},
        topical={lang: tuple((r["title"], r["text"]) for r in rows
                             if r["lang"] == lang and r.get("topics")) for lang in LANGS},
    )  # fmt: skip


def _sentence(rng: random.Random, vocab: Vocabulary, lang: str, near: float, n: int) -> str:
    """`n` words of filler, a share `near` of them rule-near."""
    general, close = vocab.general[lang], vocab.near[lang]
    words = [rng.choice(close) if near and rng.random() < near else rng.choice(general)
             for _ in range(n)]  # fmt: skip
    return " ".join(words).capitalize()


def make_items(
    vocab: Vocabulary,
    count: int,
    seed: int,
    shares: tuple[float, float] = (0.15, 0.35),
    near_density: float = 0.05,
    size: int = 1000,
) -> list[tuple[str, str, str, str]]:
    """`count` (title, text, language, kind) items of ~`size` characters; `shares`: of topical
    and near-topical items (the rest general); `near_density`: the share of rule-near words in
    a near-topical item's filler."""
    rng = random.Random(seed)
    items = []
    for _ in range(count):
        lang = rng.choice(LANGS)
        roll = rng.random()
        kind = "topical" if roll < shares[0] else "near" if roll < sum(shares) else "general"
        near = near_density if kind == "near" else 0.0
        title = _sentence(rng, vocab, lang, near, rng.randint(6, 10))
        sentences: list[str] = []
        if kind == "topical":
            title, text = rng.choice(vocab.topical[lang])
            sentences.append(text)
        while sum(len(s) + 2 for s in sentences) < size:
            made = _sentence(rng, vocab, lang, near, rng.randint(8, 18)) + "."
            sentences.insert(rng.randrange(len(sentences) + 1), made)
        items.append((title, " ".join(sentences), lang, kind))
    return items
