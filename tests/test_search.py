"""Full-text search on SQLite FTS5 and PostgreSQL: inflections in EN and RU, newest first,
no query-syntax injection, the index kept in sync with items (on SQLite through the queue that
`index_pending` empties after each poll)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import Session

from bot.search_query import fts5_query, search_query
from storage import items as item_store
from storage import make_engine, upgrade
from storage.engine import session_scope
from storage.migrate import alembic_config
from storage.search import index_pending, search_items
from storage.tables import ItemRow
from tests.factories import T0, item, topic_match

ITEMS = [
    item(
        "ru-1",
        title="ЕС пригрозил Москве новыми санкциями",
        language="ru",
        text="Брюссель обсуждает очередной пакет ограничений.",
        published=T0,
    ),
    item(
        "ru-2",
        title="Казахстан не признаёт ДНР",
        language="ru",
        text="Токаев отказался признавать самопровозглашённые республики. Санкции не обсуждались.",
        published=T0 + timedelta(days=2),
    ),
    item(
        "en-1",
        title="EU readies new sanctions on Russia",
        text="Officials said the package targets circumvention.",
        published=T0 + timedelta(days=1),
    ),
    item(
        "en-2",
        title="Kazakhstan sanctioned?",
        text="Nobody sanctioned Astana for its stance.",
        published=T0 + timedelta(days=3),
    ),
    item(
        "en-3",
        title="CSTO drills in Belarus",
        text="Troops from five states took part.",
        published=T0 + timedelta(days=4),
    ),
]


@pytest.fixture
def stored(engine):
    with session_scope(engine) as s:
        item_store.add_new_items(s, ITEMS)
        item_store.add_matches(s, ITEMS[2].id, [topic_match("sanctions", "sanctions")], now=T0)
    _index(engine)
    return engine


def _index(engine, batch: int = 2000) -> int:
    """Run the search indexing step as the pipeline does after a poll: batches until done."""
    total = 0
    while True:
        with session_scope(engine) as s:
            done = index_pending(s, batch=batch)
        if not done:
            return total
        total += done


def _keys(engine, query: str, **kwargs) -> list[str]:
    with Session(engine) as s:
        return [m.item.key for m in search_items(s, search_query(query), **kwargs)]


def test_russian_inflections_are_found(stored):
    assert _keys(stored, "санкции") == ["ru-2", "ru-1"]  # "Санкции", "санкциями"; newest first
    assert _keys(stored, "санкциях Москвы") == ["ru-1"]
    assert _keys(stored, "республика") == ["ru-2"]  # "республики"


def test_english_inflections_are_found_newest_first(stored):
    assert _keys(stored, "sanction") == ["en-2", "en-1"]
    assert _keys(stored, "Sanctions RUSSIA") == ["en-1"]


def test_results_carry_their_topic_matches_and_respect_the_limit(stored):
    with Session(stored) as s:
        found = search_items(s, search_query("sanctions"), limit=5)
        assert [m.topic_ids for m in found] == [(), ("sanctions",)]
        assert [m.item.key for m in search_items(s, search_query("sanctions"), limit=1)] == ["en-2"]
        assert search_items(s, search_query("sanctions"), limit=0) == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "NEAR(a b)",
        "title:csto",
        "csto OR drills",
        "-troops",
        "csto*",
        "^csto",
        "a AND",
        "'; DROP TABLE items; --",
        "(((",
        "!!!",
        "",
        "   ",
        "санкции:*",
        "csto & | !",
    ],
)
def test_query_syntax_in_user_input_is_treated_as_words(stored, query):
    with Session(stored) as s:
        result = search_items(s, search_query(query))
        assert all(m.item.key for m in result)
        assert s.exec(sa.select(sa.func.count()).select_from(ItemRow)).one()[0] == len(ITEMS)


def test_operators_are_plain_words_not_syntax(stored):
    assert _keys(stored, "csto OR nothing-here") == []  # "or" is a word, all words required
    assert _keys(stored, "drills:csto") == ["en-3"]


def test_unknown_words_find_nothing(stored):
    assert _keys(stored, "zzzzqqq") == []
    assert _keys(stored, "sanctions zzzzqqq") == []


def test_the_index_follows_updates_and_deletes(stored):
    with session_scope(stored) as s:
        row = s.get(ItemRow, ITEMS[4].id)
        assert row is not None
        row.title = "ОДКБ провела учения"
        s.add(row)
    assert _keys(stored, "CSTO drills") == []  # the old words left the index at once
    _index(stored)
    assert _keys(stored, "учения ОДКБ") == ["en-3"]
    with session_scope(stored) as s:
        s.exec(sa.delete(ItemRow).where(ItemRow.id == ITEMS[4].id))  # type: ignore[call-overload]
    assert _keys(stored, "учения") == []


def test_fts5_terms_are_quoted_and_russian_stems_are_prefixes():
    assert fts5_query('санкции "x" OR') == '"санкц"* "x" "or"'
    assert fts5_query("США") == '"сша"'
    assert fts5_query("!!!") == ""


def test_upgrading_a_database_with_items_indexes_them(database_url):
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0001")
        with session_scope(engine) as s:
            item_store.add_new_items(s, ITEMS[:2])
        upgrade(engine)
        assert _keys(engine, "санкции") == ["ru-2", "ru-1"]
    finally:
        engine.dispose()


def test_new_items_are_searchable_once_indexed_each_exactly_once(database_url):
    engine = make_engine(database_url)
    upgrade(engine)
    try:
        with session_scope(engine) as s:
            item_store.add_new_items(s, ITEMS)
        sqlite = engine.dialect.name == "sqlite"
        # SQLite queues new items for the indexing step; PostgreSQL indexes them on insert.
        assert _keys(engine, "sanctions") == ([] if sqlite else ["en-2", "en-1"])
        assert _index(engine, batch=2) == (len(ITEMS) if sqlite else 0)  # three batches
        assert _keys(engine, "sanctions") == ["en-2", "en-1"]
        assert _keys(engine, "санкции") == ["ru-2", "ru-1"]
        assert _index(engine) == 0  # nothing indexed twice
        assert _keys(engine, "sanctions") == ["en-2", "en-1"]
    finally:
        engine.dispose()


def _fts_rows(engine, item_id: str | None = None) -> int:
    query = "SELECT count(*) FROM items_fts" + (" WHERE item_id = :id" if item_id else "")
    with engine.connect() as c:
        return c.execute(sa.text(query), {"id": item_id}).scalar()


def _delete_and_edit(engine, deleted: str, edited: str, **columns: str) -> None:
    """Delete one stored item and change columns of another, in one transaction."""
    with session_scope(engine) as s:
        s.exec(sa.delete(ItemRow).where(ItemRow.id == deleted))  # type: ignore[call-overload]
        row = s.get(ItemRow, edited)
        assert row is not None
        for name, value in columns.items():
            setattr(row, name, value)
        s.add(row)


def test_deleted_and_updated_items_leave_no_stale_index_rows(tmp_path):
    """The delete and update triggers find an item's index row through `search_index`."""
    engine = make_engine(f"sqlite:///{tmp_path / 'index.db'}")
    upgrade(engine)
    try:
        with session_scope(engine) as s:
            item_store.add_new_items(s, ITEMS)
        _index(engine)
        assert _fts_rows(engine) == len(ITEMS)
        with engine.connect() as c:
            mapped = c.execute(sa.text("SELECT count(*) FROM search_index")).scalar()
        assert mapped == len(ITEMS)
        _delete_and_edit(engine, ITEMS[0].id, ITEMS[1].id, text="Текст заменён.")
        assert _fts_rows(engine, ITEMS[0].id) == 0
        assert _fts_rows(engine, ITEMS[1].id) == 0  # old terms gone, new ones queued
        _index(engine)
        assert _fts_rows(engine, ITEMS[1].id) == 1
        assert _fts_rows(engine) == len(ITEMS) - 1
        assert _keys(engine, "заменён") == ["ru-2"]
    finally:
        engine.dispose()


def test_items_deleted_or_updated_before_indexing_are_indexed_as_they_are_then(engine):
    with session_scope(engine) as s:
        item_store.add_new_items(s, ITEMS)
    _delete_and_edit(engine, ITEMS[2].id, ITEMS[0].id, title="ЕС отложил новые санкции")
    _index(engine)
    assert _keys(engine, "sanctions") == ["en-2"]  # en-1 is gone
    assert _keys(engine, "отложил") == ["ru-1"]  # the new title, once
    assert _keys(engine, "пригрозил") == []  # not the old one


def _downgrade(engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_upgrading_from_0005_keeps_the_index_and_downgrading_indexes_the_queue(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(engine, "0005")
        with session_scope(engine) as s:
            item_store.add_new_items(s, ITEMS[:2])  # indexed by 0002's trigger
        upgrade(engine)
        with session_scope(engine) as s:
            item_store.add_new_items(s, ITEMS[2:4])  # queued
        assert _keys(engine, "санкции") == ["ru-2", "ru-1"]
        assert _keys(engine, "sanctions") == []
        with session_scope(engine) as s:  # an item indexed before 0006 still leaves the index
            s.exec(sa.delete(ItemRow).where(ItemRow.id == ITEMS[1].id))  # type: ignore[call-overload]
        assert _keys(engine, "санкции") == ["ru-1"]
        assert _fts_rows(engine) == 1
        _downgrade(engine, "0005")
        assert _keys(engine, "sanctions") == ["en-2", "en-1"]  # the queue was indexed
        assert _fts_rows(engine) == 3
        with session_scope(engine) as s:
            item_store.add_new_items(s, ITEMS[4:])  # 0002's trigger is back
        assert _keys(engine, "CSTO drills") == ["en-3"]
    finally:
        engine.dispose()
