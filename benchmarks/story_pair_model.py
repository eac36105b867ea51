"""Can a model learned from the labelled pairs tell events apart better than geoalert's score? (#15)

    python benchmarks/story_pair_model.py tests/data/stories/*.jsonl REAL.jsonl… [--report real-]

Not part of run_all or CI: scikit-learn is an optional extra (`pip install -e '.[story-model]'`),
not something geoalert runs with.

Every pair of reports within each set, published within the 72 h a story spans, whose
weighted term overlap or shingle overlap is above noise, is described by the readings geoalert
already makes of it (`PAIR_FEATURES`: the overlap before and after its factors, each factor and
veto, the time apart, the statement and action readings, how many terms of each kind the two
share, what each headline names that the other report does not). Models are then fitted
leave-one-set-out: each set's pairs are predicted by a model trained on the other sets' pairs
only. Over the pairs of the sets whose file name starts with `--report` (all by default), it
prints the average precision and ROC AUC of geoalert's pair score (`similarity`, bundled prior
weights) and of each model's prediction, and the best pairwise precision at recall 0.6–0.9.

This measures the ceiling of the features, not of the grouping: if no model over everything
the pair score reads ranks the pairs better than the score, a better-tuned score cannot either,
and what tells the remaining pairs apart is not in these readings. Nothing is timed.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from datetime import timedelta
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
from benchmarks.story_embeddings import precision_at  # handles ties as one threshold
from bot.event_terms import ACTION, CITY, CONCEPT, DATE, ENTITY, NUMBER, ORDINAL, WORD, kind_of
from bot.stories import similarity as pair_score
from bot.stories.fingerprint import fingerprint_text, minhash_jaccard
from bot.stories.prior import bundled_prior
from bot.stories.similarity import (
    Weights,
    _Terms,
    consequence,
    other_action,
    other_actors,
    recency,
    third_party,
    told_apart,
    vetoed,
)
from bot.stories.similarity import (
    overlap as pair_overlap,
)
from bot.stories.steps import envoys_step
from bot.story_evaluation import StoryReport, load_story_set

WINDOW_HOURS = 72  # pairs further apart are never compared (`bot.stories.index.WINDOW`)
NOISE = 0.05  # pairs below this overlap, and not near-copies, are left out (never candidates)
RECALLS = (0.6, 0.7, 0.8, 0.9)
PAIR_FEATURES = (
    "log overlap", "overlap", "score", "log score", "other action", "unshared actors",
    "other polities", "third party", "consequence", "other day", "vetoed", "told apart",
    "days apart", "over 18 h", "recency", "same language", "shingle overlap", "statements",
    "one statement", "same action", "actions", "shared entities", "shared actions",
    "shared ordinals", "shared venues", "shared numbers and dates", "shared concepts",
    "shared words", "shared headline terms", "headline overlap", "unshared headline actors",
    "unshared headline actions", "envoys step", "same subject", "other agents",
)  # fmt: skip


def pair_features(
    a: StoryReport, b: StoryReport, fa: _Terms, fb: _Terms, score: float, near: float,
    weights: Weights,
) -> list[float]:  # fmt: skip
    """`PAIR_FEATURES` of one pair, in that order."""
    same = a.lang == b.lang
    hours = abs((a.published - b.published).total_seconds()) / 3600
    overlap = pair_overlap(fa, fb, weights)
    common = (fa.terms & fb.terms) if same else (fa.neutral & fb.neutral)
    in_titles = fa.title & fb.title if same else fa.title & fb.title & fa.neutral

    def shared(*kinds: int) -> int:
        return sum(1 for t in common if kind_of(t) in kinds)

    values = [
        math.log(overlap + 1e-3), overlap, score, math.log(score + 1e-3),
        other_action(fa, fb), bool(fa.title_actors - fb.terms and fb.title_actors - fa.terms),
        other_actors(fa, fb), third_party(fa, fb) or third_party(fb, fa),
        consequence(fa, fb) or consequence(fb, fa), bool(fa.day and fb.day and fa.day != fb.day),
        vetoed(fa, fb), told_apart(fa, fb), min(hours, 96.0) / 24, hours > 18,
        recency(timedelta(hours=hours), fa, fb), same, near,
        bool(fa.speaker) + bool(fb.speaker), bool(fa.speaker) != bool(fb.speaker),
        bool(fa.action and fa.action == fb.action), bool(fa.action) + bool(fb.action),
        shared(ENTITY), shared(ACTION), shared(ORDINAL), shared(CITY), shared(NUMBER, DATE),
        shared(CONCEPT), shared(WORD), len(in_titles),
        len(in_titles) / math.sqrt(max(1, len(fa.title)) * max(1, len(fb.title))),
        len(fa.title_actors - fb.terms) + len(fb.title_actors - fa.terms),
        len(fa.title_actions - fb.terms) + len(fb.title_actions - fa.terms),
        envoys_step(fa, fb), bool(fa.subject and fa.subject == fb.subject),
        bool(fa.agent and fb.agent and fa.agent != fb.agent),
    ]  # fmt: skip
    return [float(v) for v in values]


Pair = tuple[str, bool, float, list[float]]  # set name, same event, geoalert's score, features


def set_pairs(path: Path, weights: Weights) -> list[Pair]:
    """The candidate pairs of one labelled set."""
    reports = load_story_set([path])
    prints = {r.id: fingerprint_text(r.title, r.text, r.published) for r in reports}
    terms = {i: _Terms.of(fp) for i, fp in prints.items()}
    pairs: list[Pair] = []
    for a, b in combinations(reports, 2):
        gap = a.published - b.published
        if abs(gap) > timedelta(hours=WINDOW_HOURS):
            continue
        near = minhash_jaccard(prints[a.id], prints[b.id])
        score = pair_score(prints[a.id], prints[b.id], weights, gap=gap)
        features = pair_features(a, b, terms[a.id], terms[b.id], score, near, weights)
        if features[1] < NOISE and near < 0.5:
            continue
        pairs.append((path.stem, a.event == b.event, score, features))
    return pairs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("sets", nargs="+", type=Path, help="labelled story sets (JSONL)")
    parser.add_argument("--report", default="", help="score the sets whose name starts so")
    args = parser.parse_args(argv)
    try:
        import numpy as np
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import average_precision_score, roc_auc_score
    except ImportError:
        print("story_pair_model: scikit-learn is not installed here (see the module docstring)")
        return 2
    weights = Weights(bundled_prior())
    pairs = [p for path in args.sets for p in set_pairs(path, weights)]
    names = np.array([p[0] for p in pairs])
    labels = np.array([p[1] for p in pairs])
    features = np.array([p[3] for p in pairs])
    models = {
        "logistic regression": lambda: LogisticRegression(max_iter=3000),
        "gradient boosting": lambda: HistGradientBoostingClassifier(
            max_iter=200, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=20
        ),
    }
    scored = {"geoalert's pair score": np.array([p[2] for p in pairs])}
    for name, make in models.items():
        predicted = np.zeros(len(pairs))
        for held in sorted(set(names)):
            out = names == held
            model = make().fit(features[~out], labels[~out])
            predicted[out] = model.predict_proba(features[out])[:, 1]
        scored[name] = predicted
    shown = np.array([n.startswith(args.report) for n in names])
    print(
        f"{len(pairs)} candidate pairs in {len(args.sets)} sets; scored on {int(shown.sum())}"
        f" ({int(labels[shown].sum())} of one event), each set predicted by models fitted on"
        " the others"
    )
    print(f"{'scorer':24s} {'AP':>6s} {'AUC':>6s}  " + "  ".join(f"P@R{r}" for r in RECALLS))
    for name, values in scored.items():
        y, s = labels[shown], values[shown]
        at = "  ".join(f"{precision_at(list(map(int, y)), list(s), r):6.3f}" for r in RECALLS)
        print(f"{name:24s} {average_precision_score(y, s):6.3f} {roc_auc_score(y, s):6.3f}  {at}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
