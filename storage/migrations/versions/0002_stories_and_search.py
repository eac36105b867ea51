"""stories and full-text search

Stories: `stories` and `story_items` (membership + per-item fingerprint). Nothing is added to
`items` or `outbox`: the alert to edit for a story is found by joining `outbox.item_id` to
`story_items`.

Search:
* SQLite: an FTS5 table `items_fts(item_id UNINDEXED, title, text)` kept in sync with `items`
  by triggers, tokenizer `porter unicode61 remove_diacritics 2`. It keeps its own copy of the
  text rather than being external-content: `items` has a TEXT primary key, so its rowids may
  change on VACUUM or on a batch-mode rebuild, which would silently point an external-content
  index at the wrong rows. A later migration that rebuilds `items` in batch mode must re-create
  the three triggers (see `_SQLITE_TRIGGERS`).
* PostgreSQL: a GIN expression index on `to_tsvector('russian', title || ' ' || text)`; the
  `russian` configuration stems Cyrillic words with the Russian Snowball stemmer and ASCII words
  with the English one, so one index serves mixed EN/RU items.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_FTS = (
    "CREATE VIRTUAL TABLE items_fts USING fts5("
    "item_id UNINDEXED, title, text, tokenize = 'porter unicode61 remove_diacritics 2')"
)
_SQLITE_TRIGGERS = (
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
)
_SQLITE_BACKFILL = "INSERT INTO items_fts (item_id, title, text) SELECT id, title, text FROM items"
_PG_INDEX = (
    "CREATE INDEX ix_items_fulltext ON items "
    "USING gin (to_tsvector('russian'::regconfig, title || ' ' || text))"
)


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_item_id", sa.String(length=16), nullable=False),
        sa.Column("event_date", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_date_reliable", sa.Boolean(), nullable=False),
        sa.Column("last_published", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_item_id"], ["items.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_stories_last_published"), ["last_published"], unique=False
        )

    op.create_table(
        "story_items",
        sa.Column("item_id", sa.String(length=16), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("published", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("fingerprint", sa.LargeBinary(), nullable=False),
        sa.Column("added_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"]),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"]),
        sa.PrimaryKeyConstraint("item_id"),
    )
    with op.batch_alter_table("story_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_items_story_id"), ["story_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_story_items_published"), ["published"], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(_SQLITE_FTS)
        for trigger in _SQLITE_TRIGGERS:
            op.execute(trigger)
        op.execute(_SQLITE_BACKFILL)
    elif dialect == "postgresql":
        op.execute(_PG_INDEX)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("items_fts_update", "items_fts_delete", "items_fts_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS items_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_items_fulltext")

    with op.batch_alter_table("story_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_story_items_published"))
        batch_op.drop_index(batch_op.f("ix_story_items_story_id"))
    op.drop_table("story_items")
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stories_last_published"))
    op.drop_table("stories")
