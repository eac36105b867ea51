"""replicas: several `geoalert run` on one PostgreSQL database

`replicas` lists the running processes and their heartbeats; `feeds.due_at` is the due time
through which replicas lease feed polls (`FOR UPDATE SKIP LOCKED`), `feeds.leased_by` the
replica holding a feed's lease.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "replicas",
        sa.Column("id", sa.String(length=256), nullable=False),
        sa.Column("host", sa.String(length=256), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("roles", sa.String(length=64), nullable=False, server_default=""),
        sa.Column("started_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("due_at", storage.types.UTCDateTime(timezone=True)))
        batch.add_column(sa.Column("leased_by", sa.String(length=256)))
    op.create_index("ix_feeds_due_at", "feeds", ["due_at"])


def downgrade() -> None:
    op.drop_index("ix_feeds_due_at", table_name="feeds")
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("leased_by")
        batch.drop_column("due_at")
    op.drop_table("replicas")
