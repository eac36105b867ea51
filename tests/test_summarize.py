"""Sentence splitting (EN + RU) and extractive summaries of the seed corpus."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.models import Item
from bot.sources.corpus import load_corpus
from bot.summarize import split_sentences, summarize

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ENDINGS = tuple(".!?…\"'”’»)")
BOILERPLATE = (
    "Join the conversation",
    "Trending on",
    "Leave a Reply",
    "No comments",
    "Post a Comment",
    "Photo:",
    "Pool Photo",
    "Download",
    "views0 comments",
)
EVIDENCE = {
    "seed-000": ["LPR", "DPR", "recognize"],
    "seed-001": ["sanctions"],
    "seed-002": ["Collective Security Treaty Organization", "CSTO"],
    "seed-003": ["sanctions", "recognize"],
    "seed-004": ["Luhansk", "Donetsk", "recognize"],
}


@pytest.fixture(scope="module")
def seeds() -> dict[str, Item]:
    items = load_corpus(SEEDS, fetched=datetime(2024, 5, 1, tzinfo=UTC))
    return {item.key: item for item in items}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met Dr. Jones in St. Petersburg on Jan. 6. They talked.",
            ["Mr. Smith met Dr. Jones in St. Petersburg on Jan. 6.", "They talked."],
        ),
        (
            "The U.S. and the U.N. agreed, e.g. on aid. The E.U. did not.",
            ["The U.S. and the U.N. agreed, e.g. on aid.", "The E.U. did not."],
        ),
        (
            "Kazakhstan turned to the U.S. It did not wait.",
            ["Kazakhstan turned to the U.S.", "It did not wait."],
        ),
        (
            "V. Putin spoke to J. R. R. Tolkien. He was brief.",
            ["V. Putin spoke to J. R. R. Tolkien.", "He was brief."],
        ),
        (
            "Inflation hit 2.5 percent. Oil fell 3.75%.",
            ["Inflation hit 2.5 percent.", "Oil fell 3.75%."],
        ),
        (
            "“I admit I was wrong.” He said so. “Why?” she asked. “Because!” Then silence.",
            [
                "“I admit I was wrong.”",
                "He said so.",
                "“Why?” she asked.",
                "“Because!”",
                "Then silence.",
            ],
        ),
        (
            "He paused... Then he left. It goes on… The end.",
            ["He paused...", "Then he left.", "It goes on…", "The end."],
        ),
        ("He paused... and then left… quietly.", ["He paused... and then left… quietly."]),
        (
            "A heading without a stop\n\nFirst. Second.",
            ["A heading without a stop", "First.", "Second."],
        ),
    ],
)
def test_split_english(text: str, expected: list[str]) -> None:
    assert split_sentences(text, "en") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "В. В. Путин прибыл в г. Москва. Там его ждали.",
            ["В. В. Путин прибыл в г. Москва.", "Там его ждали."],
        ),
        ("Это, т.е. санкции, важно. Дальше.", ["Это, т.е. санкции, важно.", "Дальше."]),
        ("Яблоки, груши и т.д. Потом всё.", ["Яблоки, груши и т.д.", "Потом всё."]),
        (
            "Музей им. Ленина на ул. Пушкина, и др. Конец.",
            ["Музей им. Ленина на ул. Пушкина, и др.", "Конец."],
        ),
        ("В 2022 г. Токаев отказался. Это важно.", ["В 2022 г. Токаев отказался.", "Это важно."]),
        ("Это было в 2022 г. Он ушёл.", ["Это было в 2022 г.", "Он ушёл."]),
        ("Рост составил 2,5 и 3.5 процента. Всё.", ["Рост составил 2,5 и 3.5 процента.", "Всё."]),
        (
            "Он сказал: «Мы не признаем ЛНР и ДНР». Это важно… Следующее. «Почему?» — спросила.",
            [
                "Он сказал: «Мы не признаем ЛНР и ДНР».",
                "Это важно…",
                "Следующее.",
                "«Почему?» — спросила.",
            ],
        ),
    ],
)
def test_split_russian(text: str, expected: list[str]) -> None:
    assert split_sentences(text, "ru") == expected
    assert split_sentences(text) == expected  # the language is guessed from the script


def _assert_well_formed(summary: str, max_chars: int = 400) -> None:
    assert 0 < len(summary) <= max_chars
    assert 1 <= len(split_sentences(summary, "en")) <= 3
    assert "<" not in summary and "&amp;" not in summary and "&#" not in summary
    assert summary.endswith(ENDINGS), f"ends mid-sentence: {summary[-30:]!r}"
    assert "  " not in summary and "\n" not in summary


def _assert_extractive(summary: str, text: str) -> None:
    """Each summary sentence starts and ends like a stretch of the text: no word was cut."""
    for sentence in split_sentences(summary, "en"):
        core = sentence.rstrip(".!?…")
        assert core[:40] in text and core[-40:] in text, sentence


@pytest.mark.parametrize("key", sorted(EVIDENCE))
def test_each_seed_summary_is_short_whole_sentences(seeds: dict[str, Item], key: str) -> None:
    item = seeds[key]
    for terms in (EVIDENCE[key], ()):
        summary = summarize(item.title, item.text, language="en", evidence_terms=terms)
        _assert_well_formed(summary)
        _assert_extractive(summary, item.text)


@pytest.mark.parametrize("key", sorted(EVIDENCE))
def test_raw_seed_files_summarise_without_boilerplate(seeds: dict[str, Item], key: str) -> None:
    raw = (SEEDS / seeds[key].source_ref).read_text(encoding="utf-8")
    title, body = raw.split("\n", 1)
    summary = summarize(title, body, evidence_terms=EVIDENCE[key])
    _assert_well_formed(summary)
    assert not any(junk in summary for junk in BOILERPLATE)


def test_al_jazeera_summary_carries_the_luhansk_donetsk_quote(seeds: dict[str, Item]) -> None:
    item = seeds["seed-004"]
    summary = summarize(item.title, item.text, evidence_terms=["Luhansk", "Donetsk", "recognize"])
    assert (
        "“Apparently, the same principle will be applied to the quasi-state areas which, "
        "in our view, are Luhansk and Donetsk,” he said" in summary
    )


def test_csto_summary_carries_the_deployment_sentence(seeds: dict[str, Item]) -> None:
    item = seeds["seed-002"]
    terms = ["Collective Security Treaty Organization", "CSTO"]
    summary = summarize(item.title, item.text, evidence_terms=terms)
    assert (
        "It is the first time the Collective Security Treaty Organization, founded after the "
        "dissolution of the Soviet Union and composed of six former members, has agreed to "
        "deploy “peacekeepers” to aid a member country." in summary
    )


def test_non_recognition_summary_carries_the_lpr_dpr_sentence(seeds: dict[str, Item]) -> None:
    item = seeds["seed-000"]
    summary = summarize(item.title, item.text, evidence_terms=["LPR", "DPR", "recognize"])
    assert (
        "“We welcome Kazakhstan’s announcement that they will not recognize the LPR and DPR,”"
        in summary
    )


def test_summaries_are_deterministic(seeds: dict[str, Item]) -> None:
    item = seeds["seed-001"]
    assert summarize(item.title, item.text) == summarize(item.title, item.text)


def test_short_lede_is_returned_as_is() -> None:
    lede = "Kazakhstan will not recognize the Donetsk and Luhansk republics, Tokayev said."
    assert summarize("Kazakhstan", lede) == lede
    assert summarize("Kazakhstan", f"  {lede}\n\n") == lede
    assert summarize("Kazakhstan", "Tokayev snubs Putin at SPIEF") == "Tokayev snubs Putin at SPIEF"
    assert summarize("Tokayev snubs Putin", "") == "Tokayev snubs Putin"


def test_html_debris_is_stripped() -> None:
    text = "<p>Kazakhstan &amp; Russia <b>disagree</b>.</p><p>Sanctions &#8212; they stay.</p>"
    assert summarize("Kazakhstan", text) == "Kazakhstan & Russia disagree. Sanctions — they stay."
    assert (
        summarize("K", "Tokayev &amp;amp; Putin met<br>in June.") == "Tokayev & Putin met in June."
    )


def test_overlong_best_sentence_is_cut_on_a_word_boundary() -> None:
    sentence = "Kazakhstan " + " ".join(["refuses to recognize the breakaway republics"] * 20) + "."
    summary = summarize("Kazakhstan", sentence, max_chars=100)
    assert len(summary) <= 100 and summary.endswith("…")
    assert sentence.startswith(summary[:-1])
    assert sentence[len(summary) - 1] == " "  # the cut falls between two words


def test_max_sentences_and_max_chars_are_respected(seeds: dict[str, Item]) -> None:
    item = seeds["seed-004"]
    one = summarize(item.title, item.text, evidence_terms=["Luhansk"], max_sentences=1)
    assert len(split_sentences(one, "en")) == 1 and "Luhansk and Donetsk" in one
    short = summarize(item.title, item.text, max_chars=150)
    assert len(short) <= 150


RUSSIAN_TEXT = """\
Президент Казахстана Касым-Жомарт Токаев выступил на ПМЭФ в Санкт-Петербурге. Рядом с ним \
сидел В. В. Путин.

Токаев заявил, что Казахстан не признаёт квазигосударственные образования, т.е. ЛНР и ДНР. \
По его словам, принцип территориальной целостности важнее.

Кроме того, Казахстан не будет помогать России обходить санкции Запада. Экспорт нефти \
пойдёт в обход России, сообщил министр энергетики.

Фото: пресс-служба Акорды

Читайте также: новости Центральной Азии
"""


def test_russian_summary_prefers_evidence_stems() -> None:
    summary = summarize(
        "Казахстан и Россия", RUSSIAN_TEXT, language="ru", evidence_terms=["санкци", "ЛНР"]
    )
    assert "Казахстан не будет помогать России обходить санкции Запада." in summary
    assert "т.е. ЛНР и ДНР." in summary
    assert "Фото" not in summary and "Читайте также" not in summary
    assert 1 <= len(split_sentences(summary, "ru")) <= 3 and len(summary) <= 400


def test_russian_summary_without_a_language_hint() -> None:
    summary = summarize("Токаев и ЛНР", RUSSIAN_TEXT, max_chars=200)
    assert 0 < len(summary) <= 200 and summary.endswith(ENDINGS)
