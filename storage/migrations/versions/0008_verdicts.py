"""verdicts: a subscriber's Relevant / Not relevant tap on an alert, and /feedback off

One row per (chat, item, topic, user): a private chat holds one verdict per alert and topic, a
group one per member who tapped (its view is the majority). `chats.feedback` is false after
/feedback off: alerts then come without the buttons. `notices.buttons` holds a digest's button
rows (one per story).

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "verdicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.String(length=16), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("relevant", sa.Boolean(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "chat_id", "item_id", "topic", "user_id", name="uq_verdicts_chat_item_topic_user"
        ),
    )
    op.create_index("ix_verdicts_chat_id", "verdicts", ["chat_id"])
    op.create_index("ix_verdicts_item_id", "verdicts", ["item_id"])
    op.create_index("ix_verdicts_topic_updated", "verdicts", ["topic", "updated_at"])
    with op.batch_alter_table("chats") as batch:
        batch.add_column(
            sa.Column("feedback", sa.Boolean(), nullable=False, server_default=sa.true())
        )
    with op.batch_alter_table("notices") as batch:
        batch.add_column(sa.Column("buttons", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("buttons")
    with op.batch_alter_table("chats") as batch:
        batch.drop_column("feedback")
    op.drop_index("ix_verdicts_topic_updated", table_name="verdicts")
    op.drop_index("ix_verdicts_item_id", table_name="verdicts")
    op.drop_index("ix_verdicts_chat_id", table_name="verdicts")
    op.drop_table("verdicts")
