"""Remix: arrangements, their sections and parts. I/O: database.

New tables only; downgrade drops them (and everything in them).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, not imported from the models, so this revision stays as it was written.
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "arrangement",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.Enum("draft", "published", "withdrawn", name="arrangementstate",
                                   native_enum=False, length=20), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("forked_from", sa.String(length=36), nullable=True),
        sa.Column("metadata_json", JSON_DOCUMENT, nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("published_record", JSON_DOCUMENT, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("published_at", UTC_DATETIME, nullable=True),
        sa.Column("withdrawn_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_arrangement_organisation_id_organisation"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["owner_id"], ["user_account.id"], name=op.f("fk_arrangement_owner_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arrangement")),
    )
    op.create_index(op.f("ix_arrangement_owner_id_state"), "arrangement", ["owner_id", "state"])
    op.create_table(
        "arrangement_section",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("arrangement_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["arrangement_id"], ["arrangement.id"],
                                name=op.f("fk_arrangement_section_arrangement_id_arrangement"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arrangement_section")),
    )
    op.create_index(op.f("ix_arrangement_section_arrangement_id_position"), "arrangement_section",
                    ["arrangement_id", "position"])
    op.create_table(
        "arrangement_part",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("include", "adapt", "page", name="partkind", native_enum=False, length=20),
                  nullable=False),
        sa.Column("resource_id", sa.String(length=36), nullable=True),
        sa.Column("snapshot", JSON_DOCUMENT, nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["section_id"], ["arrangement_section.id"],
                                name=op.f("fk_arrangement_part_section_id_arrangement_section"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_arrangement_part")),
    )
    op.create_index(op.f("ix_arrangement_part_resource_id"), "arrangement_part", ["resource_id"])
    op.create_index(op.f("ix_arrangement_part_section_id_position"), "arrangement_part", ["section_id", "position"])


def downgrade() -> None:
    op.drop_index(op.f("ix_arrangement_part_section_id_position"), table_name="arrangement_part")
    op.drop_index(op.f("ix_arrangement_part_resource_id"), table_name="arrangement_part")
    op.drop_table("arrangement_part")
    op.drop_index(op.f("ix_arrangement_section_arrangement_id_position"), table_name="arrangement_section")
    op.drop_table("arrangement_section")
    op.drop_index(op.f("ix_arrangement_owner_id_state"), table_name="arrangement")
    op.drop_table("arrangement")
