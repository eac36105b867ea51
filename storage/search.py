"""Full-text search over stored items with the database's own index, newest first.

The query arrives prepared (`bot.search_query`: the words, and the FTS5 expression with Russian
words stemmed by Snowball).

* SQLite: FTS5 table `items_fts` (migration 0002), tokenizer `porter unicode61
  remove_diacritics 2`; the query is the prepared MATCH expression. New items are queued by a
  trigger (`search_queue`, migration 0006) and indexed in batches by `index_pending`, which the
  poll's callers run after each poll: tokenising inside the storing transaction was half of the
  writer's time, on the path every alert waits for. `search_index` maps item ids to FTS rowids,
  so deleting an item removes its terms without a scan.
* PostgreSQL: the GIN index on `to_tsvector('russian', title || ' ' || text)`; the words go
  through `plainto_tsquery('russian', …)`, which stems both scripts the same way and ignores
  operators by design.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col, select

from bot.models import SearchQuery, StoredMatch
from storage.errors import storage_errors
from storage.items import _with_matches
from storage.tables import ItemRow

INDEX_BATCH = 2000  # queued items indexed per transaction (~0.2 s of writer time each)
_PG_VECTOR = "to_tsvector('russian'::regconfig, items.title || ' ' || items.text)"


@storage_errors
def search_items(session: Session, query: SearchQuery, *, limit: int = 10) -> list[StoredMatch]:
    """Stored items whose title or text contain every word of `query` (inflections included),
    newest published first, with their topic matches (an item may have none)."""
    if limit <= 0 or not query.words:
        return []
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        ids = _sqlite_ids(session, query.fts5, limit)
    elif dialect == "postgresql":
        ids = _postgres_ids(session, " ".join(query.words), limit)
    else:  # pragma: no cover - only the two supported databases have a full-text index
        raise NotImplementedError(f"full-text search is not available on {dialect}")
    if not ids:
        return []
    rows = session.exec(select(ItemRow).where(col(ItemRow.id).in_(ids))).all()
    by_id = {row.id: row for row in rows}
    return _with_matches(session, [by_id[i] for i in ids if i in by_id])


def _sqlite_ids(session: Session, match: str, limit: int) -> list[str]:
    statement = sa.text(
        "SELECT items.id FROM items_fts JOIN items ON items.id = items_fts.item_id "
        "WHERE items_fts MATCH :match ORDER BY items.published DESC, items.id LIMIT :limit"
    )
    return list(session.connection().execute(statement, {"match": match, "limit": limit}).scalars())


def _postgres_ids(session: Session, words: str, limit: int) -> list[str]:
    statement = sa.text(
        f"SELECT items.id FROM items WHERE {_PG_VECTOR} @@ plainto_tsquery('russian', :words) "
        "ORDER BY items.published DESC, items.id LIMIT :limit"
    )
    return list(session.connection().execute(statement, {"words": words, "limit": limit}).scalars())


_LAST_ROWID = sa.text("SELECT rowid FROM items_fts ORDER BY rowid DESC LIMIT 1")
# Queued items not indexed yet (an item queued twice, or indexed then queued by an update
# trigger that removed it first, is indexed once).
_INDEX_QUEUED = sa.text(
    "INSERT INTO items_fts (item_id, title, text) SELECT id, title, text FROM items "
    "WHERE id IN (SELECT item_id FROM search_queue WHERE seq <= :upto) "
    "AND id NOT IN (SELECT item_id FROM search_index) ORDER BY rowid"
)
_MAP_NEW_ROWS = sa.text(
    "INSERT INTO search_index (item_id, fts_rowid) "
    "SELECT item_id, rowid FROM items_fts WHERE rowid > :last"
)


@storage_errors
def index_pending(session: Session, *, batch: int = INDEX_BATCH) -> int:
    """Index up to `batch` queued items into SQLite's FTS5 table; return how many queue
    entries were consumed (0: nothing left). PostgreSQL indexes on insert: always 0 there."""
    if session.get_bind().dialect.name != "sqlite":
        return 0
    run = session.connection().execute
    # A write first, so this transaction holds SQLite's write lock before it reads the queue.
    run(sa.text("DELETE FROM search_queue WHERE item_id NOT IN (SELECT id FROM items)"))
    upto = run(
        sa.text("SELECT max(seq) FROM (SELECT seq FROM search_queue ORDER BY seq LIMIT :n)"),
        {"n": batch},
    ).scalar()
    if upto is None:
        return 0
    last = run(_LAST_ROWID).scalar() or 0
    run(_INDEX_QUEUED, {"upto": upto})
    run(_MAP_NEW_ROWS, {"last": last})  # the delete and update triggers find rows by it
    return run(sa.text("DELETE FROM search_queue WHERE seq <= :upto"), {"upto": upto}).rowcount
