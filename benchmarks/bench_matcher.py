"""Benchmark the compiled rule matcher against two naive regex baselines, in one run.

    python benchmarks/bench_matcher.py            # 20,000 items of ~1 KB, 50 rules
    python benchmarks/bench_matcher.py --smoke    # 500 items: checks that it runs (CI)

Items are generated (mixed English/Russian filler, ~15 % with a topical sentence); the rules
are the 3 bundled ones plus 47 generated variants (other ids, other entities and words), all
with morphology on. Baselines:

- per-term: one `re.search` per term per item (terms as Python regexes, whole words);
- per-rule: one alternation regex of all the rule's terms per item.

The matcher is timed twice over the same items: cold (first pass, empty word cache: every
word is stemmed once) and warm (second pass). Baselines run once, with no warm-up.
Both baselines only answer "does any term occur" (less than the matcher does: weights,
`near`, `unless`, evidence). Baselines run on a slice of the items; items/s is a rate either
way. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.matching import RuleSet, load_rules  # noqa: E402
from bot.matching.compiler import split_term  # noqa: E402

Item = tuple[str, str, str]  # title, text, language

EN_TEXT = (
    "the government said on monday that the new budget would support growth in the region "
    "while analysts expected inflation to slow after the central bank kept its key rate and "
    "officials met investors in the capital to discuss energy prices trade routes and ports "
    "farmers reported a strong harvest as the weather improved across the northern provinces"
)
RU_TEXT = (
    "правительство заявило в понедельник что новый бюджет поддержит рост экономики региона "
    "аналитики ожидают замедления инфляции после того как центральный банк сохранил ставку "
    "чиновники встретились с инвесторами в столице чтобы обсудить цены на энергию и порты "
    "фермеры сообщили о хорошем урожае так как погода улучшилась в северных областях"
)
TOPICAL = (
    ("en", "The EU adopted its 14th package of sanctions against Russia on Friday."),
    ("en", "Kazakhstan says it will not help Moscow evade Western sanctions."),
    ("en", "Armenia freezes its participation in the CSTO, Pashinyan says."),
    ("en", "Kazakhstan will not recognize the LPR and DPR, its foreign ministry said."),
    ("ru", "ЕС ввёл новые санкции против России."),
    ("ru", "Армения заморозила участие в ОДКБ."),
    ("ru", "Казахстан не признаёт ЛНР и ДНР, заявил министр."),
    ("ru", "Компании из Казахстана помогают обходить антироссийские санкции."),
)
# Variant rules replace each bundled rule's key words and entities with another topic's.
KEYWORDS = {
    "sanctions": [
        (("sanction", "embargo"), ("санкци", "эмбарго")),
        (("sanction", "tariff"), ("санкци", "пошлин")),
        (("sanction", "boycott"), ("санкци", "бойкот")),
        (("sanction", "quota"), ("санкци", "квот")),
    ],
    "csto": [
        (("CSTO", "SCO"), ("ОДКБ", "ШОС"), ("Collective", "Shanghai"), ("оллективн", "анхайск")),
        (("CSTO", "NATO"), ("ОДКБ", "НАТО"), ("Collective", "North Atlantic")),
        (("CSTO", "EAEU"), ("ОДКБ", "ЕАЭС"), ("Collective", "Eurasian Economic")),
    ],
    "non_recognition": [
        (("recogni", "annex"), ("призна", "аннекс")),
        (("recogni", "occup"), ("призна", "оккуп")),
        (("recogni", "integrat"), ("призна", "интегр")),
    ],
}
ENTITIES = [
    (("Russia", "Iran"), ("Росси", "Иран"), ("LPR", "TRNC"), ("ЛНР", "ТРСК")),
    (("Russia", "China"), ("Росси", "Кита"), ("Crimea", "Kosovo"), ("Крым", "Косов")),
    (("Belarus", "Venezuel"), ("Беларус", "Венесуэл"), ("Abkhaz", "Somaliland")),
    (("Russia", "Syria"), ("Росси", "Сири"), ("Kazakhstan", "Lebanon")),
]


def make_items(count: int, seed: int = 7) -> list[Item]:
    """`count` items of ~1 KB; about 15 % carry one topical sentence."""
    rng = random.Random(seed)
    items = []
    for _ in range(count):
        lang = rng.choice(("en", "ru"))
        words = (EN_TEXT if lang == "en" else RU_TEXT).split()
        sentences = []
        while sum(len(s) + 1 for s in sentences) < 1000:
            sentence = " ".join(rng.choice(words) for _ in range(rng.randint(8, 16)))
            sentences.append(sentence.capitalize() + ".")
        if rng.random() < 0.15:
            sentences.insert(rng.randrange(len(sentences)), rng.choice(TOPICAL)[1])
        title = " ".join(rng.choice(words) for _ in range(6)).capitalize()
        items.append((title, " ".join(sentences), lang))
    return items


def make_rule_dir(directory: Path, variants: int = 47, source: Path = REPO / "rules") -> Path:
    """The rules of `source` (the bundled ones) plus `variants` generated ones (other key
    words and entities)."""
    bundled = sorted(source.glob("*.yaml"))
    for path in bundled:
        (directory / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    for n in range(variants):
        text = bundled[n % len(bundled)].read_text(encoding="utf-8")
        topic = re.search(r"^id: (\w+)", text, re.M).group(1)  # type: ignore[union-attr]
        text = text.replace(f"id: {topic}", f"id: {topic}_v{n}", 1)
        keywords = KEYWORDS[topic][n // 3 % len(KEYWORDS[topic])]
        for old, new in (*keywords, *ENTITIES[n // 2 % len(ENTITIES)]):
            text = text.replace(old, new).replace(old.lower(), new.lower())
        (directory / f"{topic}_v{n}.yaml").write_text(text, encoding="utf-8")
    return directory


def _term_regex(source: str) -> str:
    if source.startswith("re:"):
        return source[3:]
    words, _ = split_term(source)
    parts = [re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w) for w in words]
    return r"[\s\-'’\"“”«»]+".join(parts)


def rule_terms(rule_dir: Path) -> dict[str, list[str]]:
    """Every term of every rule, as the Python regex a naive matcher would use."""
    import yaml

    out: dict[str, list[str]] = {}
    for path in sorted(rule_dir.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        found: list[str] = []
        _collect(doc.get("groups", {}), found)
        _collect(doc["match"], found)
        out[doc["id"]] = [rf"(?<!\w)(?:{_term_regex(t)})(?!\w)" for t in dict.fromkeys(found)]
    return out


def _collect(node: object, found: list[str]) -> None:
    if isinstance(node, str) and not node.startswith("@"):
        found.append(node)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in ("term", "any", "all", "near", "match"):
                _collect(value, found)
            elif key == "regex":
                found.append(f"re:{value}")
            elif key not in ("unless", "none", "label", "weight", "lang", "within", "examples"):
                _collect(value, found)
    elif isinstance(node, list):
        for value in node:
            _collect(value, found)


def per_term_baseline(terms: dict[str, list[str]]) -> Callable[[Item], set[str]]:
    compiled = {t: [re.compile(p, re.IGNORECASE) for p in ps] for t, ps in terms.items()}

    def run(item: Item) -> set[str]:
        text = f"{item[0]}\n{item[1]}"
        return {t for t, ps in compiled.items() if sum(1 for p in ps if p.search(text))}

    return run


def per_rule_baseline(terms: dict[str, list[str]]) -> Callable[[Item], set[str]]:
    compiled = {t: re.compile("|".join(ps), re.IGNORECASE) for t, ps in terms.items()}

    def run(item: Item) -> set[str]:
        text = f"{item[0]}\n{item[1]}"
        return {t for t, p in compiled.items() if p.search(text)}

    return run


def timed(run: Callable[[Item], object], items: Sequence[Item]) -> tuple[float, int]:
    start = time.perf_counter()
    for item in items:
        run(item)
    return time.perf_counter() - start, len(items)


def peak_memory(rule_dir: Path, items: Sequence[Item]) -> tuple[float, float]:
    """MiB: tracemalloc peak of loading the rules and matching `items`; process max RSS."""
    tracemalloc.start()
    rules = load_rules(rule_dir)
    for title, text, lang in items:
        rules.match(title, text, lang)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20, rss_kib / 1024


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="500 items: a quick run for CI")
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument(
        "--rules", type=Path, default=REPO / "rules", help="rule files to start from (to compare)"
    )
    args = parser.parse_args(argv)
    count = 500 if args.smoke else args.items
    items = make_items(count)
    sample = items[: max(50, count // 20)]
    with tempfile.TemporaryDirectory() as tmp:
        rule_dir = make_rule_dir(Path(tmp), source=args.rules)
        start = time.perf_counter()
        rules: RuleSet = load_rules(rule_dir)
        load_s = time.perf_counter() - start
        terms = rule_terms(rule_dir)
        # The first pass starts with an empty word cache (cold); the second reuses it (warm).
        start = time.perf_counter()
        matched = sum(1 for t, x, lang in items if rules.match(t, x, lang))
        cold_s = time.perf_counter() - start
        rows = [
            ("compiled matcher, cold", cold_s, count),
            ("compiled matcher, warm", *timed(lambda i: rules.match(*i), items)),
            ("naive: re.search per term", *timed(per_term_baseline(terms), sample)),
            ("naive: alternation per rule", *timed(per_rule_baseline(terms), sample)),
        ]
        memory, rss = peak_memory(rule_dir, items[:2000])
    report(rows, len(rules), sum(map(len, terms.values())), load_s, matched, count, memory, rss)


def report(
    rows: list[tuple[str, float, int]],
    n_rules: int,
    n_terms: int,
    load_s: float,
    matched: int,
    count: int,
    memory: float,
    rss: float,
) -> None:
    """Print the results table."""
    kb = sum(len(t) + len(x) for t, x, _ in make_items(min(count, 200))) / min(count, 200)
    print(f"rules: {n_rules} ({n_terms} terms), loaded in {load_s * 1000:.0f} ms")
    print(f"items: {count} of ~{kb / 1024:.2f} KB; {matched} matched at least one topic")
    compiled_rate = rows[0][2] / rows[0][1]  # the cold pass: what a fresh process gets
    print(f"{'matcher':<30} {'items':>7} {'seconds':>8} {'items/s':>10} {'compiled is':>12}")
    for name, seconds, n in rows:
        rate = n / seconds
        print(f"{name:<30} {n:>7} {seconds:>8.2f} {rate:>10.0f} {compiled_rate / rate:>11.1f}×")
    print(f"peak traced memory (load + 2000 items): {memory:.1f} MiB; max RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
