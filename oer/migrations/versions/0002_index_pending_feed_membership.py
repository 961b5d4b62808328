"""Search outbox flag on resources; OAI-PMH set membership kept after leaving. I/O: database.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("resource") as batch:
        batch.add_column(
            sa.Column("index_pending", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_index(op.f("ix_resource_index_pending"), ["index_pending"])
    op.create_table(
        "feed_membership",
        sa.Column("resource_id", sa.String(length=36), nullable=False),
        sa.Column("set_spec", sa.String(length=200), nullable=False),
        sa.Column("member", sa.Boolean(), nullable=False),
        sa.Column("datestamp", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resource.id"],
            name=op.f("fk_feed_membership_resource_id_resource"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("resource_id", "set_spec", name=op.f("pk_feed_membership")),
    )
    op.create_index(
        op.f("ix_feed_membership_set_spec_datestamp_resource_id"),
        "feed_membership",
        ["set_spec", "datestamp", "resource_id"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_feed_membership_set_spec_datestamp_resource_id"), table_name="feed_membership"
    )
    op.drop_table("feed_membership")
    with op.batch_alter_table("resource") as batch:
        batch.drop_index(op.f("ix_resource_index_pending"))
        batch.drop_column("index_pending")
