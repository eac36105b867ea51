"""search indexing as its own step (SQLite)

Until 0005 a trigger tokenised every new item into `items_fts` inside the transaction that
stored it: about half of the writer's time in a cold poll (0.09 ms per 1 KB item, in SQLite's
C code), on the path every alert waits for. Now the insert trigger only queues the item's id in
`search_queue` (one small row), and `storage.search.index_pending` moves queued items into
`items_fts` in batches after each poll, as reader's `update_search()` does.

The queue, not a rowid watermark: `items` has a TEXT primary key, so its rowids may be reused
after deletes or renumbered by a rebuild; queued ids are exact. Queued ids whose item was deleted
before indexing are dropped by the next `index_pending` (it joins on `items`).

The update trigger queues the item again after removing its old terms, so every row enters
`items_fts` through the queue and none is indexed twice. PostgreSQL is unchanged: its GIN index
is maintained by the server.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_QUEUE = "CREATE TABLE search_queue (seq INTEGER PRIMARY KEY, item_id VARCHAR(16) NOT NULL)"
_QUEUE_INSERT = """CREATE TRIGGER items_search_queue AFTER INSERT ON items BEGIN
    INSERT INTO search_queue (item_id) VALUES (new.id);
END"""
_QUEUE_UPDATE = """CREATE TRIGGER items_fts_update AFTER UPDATE OF id, title, text ON items BEGIN
    DELETE FROM items_fts WHERE item_id = old.id;
    INSERT INTO search_queue (item_id) VALUES (new.id);
END"""
# 0002's triggers, restored by downgrade.
_OLD_INSERT = """CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts (item_id, title, text) VALUES (new.id, new.title, new.text);
END"""
_OLD_UPDATE = """CREATE TRIGGER items_fts_update AFTER UPDATE OF id, title, text ON items BEGIN
    DELETE FROM items_fts WHERE item_id = old.id;
    INSERT INTO items_fts (item_id, title, text) VALUES (new.id, new.title, new.text);
END"""
_INDEX_QUEUED = (
    "INSERT INTO items_fts (item_id, title, text) SELECT id, title, text FROM items "
    "WHERE id IN (SELECT item_id FROM search_queue)"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS items_fts_insert")
    op.execute("DROP TRIGGER IF EXISTS items_fts_update")
    op.execute(_QUEUE)
    op.execute(_QUEUE_INSERT)
    op.execute(_QUEUE_UPDATE)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(_INDEX_QUEUED)  # nothing stays unsearchable after the downgrade
    op.execute("DROP TRIGGER IF EXISTS items_search_queue")
    op.execute("DROP TRIGGER IF EXISTS items_fts_update")
    op.execute("DROP TABLE search_queue")
    op.execute(_OLD_INSERT)
    op.execute(_OLD_UPDATE)
