"""The atom prefilter only skips topics that cannot fire: results equal a full evaluation."""

from __future__ import annotations

import json
from pathlib import Path

from bot.matching import load_rules
from bot.matching.evaluate import evaluate_topic

REPO = Path(__file__).resolve().parent.parent


def test_prefiltered_match_equals_evaluating_every_topic() -> None:
    rules = load_rules(REPO / "rules")
    texts = [
        json.loads(line)
        for line in (REPO / "tests/data/labeled.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    texts += [{"title": e.title, "text": e.text, "lang": e.language} for e in rules.examples()]
    for item in texts:
        title, text, lang = item["title"], item["text"], item.get("lang")
        fast = [m.topic for m in rules.match(title, text, lang)]
        doc = rules.document(title, text, lang)
        full = [
            c.topic.id
            for c in rules._topics  # the prefilter's correctness is the point of this test
            if any(r.fired for r in evaluate_topic(c, doc))
        ]
        assert fast == full, title
