"""Quality and curation: framework versions, annotations, experience and abuse reports, collections. I/O: database.

New tables only; downgrade drops them (and everything in them).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Spelled out here, not imported from the models, so this revision stays as it was written.
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "quality_framework",
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("document", JSON_DOCUMENT, nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("loaded_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_quality_framework")),
    )
    op.create_table(
        "collection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("featured", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"], name=op.f("fk_collection_created_by_user_account")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], name=op.f("fk_collection_organisation_id_organisation"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection")),
        sa.UniqueConstraint("slug", name=op.f("uq_collection_slug")),
    )
    op.create_index(op.f("ix_collection_organisation_id"), "collection", ["organisation_id"])
    op.create_table(
        "experience_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("group_level", sa.String(length=200), nullable=False),
        sa.Column("duration", sa.String(length=200), nullable=True),
        sa.Column("worked", sa.Text(), nullable=True),
        sa.Column("not_worked", sa.Text(), nullable=True),
        sa.Column("state", sa.Enum("pending", "approved", "rejected", name="moderationstate", native_enum=False, length=20), nullable=False),
        sa.Column("moderated_by", sa.Integer(), nullable=True),
        sa.Column("moderation_reason", sa.String(length=4000), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["moderated_by"], ["user_account.id"], name=op.f("fk_experience_report_moderated_by_user_account")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_experience_report_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experience_report")),
    )
    op.create_index(op.f("ix_experience_report_resource_id_state"), "experience_report", ["resource_id", "state"])
    op.create_table(
        "quality_annotation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.String(length=36), nullable=False),
        sa.Column("framework_version", sa.String(length=20), nullable=False),
        sa.Column("criterion", sa.String(length=100), nullable=False),
        sa.Column("value", sa.String(length=100), nullable=False),
        sa.Column("justification", sa.Text(), nullable=True),
        sa.Column("role", sa.Enum("auteur", "vakexpert", "leraar", "leerling", "ouder", "redactie", name="annotatorrole", native_enum=False, length=20), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=True),
        sa.Column("annotator_name", sa.String(length=100), nullable=True),
        sa.Column("state", sa.Enum("pending", "approved", "rejected", name="moderationstate", native_enum=False, length=20), nullable=False),
        sa.Column("moderated_by", sa.Integer(), nullable=True),
        sa.Column("moderation_reason", sa.String(length=4000), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("reply_by", sa.Integer(), nullable=True),
        sa.Column("reply_at", UTC_DATETIME, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["annotator_id"], ["user_account.id"], name=op.f("fk_quality_annotation_annotator_id_user_account")),
        sa.ForeignKeyConstraint(["framework_version"], ["quality_framework.version"], name=op.f("fk_quality_annotation_framework_version_quality_framework")),
        sa.ForeignKeyConstraint(["moderated_by"], ["user_account.id"], name=op.f("fk_quality_annotation_moderated_by_user_account")),
        sa.ForeignKeyConstraint(["reply_by"], ["user_account.id"], name=op.f("fk_quality_annotation_reply_by_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_annotation")),
    )
    op.create_index(op.f("ix_quality_annotation_resource_id_state"), "quality_annotation", ["resource_id", "state"])
    op.create_index(op.f("ix_quality_annotation_state_created_at"), "quality_annotation", ["state", "created_at"])
    op.create_table(
        "abuse_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("annotation_id", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=4000), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("handled", sa.Boolean(), nullable=False),
        sa.Column("handled_by", sa.Integer(), nullable=True),
        sa.Column("handled_at", UTC_DATETIME, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(["annotation_id"], ["quality_annotation.id"], name=op.f("fk_abuse_report_annotation_id_quality_annotation"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["handled_by"], ["user_account.id"], name=op.f("fk_abuse_report_handled_by_user_account")),
        sa.ForeignKeyConstraint(["report_id"], ["experience_report.id"], name=op.f("fk_abuse_report_report_id_experience_report"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reporter_id"], ["user_account.id"], name=op.f("fk_abuse_report_reporter_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_abuse_report")),
    )
    op.create_index(op.f("ix_abuse_report_annotation_id"), "abuse_report", ["annotation_id"])
    op.create_index(op.f("ix_abuse_report_report_id"), "abuse_report", ["report_id"])
    op.create_table(
        "collection_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collection_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("featured", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["collection_id"], ["collection.id"], name=op.f("fk_collection_item_collection_id_collection"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_item")),
        sa.UniqueConstraint("collection_id", "resource_id", name=op.f("uq_collection_item_collection_id_resource_id")),
    )
    op.create_index(op.f("ix_collection_item_collection_id_position"), "collection_item", ["collection_id", "position"])
    op.create_index(op.f("ix_collection_item_resource_id"), "collection_item", ["resource_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_collection_item_resource_id"), table_name="collection_item")
    op.drop_index(op.f("ix_collection_item_collection_id_position"), table_name="collection_item")
    op.drop_table("collection_item")
    op.drop_index(op.f("ix_abuse_report_report_id"), table_name="abuse_report")
    op.drop_index(op.f("ix_abuse_report_annotation_id"), table_name="abuse_report")
    op.drop_table("abuse_report")
    op.drop_index(op.f("ix_quality_annotation_state_created_at"), table_name="quality_annotation")
    op.drop_index(op.f("ix_quality_annotation_resource_id_state"), table_name="quality_annotation")
    op.drop_table("quality_annotation")
    op.drop_index(op.f("ix_experience_report_resource_id_state"), table_name="experience_report")
    op.drop_table("experience_report")
    op.drop_index(op.f("ix_collection_organisation_id"), table_name="collection")
    op.drop_table("collection")
    op.drop_table("quality_framework")
