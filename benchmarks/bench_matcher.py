"""Benchmark the compiled rule matcher against two naive regex baselines, in one run.

    python benchmarks/bench_matcher.py            # 20,000 items of ~1 KB per pass, 50 rules
    python benchmarks/bench_matcher.py --smoke    # 500 items: checks that it runs (CI)

Items are generated from real news prose: the words of the labelled texts
(tests/data/eval/*.jsonl and tests/data/stories/*.jsonl, English and Russian; thousands of
distinct words) at their natural frequency. Three kinds of item, in stated shares:

- topical (15 %): one labelled on-topic text (title and body) inside general filler;
- near-topical (35 %): filler with rule-near words mixed in (5 % of its words, about 8 an
  item; the labelled texts have 27 %): words sharing their first five letters with a term word
  of the rules (Russian, sanctioned, recognised, Armenia, безопасности…; stopwords left out),
  which send the matcher through its prefix and stem look-ups, `near` and weights;
- general (50 %): filler only (the labelled texts' other words).

The rules are the 3 bundled ones plus 47 generated variants (other ids, other entities and
words), all with morphology on. Baselines:

- per-term: one `re.search` per term per item (terms as Python regexes, whole words);
- per-rule: one alternation regex of all the rule's terms per item.

Every matcher, geoalert's and the baselines alike, runs in a fresh process of its own:

- cold pass: the first batch of items, right after the rules are loaded (empty word caches;
  loading is timed on its own);
- warm pass: a second batch of new items from the same vocabulary, after the first (the caches
  hold the first batch's words: what a long-running parsing process sees).

Inside each timer: `match` (or the regex searches) over the batch's items, one after another;
outside: interpreter start, imports, reading the items, loading the rules. Both baselines only
answer "does any term occur" (less than the matcher does: weights, `near`, `unless`,
evidence) and run on a slice of the items; items/s is a rate either way. Figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks._news import KINDS, make_items, vocabulary  # noqa: E402
from bot.matching import load_rules  # noqa: E402
from bot.matching.compiler import split_term  # noqa: E402

Item = tuple[str, str, str]  # title, text, language
MATCHERS = {  # name in the tables → the --child argument
    "compiled matcher": "compiled",
    "naive: re.search per term": "per-term",
    "naive: alternation per rule": "per-rule",
}

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


def rule_sources(rule_dir: Path) -> dict[str, list[str]]:
    """Every term of every rule as written (`re:` before a regex), `unless` contexts left out."""
    import yaml

    out: dict[str, list[str]] = {}
    for path in sorted(rule_dir.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        found: list[str] = []
        _collect(doc.get("groups", {}), found)
        _collect(doc["match"], found)
        out[doc["id"]] = list(dict.fromkeys(found))
    return out


def rule_terms(rule_dir: Path) -> dict[str, list[str]]:
    """Every term of every rule, as the Python regex a naive matcher would use."""
    return {
        rule: [rf"(?<!\w)(?:{_term_regex(t)})(?!\w)" for t in sources]
        for rule, sources in rule_sources(rule_dir).items()
    }


def rule_words(rule_dir: Path) -> list[str]:
    """The words of every term that is not a regex (`*` kept)."""
    return [w for terms in rule_sources(rule_dir).values() for t in terms
            if not t.startswith("re:") for w in t.split()]  # fmt: skip


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


def child(kind: str, rule_dir: Path, items_file: Path, sample: int) -> None:
    """One matcher in this fresh process: load the rules, a cold pass over the first batch, a
    warm pass over the second; prints one `CHILD {json}` line."""
    batches: list[list[Item]] = [[], []]
    for line in items_file.read_text(encoding="utf-8").splitlines():
        batch, title, text, lang = json.loads(line)
        batches[batch].append((title, text, lang))
    if sample:
        batches = [b[:sample] for b in batches]
    start = time.perf_counter()
    if kind == "compiled":
        rules = load_rules(rule_dir)
        run: Callable[[Item], object] = lambda item: rules.match(*item)  # noqa: E731
    else:
        baseline = per_term_baseline if kind == "per-term" else per_rule_baseline
        run = baseline(rule_terms(rule_dir))
    out: dict[str, object] = {"load_s": time.perf_counter() - start}
    for name, items in zip(("cold", "warm"), batches, strict=True):
        start = time.perf_counter()
        found = [bool(run(item)) for item in items]
        out[name] = (time.perf_counter() - start, len(items))
        out.setdefault("matched", found)
    if kind == "compiled":
        out["rules"] = len(rules)
        out["memory"] = peak_memory(rule_dir, batches[0][:2000])
    print("CHILD " + json.dumps(out), flush=True)


def run_child(kind: str, rule_dir: Path, items_file: Path, sample: int) -> dict[str, object]:
    cmd = [sys.executable, __file__, "--child", kind, "--rule-dir", str(rule_dir),
           "--items-file", str(items_file), "--sample", str(sample)]  # fmt: skip
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("CHILD ")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"{kind} matcher failed:\n{proc.stdout[-2000:]}{proc.stderr[-4000:]}")
    return json.loads(lines[-1][len("CHILD ") :])  # type: ignore[no-any-return]


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
    parser.add_argument("--items", type=int, default=20_000, help="items per pass")
    parser.add_argument(
        "--rules", type=Path, default=REPO / "rules", help="rule files to start from (to compare)"
    )
    parser.add_argument("--topical-share", type=float, default=0.15)
    parser.add_argument("--near-share", type=float, default=0.35)
    parser.add_argument("--near-density", type=float, default=0.05, help="in near-topical items")
    parser.add_argument("--child", choices=list(MATCHERS.values()), help=argparse.SUPPRESS)
    parser.add_argument("--rule-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--items-file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sample", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.rule_dir, args.items_file, args.sample)
        return
    count = 500 if args.smoke else args.items
    # The baselines take ~0.3 s and ~0.15 s an item (15,000 terms): a slice of each batch.
    sample = 10 if args.smoke else max(50, count // 100)
    shares = (args.topical_share, args.near_share)
    with tempfile.TemporaryDirectory() as tmp:
        rule_dir = Path(tmp) / "rules"
        rule_dir.mkdir()
        make_rule_dir(rule_dir, source=args.rules)
        vocab = vocabulary(rule_words(rule_dir))
        batches = [make_items(vocab, count, seed, shares, args.near_density) for seed in (7, 8)]
        items_file = Path(tmp) / "items.jsonl"
        items_file.write_text("".join(json.dumps([b, *item[:3]], ensure_ascii=False) + "\n"
                                      for b, batch in enumerate(batches) for item in batch),
                              encoding="utf-8")  # fmt: skip
        runs = {name: run_child(kind, rule_dir, items_file, 0 if kind == "compiled" else sample)
                for name, kind in MATCHERS.items()}  # fmt: skip
        n_terms = sum(map(len, rule_terms(rule_dir).values()))
    print(f"vocabulary (rule-near: first five letters of a rule's term word): {vocab.describe()}")
    report(runs, n_terms, [item[3] for item in batches[0]], (*shares, args.near_density))


def report(
    runs: dict[str, dict], n_terms: int, kinds: list[str], shares: tuple[float, float, float]
) -> None:
    """Print the tables and the RESULT lines."""
    from benchmarks._common import emit

    compiled = runs["compiled matcher"]
    matched = compiled["matched"]
    by_kind = {k: [m for m, kind in zip(matched, kinds, strict=True) if kind == k] for k in KINDS}
    print(f"rules: {compiled['rules']} ({n_terms} terms), loaded in "
          f"{compiled['load_s'] * 1000:.0f} ms (a fresh process)")  # fmt: skip
    print(f"items: 2 batches of {len(kinds)} (~1 KB each; the baselines take the first "
          f"{runs['naive: re.search per term']['cold'][1]} of each); by construction "
          f"{shares[0]:.0%} topical, {shares[1]:.0%} near-topical ({shares[2]:.0%} of their "
          f"words rule-near), {1 - shares[0] - shares[1]:.0%} general")  # fmt: skip
    print("matched at least one topic by the compiled matcher (cold batch): " + ", ".join(
        f"{k} {sum(v) / max(len(v), 1):.0%} of {len(v)}" for k, v in by_kind.items())
          + f"; all {sum(matched) / len(matched):.0%}")  # fmt: skip
    rates = {p: {n: r[p][1] / r[p][0] for n, r in runs.items()} for p in ("cold", "warm")}
    # run_all.py reads these rows by name (`compiled matcher, cold|warm`, then the fastest of
    # the others): the cold table comes last, so the baselines it keeps are the cold ones.
    for p, what in (("warm", "warm pass: a second batch of new items, caches filled by the "
                     "first"), ("cold", "cold pass: the first batch in a fresh process, empty "
                     "caches")):  # fmt: skip
        print(f"\n{what}\n{'matcher':<30} {'items':>7} {'seconds':>8} {'items/s':>10} "
              f"{'compiled is':>12}")  # fmt: skip
        own = rates[p]["compiled matcher"]
        for name, run in runs.items():
            label = f"compiled matcher, {p}" if name == "compiled matcher" else name
            print(f"{label:<30} {run[p][1]:>7} {run[p][0]:>8.2f} {rates[p][name]:>10.0f} "
                  f"{own / rates[p][name]:>11.1f}×")  # fmt: skip
    memory, rss = compiled["memory"]
    print(f"peak traced memory (load + 2000 items): {memory:.1f} MiB; max RSS {rss:.0f} MiB\n")
    for p in ("cold", "warm"):
        base = max((n for n in runs if n != "compiled matcher"), key=lambda n: rates[p][n])
        own = rates[p]["compiled matcher"]
        emit(f"matcher: compiled rules, {p} pass [timed: RuleSet.match over {len(kinds)} items "
             f"({'the first batch, fresh process' if p == 'cold' else 'a second batch'}); "
             f"baseline: its regex searches over a slice, likewise; not timed: start-up, "
             f"imports, reading the items, loading the rules]",
             f"{own:.0f} items/s ({sum(matched) / len(matched):.0%} matched)",
             f"{rates[p][base]:.0f} items/s ({base}, {p})", f"{own / rates[p][base]:.1f}×",
             "—", None)  # fmt: skip


if __name__ == "__main__":
    main()
