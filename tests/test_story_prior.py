"""The term-frequency prior story weights start from (bot/stories/prior.py)."""

from __future__ import annotations

from pathlib import Path

from bot.event_terms import ENTITY, kind_of, term
from bot.stories import Weights, fingerprint_text
from bot.stories.prior import build_prior, bundled_prior, corpus_reports, dumps, loads

EVAL = Path(__file__).parent / "data" / "eval"


def test_the_bundled_prior_is_the_one_the_corpus_gives_today() -> None:
    """A lexicon or fingerprint change that moves terms must come with a rebuilt table
    (`python -m bot.stories.prior`)."""
    rebuilt = build_prior(corpus_reports(EVAL))
    assert rebuilt.reports >= 900
    assert rebuilt == bundled_prior()
    assert loads(dumps(rebuilt)) == rebuilt


def test_the_prior_makes_topic_words_cheap_and_rare_names_dear() -> None:
    weights = Weights(bundled_prior())
    uniform = Weights()
    (russia,), (fico,) = _terms("Russia"), _terms("Fico")
    (sanctions,), (aluminium,) = _terms("sanctions"), _terms("aluminium")
    assert kind_of(russia) == kind_of(fico) == ENTITY
    assert weights(russia) < weights(fico) / 2
    assert weights(sanctions) < weights(aluminium) / 2
    assert uniform(russia) == uniform(fico)  # without a prior every entity weighs the same


def _terms(word: str) -> list[int]:
    return list(fingerprint_text(word, "").title)


def test_a_prior_counts_each_term_once_per_report_and_drops_one_off_terms() -> None:
    prior = build_prior([("Armenia freezes CSTO role", "Armenia, Armenia."),
                         ("CSTO summit in Minsk", "The CSTO met."),
                         ("Tokayev visits Astana", "")])  # fmt: skip
    assert prior.reports == 3
    assert prior.df[term(ENTITY, "csto")] == 2
    assert term(ENTITY, "armenia") not in prior.df  # in one report only (however often)
