"""The feed's stored payloads (`feed_payload`), filled for the resources already there. I/O: database.

Upgrade creates the table and writes every live resource's payloads, a batch
of resources at a time, through the feed's own writer
(`oer.feed.payloads.write_payloads`), not a copy spelled out here as other
revisions spell out their tables: a payload is the bytes the serialiser of
the running code writes, stamped with its version, and bytes from any other
copy of that code would be served as if the running code had written them.
That writer reads `resource`, the quality tables and `user_account` through
today's models; a later revision that changes one of those must keep this
fill working on the schema of this revision (or leave the payloads missing:
the feed serves missing ones freshly serialised, `oer feed rebuild` writes them).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from oer.feed.payloads import BATCH, write_payloads

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_resources = sa.table("resource", sa.column("id", sa.String()), sa.column("deleted", sa.Boolean()))


def upgrade() -> None:
    op.create_table(
        "feed_payload",
        sa.Column("resource_id", sa.String(length=36), nullable=False),
        sa.Column("metadata_prefix", sa.String(length=50), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        # Text on PostgreSQL: it crosses psycopg's text protocol as is, bytea as hex (oer.feed.models).
        sa.Column("payload", sa.LargeBinary().with_variant(sa.Text(), "postgresql"), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resource.id"],
            name=op.f("fk_feed_payload_resource_id_resource"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("resource_id", "metadata_prefix", name=op.f("pk_feed_payload")),
    )
    op.create_index(
        op.f("ix_feed_payload_metadata_prefix_version"), "feed_payload", ["metadata_prefix", "version"]
    )
    _fill(op.get_bind())


def downgrade() -> None:
    op.drop_index(op.f("ix_feed_payload_metadata_prefix_version"), table_name="feed_payload")
    op.drop_table("feed_payload")


def _fill(connection: sa.Connection) -> None:
    """Write the payloads of every live resource, by keyset over ids, one batch per round."""
    # Bound to the migration's connection: written in its transaction, never committed here.
    session = Session(bind=connection)
    try:
        after = ""
        while True:
            ids = list(
                connection.scalars(
                    sa.select(_resources.c.id)
                    .where(_resources.c.deleted.is_(False), _resources.c.id > after)
                    .order_by(_resources.c.id)
                    .limit(BATCH)
                )
            )
            if not ids:
                break
            write_payloads(session, ids)
            # Nothing loaded is needed again: keep the session's memory flat over the whole table.
            session.expunge_all()
            after = ids[-1]
    finally:
        session.close()
