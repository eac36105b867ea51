"""daily digests per chat

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chats") as batch:
        batch.add_column(sa.Column("digest_time", sa.String(length=5), nullable=True))
        batch.add_column(
            sa.Column("tz_offset_minutes", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("last_digest_on", sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chats") as batch:
        batch.drop_column("last_digest_on")
        batch.drop_column("tz_offset_minutes")
        batch.drop_column("digest_time")
