"""The benchmarks still run: `benchmarks/run_all.py --smoke` exits 0 and reports every one.

Figures are never asserted here (CI machines vary); see benchmarks/ and the README.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXPECTED_ROWS = [
    "pipeline: cold poll vs feedparser",
    "pipeline: cold poll vs reader",
    "pipeline: all-304 poll vs reader",
    "delivery: fan-out msg/s",
    "latency: feed → alert",
    "memory: peak RSS after a poll",
    "prune: old items, search index in sync",
    "process: whole scan vs reader update_feeds",
    "process: whole scan vs reader + update_search",
    "process: `geoalert run` tree PSS peak, first poll",
    "process: `geoalert run` tree PSS at rest",
]


def test_run_all_smoke_prints_every_benchmark() -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run_all.py"), "--smoke"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    table = proc.stdout[proc.stdout.rindex("| benchmark") :]
    for row in EXPECTED_ROWS:
        assert f"| {row} " in table, f"{row!r} missing from:\n{table}"
    if (REPO / "benchmarks" / "bench_matcher.py").exists():
        assert "| matcher: compiled rules, cold pass" in table, table
        assert "| matcher: compiled rules, warm pass" in table, table
    assert "FAILED" not in table, table


def test_story_embedding_comparison_ranks_and_reports_missing_models() -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from story_embeddings import average_precision, precision_at
    finally:
        sys.path.pop(0)
    labels, scores = [1, 0, 1, 0], [0.9, 0.8, 0.7, 0.6]
    assert abs(average_precision(labels, scores) - (1 + 2 / 3) / 2) < 1e-9
    assert precision_at(labels, scores, 1.0) == 2 / 3
    assert precision_at(labels, scores, 0.5) == 1.0
    assert average_precision([1, 0], [0.5, 0.5]) == 0.5  # a tie is one threshold
    # geoalert's own scorer runs; a model whose package is absent is named, not a crash
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "story_embeddings.py")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "geoalert: " in proc.stdout and "| geoalert | en-ru |" in proc.stdout
    assert "use: not measured (ModuleNotFoundError" in proc.stdout


def test_story_pair_model_describes_every_candidate_pair() -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from story_pair_model import PAIR_FEATURES, set_pairs
    finally:
        sys.path.pop(0)
    from bot.stories.prior import bundled_prior
    from bot.stories.similarity import Weights

    pairs = set_pairs(REPO / "tests" / "data" / "stories" / "dev.jsonl", Weights(bundled_prior()))
    assert any(same for _, same, _, _ in pairs) and not all(same for _, same, _, _ in pairs)
    for name, _, score, features in pairs:
        assert name == "dev" and len(features) == len(PAIR_FEATURES)
        assert features[PAIR_FEATURES.index("score")] == score
    # the models need scikit-learn, which geoalert does not depend on: without it, one line
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "story_pair_model.py"),
         str(REPO / "tests" / "data" / "stories" / "dev.jsonl"),
         str(REPO / "tests" / "data" / "stories" / "dev-2.jsonl")],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if importlib.util.find_spec("sklearn") is None:
        assert proc.returncode == 2 and "scikit-learn is not installed" in proc.stdout
    else:
        assert proc.returncode == 0, proc.stderr[-4000:]
        assert "geoalert's pair score" in proc.stdout and "logistic regression" in proc.stdout


def test_story_agreement_scores_a_second_reading_against_the_labels(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from story_agreement import comparisons
    finally:
        sys.path.pop(0)
    from bot.story_evaluation import load_story_set

    reports = load_story_set([REPO / "tests" / "data" / "stories" / "dev.jsonl"])
    same = {r.id: r.event for r in reports}
    agreed = comparisons(reports, same)["second reading vs labels"]
    assert all(s.precision == s.recall == 1.0 for s in agreed)
    # a second reader who joins two events of one language disagrees on exactly their pairs
    by_event: dict[tuple[str, str], list[str]] = {}
    for r in reports:
        by_event.setdefault((r.lang, r.event), []).append(r.id)
    (_, first), (_, second) = sorted((k, v) for k, v in by_event.items() if k[0] == "en")[:2]
    joined = {**same, **{i: same[first[0]] for i in second}}
    same_language, _ = comparisons(reports, joined)["second reading vs labels"]
    assert same_language.recall == 1.0
    assert same_language.predicted - same_language.correct == len(first) * len(second)
    # the grouping is scored against both readings; the command reads JSON lines
    (tmp_path / "second.jsonl").write_text(
        "\n".join(json.dumps({"id": i, "event": e}) for i, e in joined.items())
    )
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "story_agreement.py"),
         str(REPO / "tests" / "data" / "stories" / "dev.jsonl"), str(tmp_path / "second.jsonl")],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "grouping vs second reading" in proc.stdout and "second reading vs labels" in proc.stdout


def test_story_overlap_counts_events_an_earlier_set_holds(tmp_path: Path, monkeypatch) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import story_overlap
    finally:
        sys.path.pop(0)

    def report(rid: str, event: str, when: str, title: str) -> str:
        return json.dumps({"id": rid, "event": event, "lang": "en", "outlet": "Wire",
                           "published": when, "title": title, "text": ""})  # fmt: skip

    (tmp_path / "dev.jsonl").write_text(
        report("d1", "e1", "2022-06-29T10:00:00Z", "Syria recognises Donetsk and Luhansk") + "\n"
    )
    (tmp_path / "holdout-2.jsonl").write_text(
        report("h1", "x1", "2022-06-29T18:00:00Z", "Damascus recognizes Donetsk, Luhansk")
        + "\n"
        + report("h2", "x2", "2022-06-29T18:00:00Z", "EU adopts 12th sanctions package")
        + "\n"
    )
    (tmp_path / "holdout-3.jsonl").write_text(
        report("k1", "y1", "2022-06-29T19:00:00Z", "EU adopts its 12th package") + "\n"
    )
    monkeypatch.setattr(story_overlap, "STORIES", tmp_path)
    assert story_overlap.earlier_sets("holdout-2") == ["dev"]  # not itself, not later holdouts
    assert story_overlap.held_events("holdout-2") == (1, 2)  # the recognition, not the package
    assert story_overlap.held_events("holdout-3") == (1, 1)  # the package, held by the second


def test_story_scan_scores_the_stories_a_scan_stores_and_names_what_no_topic_matched(
    tmp_path: Path,
) -> None:
    """Two outlets' reports of one sanctions event and an off-topic report: the scan puts the
    two in one story; the off-topic one is in none, so its own event's pairs count as split."""

    def report(rid: str, event: str, outlet: str, lang: str, title: str, text: str) -> str:
        return json.dumps({"id": rid, "event": event, "lang": lang, "outlet": outlet,
                           "published": "2023-12-18T14:00:00Z", "title": title,
                           "text": text}, ensure_ascii=False)  # fmt: skip

    rows = [
        report("a", "pkg", "Wire", "en", "EU adopts 12th sanctions package against Russia",
               "The bloc banned Russian diamonds in its twelfth package of sanctions."),
        report("b", "pkg", "Лента", "ru", "ЕС утвердил 12-й пакет санкций против России",
               "Совет ЕС одобрил двенадцатый пакет санкций, включая запрет на алмазы."),
        report("c", "match", "Wire", "en", "Local team wins the cup final",
               "The home side won 2-1 in front of a full stadium."),
        report("d", "match", "Лента", "ru", "Местная команда выиграла кубок",
               "Хозяева победили со счетом 2:1."),
    ]  # fmt: skip
    (tmp_path / "set.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "story_scan.py"), str(tmp_path / "set.jsonl"),
         "--unmatched"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "set.jsonl: 4 reports, 2 in a topic's stories"
    assert "cross P 1.000 R 0.500 (1/1/2)" in lines[1]  # the cup final is in no story
    assert "cross P 1.000 R 1.000 (2/2/2)" in lines[2]  # eval --stories groups both events
    assert sorted(line.split()[2] for line in lines[3:]) == ["c", "d"]


def test_the_fixed_filler_words_share_no_start_with_todays_rules() -> None:
    """Generated items are filler words (benchmarks/filler.json, fixed so that a rules commit
    does not change a benchmark's input) around topical sentences: a filler word that came to
    share its first five letters with a rule word could make an item topical or veto one."""
    from benchmarks._common import FILLER, rule_starts

    filler = json.loads(FILLER.read_text(encoding="utf-8"))
    clashes = sorted(w for words in filler.values() for w in words if w[:5] in rule_starts())
    assert not clashes, f"regenerate with `python -m benchmarks._common filler`: {clashes}"
    assert len(filler["en"]) > 300 and len(filler["ru"]) > 300
