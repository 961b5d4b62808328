"""Demand signals: anonymous daily counts of thin searches (`demand_count`) and the wensenlijst. I/O: database.

Revision ID: 0011_demand
Revises: 0010_insight_snapshots
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_demand"
down_revision: str | Sequence[str] | None = "0010_insight_snapshots"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out, as the other revisions do: the column types as they are at this revision.
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "demand_count",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.Column("sector", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("searches", sa.Integer(), nullable=False),
        sa.Column("empty", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "query", "sector", "subject", name=op.f("pk_demand_count")),
    )
    op.create_table(
        "wish",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("sector", sa.String(length=20), nullable=True),
        sa.Column("level", sa.String(length=100), nullable=True),
        sa.Column("subject", sa.String(length=100), nullable=True),
        sa.Column("kerndoel", sa.String(length=100), nullable=True),
        sa.Column("query", sa.String(length=200), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("anonymous_support", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wish")),
    )
    op.create_index(op.f("ix_wish_state"), "wish", ["state"])
    op.create_table(
        "wish_support",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wish_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("notify", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["wish_id"], ["wish.id"], name=op.f("fk_wish_support_wish_id_wish"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_wish_support_user_id_user_account"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wish_support")),
        sa.UniqueConstraint("wish_id", "user_id", name=op.f("uq_wish_support_wish_id_user_id")),
    )
    op.create_index(op.f("ix_wish_support_user_id"), "wish_support", ["user_id"])
    op.create_table(
        "wish_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wish_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("resource_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("linked_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["wish_id"], ["wish.id"], name=op.f("fk_wish_answer_wish_id_wish"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_wish_answer_organisation_id_organisation"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"],
                                name=op.f("fk_wish_answer_user_id_user_account"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wish_answer")),
    )
    op.create_index(op.f("ix_wish_answer_wish_id"), "wish_answer", ["wish_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_wish_answer_wish_id"), table_name="wish_answer")
    op.drop_table("wish_answer")
    op.drop_index(op.f("ix_wish_support_user_id"), table_name="wish_support")
    op.drop_table("wish_support")
    op.drop_index(op.f("ix_wish_state"), table_name="wish")
    op.drop_table("wish")
    op.drop_table("demand_count")
