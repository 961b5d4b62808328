"""Dated snapshots of the insight aggregates (`insight_snapshot`), and the indexes the figures scan. I/O: database.

Revision ID: 0010_insight_snapshots
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010_insight_snapshots"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out, as the other revisions do: the column types as they are at this revision.
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "insight_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("taken_at", UTC_DATETIME, nullable=False),
        sa.Column("figures", JSON_DOCUMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight_snapshot")),
        sa.UniqueConstraint("taken_on", name=op.f("uq_insight_snapshot_taken_on")),
    )
    # Covering indexes: "trends" and "completeness per source" read these instead of the wide rows.
    op.create_index(op.f("ix_resource_origin_deleted_created_at_updated_at_deleted_at"), "resource",
                    ["origin", "deleted", "created_at", "updated_at", "deleted_at"])
    op.create_index(op.f("ix_provenance_source_id_deleted_completeness"), "provenance",
                    ["source_id", "deleted", "completeness"])


def downgrade() -> None:
    op.drop_index(op.f("ix_provenance_source_id_deleted_completeness"), table_name="provenance")
    op.drop_index(op.f("ix_resource_origin_deleted_created_at_updated_at_deleted_at"), table_name="resource")
    op.drop_table("insight_snapshot")
