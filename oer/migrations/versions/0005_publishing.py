"""Publishing: publications and their versions; the organisation that owns a source. I/O: database.

New tables only; downgrade drops them (and everything in them). Uploaded files
live in OER_HOME/files, outside the database, and are left where they are.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, not imported from the models, so this revision stays as it was written.
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "publication",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.Enum("draft", "published", "withdrawn", name="publicationstate",
                                   native_enum=False, length=20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("owner_key", sa.String(length=40), nullable=False),
        sa.Column("external_id", sa.String(length=500), nullable=True),
        sa.Column("draft", JSON_DOCUMENT, nullable=True),
        sa.Column("draft_files", JSON_DOCUMENT, nullable=True),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.Column("published_at", UTC_DATETIME, nullable=True),
        sa.Column("withdrawn_at", UTC_DATETIME, nullable=True),
        sa.Column("withdrawn_reason", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"],
                                name=op.f("fk_publication_created_by_user_account")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_publication_organisation_id_organisation"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication")),
        sa.UniqueConstraint("owner_key", "external_id", name=op.f("uq_publication_owner_key_external_id")),
    )
    op.create_index(op.f("ix_publication_created_by"), "publication", ["created_by"])
    op.create_index(op.f("ix_publication_organisation_id_state"), "publication", ["organisation_id", "state"])
    op.create_table(
        "publication_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("submission", JSON_DOCUMENT, nullable=False),
        sa.Column("files", JSON_DOCUMENT, nullable=False),
        sa.Column("record", JSON_DOCUMENT, nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.Column("published_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["publication_id"], ["publication.id"],
                                name=op.f("fk_publication_version_publication_id_publication"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["published_by"], ["user_account.id"],
                                name=op.f("fk_publication_version_published_by_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_version")),
        sa.UniqueConstraint("publication_id", "number", name=op.f("uq_publication_version_publication_id_number")),
    )
    op.create_table(
        "source_owner",
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("registered_by", sa.Integer(), nullable=True),
        sa.Column("registered_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_source_owner_organisation_id_organisation"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["registered_by"], ["user_account.id"],
                                name=op.f("fk_source_owner_registered_by_user_account")),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"],
                                name=op.f("fk_source_owner_source_id_source"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("source_id", name=op.f("pk_source_owner")),
    )
    op.create_index(op.f("ix_source_owner_organisation_id"), "source_owner", ["organisation_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_source_owner_organisation_id"), table_name="source_owner")
    op.drop_table("source_owner")
    op.drop_table("publication_version")
    op.drop_index(op.f("ix_publication_organisation_id_state"), table_name="publication")
    op.drop_index(op.f("ix_publication_created_by"), table_name="publication")
    op.drop_table("publication")
