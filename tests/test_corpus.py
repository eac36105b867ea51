"""The seed corpus loads into stable, correctly dated items; a broken index names file and line."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.errors import CorpusError
from bot.models import make_item_id
from bot.sources.corpus import load_corpus

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
FETCHED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
SEED_IDS = ["seed-000", "seed-001", "seed-002", "seed-003", "seed-004"]

GOOD_ENTRY = """\
version: 1
items:
  - id: seed-a
    file: a.txt
    title: A title
    publisher: Somebody
    language: en
    published: "2022-01-06"
    date_precision: exact
    date_evidence: dateline
"""


def write_corpus(tmp_path: Path, index: str, files: dict[str, bytes] | None = None) -> Path:
    (tmp_path / "index.yaml").write_text(index, encoding="utf-8")
    for name, content in (files or {"a.txt": b"A title\n\nBody sentence one.\n"}).items():
        (tmp_path / name).write_bytes(content)
    return tmp_path


def test_seeds_load_with_one_item_per_index_entry() -> None:
    items = load_corpus(SEEDS, fetched=FETCHED)
    assert [item.key for item in items] == SEED_IDS
    assert sorted(item.source_ref for item in items) == sorted(
        p.name for p in SEEDS.glob("00*.txt")
    )


def test_item_ids_are_stable_across_loads() -> None:
    first = load_corpus(SEEDS, fetched=FETCHED)
    second = load_corpus(SEEDS, fetched=FETCHED + timedelta(days=3))
    assert [i.id for i in first] == [i.id for i in second]
    assert [i.id for i in first] == [make_item_id("corpus", key) for key in SEED_IDS]
    assert len({i.id for i in first}) == len(first)


def test_dates_follow_the_true_order_of_publication() -> None:
    items = sorted(load_corpus(SEEDS, fetched=FETCHED), key=lambda item: item.published)
    assert [item.source_ref[:3] for item in items] == ["002", "000", "003", "004", "001"]
    assert [item.published.date().isoformat() for item in items] == [
        "2022-01-06",
        "2022-02-26",
        "2022-04-25",
        "2022-06-20",
        "2022-07-24",
    ]


def test_every_item_is_complete_and_normalised() -> None:
    for item in load_corpus(SEEDS, fetched=FETCHED):
        assert item.title and item.publisher and item.text
        assert item.source == "corpus" and item.source_name == "seed corpus"
        assert item.language == "en"
        assert item.published.tzinfo is not None and item.published.utcoffset() == timedelta(0)
        assert item.published.hour == 0 and item.published_origin == "metadata"
        assert item.fetched == FETCHED
        assert item.link is None or item.link.startswith("https://")
        assert not item.text.startswith(item.title)  # the headline line is not body
        assert "\n\n\n" not in item.text and "  " not in item.text
        assert "\n\n" in item.text  # paragraphs kept


def test_site_furniture_is_not_part_of_the_body() -> None:
    texts = {item.key: item.text for item in load_corpus(SEEDS, fetched=FETCHED)}
    assert "Join the conversation" not in texts["seed-000"]
    assert "Kremlin Pool Photo" not in texts["seed-000"]
    assert "Download" not in texts["seed-001"]
    assert texts["seed-003"].startswith("Staunton, April 15")
    assert "Post a Comment" not in texts["seed-003"]
    assert texts["seed-004"].endswith("he told Al Jazeera.")


def test_published_is_midnight_utc_of_the_index_date(tmp_path: Path) -> None:
    [item] = load_corpus(write_corpus(tmp_path, GOOD_ENTRY), fetched=FETCHED)
    assert item.published == datetime(2022, 1, 6, tzinfo=UTC)
    assert item.text == "Body sentence one."
    assert item.link is None


@pytest.mark.parametrize(
    ("index", "message"),
    [
        (GOOD_ENTRY.replace("    publisher: Somebody\n", ""), "index.yaml:3: missing field"),
        (GOOD_ENTRY + "    colour: red\n", "index.yaml:11: unknown key 'colour'"),
        (GOOD_ENTRY.replace('"2022-01-06"', '"2022-02-30"'), "index.yaml:8: 'published'"),
        (GOOD_ENTRY.replace('"2022-01-06"', "06.01.2022"), "index.yaml:8: 'published'"),
        (GOOD_ENTRY.replace("exact", "roughly"), "index.yaml:9: 'date_precision'"),
        (GOOD_ENTRY.replace("a.txt", "../a.txt"), "index.yaml:4: 'file'"),
        (GOOD_ENTRY.replace("a.txt", "missing.txt"), "index.yaml:3: file 'missing.txt'"),
        (GOOD_ENTRY.replace("items:", "entries:"), "index.yaml:2: unknown key 'entries'"),
        (GOOD_ENTRY + GOOD_ENTRY[GOOD_ENTRY.index("  - id") :], "index.yaml:11: duplicate id"),
        (GOOD_ENTRY + "  - [not, a, mapping]\n", "index.yaml:11: each item must be a mapping"),
        (GOOD_ENTRY.replace("title: A title", "title: [a, b]"), "index.yaml:5: expected a single"),
        (GOOD_ENTRY.replace("title: A title", 'title: "unclosed'), "index.yaml"),
    ],
)
def test_broken_index_names_the_line(tmp_path: Path, index: str, message: str) -> None:
    with pytest.raises(CorpusError, match=message.replace("[", r"\[")):
        load_corpus(write_corpus(tmp_path, index), fetched=FETCHED)


def test_missing_index_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"index\.yaml: index file not found"):
        load_corpus(tmp_path, fetched=FETCHED)


def test_bad_text_file_names_the_file(tmp_path: Path) -> None:
    write_corpus(tmp_path, GOOD_ENTRY, {"a.txt": b"Title\n\nCaf\xe9 latin-1 body.\n"})
    with pytest.raises(CorpusError, match=r"a\.txt: not valid UTF-8"):
        load_corpus(tmp_path, fetched=FETCHED)


def test_text_file_without_a_body_names_the_file(tmp_path: Path) -> None:
    write_corpus(tmp_path, GOOD_ENTRY, {"a.txt": b"Only a title\n\n\n"})
    with pytest.raises(CorpusError, match=r"a\.txt: no article body"):
        load_corpus(tmp_path, fetched=FETCHED)


def test_a_copy_of_the_seeds_loads_the_same_items(tmp_path: Path) -> None:
    copy = tmp_path / "seeds"
    shutil.copytree(SEEDS, copy)
    assert load_corpus(copy, fetched=FETCHED) == load_corpus(SEEDS, fetched=FETCHED)


def test_naive_fetched_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        load_corpus(SEEDS, fetched=datetime(2024, 5, 1))
