"""search indexing as its own step, and deletes that find their index row (SQLite)

Until 0005 a trigger tokenised every new item into `items_fts` inside the transaction that
stored it: about half of the writer's time in a cold poll (0.09 ms per 1 KB item, in SQLite's
C code), on the path every alert waits for. Now the insert trigger only queues the item's id in
`search_queue` (one small row), and `storage.search.index_pending` moves queued items into
`items_fts` in batches after each poll, as reader's `update_search()` does.

The queue, not a rowid watermark: `items` has a TEXT primary key, so its rowids may be reused
after deletes or renumbered by a rebuild; queued ids are exact. Queued ids whose item was deleted
before indexing are dropped by the next `index_pending` (it joins on `items`).

`search_index` maps each indexed item to its `items_fts` rowid. 0002's delete trigger looked the
row up by `item_id`, an UNINDEXED column: a scan of the whole index per deleted item (16 ms per
item at 20,000 items, so pruning thousands of items held the write lock for minutes); by rowid
it is a B-tree look-up (`benchmarks/bench_prune.py`: 1,000 prunes 16.1 s → 0.065 s). The update
trigger removes the old terms the same way and queues the item again, so every row enters
`items_fts` through the queue.

PostgreSQL is unchanged: its GIN index is maintained by the server.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UPGRADE = [
    "DROP TRIGGER IF EXISTS items_fts_insert",
    "DROP TRIGGER IF EXISTS items_fts_update",
    "DROP TRIGGER IF EXISTS items_fts_delete",
    "CREATE TABLE search_queue (seq INTEGER PRIMARY KEY, item_id VARCHAR(16) NOT NULL)",
    "CREATE TABLE search_index ("
    "item_id VARCHAR(16) NOT NULL PRIMARY KEY, fts_rowid INTEGER NOT NULL) WITHOUT ROWID",
    "INSERT OR IGNORE INTO search_index (item_id, fts_rowid) SELECT item_id, rowid FROM items_fts",
    """CREATE TRIGGER items_search_queue AFTER INSERT ON items BEGIN
        INSERT INTO search_queue (item_id) VALUES (new.id);
    END""",
    """CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
        DELETE FROM items_fts
            WHERE rowid = (SELECT fts_rowid FROM search_index WHERE item_id = old.id);
        DELETE FROM search_index WHERE item_id = old.id;
    END""",
    """CREATE TRIGGER items_fts_update AFTER UPDATE OF id, title, text ON items BEGIN
        DELETE FROM items_fts
            WHERE rowid = (SELECT fts_rowid FROM search_index WHERE item_id = old.id);
        DELETE FROM search_index WHERE item_id = old.id;
        INSERT INTO search_queue (item_id) VALUES (new.id);
    END""",
]

# Back to 0002's triggers, with nothing left unsearchable.
_DOWNGRADE = [
    "INSERT INTO items_fts (item_id, title, text) SELECT id, title, text FROM items "
    "WHERE id IN (SELECT item_id FROM search_queue) "
    "AND id NOT IN (SELECT item_id FROM search_index)",
    "DROP TRIGGER IF EXISTS items_search_queue",
    "DROP TRIGGER IF EXISTS items_fts_update",
    "DROP TRIGGER IF EXISTS items_fts_delete",
    "DROP TABLE search_queue",
    "DROP TABLE search_index",
    """CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
        INSERT INTO items_fts (item_id, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
        DELETE FROM items_fts WHERE item_id = old.id;
    END""",
    """CREATE TRIGGER items_fts_update AFTER UPDATE OF id, title, text ON items BEGIN
        DELETE FROM items_fts WHERE item_id = old.id;
        INSERT INTO items_fts (item_id, title, text) VALUES (new.id, new.title, new.text);
    END""",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _DOWNGRADE:
            op.execute(statement)
